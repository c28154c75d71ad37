/**
 * The IPVS netfilter hooks: the functions the namespace's hook glue calls, at the priorities
 * Linux registers them, and the view `-m ipvs` needs.
 *
 * Models: net/netfilter/ipvs/ip_vs_core.c `ip_vs_ops4`:
 *
 *   INPUT    98  ip_vs_out_hook  replies of masqueraded connections to a local client
 *   INPUT    99  ip_vs_in_hook   requests to a local VIP (after filter INPUT: "the VIP must be local")
 *   OUTPUT  -99  ip_vs_out_hook  replies of a local real server
 *   OUTPUT  -98  ip_vs_in_hook   requests of local clients (after nat OUTPUT)
 *   FORWARD 100  ip_vs_out_hook  replies of remote real servers, routed through the director
 *
 * - `ip_vs_in_hook`: packets already handled (`ipvs_property`) and, outside LOCAL_OUT, packets
 *   not addressed to this host's MAC (pkt_type != HOST) pass; the decision is schedule.ts's; an
 *   `ipvs` trace record names the service, scheduler and real server; the connection's state and
 *   counters move; the transmitter (xmit.ts) sends the packet; the timer is re-armed.
 *   No server: ICMP port unreachable and a drop `ipvs-no-backend` (`ip_vs_leave`).
 * - `ip_vs_out_hook` / `handle_response`: a packet matching a masqueraded connection in the
 *   reply direction gets its source rewritten back to vaddr:vport, is marked `ipvs_property`,
 *   untracked or conntrack-updated, and continues.
 * - xt_ipvs.c `ipvs_mt`: the connection of a packet IPVS already rewrote, found as
 *   `conn_out_get` with the inverted header (client -> real server).
 * All hooks do nothing until the namespace has a virtual service (`ipvs->enable`).
 * Leaves out: `ip_vs_forward_icmp` (FORWARD 99) and ICMP errors about connections, defragmentation
 * inside IPVS (the conntrack defrag hook's job), `snat_reroute` (replies keep the route chosen by
 * the forward path), IPv6 hooks.
 */
import type { TraceValue } from '../../engine/index.js';
import { IPPROTO_TCP, formatIpv4, type Ipv4Repr } from '../../packet/index.js';
import type { NfHook, NfHookContext, NfVerdict } from '../hooks.js';
import { ipv4Of, ipv4Length, sendIcmpError } from '../ipv4/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import type { IpvsConn } from './conn-table.js';
import { ipvsConntrack, usesConfirmedConntrack } from './nfct.js';
import { stateName } from './proto.js';
import { accountReply, accountRequest, ipvsInDecision, type IpvsInDecision, type IpvsPacket } from './schedule.js';
import type { VirtualService } from './service.js';
import { ipvsIfAny } from './state.js';
import { flowText, ipvsXmit, rewriteIp } from './xmit.js';

/** One entry of `ip_vs_ops4`. */
export interface IpvsHookOp {
  readonly hook: NfHook;
  readonly priority: number;
  readonly name: 'ip_vs_in_hook' | 'ip_vs_out_hook';
  readonly fn: (ns: NetNamespace, skb: Skb, ctx: NfHookContext) => NfVerdict;
}

/** What `-m ipvs` reads of a packet's connection (the `NfIpvsView` of the netfilter module). */
export interface IpvsMatchInfo {
  readonly vaddr: number;
  readonly vport: number;
  readonly method: 'MASQ' | 'GATE' | 'IPIP';
}

/** The flow IPVS reads from an IPv4 packet; undefined for non-first fragments and other protocols. */
export function ipvsPacketOf(ip: Ipv4Repr, skb: Skb): IpvsPacket | undefined {
  if (ip.fragmentOffset > 0) return undefined;
  const p = ip.payload;
  if (p.kind !== 'tcp' && p.kind !== 'udp') return undefined;
  return {
    protocol: ip.protocol,
    saddr: ip.src,
    sport: p.srcPort,
    daddr: ip.dst,
    dport: p.dstPort,
    mark: skb.mark,
    tcpFlags: p.kind === 'tcp' ? p.flags : 0,
    ctConfirmed: usesConfirmedConntrack(skb),
  };
}

/** A service in a trace record: `TCP 10.96.0.1:443` or `FWM 1`. */
export function serviceText(svc: VirtualService): string {
  if (svc.fwmark !== 0) return `FWM ${svc.fwmark}`;
  return `${svc.protocol === IPPROTO_TCP ? 'TCP' : 'UDP'} ${formatIpv4(svc.addr)}:${svc.port}`;
}

function traceDecision(ns: NetNamespace, skb: Skb, dev: string | undefined, d: IpvsInDecision & { kind: 'conn' }): void {
  const c = d.conn;
  const detail: Record<string, TraceValue> = {
    service: serviceText(c.svc),
    scheduler: c.svc.schedName,
    server: `${formatIpv4(c.daddr)}:${c.dport}`,
    method: c.fwd,
    connection: d.created ? 'new' : 'existing',
    client: `${formatIpv4(c.caddr)}:${c.cport}`,
  };
  if (d.template !== undefined) detail['persistence'] = d.template === 'new' ? 'new template' : 'template';
  ns.trace(skb, dev, 'ipvs', detail);
}

