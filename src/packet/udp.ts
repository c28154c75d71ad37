/**
 * UDP datagrams, and the choice of decoder for what they carry (VXLAN, DNS, or opaque bytes).
 *
 * Models: RFC 768, with the IPv4 pseudo-header checksum (a computed 0 is sent as 0xffff; a
 * received 0 means "no checksum"). Linux: `net/ipv4/udp.c` (`udp4_csum_init`, `__udp4_lib_rcv`:
 * a length field larger than the datagram is dropped, a smaller one trims it).
 *
 *    0          2          4          6          8
 *   +----------+----------+----------+----------+------------------
 *   | src port | dst port |  length  | checksum | payload
 *   +----------+----------+----------+----------+------------------
 *   pseudo-header for the checksum: src IP, dst IP, 0, protocol 17, UDP length
 *
 * Payload dispatch, like tshark's heuristics but by port only: VXLAN when the destination port is
 * in `vxlanPorts` (default 4789, Docker's overlay port; Linux's own default is 8472), then DNS when
 * either port is in `dnsPorts` (default 53), else opaque. A payload that fails its inner decoder stays a `PayloadRepr` instead of failing the
 * datagram, so a capture of garbage sent to port 53 is still a valid UDP packet.
 * Leaves out: a way to send checksum 0 (encode always computes it, as current kernels do for VXLAN
 * unless `noudpcsum`); UDP-Lite; GSO. Bytes beyond the length field are ignored on decode.
 */

import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { DNS_PORT, decodeDns, encodeDns, type DnsRepr } from './dns.js';
import { IPPROTO_UDP } from './ip-protocol.js';
import type { Ipv4 } from './ipv4-address.js';
import type { PayloadRepr } from './payload.js';
import { VXLAN_PORT, decodeVxlan, encodeVxlan, type VxlanRepr } from './vxlan.js';

/** Field offsets of the UDP header. */
const UDP = {
  srcPort: 0,
  dstPort: 2,
  length: 4,
  checksum: 6,
  headerLength: 8,
} as const;

export const UDP_HEADER_LENGTH = UDP.headerLength;

export type UdpPayload = VxlanRepr | DnsRepr | PayloadRepr;

export interface UdpRepr {
  readonly kind: 'udp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: UdpPayload;
}

/** Which ports select which payload decoder (applies to nested frames inside VXLAN too). */
export interface UdpDecodeOptions {
  /** Destination ports decoded as VXLAN; default {4789}. */
  readonly vxlanPorts?: ReadonlySet<number>;
  /** Ports (either side) decoded as DNS; default {53}. */
  readonly dnsPorts?: ReadonlySet<number>;
}

export function encodeUdpPayload(payload: UdpPayload): Uint8Array {
  switch (payload.kind) {
    case 'vxlan':
      return encodeVxlan(payload);
    case 'dns':
      return encodeDns(payload);
    case 'payload':
      return payload.bytes;
  }
}

export function encodeUdp(repr: UdpRepr, src: Ipv4, dst: Ipv4): Uint8Array {
  const body = encodeUdpPayload(repr.payload);
  const length = UDP.headerLength + body.length;
  if (length > 0xffff) throw new RangeError(`UDP datagram of ${length} bytes exceeds 65535`);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint16(UDP.srcPort, repr.srcPort);
  view.setUint16(UDP.dstPort, repr.dstPort);
  view.setUint16(UDP.length, length);
  bytes.set(body, UDP.headerLength);
  const checksum = internetChecksum(bytes, 0, length, pseudoHeaderSum(src, dst, IPPROTO_UDP, length));
  // RFC 768: an all-zero computed checksum is transmitted as all ones; 0 means "none".
  view.setUint16(UDP.checksum, checksum === 0 ? 0xffff : checksum);
  return bytes;
}

export function decodeUdp(bytes: Uint8Array, src: Ipv4, dst: Ipv4, options: UdpDecodeOptions = {}): Decoded<UdpRepr> {
  if (bytes.length < UDP.headerLength) return truncated('udp', 0, UDP.headerLength, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint16(UDP.length);
  if (length < UDP.headerLength) return decodeIssue('udp', UDP.length, `bad length ${length}`);
  if (length > bytes.length) return truncated('udp', 0, length, bytes.length);
  const stored = view.getUint16(UDP.checksum);
  if (stored !== 0 && internetChecksum(bytes, 0, length, pseudoHeaderSum(src, dst, IPPROTO_UDP, length)) !== 0) {
    return decodeIssue('udp', UDP.checksum, `bad checksum 0x${stored.toString(16).padStart(4, '0')}`);
  }
  const srcPort = view.getUint16(UDP.srcPort);
  const dstPort = view.getUint16(UDP.dstPort);
  const body = bytes.subarray(UDP.headerLength, length);
  return decoded({ kind: 'udp', srcPort, dstPort, payload: decodeUdpPayload(srcPort, dstPort, body, options) });
}

/** Picks the payload decoder by port; falls back to opaque bytes when the inner decode fails. */
export function decodeUdpPayload(srcPort: number, dstPort: number, body: Uint8Array, options: UdpDecodeOptions = {}): UdpPayload {
  const isVxlan = options.vxlanPorts === undefined ? dstPort === VXLAN_PORT : options.vxlanPorts.has(dstPort);
  if (isVxlan) {
    const vxlan = decodeVxlan(body, options);
    if (vxlan.ok) return vxlan.value;
  }
  if (isDnsPort(srcPort, options) || isDnsPort(dstPort, options)) {
    const dns = decodeDns(body);
    if (dns.ok) return dns.value;
  }
  return { kind: 'payload', bytes: body.slice() };
}

function isDnsPort(port: number, options: UdpDecodeOptions): boolean {
  return options.dnsPorts === undefined ? port === DNS_PORT : options.dnsPorts.has(port);
}
