/**
 * The Maglev-hashing scheduler (`-s mh`, flags `-b mh-fallback,mh-port`).
 *
 * Models: net/netfilter/ipvs/ip_vs_mh.c (Eisenbud et al., "Maglev", NSDI 2016, section 3.4):
 * - Table size: `primes[CONFIG_IP_VS_MH_TAB_INDEX - 8]` of {251, 509, 1021, 2039, 4093, 8191,
 *   16381, 32749, 65521, 131071}; the kernel default index 12 gives 4093 entries.
 * - Keys: `generate_hash_secret` fixes hash1 = {2654435761, 2654435761} and
 *   hash2 = {2654446892, 2654446892}; `ip_vs_mh_hashkey(addr, port, key, offset)` is
 *   `hsiphash(offset + ntohs(port) + ntohl(addr))` (SipHash-1-3 on a 64-bit kernel, hash.ts).
 * - Permutation (`ip_vs_mh_permutate`), for each destination in list order:
 *   offset = hashkey(dest addr, dest port, hash1) % M, skip = hashkey(..., hash2) % (M - 1) + 1,
 *   and turns = ((last_weight / gcd) >> rshift) or 1 if last_weight != 0, where gcd is over the
 *   positive last_weights and rshift = max(0, fls(max_last_weight / gcd) - CONFIG/2).
 * - Population (`ip_vs_mh_populate`): round after round over the list, each destination with
 *   turns >= 1 takes `turns` slots, each the next free entry of its permutation
 *   (perm += skip mod M), until all M entries are filled.
 * - Lookup: entry `hashkey(saddr, port, hash1) % M` (port = source port only with mh-port);
 *   unavailable (weight <= 0 or overloaded) gives nothing, unless mh-fallback, which probes
 *   `hashkey(saddr, port, hash1, (offset + ihash) % M) % M` for offset 0..M-1.
 * Since the table follows `last_weight` (the latest non-zero weight), quiescing a destination
 * with weight 0 keeps the table; its entries are then skipped as unavailable.
 * Leaves out: IPv6 address folding. No deviation from the kernel's construction is known.
 */
import { gcd, hsiphashU32, type SipKey } from './hash.js';
import { SVC_F_SCHED1, SVC_F_SCHED2, type SchedDest, type Scheduler } from './sched-dest.js';

export const MH_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;

export const MH_HASH1: SipKey = { k0: 2654435761n, k1: 2654435761n };
export const MH_HASH2: SipKey = { k0: 2654446892n, k1: 2654446892n };

/** `IP_VS_MH_TAB_SIZE` for a `CONFIG_IP_VS_MH_TAB_INDEX` value (8..17). */
export function mhTableSize(tabIndex: number): number {
  const size = MH_PRIMES[tabIndex - 8];
  if (size === undefined) throw new RangeError(`CONFIG_IP_VS_MH_TAB_INDEX must be 8..17, got ${tabIndex}`);
  return size;
}

/** `ip_vs_mh_hashkey` for IPv4 (host-order address and port). */
export function mhHashKey(addr: number, port: number, key: SipKey, offset: number): number {
  return hsiphashU32((offset + port + addr) >>> 0, key);
}

/** `fls`: the position of the most significant set bit, 1-based; 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** `ip_vs_mh_gcd_weight` (0 when no destination has a positive last_weight). */
function gcdLastWeight(dests: readonly SchedDest[]): number {
  let g = 0;
  for (const d of dests) if (d.lastWeight > 0) g = g > 0 ? gcd(d.lastWeight, g) : d.lastWeight;
  return g;
}

/** `ip_vs_mh_shift_weight`. */
function shiftWeight(dests: readonly SchedDest[], g: number, tabIndex: number): number {
  if (g < 1) return 0;
  let w = 0;
  for (const d of dests) if (d.lastWeight > w) w = d.lastWeight;
  const shift = fls(Math.trunc(w / g)) - Math.trunc(tabIndex / 2);
  return shift >= 0 ? shift : 0;
}

/**
 * `ip_vs_mh_permutate` + `ip_vs_mh_populate`: the lookup table, as indexes into `dests`
 * (-1 for an empty entry, which happens only when no destination has a positive last_weight).
 */
export function mhLookupTable(dests: readonly SchedDest[], tabIndex = 12): Int32Array {
  const size = mhTableSize(tabIndex);
  const lookup = new Int32Array(size).fill(-1);
  const g = gcdLastWeight(dests);
  if (g < 1) return lookup;
  const rshift = shiftWeight(dests, g, tabIndex);
  const n = dests.length;
  const perm = new Int32Array(n);
  const skip = new Int32Array(n);
  const turns = new Int32Array(n);
  dests.forEach((d, i) => {
    perm[i] = mhHashKey(d.addr, d.port, MH_HASH1, 0) % size;
    skip[i] = (mhHashKey(d.addr, d.port, MH_HASH2, 0) % (size - 1)) + 1;
    const lw = d.lastWeight;
    turns[i] = Math.trunc(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
  });
  const taken = new Uint8Array(size);
  let filled = 0;
  let dtCount = 0;
  for (;;) {
    for (let i = 0; i < n; ) {
      if (turns[i]! < 1) {
        i++;
        continue;
      }
      let c = perm[i]!;
      while (taken[c] === 1) {
        c += skip[i]!;
        if (c >= size) c -= size;
        perm[i] = c;
      }
      taken[c] = 1;
      lookup[c] = i;
      if (++filled === size) return lookup;
      if (++dtCount >= turns[i]!) {
        dtCount = 0;
        i++;
      }
    }
  }
}

function unavailable(d: SchedDest): boolean {
  return d.weight <= 0 || d.overloaded;
}

export function createMh<D extends SchedDest>(initial: readonly D[], tabIndex: number): Scheduler<D> {
  const size = mhTableSize(tabIndex);
  let table: (D | undefined)[] = [];
  const reassign = (dests: readonly D[]): void => {
    const idx = mhLookupTable(dests, tabIndex);
    table = Array.from(idx, i => (i < 0 ? undefined : dests[i]));
  };
  reassign(initial);
  return {
    name: 'mh',
    added: reassign,
    removed: reassign,
    updated: reassign,
    schedule(_dests, flow, svcFlags) {
      const port = (svcFlags & SVC_F_SCHED2) !== 0 ? flow.sport : 0;
      const ihash = mhHashKey(flow.saddr, port, MH_HASH1, 0) % size;
      const dest = table[ihash];
      if (dest === undefined) return undefined;
      if (!unavailable(dest)) return dest;
      if ((svcFlags & SVC_F_SCHED1) === 0) return undefined;
      for (let offset = 0; offset < size; offset++) {
        const roffset = (offset + ihash) % size;
        const d = table[mhHashKey(flow.saddr, port, MH_HASH1, roffset) % size];
        if (d === undefined) break;
        if (!unavailable(d)) return d;
      }
      return undefined;
    },
  };
}
