/**
 * Conntrack tuples: what identifies one direction of a connection, how a packet maps to one, and
 * how the other direction's tuple is derived.
 *
 * Models: `include/net/netfilter/nf_conntrack_tuple.h` (`struct nf_conntrack_tuple`: l3 source and
 * destination, protocol, and the per-protocol part: ports for TCP/UDP; for ICMP the echo id on the
 * source side and type/code on the destination side), `nf_ct_get_tuple` / `nf_ct_invert_tuple`
 * (`net/netfilter/nf_conntrack_core.c`), `icmp_pkt_to_tuple` / `icmp_invert_tuple` and the
 * `invmap` of request/reply types (`net/netfilter/nf_conntrack_proto_icmp.c`), and the generic
 * tracker (`nf_conntrack_proto_generic.c`: any other protocol is tracked by addresses only).
 *
 *   TCP/UDP:  src:sport -> dst:dport            reply: dst:dport -> src:sport
 *   ICMP:     src -> dst  type 8 code 0 id 7    reply: dst -> src  type 0 code 0 id 7
 *
 * Representation: five numbers. For ICMP, `sport` holds the echo id and `dport` holds
 * `type << 8 | code` (the kernel keeps them in the same union slots). Generic protocols have 0/0.
 * Leaves out: zones and directional zones (every tuple is in zone 0), IPv6, GRE keys, SCTP/DCCP.
 * Invariants: tuples are immutable values; `tupleKey` is injective over valid tuples.
 */
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, formatIpv4, isFragment, type Ipv4, type Ipv4Repr } from '../../packet/index.js';

export interface CtTuple {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: number;
  /** TCP/UDP source port; ICMP: the echo id. */
  readonly sport: number;
  /** TCP/UDP destination port; ICMP: `type << 8 | code`. */
  readonly dport: number;
}

/** ICMP types that start a tracked "connection" and their replies (`icmp_new` `valid_new`, `invmap`). */
const ICMP_INVMAP: ReadonlyMap<number, number> = new Map([
  [8, 0], // echo request -> echo reply
  [0, 8],
  [13, 14], // timestamp
  [14, 13],
  [15, 16], // information
  [16, 15],
  [17, 18], // address mask
  [18, 17],
]);

/** ICMP types a new entry may be created for (`icmp_new`: only the requests). */
const ICMP_NEW_TYPES: ReadonlySet<number> = new Set([8, 13, 15, 17]);

/** ICMP error types (`icmp_error`: their quoted header decides RELATED). */
const ICMP_ERROR_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 11, 12]);

export function isIcmpErrorType(type: number): boolean {
  return ICMP_ERROR_TYPES.has(type);
}

export function icmpStartsConnection(type: number): boolean {
  return ICMP_NEW_TYPES.has(type);
}

/** Protocols with ports in the tuple. */
export function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP;
}

export function icmpType(t: CtTuple): number {
  return t.dport >>> 8;
}

export function icmpCode(t: CtTuple): number {
  return t.dport & 0xff;
}

/** `nf_ct_invert_tuple`: the tuple of the other direction. Undefined for an ICMP type without a reply. */
export function invertTuple(t: CtTuple): CtTuple | undefined {
  if (t.proto === IPPROTO_ICMP) {
    const inv = ICMP_INVMAP.get(icmpType(t));
    if (inv === undefined) return undefined;
    return { src: t.dst, dst: t.src, proto: t.proto, sport: t.sport, dport: (inv << 8) | icmpCode(t) };
  }
  if (hasPorts(t.proto)) return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
  return { src: t.dst, dst: t.src, proto: t.proto, sport: 0, dport: 0 };
}

export function tupleEqual(a: CtTuple, b: CtTuple): boolean {
  return a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.sport === b.sport && a.dport === b.dport;
}

/** A hash key for the tuple tables. */
export function tupleKey(t: CtTuple): string {
  return `${t.src}|${t.dst}|${t.proto}|${t.sport}|${t.dport}`;
}

