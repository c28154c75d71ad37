// Properties of the default IPAM over random request/release sequences: nothing is handed out
// twice, release gives back exactly what was taken, addresses stay inside their (sub-)pool, the
// rotating default-pool order holds, and serial allocation moves on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOC_SERIAL_PREFIX,
  Allocator,
  IPAM_ERRORS,
  GLOBAL_DEFAULT_ADDRESS_SPACE as GLOBAL,
  LOCAL_DEFAULT_ADDRESS_SPACE as LOCAL,
  LOCAL_SCOPE_DEFAULT_POOLS,
  splitNetworks,
} from '../../../src/cnm/ipam/index.js';
import { broadcastOf, cidrContains, cidrOverlaps, formatCidr, mustParseCidr, networkOf, type Cidr } from '../../../src/packet/index.js';

const SERIAL = { [ALLOC_SERIAL_PREFIX]: 'true' };

/** Small pools (so exhaustion happens) with nesting, and ranges inside and around them. */
const MASTERS = ['10.1.0.0/28', '10.1.0.0/27', '10.1.0.16/28', '10.2.0.0/29', '10.2.0.0/30', '10.3.0.0/26'];
const RANGES = ['', '', '10.1.0.8/29', '10.1.0.16/30', '10.2.0.4/30', '10.3.0.32/27', '10.1.0.0/28'];

type Op =
  | { kind: 'pool'; space: 0 | 1; master: number; range: number }
  | { kind: 'dynamic'; space: 0 | 1 }
  | { kind: 'releasePool'; pick: number }
  | { kind: 'address'; pick: number; serial: boolean; preferred: number | undefined }
  | { kind: 'releaseAddress'; pick: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pool' as const), space: fc.constantFrom(0 as const, 1 as const), master: fc.nat(MASTERS.length - 1), range: fc.nat(RANGES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dynamic' as const), space: fc.constantFrom(0 as const, 1 as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('releasePool' as const), pick: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('address' as const), pick: fc.nat(), serial: fc.boolean(), preferred: fc.option(fc.nat(63), { nil: undefined }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('releaseAddress' as const), pick: fc.nat() }) },
);

interface HeldPool {
  readonly poolId: string;
  readonly space: string;
  readonly pool: Cidr;
  readonly range: Cidr | undefined;
  /** The master pool ID whose bitmap this pool allocates from. */
  readonly master: string;
}

function masterId(space: string, pool: Cidr): string {
  return `${space}/${formatCidr(pool)}`;
}

