/**
 * The IPv4 output path: locally generated packets (`ip_local_out`), and the tail every packet
 * leaving the namespace shares (POSTROUTING, fragmentation, neighbour resolution, transmit).
 *
 * Models: `net/ipv4/ip_output.c` and `net/ipv4/route.c` (linux-primitives.md 1.2-C):
 *
 *   ipOutput: route output (oif, source, next hop) -> build header (TTL ip_default_ttl, id from
 *     the namespace counter, DF by PMTU mode) -> xfrm policy lookup (`xfrm_lookup`, when the
 *     namespace has xfrm state) -> OUTPUT hook -> reroute if the hook changed the destination or
 *     the mark (`ip_route_me_harder`, xfrm lookup again) -> ipPostRouting
 *   ipPostRouting: POSTROUTING hook -> with an xfrm bundle, `xfrm4_output` (xfrm/) transforms
 *     the packet and sends the result through OUTPUT and POSTROUTING again -> ipFinishOutput
 *   ipFinishOutput: larger than the MTU: DF set -> ICMP frag-needed back to the sender, else
 *     fragment (`ip_do_fragment`) -> next-hop MAC: NOARP devices and `lo` use the device's own
 *     address, broadcast and multicast their group address, the rest the neighbour table
 *     (`neigh_output`; a packet queued there fails with ICMP host unreachable to its sender,
 *     `arp_error_report` -> `ipv4_link_failure`) -> `dev_queue_xmit`
 *
 * Local destinations leave through `lo` and come back in through `input.ts`. Synchronous errors
 * are returned (and given to `onError`) the way `sendmsg` returns them: ENETUNREACH /
 * EHOSTUNREACH / EACCES / EINVAL from routing, EPERM when netfilter dropped the packet, EMSGSIZE
 * for DF with `df: true` above the route MTU. ICMP errors planned by `icmp.ts` are sent here.
 * Leaves out: corking and socket options beyond the request fields, GSO, local loopback copies
 * of broadcasts (`ip_mc_output`), the PMTU cache (frag-needed does not lower later MTUs).
 */
import { numericTraceArgs, type TraceDetail, type TraceValue } from '../../engine/index.js';
import { formatIpv4, formatMac, fragmentIpv4, ipv4Packet, IPV4_BROADCAST, MAC_BROADCAST, isMulticastIpv4 } from '../../packet/index.js';
import type { EthernetRepr, Ipv4, Ipv4Payload, Ipv4Repr, Mac, VlanTag } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { cloneSkb, ipv4Length, newSkb, plainIpv4BodyLength, type Skb } from '../skb.js';
import type { IprouteErrno } from './errors.js';
import { icmpName, planIcmpError, type IcmpErrorKind, type IcmpPlan } from './icmp.js';
import type { NeighOutput, NeighPendingPacket } from './neighbour.js';
import { addRouteTraceFields, routeDevName, routeOutput, routeTraceDetail, type RouteOutputDecision } from './route-lookup.js';
import type { Route } from './route-table.js';
import type { FibRule } from './rules.js';
import { ipv4Of, type Ipv4State } from './state.js';

export interface IpOutputRequest {
  readonly dst: Ipv4;
  readonly src?: Ipv4;
  readonly payload: Ipv4Payload;
  /** Needed only for an opaque payload; otherwise derived from it. */
  readonly protocol?: number;
  readonly ttl?: number;
  /** true: IP_PMTUDISC_DO; false: DONT; 'want' (default): DF when the packet fits the route MTU. */
  readonly df?: boolean | 'want';
  /** The TOS byte (DSCP << 2 | ECN). */
  readonly tos?: number;
  readonly oif?: NetDevice;
  readonly mark?: number;
  readonly id?: number;
  /** Allow a non-local source (transparent sockets, NAT reroutes). */
  readonly anySrc?: boolean;
  /** Keep this packet id (a tunnel's outer packet carries its inner packet's id). */
  readonly packetId?: number;
  /**
   * The packet an ICMP error answers: its conntrack entry is attached to the error before OUTPUT
   * (`nf_ct_attach` in `icmp_glue_bits`).
   */
  readonly cause?: Skb;
}

export type IpOutputErrno = IprouteErrno | 'EPERM' | 'EMSGSIZE';

export type IpOutputResult =
  | { readonly ok: true; readonly packetId: number; readonly src: Ipv4; readonly dev: NetDevice }
  | { readonly ok: false; readonly errno: IpOutputErrno; readonly packetId: number };

