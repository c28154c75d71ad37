/**
 * ARP for IPv4 over Ethernet: the 28-byte request/reply carried in EtherType 0x0806.
 *
 * Models: RFC 826; RFC 5227 (gratuitous ARP / announcements); Linux `net/ipv4/arp.c`
 * (`arp_create` fills a missing target hardware address with zeros).
 * Leaves out: other hardware or protocol types (decoded as an issue), RARP and InARP opcodes,
 * the Ethernet padding to 60 bytes (veth and bridges do not pad; decode ignores trailing bytes).
 *
 *    0        2        4    5    6        8              14         18             24         28
 *   +--------+--------+----+----+--------+--------------+----------+--------------+----------+
 *   | htype  | ptype  |hlen|plen|  oper  | sender MAC   | sender IP| target MAC   | target IP|
 *   | 0x0001 | 0x0800 | 6  | 4  | 1 / 2  |              |          |              |          |
 *   +--------+--------+----+----+--------+--------------+----------+--------------+----------+
 */

import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { ipv4FromBytes, writeIpv4, type Ipv4 } from './ipv4-address.js';
import { MAC_ZERO, macFromBytes, writeMac, type Mac } from './mac.js';

const ARP = {
  htype: 0,
  ptype: 2,
  hlen: 4,
  plen: 5,
  oper: 6,
  senderMac: 8,
  senderIp: 14,
  targetMac: 18,
  targetIp: 24,
  length: 28,
} as const;

export const ARP_LENGTH = ARP.length;
export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
const ETH_P_IP = 0x0800;

export interface ArpRepr {
  readonly kind: 'arp';
  /** 1 = request ("who-has"), 2 = reply ("is-at"). */
  readonly op: 1 | 2;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

export function encodeArp(repr: ArpRepr): Uint8Array {
  const bytes = new Uint8Array(ARP.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(ARP.htype, ARPHRD_ETHER);
  view.setUint16(ARP.ptype, ETH_P_IP);
  bytes[ARP.hlen] = 6;
  bytes[ARP.plen] = 4;
  view.setUint16(ARP.oper, repr.op);
  writeMac(bytes, ARP.senderMac, repr.senderMac);
  writeIpv4(bytes, ARP.senderIp, repr.senderIp);
  writeMac(bytes, ARP.targetMac, repr.targetMac);
  writeIpv4(bytes, ARP.targetIp, repr.targetIp);
  return bytes;
}

/** Decodes the first 28 bytes; anything after them (Ethernet padding) is ignored. */
export function decodeArp(bytes: Uint8Array): Decoded<ArpRepr> {
  if (bytes.length < ARP.length) return truncated('arp', 0, ARP.length, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const htype = view.getUint16(ARP.htype);
  if (htype !== ARPHRD_ETHER) return decodeIssue('arp', ARP.htype, `unsupported hardware type ${htype}`);
  const ptype = view.getUint16(ARP.ptype);
  if (ptype !== ETH_P_IP) return decodeIssue('arp', ARP.ptype, `unsupported protocol type 0x${hex4(ptype)}`);
  if (bytes[ARP.hlen] !== 6) return decodeIssue('arp', ARP.hlen, `bad hardware address length ${bytes[ARP.hlen]}`);
  if (bytes[ARP.plen] !== 4) return decodeIssue('arp', ARP.plen, `bad protocol address length ${bytes[ARP.plen]}`);
  const op = view.getUint16(ARP.oper);
  if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return decodeIssue('arp', ARP.oper, `unsupported opcode ${op}`);
  return decoded({
    kind: 'arp',
    op,
    senderMac: macFromBytes(bytes, ARP.senderMac),
    senderIp: ipv4FromBytes(bytes, ARP.senderIp),
    targetMac: macFromBytes(bytes, ARP.targetMac),
    targetIp: ipv4FromBytes(bytes, ARP.targetIp),
  });
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** "who-has targetIp tell senderIp": target MAC zero, as Linux `arp_send` leaves it. */
export function arpRequest(senderMac: Mac, senderIp: Ipv4, targetIp: Ipv4): ArpRepr {
  return { kind: 'arp', op: ARPOP_REQUEST, senderMac, senderIp, targetMac: MAC_ZERO, targetIp };
}

/** "senderIp is-at senderMac", addressed to the requester. */
export function arpReply(senderMac: Mac, senderIp: Ipv4, targetMac: Mac, targetIp: Ipv4): ArpRepr {
  return { kind: 'arp', op: ARPOP_REPLY, senderMac, senderIp, targetMac, targetIp };
}

/**
 * Gratuitous ARP (RFC 5227 announcement): sender IP = target IP, sent to broadcast. Linux's own
 * (`arp_notify`, `arp_send` with no target hardware address) is a request with a zero target MAC;
 * `op: 'reply'` gives the iputils `arping -A` form, whose target MAC repeats the sender's.
 */
export function gratuitousArp(mac: Mac, ip: Ipv4, op: 'request' | 'reply' = 'request'): ArpRepr {
  return op === 'request'
    ? { kind: 'arp', op: ARPOP_REQUEST, senderMac: mac, senderIp: ip, targetMac: MAC_ZERO, targetIp: ip }
    : { kind: 'arp', op: ARPOP_REPLY, senderMac: mac, senderIp: ip, targetMac: mac, targetIp: ip };
}
