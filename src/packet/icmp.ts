/**
 * ICMP for IPv4: echo request/reply, destination unreachable, time exceeded; other types opaque.
 *
 * Models: RFC 792; RFC 1191 (next-hop MTU in "fragmentation needed"); Linux `net/ipv4/icmp.c`
 * and the type/code names of `include/uapi/linux/icmp.h`. The checksum covers the whole ICMP
 * message, no pseudo-header; it is computed on encode and verified on decode.
 * Leaves out: RFC 4884 extensions (length byte, multipart objects), redirects, parameter problem,
 * timestamps (all kept as `type: 'other'` with their bytes). A message whose "unused" bytes are
 * not zero, or an echo with a non-zero code, is also kept as `'other'` so no byte is lost.
 * Quoted datagrams (the original IP header + leading bytes) are decoded by `icmp-quote.ts`.
 *
 *    0      1      2           4                 6                 8
 *   +------+------+-----------+-----------------+-----------------+--------------------
 *   | type | code | checksum  | echo: id        | echo: seq       | echo data
 *   |      |      |           | unreach: unused | unreach: MTU    | quoted IP header + 8 bytes
 *   +------+------+-----------+-----------------+-----------------+--------------------
 */

import { internetChecksum } from './checksum.js';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';

const ICMP = {
  type: 0,
  code: 1,
  checksum: 2,
  id: 4,
  seq: 6,
  unused: 4,
  nextHopMtu: 6,
  rest: 4,
  data: 8,
  headerLength: 8,
} as const;

export const ICMP_HEADER_LENGTH = ICMP.headerLength;

/** ICMP types (`include/uapi/linux/icmp.h`). */
export const ICMP_TYPE = {
  echoReply: 0,
  destUnreachable: 3,
  redirect: 5,
  echoRequest: 8,
  timeExceeded: 11,
  parameterProblem: 12,
} as const;

/** Codes of type 3, destination unreachable (`ICMP_NET_UNREACH` ... `ICMP_PREC_CUTOFF`). */
export const ICMP_UNREACH = {
  net: 0,
  host: 1,
  protocol: 2,
  port: 3,
  /** DF set and the packet exceeds the next-hop MTU; the MTU is in bytes 6-7 (RFC 1191). */
  fragNeeded: 4,
  sourceRouteFailed: 5,
  netUnknown: 6,
  hostUnknown: 7,
  hostIsolated: 8,
  netProhibited: 9,
  hostProhibited: 10,
  netTos: 11,
  hostTos: 12,
  /** `ICMP_PKT_FILTERED`: iptables `REJECT --reject-with icmp-admin-prohibited`. */
  adminProhibited: 13,
  precedenceViolation: 14,
  precedenceCutoff: 15,
} as const;

/** Codes of type 11, time exceeded. */
export const ICMP_TIME_EXCEEDED = {
  /** `ICMP_EXC_TTL`: sent by `ip_forward` when TTL <= 1. */
  ttl: 0,
  /** `ICMP_EXC_FRAGTIME`: reassembly timed out. */
  fragmentReassembly: 1,
} as const;

