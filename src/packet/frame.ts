/**
 * Whole frames: the top-level encode/decode every device and capture point uses, and the
 * one-line summary `tcpdump -n` would print for a frame (`-e` adds the link-level header).
 *
 * Models: tcpdump 4.99 printers (print-ether.c, print-arp.c, print-ip.c, print-ip-demux.c,
 * print-icmp.c, print-udp.c, print-tcp.c, print-esp.c, print-vxlan.c, print-domain.c,
 * print-http.c / txtproto_print). Checked against tcpdump 4.99.3 (test/packet/frame.test.ts).
 *
 * A VXLAN datagram gives two lines joined by `\n`, exactly as tcpdump prints the outer datagram
 * and then the inner frame. Differences from tcpdump, all deliberate: TCP sequence numbers are
 * absolute (as with `-S`: a one-frame summary keeps no per-connection state); the hex dump after
 * an unknown EtherType is left out; what has no decoder here prints only its EtherType or
 * `ip-proto-N` (IPv6, IGMP, GRE, 802.3/LLC frames with a length field, the first fragment of a TCP
 * segment); port-specific printers other than DNS, VXLAN and HTTP are not imitated; ICMP router
 * advertisements print only their name; TCP options with dedicated tcpdump formats (MD5, MPTCP,
 * UTO, TFO, ...) print as name + hex; DNS AD/CD bits and extended rcodes are not kept, so not shown.
 *
 * Field offsets: none of its own; see ethernet.ts and the codecs it dispatches to.
 */

import { ARPOP_REQUEST, type ArpRepr } from './arp.js';
import type { Decoded } from './decode-result.js';
import { dnsSummary } from './dns.js';
import { decodeEthernet, encodeEthernet, type EthernetDecodeOptions, type EthernetRepr } from './ethernet.js';
import type { EspRepr } from './esp.js';
import { encodeIcmp } from './icmp.js';
import { IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from './ip-protocol.js';
import { formatIpv4, ipv4FromBytes } from './ipv4-address.js';
import type { Ipv4Repr } from './ipv4.js';
import { formatMac } from './mac.js';
import type { PayloadRepr } from './payload.js';
import {
  decodeTcpOptions,
  encodeTcpOptions,
  tcpFlagsText,
  tcpOptionText,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type TcpOption,
  type TcpRepr,
} from './tcp.js';
import { encodeUdpPayload, type UdpRepr } from './udp.js';

export type FrameDecodeOptions = EthernetDecodeOptions;

/** The frame's bytes as a capture shows them (no FCS, no padding). */
export function encodeFrame(eth: EthernetRepr): Uint8Array {
  return encodeEthernet(eth);
}

/** Decodes a captured frame; `options` choose the UDP ports decoded as VXLAN and DNS. */
export function decodeFrame(bytes: Uint8Array, options: FrameDecodeOptions = {}): Decoded<EthernetRepr> {
  return decodeEthernet(bytes, options);
}

export interface SummaryOptions {
  /** Print the link-level header first, like `tcpdump -e`. */
  readonly link?: boolean;
}

/** tcpdump 4.99's `ethertype_values` (checked for every EtherType 0x0600..0xffff). */
const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0600, 'NS'], [0x0707, 'GeoNet (old)'], [0x0800, 'IPv4'], [0x0806, 'ARP'], [0x1000, 'Trail'],
  [0x1111, 'CALM FAST'], [0x6001, 'MOP DL'], [0x6002, 'MOP RC'], [0x6003, 'DN'], [0x6004, 'LAT'],
  [0x6007, 'SCA'], [0x6558, 'TEB'], [0x8035, 'Reverse ARP'], [0x8038, 'Lanbridge'], [0x803c, 'DEC DNS'],
  [0x803e, 'DEC DTS'], [0x805b, 'VEXP'], [0x805c, 'VPROD'], [0x809b, 'Appletalk'], [0x80f3, 'Appletalk ARP'],
  [0x8100, '802.1Q'], [0x8137, 'IPX'], [0x86dd, 'IPv6'], [0x8808, 'MPCP'], [0x8809, 'Slow Protocols'],
  [0x880b, 'PPP'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x8863, 'PPPoE D'],
  [0x8864, 'PPPoE S'], [0x886f, 'MS NLB heartbeat'], [0x888e, 'EAPOL'], [0x8899, 'Realtek protocols'],
  [0x88a2, 'AoE'], [0x88a8, '802.1Q-QinQ'], [0x88ca, 'TIPC'], [0x88cc, 'LLDP'], [0x88e5, '802.1AE MACsec'],
  [0x88f7, 'PTP'], [0x8902, 'CFM'], [0x893a, 'IEEE1905.1'], [0x8947, 'GeoNet'], [0x894f, 'NSH'],
  [0x9000, 'Loopback'], [0x9100, '802.1Q-9100'], [0x9200, '802.1Q-9200'], [0xabcd, 'CFM (old)'], [0xfefe, 'OSI'],
]);