const ETH_P_IP = 0x0800;
const IPV4_MIN_HEADER_LENGTH = 20;
/** Locally built headers carry no options; one shared empty buffer (it has no bytes to change). */
const NO_OPTIONS = new Uint8Array(0);

/** The total length of a datagram (header + payload), encoding the payload at most once (`skb.ts`). */
export { ipv4Length };

/** Frames built here carry no tags: one shared empty list (frames are immutable values). */
const NO_VLANS: readonly VlanTag[] = Object.freeze([]);

function ethFrame(src: Mac, dst: Mac, ip: Ipv4Repr): EthernetRepr {
  return { kind: 'ethernet', dst, src, vlans: NO_VLANS, etherType: ETH_P_IP, payload: ip };
}

function tracing(st: Ipv4State): boolean {
  return st.ns.host.world.trace.enabled;
}

/** `ip_queue_xmit` / `ip_send_skb` for a socket (or the kernel's own ICMP): see the header. */
export function ipOutput(ns: NetNamespace, req: IpOutputRequest, onError?: (errno: IpOutputErrno) => void): IpOutputResult {
  const st = ipv4Of(ns);
  const packetId = req.packetId ?? ns.host.world.nextPacketId();
  const mark = req.mark ?? 0;
  const decision = routeOutput(st, { dst: req.dst, src: req.src, oif: req.oif, mark, anySrc: req.anySrc ?? false });
  if (!decision.ok) {
    // No packet is built: sendmsg returns the error, as Linux does before allocating an skb.
    if (tracing(st)) ns.traceWith(packetId, undefined, 'route', failedOutputDetail, req.dst, decision.errno, decision.route, routeDevName(decision.route));
    return failed(decision.errno, packetId, onError);
  }
  const mtu = routeMtu(decision);
  const tos = req.tos ?? 0;
  const ttl = req.ttl ?? ns.sysctl.number('net.ipv4.ip_default_ttl');
  const id = req.id ?? st.nextIpId();
  const dfMode = req.df ?? 'want';
  const plain = plainIpv4BodyLength(req.payload);
  let ip: Ipv4Repr;
  if (plain !== undefined) {
    // The length is known without a header: build the header once, with its DF bit.
    const length = IPV4_MIN_HEADER_LENGTH + plain;
    if (dfMode === true && length > mtu) return failed('EMSGSIZE', packetId, onError);
    ip = buildHeader(req, decision.src, decision.dst, ttl, id, tos, dfMode === 'want' ? length <= mtu : dfMode);
  } else {
    const draft = buildHeader(req, decision.src, decision.dst, ttl, id, tos, false);
    const length = ipv4Length(draft);
    if (dfMode === true && length > mtu) return failed('EMSGSIZE', packetId, onError);
    ip = { ...draft, df: dfMode === 'want' ? length <= mtu : dfMode };
  }
  const skb = newSkb(packetId, ethFrame(decision.dev.mac, 0, ip));
  skb.mark = mark;
  if (req.cause !== undefined) ns.netfilter.attach?.(skb, req.cause);
  if (tracing(st)) ns.traceWith(skb, decision.dev, 'route', outputDetail, ip.dst, ip.src, decision.type, decision.route, decision.rule, routeDevName(decision.route));
  if (st.xfrm !== undefined) {
    const refused = st.xfrm.outputLookup(skb, ip, decision.dev);
    if (refused !== undefined) return failed(refused, packetId, onError);
  }
  const verdict = ns.netfilter.hook(skb, { hook: 'OUTPUT', inDev: undefined, outDev: decision.dev });
  if (verdict === 'drop') return failed('EPERM', packetId, onError);
  if (verdict === 'stolen') return { ok: true, packetId, src: decision.src, dev: decision.dev };
  let route: RouteOutputDecision = decision;
  const after = skb.frame.payload;
  if (after.kind === 'ipv4' && (after.dst !== ip.dst || after.src !== ip.src || skb.mark !== mark)) {
    // ip_route_me_harder: a DNAT, SNAT or MARK in OUTPUT chooses the route again.
    route = routeOutput(st, { dst: after.dst, src: after.src, oif: req.oif, mark: skb.mark, anySrc: true });
    if (tracing(st)) {
      ns.trace(skb, undefined, 'route', { stage: 'reroute', dst: formatIpv4(after.dst), result: route.ok ? route.type : route.errno, ...routeTraceDetail(route.route, route.ok ? route.rule : undefined) });
    }
    if (!route.ok) {
      ns.drop(skb, undefined, 'no-route', { stage: 'reroute', errno: route.errno });
      return failed(route.errno, packetId, onError);
    }
    skb.frame = { ...skb.frame, src: route.dev.mac };
    const refused = st.xfrm?.outputLookup(skb, after, route.dev);
    if (refused !== undefined) return failed(refused, packetId, onError);
  }
  ipPostRouting(st, skb, undefined, route.dev, route.nexthop, route.type, routeMtu(route));
  return { ok: true, packetId, src: decision.src, dev: decision.dev };
}