/** What conntrack makes of a datagram: a trackable tuple, an ICMP error, or nothing it can track. */
export type PacketTuple =
  | { readonly kind: 'tuple'; readonly tuple: CtTuple }
  | { readonly kind: 'icmp-error'; readonly type: number; readonly code: number; readonly quoted: Uint8Array }
  | { readonly kind: 'untrackable'; readonly why: string };

/** `nf_ct_get_tuple` (and the ICMP error branch of `icmp_error`) for an IPv4 datagram. */
export function packetTuple(ip: Ipv4Repr): PacketTuple {
  if (isFragment(ip)) return { kind: 'untrackable', why: 'fragment (not reassembled before conntrack in this model)' };
  const p = ip.payload;
  switch (p.kind) {
    case 'tcp':
    case 'udp':
      return { kind: 'tuple', tuple: { src: ip.src, dst: ip.dst, proto: ip.protocol, sport: p.srcPort, dport: p.dstPort } };
    case 'icmp':
      switch (p.type) {
        case 'echo-request':
          return { kind: 'tuple', tuple: { src: ip.src, dst: ip.dst, proto: IPPROTO_ICMP, sport: p.id, dport: 8 << 8 } };
        case 'echo-reply':
          return { kind: 'tuple', tuple: { src: ip.src, dst: ip.dst, proto: IPPROTO_ICMP, sport: p.id, dport: 0 } };
        case 'dest-unreachable':
          return { kind: 'icmp-error', type: 3, code: p.code, quoted: p.quoted };
        case 'time-exceeded':
          return { kind: 'icmp-error', type: 11, code: p.code, quoted: p.quoted };
        case 'other': {
          if (isIcmpErrorType(p.icmpType)) {
            // Types 4, 5 and 12 carry the quote after the 4 bytes that follow the checksum.
            return { kind: 'icmp-error', type: p.icmpType, code: p.code, quoted: p.rest.slice(4) };
          }
          // Timestamp/information/mask requests carry the id in the first two bytes of `rest`.
          const id = p.rest.length >= 2 ? (p.rest[0]! << 8) | p.rest[1]! : 0;
          return { kind: 'tuple', tuple: { src: ip.src, dst: ip.dst, proto: IPPROTO_ICMP, sport: id, dport: (p.icmpType << 8) | p.code } };
        }
      }
      break;
    case 'esp':
    case 'payload':
      return { kind: 'tuple', tuple: { src: ip.src, dst: ip.dst, proto: ip.protocol, sport: 0, dport: 0 } };
  }
}

/** `conntrack -L` names (libnetfilter_conntrack `proto2str`); others print as `unknown`. */
export function protoName(proto: number): string {
  switch (proto) {
    case IPPROTO_TCP:
      return 'tcp';
    case IPPROTO_UDP:
      return 'udp';
    case IPPROTO_ICMP:
      return 'icmp';
    case 136:
      return 'udplite';
    case 132:
      return 'sctp';
    case 47:
      return 'gre';
    case 33:
      return 'dccp';
    default:
      return 'unknown';
  }
}

/** The tuple as conntrack-tools prints it: `src=A dst=B sport=p dport=q` / `type=8 code=0 id=7`. */
export function formatTuple(t: CtTuple): string {
  const addrs = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`;
  if (hasPorts(t.proto)) return `${addrs} sport=${t.sport} dport=${t.dport}`;
  if (t.proto === IPPROTO_ICMP) return `${addrs} type=${icmpType(t)} code=${icmpCode(t)} id=${t.sport}`;
  return addrs;
}

/** A compact one-line form for trace records: `tcp 10.0.0.1:4000 > 10.0.0.2:80`. */
export function tupleText(t: CtTuple): string {
  if (hasPorts(t.proto)) return `${protoName(t.proto)} ${formatIpv4(t.src)}:${t.sport} > ${formatIpv4(t.dst)}:${t.dport}`;
  if (t.proto === IPPROTO_ICMP) return `icmp ${formatIpv4(t.src)} > ${formatIpv4(t.dst)} type ${icmpType(t)} id ${t.sport}`;
  return `proto ${t.proto} ${formatIpv4(t.src)} > ${formatIpv4(t.dst)}`;
}
