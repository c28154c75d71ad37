// ICMP: echo and errors both ways against tshark-checked bytes, checksums, lossless 'other'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeIcmp,
  destUnreachable,
  echoReplyTo,
  echoRequest,
  encodeIcmp,
  ICMP_UNREACH,
  isIcmpError,
  onesComplementSum,
  timeExceeded,
  type IcmpRepr,
} from '../../src/packet/index.js';
import { arbIcmp } from './arbitraries.js';
import { ECHO_DATA, ECHO_REQUEST_FRAME, FRAG_NEEDED_FRAME, toHex } from './link-fixtures.js';

const echoBytes = ECHO_REQUEST_FRAME.subarray(34);
const fragNeededBytes = FRAG_NEEDED_FRAME.subarray(34);

describe('icmp', () => {
  it('encodes and decodes an echo request', () => {
    const repr = echoRequest(7, 1, ECHO_DATA);
    expect(toHex(encodeIcmp(repr))).toBe(toHex(echoBytes));
    expect(decodeIcmp(echoBytes)).toEqual({ ok: true, value: repr });
  });

  it('encodes and decodes fragmentation needed with the next-hop MTU', () => {
    const repr = destUnreachable(ICMP_UNREACH.fragNeeded, FRAG_NEEDED_FRAME.slice(42), 1400);
    expect(toHex(encodeIcmp(repr))).toBe(toHex(fragNeededBytes));
    expect(decodeIcmp(fragNeededBytes)).toEqual({ ok: true, value: repr });
    expect(isIcmpError(repr)).toBe(true);
  });

  it('builds replies and errors', () => {
    const reply = echoReplyTo(echoRequest(9, 2, ECHO_DATA));
    expect(reply).toEqual({ kind: 'icmp', type: 'echo-reply', id: 9, seq: 2, data: ECHO_DATA });
    expect(isIcmpError(reply)).toBe(false);
    expect(encodeIcmp(reply)[0]).toBe(0);
    const te = encodeIcmp(timeExceeded(new Uint8Array(28)));
    expect([te[0], te[1]]).toEqual([11, 0]);
  });

  it('reports a bad checksum and truncation', () => {
    const bad = echoBytes.slice();
    bad[2] = bad[2]! ^ 0x01;
    expect(decodeIcmp(bad)).toEqual({ ok: false, issue: { format: 'icmp', offset: 2, message: 'bad checksum 0x01e5' } });
    expect(decodeIcmp(echoBytes.subarray(0, 7))).toMatchObject({ ok: false, issue: { message: 'truncated: need 8 bytes, have 7' } });
  });

  it('keeps unusual messages as other, byte for byte', () => {
    // Echo with code 1, and time exceeded with non-zero unused bytes.
    for (const [type, code, rest] of [
      [8, 1, [0, 1, 0, 2]],
      [11, 0, [0, 0, 0, 7, 0x45]],
      [5, 1, [172, 17, 0, 1]],
    ] as const) {
      const msg = Uint8Array.from([type, code, 0, 0, ...rest]);
      const sum = ~onesComplementSum(msg) & 0xffff;
      msg[2] = sum >>> 8;
      msg[3] = sum & 0xff;
      const decodedMsg = decodeIcmp(msg);
      expect(decodedMsg).toMatchObject({ ok: true, value: { type: 'other', icmpType: type, code } });
      if (decodedMsg.ok) expect(encodeIcmp(decodedMsg.value)).toEqual(msg);
    }
  });

  it('always encodes a message that sums to 0xffff', () => {
    fc.assert(fc.property(arbIcmp, (r) => onesComplementSum(encodeIcmp(r)) === 0xffff));
  });

  it('round-trips every repr', () => {
    fc.assert(
      fc.property(arbIcmp, (r: IcmpRepr) => {
        expect(decodeIcmp(encodeIcmp(r))).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => typeof decodeIcmp(b).ok === 'boolean'));
  });
});
