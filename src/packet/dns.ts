/**
 * DNS messages as Docker's embedded resolver (127.0.0.11) and its clients exchange them over UDP.
 *
 * Models: RFC 1035 (header, question, resource records, name compression), RFC 2782 (SRV),
 * RFC 3596 (AAAA), RFC 4343 (case is kept as sent; Docker's resolver matches case-insensitively
 * but echoes the question). The libnetwork side is `libnetwork/resolver.go` (miekg/dns).
 *
 *    0       2       4         6         8         10        12
 *   +-------+-------+---------+---------+---------+---------+-----------------------------+
 *   |  id   | flags | qdcount | ancount | nscount | arcount | questions, answers, authority,
 *   +-------+-------+---------+---------+---------+---------+ additional records ...
 *   flags: QR(0x8000) | opcode(0x7800) | AA(0x400) | TC(0x200) | RD(0x100) | RA(0x80)
 *          | Z(0x40) | AD(0x20) | CD(0x10) | rcode(0x000f)
 *   question: name, type(2), class(2)       record: name, type(2), class(2), ttl(4), rdlength(2), rdata
 *
 * Names are kept in presentation form without the trailing dot (root = `''`), labels joined by
 * `.`; inside a label `.` and `\` are escaped as `\.` and `\\`, and bytes outside 0x21..0x7e as
 * `\DDD` (decimal), as dig prints them. Encoding compresses names (RFC 1035 4.1.4) by exact,
 * case-sensitive suffix match in question names, owner names and NS/CNAME/PTR data, never in SRV
 * targets (RFC 2782); decoding follows pointers with a hop limit and the 255-byte name limit.
 *
 * Leaves out: the Z, AD and CD header bits (ignored on decode, written as 0); EDNS0 semantics (an
 * OPT record is an ordinary record with raw data); DNS over TCP framing; record types other than
 * A, AAAA, NS, CNAME, PTR, SRV, whose data stays raw bytes (names inside raw data such as SOA or MX
 * keep their compression pointers, which only make sense in the original message).
 * Invariant: decode rejects trailing bytes after the last record, so a decoded message carries
 * every byte it came from.
 */

import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { ipv4FromBytes, writeIpv4, type Ipv4 } from './ipv4-address.js';

/** Field offsets of the fixed header, and of the fixed parts after a name. */
const DNS = {
  id: 0,
  flags: 2,
  qdcount: 4,
  ancount: 6,
  nscount: 8,
  arcount: 10,
  headerLength: 12,
  /** After a question's name: type(2) class(2). */
  questionFixed: 4,
  /** After a record's name: type(2) class(2) ttl(4) rdlength(2). */
  recordType: 0,
  recordClass: 2,
  recordTtl: 4,
  recordRdlength: 8,
  recordFixed: 10,
  /** SRV rdata: priority(2) weight(2) port(2) target. */
  srvPriority: 0,
  srvWeight: 2,
  srvPort: 4,
  srvTarget: 6,
} as const;

const FLAG = { qr: 0x8000, opcodeShift: 11, aa: 0x0400, tc: 0x0200, rd: 0x0100, ra: 0x0080, rcodeMask: 0x000f } as const;

/** RFC 1035 2.3.4: labels are at most 63 bytes, a name at most 255 bytes on the wire. */
const MAX_LABEL = 63;
const MAX_NAME = 255;
/** A pointer chain longer than this is a loop (a 255-byte name has at most 127 labels). */
const MAX_POINTER_HOPS = 127;
const POINTER_MASK = 0xc0;
const MAX_POINTER_OFFSET = 0x3fff;

export const DNS_PORT = 53;
export const DNS_HEADER_LENGTH = DNS.headerLength;

/** Resource record types (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 6891). */
export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
/** Classes: IN is the only one Docker's resolver answers. */
export const DNS_CLASS = { IN: 1, CH: 3, ANY: 255 } as const;
/** Response codes (RFC 1035 4.1.1). */
export const DNS_RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** Opcodes: QUERY is the only one in use here. */
export const DNS_OPCODE = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export type DnsRecordData =
  | { readonly kind: 'A'; readonly address: Ipv4 }
  /** 16 bytes, network order. */
  | { readonly kind: 'AAAA'; readonly address: Uint8Array }
  | { readonly kind: 'NS'; readonly name: string }
  | { readonly kind: 'CNAME'; readonly name: string }
  | { readonly kind: 'PTR'; readonly name: string }
  | { readonly kind: 'SRV'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  /** Any other type (SOA, MX, TXT, OPT, ...): the rdata bytes as sent. */
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/**
 * One resource record. `type` is what goes on the wire; `data.kind` must agree with it (A with
 * type 1, AAAA 28, NS 2, CNAME 5, PTR 12, SRV 33; `raw` with any other type).
 */
export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: DnsRecordData;
}

