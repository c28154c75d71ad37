// ARP: a real request and reply both ways, padding, the issues for foreign hardware/protocols.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arpReply,
  arpRequest,
  decodeArp,
  encodeArp,
  gratuitousArp,
  MAC_ZERO,
  parseIpv4,
  parseMac,
  type ArpRepr,
} from '../../src/packet/index.js';
import { arbArp } from './arbitraries.js';
import { ARP_REPLY_FRAME, ARP_REQUEST_FRAME } from './link-fixtures.js';

const mac2 = parseMac('02:42:ac:11:00:02')!;
const mac3 = parseMac('02:42:ac:11:00:03')!;
const ip2 = parseIpv4('172.17.0.2')!;
const ip3 = parseIpv4('172.17.0.3')!;

describe('arp', () => {
  it('encodes and decodes a request', () => {
    const repr = arpRequest(mac2, ip2, ip3);
    const body = ARP_REQUEST_FRAME.subarray(14);
    expect(encodeArp(repr)).toEqual(body);
    expect(decodeArp(body)).toEqual({ ok: true, value: repr });
  });

  it('encodes and decodes a reply', () => {
    const repr = arpReply(mac3, ip3, mac2, ip2);
    const body = ARP_REPLY_FRAME.subarray(14);
    expect(encodeArp(repr)).toEqual(body);
    expect(decodeArp(body)).toEqual({ ok: true, value: repr });
  });

  it('ignores Ethernet padding after the 28 bytes', () => {
    const padded = new Uint8Array(46);
    padded.set(ARP_REQUEST_FRAME.subarray(14));
    expect(decodeArp(padded)).toEqual({ ok: true, value: arpRequest(mac2, ip2, ip3) });
  });

  it('builds gratuitous ARP with sender IP = target IP', () => {
    expect(gratuitousArp(mac2, ip2)).toEqual({ kind: 'arp', op: 1, senderMac: mac2, senderIp: ip2, targetMac: MAC_ZERO, targetIp: ip2 });
    expect(gratuitousArp(mac2, ip2, 'reply')).toMatchObject({ op: 2, targetMac: mac2, targetIp: ip2 });
  });

  it('reports what it does not handle', () => {
    const body = ARP_REQUEST_FRAME.slice(14);
    const withByte = (offset: number, value: number): Uint8Array => {
      const copy = body.slice();
      copy[offset] = value;
      return copy;
    };
    expect(decodeArp(body.subarray(0, 27))).toEqual({ ok: false, issue: { format: 'arp', offset: 0, message: 'truncated: need 28 bytes, have 27' } });
    expect(decodeArp(withByte(1, 6))).toMatchObject({ ok: false, issue: { offset: 0, message: 'unsupported hardware type 6' } });
    expect(decodeArp(withByte(2, 0x86))).toMatchObject({ ok: false, issue: { offset: 2, message: 'unsupported protocol type 0x8600' } });
    expect(decodeArp(withByte(4, 8))).toMatchObject({ ok: false, issue: { offset: 4 } });
    expect(decodeArp(withByte(5, 16))).toMatchObject({ ok: false, issue: { offset: 5 } });
    expect(decodeArp(withByte(7, 3))).toMatchObject({ ok: false, issue: { offset: 6, message: 'unsupported opcode 3' } });
  });

  it('round-trips every repr', () => {
    fc.assert(
      fc.property(arbArp, (r: ArpRepr) => {
        expect(decodeArp(encodeArp(r))).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => typeof decodeArp(b).ok === 'boolean'));
  });
});