function ethertypeText(type: number): string {
  return `ethertype ${ETHERTYPE_NAMES.get(type) ?? 'Unknown'} (0x${type.toString(16).padStart(4, '0')})`;
}

/**
 * A tcpdump-like one-line summary, e.g. `IP 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1,
 * seq 1, length 64`, or with `link: true` `02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype IPv4
 * (0x0800), length 98: 172.17.0.2 > 172.17.0.3: ...` (tcpdump drops the `IP `/`ARP, ` prefix
 * when it has printed the EtherType).
 */
export function summarizeFrame(eth: EthernetRepr, options: SummaryOptions = {}): string {
  const link = options.link ?? false;
  const addresses = `${formatMac(eth.src)} > ${formatMac(eth.dst)}, `;
  let prefix = '';
  if (link) {
    const length = encodeFrame(eth).length;
    prefix = addresses;
    let printedLength = false;
    const lengthOrComma = (): string => {
      const text = printedLength ? ', ' : `, length ${length}: `;
      printedLength = true;
      return text;
    };
    for (const tag of eth.vlans) {
      prefix += `${ethertypeText(tag.tpid)}${lengthOrComma()}vlan ${tag.vid}, p ${tag.pcp}${tag.dei ? ', DEI' : ''}, `;
    }
    prefix += `${ethertypeText(eth.etherType)}${lengthOrComma()}`;
  }
  const p = eth.payload;
  switch (p.kind) {
    case 'arp':
      return prefix + (link ? '' : 'ARP, ') + arpSummary(p);
    case 'ipv4':
      return prefix + (link ? '' : 'IP ') + ipv4Summary(p, link);
    case 'payload':
      if (link) return prefix.trimEnd();
      return `${addresses}${ethertypeText(eth.etherType)}, length ${encodeFrame(eth).length}:`;
  }
}

/** print-arp.c, non-verbose, with -n. */
function arpSummary(arp: ArpRepr): string {
  let text: string;
  if (arp.op === ARPOP_REQUEST) {
    text = `Request who-has ${formatIpv4(arp.targetIp)}`;
    if (arp.targetMac !== 0) text += ` (${formatMac(arp.targetMac)})`;
    text += ` tell ${formatIpv4(arp.senderIp)}`;
  } else {
    text = `Reply ${formatIpv4(arp.senderIp)} is-at ${formatMac(arp.senderMac)}`;
  }
  return `${text}, length 28`;
}

/** print-ip.c: everything after the `IP ` prefix. */
function ipv4Summary(ip: Ipv4Repr, link: boolean): string {
  const src = formatIpv4(ip.src);
  const dst = formatIpv4(ip.dst);
  if (ip.fragmentOffset !== 0) return `${src} > ${dst}: ip-proto-${ip.protocol}`;
  const p = ip.payload;
  switch (p.kind) {
    case 'udp':
      return udpSummary(p, src, dst, link);
    case 'tcp':
      return tcpSummary(p, src, dst);
    case 'icmp':
      return `${src} > ${dst}: ${icmpSummary(encodeIcmp(p)) ?? ' [|icmp]'}`;
    case 'esp':
      return `${src} > ${dst}: ${espSummary(p.spi, p.seq, 8 + p.data.length)}`;
    case 'payload':
      return firstFragmentOrUnknown(ip.protocol, p, src, dst);
  }
}

/** An opaque IPv4 payload: a first fragment tcpdump still dissects, or an unknown protocol. */
function firstFragmentOrUnknown(protocol: number, p: PayloadRepr, src: string, dst: string): string {
  const b = p.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (protocol === IPPROTO_ICMP && b.length >= 8) return `${src} > ${dst}: ${icmpSummary(b) ?? ' [|icmp]'}`;
  if (protocol === IPPROTO_ESP && b.length >= 8) {
    return `${src} > ${dst}: ${espSummary(view.getUint32(0), view.getUint32(4), b.length)}`;
  }
  if (protocol === IPPROTO_UDP && b.length >= 8) {
    // tcpdump prints the datagram's length from the UDP header, not the fragment's.
    const ulen = view.getUint16(4);
    return `${src}.${view.getUint16(0)} > ${dst}.${view.getUint16(2)}: UDP, length ${Math.max(ulen - 8, 0)}`;
  }
  // print-ip.c prints "src > dst: " and the default demux case adds " ip-proto-N len": two spaces.
  return `${src} > ${dst}:  ip-proto-${protocol} ${b.length}`;
}