export interface DnsRepr {
  readonly kind: 'dns';
  readonly id: number;
  /** true for a response. */
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

/** A standard recursive query for one name, as glibc's stub resolver sends it (flags 0x0100). */
export function dnsQuery(id: number, name: string, type: number = DNS_TYPE.A): DnsRepr {
  return {
    kind: 'dns', id, qr: false, opcode: DNS_OPCODE.QUERY, aa: false, tc: false, rd: true, ra: false,
    rcode: DNS_RCODE.NOERROR, questions: [{ name, type, class: DNS_CLASS.IN }], answers: [], authorities: [], additionals: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Splits a presentation-form name into label byte strings. Throws on a malformed name. */
export function dnsNameLabels(name: string): Uint8Array[] {
  if (name === '') return [];
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  const finish = (): void => {
    if (current.length === 0) throw new RangeError(`DNS name ${JSON.stringify(name)} has an empty label`);
    if (current.length > MAX_LABEL) throw new RangeError(`DNS label longer than ${MAX_LABEL} bytes in ${JSON.stringify(name)}`);
    labels.push(Uint8Array.from(current));
    current = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError(`DNS name ${JSON.stringify(name)} must be ASCII presentation form`);
    if (c === 0x2e /* . */) {
      finish();
    } else if (c === 0x5c /* \ */) {
      const digits = /^[0-9]{3}/.exec(name.slice(i + 1, i + 4));
      if (digits !== null) {
        const value = Number(digits[0]);
        if (value > 255) throw new RangeError(`bad escape \\${digits[0]} in DNS name ${JSON.stringify(name)}`);
        current.push(value);
        i += 3;
      } else if (i + 1 < name.length) {
        current.push(name.charCodeAt(i + 1));
        i += 1;
      } else {
        throw new RangeError(`DNS name ${JSON.stringify(name)} ends in a lone backslash`);
      }
    } else {
      current.push(c);
    }
  }
  finish();
  const wire = labels.reduce((n, l) => n + 1 + l.length, 1);
  if (wire > MAX_NAME) throw new RangeError(`DNS name longer than ${MAX_NAME} bytes: ${JSON.stringify(name)}`);
  return labels;
}

/** The presentation form of one label's bytes (see the header comment for the escapes). */
export function dnsLabelText(label: Uint8Array): string {
  let text = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c) text += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x21 && b <= 0x7e) text += String.fromCharCode(b);
    else text += `\\${b.toString().padStart(3, '0')}`;
  }
  return text;
}

/** Grows as the message is written; remembers where each name suffix was put for compression. */
class DnsWriter {
  private buf = new Uint8Array(512);
  length = 0;
  private readonly suffixes = new Map<string, number>();

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`DNS 16-bit field out of range: ${v}`);
    this.u8(v >>> 8);
    this.u8(v);
  }

  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`DNS 32-bit field out of range: ${v}`);
    this.u16(Math.floor(v / 0x10000));
    this.u16(v % 0x10000);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  setU16(offset: number, v: number): void {
    this.buf[offset] = (v >>> 8) & 0xff;
    this.buf[offset + 1] = v & 0xff;
  }

  name(name: string, compress: boolean): void {
    const labels = dnsNameLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).map(dnsLabelText).join('.');
      const seen = compress ? this.suffixes.get(key) : undefined;
      if (seen !== undefined) {
        this.u16(0xc000 | seen);
        return;
      }
      if (this.length <= MAX_POINTER_OFFSET && !this.suffixes.has(key)) this.suffixes.set(key, this.length);
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function encodeDns(repr: DnsRepr): Uint8Array {
  const w = new DnsWriter();
  w.u16(repr.id);
  w.u16(
    (repr.qr ? FLAG.qr : 0) |
      ((repr.opcode & 0xf) << FLAG.opcodeShift) |
      (repr.aa ? FLAG.aa : 0) |
      (repr.tc ? FLAG.tc : 0) |
      (repr.rd ? FLAG.rd : 0) |
      (repr.ra ? FLAG.ra : 0) |
      (repr.rcode & FLAG.rcodeMask),
  );
  w.u16(repr.questions.length);
  w.u16(repr.answers.length);
  w.u16(repr.authorities.length);
  w.u16(repr.additionals.length);
  for (const q of repr.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const section of [repr.answers, repr.authorities, repr.additionals]) {
    for (const r of section) writeRecord(w, r);
  }
  return w.result();
}

