/**
 * VXLAN: an Ethernet frame tunnelled in UDP, as Docker's overlay driver and `ip link add type
 * vxlan` send it between hosts.
 *
 * Models: RFC 7348 section 5; Linux `drivers/net/vxlan/vxlan_core.c` (`vxlan_rcv` drops a packet
 * whose header has any bit set besides the I flag and the VNI, unless GBP/GPE extensions are on)
 * and `include/net/vxlan.h` (`VXLAN_HF_VNI`).
 *
 *    0       1               4                       7       8
 *   +-------+---------------+-----------------------+-------+---------------------------
 *   | flags | reserved (24) |        VNI (24)       | rsvd  | inner Ethernet frame (no FCS)
 *   | 0x08  |      0        |                       |   0   |
 *   +-------+---------------+-----------------------+-------+---------------------------
 *
 * Leaves out: Group Based Policy and Generic Protocol Extension headers (their flag bits are
 * rejected like any other reserved bit), the UDP source-port hash (the sender's business).
 */

import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import type { EthernetDecodeOptions, EthernetRepr } from './ethernet.js';
import { innerFrameCodec } from './inner-frame.js';

/** Field offsets of the VXLAN header. */
const VXLAN = {
  flags: 0,
  reserved1: 1,
  vni: 4,
  reserved2: 7,
  headerLength: 8,
} as const;

/** The I flag: "VNI is valid", the only flag RFC 7348 defines. */
const VXLAN_FLAG_I = 0x08;
export const VXLAN_HEADER_LENGTH = VXLAN.headerLength;
/** IANA-assigned destination port (RFC 7348), used by Docker's overlay driver. */
export const VXLAN_PORT = 4789;
/** Linux's default `dstport` when none is given (pre-IANA, kept "for compatibility"). */
export const VXLAN_LINUX_DEFAULT_PORT = 8472;
export const VXLAN_MAX_VNI = 0xffffff;

export interface VxlanRepr {
  readonly kind: 'vxlan';
  /** 24-bit VXLAN network identifier. */
  readonly vni: number;
  readonly payload: EthernetRepr;
}

export function encodeVxlan(repr: VxlanRepr): Uint8Array {
  if (!Number.isInteger(repr.vni) || repr.vni < 0 || repr.vni > VXLAN_MAX_VNI) {
    throw new RangeError(`VXLAN VNI ${repr.vni} is not in 0..${VXLAN_MAX_VNI}`);
  }
  const inner = innerFrameCodec().encode(repr.payload);
  const bytes = new Uint8Array(VXLAN.headerLength + inner.length);
  bytes[VXLAN.flags] = VXLAN_FLAG_I;
  bytes[VXLAN.vni] = (repr.vni >>> 16) & 0xff;
  bytes[VXLAN.vni + 1] = (repr.vni >>> 8) & 0xff;
  bytes[VXLAN.vni + 2] = repr.vni & 0xff;
  bytes.set(inner, VXLAN.headerLength);
  return bytes;
}

/** `options` are passed to the inner frame's decoder (a VXLAN or DNS packet inside the tunnel). */
export function decodeVxlan(bytes: Uint8Array, options: EthernetDecodeOptions = {}): Decoded<VxlanRepr> {
  if (bytes.length < VXLAN.headerLength) return truncated('vxlan', 0, VXLAN.headerLength, bytes.length);
  const flags = bytes[VXLAN.flags]!;
  if ((flags & VXLAN_FLAG_I) === 0) return decodeIssue('vxlan', VXLAN.flags, `I flag not set (flags 0x${hex2(flags)})`);
  if (flags !== VXLAN_FLAG_I) return decodeIssue('vxlan', VXLAN.flags, `reserved flag bits set (flags 0x${hex2(flags)})`);
  for (const at of [VXLAN.reserved1, VXLAN.reserved1 + 1, VXLAN.reserved1 + 2, VXLAN.reserved2]) {
    if (bytes[at] !== 0) return decodeIssue('vxlan', at, `reserved byte is 0x${hex2(bytes[at]!)}, not 0`);
  }
  const vni = (bytes[VXLAN.vni]! << 16) | (bytes[VXLAN.vni + 1]! << 8) | bytes[VXLAN.vni + 2]!;
  const inner = innerFrameCodec().decode(bytes.subarray(VXLAN.headerLength), options);
  // The inner issue keeps its own format and offset (relative to the inner frame).
  if (!inner.ok) return inner;
  return decoded({ kind: 'vxlan', vni, payload: inner.value });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
