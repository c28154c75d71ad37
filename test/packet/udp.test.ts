// UDP: fixtures both ways (checksums computed independently with Python, RFC 1071 over the
// RFC 768 pseudo-header), the 0 -> 0xffff rule, the length and checksum checks, payload dispatch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeUdp,
  dnsQuery,
  echoRequest,
  encodeDns,
  encodeUdp,
  ethernetFrame,
  ipv4Packet,
  parseIpv4,
  parseMac,
  textPayload,
  type UdpRepr,
} from '../../src/packet/index.js';
import { arbIpv4 } from './arbitraries.js';
import { arbUdp } from './arbitraries-l4.js';
import { hex, toHex } from './link-fixtures.js';

const A = parseIpv4('10.0.0.1')!;
const B = parseIpv4('10.0.0.2')!;

/** 10.0.0.1:40000 -> 10.0.0.2:9999 "hello": length 13, checksum 0xe4af. */
const HELLO = hex('9c40 270f 000d e4af 68656c6c6f');
const helloRepr: UdpRepr = { kind: 'udp', srcPort: 40000, dstPort: 9999, payload: textPayload('hello') };

describe('udp', () => {
  it('encodes and decodes a datagram with its pseudo-header checksum', () => {
    expect(toHex(encodeUdp(helloRepr, A, B))).toBe(toHex(HELLO));
    expect(decodeUdp(HELLO, A, B)).toEqual({ ok: true, value: helloRepr });
  });

  it('sends a computed checksum of 0 as 0xffff (RFC 768) and accepts it back', () => {
    // Payload 0x2888 makes the one's complement sum 0xffff, so the checksum computes to 0.
    const repr: UdpRepr = { ...helloRepr, payload: { kind: 'payload', bytes: hex('2888') } };
    const bytes = encodeUdp(repr, A, B);
    expect(toHex(bytes)).toBe('9c40270f000affff2888');
    expect(decodeUdp(bytes, A, B)).toEqual({ ok: true, value: repr });
  });

  it('treats checksum 0 as "no checksum"', () => {
    const bytes = HELLO.slice();
    bytes[6] = 0;
    bytes[7] = 0;
    expect(decodeUdp(bytes, A, B)).toEqual({ ok: true, value: helloRepr });
  });

  it('verifies the checksum against the pseudo-header addresses', () => {
    expect(decodeUdp(HELLO, A, parseIpv4('10.0.0.3')!)).toEqual({
      ok: false,
      issue: { format: 'udp', offset: 6, message: 'bad checksum 0xe4af' },
    });
    const flipped = HELLO.slice();
    flipped[9] = flipped[9]! ^ 0x01;
    expect(decodeUdp(flipped, A, B).ok).toBe(false);
  });

  it('reports truncation and bad length fields, and ignores bytes past the length', () => {
    expect(decodeUdp(HELLO.subarray(0, 5), A, B)).toEqual({
      ok: false,
      issue: { format: 'udp', offset: 0, message: 'truncated: need 8 bytes, have 5' },
    });
    expect(decodeUdp(HELLO.subarray(0, 12), A, B)).toEqual({
      ok: false,
      issue: { format: 'udp', offset: 0, message: 'truncated: need 13 bytes, have 12' },
    });
    const short = HELLO.slice();
    short[5] = 7;
    expect(decodeUdp(short, A, B)).toEqual({ ok: false, issue: { format: 'udp', offset: 4, message: 'bad length 7' } });
    const padded = new Uint8Array(HELLO.length + 3);
    padded.set(HELLO);
    expect(decodeUdp(padded, A, B)).toEqual({ ok: true, value: helloRepr });
  });

  it('decodes port 53 as DNS on either side, and garbage there as opaque bytes', () => {
    const query: UdpRepr = { kind: 'udp', srcPort: 40000, dstPort: 53, payload: dnsQuery(0x1234, 'web') };
    expect(decodeUdp(encodeUdp(query, A, B), A, B)).toEqual({ ok: true, value: query });
    const answer: UdpRepr = { ...query, srcPort: 53, dstPort: 40000 };
    expect(decodeUdp(encodeUdp(answer, A, B), A, B)).toEqual({ ok: true, value: answer });
    const garbage: UdpRepr = { ...query, payload: textPayload('not dns') };
    expect(decodeUdp(encodeUdp(garbage, A, B), A, B)).toEqual({ ok: true, value: garbage });
  });

  it('decodes destination port 4789 as VXLAN, a source port 4789 not', () => {
    const inner = ethernetFrame({
      src: parseMac('02:42:0a:00:01:02')!,
      dst: parseMac('02:42:0a:00:01:03')!,
      payload: ipv4Packet({ src: parseIpv4('10.0.1.2')!, dst: parseIpv4('10.0.1.3')!, payload: echoRequest(1, 1) }),
    });
    const vxlan: UdpRepr = { kind: 'udp', srcPort: 51000, dstPort: 4789, payload: { kind: 'vxlan', vni: 4097, payload: inner } };
    const bytes = encodeUdp(vxlan, A, B);
    expect(decodeUdp(bytes, A, B)).toEqual({ ok: true, value: vxlan });
    const reversed = encodeUdp({ ...vxlan, srcPort: 4789, dstPort: 51000 }, A, B);
    expect(decodeUdp(reversed, A, B)).toMatchObject({ ok: true, value: { payload: { kind: 'payload' } } });
  });

  it('takes the VXLAN and DNS ports from the options', () => {
    const query: UdpRepr = { kind: 'udp', srcPort: 40000, dstPort: 5353, payload: dnsQuery(1, 'web') };
    const bytes = encodeUdp(query, A, B);
    expect(decodeUdp(bytes, A, B)).toMatchObject({ ok: true, value: { payload: { kind: 'payload' } } });
    expect(decodeUdp(bytes, A, B, { dnsPorts: new Set([5353]) })).toEqual({ ok: true, value: query });
    const onDefault = encodeUdp({ ...query, dstPort: 53 }, A, B);
    expect(decodeUdp(onDefault, A, B, { dnsPorts: new Set([5353]) })).toMatchObject({ ok: true, value: { payload: { kind: 'payload' } } });
    const vxlanBytes = encodeUdp({ kind: 'udp', srcPort: 1, dstPort: 8472, payload: textPayload('x') }, A, B);
    // 'x' is not a VXLAN header: the 8472 option is honoured, the decode fails, bytes stay opaque.
    expect(decodeUdp(vxlanBytes, A, B, { vxlanPorts: new Set([8472]) })).toMatchObject({ ok: true, value: { payload: { kind: 'payload' } } });
  });

  it('keeps a DNS payload with trailing bytes opaque, so no byte is lost', () => {
    const dns = encodeDns(dnsQuery(7, 'web'));
    const withTrailer = new Uint8Array(dns.length + 1);
    withTrailer.set(dns);
    const repr: UdpRepr = { kind: 'udp', srcPort: 40000, dstPort: 53, payload: { kind: 'payload', bytes: withTrailer } };
    expect(decodeUdp(encodeUdp(repr, A, B), A, B)).toEqual({ ok: true, value: repr });
  });

  it('round-trips: decode(encode(r)) = r', () => {
    fc.assert(
      fc.property(arbUdp(), arbIpv4, arbIpv4, (repr, src, dst) => {
        expect(decodeUdp(encodeUdp(repr, src, dst), src, dst)).toEqual({ ok: true, value: repr });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), arbIpv4, arbIpv4, (bytes, src, dst) => {
        decodeUdp(bytes, src, dst);
        // Random bytes with a valid length field and checksum 0 reach the payload decoders too.
        if (bytes.length >= 8) {
          const b = bytes.slice();
          b[4] = 0;
          b[5] = b.length & 0xff;
          b[6] = 0;
          b[7] = 0;
          const port = (b[0]! & 1) === 1 ? 4789 : 53;
          b[2] = port >>> 8;
          b[3] = port & 0xff;
          decodeUdp(b, src, dst);
        }
      }),
    );
  });
});
