/**
 * The IPVS transmitters: how a request packet of a connection reaches its real server.
 *
 * Models: net/netfilter/ipvs/ip_vs_xmit.c:
 * - `__ip_vs_get_out_rt`: an output route to the real server (no source, no mark:
 *   `do_output_route4` zeroes the flow but for the destination); no route: ICMP host
 *   unreachable to the client (`dst_link_failure`) and the packet is gone; a local route keeps
 *   the packet in this host; crossing from a loopback source to a non-local route, or to a local
 *   route without the redirect mode from a non-local one, fails; for a non-local route the TTL is
 *   decremented (TTL <= 1: ICMP time exceeded), and DF packets above the route MTU get ICMP
 *   fragmentation needed.
 * - `ip_vs_nat_xmit` (`-m`): daddr:dport rewritten to the real server (a new header value); a
 *   local real server continues up this host's stack (NF_ACCEPT), except a loopback one reached
 *   from the outside; otherwise `ip_vs_nat_send_or_cont` marks the packet `ipvs_property`,
 *   untracks it or updates conntrack (nfct.ts), and sends it through NF_INET_LOCAL_OUT and
 *   `dst_output`: the OUTPUT hook, then POSTROUTING, never FORWARD.
 * - `ip_vs_dr_xmit` (`-g`): the IP header is unchanged; the route to the real server is used
 *   with the real server as next hop (FLOWI_FLAG_KNOWN_NH), so only the frame's destination MAC
 *   changes; `ip_vs_send_or_cont` untracks the packet and sends it through LOCAL_OUT.
 * - `ip_vs_tunnel_xmit` (`-i`): the packet is wrapped in an outer IPv4 header (protocol 4) from
 *   the source the route chooses to the real server, TTL and DF of the inner header, and sent
 *   with `ip_local_out` after `nf_reset_ct`.
 * Leaves out: GUE/GRE tunnels, IPv6, the per-destination route cache, `ignore_df`, the
 * NO_CPORT and sync special cases, ICMP transmitters (`ip_vs_icmp_xmit`), GSO.
 */
import { IPPROTO_TCP, IPPROTO_UDP, encodeIpv4, formatIpv4, ipv4Packet, isLoopbackIpv4, payload, type Ipv4, type Ipv4Repr } from '../../packet/index.js';
import type { NfVerdict } from '../hooks.js';
import { ipPostRouting, ipv4Length, ipv4Of, routeOutput, sendIcmpError, type Ipv4State, type RouteOutputDecision } from '../ipv4/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import type { IpvsConn } from './conn-table.js';
import { ipvsConntrack } from './nfct.js';

const IPPROTO_IPIP = 4;

type Route = RouteOutputDecision & { ok: true };

/** Where the hook runs: LOCAL_IN (packet from another host) or LOCAL_OUT (from this host). */
export type IpvsHookPoint = 'INPUT' | 'OUTPUT';

function endpoint(addr: Ipv4, port: number): string {
  return `${formatIpv4(addr)}:${port}`;
}

/** `ip`'s ports as `src:sport > dst:dport` for rewrite records. */
export function flowText(ip: Ipv4Repr): string {
  const p = ip.payload;
  if (p.kind === 'tcp' || p.kind === 'udp') return `${endpoint(ip.src, p.srcPort)} > ${endpoint(ip.dst, p.dstPort)}`;
  return `${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}`;
}

/** `ip` with new addresses/ports (and TTL): a new header value, as every rewrite makes. */
export function rewriteIp(ip: Ipv4Repr, change: { src?: Ipv4; sport?: number; dst?: Ipv4; dport?: number; ttl?: number }): Ipv4Repr {
  const p = ip.payload;
  let next = p;
  if ((p.kind === 'tcp' || p.kind === 'udp') && (change.sport !== undefined || change.dport !== undefined)) {
    next = { ...p, srcPort: change.sport ?? p.srcPort, dstPort: change.dport ?? p.dstPort };
  }
  return { ...ip, src: change.src ?? ip.src, dst: change.dst ?? ip.dst, ttl: change.ttl ?? ip.ttl, payload: next };
}