/** print-esp.c: tcpdump wants at least one byte after the 8-byte header, else `[|esp]`. */
function espSummary(spi: EspRepr['spi'], seq: EspRepr['seq'], length: number): string {
  if (length <= 8) return ' [|esp]';
  return `ESP(spi=0x${spi.toString(16).padStart(8, '0')},seq=0x${seq.toString(16)}), length ${length}`;
}

/**
 * print-icmp.c, non-verbose, from the message bytes (type, code, then the quoted header);
 * `undefined` when the message is too short for what tcpdump reads (it prints `[|icmp]`).
 */
function icmpSummary(b: Uint8Array): string | undefined {
  const type = b[0]!;
  const code = b[1]!;
  const u16 = (at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
  const u32 = (at: number): number => ((u16(at) << 16) | u16(at + 2)) >>> 0;
  // Errors quote the offending datagram from byte 8; its destination address is at 8 + 16.
  const quotedDst = b.length >= 28 ? formatIpv4(ipv4FromBytes(b, 24)) : undefined;
  let text: string | undefined;
  switch (type) {
    case 0:
    case 8:
      text = `echo ${type === 8 ? 'request' : 'reply'}, id ${u16(4)}, seq ${u16(6)}`;
      break;
    case 3:
      text = quotedDst === undefined ? undefined : unreachableText(b, code, quotedDst);
      break;
    case 5:
      text = quotedDst === undefined ? undefined : `${REDIRECT_FORMATS.get(code) ?? `redirect-#${code} %s to %s`}`.replace('%s', quotedDst).replace('%s', formatIpv4(u32(4)));
      break;
    case 11:
      if (quotedDst === undefined) text = undefined;
      else text = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      text = code === 0 ? `parameter problem - octet ${b[4]!}` : `parameter problem - code ${code}`;
      break;
    case 13:
      text = `time stamp query id ${u16(4)} seq ${u16(6)}`;
      break;
    case 14:
      text =
        b.length < 20
          ? undefined
          : `time stamp reply id ${u16(4)} seq ${u16(6)}: org ${msOfDay(u32(8))}, recv ${msOfDay(u32(12))}, xmit ${msOfDay(u32(16))}`;
      break;
    case 18:
      text = b.length < 12 ? undefined : `address mask is 0x${u32(8).toString(16).padStart(8, '0')}`;
      break;
    default:
      text = ICMP_TYPE_NAMES.get(type) ?? `type-#${type}`;
  }
  return text === undefined ? undefined : `ICMP ${text}, length ${b.length}`;
}

/** icmp_tstamp_print: milliseconds since midnight UTC as hh:mm:ss.mmm (hours may exceed 23). */
function msOfDay(ms: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const seconds = Math.floor(ms / 1000);
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

const REDIRECT_FORMATS: ReadonlyMap<number, string> = new Map([
  [0, 'redirect %s to net %s'],
  [1, 'redirect %s to host %s'],
  [2, 'redirect-tos %s to net %s'],
  [3, 'redirect-tos %s to host %s'],
]);

/** tcpdump's `icmp2str` names for the types printed without details. */
const ICMP_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [4, 'source quench'],
  [9, 'router advertisement'],
  [10, 'router solicitation'],
  [15, 'information request'],
  [16, 'information reply'],
  [17, 'address mask request'],
]);

/** tcpdump's `unreach2str` formats, `%s` being the quoted datagram's destination. */
const UNREACH_FORMATS: ReadonlyMap<number, string> = new Map([
  [0, 'net %s unreachable'],
  [1, 'host %s unreachable'],
  [5, '%s unreachable - source route failed'],
  [6, 'net %s unreachable - unknown'],
  [7, 'host %s unreachable - unknown'],
  [8, '%s unreachable - source host isolated'],
  [9, 'net %s unreachable - admin prohibited'],
  [10, 'host %s unreachable - admin prohibited'],
  [11, 'net %s unreachable - tos prohibited'],
  [12, 'host %s unreachable - tos prohibited'],
  [13, 'host %s unreachable - admin prohibited filter'],
  [14, 'host %s unreachable - host precedence violation'],
  [15, 'host %s unreachable - precedence cutoff'],
]);

function unreachableText(b: Uint8Array, code: number, dst: string): string | undefined {
  const quotedProto = b[8 + 9] ?? 0;
  switch (code) {
    case 2:
      return `${dst} protocol ${quotedProto} unreachable`;
    case 3: {
      const ihl = ((b[8] ?? 0) & 0x0f) * 4;
      const at = 8 + ihl + 2;
      if (b.length < at + 2) return undefined;
      const dport = (b[at]! << 8) | b[at + 1]!;
      if (quotedProto === IPPROTO_TCP) return `${dst} tcp port ${dport} unreachable`;
      if (quotedProto === IPPROTO_UDP) return `${dst} udp port ${dport} unreachable`;
      return `${dst} protocol ${quotedProto} port ${dport} unreachable`;
    }
    case 4: {
      const mtu = ((b[6] ?? 0) << 8) | (b[7] ?? 0);
      return mtu !== 0 ? `${dst} unreachable - need to frag (mtu ${mtu})` : `${dst} unreachable - need to frag`;
    }
    default:
      return (UNREACH_FORMATS.get(code) ?? `%s unreachable - #${code}`).replace('%s', dst);
  }
}