export interface IcmpEcho {
  readonly kind: 'icmp';
  readonly type: 'echo-request' | 'echo-reply';
  readonly id: number;
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface IcmpDestUnreachable {
  readonly kind: 'icmp';
  readonly type: 'dest-unreachable';
  readonly code: number;
  /** Next-hop MTU for code 4 (fragmentation needed); 0 otherwise. */
  readonly nextHopMtu: number;
  /** The original IPv4 header and leading payload bytes (see `quoteForIcmp`). */
  readonly quoted: Uint8Array;
}

export interface IcmpTimeExceeded {
  readonly kind: 'icmp';
  readonly type: 'time-exceeded';
  readonly code: number;
  readonly quoted: Uint8Array;
}

/** Any other message: `rest` is everything after the checksum (at least the 4 header bytes). */
export interface IcmpOther {
  readonly kind: 'icmp';
  readonly type: 'other';
  readonly icmpType: number;
  readonly code: number;
  readonly rest: Uint8Array;
}

export type IcmpRepr = IcmpEcho | IcmpDestUnreachable | IcmpTimeExceeded | IcmpOther;

/** Echo request (`ping`): type 8 code 0. */
export function echoRequest(id: number, seq: number, data: Uint8Array = new Uint8Array(0)): IcmpEcho {
  return { kind: 'icmp', type: 'echo-request', id, seq, data };
}

/** The reply Linux's `icmp_echo` builds: same id, seq and data. */
export function echoReplyTo(request: IcmpEcho): IcmpEcho {
  return { kind: 'icmp', type: 'echo-reply', id: request.id, seq: request.seq, data: request.data };
}

export function destUnreachable(code: number, quoted: Uint8Array, nextHopMtu = 0): IcmpDestUnreachable {
  return { kind: 'icmp', type: 'dest-unreachable', code, nextHopMtu, quoted };
}

export function timeExceeded(quoted: Uint8Array, code: number = ICMP_TIME_EXCEEDED.ttl): IcmpTimeExceeded {
  return { kind: 'icmp', type: 'time-exceeded', code, quoted };
}

/** The numeric type and code a repr is sent with. */
export function icmpTypeCode(repr: IcmpRepr): { readonly type: number; readonly code: number } {
  switch (repr.type) {
    case 'echo-request':
      return { type: ICMP_TYPE.echoRequest, code: 0 };
    case 'echo-reply':
      return { type: ICMP_TYPE.echoReply, code: 0 };
    case 'dest-unreachable':
      return { type: ICMP_TYPE.destUnreachable, code: repr.code };
    case 'time-exceeded':
      return { type: ICMP_TYPE.timeExceeded, code: repr.code };
    case 'other':
      return { type: repr.icmpType, code: repr.code };
  }
}

/** ICMP error messages (Linux never answers these with another error, `icmp_pointers[].error`). */
export function isIcmpError(repr: IcmpRepr): boolean {
  const { type } = icmpTypeCode(repr);
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export function encodeIcmp(repr: IcmpRepr): Uint8Array {
  const { type, code } = icmpTypeCode(repr);
  let bytes: Uint8Array;
  switch (repr.type) {
    case 'echo-request':
    case 'echo-reply':
      bytes = new Uint8Array(ICMP.headerLength + repr.data.length);
      writeU16(bytes, ICMP.id, repr.id);
      writeU16(bytes, ICMP.seq, repr.seq);
      bytes.set(repr.data, ICMP.data);
      break;
    case 'dest-unreachable':
      bytes = new Uint8Array(ICMP.headerLength + repr.quoted.length);
      writeU16(bytes, ICMP.nextHopMtu, repr.nextHopMtu);
      bytes.set(repr.quoted, ICMP.data);
      break;
    case 'time-exceeded':
      bytes = new Uint8Array(ICMP.headerLength + repr.quoted.length);
      bytes.set(repr.quoted, ICMP.data);
      break;
    case 'other':
      if (repr.rest.length < ICMP.headerLength - ICMP.rest) {
        throw new RangeError(`ICMP 'other' needs at least 4 bytes of rest, got ${repr.rest.length}`);
      }
      bytes = new Uint8Array(ICMP.rest + repr.rest.length);
      bytes.set(repr.rest, ICMP.rest);
      break;
  }
  bytes[ICMP.type] = type;
  bytes[ICMP.code] = code;
  writeU16(bytes, ICMP.checksum, internetChecksum(bytes));
  return bytes;
}

export function decodeIcmp(bytes: Uint8Array): Decoded<IcmpRepr> {
  if (bytes.length < ICMP.headerLength) return truncated('icmp', 0, ICMP.headerLength, bytes.length);
  // Summing a message that carries its checksum gives 0xffff, so the complement is 0.
  if (internetChecksum(bytes) !== 0) {
    return decodeIssue('icmp', ICMP.checksum, `bad checksum 0x${readU16(bytes, ICMP.checksum).toString(16).padStart(4, '0')}`);
  }
  const type = bytes[ICMP.type]!;
  const code = bytes[ICMP.code]!;
  const body = bytes.slice(ICMP.data);
  if ((type === ICMP_TYPE.echoRequest || type === ICMP_TYPE.echoReply) && code === 0) {
    return decoded({
      kind: 'icmp',
      type: type === ICMP_TYPE.echoRequest ? 'echo-request' : 'echo-reply',
      id: readU16(bytes, ICMP.id),
      seq: readU16(bytes, ICMP.seq),
      data: body,
    });
  }
  if (type === ICMP_TYPE.destUnreachable && readU16(bytes, ICMP.unused) === 0) {
    return decoded({ kind: 'icmp', type: 'dest-unreachable', code, nextHopMtu: readU16(bytes, ICMP.nextHopMtu), quoted: body });
  }
  if (type === ICMP_TYPE.timeExceeded && readU16(bytes, ICMP.unused) === 0 && readU16(bytes, ICMP.unused + 2) === 0) {
    return decoded({ kind: 'icmp', type: 'time-exceeded', code, quoted: body });
  }
  return decoded({ kind: 'icmp', type: 'other', icmpType: type, code, rest: bytes.slice(ICMP.rest) });
}

function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}
