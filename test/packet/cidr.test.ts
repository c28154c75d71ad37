// CIDR text with Docker's error messages, and the set operations checked against brute force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastOf,
  mustParseCidr,
  cidrContains,
  cidrContainsCidr,
  cidrOverlaps,
  cidrSize,
  firstHost,
  formatCidr,
  formatIpv4,
  lastHost,
  networkOf,
  parseCidr,
  type Cidr,
} from '../../src/packet/index.js';
import { arbCidr } from './arbitraries.js';

describe('cidr', () => {
  it('parses, keeping host bits as ip addr does', () => {
    expect(parseCidr('172.17.0.2/16')).toEqual({ address: 0xac110002, prefix: 16 });
    expect(formatCidr(mustParseCidr('172.17.0.2/16'))).toBe('172.17.0.2/16');
    expect(formatCidr(networkOf(mustParseCidr('172.17.0.2/16')))).toBe('172.17.0.0/16');
    expect(parseCidr('0.0.0.0/0')).toEqual({ address: 0, prefix: 0 });
    expect(parseCidr('10.0.0.0/08')).toEqual({ address: 0x0a000000, prefix: 8 });
  });

  it.each(['10.0.0.0/33', '10.0.0.0', '10.0.0.0/', '10.0.0/8', '010.0.0.0/8', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/ 8', 'fe80::/64'])(
    'rejects %j with the Go/Docker message',
    (text) => expect(parseCidr(text)).toEqual({ error: `invalid CIDR address: ${text}` }),
  );

  it('computes network, broadcast, size and usable hosts', () => {
    const c = mustParseCidr('172.17.0.2/16');
    expect(formatIpv4(broadcastOf(c))).toBe('172.17.255.255');
    expect(cidrSize(c)).toBe(65536);
    expect(formatIpv4(firstHost(c))).toBe('172.17.0.1');
    expect(formatIpv4(lastHost(c))).toBe('172.17.255.254');
    expect(cidrSize(mustParseCidr('0.0.0.0/0'))).toBe(2 ** 32);
    expect(formatIpv4(broadcastOf(mustParseCidr('0.0.0.0/0')))).toBe('255.255.255.255');
    expect([firstHost(mustParseCidr('10.0.0.4/31')), lastHost(mustParseCidr('10.0.0.4/31'))].map(formatIpv4)).toEqual(['10.0.0.4', '10.0.0.5']);
    expect([firstHost(mustParseCidr('10.0.0.7/32')), lastHost(mustParseCidr('10.0.0.7/32'))].map(formatIpv4)).toEqual(['10.0.0.7', '10.0.0.7']);
  });

  it('formats then parses to the same value', () => {
    fc.assert(
      fc.property(arbCidr, (c) => {
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });

  // Prefixes /26../32 inside 10.0.0.0/24: small enough to enumerate every address.
  const base = 0x0a000000;
  const arbSmall: fc.Arbitrary<Cidr> = fc.record({
    address: fc.integer({ min: 0, max: 255 }).map((low) => base + low),
    prefix: fc.integer({ min: 24, max: 32 }),
  });
  const members = (c: Cidr): Set<number> => {
    const set = new Set<number>();
    for (let a = base; a < base + 256; a++) if (((a ^ c.address) >>> (32 - c.prefix)) === 0 || c.prefix === 0) set.add(a);
    return set;
  };

  it('contains, overlaps and size agree with brute force', () => {
    fc.assert(
      fc.property(arbSmall, arbSmall, fc.integer({ min: 0, max: 255 }), (a, b, low) => {
        const ma = members(a);
        const mb = members(b);
        expect(cidrSize(a)).toBe(ma.size);
        expect(cidrContains(a, base + low)).toBe(ma.has(base + low));
        expect(cidrOverlaps(a, b)).toBe([...ma].some((x) => mb.has(x)));
        expect(cidrOverlaps(a, b)).toBe(cidrOverlaps(b, a));
        expect(cidrContainsCidr(a, b)).toBe([...mb].every((x) => ma.has(x)));
        expect(networkOf(a).address).toBe(Math.min(...ma));
        expect(broadcastOf(a)).toBe(Math.max(...ma));
      }),
    );
  });

  it('every address of a prefix is between its first and last host, bounds included, for /0../30', () => {
    fc.assert(
      fc.property(arbCidr.filter((c) => c.prefix <= 30), (c) => {
        expect(firstHost(c)).toBe(networkOf(c).address + 1);
        expect(lastHost(c)).toBe(broadcastOf(c) - 1);
        expect(cidrContains(c, firstHost(c)) && cidrContains(c, lastHost(c))).toBe(true);
      }),
    );
  });
});
