// The hashing schedulers: hash_32 and SipHash as the kernel computes them, the sh bucket table
// (ip_vs_sh.c) and the Maglev lookup table (ip_vs_mh.c).
import { describe, expect, it } from 'vitest';
import {
  MH_HASH1,
  MH_HASH2,
  SVC_F_SCHED1,
  SVC_F_SCHED2,
  hash32,
  hsiphashU32,
  mhHashKey,
  mhLookupTable,
  mhTableSize,
  shBuckets,
  shHashKey,
  siphash,
} from '../../../src/kernel/ipvs/index.js';
import { DestList, dest, ip } from './helpers.js';

describe('hash_32 (include/linux/hash.h)', () => {
  it('is the top bits of val * 0x61C88647 in 32-bit arithmetic', () => {
    expect(hash32(ip('10.0.0.1'), 8)).toBe(39);
    expect(hash32(ip('10.0.0.2'), 8)).toBe(137);
    expect(hash32(ip('192.168.1.100'), 8)).toBe(89);
    expect(hash32(ip('172.17.0.5'), 8)).toBe(135);
    for (const v of [0, 1, 0xffffffff, 0x80000000, 123456789]) {
      expect(hash32(v, 8)).toBe(Number(((BigInt(v) * 0x61c88647n) & 0xffffffffn) >> 24n));
    }
  });
});

describe('SipHash (lib/siphash.c)', () => {
  const key = { k0: 0x0706050403020100n, k1: 0x0f0e0d0c0b0a0908n };
  it('matches the SipHash-2-4 reference vectors', () => {
    const vectors: [number, bigint][] = [
      [0, 0x726fdb47dd0e0e31n],
      [1, 0x74f839c593dc67fdn],
      [2, 0x0d6c8009d9a94f5an],
      [3, 0x85676696d7fb7e2dn],
      [4, 0xcf2794e0277187b7n],
      [8, 0x93f5f5799a932462n],
      [15, 0xa129ca6149be45e5n],
    ];
    for (const [len, want] of vectors) {
      expect(siphash(Uint8Array.from({ length: len }, (_, i) => i), key, 2, 4)).toBe(want);
    }
  });

  it('hsiphash of a u32 is SipHash-1-3 truncated to 32 bits (64-bit kernels)', () => {
    expect(hsiphashU32(ip('10.0.0.1'), MH_HASH1)).toBe(50859236);
    expect(hsiphashU32(ip('10.0.0.1'), MH_HASH2)).toBe(1224331457);
    expect(hsiphashU32(ip('10.0.2.2'), MH_HASH1)).toBe(2388167010);
  });
});

describe('sh (ip_vs_sh.c)', () => {
  it('hashes hash_32(port + saddr, 8) plus the offset, modulo 256', () => {
    expect(shHashKey(ip('10.0.0.1'), 0, 0)).toBe(39);
    expect(shHashKey(ip('10.0.0.1'), 12345, 0)).toBe(134);
    expect(shHashKey(ip('10.0.0.1'), 0, 250)).toBe((250 + 39) % 256);
  });

  it('fills the 256 buckets in list order, each server weight times, a weight-0 server once', () => {
    const l = new DestList('rr', [dest('C', 0), dest('B', 1), dest('A', 2)]);
    const buckets = shBuckets(l.dests).map(d => d?.name);
    expect(buckets.slice(0, 8)).toEqual(['A', 'A', 'B', 'C', 'A', 'A', 'B', 'C']);
    expect(buckets).toHaveLength(256);
    expect(buckets.filter(n => n === 'A')).toHaveLength(128);
    expect(buckets.filter(n => n === 'C')).toHaveLength(64);
  });

  it('sends a source to its bucket server; an unavailable one gives nothing unless sh-fallback', () => {
    const l = new DestList('sh', [dest('B'), dest('A')]);
    // List A, B: even buckets A, odd buckets B. 10.0.0.1 -> 39 (B), 10.0.0.2 -> 137 (B).
    const pick = (src: string, flags = 0, sport = 0) => l.sched.schedule(l.dests, { saddr: ip(src), sport }, flags)?.name;
    expect(pick('10.0.0.1')).toBe('B');
    expect(pick('192.168.1.100')).toBe('B');
    expect(pick('10.0.0.1', SVC_F_SCHED2, 12345)).toBe('A'); // bucket 134 with sh-port
    l.update('B', { weight: 0 });
    expect(pick('10.0.0.1')).toBeUndefined();
    expect(pick('10.0.0.1', SVC_F_SCHED1)).toBe('A');
  });

  it('rebuilds the table when servers change: the same source moves only if its bucket did', () => {
    const l = new DestList('sh', [dest('B'), dest('A')]);
    const before = shBuckets(l.dests).map(d => d?.name);
    l.add(dest('C'));
    const after = shBuckets(l.dests).map(d => d?.name);
    expect(after.slice(0, 3)).toEqual(['C', 'A', 'B']);
    expect(before.slice(0, 2)).toEqual(['A', 'B']);
  });
});

