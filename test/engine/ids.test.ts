// Docker-style ids, MACs and veth names drawn from a stream, and plain counters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams, Sequence, randomId64, randomMac, shortId, vethName, type Rng } from '../../src/engine/index.js';

describe('randomId64', () => {
  it('is 64 lowercase hex characters, reproducible from the seed', () => {
    const id = randomId64(new RngStreams(42).stream('ids'));
    expect(id).toBe('c7cc5394f5ea3b2a0fa9b022c35066cc9424cd41b71c9c65bb0c34b85bb02cd5');
    fc.assert(
      fc.property(fc.integer(), seed => {
        expect(randomId64(new RngStreams(seed).stream('ids'))).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it('redraws when the short id would be all digits, as moby stringid does', () => {
    const draws = ['0123456789012345' + 'a'.repeat(48), '0123456789ab' + 'c'.repeat(52)];
    const fake = { hex: (chars: number) => draws.shift()!.slice(0, chars) } as unknown as Rng;
    expect(randomId64(fake)).toBe('0123456789ab' + 'c'.repeat(52));
    expect(draws).toEqual([]);
  });
});

describe('shortId', () => {
  it('keeps the first 12 characters and drops an algorithm prefix', () => {
    expect(shortId('c7cc5394f5ea3b2a0fa9b022c35066cc')).toBe('c7cc5394f5ea');
    expect(shortId('sha256:c7cc5394f5ea3b2a0fa9b022')).toBe('c7cc5394f5ea');
    expect(shortId('abc')).toBe('abc');
  });
});

describe('randomMac', () => {
  it('is a 48-bit locally administered unicast address', () => {
    expect(randomMac(new RngStreams(42).stream('ids'))).toBe(0x962a0fa9b022);
    const rng = new RngStreams(5).stream('mac');
    for (let i = 0; i < 2000; i++) {
      const mac = randomMac(rng);
      expect(Number.isSafeInteger(mac) && mac >= 0 && mac < 2 ** 48).toBe(true);
      const first = Math.floor(mac / 2 ** 40);
      expect(first & 0x01).toBe(0);
      expect(first & 0x02).toBe(2);
    }
  });
});

describe('vethName', () => {
  it('is veth plus 7 lowercase hex characters (at most IFNAMSIZ-1)', () => {
    const rng = new RngStreams(1).stream('veth');
    for (let i = 0; i < 100; i++) {
      const name = vethName(rng);
      expect(name).toMatch(/^veth[0-9a-f]{7}$/);
      expect(name.length).toBeLessThanOrEqual(15);
    }
  });
});

describe('Sequence', () => {
  it('counts up from its start without repeating', () => {
    const seq = new Sequence();
    expect([seq.next(), seq.next(), seq.peek(), seq.next()]).toEqual([1, 2, 3, 3]);
    const zero = new Sequence(0);
    expect(zero.next()).toBe(0);
  });
});
