/**
 * One address space of the default IPAM: its master pools, their sub-pools, and pool IDs.
 *
 * Models: libnetwork `ipam/structures.go` (Docker 20.10): `SubnetKey` and its string form (the pool
 * ID), `PoolData` (parent key, pool, range, reference count), `AddressRange`, and `addrSpace` with
 * `updatePoolDBOnAdd`, `updatePoolDBOnRemoval`, `incRefCount` and `contains`.
 *
 *   LocalDefault/172.28.0.0/16                 master: owns the address bitmap, refCount =
 *   LocalDefault/172.28.0.0/16/172.28.5.0/24   child   1 + number of children (+1 if requested)
 *
 * Behaviour kept exactly, quirks included:
 * - a master pool is checked for overlap (containment either way) against every master of the
 *   space; requesting an existing key again is `Pool overlaps with other one on this address space`;
 * - a sub-pool request creates its master implicitly when absent, and that implicit master is NOT
 *   checked for overlap (upstream TestRequestReleaseAddressFromSubPool relies on it);
 * - the child key keeps the sub-pool text as given (not normalised), the master key is normalised;
 * - releasing decrements the whole parent chain; an entry is deleted when its count reaches 0.
 *
 * Leaves out: the datastore (dbIndex, JSON marshalling, CopyTo), IPv6.
 * Invariants: every child's parent key is present while the child is; a master has a bitmap,
 * a child has a range and no bitmap of its own.
 */

import { cidrOverlaps, type Cidr } from '../../packet/index.js';
import { Bitmap } from './bitmap.js';
import { fail, IPAM_ERRORS, ok, type IpamResult } from './ipam-api.js';

/** ipam.SubnetKey: which pool, in which address space. */
export interface SubnetKey {
  readonly addressSpace: string;
  /** Normalised master subnet, e.g. `172.28.0.0/16`. */
  readonly subnet: string;
  /** The sub-pool as requested, or `''` for a master pool. */
  readonly childSubnet: string;
}

/** `SubnetKey.String()`: the pool ID handed to libnetwork. */
export function formatPoolId(key: SubnetKey): string {
  const master = `${key.addressSpace}/${key.subnet}`;
  return key.childSubnet === '' ? master : `${master}/${key.childSubnet}`;
}

/** `SubnetKey.FromString()`: 3 or 5 `/`-separated fields; no validation of the fields. */
export function parsePoolId(poolId: string): SubnetKey | undefined {
  if (poolId === '' || !poolId.includes('/')) return undefined;
  const p = poolId.split('/');
  if (p.length !== 3 && p.length !== 5) return undefined;
  return {
    addressSpace: p[0]!,
    subnet: `${p[1]!}/${p[2]!}`,
    childSubnet: p.length === 5 ? `${p[3]!}/${p[4]!}` : '',
  };
}

/** ipam.AddressRange: a sub-pool's ordinals in its master's bitmap, both ends allocatable. */
export interface AddressRange {
  /** The sub-pool with the address as given (host bits kept, as Go keeps `ip`). */
  readonly sub: Cidr;
  readonly start: number;
  readonly end: number;
}

/** ipam.PoolData. */
export interface PoolData {
  /** Pool ID of the master, for a child; undefined for a master. */
  readonly parentId: string | undefined;
  /** The master pool (a child records its master's network, as Go does). */
  readonly pool: Cidr;
  readonly range: AddressRange | undefined;
  refCount: number;
  /** Present on masters only. */
  readonly bitmap: Bitmap | undefined;
}

/** Read-only view of one entry, for dumps and tests. */
export interface PoolView {
  readonly poolId: string;
  readonly pool: Cidr;
  readonly range: AddressRange | undefined;
  readonly refCount: number;
}

export class AddressSpace {
  readonly name: string;
  readonly #subnets = new Map<string, PoolData>();

  constructor(name: string) {
    this.name = name;
  }

  get(poolId: string): PoolData | undefined {
    return this.#subnets.get(poolId);
  }

  /** The master entry a pool (master or child) allocates from, with its ID. */
  master(poolId: string): { readonly id: string; readonly data: PoolData } | undefined {
    let id = poolId;
    let data = this.#subnets.get(id);
    while (data?.parentId !== undefined) {
      id = data.parentId;
      data = this.#subnets.get(id);
    }
    return data === undefined ? undefined : { id, data };
  }

  /** `addrSpace.contains`: some master pool of this space overlaps `nw` (either contains the other). */
  contains(nw: Cidr): boolean {
    for (const data of this.#subnets.values()) {
      if (data.parentId === undefined && cidrOverlaps(data.pool, nw)) return true;
    }
    return false;
  }

  /**
   * `updatePoolDBOnAdd` for an explicit or predefined pool. `nw` is the masked master network;
   * `range` is set for a sub-pool request.
   */
  add(key: SubnetKey, nw: Cidr, range: AddressRange | undefined): IpamResult<undefined> {
    const id = formatPoolId(key);
    // Already allocated: the same pool twice is an overlap (a predefined candidate never gets
    // here, because the scan skips allocated keys).
    if (this.#subnets.has(id)) return fail(IPAM_ERRORS.poolOverlap);

    if (range === undefined) {
      if (this.contains(nw)) return fail(IPAM_ERRORS.poolOverlap);
      this.#subnets.set(id, masterData(nw));
      return ok(undefined);
    }

    const parentId = formatPoolId({ addressSpace: key.addressSpace, subnet: key.subnet, childSubnet: '' });
    this.#subnets.set(id, { parentId, pool: nw, range, refCount: 1, bitmap: undefined });
    const parent = this.#subnets.get(parentId);
    if (parent !== undefined) {
      this.#incRefCount(parent, 1);
    } else {
      // Upstream creates the missing master without an overlap check.
      this.#subnets.set(parentId, masterData(nw));
    }
    return ok(undefined);
  }

  /** `updatePoolDBOnRemoval`: drop one reference along the chain, delete entries that reach 0. */
  remove(poolId: string): IpamResult<undefined> {
    const p = this.#subnets.get(poolId);
    if (p === undefined) return fail(IPAM_ERRORS.badPool);
    this.#incRefCount(p, -1);
    let id: string | undefined = poolId;
    let c: PoolData | undefined = p;
    while (c !== undefined && id !== undefined) {
      if (c.refCount === 0) {
        this.#subnets.delete(id);
        // A master that goes takes its bitmap with it (bitseq Destroy).
        if (c.range === undefined) break;
      }
      id = c.parentId;
      c = id === undefined ? undefined : this.#subnets.get(id);
    }
    return ok(undefined);
  }

  /** Every entry, sorted by pool ID. */
  pools(): PoolView[] {
    return [...this.#subnets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([poolId, d]) => ({ poolId, pool: d.pool, range: d.range, refCount: d.refCount }));
  }

  #incRefCount(p: PoolData, delta: number): void {
    let c: PoolData | undefined = p;
    while (c !== undefined) {
      c.refCount += delta;
      c = c.parentId === undefined ? undefined : this.#subnets.get(c.parentId);
    }
  }
}

/**
 * A new master with its bitmap: 2^hostbits ordinals, the network address (ordinal 0) and the
 * broadcast address (the last ordinal) reserved, as `insertBitMask` does for IPv4 (also for /31
 * and /32, which therefore have no usable address in Docker 20.10).
 */
function masterData(nw: Cidr): PoolData {
  const bitmap = new Bitmap(2 ** (32 - nw.prefix));
  bitmap.set(0);
  bitmap.set(bitmap.bits - 1);
  return { parentId: undefined, pool: nw, range: undefined, refCount: 1, bitmap };
}