describe('allocator properties', () => {
  it('never hands out a pool or an address twice, and release gives back exactly what was taken', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 120 }), (ops) => {
        const a = new Allocator();
        const pools: HeldPool[] = [];
        // Per master bitmap: the addresses held (masters that overlap by the implicit-master quirk
        // have separate bitmaps, so an address is unique per master, not per space).
        const held = new Map<string, Set<number>>();
        const addresses: { pool: HeldPool; readonly ip: number }[] = [];
        const mastersOf = (space: string) => new Set(pools.filter((p) => p.space === space).map((p) => p.master));

        for (const op of ops) {
          switch (op.kind) {
            case 'pool':
            case 'dynamic': {
              const space = op.space === 0 ? LOCAL : GLOBAL;
              const text = op.kind === 'pool' ? MASTERS[op.master]! : '';
              const sub = op.kind === 'pool' ? RANGES[op.range]! : '';
              const before = [...mastersOf(space)].map((id) => pools.find((p) => p.master === id)!.pool);
              const r = a.requestPool(space, text, sub, {}, false);
              if (!r.ok) break;
              expect(pools.some((p) => p.poolId === r.value.poolId)).toBe(false);
              if (sub === '') {
                // A new master never overlaps a master already held in its space.
                expect(before.some((m) => cidrOverlaps(m, r.value.pool))).toBe(false);
              }
              const entry: HeldPool = {
                poolId: r.value.poolId,
                space,
                pool: r.value.pool,
                range: sub === '' ? undefined : mustParseCidr(sub),
                master: masterId(space, r.value.pool),
              };
              if (!mastersOf(space).has(entry.master)) held.set(entry.master, new Set());
              pools.push(entry);
              break;
            }
            case 'releasePool': {
              if (pools.length === 0) break;
              const [p] = pools.splice(op.pick % pools.length, 1);
              expect(a.releasePool(p!.poolId).ok).toBe(true);
              const heir = pools.find((q) => q.master === p!.master);
              if (heir === undefined) {
                // The master went with its last reference, and its addresses with it.
                held.delete(p!.master);
                for (let i = addresses.length - 1; i >= 0; i--) if (addresses[i]!.pool.master === p!.master) addresses.splice(i, 1);
              } else {
                // The master stays, and so do the addresses taken through the released pool ID;
                // they can be released through any pool ID sharing that master.
                for (const entry of addresses) if (entry.pool === p) entry.pool = heir;
              }
              break;
            }
            case 'address': {
              if (pools.length === 0) break;
              const p = pools[op.pick % pools.length]!;
              const taken = held.get(p.master)!;
              const before = a.unselected(p.poolId)!;
              const preferred = op.preferred === undefined ? undefined : (networkOf(p.pool).address + op.preferred) >>> 0;
              const r = a.requestAddress(p.poolId, preferred, op.serial ? SERIAL : {});
              if (!r.ok) {
                if (preferred !== undefined && cidrContains(p.pool, preferred) && r.error === IPAM_ERRORS.ipAlreadyAllocated) {
                  expect(taken.has(preferred) || preferred === p.pool.address || preferred === broadcastOf(p.pool)).toBe(true);
                }
                if (r.error === IPAM_ERRORS.noAvailableIps) expect(a.unselected(p.poolId)).toBe(0);
                break;
              }
              const ip = r.value.address.address;
              expect(r.value.address.prefix).toBe(p.pool.prefix);
              expect(cidrContains(p.pool, ip)).toBe(true);
              expect(taken.has(ip)).toBe(false);
              if (preferred !== undefined) expect(ip).toBe(preferred);
              else if (p.range !== undefined) {
                const ordinal = ip - p.pool.address;
                expect(ordinal).toBeGreaterThanOrEqual(rangeStart(p));
                expect(ordinal).toBeLessThanOrEqual(rangeEnd(p));
              } else {
                expect(ip).not.toBe(p.pool.address);
                expect(ip).not.toBe(broadcastOf(p.pool));
              }
              expect(a.unselected(p.poolId)).toBe(before - 1);
              taken.add(ip);
              addresses.push({ pool: p, ip });
              break;
            }
            case 'releaseAddress': {
              if (addresses.length === 0) break;
              const [{ pool: p, ip }] = addresses.splice(op.pick % addresses.length, 1) as [{ pool: HeldPool; ip: number }];
              const before = a.unselected(p.poolId)!;
              expect(a.releaseAddress(p.poolId, ip).ok).toBe(true);
              expect(a.unselected(p.poolId)).toBe(before + 1);
              held.get(p.master)!.delete(ip);
              // Exactly that address is free again: asking for it by name gets it back.
              expect(a.requestAddress(p.poolId, ip, {})).toMatchObject({ ok: true, value: { address: { address: ip } } });
              expect(a.releaseAddress(p.poolId, ip).ok).toBe(true);
              break;
            }
          }
        }
        // What is left in the driver is exactly what the test holds, plus implicit masters, and a
        // master's reference count is the number of held entries allocating from it.
        const views = [...a.pools(LOCAL), ...a.pools(GLOBAL)];
        expect(new Set(views.map((v) => v.poolId))).toEqual(new Set([...pools.map((p) => p.poolId), ...pools.map((p) => p.master)]));
        for (const v of views) {
          expect(v.refCount).toBe(v.range === undefined ? pools.filter((p) => p.master === v.poolId).length : 1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('hands out default pools in rotating order: first free candidate after the last one handed out', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat()), { maxLength: 150 }), (ops) => {
        const a = new Allocator();
        const list = LOCAL_SCOPE_DEFAULT_POOLS.toStrings();
        const heldIds = new Map<string, string>();
        let pointer = 0;
        for (const op of ops) {
          if (op >= 0 && heldIds.size > 0) {
            const subnets = [...heldIds.keys()];
            const subnet = subnets[op % subnets.length]!;
            expect(a.releasePool(heldIds.get(subnet)!).ok).toBe(true);
            heldIds.delete(subnet);
            continue;
          }
          let expected: string | undefined;
          for (let i = 0; i < list.length; i++) {
            const candidate = list[(pointer + i) % list.length]!;
            if (!heldIds.has(candidate)) {
              expected = candidate;
              pointer = pointer + i + 1 >= list.length ? 0 : pointer + i + 1;
              break;
            }
          }
          const r = a.requestPool(LOCAL, '', '', {}, false);
          expect(r.ok ? formatCidr(r.value.pool) : undefined).toBe(expected);
          if (r.ok) heldIds.set(formatCidr(r.value.pool), r.value.poolId);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never returns a default pool that overlaps the host, and keeps none of the rejected ones', () => {
    const arbPrefix = fc.tuple(fc.constantFrom(172, 192), fc.nat(255), fc.integer({ min: 8, max: 32 })).map(([a, b, len]) =>
      networkOf({ address: ((a << 24) | ((a === 192 ? 168 : 16 + (b % 16)) << 16) | (b << 8)) >>> 0, prefix: len }),
    );
    fc.assert(
      fc.property(fc.array(arbPrefix, { maxLength: 6 }), fc.integer({ min: 1, max: 40 }), (reserved, n) => {
        const a = new Allocator({ hostReserved: () => reserved });
        const got: Cidr[] = [];
        for (let i = 0; i < n; i++) {
          const r = a.requestPool(LOCAL, '', '', {}, false);
          if (!r.ok) break;
          expect(reserved.some((h) => cidrOverlaps(h, r.value.pool))).toBe(false);
          got.push(r.value.pool);
        }
        expect(a.pools(LOCAL).map((p) => formatCidr(p.pool)).sort()).toEqual(got.map(formatCidr).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('serial allocation never returns the address it just released while another is free', () => {
    fc.assert(
      fc.property(fc.constantFrom('192.168.0.0/28', '198.168.0.0/23', '10.0.0.0/29'), fc.array(fc.boolean(), { maxLength: 300 }), (subnet, ops) => {
        const a = new Allocator();
        const pid = a.requestPool(GLOBAL, subnet, '', {}, false);
        if (!pid.ok) throw new Error(pid.error.message);
        const usable = 2 ** (32 - mustParseCidr(subnet).prefix) - 2;
        const held: number[] = [];
        let previous: number | undefined;
        for (const release of ops) {
          if (release && held.length > 0) {
            // Release the most recent one: the tempting candidate for a naive allocator.
            const ip = held.pop()!;
            expect(a.releaseAddress(pid.value.poolId, ip).ok).toBe(true);
            continue;
          }
          const r = a.requestAddress(pid.value.poolId, undefined, SERIAL);
          if (!r.ok) {
            expect(held.length).toBe(usable);
            continue;
          }
          const ip = r.value.address.address;
          expect(held.includes(ip)).toBe(false);
          if (previous !== undefined && held.length < usable - 1) expect(ip).not.toBe(previous);
          previous = ip;
          held.push(ip);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('custom local pools: every default handed out lies in the configured bases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 28 }), fc.integer({ min: 1, max: 50 }), (size, n) => {
        const list = splitNetworks([{ base: '10.64.0.0/16', size }, { base: '172.80.0.0/16', size: Math.max(size, 20) }]);
        if (!list.ok) throw new Error(list.error.message);
        const a = new Allocator({ localPools: list.value });
        const bases = [mustParseCidr('10.64.0.0/16'), mustParseCidr('172.80.0.0/16')];
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const r = a.requestPool(LOCAL, '', '', {}, false);
          if (!r.ok) {
            expect(seen.size).toBe(list.value.length);
            break;
          }
          expect(bases.some((b) => cidrContains(b, r.value.pool.address))).toBe(true);
          expect(seen.has(formatCidr(r.value.pool))).toBe(false);
          seen.add(formatCidr(r.value.pool));
        }
      }),
      { numRuns: 100 },
    );
  });
});

function maskBits(pool: Cidr): number {
  return pool.prefix === 0 ? 0 : (0xffffffff << (32 - pool.prefix)) >>> 0;
}

/** First ordinal of a held sub-pool's range: its network's host part under the master mask. */
function rangeStart(p: HeldPool): number {
  return (networkOf(p.range!).address & ~maskBits(p.pool)) >>> 0;
}

/** Last ordinal: the range's broadcast's host part under the master mask. */
function rangeEnd(p: HeldPool): number {
  return (broadcastOf(p.range!) & ~maskBits(p.pool)) >>> 0;
}
