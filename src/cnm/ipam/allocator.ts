/**
 * Docker 20.10's default ("classic") IPAM driver: pools per address space, addresses per pool.
 *
 * Models: libnetwork `ipam/allocator.go` and `ipam/utils.go` (`RequestPool`, `parsePoolRequest`,
 * `getAddressRange`, `getPredefinedPool` with its rotating start index, `RequestAddress`,
 * `getAddress`, `ReleaseAddress`, `ReleasePool`, `insertBitMask`), registered as `default` with
 * capability `RequiresRequestReplay` (`ipams/builtin`).
 *
 *   requestPool("LocalDefault", "", "")        -> next predefined pool after the last one handed
 *                                                out (wrapping), skipping allocated/overlapping
 *                                                ones, and with `hostReserved` also those that
 *                                                overlap the host (see request-pool-helper.ts)
 *   requestPool(as, "172.28.0.0/16", "172.28.5.0/24") -> "as/172.28.0.0/16/172.28.5.0/24"
 *   requestAddress(child, undefined)           -> lowest free in [range start, range end]
 *   requestAddress(child, 172.28.9.9)          -> anywhere in the master pool
 *
 * The rotating index is libnetwork's exactly: after handing out the i-th pool of the rotated list
 * it becomes `old + i + 1`, reset to 0 (not taken modulo) when it passes the end. Deleting a
 * network therefore does not make its subnet the next one chosen (capture 03: n1 172.18, n2
 * 172.19, n3 172.20, rm n2, then 172.21 and 172.22). Explicit pools do not move the index.
 *
 * Leaves out: the datastore and `refresh`/consistency checks, DumpDatabase, IPv6 (a v6 request
 * for a default pool fails as in classic Docker, which has no IPv6 defaults; explicit IPv6 pools
 * are refused as not modelled).
 * Invariants: every pool ID returned names an entry of its address space until released; every
 * address returned lies in its (sub-)pool's master and, when chosen by the driver, in the
 * sub-pool's range; no address is handed out twice while held.
 */

import { assert, fail as invariantBroken } from '../../engine/index.js';
import {
  broadcastOf,
  cidrContains,
  formatCidr,
  isCidr,
  maskOf,
  networkOf,
  parseCidr,
  type Cidr,
  type Ipv4,
} from '../../packet/index.js';
import { AddressSpace, formatPoolId, parsePoolId, type AddressRange, type PoolData, type PoolView, type SubnetKey } from './address-space.js';
import type { Bitmap } from './bitmap.js';
import {
  ALLOC_SERIAL_PREFIX,
  fail,
  GLOBAL_DEFAULT_ADDRESS_SPACE,
  goQuote,
  IPAM_ERRORS,
  ipamError,
  LOCAL_DEFAULT_ADDRESS_SPACE,
  NO_OPTIONS,
  ok,
  type AddressSpaces,
  type Ipam,
  type IpamCapabilities,
  type IpamError,
  type IpamOptions,
  type IpamResult,
  type RequestAddressAnswer,
  type RequestPoolAnswer,
} from './ipam-api.js';
import { GLOBAL_SCOPE_DEFAULT_POOLS, LOCAL_SCOPE_DEFAULT_POOLS, type PredefinedPools } from './predefined-pools.js';
import { requestPoolHelper, type HostReserved, type PoolRequester } from './request-pool-helper.js';

export interface AllocatorOptions {
  /** The local list (`--default-address-pool`); default: the 31 local-scope defaults. */
  readonly localPools?: PredefinedPools;
  /** The global list (swarm `--default-addr-pool`); default: 10.0.0.0/8 split into /24. */
  readonly globalPools?: PredefinedPools;
  /**
   * The host's nameservers (/32) and IPv4 link-scope route destinations; default pools for
   * `LocalDefault` that overlap one of them are skipped.
   */
  readonly hostReserved?: HostReserved;
}

/** What `parsePoolRequest` makes of the request strings. */
type ParsedRequest = { readonly dynamic: true } | { readonly dynamic: false; readonly key: SubnetKey; readonly nw: Cidr; readonly range: AddressRange | undefined };

