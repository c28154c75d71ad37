/**
 * TCP segments: header, options and payload, with the IPv4 pseudo-header checksum.
 *
 * Models: RFC 9293 (header, flags, EOL/NOP/MSS options), RFC 7323 (window scale, timestamps),
 * RFC 2018 (SACK-permitted), RFC 3168 (ECE, CWR). Linux: `net/ipv4/tcp_output.c`
 * (`tcp_options_write`: Linux pads with NOPs and never sends EOL), `net/ipv4/tcp_input.c`
 * (`tcp_parse_options`: parsing stops at EOL, a known kind with the wrong length is ignored).
 *
 *    0        2        4        8        12         13      14       16       18       20
 *   +--------+--------+--------+--------+----------+-------+--------+--------+--------+---------
 *   |src port|dst port|  seq   |  ack   |doff|rsvd |flags  | window |checksum| urgent | options
 *   +--------+--------+--------+--------+----------+-------+--------+--------+--------+---------
 *   flags: CWR 0x80 ECE 0x40 URG 0x20 ACK 0x10 PSH 0x08 RST 0x04 SYN 0x02 FIN 0x01
 *
 * Option padding and round trips: encode writes the options in order and pads them with zero
 * bytes to a multiple of 4; the data offset is derived. A zero byte on the wire *is* EOL, so
 * decode reports `eol` wherever one is found (as tcpdump prints it) and stops there, ignoring the
 * rest of the option space. Hence decode(encode(r)) = r holds when the options' encoded length is
 * a multiple of 4 or the list ends with `eol`; an unpadded list such as [mss, nop] comes back as
 * [mss, nop, eol]. A known kind with the wrong length decodes as `unknown`.
 * `flags` keeps the low 12 bits of bytes 12-13 (the 8 named flags, AccECN's AE bit 0x100 and the
 * three reserved bits) so none is lost.
 * Leaves out: the meaning of SACK blocks, MD5/AO, MPTCP, Fast Open (all kept as `unknown`).
 */

import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { IPPROTO_TCP } from './ip-protocol.js';
import type { Ipv4 } from './ipv4-address.js';
import type { PayloadRepr } from './payload.js';

/** Field offsets of the TCP header. */
const TCP = {
  srcPort: 0,
  dstPort: 2,
  seq: 4,
  ack: 8,
  dataOffsetFlags: 12,
  window: 14,
  checksum: 16,
  urgent: 18,
  options: 20,
  minHeaderLength: 20,
  maxHeaderLength: 60,
} as const;

export const TCP_MIN_HEADER_LENGTH = TCP.minHeaderLength;
export const TCP_MAX_OPTIONS_LENGTH = TCP.maxHeaderLength - TCP.minHeaderLength;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
const FLAGS_MASK = 0x0fff;

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TCP_OPTION = { eol: 0, nop: 1, mss: 2, wscale: 3, sackPermitted: 4, sack: 5, timestamps: 8 } as const;
/** Encoded lengths of the fixed-size options. */
const OPTION_LENGTH = { mss: 4, wscale: 3, sackPermitted: 2, timestamps: 10 } as const;

export type TcpOption =
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'wscale'; readonly shift: number }
  | { readonly kind: 'sack-permitted' }
  | { readonly kind: 'timestamps'; readonly tsval: number; readonly tsecr: number }
  | { readonly kind: 'nop' }
  | { readonly kind: 'eol' }
  /** Any other kind (or a known kind with the wrong length): `data` excludes kind and length bytes. */
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

export interface TcpRepr {
  readonly kind: 'tcp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** Bitmask of TCP_FIN ... TCP_CWR (plus the AE/reserved bits 0x100..0x800 if present). */
  readonly flags: number;
  readonly window: number;
  readonly urgent: number;
  readonly options: readonly TcpOption[];
  readonly payload: PayloadRepr;
}