/** print-udp.c: ports, then DNS, VXLAN or the generic `UDP, length N`. */
function udpSummary(udp: UdpRepr, src: string, dst: string, link: boolean): string {
  const head = `${src}.${udp.srcPort} > ${dst}.${udp.dstPort}: `;
  const p = udp.payload;
  switch (p.kind) {
    case 'dns':
      return head + dnsSummary(p, encodeUdpPayload(p).length);
    case 'vxlan':
      return `${head}VXLAN, flags [I] (0x08), vni ${p.vni}\n${summarizeFrame(p.payload, { link })}`;
    case 'payload':
      return `${head}UDP, length ${p.bytes.length}`;
  }
}

/** print-tcp.c, non-verbose, absolute sequence numbers. */
function tcpSummary(tcp: TcpRepr, src: string, dst: string): string {
  const length = tcp.payload.bytes.length;
  let text = `${src}.${tcp.srcPort} > ${dst}.${tcp.dstPort}: Flags ${tcpFlagsText(tcp.flags)}`;
  if (length > 0 || (tcp.flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
    text += `, seq ${tcp.seq}`;
    if (length > 0) text += `:${(tcp.seq + length) >>> 0}`;
  }
  if ((tcp.flags & TCP_ACK) !== 0) text += `, ack ${tcp.ack}`;
  text += `, win ${tcp.window}`;
  if ((tcp.flags & TCP_URG) !== 0) text += `, urg ${tcp.urgent}`;
  if (tcp.options.length > 0) text += `, options [${wireOptions(tcp.options).map(tcpOptionText).join(',')}]`;
  text += `, length ${length}`;
  if (length > 0 && (isHttpPort(tcp.srcPort) || isHttpPort(tcp.dstPort))) text += `: ${httpSummary(tcp.payload.bytes)}`;
  return text;
}

/** The options as they read on the wire: zero padding after an unaligned list shows as `eol`. */
function wireOptions(options: readonly TcpOption[]): readonly TcpOption[] {
  const parsed = decodeTcpOptions(encodeTcpOptions(options));
  return parsed.ok ? parsed.value : options;
}

function isHttpPort(port: number): boolean {
  return port === 80 || port === 8080;
}

/** The request methods tcpdump's print-http.c recognises. */
const HTTP_METHODS = new Set(
  (
    'GET PUT COPY HEAD LOCK MOVE POLL POST BCOPY BMOVE MKCOL TRACE LABEL MERGE DELETE SEARCH UNLOCK REPORT ' +
    'UPDATE NOTIFY BDELETE CONNECT OPTIONS CHECKIN PROPFIND CHECKOUT SUBSCRIBE PROPPATCH BPROPFIND ' +
    'BPROPPATCH UNCHECKOUT MKACTIVITY MKWORKSPACE UNSUBSCRIBE RPC_IN_DATA RPC_OUT_DATA'
  ).split(' '),
);

/** txtproto_print: `HTTP`, plus `: <first line>` when the payload starts a request or response. */
function httpSummary(b: Uint8Array): string {
  const first = httpToken(b, 0);
  let printThis = false;
  if (first !== undefined) {
    if (HTTP_METHODS.has(first.token.toUpperCase())) printThis = true;
    const second = httpToken(b, first.next);
    if (second !== undefined && /^[0-9]{3}$/.test(second.token)) printThis = true;
  }
  if (!printThis) return 'HTTP';
  let end = 0;
  for (; end < b.length; end++) {
    const c = b[end]!;
    if (c === 0x0a) break;
    if (c === 0x0d) {
      if (end + 1 >= b.length || b[end + 1] !== 0x0a) return 'HTTP';
      break;
    }
    if ((c < 0x20 || c > 0x7e) && c !== 0x09) return 'HTTP';
  }
  return `HTTP: ${String.fromCharCode(...b.subarray(0, end))}`;
}

/** fetch_token: a run of printable non-blank bytes, then the blanks after it. */
function httpToken(b: Uint8Array, start: number): { token: string; next: number } | undefined {
  let i = start;
  let token = '';
  for (; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return undefined;
    if (c === 0x20) break;
    if (token.length + 2 > 128) return undefined;
    token += String.fromCharCode(c);
  }
  if (token === '') return undefined;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09)) i++;
  return { token, next: i };
}