type OutRt = { readonly kind: 'local' } | { readonly kind: 'remote'; readonly route: Route } | { readonly kind: 'error' };

/** `__ip_vs_get_out_rt` (see the header); `redirect` is IP_VS_RT_MODE_RDR (NAT only). */
function outRoute(st: Ipv4State, skb: Skb, ip: Ipv4Repr, conn: IpvsConn, redirect: boolean, tunnel: boolean, dev: string | undefined): OutRt {
  const ns = st.ns;
  const oldLocal = st.addrs.isLocal(ip.dst);
  const route = routeOutput(st, { dst: conn.daddr });
  if (!route.ok) {
    sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 1 }, { aboutLocal: oldLocal, routedBroadcast: false });
    ns.drop(skb, dev, 'no-route', { by: 'ipvs', server: endpoint(conn.daddr, conn.dport), errno: route.errno });
    return { kind: 'error' };
  }
  if (route.type === 'local') {
    if (!redirect && !oldLocal) {
      ns.drop(skb, dev, 'no-route', { by: 'ipvs', why: 'crossing local and non-local addresses', server: formatIpv4(conn.daddr) });
      return { kind: 'error' };
    }
    return { kind: 'local' };
  }
  if (isLoopbackIpv4(ip.src)) {
    ns.drop(skb, dev, 'martian', { by: 'ipvs', why: 'loopback source to a non-local real server', src: formatIpv4(ip.src) });
    return { kind: 'error' };
  }
  if (ip.ttl <= 1) {
    sendIcmpError(st, skb, ip, { type: 'time-exceeded', code: 0 }, { aboutLocal: oldLocal, routedBroadcast: false });
    ns.drop(skb, dev, 'ttl-exceeded', { by: 'ipvs', ttl: ip.ttl });
    return { kind: 'error' };
  }
  const mtu = (route.route?.mtu ?? route.dev.mtu) - (tunnel ? 20 : 0);
  const length = ipv4Length(ip);
  if (!tunnel && ip.df && length > mtu) {
    sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 4, mtu }, { aboutLocal: oldLocal, routedBroadcast: false });
    ns.drop(skb, dev, 'mtu-exceeded', { by: 'ipvs', length, mtu });
    return { kind: 'error' };
  }
  return { kind: 'remote', route };
}

/** NF_HOOK(NF_INET_LOCAL_OUT, ..., dst_output): the OUTPUT hook, then POSTROUTING and the device. */
function sendLocalOut(st: Ipv4State, skb: Skb, route: Route, nexthop: Ipv4): void {
  const ns = st.ns;
  const sent = skb.frame.payload;
  const verdict = ns.netfilter.hook(skb, { hook: 'OUTPUT', inDev: undefined, outDev: route.dev });
  if (verdict !== 'accept') return;
  const ip = skb.frame.payload;
  let r = route;
  let hop = nexthop;
  if (ip.kind === 'ipv4' && sent.kind === 'ipv4' && ip.dst !== sent.dst) {
    const again = routeOutput(st, { dst: ip.dst, src: ip.src, mark: skb.mark, anySrc: true });
    if (!again.ok) {
      ns.drop(skb, undefined, 'no-route', { stage: 'reroute', errno: again.errno });
      return;
    }
    r = again;
    hop = again.nexthop;
  }
  ipPostRouting(st, skb, undefined, r.dev, hop, r.type, r.route?.mtu ?? r.dev.mtu);
}

function traceRewrite(ns: NetNamespace, skb: Skb, dev: string | undefined, by: string, before: Ipv4Repr, after: Ipv4Repr): void {
  if (!ns.host.world.trace.enabled) return;
  ns.trace(skb, dev, 'rewrite', { by, before: flowText(before), after: flowText(after), ttl: after.ttl });
}

/**
 * `cp->packet_xmit` for a request packet of `conn`: masq, DR or IPIP. Returns the hook verdict:
 * `stolen` once the packet was sent (or dropped with its reason), `accept` for a local real
 * server (the packet continues here, rewritten for masq).
 */