/** The option bytes, zero-padded to a multiple of 4. Throws if they exceed 40 bytes. */
export function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const out: number[] = [];
  for (const o of options) {
    switch (o.kind) {
      case 'mss':
        out.push(TCP_OPTION.mss, OPTION_LENGTH.mss, (o.value >>> 8) & 0xff, o.value & 0xff);
        break;
      case 'wscale':
        out.push(TCP_OPTION.wscale, OPTION_LENGTH.wscale, o.shift & 0xff);
        break;
      case 'sack-permitted':
        out.push(TCP_OPTION.sackPermitted, OPTION_LENGTH.sackPermitted);
        break;
      case 'timestamps':
        out.push(TCP_OPTION.timestamps, OPTION_LENGTH.timestamps, ...u32Bytes(o.tsval), ...u32Bytes(o.tsecr));
        break;
      case 'nop':
        out.push(TCP_OPTION.nop);
        break;
      case 'eol':
        out.push(TCP_OPTION.eol);
        break;
      case 'unknown':
        if (o.type === TCP_OPTION.eol || o.type === TCP_OPTION.nop || o.type > 0xff) {
          throw new RangeError(`TCP option kind ${o.type} cannot carry data`);
        }
        out.push(o.type, 2 + o.data.length, ...o.data);
        break;
    }
  }
  while (out.length % 4 !== 0) out.push(TCP_OPTION.eol);
  if (out.length > TCP_MAX_OPTIONS_LENGTH) throw new RangeError(`TCP options take ${out.length} bytes, more than 40`);
  return Uint8Array.from(out);
}