function routeMtu(d: RouteOutputDecision & { ok: true }): number {
  return d.route?.mtu ?? d.dev.mtu;
}

/** `sendmsg` returning an error: `onError` hears it too. */
function failed(errno: IpOutputErrno, packetId: number, onError: ((errno: IpOutputErrno) => void) | undefined): IpOutputResult {
  onError?.(errno);
  return { ok: false, errno, packetId };
}

/** `ipv4Packet` with the request's fields and no options. */
function buildHeader(req: IpOutputRequest, src: Ipv4, dst: Ipv4, ttl: number, id: number, tos: number, df: boolean): Ipv4Repr {
  const dscp = tos >>> 2;
  const ecn = tos & 3;
  const payload = req.payload;
  return req.protocol === undefined
    ? ipv4Packet({ src, dst, payload, ttl, id, df, dscp, ecn, options: NO_OPTIONS })
    : ipv4Packet({ src, dst, payload, protocol: req.protocol, ttl, id, df, dscp, ecn, options: NO_OPTIONS });
}

/** The route record of a local packet (built when the trace is read). */
const outputDetail = numericTraceArgs(function outputDetail(dst: Ipv4, src: Ipv4, result: string, route: Route | undefined, rule: FibRule | undefined, devName: string | null): TraceDetail {
  const detail: Record<string, TraceValue> = { stage: 'output', dst: formatIpv4(dst), src: formatIpv4(src), result };
  addRouteTraceFields(detail, route, rule, devName);
  return detail;
}, 0b11);

/** The route record of a send that routing refused. */
const failedOutputDetail = numericTraceArgs(function failedOutputDetail(dst: Ipv4, result: string, route: Route | undefined, devName: string | null): TraceDetail {
  const detail: Record<string, TraceValue> = { stage: 'output', dst: formatIpv4(dst), result };
  addRouteTraceFields(detail, route, undefined, devName);
  return detail;
}, 0b1);

/** POSTROUTING, then `ip_finish_output`. */
export function ipPostRouting(st: Ipv4State, skb: Skb, inDev: NetDevice | undefined, outDev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast', mtu: number): void {
  const verdict = st.ns.netfilter.hook(skb, { hook: 'POSTROUTING', inDev, outDev });
  if (verdict !== 'accept') return;
  // xfrm4_output: a packet with a bundle is transformed, and the result goes round again.
  if (skb.xfrm !== undefined && st.xfrm?.output(skb, outDev, nexthop, type, mtu) === true) return;
  ipFinishOutput(st, skb, outDev, nexthop, type, mtu);
}

/** `ip_finish_output`: fragmentation when needed, then `ip_finish_output2`. */
export function ipFinishOutput(st: Ipv4State, skb: Skb, dev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast', mtu: number): void {
  const ip = skb.frame.payload;
  if (ip.kind !== 'ipv4') {
    st.ns.drop(skb, dev, 'malformed', { why: 'not an IPv4 packet at ip_finish_output' });
    return;
  }
  if (ipv4Length(ip) <= mtu) {
    neighOutput(st, skb, ip, dev, nexthop, type);
    return;
  }
  if (ip.df) {
    sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 4, mtu }, { aboutLocal: false, routedBroadcast: false, ctAttach: true });
    st.ns.drop(skb, dev, 'mtu-exceeded', { length: ipv4Length(ip), mtu, df: true });
    return;
  }
  for (const piece of fragmentIpv4(ip, mtu)) {
    const frag = cloneSkb(skb);
    frag.frame = { ...skb.frame, payload: piece };
    neighOutput(st, frag, piece, dev, nexthop, type);
  }
}

/** The link-layer address a next hop needs without asking the neighbour table (`arp_constructor`). */
function noArpMac(dev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast'): Mac | undefined {
  if (type === 'local' || dev.kind === 'loopback' || dev.noArp()) return dev.mac;
  if (type === 'broadcast' || nexthop === IPV4_BROADCAST) return MAC_BROADCAST;
  if (isMulticastIpv4(nexthop)) return 0x01005e000000 + (nexthop & 0x7fffff);
  return undefined;
}

