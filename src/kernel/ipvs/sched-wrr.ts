/**
 * The weighted round-robin scheduler (`-s wrr`).
 *
 * Models: net/netfilter/ipvs/ip_vs_wrr.c (`struct ip_vs_wrr_mark`: `cl` current dest or head,
 * `cw` current weight, `mw` maximum weight minus (gcd - 1), `di` the gcd of the positive weights).
 * `schedule` scans forward from `cl` for a destination with weight >= cw; at the end of the list
 * cw drops by di, and when it reaches 0 it restarts at mw. A full cycle with weights A4, B3, C2
 * (list order) gives A, A, B, A, B, C, A, B, C. Every add, delete or update of a destination
 * (`ip_vs_wrr_dest_changed`) resets `cl` to the head and recomputes di and mw; cw is kept unless
 * it is now above mw or 0, and is re-aligned to the new di otherwise.
 * The "last pass" logic of the kernel (kernel 3.10+, "wrr: handle overloaded dests") is kept:
 * when all destinations are overloaded the scan stops after one pass at weight >= 1.
 * Leaves out: nothing of the algorithm.
 */
import { gcd } from './hash.js';
import type { SchedDest, Scheduler } from './sched-dest.js';

/** `ip_vs_wrr_gcd_weight`: gcd of the positive weights, 1 when there are none. */
function gcdWeight(dests: readonly SchedDest[]): number {
  let g = 0;
  for (const d of dests) {
    if (d.weight > 0) g = g > 0 ? gcd(d.weight, g) : d.weight;
  }
  return g > 0 ? g : 1;
}

/** `ip_vs_wrr_max_weight`. */
function maxWeight(dests: readonly SchedDest[]): number {
  let w = 0;
  for (const d of dests) if (d.weight > w) w = d.weight;
  return w;
}

export function createWrr<D extends SchedDest>(initial: readonly D[]): Scheduler<D> {
  let cl: D | undefined;
  let di = gcdWeight(initial);
  let mw = maxWeight(initial) - (di - 1);
  let cw = mw;

  const changed = (dests: readonly D[]): void => {
    cl = undefined;
    di = gcdWeight(dests);
    mw = maxWeight(dests) - (di - 1);
    if (cw > mw || cw === 0) cw = mw;
    else if (di > 1) cw = Math.trunc(cw / di) * di + 1;
  };

  return {
    name: 'wrr',
    added: dests => changed(dests),
    removed: dests => changed(dests),
    updated: dests => changed(dests),
    schedule(dests) {
      if (mw === 0) return undefined;
      const lastIdx = cl === undefined ? -1 : dests.indexOf(cl);
      let idx = lastIdx;
      let lastPass = false;
      let restarted = false;
      let stopIdx = -2;
      for (;;) {
        for (let i = idx + 1; i < dests.length; i++) {
          const d = dests[i]!;
          if (!d.overloaded && d.weight >= cw) return (cl = d);
          if (i === stopIdx) {
            cl = d;
            return undefined;
          }
        }
        idx = -1;
        cw -= di;
        if (cw <= 0) {
          cw = mw;
          if (lastPass || lastIdx === -1) {
            cl = undefined;
            return undefined;
          }
          restarted = true;
        }
        lastPass = cw <= di;
        // The first traversal at weight >= 1 covered only the dests after `last`; now do the rest.
        if (lastPass && restarted && lastIdx !== -1) stopIdx = lastIdx;
      }
    },
  };
}
