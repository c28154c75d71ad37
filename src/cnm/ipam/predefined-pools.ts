/**
 * The lists of predefined pools the default IPAM hands out when a network asks for no subnet.
 *
 * Models: libnetwork `ipamutils/utils.go` (Docker 20.10): `localScopeDefaultNetworks`,
 * `globalScopeDefaultNetworks`, `NetworkToSplit`, `splitNetworks`/`splitNetwork`, and the daemon's
 * `--default-address-pool base=<cidr>,size=<n>` which replaces the local list
 * (`ConfigLocalScopeDefaultNetworks`); swarm's `--default-addr-pool` replaces the global one.
 *
 *   local  (31):     172.17/16 172.18/16 172.19/16 | 172.20/14 -> 4 x /16 | 172.24/14 -> 4 x /16
 *                    | 172.28/14 -> 4 x /16 | 192.168/16 -> 16 x /20 (192.168.0.0/20 ... 192.168.240.0/20)
 *   global (65536):  10.0.0.0/8 -> /24 (10.0.0.0/24, 10.0.1.0/24, ..., 10.255.255.0/24)
 *
 * A list is kept as its segments (base, size) and indexed arithmetically, so the 65536 global
 * pools (or 2^24 from a user's /8 split into /32) are never materialised.
 *
 * Leaves out: IPv6 bases (classic Docker has no IPv6 defaults; an IPv6 base is refused here with
 * a message that says so), and Go's behaviour for a size beyond 32 bits, where `net.CIDRMask`
 * returns nil and the list fills with mask-less duplicates: cnmsim reports
 * `invalid pools size: <n>` instead.
 * Invariants: every pool of a list has host bits clear; order is segment order, then ascending.
 */

import { formatCidr, isCidr, networkOf, parseCidr, type Cidr } from '../../packet/index.js';
import { fail, goQuote, ipamError, ok, type IpamResult } from './ipam-api.js';

/** One `--default-address-pool` entry: split `base` into all its subnets of prefix length `size`. */
export interface NetworkToSplit {
  readonly base: string;
  readonly size: number;
}

/** ipamutils `localScopeDefaultNetworks`. */
export const LOCAL_SCOPE_DEFAULT_NETWORKS: readonly NetworkToSplit[] = Object.freeze([
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
]);

/** ipamutils `globalScopeDefaultNetworks`. */
export const GLOBAL_SCOPE_DEFAULT_NETWORKS: readonly NetworkToSplit[] = Object.freeze([{ base: '10.0.0.0/8', size: 24 }]);

interface Segment {
  /** Masked base network. */
  readonly base: Cidr;
  readonly size: number;
  /** Index in the whole list of this segment's first pool. */
  readonly first: number;
  readonly count: number;
}

/** An ordered, immutable, lazily indexed list of predefined pools. */
export class PredefinedPools implements Iterable<Cidr> {
  readonly length: number;
  readonly #segments: readonly Segment[];

  private constructor(segments: readonly Segment[]) {
    this.#segments = segments;
    const last = segments[segments.length - 1];
    this.length = last === undefined ? 0 : last.first + last.count;
  }

  /** A list from already validated parts (IPv4, base.prefix <= size <= 32); user input goes through `splitNetworks`. */
  static fromSegments(parts: readonly { readonly base: Cidr; readonly size: number }[]): PredefinedPools {
    const segments: Segment[] = [];
    let first = 0;
    for (const { base, size } of parts) {
      const count = 2 ** (size - base.prefix);
      segments.push({ base: networkOf(base), size, first, count });
      first += count;
    }
    return new PredefinedPools(segments);
  }

  /** The pool at `index` (0 <= index < length); undefined outside. */
  at(index: number): Cidr | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    // Few segments (7 for the local defaults): a linear walk is the clearest lookup.
    for (const s of this.#segments) {
      if (index < s.first + s.count) {
        const step = 2 ** (32 - s.size);
        return { address: s.base.address + (index - s.first) * step, prefix: s.size };
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<Cidr> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  /** The pools as text, for dumps and tests; beware of long lists. */
  toStrings(): string[] {
    return Array.from(this, formatCidr);
  }
}

/**
 * ipamutils `splitNetworks`: every entry's base split into all `2^(size - baseLen)` subnets in
 * ascending order, entries concatenated in the order given.
 */
export function splitNetworks(list: readonly NetworkToSplit[]): IpamResult<PredefinedPools> {
  const parts: { base: Cidr; size: number }[] = [];
  for (const p of list) {
    if (p.base.includes(':')) {
      return fail(ipamError('invalidParameter', `invalid base pool ${goQuote(p.base)}: IPv6 pools are not modelled by cnmsim`));
    }
    const base = parseCidr(p.base);
    if (!isCidr(base)) return fail(ipamError('invalidParameter', `invalid base pool ${goQuote(p.base)}: ${base.error}`));
    if (!Number.isInteger(p.size) || p.size <= 0 || p.size < base.prefix || p.size > 32) {
      return fail(ipamError('invalidParameter', `invalid pools size: ${p.size}`));
    }
    parts.push({ base, size: p.size });
  }
  return ok(PredefinedPools.fromSegments(parts));
}

function mustSplit(list: readonly NetworkToSplit[]): PredefinedPools {
  const r = splitNetworks(list);
  if (!r.ok) throw new RangeError(r.error.message);
  return r.value;
}

/** The 31 local-scope defaults (bridge networks without `--subnet`). */
export const LOCAL_SCOPE_DEFAULT_POOLS: PredefinedPools = mustSplit(LOCAL_SCOPE_DEFAULT_NETWORKS);

/** The 65536 global-scope defaults (overlay networks without `--subnet`). */
export const GLOBAL_SCOPE_DEFAULT_POOLS: PredefinedPools = mustSplit(GLOBAL_SCOPE_DEFAULT_NETWORKS);
