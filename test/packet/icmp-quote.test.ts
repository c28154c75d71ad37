// The datagram inside an ICMP error: lenient decoding, and NAT's rewrite with checksum fix-ups.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeQuoted,
  echoRequest,
  encodeIpv4,
  internetChecksum,
  ipv4Packet,
  onesComplementSum,
  parseIpv4,
  pseudoHeaderSum,
  quoteForIcmp,
  rewriteQuoted,
} from '../../src/packet/index.js';
import { arbIpv4 } from './arbitraries.js';
import { ECHO_REQUEST_FRAME, hex } from './link-fixtures.js';

const ip2 = parseIpv4('172.17.0.2')!;
const ip3 = parseIpv4('172.17.0.3')!;
const echoQuote = quoteForIcmp(ECHO_REQUEST_FRAME.subarray(14));

/** A UDP datagram 172.17.0.2:40000 -> 172.17.0.3:53 with a correct checksum, built by hand. */
function udpPacket(src: number, dst: number, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + data.length);
  const view = new DataView(udp.buffer);
  view.setUint16(0, sport);
  view.setUint16(2, dport);
  view.setUint16(4, udp.length);
  udp.set(data, 8);
  const sum = internetChecksum(udp, 0, udp.length, pseudoHeaderSum(src, dst, 17, udp.length));
  view.setUint16(6, sum === 0 ? 0xffff : sum);
  return encodeIpv4(ipv4Packet({ src, dst, protocol: 17, payload: { kind: 'payload', bytes: udp } }));
}

function udpChecksumValid(ipBytes: Uint8Array): boolean {
  const src = new DataView(ipBytes.buffer, ipBytes.byteOffset).getUint32(12);
  const dst = new DataView(ipBytes.buffer, ipBytes.byteOffset).getUint32(16);
  const udp = ipBytes.subarray(20);
  return onesComplementSum(udp, 0, udp.length, pseudoHeaderSum(src, dst, 17, udp.length)) === 0xffff;
}

describe('icmp quote', () => {
  it('decodes a quoted echo request', () => {
    expect(decodeQuoted(echoQuote)).toEqual({
      ok: true,
      value: {
        headerLength: 20,
        totalLength: 84,
        id: 0x1234,
        df: true,
        mf: false,
        fragmentOffset: 0,
        ttl: 64,
        protocol: 1,
        src: ip2,
        dst: ip3,
        echo: { type: 'echo-request', id: 7, seq: 1 },
        transport: hex('0800 00e5 0007 0001'),
      },
    });
  });

  it('decodes quoted ports, and leniently: no checksum check, short transport, non-first fragment', () => {
    const quote = quoteForIcmp(udpPacket(ip2, ip3, 40000, 53, new Uint8Array(20)));
    expect(decodeQuoted(quote)).toMatchObject({ ok: true, value: { protocol: 17, ports: { srcPort: 40000, dstPort: 53 } } });
    const broken = quote.slice(0, 22);
    broken[10] = broken[10]! ^ 0xff;
    const shortQuote = decodeQuoted(broken);
    expect(shortQuote).toMatchObject({ ok: true, value: { protocol: 17 } });
    expect(shortQuote.ok && shortQuote.value.ports).toBeUndefined();
    const fragment = quote.slice();
    fragment[7] = 0x10;
    const fragmentQuote = decodeQuoted(fragment);
    expect(fragmentQuote.ok && fragmentQuote.value.fragmentOffset).toBe(128);
    expect(fragmentQuote.ok && fragmentQuote.value.ports).toBeUndefined();
    expect(decodeQuoted(quote.subarray(0, 19))).toMatchObject({ ok: false, issue: { format: 'icmp-quote' } });
  });

  it('rewrites a quoted UDP header and keeps both checksums valid', () => {
    fc.assert(
      fc.property(arbIpv4, arbIpv4, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 16 }), (src, dst, sport, dport, data) => {
        // The whole datagram is quoted, so the UDP checksum can be verified afterwards.
        const original = udpPacket(ip2, ip3, 40000, 53, data);
        const out = rewriteQuoted(original, { src, dst, srcPort: sport, dstPort: dport });
        expect(out.ok).toBe(true);
        if (!out.ok) return;
        expect(decodeQuoted(out.value)).toMatchObject({ ok: true, value: { src, dst, ports: { srcPort: sport, dstPort: dport } } });
        expect(onesComplementSum(out.value, 0, 20)).toBe(0xffff);
        expect(udpChecksumValid(out.value)).toBe(true);
      }),
    );
  });

  it('rewrites a quoted echo id and keeps the ICMP checksum valid', () => {
    const full = ECHO_REQUEST_FRAME.slice(14);
    const out = rewriteQuoted(full, { src: parseIpv4('10.0.0.5')!, echoId: 0xbeef });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(decodeQuoted(out.value)).toMatchObject({ ok: true, value: { echo: { id: 0xbeef, seq: 1 } } });
    expect(onesComplementSum(out.value, 0, 20)).toBe(0xffff);
    expect(onesComplementSum(out.value, 20)).toBe(0xffff);
    expect(rewriteQuoted(echoQuote, {})).toEqual({ ok: true, value: echoQuote });
    const sameAsEncoded = encodeIpv4(ipv4Packet({ src: ip2, dst: ip3, id: 0x1234, df: true, payload: echoRequest(0xbeef, 1, full.slice(28)) }));
    const back = rewriteQuoted(sameAsEncoded, { echoId: 7 });
    expect(back).toEqual({ ok: true, value: full });
  });

  it('leaves a zero UDP checksum at zero', () => {
    const original = udpPacket(ip2, ip3, 1, 2, new Uint8Array(4));
    original[26] = 0;
    original[27] = 0;
    const out = rewriteQuoted(original, { srcPort: 99 });
    expect(out.ok && [out.value[26], out.value[27]]).toEqual([0, 0]);
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), (b) => typeof decodeQuoted(b).ok === 'boolean' && typeof rewriteQuoted(b, { src: 1, srcPort: 2, echoId: 3 }).ok === 'boolean'));
  });
});
