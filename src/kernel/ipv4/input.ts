/**
 * The IPv4 receive path: the protocol handler for EtherType 0x0800 (`ip_rcv`) up to local
 * delivery or forwarding.
 *
 * Models: `net/ipv4/ip_input.c` and `net/ipv4/icmp.c` (linux-primitives.md 1.2-A):
 *
 *   ip_rcv: drop OTHERHOST; the frame must hold a decoded IPv4 header (version, length and
 *     checksum were checked by the decoder) -> PREROUTING hook (skipped when br_netfilter already
 *     ran it in the bridge path, `ip_sabotage_in`) -> route input with the possibly DNAT-ed
 *     destination and the mark (route-lookup.ts: martians, rp_filter, forwarding)
 *   reject: ICMP per `ip_error` (forwarding on only), drop with the deciding reason
 *   forward: forward.ts
 *   local (`ip_local_deliver`): reassemble fragments -> INPUT hook -> the xfrm inbound policy
 *     check when the namespace has xfrm state (not for ESP itself) -> by protocol:
 *     ICMP echo request: answered by the kernel; other ICMP, UDP, TCP, ...: the registered
 *     transport handler, else the `sockets` ext slot; nobody listening: UDP gets ICMP port
 *     unreachable (3/3), an unknown protocol ICMP protocol unreachable (3/2), TCP's RST is the
 *     transport handler's to send.
 *
 * Leaves out: IP options processing, raw sockets, early demux, multicast delivery, GRO.
 */
import { IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, formatIpv4, isFragment, type Ipv4, type Ipv4Repr } from '../../packet/index.js';
import { numericTraceArgs, type TraceDetail, type TraceValue } from '../../engine/index.js';
import type { NetDevice } from '../device.js';
import type { Skb } from '../skb.js';
import { ipForward } from './forward.js';
import { icmpName, planEchoReply } from './icmp.js';
import { sendIcmpError, sendIcmpPlan } from './output.js';
import { addRouteTraceFields, routeDevName, routeInput, type RouteInputDecision } from './route-lookup.js';
import type { Route } from './route-table.js';
import type { FibRule } from './rules.js';
import { IPV4_SOCKETS_EXT_KEY, ipv4Of, type DeliveryResult, type Ipv4State, type SocketDelivery } from './state.js';

/** `ip_rcv`: the handler registered for EtherType 0x0800. */
export function ipRcv(skb: Skb, dev: NetDevice): void {
  const st = ipv4Of(dev.netns);
  const ns = st.ns;
  if (skb.pktType === 'otherhost') {
    ns.drop(skb, dev, 'not-for-us', { why: 'frame addressed to another host (PACKET_OTHERHOST)' });
    return;
  }
  if (skb.frame.payload.kind !== 'ipv4') {
    ns.drop(skb, dev, 'malformed', { why: 'EtherType 0x0800 without an IPv4 header' });
    return;
  }
  if (!skb.brNetfilter) {
    const verdict = ns.netfilter.hook(skb, { hook: 'PREROUTING', inDev: dev, outDev: undefined });
    if (verdict !== 'accept') return;
  }
  const ip = skb.frame.payload;
  if (ip.kind !== 'ipv4') {
    ns.drop(skb, dev, 'malformed', { why: 'PREROUTING left no IPv4 header' });
    return;
  }
  const decision = routeInput(st, { src: ip.src, dst: ip.dst, inDev: dev, mark: skb.mark });
  if (ns.host.world.trace.enabled) traceInput(st, skb, ip, dev, decision);
  switch (decision.kind) {
    case 'reject':
      if (decision.icmpCode !== undefined) {
        sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: decision.icmpCode }, { aboutLocal: false, routedBroadcast: false, ctAttach: true });
      }
      ns.drop(skb, dev, decision.reason, { detail: decision.detail, src: formatIpv4(ip.src), dst: formatIpv4(ip.dst) });
      return;
    case 'forward':
      ipForward(st, skb, ip, dev, decision);
      return;
    case 'local':
      ipLocalDeliver(st, skb, ip, dev, decision.broadcast);
      return;
  }
}

function traceInput(st: Ipv4State, skb: Skb, ip: Ipv4Repr, dev: NetDevice, d: RouteInputDecision): void {
  // The decision's parts, not the decision: a record keeps nothing that would otherwise die.
  const devName = routeDevName(d.route);
  switch (d.kind) {
    case 'local':
      st.ns.traceWith(skb, dev, 'route', localInputDetail, ip.src, ip.dst, dev.name, d.broadcast ? 'broadcast' : 'local', d.route, d.rule, devName);
      return;
    case 'forward':
      st.ns.traceWith(skb, dev, 'route', forwardInputDetail, ip.src, ip.dst, d.nexthop, dev.name, d.route, d.rule, devName);
      return;
    case 'reject':
      st.ns.traceWith(skb, dev, 'route', rejectInputDetail, ip.src, ip.dst, dev.name, d.reason, d.detail, d.route, devName);
      return;
  }
}

/** The route records of a received packet (built when the trace is read). */
const localInputDetail = numericTraceArgs(function localInputDetail(
  src: Ipv4,
  dst: Ipv4,
  iif: string,
  result: string,
  route: Route | undefined,
  rule: FibRule | undefined,
  devName: string | null,
): TraceDetail {
  const detail: Record<string, TraceValue> = { stage: 'input', src: formatIpv4(src), dst: formatIpv4(dst), iif, result };
  addRouteTraceFields(detail, route, rule, devName);
  return detail;
}, 0b11);