const CAPABILITIES: IpamCapabilities = Object.freeze({ requiresMacAddress: false, requiresRequestReplay: true });

export class Allocator implements Ipam {
  readonly #predefined: ReadonlyMap<string, PredefinedPools>;
  readonly #startIndices = new Map<string, number>();
  readonly #spaces: ReadonlyMap<string, AddressSpace>;
  readonly #hostReserved: HostReserved | undefined;
  /** This driver without the host check, for the helper to call. */
  readonly #raw: PoolRequester = {
    requestPool: (as, pool, subPool, options, v6) => this.#requestPoolOnce(as, pool, subPool, options, v6),
    releasePool: (poolId) => this.releasePool(poolId),
  };

  constructor(options: AllocatorOptions = {}) {
    this.#predefined = new Map([
      [LOCAL_DEFAULT_ADDRESS_SPACE, options.localPools ?? LOCAL_SCOPE_DEFAULT_POOLS],
      [GLOBAL_DEFAULT_ADDRESS_SPACE, options.globalPools ?? GLOBAL_SCOPE_DEFAULT_POOLS],
    ]);
    this.#spaces = new Map([
      [LOCAL_DEFAULT_ADDRESS_SPACE, new AddressSpace(LOCAL_DEFAULT_ADDRESS_SPACE)],
      [GLOBAL_DEFAULT_ADDRESS_SPACE, new AddressSpace(GLOBAL_DEFAULT_ADDRESS_SPACE)],
    ]);
    this.#hostReserved = options.hostReserved;
  }

  getDefaultAddressSpaces(): IpamResult<AddressSpaces> {
    return ok({ local: LOCAL_DEFAULT_ADDRESS_SPACE, global: GLOBAL_DEFAULT_ADDRESS_SPACE });
  }

  capabilities(): IpamCapabilities {
    return CAPABILITIES;
  }

  isBuiltIn(): boolean {
    return true;
  }

  requestPool(addressSpace: string, pool: string, subPool: string, options: IpamOptions = NO_OPTIONS, v6 = false): IpamResult<RequestPoolAnswer> {
    if (this.#hostReserved !== undefined && addressSpace === LOCAL_DEFAULT_ADDRESS_SPACE) {
      return requestPoolHelper(this.#raw, this.#hostReserved, addressSpace, pool, subPool, options, v6);
    }
    return this.#requestPoolOnce(addressSpace, pool, subPool, options, v6);
  }

  releasePool(poolId: string): IpamResult<undefined> {
    const located = this.#locate(poolId);
    if (!located.ok) return located;
    return located.value.space.remove(poolId);
  }

  requestAddress(poolId: string, preferred: Ipv4 | undefined, options: IpamOptions = NO_OPTIONS): IpamResult<RequestAddressAnswer> {
    const found = this.#findPool(poolId);
    if (!found.ok) return found;
    const { data, bitmap } = found.value;
    if (preferred !== undefined && !cidrContains(data.pool, preferred)) return fail(IPAM_ERRORS.ipOutOfRange);
    const serial = options[ALLOC_SERIAL_PREFIX] === 'true';
    const ordinal = getAddress(data, bitmap, preferred, serial);
    if (!ordinal.ok) return ordinal;
    return ok({ address: { address: (data.pool.address + ordinal.value) >>> 0, prefix: data.pool.prefix }, meta: NO_OPTIONS });
  }

  releaseAddress(poolId: string, address: Ipv4): IpamResult<undefined> {
    const found = this.#findPool(poolId);
    if (!found.ok) return found;
    const { data, bitmap } = found.value;
    if (!cidrContains(data.pool, address)) return fail(IPAM_ERRORS.ipOutOfRange);
    const r = bitmap.unset(hostPart(address, data.pool));
    assert(r.ok, `ordinal of ${address} outside the bitmap of ${poolId}`);
    return ok(undefined);
  }

  /** The entries of an address space, sorted by pool ID (empty for an unknown space). */
  pools(addressSpace: string): PoolView[] {
    return this.#spaces.get(addressSpace)?.pools() ?? [];
  }

  /** Free ordinals of the master bitmap behind a pool ID, as bitseq counts them. */
  unselected(poolId: string): number | undefined {
    const found = this.#findPool(poolId);
    return found.ok ? found.value.bitmap.unselected() : undefined;
  }

  #requestPoolOnce(addressSpace: string, pool: string, subPool: string, _options: IpamOptions, v6: boolean): IpamResult<RequestPoolAnswer> {
    if (addressSpace !== '' && pool !== '' && (pool.includes(':') || subPool.includes(':'))) {
      return fail(notModelled(pool.includes(':') ? pool : subPool));
    }
    const parsed = parsePoolRequest(addressSpace, pool, subPool);
    if (!parsed.ok) {
      return fail(
        ipamError(
          'invalidParameter',
          `failed to parse pool request for address space ${goQuote(addressSpace)} pool ${goQuote(pool)} subpool ${goQuote(subPool)}: ${parsed.error.message}`,
        ),
      );
    }
    let key: SubnetKey;
    let nw: Cidr;
    let range: AddressRange | undefined;
    if (parsed.value.dynamic) {
      const predefined = this.#getPredefinedPool(addressSpace, v6);
      if (!predefined.ok) return predefined;
      nw = predefined.value;
      key = { addressSpace, subnet: formatCidr(nw), childSubnet: '' };
      range = undefined;
    } else {
      ({ key, nw, range } = parsed.value);
    }
    const space = this.#space(addressSpace);
    if (!space.ok) return space;
    const added = space.value.add(key, nw, range);
    if (!added.ok) return added;
    return ok({ poolId: formatPoolId(key), pool: nw, meta: NO_OPTIONS });
  }

  /** `getPredefinedPool`: the first free, non-overlapping pool of the rotated list. */
  #getPredefinedPool(as: string, v6: boolean): IpamResult<Cidr> {
    const list = this.#predefined.get(as);
    if (list === undefined) return fail(ipamError('invalidParameter', 'no default pool available for non-default address spaces'));
    const space = this.#space(as);
    if (!space.ok) return space;
    // The predefined lists hold IPv4 pools only, so an IPv6 request scans nothing.
    if (!v6) {
      const start = this.#startIndex(as, list);
      for (let i = 0; i < list.length; i++) {
        const nw = list.at((start + i) % list.length)!;
        if (space.value.get(`${as}/${formatCidr(nw)}`) !== undefined) continue;
        if (!space.value.contains(nw)) {
          this.#updateStartIndex(as, list, i + 1);
          return ok(nw);
        }
      }
    }
    return fail(
      ipamError('notFound', `could not find an available, non-overlapping IPv${v6 ? 6 : 4} address pool among the defaults to assign to the network`),
    );
  }

  #startIndex(as: string, list: PredefinedPools): number {
    const i = this.#startIndices.get(as) ?? 0;
    // Defensive in case the list changed since the last update (upstream's own comment).
    return i >= list.length ? 0 : i;
  }

  #updateStartIndex(as: string, list: PredefinedPools, amount: number): void {
    const i = (this.#startIndices.get(as) ?? 0) + amount;
    this.#startIndices.set(as, i < 0 || i >= list.length ? 0 : i);
  }

  #space(as: string): IpamResult<AddressSpace> {
    const space = this.#spaces.get(as);
    if (space === undefined) {
      return fail(ipamError('invalidParameter', `cannot find address space ${as} (most likely the backing datastore is not configured)`));
    }
    return ok(space);
  }

  #locate(poolId: string): IpamResult<{ readonly key: SubnetKey; readonly space: AddressSpace }> {
    const key = parsePoolId(poolId);
    if (key === undefined) return fail(ipamError('invalidParameter', `invalid pool id: ${poolId}`));
    const space = this.#space(key.addressSpace);
    if (!space.ok) return space;
    return ok({ key, space: space.value });
  }

  /** The pool entry behind an ID and the bitmap of its master. */
  #findPool(poolId: string): IpamResult<{ readonly data: PoolData; readonly bitmap: Bitmap }> {
    const located = this.#locate(poolId);
    if (!located.ok) return located;
    const id = formatPoolId(located.value.key);
    const data = located.value.space.get(id);
    if (data === undefined) return fail(ipamError('notFound', `cannot find address pool for poolID:${poolId}`));
    const bitmap = located.value.space.master(id)?.data.bitmap;
    assert(bitmap !== undefined, `pool ${poolId} has no master bitmap`);
    return ok({ data, bitmap });
  }
}

