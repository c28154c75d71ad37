// VXLAN: the 8-byte header both ways around a known inner frame, the checks vxlan_rcv makes,
// and the nested decode options.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEthernet,
  decodeVxlan,
  dnsQuery,
  encodeVxlan,
  ethernetFrame,
  ipv4Packet,
  parseIpv4,
  parseMac,
  VXLAN_PORT,
  type VxlanRepr,
} from '../../src/packet/index.js';
import { arbVxlan } from './arbitraries-l4.js';
import { ARP_REQUEST_FRAME, ECHO_REQUEST_FRAME, hex, toHex } from './link-fixtures.js';

function innerOf(frame: Uint8Array): VxlanRepr['payload'] {
  const d = decodeEthernet(frame);
  if (!d.ok) throw new Error(d.issue.message);
  return d.value;
}

describe('vxlan', () => {
  it('encodes and decodes the RFC 7348 header around an inner frame', () => {
    const repr: VxlanRepr = { kind: 'vxlan', vni: 4097, payload: innerOf(ECHO_REQUEST_FRAME) };
    const bytes = encodeVxlan(repr);
    expect(toHex(bytes.subarray(0, 8))).toBe('08000000' + '00100100');
    expect(toHex(bytes.subarray(8))).toBe(toHex(ECHO_REQUEST_FRAME));
    expect(decodeVxlan(bytes)).toEqual({ ok: true, value: repr });
    expect(VXLAN_PORT).toBe(4789);
  });

  it('rejects a header without the I flag or with reserved bits set, as vxlan_rcv drops it', () => {
    const body = toHex(ARP_REQUEST_FRAME);
    expect(decodeVxlan(hex(`00000000 00002a00 ${body}`))).toEqual({
      ok: false,
      issue: { format: 'vxlan', offset: 0, message: 'I flag not set (flags 0x00)' },
    });
    expect(decodeVxlan(hex(`0c000000 00002a00 ${body}`))).toEqual({
      ok: false,
      issue: { format: 'vxlan', offset: 0, message: 'reserved flag bits set (flags 0x0c)' },
    });
    expect(decodeVxlan(hex(`08000100 00002a00 ${body}`))).toEqual({
      ok: false,
      issue: { format: 'vxlan', offset: 2, message: 'reserved byte is 0x01, not 0' },
    });
    expect(decodeVxlan(hex(`08000000 00002a01 ${body}`))).toEqual({
      ok: false,
      issue: { format: 'vxlan', offset: 7, message: 'reserved byte is 0x01, not 0' },
    });
    expect(decodeVxlan(hex(`08000000 00002a00 ${body}`))).toMatchObject({ ok: true, value: { vni: 42 } });
  });

  it('reports truncation and passes inner issues through', () => {
    expect(decodeVxlan(hex('0800000000'))).toEqual({ ok: false, issue: { format: 'vxlan', offset: 0, message: 'truncated: need 8 bytes, have 5' } });
    expect(decodeVxlan(hex('08000000 00002a00 0242ac11'))).toMatchObject({ ok: false, issue: { format: 'ethernet' } });
  });

  it('refuses a VNI outside 24 bits', () => {
    const payload = innerOf(ARP_REQUEST_FRAME);
    expect(() => encodeVxlan({ kind: 'vxlan', vni: 0x1000000, payload })).toThrow(RangeError);
    expect(() => encodeVxlan({ kind: 'vxlan', vni: -1, payload })).toThrow(RangeError);
    expect(decodeVxlan(encodeVxlan({ kind: 'vxlan', vni: 0xffffff, payload }))).toMatchObject({ ok: true, value: { vni: 0xffffff } });
  });

  it('decodes the inner frame with the same options (DNS inside the tunnel on another port)', () => {
    const inner = ethernetFrame({
      src: parseMac('02:42:0a:00:01:02')!,
      dst: parseMac('02:42:0a:00:01:03')!,
      payload: ipv4Packet({
        src: parseIpv4('10.0.1.2')!,
        dst: parseIpv4('10.0.1.3')!,
        payload: { kind: 'udp', srcPort: 40000, dstPort: 5353, payload: dnsQuery(5, 'web') },
      }),
    });
    const repr: VxlanRepr = { kind: 'vxlan', vni: 7, payload: inner };
    const bytes = encodeVxlan(repr);
    expect(decodeVxlan(bytes, { dnsPorts: new Set([5353]) })).toEqual({ ok: true, value: repr });
    expect(decodeVxlan(bytes)).toMatchObject({ ok: true, value: { payload: { payload: { payload: { payload: { kind: 'payload' } } } } } });
  });

  it('round-trips: decode(encode(r)) = r', () => {
    fc.assert(
      fc.property(arbVxlan(), (repr) => {
        expect(decodeVxlan(encodeVxlan(repr))).toEqual({ ok: true, value: repr });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        decodeVxlan(bytes);
        decodeVxlan(Uint8Array.from([0x08, 0, 0, 0, 0, 0, 1, 0, ...bytes]));
      }),
    );
  });
});
