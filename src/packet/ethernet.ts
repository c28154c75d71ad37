/**
 * Ethernet II frames with optional 802.1Q / 802.1ad VLAN tags, and the EtherType dispatch to ARP
 * and IPv4.
 *
 * Models: IEEE 802.3 Ethernet II framing; IEEE 802.1Q tags (TPID 0x8100) and 802.1ad service tags
 * (TPID 0x88a8), both accepted at any depth on decode as Linux's `eth_type_vlan()` does;
 * `include/uapi/linux/if_ether.h` for the EtherType numbers.
 * Leaves out: the FCS (captures and Linux virtual devices never show it), padding to the 60-byte
 * minimum (veth and bridges send short frames as they are; decode tolerates padding: ARP reads
 * its 28 bytes, IPv4 trims to its total length), 802.3 length/LLC frames (EtherType < 0x0600 is
 * kept as an opaque payload), IPv6 (0x86dd, opaque too), jumbo-frame limits.
 * Invariant: for an ARP or IPv4 payload, `etherType` matches it (encode throws otherwise).
 *
 *    0              6              12       14 (+4 per VLAN tag)
 *   +--------------+--------------+--------+----------------------
 *   | destination  | source       | type   | payload
 *   +--------------+--------------+--------+----------------------
 *   a VLAN tag sits where `type` is: | TPID (2) | PCP(3) DEI(1) VID(12) | next type ...
 */

import { decodeArp, encodeArp, type ArpRepr } from './arp.js';
import { decoded, truncated, type Decoded } from './decode-result.js';
import { decodeIpv4, encodeIpv4, type Ipv4DecodeOptions, type Ipv4Repr } from './ipv4.js';
import { macFromBytes, writeMac, type Mac } from './mac.js';
import type { PayloadRepr } from './payload.js';
import { provideInnerFrameCodec } from './inner-frame.js';

const ETHERNET = {
  dst: 0,
  src: 6,
  etherType: 12,
  headerLength: 14,
  /** Within a VLAN tag, counted from the TPID. */
  tagTpid: 0,
  tagTci: 2,
  tagLength: 4,
} as const;

export const ETHERNET_HEADER_LENGTH = ETHERNET.headerLength;
export const VLAN_TAG_LENGTH = ETHERNET.tagLength;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_IPV6 = 0x86dd;

export interface VlanTag {
  /** 0x8100 (802.1Q) or 0x88a8 (802.1ad service tag). */
  readonly tpid: number;
  /** Priority code point, 0..7. */
  readonly pcp: number;
  /** Drop eligible indicator. */
  readonly dei: boolean;
  /** VLAN id, 0..4095. */
  readonly vid: number;
}

export type EthernetPayload = ArpRepr | Ipv4Repr | PayloadRepr;

export interface EthernetRepr {
  readonly kind: 'ethernet';
  readonly dst: Mac;
  readonly src: Mac;
  /** Outermost first. */
  readonly vlans: readonly VlanTag[];
  /** The EtherType after the tags, i.e. the payload's. */
  readonly etherType: number;
  readonly payload: EthernetPayload;
}

export type EthernetDecodeOptions = Ipv4DecodeOptions;

/** A 802.1Q tag (TPID 0x8100) unless another TPID is given. */
export function vlanTag(vid: number, pcp = 0, dei = false, tpid: number = ETHERTYPE_VLAN): VlanTag {
  return { tpid, pcp, dei, vid };
}

export function isVlanTpid(etherType: number): boolean {
  return etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ;
}

/** The EtherType an ARP or IPv4 payload is carried with; `undefined` for opaque payloads. */
export function etherTypeOfPayload(payload: EthernetPayload): number | undefined {
  switch (payload.kind) {
    case 'arp':
      return ETHERTYPE_ARP;
    case 'ipv4':
      return ETHERTYPE_IPV4;
    case 'payload':
      return undefined;
  }
}

export interface EthernetFrameFields {
  readonly dst: Mac;
  readonly src: Mac;
  readonly payload: EthernetPayload;
  readonly vlans?: readonly VlanTag[];
  /** Required for an opaque payload; otherwise derived from the payload kind. */
  readonly etherType?: number;
}

