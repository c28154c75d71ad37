// The address bitmap against libnetwork's bitseq and idm tests (values copied from
// bitseq/sequence_test.go and idm/idm_test.go), and against a brute-force model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitmap } from '../../../src/cnm/ipam/index.js';

const BLOCK = 32;
const INVALID = undefined;

/** bitseq `getTestSequence()`: 1024 blocks. */
const TEST_SEQUENCE: [number, number][] = [
  [0xffffffff, 100],
  [0xfffffffe, 1],
  [0xff000000, 10],
  [0xffffffff, 50],
  [0xfffffffc, 1],
  [0xff800000, 1],
  [0xffffffff, 87],
  [0x0, 150],
  [0xffffffff, 200],
  [0x0000ffff, 1],
  [0x0, 399],
  [0xffffffff, 23],
  [0x1, 1],
];

function pos(bytePos: number, bitPos: number): number {
  return bytePos * 8 + bitPos;
}

function value<T>(r: { ok: true; value: T } | { ok: false }): T {
  if (!r.ok) throw new Error('expected success');
  return r.value;
}

describe('bitmap: bitseq conformance', () => {
  it('TestMethods: 192 SetAny on 256 blocks', () => {
    const h = new Bitmap(256 * BLOCK);
    expect(h.bits).toBe(8192);
    expect(h.unselected()).toBe(8192);
    expect(h.toString()).toBe('(0x0, 256)->end');
    for (let i = 0; i < 192; i++) expect(h.setAny(false).ok).toBe(true);
    expect(h.toString()).toBe('(0xffffffff, 6)->(0x0, 250)->end');
  });

  it('TestSetAnyInRange: 0 and 255 preset', () => {
    const h = new Bitmap(8 * BLOCK);
    expect(h.set(0).ok).toBe(true);
    expect(h.set(255).ok).toBe(true);
    expect(value(h.setAnyInRange(128, 255, false))).toBe(128);
    expect(value(h.setAnyInRange(128, 255, false))).toBe(129);
    expect(value(h.setAnyInRange(246, 255, false))).toBe(246);
    expect(value(h.setAnyInRange(246, 255, false))).toBe(247);
  });

  // [runs, expected (bytePos, bitPos) or INVALID, start, curr, end]
  const fromCurrent: [[number, number][], [number, number] | undefined, number, number, number][] = [
    [[[0xffffffff, 2048]], INVALID, 0, 0, 65536],
    [[[0x0, 8]], [0, 0], 0, 0, 256],
    [[[0x80000000, 8]], [1, 0], 0, 8, 256],
    [[[0xc0000000, 8]], [0, 2], 0, 2, 256],
    [[[0xe0000000, 8]], [0, 3], 0, 0, 256],
    [[[0xfffb1fff, 8]], [2, 0], 14, 0, 256],
    [[[0xfffffffe, 8]], [3, 7], 0, 0, 256],
    [[[0xffffffff, 1], [0x00000000, 1], [0xffffffff, 14]], [4, 0], 0, 32, 512],
    [[[0xfffeffff, 1], [0xffffffff, 15]], [1, 7], 0, 16, 512],
    [[[0xfffeffff, 15], [0xffffffff, 1]], [5, 7], 0, 16, 512],
    [[[0xfffeffff, 15], [0xffffffff, 1]], [9, 7], 0, 48, 512],
    [[[0xffffffff, 2], [0xffffffef, 14]], [19, 3], 0, 124, 512],
    [[[0xfffeffff, 15], [0x0fffffff, 1]], [60, 0], 0, 480, 512],
    [[[0xffffffff, 1], [0xfffeffff, 14], [0xffffffff, 1]], [17, 7], 0, 124, 512],
    [[[0xfffffffb, 1], [0xffffffff, 14], [0xffffffff, 1]], [3, 5], 0, 124, 512],
    [[[0xfffffffb, 1], [0xfffeffff, 14], [0xffffffff, 1]], [13, 7], 0, 80, 512],
  ];
  it.each(fromCurrent)('TestGetFirstAvailableFromCurrent %#', (runs, expected, start, curr, end) => {
    const blocks = runs.reduce((n, [, c]) => n + c, 0);
    const h = Bitmap.fromRuns(blocks * BLOCK, runs);
    expect(h.findAvailable(start, curr, end)).toBe(expected === undefined ? undefined : pos(...expected));
  });

  // bitseq TestGetFirstAvailable: the first clear bit from ordinal 0.
  const firstAvailable: [[number, number][], [number, number] | undefined][] = [
    [[[0xffffffff, 2048]], INVALID],
    [[[0x0, 8]], [0, 0]],
    [[[0x80000000, 8]], [0, 1]],
    [[[0xfe000000, 8]], [0, 7]],
    [[[0xffffffff, 1], [0x00000000, 1], [0xffffffff, 6]], [4, 0]],
    [[[0xffffffff, 1], [0xfe000000, 1], [0xffffffff, 6]], [4, 7]],
    [[[0xffffffff, 1], [0xff800000, 1], [0xffffffff, 6]], [5, 1]],
    [[[0xffffffff, 1], [0xfffffffe, 1], [0xffffffff, 6]], [7, 7]],
    [[[0xffffffff, 2], [0x0, 6]], [8, 0]],
  ];
  it.each(firstAvailable)('TestGetFirstAvailable %#', (runs, expected) => {
    const blocks = runs.reduce((n, [, c]) => n + c, 0);
    const h = Bitmap.fromRuns(blocks * BLOCK, runs);
    expect(h.findAvailable(0, 0, h.bits - 1)).toBe(expected === undefined ? undefined : pos(...expected));
  });

  it('TestSet: IsSet, Set, SetAny and Unset on the test sequence', () => {
    const h = Bitmap.fromRuns(1024 * BLOCK, TEST_SEQUENCE);
    const firstAv = 32 * 100 + 31;
    const last = 1024 * 32 - 1;
    expect(h.isSet(100000)).toBe(false);
    expect(h.isSet(0)).toBe(true);
    expect(h.isSet(firstAv)).toBe(false);
    expect(h.isSet(last)).toBe(true);
    expect(h.set(0)).toEqual({ ok: false, error: { code: 'bitAllocated', message: 'requested bit is already allocated' } });
    expect(value(h.setAny(false))).toBe(firstAv);
    expect(h.isSet(firstAv)).toBe(true);
    expect(h.unset(firstAv).ok).toBe(true);
    expect(h.isSet(firstAv)).toBe(false);
    expect(h.set(firstAv).ok).toBe(true);
    expect(h.set(last).ok).toBe(false);
  });

  it('TestSetUnset: bounds, exhaustion, release of everything', () => {
    const numBits = 32 * BLOCK;
    const h = new Bitmap(numBits);
    expect(h.set(numBits)).toEqual({ ok: false, error: { code: 'outOfSequence', message: 'bit does not belong to the sequence' } });
    expect(h.unset(numBits).ok).toBe(false);
    while (h.unselected() > 0) expect(h.setAny(false).ok).toBe(true);
    expect(h.setAny(false)).toEqual({ ok: false, error: { code: 'noBitAvailable', message: 'no bit available' } });
    expect(h.setAnyInRange(10, 20, false)).toEqual({ ok: false, error: { code: 'noBitAvailable', message: 'no bit available' } });
    expect(h.set(50)).toMatchObject({ ok: false, error: { code: 'bitAllocated' } });
    for (let i = 0; h.unselected() < numBits; i++) expect(h.unset(i).ok).toBe(true);
    expect(h.toString()).toBe('(0x0, 32)->end');
  });

  it('TestSetInRange: ranges over the test sequence and a 30-bit mask', () => {
    const numBits = 1024 * BLOCK;
    const h = Bitmap.fromRuns(numBits, TEST_SEQUENCE);
    const firstAv = 100 * BLOCK + BLOCK - 1;
    expect(h.setAnyInRange(4, 3, false)).toEqual({ ok: false, error: { code: 'invalidRange', message: 'invalid bit range [4, 3]' } });
    expect(h.setAnyInRange(0, numBits, false).ok).toBe(false);
    expect(value(h.setAnyInRange(100 * BLOCK, 101 * BLOCK, false))).toBe(firstAv);
    expect(h.setAnyInRange(0, BLOCK, false).ok).toBe(false);
    expect(h.setAnyInRange(0, firstAv - 1, false).ok).toBe(false);
    expect(h.setAnyInRange(111 * BLOCK, 161 * BLOCK, false).ok).toBe(false);
    expect(value(h.setAnyInRange(161 * BLOCK, 162 * BLOCK, false))).toBe(161 * BLOCK + 30);
    expect(value(h.setAnyInRange(161 * BLOCK, 162 * BLOCK, false))).toBe(161 * BLOCK + 31);
    expect(h.setAnyInRange(161 * BLOCK, 162 * BLOCK, false).ok).toBe(false);
    expect(h.setAnyInRange(0, numBits - 1, false).ok).toBe(true);
    expect(h.setAnyInRange(163 * BLOCK - 1, 163 * BLOCK - 1, false).ok).toBe(true);

    const small = new Bitmap(30);
    while (small.unselected() > 22) expect(small.setAnyInRange(0, 7, false).ok).toBe(true);
    expect(small.setAnyInRange(0, 7, false)).toMatchObject({ ok: false, error: { code: 'noBitAvailable' } });
    while (small.unselected() > 14) expect(small.setAnyInRange(8, 15, false).ok).toBe(true);
    expect(small.setAnyInRange(0, 15, false)).toMatchObject({ ok: false, error: { code: 'noBitAvailable' } });
    while (small.unselected() > 12) expect(small.setAnyInRange(28, 29, false).ok).toBe(true);
    expect(small.setAnyInRange(28, 29, false)).toMatchObject({ ok: false, error: { code: 'noBitAvailable' } });
  });

  it('TestAllocateRandomDeallocate / TestSetRollover: refill after releasing a quarter', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.shuffledSubarray([...Array(128).keys()], { minLength: 64, maxLength: 64 }), (serial, released) => {
        const numBits = 8 * BLOCK;
        const h = new Bitmap(numBits);
        for (let i = 0; i < numBits / 2; i++) expect(value(h.setAny(serial))).toBe(i);
        expect(h.toString()).toBe('(0xffffffff, 4)->(0x0, 4)->end');
        for (const bit of released) h.unset(bit);
        expect(h.unselected()).toBe((3 * numBits) / 4);
        for (let i = 0; i < numBits / 2; i++) expect(h.setAny(serial).ok).toBe(true);
        expect(h.unselected()).toBe(numBits / 4);
        for (let i = 0; i < numBits / 4; i++) expect(h.setAny(serial).ok).toBe(true);
        expect(h.unselected()).toBe(0);
        expect(h.toString()).toBe('(0xffffffff, 8)->end');
      }),
      { numRuns: 50 },
    );
  });

  it('TestRandomAllocateDeallocate: any order of Set then Unset', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(512).keys()], { minLength: 512 }), fc.shuffledSubarray([...Array(512).keys()], { minLength: 512 }), (setOrder, unsetOrder) => {
        const h = new Bitmap(16 * BLOCK);
        for (const bit of setOrder) expect(h.set(bit).ok).toBe(true);
        expect(h.unselected()).toBe(0);
        expect(h.toString()).toBe('(0xffffffff, 16)->end');
        for (const bit of unsetOrder) expect(h.unset(bit).ok).toBe(true);
        expect(h.unselected()).toBe(512);
        expect(h.toString()).toBe('(0x0, 16)->end');
      }),
      { numRuns: 20 },
    );
  });

  it('idm TestAllocateSerial: ids 50..55, serial', () => {
    // idm is bitseq with an offset: id = 50 + ordinal.
    const start = 50;
    const idm = new Bitmap(55 - start + 1);
    const getSpecific = (id: number) => idm.set(id - start);
    expect(getSpecific(49).ok).toBe(false);
    expect(getSpecific(56).ok).toBe(false);
    expect(start + value(idm.setAny(true))).toBe(50);
    expect(getSpecific(50).ok).toBe(false);
    expect(start + value(idm.setAny(true))).toBe(51);
    expect(start + value(idm.setAny(true))).toBe(52);
    idm.unset(50 - start);
    expect(start + value(idm.setAny(true))).toBe(53);
    idm.unset(52 - start);
    expect(getSpecific(52).ok).toBe(true);
  });
});

