/**
 * The IPv4 header and its payload dispatch (ICMP, UDP, TCP, ESP by protocol number).
 *
 * Models: RFC 791; RFC 1071 header checksum (computed on encode, verified on decode); Linux
 * `net/ipv4/ip_input.c` (`ip_rcv_core`: the checks below, in its order, and trimming of link
 * padding beyond the total length) and `include/uapi/linux/ip.h`.
 * Leaves out: interpreting options (kept as raw bytes, a multiple of 4, at most 40), the reserved
 * flag bit (ignored on decode, never set on encode), IPv6. Fragmentation and reassembly live in
 * `ipv4-fragment.ts`.
 * Invariants: a fragment (MF set or offset > 0) always carries a `PayloadRepr`; for any other
 * payload kind `protocol` matches it (encode throws otherwise: a broken invariant, not bad input).
 *
 *    0       1       2               4               6               8       9       10      12      16      20
 *   +---+---+-------+---------------+---------------+---------------+-------+-------+-------+-------+-------+---------+
 *   |ver|ihl|dscp/ecn| total length |      id       |flags|frag off |  ttl  | proto | csum  |  src  |  dst  | options |
 *   +---+---+-------+---------------+---------------+---------------+-------+-------+-------+-------+-------+---------+
 */

import { internetChecksum } from './checksum.js';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { decodeEsp, encodeEsp, type EspRepr } from './esp.js';
import { decodeIcmp, encodeIcmp, type IcmpRepr } from './icmp.js';
import { IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from './ip-protocol.js';
import { ipv4FromBytes, writeIpv4, type Ipv4 } from './ipv4-address.js';
import type { PayloadRepr } from './payload.js';
import { decodeTcp, encodeTcp, type TcpRepr } from './tcp.js';
import { decodeUdp, encodeUdp, type UdpRepr } from './udp.js';

/** Field offsets of the fixed header. */
export const IPV4_HEADER = {
  versionIhl: 0,
  tos: 1,
  totalLength: 2,
  id: 4,
  flagsFragment: 6,
  ttl: 8,
  protocol: 9,
  checksum: 10,
  src: 12,
  dst: 16,
  options: 20,
  minLength: 20,
  maxLength: 60,
} as const;

export const IPV4_MIN_HEADER_LENGTH = IPV4_HEADER.minLength;
export const IPV4_MAX_LENGTH = 0xffff;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET_MASK = 0x1fff;
/** Linux's default TTL (`net.ipv4.ip_default_ttl`). */
export const IPV4_DEFAULT_TTL = 64;

export { IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from './ip-protocol.js';

export type Ipv4Payload = IcmpRepr | UdpRepr | TcpRepr | EspRepr | PayloadRepr;

export interface Ipv4Repr {
  readonly kind: 'ipv4';
  /** Differentiated services code point, 0..63 (upper 6 bits of the old TOS byte). */
  readonly dscp: number;
  /** Explicit congestion notification, 0..3. */
  readonly ecn: number;
  readonly id: number;
  readonly df: boolean;
  readonly mf: boolean;
  /** Offset of this fragment's data in the original datagram, in bytes (a multiple of 8). */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  /** Raw option bytes; length a multiple of 4, at most 40. Usually empty. */
  readonly options: Uint8Array;
  readonly payload: Ipv4Payload;
}

/** Options for decoding the transport payload (VXLAN ports and the like, see udp.ts). */
export type Ipv4DecodeOptions = NonNullable<Parameters<typeof decodeUdp>[3]>;

/** The protocol number a payload kind is carried with; `undefined` for opaque payloads. */
export function protocolOfPayload(payload: Ipv4Payload): number | undefined {
  switch (payload.kind) {
    case 'icmp':
      return IPPROTO_ICMP;
    case 'udp':
      return IPPROTO_UDP;
    case 'tcp':
      return IPPROTO_TCP;
    case 'esp':
      return IPPROTO_ESP;
    case 'payload':
      return undefined;
  }
}

export function isFragment(repr: Pick<Ipv4Repr, 'mf' | 'fragmentOffset'>): boolean {
  return repr.mf || repr.fragmentOffset > 0;
}

export interface Ipv4PacketFields {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly payload: Ipv4Payload;
  /** Required for an opaque payload; otherwise derived from the payload kind. */
  readonly protocol?: number;
  readonly ttl?: number;
  readonly id?: number;
  readonly df?: boolean;
  readonly dscp?: number;
  readonly ecn?: number;
  readonly options?: Uint8Array;
}

/** An unfragmented packet with defaults: TTL 64, id 0, DF clear, TOS 0, no options. */
export function ipv4Packet(fields: Ipv4PacketFields): Ipv4Repr {
  const protocol = protocolOfPayload(fields.payload) ?? fields.protocol;
  if (protocol === undefined) throw new RangeError('ipv4Packet: an opaque payload needs an explicit protocol');
  return {
    kind: 'ipv4',
    dscp: fields.dscp ?? 0,
    ecn: fields.ecn ?? 0,
    id: fields.id ?? 0,
    df: fields.df ?? false,
    mf: false,
    fragmentOffset: 0,
    ttl: fields.ttl ?? IPV4_DEFAULT_TTL,
    protocol,
    src: fields.src,
    dst: fields.dst,
    options: fields.options ?? new Uint8Array(0),
    payload: fields.payload,
  };
}

/** The bytes of the payload as they follow the header (L4 checksums use src/dst). */
export function encodeIpv4Payload(repr: Ipv4Repr): Uint8Array {
  const expected = protocolOfPayload(repr.payload);
  if (expected !== undefined && expected !== repr.protocol) {
    throw new RangeError(`IPv4 protocol ${repr.protocol} does not match a ${repr.payload.kind} payload`);
  }
  if (expected !== undefined && isFragment(repr)) {
    throw new RangeError('an IPv4 fragment carries an opaque payload (use fragmentIpv4)');
  }
  const p = repr.payload;
  switch (p.kind) {
    case 'icmp':
      return encodeIcmp(p);
    case 'udp':
      return encodeUdp(p, repr.src, repr.dst);
    case 'tcp':
      return encodeTcp(p, repr.src, repr.dst);
    case 'esp':
      return encodeEsp(p);
    case 'payload':
      return p.bytes;
  }
}

export function ipv4HeaderLength(repr: Pick<Ipv4Repr, 'options'>): number {
  return IPV4_HEADER.minLength + repr.options.length;
}

export function encodeIpv4(repr: Ipv4Repr): Uint8Array {
  const body = encodeIpv4Payload(repr);
  const bytes = new Uint8Array(ipv4HeaderLength(repr) + body.length);
  writeIpv4Header(bytes, repr, bytes.length);
  bytes.set(body, ipv4HeaderLength(repr));
  return bytes;
}

/** Just the header (options included) of `repr` as encoded, total length and checksum filled in. */
export function ipv4HeaderBytes(repr: Ipv4Repr): Uint8Array {
  return encodeIpv4(repr).slice(0, ipv4HeaderLength(repr));
}

function writeIpv4Header(bytes: Uint8Array, repr: Ipv4Repr, totalLength: number): void {
  const hlen = ipv4HeaderLength(repr);
  if (repr.options.length % 4 !== 0 || hlen > IPV4_HEADER.maxLength) {
    throw new RangeError(`IPv4 options must be a multiple of 4 bytes, at most 40; got ${repr.options.length}`);
  }
  if (totalLength > IPV4_MAX_LENGTH) throw new RangeError(`IPv4 total length ${totalLength} exceeds 65535`);
  if (repr.fragmentOffset % 8 !== 0 || repr.fragmentOffset < 0 || repr.fragmentOffset > IP_OFFSET_MASK * 8) {
    throw new RangeError(`IPv4 fragment offset ${repr.fragmentOffset} is not a multiple of 8 in 0..65528`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bytes[IPV4_HEADER.versionIhl] = 0x40 | (hlen >>> 2);
  bytes[IPV4_HEADER.tos] = ((repr.dscp & 0x3f) << 2) | (repr.ecn & 0x3);
  view.setUint16(IPV4_HEADER.totalLength, totalLength);
  view.setUint16(IPV4_HEADER.id, repr.id & 0xffff);
  view.setUint16(
    IPV4_HEADER.flagsFragment,
    (repr.df ? IP_DF : 0) | (repr.mf ? IP_MF : 0) | (repr.fragmentOffset >>> 3),
  );
  bytes[IPV4_HEADER.ttl] = repr.ttl & 0xff;
  bytes[IPV4_HEADER.protocol] = repr.protocol & 0xff;
  writeIpv4(bytes, IPV4_HEADER.src, repr.src);
  writeIpv4(bytes, IPV4_HEADER.dst, repr.dst);
  bytes.set(repr.options, IPV4_HEADER.options);
  view.setUint16(IPV4_HEADER.checksum, 0);
  view.setUint16(IPV4_HEADER.checksum, internetChecksum(bytes, 0, hlen));
}

/**
 * Decodes one datagram. Bytes beyond the total length (Ethernet padding) are ignored, as
 * `ip_rcv_core` trims them; fewer bytes than the total length is a truncation issue.
 */
export function decodeIpv4(bytes: Uint8Array, options: Ipv4DecodeOptions = {}): Decoded<Ipv4Repr> {
  const min = IPV4_HEADER.minLength;
  if (bytes.length < min) return truncated('ipv4', 0, min, bytes.length);
  const version = bytes[IPV4_HEADER.versionIhl]! >>> 4;
  if (version !== 4) return decodeIssue('ipv4', IPV4_HEADER.versionIhl, `bad version ${version}`);
  const hlen = (bytes[IPV4_HEADER.versionIhl]! & 0x0f) * 4;
  if (hlen < min) return decodeIssue('ipv4', IPV4_HEADER.versionIhl, `bad header length ${hlen}`);
  if (bytes.length < hlen) return truncated('ipv4', 0, hlen, bytes.length);
  if (internetChecksum(bytes, 0, hlen) !== 0) {
    const stored = (bytes[IPV4_HEADER.checksum]! << 8) | bytes[IPV4_HEADER.checksum + 1]!;
    return decodeIssue('ipv4', IPV4_HEADER.checksum, `bad header checksum 0x${stored.toString(16).padStart(4, '0')}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const totalLength = view.getUint16(IPV4_HEADER.totalLength);
  if (bytes.length < totalLength) return truncated('ipv4', 0, totalLength, bytes.length);
  if (totalLength < hlen) {
    return decodeIssue('ipv4', IPV4_HEADER.totalLength, `total length ${totalLength} shorter than header ${hlen}`);
  }
  const flags = view.getUint16(IPV4_HEADER.flagsFragment);
  const header = {
    kind: 'ipv4',
    dscp: bytes[IPV4_HEADER.tos]! >>> 2,
    ecn: bytes[IPV4_HEADER.tos]! & 0x3,
    id: view.getUint16(IPV4_HEADER.id),
    df: (flags & IP_DF) !== 0,
    mf: (flags & IP_MF) !== 0,
    fragmentOffset: (flags & IP_OFFSET_MASK) * 8,
    ttl: bytes[IPV4_HEADER.ttl]!,
    protocol: bytes[IPV4_HEADER.protocol]!,
    src: ipv4FromBytes(bytes, IPV4_HEADER.src),
    dst: ipv4FromBytes(bytes, IPV4_HEADER.dst),
    options: bytes.slice(IPV4_HEADER.options, hlen),
  } as const;
  const body = bytes.slice(hlen, totalLength);
  if (isFragment(header)) return decoded({ ...header, payload: { kind: 'payload', bytes: body } });
  const payload = decodeIpv4Payload(header.protocol, body, header.src, header.dst, options);
  if (!payload.ok) return payload;
  return decoded({ ...header, payload: payload.value });
}

/** Decodes a whole (unfragmented or reassembled) transport payload by protocol number. */
export function decodeIpv4Payload(
  protocol: number,
  body: Uint8Array,
  src: Ipv4,
  dst: Ipv4,
  options: Ipv4DecodeOptions = {},
): Decoded<Ipv4Payload> {
  switch (protocol) {
    case IPPROTO_ICMP:
      return decodeIcmp(body);
    case IPPROTO_UDP:
      return decodeUdp(body, src, dst, options);
    case IPPROTO_TCP:
      return decodeTcp(body, src, dst);
    case IPPROTO_ESP:
      return decodeEsp(body);
    default:
      return decoded({ kind: 'payload', bytes: body });
  }
}

/**
 * What an ICMP error quotes of an offending datagram: its IP header (with options) and the first
 * 8 bytes after it (RFC 792's minimum, enough for ports or an echo id), or at most `maxLength`
 * bytes in all when given: Linux quotes up to `ICMP_LINUX_QUOTE_MAX` bytes. Padding beyond the
 * datagram's total length is never quoted.
 */
export function quoteForIcmp(ipv4Bytes: Uint8Array, maxLength?: number): Uint8Array {
  if (ipv4Bytes.length < IPV4_HEADER.minLength) return ipv4Bytes.slice();
  const hlen = Math.max(IPV4_HEADER.minLength, (ipv4Bytes[IPV4_HEADER.versionIhl]! & 0x0f) * 4);
  const totalLength = (ipv4Bytes[IPV4_HEADER.totalLength]! << 8) | ipv4Bytes[IPV4_HEADER.totalLength + 1]!;
  const end = Math.min(ipv4Bytes.length, Math.max(hlen, totalLength), maxLength ?? hlen + 8);
  return ipv4Bytes.slice(0, end);
}

/**
 * Bytes of the original datagram (header included) Linux's `icmp_send` quotes at most:
 * 576 - its own IP header (20) - ICMP header (8), when the route's MTU is at least 576.
 */
export const ICMP_LINUX_QUOTE_MAX = 576 - 20 - 8;
