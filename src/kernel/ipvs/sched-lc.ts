/**
 * The least-connection schedulers (`-s lc`, `-s wlc`, ipvsadm's default).
 *
 * Models: net/netfilter/ipvs/ip_vs_lc.c and ip_vs_wlc.c, with the overhead of
 * `ip_vs_dest_conn_overhead` (include/net/ip_vs.h): activeconns * 256 + inactconns.
 * - lc: the usable destination (not overloaded, weight > 0) with the smallest overhead; a tie
 *   keeps the earlier list entry (the comparison is strict `<`).
 * - wlc: the first usable destination, then every later one that is not overloaded replaces it
 *   when `loh * dest.weight > doh * least.weight` (cross-multiplied, so no division; a weight-0
 *   dest can never win since its left side is 0); ties keep the earlier entry.
 * Both keep no state, so destination changes need no hook.
 * Leaves out: nothing of the algorithms.
 */
import { connOverhead, usable, type SchedDest, type Scheduler } from './sched-dest.js';

const noop = (): void => {};

export function createLc<D extends SchedDest>(): Scheduler<D> {
  return {
    name: 'lc',
    added: noop,
    removed: noop,
    updated: noop,
    schedule(dests) {
      let least: D | undefined;
      let loh = 0;
      for (const d of dests) {
        if (!usable(d)) continue;
        const doh = connOverhead(d);
        if (least === undefined || doh < loh) {
          least = d;
          loh = doh;
        }
      }
      return least;
    },
  };
}

export function createWlc<D extends SchedDest>(): Scheduler<D> {
  return {
    name: 'wlc',
    added: noop,
    removed: noop,
    updated: noop,
    schedule(dests) {
      const first = dests.findIndex(usable);
      if (first < 0) return undefined;
      let least = dests[first]!;
      let loh = connOverhead(least);
      for (let i = first + 1; i < dests.length; i++) {
        const d = dests[i]!;
        if (d.overloaded) continue;
        const doh = connOverhead(d);
        if (loh * d.weight > doh * least.weight) {
          least = d;
          loh = doh;
        }
      }
      return least;
    },
  };
}