describe('bitmap: behaviour the allocator relies on', () => {
  it('handles a /8 and a /0 without materialising them', () => {
    const h = new Bitmap(2 ** 24);
    expect(h.set(0).ok && h.set(2 ** 24 - 1).ok).toBe(true);
    for (let i = 1; i <= 256; i++) expect(value(h.setAny(false))).toBe(i);
    expect(h.unselected()).toBe(2 ** 24 - 258);
    const whole = new Bitmap(2 ** 32);
    expect(whole.set(2 ** 32 - 1).ok).toBe(true);
    expect(whole.isSet(2 ** 32 - 1)).toBe(true);
    expect(value(whole.setAnyInRange(2 ** 32 - 2, 2 ** 32 - 1, false))).toBe(2 ** 32 - 2);
    expect(whole.toString()).toBe('(0x0, 134217727)->(0x3, 1)->end');
  });

  it('explicit sets do not move the serial cursor; any-sets do, serial or not', () => {
    const h = new Bitmap(16);
    expect(h.set(5).ok).toBe(true);
    expect(h.cursor()).toBe(0);
    expect(value(h.setAny(false))).toBe(0);
    expect(h.cursor()).toBe(1);
    expect(value(h.setAny(false))).toBe(1);
    h.unset(0);
    expect(value(h.setAny(true))).toBe(2);
    expect(value(h.setAny(false))).toBe(0);
    expect(value(h.setAny(true))).toBe(3);
  });

  it('counts a double release twice, as bitseq does', () => {
    const h = new Bitmap(4);
    h.set(1);
    h.unset(1);
    h.unset(1);
    expect(h.unselected()).toBe(5);
    expect(h.isSet(1)).toBe(false);
  });

  type Op = { kind: 'any'; serial: boolean } | { kind: 'range'; a: number; b: number; serial: boolean } | { kind: 'set'; o: number } | { kind: 'unset'; o: number };
  const arbOps = (bits: number): fc.Arbitrary<Op[]> =>
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('any' as const), serial: fc.boolean() }),
        fc.record({ kind: fc.constant('range' as const), a: fc.nat(bits - 1), b: fc.nat(bits - 1), serial: fc.boolean() }),
        fc.record({ kind: fc.constant('set' as const), o: fc.nat(bits - 1) }),
        fc.record({ kind: fc.constant('unset' as const), o: fc.nat(bits - 1) }),
      ),
      { maxLength: 200 },
    );

  it('matches a brute-force model of bitseq', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }).chain((bits) => fc.tuple(fc.constant(bits), arbOps(bits))),
        ([bits, ops]) => {
          const h = new Bitmap(bits);
          const taken = new Set<number>();
          let unselected = bits;
          let curr = 0;
          const firstClear = (from: number, end: number): number | undefined => {
            for (let o = from; o <= end && o < bits; o++) if (!taken.has(o)) return o;
            return undefined;
          };
          const anyIn = (start: number, end: number, serial: boolean): number | undefined => {
            if (unselected === 0) return undefined;
            const c = serial ? curr : 0;
            const o = (c !== 0 && c > start ? firstClear(c, end) : undefined) ?? firstClear(start, end);
            if (o !== undefined) {
              taken.add(o);
              unselected--;
              curr = o + 1;
            }
            return o;
          };
          for (const op of ops) {
            switch (op.kind) {
              case 'any': {
                const r = h.setAny(op.serial);
                expect(r.ok ? r.value : undefined).toBe(anyIn(0, bits - 1, op.serial));
                break;
              }
              case 'range': {
                const [a, b] = op.a <= op.b ? [op.a, op.b] : [op.b, op.a];
                const r = h.setAnyInRange(a, b, op.serial);
                expect(r.ok ? r.value : undefined).toBe(anyIn(a, b, op.serial));
                break;
              }
              case 'set': {
                const free = !taken.has(op.o);
                expect(h.set(op.o).ok).toBe(free);
                if (free) {
                  taken.add(op.o);
                  unselected--;
                }
                break;
              }
              case 'unset':
                h.unset(op.o);
                taken.delete(op.o);
                unselected++;
                break;
            }
            expect(h.unselected()).toBe(unselected);
            expect(h.cursor()).toBe(curr);
          }
          for (let o = 0; o < bits; o++) expect(h.isSet(o)).toBe(taken.has(o));
        },
      ),
      { numRuns: 300 },
    );
  });
});