/** Requests naming IPv6 prefixes, which cnmsim does not model (Docker would accept them). */
function notModelled(prefix: string): IpamError {
  return ipamError('forbidden', `IPv6 address pools are not modelled by cnmsim: ${goQuote(prefix)}`);
}

/** `parsePoolRequest`: the key, network and range a request names, or why it names none. */
function parsePoolRequest(addressSpace: string, pool: string, subPool: string): IpamResult<ParsedRequest> {
  if (addressSpace === '') return fail(IPAM_ERRORS.invalidAddressSpace);
  if (pool === '' && subPool !== '') return fail(IPAM_ERRORS.invalidSubPool);
  if (pool === '') return ok({ dynamic: true });
  const parsed = parseCidr(pool);
  if (!isCidr(parsed)) return fail(IPAM_ERRORS.invalidPool);
  const nw = networkOf(parsed);
  let range: AddressRange | undefined;
  if (subPool !== '') {
    const r = getAddressRange(subPool, nw);
    if (!r.ok) return r;
    range = r.value;
  }
  return ok({ dynamic: false, key: { addressSpace, subnet: formatCidr(nw), childSubnet: subPool }, nw, range });
}

/**
 * `getAddressRange`: the sub-pool's first and last ordinals in the master's bitmap, both taken as
 * host parts under the master's mask (upstream does not check that the sub-pool lies inside).
 */