function writeRecord(w: DnsWriter, r: DnsRecord): void {
  w.name(r.name, true);
  w.u16(r.type);
  w.u16(r.class);
  w.u32(r.ttl);
  const rdlengthAt = w.length;
  w.u16(0);
  const start = w.length;
  const d = r.data;
  switch (d.kind) {
    case 'A': {
      const four = new Uint8Array(4);
      writeIpv4(four, 0, d.address);
      w.bytes(four);
      break;
    }
    case 'AAAA':
      if (d.address.length !== 16) throw new RangeError(`AAAA address must be 16 bytes, got ${d.address.length}`);
      w.bytes(d.address);
      break;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      w.name(d.name, true);
      break;
    case 'SRV':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      w.name(d.target, false);
      break;
    case 'raw':
      w.bytes(d.bytes);
      break;
  }
  const rdlength = w.length - start;
  if (rdlength > 0xffff) throw new RangeError(`DNS rdata longer than 65535 bytes`);
  w.setU16(rdlengthAt, rdlength);
}

// ---------------------------------------------------------------------------------------------
// Decoding

type At<T> = { readonly ok: true; readonly value: T; readonly next: number } | { readonly ok: false; readonly issue: Decoded<never> };

function fail(offset: number, message: string): { ok: false; issue: Decoded<never> } {
  return { ok: false, issue: decodeIssue('dns', offset, message) };
}

function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

