/**
 * Forwarding a received packet that routing sent elsewhere (`ip_forward`).
 *
 * Models: `net/ipv4/ip_forward.c` in its order (linux-primitives.md 1.2-B):
 *
 *   pkt_type != HOST -> drop
 *   TTL <= 1 -> ICMP time exceeded (11/0) to the sender, drop          } before the FORWARD hook,
 *   DF and longer than the egress MTU -> ICMP frag-needed (3/4) with    } so filter FORWARD can't
 *     the next-hop MTU, drop                                            } suppress these errors
 *   TTL - 1 (a new header value; the checksum follows on encode)
 *   FORWARD hook (in, out) -> POSTROUTING hook -> fragment / neighbour / transmit (output.ts)
 *
 * The forwarding sysctl was already checked by the route input decision (forwarding off ends
 * there, silently, before this file is reached).
 * Leaves out: ICMP redirects (`send_redirects` when the packet leaves through the device it came
 * in on), the xfrm forward policy check, router alert options, `ignore_df` of tunnels.
 */
import { numericTraceArgs, type TraceDetail } from '../../engine/index.js';
import { formatIpv4, type Ipv4Repr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { Skb } from '../skb.js';
import { ipPostRouting, ipv4Length, sendIcmpError } from './output.js';
import type { Route } from './route-table.js';
import type { Ipv4State } from './state.js';

export interface ForwardDecision {
  readonly route: Route;
  readonly dev: NetDevice;
  readonly nexthop: number;
}

/** `ip_forward` for `skb` (whose frame holds `ip`) received on `inDev`. */
export function ipForward(st: Ipv4State, skb: Skb, ip: Ipv4Repr, inDev: NetDevice, decision: ForwardDecision): void {
  const ns = st.ns;
  const tracing = ns.host.world.trace.enabled;
  if (skb.pktType !== 'host') {
    ns.drop(skb, inDev, 'not-for-us', { why: `pkt_type ${skb.pktType} is not forwarded` });
    return;
  }
  if (ip.ttl <= 1) {
    if (tracing) ns.trace(skb, inDev, 'ttl', { ttl: ip.ttl, action: 'expired' });
    sendIcmpError(st, skb, ip, { type: 'time-exceeded', code: 0 }, { aboutLocal: false, routedBroadcast: false, ctAttach: true });
    ns.drop(skb, inDev, 'ttl-exceeded', { ttl: ip.ttl, dst: formatIpv4(ip.dst) });
    return;
  }
  const out = decision.dev;
  const mtu = decision.route.mtu ?? out.mtu;
  const length = ipv4Length(ip);
  if (ip.df && length > mtu) {
    sendIcmpError(st, skb, ip, { type: 'dest-unreachable', code: 4, mtu }, { aboutLocal: false, routedBroadcast: false, ctAttach: true });
    ns.drop(skb, out, 'mtu-exceeded', { length, mtu, df: true });
    return;
  }
  const forwarded: Ipv4Repr = { ...ip, ttl: ip.ttl - 1 };
  skb.frame = { ...skb.frame, payload: forwarded };
  if (tracing) ns.traceWith(skb, inDev, 'ttl', ttlDetail, ip.ttl);
  const verdict = ns.netfilter.hook(skb, { hook: 'FORWARD', inDev, outDev: out });
  if (verdict !== 'accept') return;
  ipPostRouting(st, skb, inDev, out, decision.nexthop, 'unicast', mtu);
}

/** The record of the TTL decrement (built when the trace is read). */
const ttlDetail = numericTraceArgs(function ttlDetail(ttl: number): TraceDetail {
  return { from: ttl, to: ttl - 1, action: 'decrement' };
}, 0b1);
