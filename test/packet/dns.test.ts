// DNS: hand-built messages both ways (a query, a compressed response in the layout miekg/dns
// produces), compression pointer safety, name limits and escapes, record data kinds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDns,
  dnsLabelText,
  dnsNameLabels,
  dnsQuery,
  DNS_CLASS,
  DNS_RCODE,
  DNS_TYPE,
  encodeDns,
  parseIpv4,
  readDnsName,
  type DnsRepr,
} from '../../src/packet/index.js';
import { arbDns } from './arbitraries-l4.js';
import { hex, toHex } from './link-fixtures.js';

/** `dig +noedns web` through glibc: id 0x1234, RD, one question web/A/IN. 21 bytes. */
const QUERY = hex('1234 0100 0001 0000 0000 0000  03 776562 00  0001 0001');

/**
 * The embedded resolver's answer for a service alias: web CNAME tasks.web, tasks.web A 10.0.1.5.
 * Names are compressed: the CNAME owner points at the question (0xc00c), its target writes
 * "tasks" then points at "web" (0xc00c), and the A owner points at "tasks.web" (offset 33, 0xc021).
 */
const RESPONSE = hex(`
  1234 8180 0001 0002 0000 0000
  03 776562 00 0001 0001
  c00c 0005 0001 00000258 0008  05 7461736b73 c00c
  c021 0001 0001 00000258 0004  0a000105`);

const responseRepr: DnsRepr = {
  ...dnsQuery(0x1234, 'web'),
  qr: true,
  ra: true,
  answers: [
    { name: 'web', type: DNS_TYPE.CNAME, class: DNS_CLASS.IN, ttl: 600, data: { kind: 'CNAME', name: 'tasks.web' } },
    { name: 'tasks.web', type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl: 600, data: { kind: 'A', address: parseIpv4('10.0.1.5')! } },
  ],
};

function issueOf(bytes: Uint8Array): { offset: number; message: string } | undefined {
  const d = decodeDns(bytes);
  return d.ok ? undefined : { offset: d.issue.offset, message: d.issue.message };
}

