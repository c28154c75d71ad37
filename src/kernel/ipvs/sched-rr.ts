/**
 * The round-robin scheduler (`-s rr`).
 *
 * Models: net/netfilter/ipvs/ip_vs_rr.c. The cursor (`svc->sched_data`) points at the list head
 * or at the last chosen destination. `schedule` walks forward from the cursor, wrapping once,
 * and takes the first destination that is not overloaded and has weight > 0; the cursor's own
 * entry is the last candidate of the second pass. Starting at the head, only one pass is made.
 * Adding a destination does not touch the cursor (`add_dest` is NULL). Deleting the cursor's
 * destination moves the cursor back to its predecessor (`p->next->prev` after the unlink), or
 * to the head if it was first.
 *
 *   add A, B, C  ->  list C, B, A  ->  picks C, B, A, C, B, A, ...
 *
 * Leaves out: nothing of the algorithm.
 */
import { usable, type SchedDest, type Scheduler } from './sched-dest.js';

export function createRr<D extends SchedDest>(): Scheduler<D> {
  /** The last chosen destination; undefined is the list head. */
  let cursor: D | undefined;
  return {
    name: 'rr',
    added: () => {},
    removed(dests, dest, index) {
      if (cursor === dest) cursor = index > 0 ? dests[index - 1] : undefined;
    },
    updated: () => {},
    schedule(dests) {
      const start = cursor === undefined ? -1 : dests.indexOf(cursor);
      for (let i = start + 1; i < dests.length; i++) {
        const d = dests[i]!;
        if (usable(d)) return (cursor = d);
      }
      // Second pass from the head, ending with the cursor's own entry ("dest == last").
      for (let i = 0; i <= start; i++) {
        const d = dests[i]!;
        if (usable(d)) return (cursor = d);
      }
      return undefined;
    },
  };
}
