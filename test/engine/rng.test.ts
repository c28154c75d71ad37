// Named RNG streams: fixed draws for a fixed seed (golden vectors), independence between streams,
// and the ranges and uniformity of the derived helpers.
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { InvariantError, RngStreams } from '../../src/engine/index.js';

describe('golden vectors', () => {
  it('seed 1, stream "mac"', () => {
    const rng = new RngStreams(1).stream('mac');
    expect([rng.next(), rng.next(), rng.next()]).toEqual([0.5899650294678098, 0.15887084157774356, 0.6045133705362573]);
    expect([rng.uint32(), rng.uint32(), rng.uint32()]).toEqual([2023988411, 3187028501, 3354844249]);
    expect([rng.int(10), rng.int(10), rng.int(1000), rng.int(2 ** 40)]).toEqual([7, 6, 90, 226250553042]);
  });

  it('seed "7", stream "ids"', () => {
    const rng = new RngStreams('7').stream('ids');
    expect(rng.hex(20)).toBe('7d0000c40d36997f5871');
    expect(rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8])).toEqual([6, 2, 5, 8, 4, 1, 3, 7]);
  });

  it('derives each stream as Alea seeded with cnmsim:[seed, name]', () => {
    const reference = seedrandom.alea('cnmsim:["1","mac"]');
    const rng = new RngStreams(1).stream('mac');
    for (let i = 0; i < 10; i++) {
      expect(rng.next()).toBe(reference.double());
    }
  });
});

describe('RngStreams', () => {
  it('returns the same Rng object for the same name', () => {
    const streams = new RngStreams(3);
    expect(streams.stream('a')).toBe(streams.stream('a'));
    expect(streams.stream('a')).not.toBe(streams.stream('b'));
    expect(streams.names()).toEqual(['a', 'b']);
  });

  it('same seed, same draws; a numeric seed equals its decimal text', () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), (seed, name) => {
        const a = new RngStreams(seed).stream(name);
        const b = new RngStreams(String(seed)).stream(name);
        const draws = (r: typeof a): number[] => Array.from({ length: 8 }, () => r.uint32());
        expect(draws(a)).toEqual(draws(b));
      }),
    );
  });

  it('different seeds or names give different draws', () => {
    const draw = (seed: number, name: string): string => new RngStreams(seed).stream(name).hex(16);
    expect(draw(1, 'mac')).not.toBe(draw(2, 'mac'));
    expect(draw(1, 'mac')).not.toBe(draw(1, 'ids'));
    // The seed/name split is unambiguous.
    expect(new RngStreams('a/b').stream('c').hex(16)).not.toBe(new RngStreams('a').stream('b/c').hex(16));
  });

  it('a new stream never changes the draws of another', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.oneof(fc.constant('ipvs'), fc.constant('gossip'), fc.string({ maxLength: 4 })), { maxLength: 10 }),
        (seed, intruders) => {
          const alone = new RngStreams(seed).stream('mac');
          const expected = Array.from({ length: intruders.length + 5 }, () => alone.next());
          const busy = new RngStreams(seed);
          const mac = busy.stream('mac');
          const actual: number[] = [];
          for (const name of intruders) {
            if (name !== 'mac') {
              busy.stream(name).next();
            }
            actual.push(mac.next());
          }
          for (let i = 0; i < 5; i++) {
            actual.push(mac.next());
          }
          expect(actual).toEqual(expected);
        },
      ),
    );
  });

  it('refuses a non-finite numeric seed', () => {
    expect(() => new RngStreams(Number.NaN)).toThrow(InvariantError);
  });
});

describe('Rng draws', () => {
  const rng = new RngStreams(99).stream('test');

  it('next is in [0, 1) and uint32 in [0, 2^32)', () => {
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const u = rng.uint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
    }
  });

  it('int(n) is an integer in [0, n) for every safe n > 0', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 32 + 5 }), fc.maxSafeInteger().filter(n => n > 0)), n => {
        const x = rng.int(n);
        expect(Number.isSafeInteger(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('int(n) rejects n <= 0 and fractions', () => {
    for (const n of [0, -1, 2.5, Number.NaN, 2 ** 53]) {
      expect(() => rng.int(n)).toThrow(InvariantError);
    }
  });

  it('int(n) is uniform (chi-square, 6 buckets)', () => {
    // A fresh stream, so the verdict does not depend on what earlier property runs drew.
    const rng = new RngStreams(99).stream('chi-square');
    const counts = new Array<number>(6).fill(0);
    const draws = 60_000;
    for (let i = 0; i < draws; i++) {
      counts[rng.int(6)]!++;
    }
    const expected = draws / 6;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 5 degrees of freedom: P(chi2 > 20.5) < 0.001.
    expect(chi2).toBeLessThan(20.5);
  });

  it('range is inclusive at both ends', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      seen.add(rng.range(32768, 32771));
    }
    expect([...seen].sort()).toEqual([32768, 32769, 32770, 32771]);
    expect(rng.range(5, 5)).toBe(5);
    expect(() => rng.range(6, 5)).toThrow(InvariantError);
  });

  it('pick takes an element; shuffle permutes a copy', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 50 }), items => {
        const before = [...items];
        expect(items).toContain(rng.pick(items));
        const shuffled = rng.shuffle(items);
        expect(items).toEqual(before);
        expect(shuffled).not.toBe(items);
        expect([...shuffled].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
      }),
    );
    expect(() => rng.pick([])).toThrow(InvariantError);
  });

  it('hex gives exactly the requested lowercase hex digits', () => {
    for (const chars of [0, 1, 7, 8, 9, 64]) {
      expect(rng.hex(chars)).toMatch(new RegExp(`^[0-9a-f]{${chars}}$`));
    }
  });
});
