// Fragmentation as ip_do_fragment splits, and reassembly as ip_defrag rebuilds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeIpv4,
  echoRequest,
  encodeIpv4,
  fragmentIpv4,
  ipv4Packet,
  optionsForLaterFragments,
  parseIpv4,
  reassembleIpv4,
  type Ipv4Repr,
} from '../../src/packet/index.js';
import { arbIcmp, arbIpv4Repr } from './arbitraries.js';

const ip2 = parseIpv4('172.17.0.2')!;
const ip3 = parseIpv4('172.17.0.3')!;
const bigPing = ipv4Packet({ src: ip2, dst: ip3, id: 42, payload: echoRequest(1, 1, Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff)) });

describe('ipv4 fragmentation', () => {
  it('splits a 3028-byte ping at MTU 1500 like Linux: 1480 + 1480 + 48', () => {
    const frags = fragmentIpv4(bigPing, 1500);
    expect(frags.map((f) => [f.fragmentOffset, f.mf, f.df, f.id, encodeIpv4(f).length])).toEqual([
      [0, true, false, 42, 1500],
      [1480, true, false, 42, 1500],
      [2960, false, false, 42, 68],
    ]);
    // Every fragment decodes on its own as an opaque payload.
    for (const f of frags) expect(decodeIpv4(encodeIpv4(f))).toEqual({ ok: true, value: f });
    expect(reassembleIpv4(frags)).toEqual({ kind: 'complete', packet: bigPing });
  });

  it('leaves a packet that fits alone, and refuses an MTU with no room for data', () => {
    expect(fragmentIpv4(bigPing, 3028)).toEqual([bigPing]);
    expect(() => fragmentIpv4(bigPing, 27)).toThrow(RangeError);
  });

  it('NOOPs non-copied options in later fragments, keeping the header length', () => {
    // Record route (7, not copied), length 7, pointer 4, one empty slot; then NOOP padding.
    // Router alert (0x94, copied), length 4.
    const options = Uint8Array.from([7, 7, 4, 0, 0, 0, 0, 1, 0x94, 4, 0, 0]);
    expect([...optionsForLaterFragments(options)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0x94, 4, 0, 0]);
    const frags = fragmentIpv4({ ...bigPing, options }, 1500);
    expect(frags[0]!.options).toEqual(options);
    expect(frags[1]!.options).toEqual(optionsForLaterFragments(options));
    expect(reassembleIpv4(frags)).toEqual({ kind: 'complete', packet: { ...bigPing, options } });
  });

  it('reassembles to the original datagram for any MTU and arrival order', () => {
    const whole = arbIpv4Repr(arbIcmp).filter((r) => r.payload.kind === 'icmp');
    fc.assert(
      fc.property(whole, fc.integer({ min: 68, max: 200 }), fc.integer(), (repr, mtu, seed) => {
        const frags = fragmentIpv4(repr, mtu);
        for (const f of frags) {
          expect(encodeIpv4(f).length).toBeLessThanOrEqual(mtu);
          expect(f.fragmentOffset % 8).toBe(0);
        }
        expect(frags.filter((f) => !f.mf)).toHaveLength(frags.length > 1 ? 1 : 1);
        const shuffled = [...frags].sort((a, b) => ((a.fragmentOffset * 7919 + seed) % 101) - ((b.fragmentOffset * 7919 + seed) % 101));
        if (frags.length === 1) expect(frags[0]).toBe(repr);
        else expect(reassembleIpv4(shuffled)).toEqual({ kind: 'complete', packet: { ...repr, df: false } });
      }),
    );
  });

  it('fragments a fragment again, keeping its offset and last MF', () => {
    const frags = fragmentIpv4(bigPing, 1500);
    const again = fragmentIpv4(frags[1]!, 576);
    expect(again.map((f) => [f.fragmentOffset, f.mf])).toEqual([
      [1480, true],
      [2032, true],
      [2584, true],
    ]);
    expect(reassembleIpv4([frags[0]!, ...again, frags[2]!])).toEqual({ kind: 'complete', packet: bigPing });
  });

  it('waits for missing pieces, ignores exact duplicates, rejects overlaps', () => {
    const [a, b, c] = fragmentIpv4(bigPing, 1500) as [Ipv4Repr, Ipv4Repr, Ipv4Repr];
    expect(reassembleIpv4([a, c])).toEqual({ kind: 'incomplete' });
    expect(reassembleIpv4([b, c])).toEqual({ kind: 'incomplete' });
    expect(reassembleIpv4([a, b])).toEqual({ kind: 'incomplete' });
    expect(reassembleIpv4([a, b, b, c, a])).toEqual({ kind: 'complete', packet: bigPing });
    const overlapping: Ipv4Repr = { ...b, fragmentOffset: 1472 };
    expect(reassembleIpv4([a, overlapping, c])).toMatchObject({ kind: 'invalid', issue: { message: 'reassembly: overlapping fragments' } });
    expect(reassembleIpv4([a, { ...b, id: 43 }, c])).toMatchObject({ kind: 'invalid' });
    expect(reassembleIpv4([bigPing])).toMatchObject({ kind: 'invalid', issue: { message: 'reassembly: not a fragment' } });
  });
});
