// Virtual time: Go-style duration syntax both ways, and tcpdump-style instants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HOUR,
  InvariantError,
  MINUTE,
  MS,
  NS,
  SECOND,
  US,
  formatDuration,
  formatInstant,
  parseDuration,
} from '../../src/engine/index.js';

describe('units', () => {
  it('are integer nanoseconds', () => {
    expect([NS, US, MS, SECOND, MINUTE, HOUR]).toEqual([1, 1e3, 1e6, 1e9, 60e9, 3600e9]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250 * MS],
    ['2s', 2 * SECOND],
    ['1m', MINUTE],
    ['1.5s', 1_500_000_000],
    ['10us', 10_000],
    ['10µs', 10_000],
    ['100ns', 100],
    ['1h', HOUR],
    ['2m30s', 150 * SECOND],
    ['1h2m3s4ms5us6ns', HOUR + 2 * MINUTE + 3 * SECOND + 4 * MS + 5 * US + 6],
    ['1.1s', 1_100_000_000],
    ['0.000000001s', 1],
    ['.5s', 500 * MS],
    ['0', 0],
    ['0s', 0],
    ['+3ms', 3 * MS],
    [' 2s ', 2 * SECOND],
  ])('reads %j', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['5', 'missing unit after "5"'],
    ['5x', 'unknown unit "x"'],
    ['1d', 'unknown unit "d"'],
    ['-1s', 'cannot be negative'],
    ['1.5ns', 'not a whole number of nanoseconds'],
    ['s', 'unexpected "s"'],
    ['1s 2s', 'unexpected " 2s"'],
    ['1,5s', 'unexpected ",5s"'],
    ['99999999h', 'longer than the largest virtual duration'],
  ])('rejects %j', (text, message) => {
    const result = parseDuration(text);
    expect(result).toEqual({ error: expect.stringContaining(message) as unknown });
    expect((result as { error: string }).error).toContain(`invalid duration "${text}"`);
  });

  it('adds the components of any Go-style combination', () => {
    const units: [string, number][] = [['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', MS], ['us', US], ['ns', NS]];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 6 }), parts => {
        const text = parts.map(([n, u]) => `${n}${units[u]![0]}`).join('');
        const expected = parts.reduce((sum, [n, u]) => sum + n * units[u]![1], 0);
        if (Number.isSafeInteger(expected)) {
          expect(parseDuration(text)).toBe(expected);
        } else {
          expect(parseDuration(text)).toEqual({ error: expect.stringContaining('longer than the largest') as unknown });
        }
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [100, '100ns'],
    [1_500, '1.5us'],
    [250 * MS, '250ms'],
    [1_234_567, '1.234567ms'],
    [2_500 * MS, '2.5s'],
    [150 * SECOND, '2m30s'],
    [MINUTE, '1m0s'],
    [HOUR, '1h0m0s'],
    [HOUR + 500 * MS, '1h0m0.5s'],
    [SECOND + 1, '1.000000001s'],
    [-2 * SECOND, '-2s'],
  ])('prints %d as %j', (d, text) => {
    expect(formatDuration(d)).toBe(text);
  });

  it('refuses fractional nanoseconds', () => {
    expect(() => formatDuration(1.5)).toThrow(InvariantError);
  });

  it('round-trips through parseDuration for every safe non-negative duration', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 10 * SECOND }), fc.maxSafeNat()), d => {
        expect(parseDuration(formatDuration(d))).toBe(d);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatInstant', () => {
  it.each([
    [0, '0.000000000'],
    [1_000_000_123, '1.000000123'],
    [42 * MS, '0.042000000'],
    [Number.MAX_SAFE_INTEGER, '9007199.254740991'],
  ])('prints %d as %j', (t, text) => {
    expect(formatInstant(t)).toBe(text);
  });

  it('is exact for large instants just below a whole second', () => {
    expect(formatInstant(9_000_000 * SECOND - 1)).toBe('8999999.999999999');
  });
});