/** `ip_vs_in_hook` (LOCAL_IN 99 and LOCAL_OUT -98). */
export function ipvsInHook(ns: NetNamespace, skb: Skb, ctx: NfHookContext): NfVerdict {
  if (skb.ipvsProperty) return 'accept';
  const ipvs = ipvsIfAny(ns);
  if (ipvs === undefined || !ipvs.enabled) return 'accept';
  const localOut = ctx.hook === 'OUTPUT';
  if (skb.pktType !== 'host' && !localOut) return 'accept';
  const ip = skb.frame.payload;
  if (ip.kind !== 'ipv4') return 'accept';
  const pkt = ipvsPacketOf(ip, skb);
  if (pkt === undefined) return 'accept';
  const dev = (ctx.inDev ?? ctx.outDev)?.name;
  const decision = ipvsInDecision(ipvs, pkt, localOut);
  switch (decision.kind) {
    case 'pass':
      return 'accept';
    case 'drop':
      ns.drop(skb, dev, 'ipvs-no-backend', { why: decision.why, flow: flowText(ip) });
      return 'drop';
    case 'no-backend':
      sendIcmpError(ipv4Of(ns), skb, ip, { type: 'dest-unreachable', code: 3 }, { aboutLocal: true, routedBroadcast: false });
      ns.drop(skb, dev, 'ipvs-no-backend', { service: serviceText(decision.svc), scheduler: decision.svc.schedName, why: decision.why });
      return 'drop';
    case 'conn':
      break;
  }
  const conn = decision.conn;
  if (ns.host.world.trace.enabled) traceDecision(ns, skb, dev, decision);
  accountRequest(ipvs, conn, pkt, ipv4Length(ip));
  const verdict = ipvsXmit(ns, skb, ip, conn, dev);
  ipvs.conns.put(conn);
  return verdict;
}

/** `ip_vs_out_hook` + `handle_response` (LOCAL_IN 98, LOCAL_OUT -99, FORWARD 100). */
export function ipvsOutHook(ns: NetNamespace, skb: Skb, ctx: NfHookContext): NfVerdict {
  if (skb.ipvsProperty) return 'accept';
  const ipvs = ipvsIfAny(ns);
  if (ipvs === undefined || !ipvs.enabled) return 'accept';
  const ip = skb.frame.payload;
  if (ip.kind !== 'ipv4') return 'accept';
  const pkt = ipvsPacketOf(ip, skb);
  if (pkt === undefined) return 'accept';
  const conn = ipvs.conns.outGet(pkt.protocol, pkt.saddr, pkt.sport, pkt.daddr, pkt.dport);
  if (conn === undefined || conn.fwd !== 'masq') return 'accept';
  const after = rewriteIp(ip, { src: conn.vaddr, sport: conn.vport });
  skb.frame = { ...skb.frame, payload: after };
  const dev = (ctx.inDev ?? ctx.outDev)?.name;
  accountReply(ipvs, conn, pkt, ipv4Length(ip));
  if (ns.host.world.trace.enabled) {
    ns.trace(skb, dev, 'ipvs', {
      service: serviceText(conn.svc),
      server: `${formatIpv4(conn.daddr)}:${conn.dport}`,
      method: conn.fwd,
      connection: 'reply',
      state: stateName(conn.protocol, conn.state, false),
    });
    ns.trace(skb, dev, 'rewrite', { by: 'ipvs-masq-reply', before: flowText(ip), after: flowText(after), ttl: after.ttl });
  }
  skb.ipvsProperty = true;
  ipvsConntrack(ns, skb, conn, false);
  ipvs.conns.put(conn);
  return 'accept';
}

/** `ip_vs_ops4` (without the ICMP-only FORWARD 99 hook), in hook and priority order. */
export const IPVS_HOOK_OPS: readonly IpvsHookOp[] = [
  { hook: 'INPUT', priority: 98, name: 'ip_vs_out_hook', fn: ipvsOutHook },
  { hook: 'INPUT', priority: 99, name: 'ip_vs_in_hook', fn: ipvsInHook },
  { hook: 'OUTPUT', priority: -99, name: 'ip_vs_out_hook', fn: ipvsOutHook },
  { hook: 'OUTPUT', priority: -98, name: 'ip_vs_in_hook', fn: ipvsInHook },
  { hook: 'FORWARD', priority: 100, name: 'ip_vs_out_hook', fn: ipvsOutHook },
];

function methodName(conn: IpvsConn): IpvsMatchInfo['method'] {
  switch (conn.fwd) {
    case 'masq':
      return 'MASQ';
    case 'gate':
      return 'GATE';
    case 'ipip':
      return 'IPIP';
  }
}

/**
 * `-m ipvs` (xt_ipvs.c): the connection of a packet IPVS already handled, for the `--vaddr`,
 * `--vport`, `--vmethod` options. Undefined without `ipvs_property` or without a connection
 * (a plain `--ipvs` test is `skb.ipvsProperty` itself).
 */
export function ipvsMatchInfo(ns: NetNamespace, skb: Skb): IpvsMatchInfo | undefined {
  if (!skb.ipvsProperty) return undefined;
  const ipvs = ipvsIfAny(ns);
  const ip = skb.frame.payload;
  if (ipvs === undefined || ip.kind !== 'ipv4') return undefined;
  const pkt = ipvsPacketOf(ip, skb);
  if (pkt === undefined) return undefined;
  const conn = ipvs.conns.outGet(pkt.protocol, pkt.daddr, pkt.dport, pkt.saddr, pkt.sport);
  if (conn === undefined) return undefined;
  return { vaddr: conn.vaddr, vport: conn.vport, method: methodName(conn) };
}