/** `ip_finish_output2` / `neigh_output`. */
function neighOutput(st: Ipv4State, skb: Skb, ip: Ipv4Repr, dev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast'): void {
  const direct = noArpMac(dev, nexthop, type);
  if (direct !== undefined) {
    xmit(skb, dev, direct);
    return;
  }
  const out = st.neigh.outputIfConnected(dev, nexthop, skb.id) ?? st.neigh.output(dev, nexthop, new PendingOutput(st, skb, ip, dev, nexthop));
  if (tracing(st)) st.ns.traceWith(skb, dev, 'neighbour', neighbourDetail, nexthop, out);
  if (out.kind === 'send') xmit(skb, dev, out.mac);
}

/** The neighbour record of one packet's next-hop lookup. */
const neighbourDetail = numericTraceArgs(function neighbourDetail(nexthop: Ipv4, out: NeighOutput): TraceDetail {
  return { ip: formatIpv4(nexthop), state: out.state, action: out.kind, mac: out.kind === 'send' ? formatMac(out.mac) : null };
}, 0b1);

/** A packet handed to the neighbour table: sent once the next hop resolves, or failed. */
class PendingOutput implements NeighPendingPacket {
  readonly src: Ipv4;

  constructor(
    private readonly st: Ipv4State,
    readonly skb: Skb,
    private readonly ip: Ipv4Repr,
    private readonly dev: NetDevice,
    private readonly nexthop: Ipv4,
  ) {
    this.src = ip.src;
  }

  send(mac: Mac): void {
    xmit(this.skb, this.dev, mac);
  }

  fail(): void {
    const { st, skb, dev } = this;
    st.ns.drop(skb, dev, 'neigh-failed', { neighbour: formatIpv4(this.nexthop), dev: dev.name });
    sendIcmpError(st, skb, this.ip, { type: 'dest-unreachable', code: 1 }, { aboutLocal: false, routedBroadcast: false, ctAttach: true });
  }
}

function xmit(skb: Skb, dev: NetDevice, mac: Mac): void {
  skb.frame = { ...skb.frame, src: dev.mac, dst: mac };
  dev.transmit(skb);
}

/**
 * `icmp_send`: plans the error (`icmp.ts`), applies the rate limit, and sends it as local output.
 * `ctAttach`: the error carries `skb`'s conntrack entry (`nf_ct_attach`), as every error the IPv4
 * path sends itself does; REJECT arranges its own attachment.
 */
export function sendIcmpError(
  st: Ipv4State,
  skb: Skb,
  ip: Ipv4Repr,
  kind: IcmpErrorKind,
  opts: { readonly aboutLocal: boolean; readonly routedBroadcast: boolean; readonly ctAttach?: boolean },
): void {
  const decision = planIcmpError(ip, skb.pktType, kind, opts);
  if (!decision.send) {
    if (tracing(st)) st.ns.trace(skb, undefined, 'icmp', { action: 'suppressed', type: kind.type, code: kind.code, why: decision.why });
    return;
  }
  sendIcmpPlan(st, decision.plan, skb, true, opts.ctAttach === true);
}

/** Sends a planned ICMP message (error or echo reply) caused by `cause`, attached to its conntrack entry if `ctAttach`. */
export function sendIcmpPlan(st: Ipv4State, plan: IcmpPlan, cause: Skb, isError: boolean, ctAttach = false): void {
  const ns = st.ns;
  if (isError) {
    const route = routeOutput(st, { dst: plan.dst, src: plan.src === 0 ? undefined : plan.src, mark: 0 });
    const timeout = ns.sysctl.number('net.ipv4.icmp_ratelimit') * 1_000_000;
    const viaLo = route.ok && route.dev.kind === 'loopback';
    if (!st.icmpLimiter.allow(plan.dst, plan.icmp, ns.host.world.engine.now, timeout, viaLo)) {
      if (tracing(st)) ns.trace(cause, undefined, 'icmp', { action: 'rate-limited', message: icmpName(plan.icmp), to: formatIpv4(plan.dst) });
      return;
    }
  }
  const result = ipOutput(ns, {
    dst: plan.dst,
    ...(plan.src === 0 ? {} : { src: plan.src }),
    payload: plan.icmp,
    tos: (plan.dscp << 2) | plan.ecn,
    df: false,
    ...(ctAttach ? { cause } : {}),
  });
  if (tracing(st)) {
    ns.trace(cause, undefined, 'icmp', {
      action: 'sent',
      message: icmpName(plan.icmp),
      to: formatIpv4(plan.dst),
      from: result.ok ? formatIpv4(result.src) : null,
      packet: result.packetId,
      result: result.ok ? 'ok' : result.errno,
    });
  }
}
