/**
 * xfrm selectors and flows: what a policy (or a state's `sel`) says about the packets it covers,
 * and the flow a packet presents to it.
 *
 * Models: `include/net/xfrm.h` (`struct xfrm_selector`, `xfrm_selector_match` /
 * `__xfrm4_selector_match`: source and destination prefix, the upper protocol when set, ports
 * under their masks, the interface when set; `xfrm_flowi_sport` / `xfrm_flowi_dport`: TCP, UDP,
 * SCTP and DCCP give their ports, ICMP its type and code, any other protocol 0),
 * `net/ipv4/xfrm4_policy.c` / `net/xfrm/xfrm_policy.c` `decode_session4` (a flow from the IP
 * header and the first transport bytes), ip-xfrm(8) `SELECTOR` and `UPSPEC`.
 *
 *   selector  src 10.0.0.11/32 dst 10.0.0.12/32 proto tcp dport 80 dev eth0
 *   flow      src 10.0.0.11     dst 10.0.0.12     proto 6   sport 40000 dport 80 ifindex 2
 *
 * A port left out of a selector has mask 0 and matches every flow; iproute2 gives `sport 0` and
 * `dport 0` no mask, but ICMP `type 0` / `code 0` a full one.
 * Leaves out: IPv6, GRE keys and MH types, the selector's `user` (uid) field, security contexts.
 */
import { cidrContains, icmpTypeCode, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Cidr, type Ipv4, type Ipv4Repr } from '../../packet/index.js';

const IPPROTO_DCCP = 33;
const IPPROTO_SCTP = 132;

export interface XfrmSelector {
  readonly src: Cidr;
  readonly dst: Cidr;
  /** Upper protocol; 0 is any. */
  readonly proto: number;
  /** Source port (TCP/UDP/SCTP/DCCP) or ICMP type; undefined: mask 0, any. */
  readonly sport?: number | undefined;
  /** Destination port or ICMP code; undefined: mask 0, any. */
  readonly dport?: number | undefined;
  /** `dev`: the interface index; 0 is any. */
  readonly ifindex: number;
}

/** The all-zero selector: every flow matches it. */
export const ANY_SELECTOR: XfrmSelector = {
  src: { address: 0, prefix: 0 },
  dst: { address: 0, prefix: 0 },
  proto: 0,
  ifindex: 0,
};

/** What a packet presents to selectors (`struct flowi4` as `xfrm_decode_session` fills it). */
export interface XfrmFlow {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: number;
  /** `xfrm_flowi_sport`: the source port, the ICMP type, else 0. */
  readonly sport: number;
  /** `xfrm_flowi_dport`: the destination port, the ICMP code, else 0. */
  readonly dport: number;
  /** Output interface on the way out, input interface on the way in. */
  readonly ifindex: number;
}

/** Protocols whose selector words are `sport`/`dport` (ip-xfrm(8) UPSPEC). */
export function upspecHasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP || proto === IPPROTO_DCCP;
}

/** `decode_session4`: the flow of `ip` through interface `ifindex`. */
export function flowOf(ip: Ipv4Repr, ifindex: number): XfrmFlow {
  let sport = 0;
  let dport = 0;
  const p = ip.payload;
  // Non-first fragments carry no transport header: their ports read as 0.
  if (ip.fragmentOffset === 0) {
    if (p.kind === 'tcp' || p.kind === 'udp') {
      sport = p.srcPort;
      dport = p.dstPort;
    } else if (p.kind === 'icmp') {
      const tc = icmpTypeCode(p);
      sport = tc.type;
      dport = tc.code;
    }
  }
  return { src: ip.src, dst: ip.dst, proto: ip.protocol, sport, dport, ifindex };
}

/** `__xfrm4_selector_match`. */
export function selectorMatch(sel: XfrmSelector, flow: XfrmFlow): boolean {
  if (!cidrContains(sel.dst, flow.dst) || !cidrContains(sel.src, flow.src)) return false;
  if (sel.proto !== 0 && sel.proto !== flow.proto) return false;
  if (sel.sport !== undefined && sel.sport !== portOf(flow, 'sport')) return false;
  if (sel.dport !== undefined && sel.dport !== portOf(flow, 'dport')) return false;
  return sel.ifindex === 0 || sel.ifindex === flow.ifindex;
}

/** `xfrm_flowi_sport`/`dport`: protocols without ports present 0. */
function portOf(flow: XfrmFlow, which: 'sport' | 'dport'): number {
  return upspecHasPorts(flow.proto) || flow.proto === IPPROTO_ICMP ? flow[which] : 0;
}

/** `selector_cmp`: the identity of a policy within its direction. */
export function selectorEquals(a: XfrmSelector, b: XfrmSelector): boolean {
  return (
    a.src.address === b.src.address &&
    a.src.prefix === b.src.prefix &&
    a.dst.address === b.dst.address &&
    a.dst.prefix === b.dst.prefix &&
    a.proto === b.proto &&
    a.sport === b.sport &&
    a.dport === b.dport &&
    a.ifindex === b.ifindex
  );
}