export function ipvsXmit(ns: NetNamespace, skb: Skb, ip: Ipv4Repr, conn: IpvsConn, dev: string | undefined): NfVerdict {
  const st = ipv4Of(ns);
  switch (conn.fwd) {
    case 'masq':
      return natXmit(st, skb, ip, conn, dev);
    case 'gate':
      return drXmit(st, skb, ip, conn, dev);
    case 'ipip':
      return tunnelXmit(st, skb, ip, conn, dev);
  }
}

/** `ip_vs_nat_xmit`. */
function natXmit(st: Ipv4State, skb: Skb, ip: Ipv4Repr, conn: IpvsConn, dev: string | undefined): NfVerdict {
  const ns = st.ns;
  const wasInput = skb.inDev !== undefined;
  const rt = outRoute(st, skb, ip, conn, true, false, dev);
  if (rt.kind === 'error') return 'stolen';
  const local = rt.kind === 'local';
  if (local && isLoopbackIpv4(conn.daddr) && wasInput) {
    ns.drop(skb, dev, 'martian', { by: 'ipvs', why: 'stopping DNAT to loopback address', server: formatIpv4(conn.daddr) });
    return 'stolen';
  }
  const ports = ip.protocol === IPPROTO_TCP || ip.protocol === IPPROTO_UDP;
  const after = rewriteIp(ip, { dst: conn.daddr, ...(ports ? { dport: conn.dport } : {}), ...(local ? {} : { ttl: ip.ttl - 1 }) });
  skb.frame = { ...skb.frame, payload: after };
  traceRewrite(ns, skb, dev, 'ipvs-masq', ip, after);
  skb.ipvsProperty = true;
  ipvsConntrack(ns, skb, conn, true);
  if (rt.kind === 'local') return 'accept';
  sendLocalOut(st, skb, rt.route, rt.route.nexthop);
  return 'stolen';
}

/** `ip_vs_dr_xmit`. */
function drXmit(st: Ipv4State, skb: Skb, ip: Ipv4Repr, conn: IpvsConn, dev: string | undefined): NfVerdict {
  const rt = outRoute(st, skb, ip, conn, false, false, dev);
  if (rt.kind === 'error') return 'stolen';
  skb.ipvsProperty = true;
  ipvsConntrack(st.ns, skb, conn, true);
  if (rt.kind === 'local') return 'accept';
  const after = rewriteIp(ip, { ttl: ip.ttl - 1 });
  skb.frame = { ...skb.frame, payload: after };
  if (st.ns.host.world.trace.enabled) {
    st.ns.trace(skb, dev, 'rewrite', { by: 'ipvs-dr', nexthop: formatIpv4(rt.route.nexthop), dev: rt.route.dev.name, ttl: after.ttl });
  }
  sendLocalOut(st, skb, rt.route, rt.route.nexthop);
  return 'stolen';
}

/** `ip_vs_tunnel_xmit` (IPIP). */
function tunnelXmit(st: Ipv4State, skb: Skb, ip: Ipv4Repr, conn: IpvsConn, dev: string | undefined): NfVerdict {
  const ns = st.ns;
  const rt = outRoute(st, skb, ip, conn, false, true, dev);
  if (rt.kind === 'error') return 'stolen';
  skb.ipvsProperty = true;
  if (rt.kind === 'local') {
    ipvsConntrack(ns, skb, conn, true);
    return 'accept';
  }
  const inner = rewriteIp(ip, { ttl: ip.ttl - 1 });
  const outer = ipv4Packet({
    src: rt.route.src,
    dst: conn.daddr,
    protocol: IPPROTO_IPIP,
    payload: payload(encodeIpv4(inner)),
    ttl: inner.ttl,
    df: inner.df,
    dscp: inner.dscp,
    ecn: inner.ecn,
    id: st.nextIpId(),
  });
  skb.frame = { ...skb.frame, payload: outer };
  if (ns.host.world.trace.enabled) {
    ns.trace(skb, dev, 'encap', { by: 'ipvs-ipip', outerSrc: formatIpv4(outer.src), outerDst: formatIpv4(outer.dst), inner: flowText(inner) });
  }
  skb.ct = undefined;
  sendLocalOut(st, skb, rt.route, rt.route.nexthop);
  return 'stolen';
}