/** Reads a possibly compressed name at `offset`; `next` is the offset after it in the message. */
export function readDnsName(bytes: Uint8Array, offset: number, end = bytes.length): At<string> {
  const labels: string[] = [];
  let pos = offset;
  let next: number | undefined;
  let wire = 1;
  let hops = 0;
  for (;;) {
    const limit = next === undefined ? end : bytes.length;
    if (pos >= limit) return fail(pos, 'truncated name');
    const len = bytes[pos]!;
    if ((len & POINTER_MASK) === POINTER_MASK) {
      if (pos + 2 > limit) return fail(pos, 'truncated compression pointer');
      const target = u16(bytes, pos) & MAX_POINTER_OFFSET;
      if (++hops > MAX_POINTER_HOPS) return fail(pos, 'compression pointer loop');
      if (target >= bytes.length) return fail(pos, `compression pointer to ${target} beyond message end ${bytes.length}`);
      next ??= pos + 2;
      pos = target;
      continue;
    }
    if ((len & POINTER_MASK) !== 0) return fail(pos, `unsupported label type 0x${(len & POINTER_MASK).toString(16)}`);
    if (len === 0) return { ok: true, value: labels.join('.'), next: next ?? pos + 1 };
    wire += 1 + len;
    if (wire > MAX_NAME) return fail(pos, `name longer than ${MAX_NAME} bytes`);
    if (pos + 1 + len > limit) return fail(pos, `truncated label: need ${len} bytes`);
    labels.push(dnsLabelText(bytes.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
}

function readQuestion(bytes: Uint8Array, offset: number): At<DnsQuestion> {
  const name = readDnsName(bytes, offset);
  if (!name.ok) return name;
  const p = name.next;
  if (p + DNS.questionFixed > bytes.length) return fail(p, `truncated question: need ${DNS.questionFixed} bytes, have ${bytes.length - p}`);
  return { ok: true, value: { name: name.value, type: u16(bytes, p), class: u16(bytes, p + 2) }, next: p + DNS.questionFixed };
}

function readRecord(bytes: Uint8Array, offset: number): At<DnsRecord> {
  const name = readDnsName(bytes, offset);
  if (!name.ok) return name;
  const p = name.next;
  if (p + DNS.recordFixed > bytes.length) return fail(p, `truncated record: need ${DNS.recordFixed} bytes, have ${bytes.length - p}`);
  const type = u16(bytes, p + DNS.recordType);
  const cls = u16(bytes, p + DNS.recordClass);
  const ttl = ((u16(bytes, p + DNS.recordTtl) << 16) | u16(bytes, p + DNS.recordTtl + 2)) >>> 0;
  const rdlength = u16(bytes, p + DNS.recordRdlength);
  const start = p + DNS.recordFixed;
  const end = start + rdlength;
  if (end > bytes.length) return fail(start, `truncated rdata: need ${rdlength} bytes, have ${bytes.length - start}`);
  const data = readRecordData(bytes, type, start, end);
  if (!data.ok) return data;
  return { ok: true, value: { name: name.value, type, class: cls, ttl, data: data.value }, next: end };
}

function readRecordData(bytes: Uint8Array, type: number, start: number, end: number): At<DnsRecordData> {
  const rdlength = end - start;
  const wholeName = (at: number): At<string> => {
    const n = readDnsName(bytes, at, end);
    if (n.ok && n.next !== end) return fail(n.next, `${end - n.next} bytes after the name in rdata`);
    return n;
  };
  switch (type) {
    case DNS_TYPE.A:
      if (rdlength !== 4) return fail(start, `A rdata must be 4 bytes, got ${rdlength}`);
      return { ok: true, value: { kind: 'A', address: ipv4FromBytes(bytes, start) }, next: end };
    case DNS_TYPE.AAAA:
      if (rdlength !== 16) return fail(start, `AAAA rdata must be 16 bytes, got ${rdlength}`);
      return { ok: true, value: { kind: 'AAAA', address: bytes.slice(start, end) }, next: end };
    case DNS_TYPE.NS:
    case DNS_TYPE.CNAME:
    case DNS_TYPE.PTR: {
      const n = wholeName(start);
      if (!n.ok) return n;
      const kind = type === DNS_TYPE.NS ? 'NS' : type === DNS_TYPE.CNAME ? 'CNAME' : 'PTR';
      return { ok: true, value: { kind, name: n.value }, next: end };
    }
    case DNS_TYPE.SRV: {
      if (rdlength < DNS.srvTarget + 1) return fail(start, `SRV rdata must be at least 7 bytes, got ${rdlength}`);
      const n = wholeName(start + DNS.srvTarget);
      if (!n.ok) return n;
      return {
        ok: true,
        value: {
          kind: 'SRV',
          priority: u16(bytes, start + DNS.srvPriority),
          weight: u16(bytes, start + DNS.srvWeight),
          port: u16(bytes, start + DNS.srvPort),
          target: n.value,
        },
        next: end,
      };
    }
    default:
      return { ok: true, value: { kind: 'raw', bytes: bytes.slice(start, end) }, next: end };
  }
}

export function decodeDns(bytes: Uint8Array): Decoded<DnsRepr> {
  if (bytes.length < DNS.headerLength) return truncated('dns', 0, DNS.headerLength, bytes.length);
  const flags = u16(bytes, DNS.flags);
  let pos: number = DNS.headerLength;
  const questions: DnsQuestion[] = [];
  for (let i = u16(bytes, DNS.qdcount); i > 0; i--) {
    const q = readQuestion(bytes, pos);
    if (!q.ok) return q.issue;
    questions.push(q.value);
    pos = q.next;
  }
  const sections: DnsRecord[][] = [];
  for (const countAt of [DNS.ancount, DNS.nscount, DNS.arcount]) {
    const records: DnsRecord[] = [];
    for (let i = u16(bytes, countAt); i > 0; i--) {
      const r = readRecord(bytes, pos);
      if (!r.ok) return r.issue;
      records.push(r.value);
      pos = r.next;
    }
    sections.push(records);
  }
  if (pos !== bytes.length) return decodeIssue('dns', pos, `${bytes.length - pos} trailing bytes after the last record`);
  return decoded({
    kind: 'dns',
    id: u16(bytes, DNS.id),
    qr: (flags & FLAG.qr) !== 0,
    opcode: (flags >>> FLAG.opcodeShift) & 0xf,
    aa: (flags & FLAG.aa) !== 0,
    tc: (flags & FLAG.tc) !== 0,
    rd: (flags & FLAG.rd) !== 0,
    ra: (flags & FLAG.ra) !== 0,
    rcode: flags & FLAG.rcodeMask,
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
  });
}

// ---------------------------------------------------------------------------------------------
// tcpdump-style summary

/** tcpdump 4.99's `ns_type2str` (checked for every type 0..300); others print as `Type<n>`. */
const TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  (
    '1 A 2 NS 3 MD 4 MF 5 CNAME 6 SOA 7 MB 8 MG 9 MR 10 NULL 11 WKS 12 PTR 13 HINFO 14 MINFO 15 MX 16 TXT ' +
    '17 RP 18 AFSDB 19 X25 20 ISDN 21 RT 22 NSAP 23 NSAP_PTR 24 SIG 25 KEY 26 PX 27 GPOS 28 AAAA 29 LOC ' +
    '30 NXT 31 EID 32 NIMLOC 33 SRV 34 ATMA 35 NAPTR 36 KX 37 CERT 38 A6 39 DNAME 40 SINK 41 OPT 42 APL ' +
    '43 DS 44 SSHFP 45 IPSECKEY 46 RRSIG 47 NSEC 48 DNSKEY 99 SPF 100 UINFO 101 UID 102 GID 103 UNSPEC ' +
    '104 UNSPECA 249 TKEY 250 TSIG 251 IXFR 252 AXFR 253 MAILB 254 MAILA 255 ANY 256 URI'
  )
    .split(' ')
    .flatMap((word, i, words) => (i % 2 === 0 ? [[Number(word), words[i + 1]!] as const] : [])),
);
const CLASS_NAMES: ReadonlyMap<number, string> = new Map([[1, 'IN'], [3, 'CHAOS'], [4, 'HS'], [255, 'ANY']]);
const OPCODE_TEXT = ['', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];
const RCODE_TEXT = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange'];

export function dnsTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `Type${type}`;
}

function className(cls: number): string {
  return CLASS_NAMES.get(cls) ?? `(Class ${cls})`;
}

/**
 * A name as tcpdump's `fqdn_print` shows it: label bytes raw, except non-ASCII as `M-x` and control
 * characters as `^X` (`fn_print_char`), each label followed by a dot, the root as `.`.
 */
function fqdn(name: string): string {
  let labels: Uint8Array[];
  try {
    labels = dnsNameLabels(name);
  } catch {
    return `${name}.`;
  }
  if (labels.length === 0) return '.';
  return labels.map((label) => `${Array.from(label, printChar).join('')}.`).join('');
}

/** tcpdump's `fn_print_char`: non-ASCII as `M-` + the low 7 bits, control characters as `^X`. */
function printChar(byte: number): string {
  let c = byte;
  let text = '';
  if (c > 0x7f) {
    c &= 0x7f;
    text += 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    text += '^';
  }
  return text + String.fromCharCode(c);
}

/**
 * The DNS part of a `tcpdump -n` line (print-domain.c, non-verbose): `1234+ A? web. (21)` for a
 * query, `1234 1/0/0 A 172.18.0.3 (37)` or `1234 NXDomain 0/0/0 (21)` for a response. `length` is
 * the UDP payload length. Extended rcodes from OPT and the AD/CD bits are not kept, so not shown.
 */
export function dnsSummary(repr: DnsRepr, length: number): string {
  const opcode = OPCODE_TEXT[repr.opcode & 0xf]!;
  let text: string;
  if (repr.qr) {
    text = `${repr.id}${opcode}${RCODE_TEXT[repr.rcode & 0xf]!}${repr.aa ? '*' : ''}${repr.ra ? '' : '-'}${repr.tc ? '|' : ''}`;
    // tcpdump skips the questions without -vv but still prints a comma between them.
    if (repr.questions.length !== 1) text += ` [${repr.questions.length}q]${','.repeat(Math.max(repr.questions.length - 1, 0))}`;
    text += ` ${repr.answers.length}/${repr.authorities.length}/${repr.additionals.length}`;
    text += repr.answers.map(recordSummary).join(',');
  } else {
    text = `${repr.id}${opcode}${repr.rd ? '+' : ''}`;
    // tcpdump flags query header bits that only belong in responses (AA, TC, RA, Z, rcode).
    const weird = (repr.aa ? 0x400 : 0) | (repr.tc ? 0x200 : 0) | (repr.ra ? 0x80 : 0) | (repr.rcode & 0xf);
    if (weird !== 0) text += ` [b2&3=0x${encodedFlags(repr).toString(16)}]`;
    if (repr.opcode === DNS_OPCODE.IQUERY) {
      if (repr.questions.length !== 0) text += ` [${repr.questions.length}q]`;
      if (repr.answers.length !== 1) text += ` [${repr.answers.length}a]`;
    } else {
      if (repr.answers.length !== 0) text += ` [${repr.answers.length}a]`;
      if (repr.questions.length !== 1) text += ` [${repr.questions.length}q]`;
    }
    if (repr.authorities.length !== 0) text += ` [${repr.authorities.length}n]`;
    if (repr.additionals.length !== 0) text += ` [${repr.additionals.length}au]`;
    for (const q of repr.questions) {
      text += ` ${dnsTypeName(q.type)}${q.class === DNS_CLASS.IN ? '' : ` ${className(q.class)}`}? ${fqdn(q.name)}`;
    }
  }
  return `${text} (${length})`;
}

function encodedFlags(repr: DnsRepr): number {
  const bytes = encodeDns({ ...repr, questions: [], answers: [], authorities: [], additionals: [] });
  return u16(bytes, DNS.flags);
}

/** One answer as `ns_rprint` shows it without -v: ` TYPE data` (the owner name is left out). */
function recordSummary(r: DnsRecord): string {
  let text = r.class !== DNS_CLASS.IN && r.type !== DNS_TYPE.OPT ? ` ${className(r.class)}` : '';
  text += ` ${dnsTypeName(r.type)}`;
  const d = r.data;
  switch (d.kind) {
    case 'A':
      return `${text} ${formatIpv4Dotted(d.address)}`;
    case 'AAAA':
      return `${text} ${formatIpv6(d.address)}`;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return `${text} ${fqdn(d.name)}`;
    case 'SRV':
      return `${text} ${fqdn(d.target)}:${d.port} ${d.priority} ${d.weight}`;
    case 'raw':
      return text + rawRecordSummary(r.type, r.class, r.ttl, d.bytes);
  }
}

function rawRecordSummary(type: number, cls: number, ttl: number, bytes: Uint8Array): string {
  if (type === DNS_TYPE.OPT) {
    // OPT reuses class as the UDP payload size and the TTL's high bits as flags (RFC 6891).
    return ` UDPsize=${cls}${(ttl & 0x8000) !== 0 ? ' DO' : ''}`;
  }
  // Names inside raw data are printed when they carry no compression pointer (a pointer refers to
  // the message they came in, which a repr no longer has).
  if (type === DNS_TYPE.MX && bytes.length >= 3) {
    const n = readDnsName(bytes, 2);
    if (n.ok) return ` ${fqdn(n.value)} ${u16(bytes, 0)}`;
  }
  if (type === DNS_TYPE_DNAME) {
    const n = readDnsName(bytes, 0);
    if (n.ok) return ` ${fqdn(n.value)}`;
  }
  if (type === DNS_TYPE.TXT) {
    let text = '';
    for (let i = 0; i < bytes.length; ) {
      const len = bytes[i]!;
      if (i + 1 + len > bytes.length) break;
      text += ` "${Array.from(bytes.subarray(i + 1, i + 1 + len), printChar).join('')}"`;
      i += 1 + len;
    }
    return text;
  }
  return '';
}

/** RFC 6672 DNAME: printed like CNAME by tcpdump, kept as raw data here. */
const DNS_TYPE_DNAME = 39;

function formatIpv4Dotted(ip: Ipv4): string {
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.');
}

/**
 * RFC 5952 text of a 16-byte IPv6 address as tcpdump's `addrtostr6` prints it: lowercase, the
 * longest run of two or more zero groups as `::`, and `::a.b.c.d` / `::ffff:a.b.c.d` for the
 * IPv4-compatible and IPv4-mapped forms.
 */
export function formatIpv6(address: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((address[i] ?? 0) << 8) | (address[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      parts.push(i === 0 ? ':' : '');
      i += bestLength - 1;
      if (i === 7) parts.push('');
      continue;
    }
    if (i === 6 && bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
      parts.push(`${address[12]}.${address[13]}.${address[14]}.${address[15]}`);
      break;
    }
    parts.push(words[i]!.toString(16));
  }
  return parts.join(':');
}