const forwardInputDetail = numericTraceArgs(function forwardInputDetail(
  src: Ipv4,
  dst: Ipv4,
  nexthop: Ipv4,
  iif: string,
  route: Route,
  rule: FibRule,
  devName: string | null,
): TraceDetail {
  const detail: Record<string, TraceValue> = { stage: 'input', src: formatIpv4(src), dst: formatIpv4(dst), iif, result: 'forward', nexthop: formatIpv4(nexthop) };
  addRouteTraceFields(detail, route, rule, devName);
  return detail;
}, 0b111);

const rejectInputDetail = numericTraceArgs(function rejectInputDetail(
  src: Ipv4,
  dst: Ipv4,
  iif: string,
  reason: string,
  why: string,
  route: Route | undefined,
  devName: string | null,
): TraceDetail {
  const detail: Record<string, TraceValue> = { stage: 'input', src: formatIpv4(src), dst: formatIpv4(dst), iif, result: 'reject', reason, detail: why };
  addRouteTraceFields(detail, route, undefined, devName);
  return detail;
}, 0b11);

/** The record of a packet handed to local delivery. */
const localDetail = numericTraceArgs(function localDetail(protocol: number, src: Ipv4, dst: Ipv4, broadcast: boolean): TraceDetail {
  return { stage: 'local', protocol, src: formatIpv4(src), dst: formatIpv4(dst), broadcast };
}, 0b111);

/** `ip_local_deliver` and `ip_local_deliver_finish`. */
function ipLocalDeliver(st: Ipv4State, skb: Skb, received: Ipv4Repr, dev: NetDevice, broadcast: boolean): void {
  const ns = st.ns;
  let ip = received;
  if (isFragment(ip)) {
    const r = st.reassembly.add(skb, ip, dev);
    if (r.kind === 'queued') return;
    if (r.kind === 'invalid') {
      ns.drop(skb, dev, 'malformed', { why: r.why });
      return;
    }
    ip = r.packet;
    skb.frame = { ...skb.frame, payload: ip };
  }
  const verdict = ns.netfilter.hook(skb, { hook: 'INPUT', inDev: dev, outDev: undefined });
  if (verdict !== 'accept') return;
  const now = skb.frame.payload;
  if (now.kind !== 'ipv4') return;
  ip = now;
  // xfrm4_policy_check before the transport sees the packet (ESP itself is `no_policy`).
  if (st.xfrm !== undefined && ip.protocol !== IPPROTO_ESP && !st.xfrm.inputPolicyCheck(skb, ip, dev)) return;
  if (ns.host.world.trace.enabled) ns.traceWith(skb, dev, 'receive', localDetail, ip.protocol, ip.src, ip.dst, broadcast);
  if (ip.protocol === IPPROTO_ICMP && ip.payload.kind === 'icmp' && ip.payload.type === 'echo-request') {
    const decision = planEchoReply(ip, ip.payload, {
      broadcast,
      ignoreAll: ns.sysctl.number('net.ipv4.icmp_echo_ignore_all') !== 0,
      ignoreBroadcasts: ns.sysctl.number('net.ipv4.icmp_echo_ignore_broadcasts') !== 0,
    });
    if (decision.send) sendIcmpPlan(st, decision.plan, skb, false);
    else if (ns.host.world.trace.enabled) ns.trace(skb, dev, 'icmp', { action: 'ignored', message: icmpName(ip.payload), why: decision.why });
    return;
  }
  const result = deliverToTransport(st, skb, ip, dev);
  if (result === 'delivered') return;
  if (result === 'rst-sent') {
    ns.drop(skb, dev, 'rst-sent', { protocol: ip.protocol, dst: formatIpv4(ip.dst) });
    return;
  }
  switch (ip.protocol) {
    case IPPROTO_UDP:
      sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 3 }, { aboutLocal: true, routedBroadcast: broadcast, ctAttach: true });
      ns.drop(skb, dev, 'port-unreachable', { protocol: 'udp', dst: formatIpv4(ip.dst) });
      return;
    case IPPROTO_TCP:
    case IPPROTO_ICMP:
      ns.drop(skb, dev, 'no-socket', { protocol: ip.protocol, dst: formatIpv4(ip.dst) });
      return;
    default:
      sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 2 }, { aboutLocal: true, routedBroadcast: broadcast, ctAttach: true });
      ns.drop(skb, dev, 'no-socket', { protocol: ip.protocol, why: 'protocol unreachable' });
  }
}

/** The registered transport handler for the protocol, else the `sockets` ext slot. */
function deliverToTransport(st: Ipv4State, skb: Skb, ip: Ipv4Repr, dev: NetDevice): DeliveryResult {
  const handler = st.l4.get(ip.protocol);
  if (handler !== undefined) return handler(skb, ip, dev);
  const sockets = st.ns.ext.get(IPV4_SOCKETS_EXT_KEY) as SocketDelivery | undefined;
  if (sockets !== undefined && typeof sockets.deliver === 'function') return sockets.deliver(skb, ip, dev);
  return 'no-socket';
}
