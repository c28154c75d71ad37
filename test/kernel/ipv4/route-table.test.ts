// The routing table's longest-prefix match against a brute-force search, and its insert modes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouteTable, type Route } from '../../../src/kernel/index.js';
import { maskOf } from '../../../src/packet/index.js';
import { cidr, ip } from './fakes.js';

function route(dst: number, prefix: number, metric = 0, extra: Partial<Route> = {}): Route {
  return {
    table: 254,
    type: 'unicast',
    dst: (dst & maskOf(prefix)) >>> 0,
    prefix,
    dev: undefined,
    gateway: undefined,
    metric,
    proto: 'static',
    scope: 'global',
    src: undefined,
    onlink: false,
    mtu: undefined,
    ...extra,
  };
}

/** The specification: every route containing dst; the longest prefix; the lowest metric; the first inserted. */
function bruteForce(routes: readonly Route[], dst: number): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (((dst & maskOf(r.prefix)) >>> 0) !== r.dst) continue;
    if (best === undefined || r.prefix > best.prefix || (r.prefix === best.prefix && r.metric < best.metric)) best = r;
  }
  return best;
}

// Addresses drawn from a small space so that prefixes overlap often.
const addrArb = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0x0a000000, 0x0a000100, 0x0a0001ff, 0xac110002, 0));
const routeArb = fc.record({ dst: addrArb, prefix: fc.integer({ min: 0, max: 32 }), metric: fc.integer({ min: 0, max: 3 }) });

describe('RouteTable longest-prefix match', () => {
  it('agrees with a brute-force search', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 40 }), fc.array(addrArb, { minLength: 1, maxLength: 20 }), (specs, lookups) => {
        const table = new RouteTable(254);
        const inserted: Route[] = [];
        for (const s of specs) {
          const r = route(s.dst, s.prefix, s.metric);
          if (table.insert(r, 'excl').kind === 'inserted') inserted.push(r);
        }
        for (const dst of lookups) expect(table.lookup(dst >>> 0, { scope: 0 })).toBe(bruteForce(inserted, dst >>> 0));
        expect(table.count).toBe(inserted.length);
      }),
      { numRuns: 300 },
    );
  });

  it('stays correct after removals', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 15 }), fc.array(addrArb, { maxLength: 10 }), (specs, removals, lookups) => {
        const table = new RouteTable(254);
        let live: Route[] = [];
        for (const s of specs) {
          const r = route(s.dst, s.prefix, s.metric);
          if (table.insert(r, 'append').kind === 'inserted') live.push(r);
        }
        for (const k of removals) {
          if (live.length === 0) break;
          const victim = live[k % live.length]!;
          expect(table.remove(victim)).toBe(true);
          live = live.filter(r => r !== victim);
        }
        for (const dst of lookups) expect(table.lookup(dst >>> 0, { scope: 0 })).toBe(bruteForce(live, dst >>> 0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('RouteTable insert modes and order', () => {
  it('add refuses the same prefix and metric; replace swaps it; append keeps both', () => {
    const t = new RouteTable(254);
    const a = route(ip('10.0.0.0'), 8, 0, { gateway: 1 });
    const b = route(ip('10.0.0.0'), 8, 0, { gateway: 2 });
    expect(t.insert(a, 'excl').kind).toBe('inserted');
    expect(t.insert(b, 'excl').kind).toBe('exists');
    expect(t.insert(route(ip('10.0.0.0'), 8, 5), 'excl').kind).toBe('inserted');
    expect(t.insert(b, 'replace')).toEqual({ kind: 'replaced', old: a });
    expect(t.insert(a, 'append').kind).toBe('inserted');
    expect(t.insert(a, 'append').kind).toBe('exists');
    expect(t.exact(ip('10.0.0.0'), 8).map(r => [r.gateway, r.metric])).toEqual([
      [2, 0],
      [1, 0],
      [undefined, 5],
    ]);
  });

  it('skips routes of a narrower scope and routes through another device when bound', () => {
    const t = new RouteTable(254);
    const link = route(ip('10.0.0.0'), 24, 0, { scope: 'link' });
    const wide = route(ip('10.0.0.0'), 16, 0);
    t.insert(link, 'excl');
    t.insert(wide, 'excl');
    expect(t.lookup(ip('10.0.0.5'), { scope: 0 })).toBe(link);
    expect(t.lookup(ip('10.0.0.5'), { scope: 254 })).toBeUndefined();
  });

  it('lists by network address, longer prefix first, as the trie dumps', () => {
    const t = new RouteTable(254);
    for (const c of ['10.0.0.0/8', '0.0.0.0/0', '10.0.0.0/24', '172.17.0.0/16', '10.1.0.0/16']) {
      const p = cidr(c);
      t.insert(route(p.address, p.prefix), 'excl');
    }
    expect(t.all().map(r => `${r.dst >>> 24}.${(r.dst >>> 16) & 255}/${r.prefix}`)).toEqual(['0.0/0', '10.0/24', '10.0/8', '10.1/16', '172.17/16']);
  });
});