describe('mh (ip_vs_mh.c)', () => {
  it('uses the kernel primes; the default CONFIG_IP_VS_MH_TAB_INDEX=12 gives 4093 entries', () => {
    expect(mhTableSize(12)).toBe(4093);
    expect(mhTableSize(8)).toBe(251);
    expect(mhTableSize(17)).toBe(131071);
    expect(() => mhTableSize(18)).toThrow(RangeError);
  });

  it('derives offset and skip from hsiphash of the server address + port with the fixed keys', () => {
    expect(mhHashKey(ip('10.0.2.2'), 80, MH_HASH1, 0) % 4093).toBe(2489);
    expect((mhHashKey(ip('10.0.2.2'), 80, MH_HASH2, 0) % 4092) + 1).toBe(1282);
  });

  it('fills every entry; equal weights share the table within one entry, weights 2:1 by turns', () => {
    const equal = new DestList('rr', [dest('C'), dest('B'), dest('A')]);
    const counts = (table: Int32Array): number[] => {
      const c = [0, 0, 0];
      for (const i of table) c[i]!++;
      return c;
    };
    const t = mhLookupTable(equal.dests);
    expect(t.includes(-1)).toBe(false);
    // Round-robin population: 4093 = 3 * 1364 + 1, the extra entry to the list head.
    expect(counts(t)).toEqual([1365, 1364, 1364]);
    const weighted = new DestList('rr', [dest('B', 1), dest('A', 2)]);
    expect(counts(mhLookupTable(weighted.dests)).slice(0, 2)).toEqual([2729, 1364]);
  });

  it('keeps most entries of the remaining servers when one is removed (consistent hashing)', () => {
    const l = new DestList('rr', [dest('D'), dest('C'), dest('B'), dest('A')]);
    const names = (dests: readonly { name: string }[], t: Int32Array) => Array.from(t, i => dests[i]!.name);
    const before = names(l.dests, mhLookupTable(l.dests));
    l.remove('C');
    const after = names(l.dests, mhLookupTable(l.dests));
    const kept = before.filter((n, i) => n !== 'C' && after[i] === n).length;
    const survivors = before.filter(n => n !== 'C').length;
    expect(kept / survivors).toBeGreaterThan(0.9);
  });

  it('quiescing a server (weight 0) keeps the table (last_weight); fallback finds another server', () => {
    const l = new DestList('mh', [dest('B'), dest('A')]);
    const src = ip('10.1.2.3');
    const first = l.sched.schedule(l.dests, { saddr: src, sport: 0 }, 0)!.name;
    const other = first === 'A' ? 'B' : 'A';
    l.update(first, { weight: 0 });
    expect(l.sched.schedule(l.dests, { saddr: src, sport: 0 }, 0)).toBeUndefined();
    expect(l.sched.schedule(l.dests, { saddr: src, sport: 0 }, SVC_F_SCHED1)?.name).toBe(other);
    l.update(first, { weight: 1 });
    expect(l.sched.schedule(l.dests, { saddr: src, sport: 0 }, 0)?.name).toBe(first);
  });
});
