// IPv4: header fixture both ways, checksum, padding, the ip_rcv_core checks, ICMP quoting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeIpv4,
  echoRequest,
  encodeIpv4,
  ICMP_LINUX_QUOTE_MAX,
  ipv4HeaderBytes,
  ipv4Packet,
  IPPROTO_ICMP,
  onesComplementSum,
  parseIpv4,
  quoteForIcmp,
  textPayload,
  type Ipv4Repr,
} from '../../src/packet/index.js';
import { arbIpv4Repr } from './arbitraries.js';
import { ECHO_DATA, ECHO_REQUEST_FRAME, toHex } from './link-fixtures.js';

const ip2 = parseIpv4('172.17.0.2')!;
const ip3 = parseIpv4('172.17.0.3')!;
const echoPacket = ECHO_REQUEST_FRAME.subarray(14);
const echoRepr: Ipv4Repr = ipv4Packet({ src: ip2, dst: ip3, id: 0x1234, df: true, payload: echoRequest(7, 1, ECHO_DATA) });

describe('ipv4', () => {
  it('encodes and decodes a ping with header checksum 0xd04d', () => {
    expect(echoRepr).toMatchObject({ protocol: IPPROTO_ICMP, ttl: 64, dscp: 0, ecn: 0, mf: false, fragmentOffset: 0 });
    expect(toHex(encodeIpv4(echoRepr))).toBe(toHex(echoPacket));
    expect(decodeIpv4(echoPacket)).toEqual({ ok: true, value: echoRepr });
  });

  it('trims link-layer padding beyond the total length', () => {
    const small = ipv4Packet({ src: ip2, dst: ip3, payload: echoRequest(1, 1) });
    const bytes = encodeIpv4(small);
    const padded = new Uint8Array(46);
    padded.set(bytes);
    padded.fill(0xaa, bytes.length);
    expect(decodeIpv4(padded)).toEqual({ ok: true, value: small });
  });

  it('keeps options, TOS and flags', () => {
    const repr: Ipv4Repr = {
      ...echoRepr,
      dscp: 46,
      ecn: 2,
      ttl: 1,
      // Router alert (RFC 2113): type 0x94, length 4, value 0.
      options: Uint8Array.from([0x94, 0x04, 0x00, 0x00]),
    };
    const bytes = encodeIpv4(repr);
    expect([bytes[0], bytes[1]]).toEqual([0x46, 0xba]);
    expect(decodeIpv4(bytes)).toEqual({ ok: true, value: repr });
  });

  it('reports what ip_rcv_core drops', () => {
    const withBytes = (changes: Record<number, number>, fixChecksum = true): Uint8Array => {
      const copy = echoPacket.slice();
      for (const [at, v] of Object.entries(changes)) copy[Number(at)] = v;
      if (fixChecksum) {
        copy[10] = 0;
        copy[11] = 0;
        const hlen = Math.max(20, (copy[0]! & 0x0f) * 4);
        const sum = ~onesComplementSum(copy, 0, hlen) & 0xffff;
        copy[10] = sum >>> 8;
        copy[11] = sum & 0xff;
      }
      return copy;
    };
    expect(decodeIpv4(echoPacket.subarray(0, 19))).toMatchObject({ ok: false, issue: { format: 'ipv4', message: 'truncated: need 20 bytes, have 19' } });
    expect(decodeIpv4(withBytes({ 0: 0x65 }))).toMatchObject({ ok: false, issue: { offset: 0, message: 'bad version 6' } });
    expect(decodeIpv4(withBytes({ 0: 0x44 }))).toMatchObject({ ok: false, issue: { offset: 0, message: 'bad header length 16' } });
    expect(decodeIpv4(withBytes({ 10: 0xd0, 11: 0x4e }, false))).toMatchObject({ ok: false, issue: { offset: 10, message: 'bad header checksum 0xd04e' } });
    expect(decodeIpv4(echoPacket.subarray(0, 83))).toMatchObject({ ok: false, issue: { message: 'truncated: need 84 bytes, have 83' } });
    expect(decodeIpv4(withBytes({ 2: 0, 3: 19 }))).toMatchObject({ ok: false, issue: { offset: 2 } });
  });

  it('passes a bad transport checksum up as the transport issue', () => {
    const copy = echoPacket.slice();
    copy[30] = copy[30]! ^ 0xff;
    expect(decodeIpv4(copy)).toMatchObject({ ok: false, issue: { format: 'icmp', offset: 2 } });
  });

  it('treats fragments as opaque payload', () => {
    const frag: Ipv4Repr = { ...echoRepr, df: false, mf: true, payload: textPayload('12345678') };
    expect(decodeIpv4(encodeIpv4(frag))).toEqual({ ok: true, value: frag });
  });

  it('refuses inconsistent reprs (broken invariants)', () => {
    expect(() => encodeIpv4({ ...echoRepr, protocol: 17 })).toThrow(RangeError);
    expect(() => encodeIpv4({ ...echoRepr, mf: true })).toThrow(RangeError);
    expect(() => encodeIpv4({ ...echoRepr, options: new Uint8Array(3) })).toThrow(RangeError);
    expect(() => encodeIpv4({ ...echoRepr, options: new Uint8Array(44) })).toThrow(RangeError);
    expect(() => ipv4Packet({ src: ip2, dst: ip3, payload: textPayload('x') })).toThrow(RangeError);
  });

  it('quotes the header and 8 bytes for ICMP errors, never the padding', () => {
    expect(toHex(quoteForIcmp(echoPacket))).toBe(toHex(echoPacket.subarray(0, 28)));
    expect(ipv4HeaderBytes(echoRepr)).toEqual(echoPacket.subarray(0, 20));
    expect(quoteForIcmp(echoPacket, ICMP_LINUX_QUOTE_MAX)).toEqual(echoPacket);
    const tiny = encodeIpv4(ipv4Packet({ src: ip2, dst: ip3, protocol: 253, payload: textPayload('abc') }));
    const padded = new Uint8Array(46);
    padded.set(tiny);
    expect(quoteForIcmp(padded)).toEqual(tiny);
  });

  it('always encodes a header that sums to 0xffff', () => {
    fc.assert(
      fc.property(arbIpv4Repr(), (r) => {
        const bytes = encodeIpv4(r);
        return onesComplementSum(bytes, 0, (bytes[0]! & 0x0f) * 4) === 0xffff;
      }),
    );
  });

  it('round-trips every repr', () => {
    fc.assert(
      fc.property(arbIpv4Repr(), (r) => {
        expect(decodeIpv4(encodeIpv4(r))).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('never throws on random bytes, nor on random bytes behind a valid header', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => typeof decodeIpv4(b).ok === 'boolean'));
    fc.assert(
      fc.property(fc.constantFrom(1, 6, 17, 50), fc.uint8Array({ maxLength: 60 }), (protocol, body) => {
        const bytes = encodeIpv4(ipv4Packet({ src: ip2, dst: ip3, protocol, payload: { kind: 'payload', bytes: body } }));
        return typeof decodeIpv4(bytes).ok === 'boolean';
      }),
    );
  });
});
