/**
 * The source-hashing scheduler (`-s sh`, flags `-b sh-fallback,sh-port`).
 *
 * Models: net/netfilter/ipvs/ip_vs_sh.c with the default `CONFIG_IP_VS_SH_TAB_BITS=8`.
 * - The table has 256 buckets. `ip_vs_sh_reassign` fills them in order by walking the
 *   destination list (head first), giving each destination `weight` consecutive buckets
 *   (a weight-0 destination still gets one, since `++d_count >= weight` holds at once) and
 *   wrapping to the head until all buckets are assigned. It runs at `init_service` and on every
 *   add, delete and update of a destination.
 * - The bucket of a packet is `(offset + hash_32(ntohs(port) + ntohl(saddr), 8)) % 256`, where
 *   port is the source port only with `sh-port` (IP_VS_SVC_F_SCHED2), else 0.
 * - A bucket whose destination is unavailable (weight <= 0 or overloaded) gives no destination,
 *   unless `sh-fallback` (IP_VS_SVC_F_SCHED1): then the kernel tries offsets 0..255, computing
 *   `hashkey(addr, port, (offset + ihash) % 256)`, which adds ihash twice; this is kept as is.
 * Leaves out: IPv6 address folding.
 */
import { hash32 } from './hash.js';
import { SVC_F_SCHED1, SVC_F_SCHED2, type SchedDest, type Scheduler } from './sched-dest.js';

export const SH_TAB_BITS = 8;
export const SH_TAB_SIZE = 1 << SH_TAB_BITS;

/** `ip_vs_sh_hashkey(af, addr, port, offset)` for IPv4 (host-order address and port). */
export function shHashKey(saddr: number, port: number, offset: number): number {
  return (offset + hash32((port + saddr) >>> 0, SH_TAB_BITS)) % SH_TAB_SIZE;
}

/** `ip_vs_sh_reassign`: the destination of each of the 256 buckets. */
export function shBuckets<D extends SchedDest>(dests: readonly D[]): (D | undefined)[] {
  const buckets: (D | undefined)[] = new Array<D | undefined>(SH_TAB_SIZE).fill(undefined);
  if (dests.length === 0) return buckets;
  let p = 0;
  let count = 0;
  for (let i = 0; i < SH_TAB_SIZE; i++) {
    if (p === dests.length) p = 0;
    const dest = dests[p]!;
    buckets[i] = dest;
    if (++count >= dest.weight) {
      p++;
      count = 0;
    }
  }
  return buckets;
}

function unavailable(d: SchedDest): boolean {
  return d.weight <= 0 || d.overloaded;
}

export function createSh<D extends SchedDest>(initial: readonly D[]): Scheduler<D> {
  let buckets = shBuckets(initial);
  const reassign = (dests: readonly D[]): void => {
    buckets = shBuckets(dests);
  };
  return {
    name: 'sh',
    added: reassign,
    removed: reassign,
    updated: reassign,
    schedule(_dests, flow, svcFlags) {
      const port = (svcFlags & SVC_F_SCHED2) !== 0 ? flow.sport : 0;
      const ihash = shHashKey(flow.saddr, port, 0);
      const dest = buckets[ihash];
      if (dest === undefined) return undefined;
      if (!unavailable(dest)) return dest;
      if ((svcFlags & SVC_F_SCHED1) === 0) return undefined;
      for (let offset = 0; offset < SH_TAB_SIZE; offset++) {
        const roffset = (offset + ihash) % SH_TAB_SIZE;
        const d = buckets[shHashKey(flow.saddr, port, roffset)];
        if (d !== undefined && !unavailable(d)) return d;
      }
      return undefined;
    },
  };
}