describe('dns', () => {
  it('encodes and decodes a query', () => {
    expect(toHex(encodeDns(dnsQuery(0x1234, 'web')))).toBe(toHex(QUERY));
    expect(decodeDns(QUERY)).toEqual({ ok: true, value: dnsQuery(0x1234, 'web') });
  });

  it('follows compression pointers, and compresses the same way', () => {
    expect(decodeDns(RESPONSE)).toEqual({ ok: true, value: responseRepr });
    expect(toHex(encodeDns(responseRepr))).toBe(toHex(RESPONSE));
  });

  it('reads the header flags and rcode', () => {
    const nx = hex('beef 8183 0000 0000 0000 0000');
    expect(decodeDns(nx)).toMatchObject({ ok: true, value: { id: 0xbeef, qr: true, rd: true, ra: true, rcode: DNS_RCODE.NXDOMAIN } });
    const weird = hex('0001 7e0f 0000 0000 0000 0000');
    expect(decodeDns(weird)).toMatchObject({ ok: true, value: { qr: false, opcode: 15, aa: true, tc: true, rd: false, ra: false, rcode: 15 } });
  });

  it('keeps case as sent (Docker echoes the question)', () => {
    const mixed = dnsQuery(1, 'Web.Example');
    expect(decodeDns(encodeDns(mixed))).toEqual({ ok: true, value: mixed });
    // Compression is by exact spelling: "WEB" does not reuse "web".
    const two: DnsRepr = { ...mixed, questions: [{ name: 'web', type: 1, class: 1 }, { name: 'WEB', type: 1, class: 1 }] };
    expect(encodeDns(two).length).toBe(12 + 2 * (5 + 4));
  });

  it('rejects pointer loops, pointers past the end and reserved label types', () => {
    // Question name at 12 is a pointer to itself.
    expect(issueOf(hex('0000 0000 0001 0000 0000 0000 c00c 0001 0001'))).toEqual({ offset: 12, message: 'compression pointer loop' });
    // Two pointers pointing at each other.
    expect(issueOf(hex('0000 0000 0001 0000 0000 0000 c00e c00c 0001 0001'))?.message).toBe('compression pointer loop');
    expect(issueOf(hex('0000 0000 0001 0000 0000 0000 c0ff 0001 0001'))).toEqual({
      offset: 12,
      message: 'compression pointer to 255 beyond message end 18',
    });
    expect(issueOf(hex('0000 0000 0001 0000 0000 0000 4001 0001 0001'))).toEqual({ offset: 12, message: 'unsupported label type 0x40' });
  });

  it('enforces the 255-byte name limit, also across pointers', () => {
    const label = `3f${'61'.repeat(63)}`;
    // 4 labels of 63 = 257 bytes with lengths and the root.
    expect(issueOf(hex(`0000 0000 0001 0000 0000 0000 ${label.repeat(4)} 00 0001 0001`))?.message).toBe('name longer than 255 bytes');
    // 3 labels then a pointer back to the first label: 3*64 + 64 + 1 > 255.
    expect(issueOf(hex(`0000 0000 0001 0000 0000 0000 ${label.repeat(3)} c00c 0001 0001`))?.message).toBe('name longer than 255 bytes');
  });

  it('reports truncation precisely', () => {
    expect(issueOf(QUERY.subarray(0, 11))).toEqual({ offset: 0, message: 'truncated: need 12 bytes, have 11' });
    expect(issueOf(QUERY.subarray(0, 14))).toEqual({ offset: 12, message: 'truncated label: need 3 bytes' });
    expect(issueOf(QUERY.subarray(0, 19))).toEqual({ offset: 17, message: 'truncated question: need 4 bytes, have 2' });
    expect(issueOf(RESPONSE.subarray(0, RESPONSE.length - 1))).toEqual({ offset: 53, message: 'truncated rdata: need 4 bytes, have 3' });
  });

  it('rejects trailing bytes and malformed A, AAAA and name rdata', () => {
    const trailing = new Uint8Array(QUERY.length + 2);
    trailing.set(QUERY);
    expect(issueOf(trailing)).toEqual({ offset: 21, message: '2 trailing bytes after the last record' });
    const answer = (type: string, rdata: string): Uint8Array => {
      const length = rdata.replace(/\s+/g, '').length / 2;
      return hex(`0000 8000 0000 0001 0000 0000 00 ${type} 0001 00000000 ${length.toString(16).padStart(4, '0')} ${rdata}`);
    };
    expect(issueOf(answer('0001', '0a0000'))).toEqual({ offset: 23, message: 'A rdata must be 4 bytes, got 3' });
    expect(issueOf(answer('001c', '00'.repeat(15)))).toEqual({ offset: 23, message: 'AAAA rdata must be 16 bytes, got 15' });
    expect(issueOf(answer('0005', '0161 00 ff'))).toEqual({ offset: 26, message: '1 bytes after the name in rdata' });
    // A name may not run past its rdata even though the message continues.
    expect(issueOf(hex('0000 8000 0000 0002 0000 0000 00 0005 0001 00000000 0001 01 00 0001 0001 00000000 0000'))?.message).toBe(
      'truncated label: need 1 bytes',
    );
    expect(issueOf(answer('0021', '000100020003'))).toEqual({ offset: 23, message: 'SRV rdata must be at least 7 bytes, got 6' });
  });

  it('decodes SRV, PTR, NS, AAAA and keeps other types raw', () => {
    const repr: DnsRepr = {
      ...responseRepr,
      questions: [{ name: '_http._tcp.web', type: DNS_TYPE.SRV, class: DNS_CLASS.IN }],
      answers: [
        { name: '_http._tcp.web', type: 33, class: 1, ttl: 600, data: { kind: 'SRV', priority: 0, weight: 5, port: 80, target: 'web' } },
        { name: '5.1.0.10.in-addr.arpa', type: 12, class: 1, ttl: 600, data: { kind: 'PTR', name: 'web.1.abc.overlay' } },
        { name: 'web', type: 28, class: 1, ttl: 600, data: { kind: 'AAAA', address: hex('fd000000000000000000000000000001') } },
      ],
      authorities: [{ name: '', type: 2, class: 1, ttl: 1, data: { kind: 'NS', name: 'a.root' } }],
      additionals: [{ name: '', type: DNS_TYPE.OPT, class: 1232, ttl: 0, data: { kind: 'raw', bytes: hex('000a0008 0102030405060708') } }],
    };
    const bytes = encodeDns(repr);
    expect(decodeDns(bytes)).toEqual({ ok: true, value: repr });
    // RFC 2782: the SRV target is written uncompressed even though "web" appeared before.
    expect(toHex(bytes)).toContain('0000000500500377656200');
  });

  it('escapes dots, backslashes and unprintable bytes inside labels', () => {
    expect(dnsNameLabels('a\\.b.c').map((l) => toHex(l))).toEqual(['612e62', '63']);
    expect(dnsNameLabels('\\\\\\032\\255x').map((l) => toHex(l))).toEqual(['5c20ff78']);
    expect(dnsLabelText(hex('612e625c20ff7f'))).toBe('a\\.b\\\\\\032\\255\\127');
    expect(dnsNameLabels('')).toEqual([]);
    const repr = dnsQuery(9, 'a\\.b.\\000x');
    expect(toHex(encodeDns(repr)).slice(24)).toBe('03612e6202007800' + '00010001');
    expect(decodeDns(encodeDns(repr))).toEqual({ ok: true, value: repr });
  });

  it('refuses names that cannot be encoded', () => {
    expect(() => dnsNameLabels('web.')).toThrow(/empty label/);
    expect(() => dnsNameLabels('a..b')).toThrow(/empty label/);
    expect(() => dnsNameLabels('a'.repeat(64))).toThrow(/longer than 63/);
    expect(() => dnsNameLabels(Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.'))).toThrow(/longer than 255/);
    expect(() => dnsNameLabels('wéb')).toThrow(/ASCII/);
    expect(() => dnsNameLabels('a\\')).toThrow(/backslash/);
    expect(() => dnsNameLabels('\\256')).toThrow(/escape/);
  });

  it('reads names at any offset', () => {
    expect(readDnsName(RESPONSE, 33)).toEqual({ ok: true, value: 'tasks.web', next: 41 });
  });

  it('round-trips: decode(encode(r)) = r', () => {
    fc.assert(
      fc.property(arbDns, (repr) => {
        expect(decodeDns(encodeDns(repr))).toEqual({ ok: true, value: repr });
      }),
    );
  });

  it('never throws on random bytes, nor on random bytes behind a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        decodeDns(bytes);
        const withCounts = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, ...bytes]);
        decodeDns(withCounts);
      }),
    );
  });
});