function u32Bytes(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export function encodeTcp(repr: TcpRepr, src: Ipv4, dst: Ipv4): Uint8Array {
  const options = encodeTcpOptions(repr.options);
  const headerLength = TCP.minHeaderLength + options.length;
  const length = headerLength + repr.payload.bytes.length;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint16(TCP.srcPort, repr.srcPort);
  view.setUint16(TCP.dstPort, repr.dstPort);
  view.setUint32(TCP.seq, repr.seq >>> 0);
  view.setUint32(TCP.ack, repr.ack >>> 0);
  view.setUint16(TCP.dataOffsetFlags, ((headerLength / 4) << 12) | (repr.flags & FLAGS_MASK));
  view.setUint16(TCP.window, repr.window);
  view.setUint16(TCP.urgent, repr.urgent);
  bytes.set(options, TCP.options);
  bytes.set(repr.payload.bytes, headerLength);
  view.setUint16(TCP.checksum, internetChecksum(bytes, 0, length, pseudoHeaderSum(src, dst, IPPROTO_TCP, length)));
  return bytes;
}

export function decodeTcp(bytes: Uint8Array, src: Ipv4, dst: Ipv4): Decoded<TcpRepr> {
  if (bytes.length < TCP.minHeaderLength) return truncated('tcp', 0, TCP.minHeaderLength, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = view.getUint16(TCP.dataOffsetFlags);
  const headerLength = (word >>> 12) * 4;
  if (headerLength < TCP.minHeaderLength) return decodeIssue('tcp', TCP.dataOffsetFlags, `bad data offset ${headerLength}`);
  if (headerLength > bytes.length) return truncated('tcp', 0, headerLength, bytes.length);
  if (internetChecksum(bytes, 0, bytes.length, pseudoHeaderSum(src, dst, IPPROTO_TCP, bytes.length)) !== 0) {
    return decodeIssue('tcp', TCP.checksum, `bad checksum 0x${view.getUint16(TCP.checksum).toString(16).padStart(4, '0')}`);
  }
  const options = decodeTcpOptions(bytes.subarray(TCP.options, headerLength));
  if (!options.ok) {
    const { offset, message } = options.issue;
    return decodeIssue('tcp', TCP.options + offset, message);
  }
  return decoded({
    kind: 'tcp',
    srcPort: view.getUint16(TCP.srcPort),
    dstPort: view.getUint16(TCP.dstPort),
    seq: view.getUint32(TCP.seq),
    ack: view.getUint32(TCP.ack),
    flags: word & FLAGS_MASK,
    window: view.getUint16(TCP.window),
    urgent: view.getUint16(TCP.urgent),
    options: options.value,
    payload: { kind: 'payload', bytes: bytes.slice(headerLength) },
  });
}

/** Parses the option space (offsets in issues are relative to its start). Stops after EOL. */
export function decodeTcpOptions(bytes: Uint8Array): Decoded<TcpOption[]> {
  const options: TcpOption[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const type = bytes[pos]!;
    if (type === TCP_OPTION.eol) {
      options.push({ kind: 'eol' });
      break;
    }
    if (type === TCP_OPTION.nop) {
      options.push({ kind: 'nop' });
      pos += 1;
      continue;
    }
    if (pos + 1 >= bytes.length) return decodeIssue('tcp-options', pos, `option ${type} has no length byte`);
    const len = bytes[pos + 1]!;
    if (len < 2) return decodeIssue('tcp-options', pos + 1, `option ${type} has bad length ${len}`);
    if (pos + len > bytes.length) return decodeIssue('tcp-options', pos + 1, `option ${type} of length ${len} overruns the header`);
    options.push(decodeOption(type, bytes.subarray(pos + 2, pos + len)));
    pos += len;
  }
  return decoded(options);
}

function decodeOption(type: number, data: Uint8Array): TcpOption {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.length + 2;
  if (type === TCP_OPTION.mss && len === OPTION_LENGTH.mss) return { kind: 'mss', value: view.getUint16(0) };
  if (type === TCP_OPTION.wscale && len === OPTION_LENGTH.wscale) return { kind: 'wscale', shift: data[0]! };
  if (type === TCP_OPTION.sackPermitted && len === OPTION_LENGTH.sackPermitted) return { kind: 'sack-permitted' };
  if (type === TCP_OPTION.timestamps && len === OPTION_LENGTH.timestamps) {
    return { kind: 'timestamps', tsval: view.getUint32(0), tsecr: view.getUint32(4) };
  }
  return { kind: 'unknown', type, data: data.slice() };
}

/** tcpdump's flag letters, in bit order FIN..CWR: `[S]`, `[S.]`, `[P.]`, `[F.]`, `[R.]`, `[none]`. */
export function tcpFlagsText(flags: number): string {
  const letters: [number, string][] = [
    [TCP_FIN, 'F'],
    [TCP_SYN, 'S'],
    [TCP_RST, 'R'],
    [TCP_PSH, 'P'],
    [TCP_ACK, '.'],
    [TCP_URG, 'U'],
    [TCP_ECE, 'E'],
    [TCP_CWR, 'W'],
  ];
  const text = letters.map(([bit, letter]) => ((flags & bit) !== 0 ? letter : '')).join('');
  return `[${text === '' ? 'none' : text}]`;
}

/** Option names of tcpdump's `tcp_option_values` for the kinds kept as `unknown`. */
const UNKNOWN_OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [5, 'sack'],
  [6, 'echo'],
  [7, 'echoreply'],
  [11, 'cc'],
  [12, 'ccnew'],
  [13, 'ccecho'],
  [19, 'md5'],
  [20, 'scps'],
  [28, 'uto'],
  [29, 'tcp-ao'],
  [30, 'mptcp'],
  [34, 'tfo'],
  [253, 'exp'],
  [254, 'exp'],
]);

/** One option as tcpdump 4.99 prints it inside `options [...]` (absolute SACK edges, like -S). */
export function tcpOptionText(o: TcpOption): string {
  switch (o.kind) {
    case 'mss':
      return `mss ${o.value}`;
    case 'wscale':
      return `wscale ${o.shift}`;
    case 'sack-permitted':
      return 'sackOK';
    case 'timestamps':
      return `TS val ${o.tsval} ecr ${o.tsecr}`;
    case 'nop':
      return 'nop';
    case 'eol':
      return 'eol';
    case 'unknown': {
      const name = UNKNOWN_OPTION_NAMES.get(o.type);
      if (o.type === TCP_OPTION.sack && o.data.length % 8 === 0) {
        const view = new DataView(o.data.buffer, o.data.byteOffset, o.data.byteLength);
        let blocks = '';
        for (let i = 0; i < o.data.length; i += 8) blocks += `{${view.getUint32(i)}:${view.getUint32(i + 4)}}`;
        return `sack ${o.data.length / 8} ${blocks}`;
      }
      const hex = Buffer.from(o.data).toString('hex');
      return `${name ?? `unknown-${o.type}`}${hex === '' ? '' : ` 0x${hex}`}`;
    }
  }
}
