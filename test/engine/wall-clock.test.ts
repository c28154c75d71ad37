import { describe, expect, it } from 'vitest';
import { SECOND, civilFromDays, daysFromCivil, formatCtime, simCtime, simRfc3339 } from '../../src/engine/index.js';

describe('wall clock', () => {
  it('starts at the reference captures day', () => {
    expect(simRfc3339(0)).toBe('2026-11-22T13:34:55Z');
    expect(simCtime(0)).toBe('Sun Nov 22 13:34:55 2026');
    expect(simRfc3339(43 * SECOND + 226_117_523)).toBe('2026-11-22T13:35:38.226117523Z');
  });
  it('formats ctime with a space-padded day and the right weekday', () => {
    expect(formatCtime(0)).toBe('Thu Jan  1 00:00:00 1970');
    expect(formatCtime(951_782_400)).toBe('Tue Feb 29 00:00:00 2000');
  });
  it('round-trips civil dates', () => {
    for (let d = -1000; d < 40_000; d += 37) {
      const c = civilFromDays(d);
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
    }
  });
});