/** A frame whose EtherType is derived from its payload. */
export function ethernetFrame(fields: EthernetFrameFields): EthernetRepr {
  const etherType = etherTypeOfPayload(fields.payload) ?? fields.etherType;
  if (etherType === undefined) throw new RangeError('ethernetFrame: an opaque payload needs an explicit etherType');
  return { kind: 'ethernet', dst: fields.dst, src: fields.src, vlans: fields.vlans ?? [], etherType, payload: fields.payload };
}

/** The payload's bytes as they follow the header. */
export function encodeEthernetPayload(repr: EthernetRepr): Uint8Array {
  const expected = etherTypeOfPayload(repr.payload);
  if (expected !== undefined && expected !== repr.etherType) {
    throw new RangeError(`EtherType 0x${repr.etherType.toString(16)} does not match a ${repr.payload.kind} payload`);
  }
  const p = repr.payload;
  switch (p.kind) {
    case 'arp':
      return encodeArp(p);
    case 'ipv4':
      return encodeIpv4(p);
    case 'payload':
      return p.bytes;
  }
}

export function ethernetHeaderLength(repr: Pick<EthernetRepr, 'vlans'>): number {
  return ETHERNET.headerLength + repr.vlans.length * ETHERNET.tagLength;
}

/** The frame as Linux hands it to the device: no FCS, no padding. */
export function encodeEthernet(repr: EthernetRepr): Uint8Array {
  const body = encodeEthernetPayload(repr);
  const hlen = ethernetHeaderLength(repr);
  const bytes = new Uint8Array(hlen + body.length);
  const view = new DataView(bytes.buffer);
  writeMac(bytes, ETHERNET.dst, repr.dst);
  writeMac(bytes, ETHERNET.src, repr.src);
  let offset = ETHERNET.etherType;
  for (const tag of repr.vlans) {
    view.setUint16(offset + ETHERNET.tagTpid, tag.tpid);
    view.setUint16(offset + ETHERNET.tagTci, ((tag.pcp & 0x7) << 13) | (tag.dei ? 0x1000 : 0) | (tag.vid & 0xfff));
    offset += ETHERNET.tagLength;
  }
  view.setUint16(offset, repr.etherType);
  bytes.set(body, hlen);
  return bytes;
}

export function decodeEthernet(bytes: Uint8Array, options: EthernetDecodeOptions = {}): Decoded<EthernetRepr> {
  if (bytes.length < ETHERNET.headerLength) return truncated('ethernet', 0, ETHERNET.headerLength, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vlans: VlanTag[] = [];
  let offset = ETHERNET.etherType;
  let etherType = view.getUint16(offset);
  while (isVlanTpid(etherType)) {
    const need = offset + ETHERNET.tagLength + 2;
    if (bytes.length < need) return truncated('ethernet', 0, need, bytes.length);
    const tci = view.getUint16(offset + ETHERNET.tagTci);
    vlans.push({ tpid: etherType, pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff });
    offset += ETHERNET.tagLength;
    etherType = view.getUint16(offset);
  }
  const body = bytes.subarray(offset + 2);
  const payload = decodeEthernetPayload(etherType, body, options);
  if (!payload.ok) return payload;
  return decoded({
    kind: 'ethernet',
    dst: macFromBytes(bytes, ETHERNET.dst),
    src: macFromBytes(bytes, ETHERNET.src),
    vlans,
    etherType,
    payload: payload.value,
  });
}

/** Decodes what follows the (last) EtherType. An opaque payload keeps every byte, padding included. */
export function decodeEthernetPayload(
  etherType: number,
  body: Uint8Array,
  options: EthernetDecodeOptions = {},
): Decoded<EthernetPayload> {
  switch (etherType) {
    case ETHERTYPE_ARP:
      return decodeArp(body);
    case ETHERTYPE_IPV4:
      return decodeIpv4(body, options);
    default:
      return decoded({ kind: 'payload', bytes: body.slice() });
  }
}

// A VXLAN packet carries a whole frame: give vxlan.ts this module's codec (see inner-frame.ts).
provideInnerFrameCodec({ encode: encodeEthernet, decode: decodeEthernet });