function getAddressRange(subPool: string, master: Cidr): IpamResult<AddressRange> {
  const sub = parseCidr(subPool);
  if (!isCidr(sub)) return fail(IPAM_ERRORS.invalidSubPool);
  const subNet = networkOf(sub);
  return ok({ sub, start: hostPart(subNet.address, master), end: hostPart(broadcastOf(subNet), master) });
}

/** `types.GetHostPartIP`: the address bits outside the pool's mask, i.e. its ordinal. */
function hostPart(ip: Ipv4, pool: Cidr): number {
  return (ip & ~maskOf(pool.prefix)) >>> 0;
}

/** `getAddress`: pick (or check) an ordinal in the master bitmap. */
function getAddress(data: PoolData, bitmap: Bitmap, preferred: Ipv4 | undefined, serial: boolean): IpamResult<number> {
  // Checked first, so a full pool answers this even for a preferred address.
  if (bitmap.unselected() <= 0) return fail(IPAM_ERRORS.noAvailableIps);
  let r;
  if (preferred !== undefined) {
    const ordinal = hostPart(preferred, data.pool);
    const set = bitmap.set(ordinal);
    r = set.ok ? { ok: true as const, value: ordinal } : set;
  } else if (data.range === undefined) {
    r = bitmap.setAny(serial);
  } else {
    r = bitmap.setAnyInRange(data.range.start, data.range.end, serial);
  }
  if (r.ok) return ok(r.value);
  switch (r.error.code) {
    case 'bitAllocated':
      return fail(IPAM_ERRORS.ipAlreadyAllocated);
    case 'noBitAvailable':
      return fail(IPAM_ERRORS.noAvailableIps);
    case 'outOfSequence':
    case 'invalidRange':
      // Ordinals and ranges are derived from the master pool, so they always fit its bitmap.
      return invariantBroken(`bitmap refused an ordinal derived from ${formatCidr(data.pool)}: ${r.error.message}`);
  }
}
