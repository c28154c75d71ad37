/**
 * The registry of IPVS scheduler modules by name (`-s rr|wrr|lc|wlc|sh|mh`).
 *
 * Models: net/netfilter/ipvs/ip_vs_sched.c (`ip_vs_scheduler_get` / `ip_vs_bind_scheduler`: an
 * unknown name fails the command with ENOENT, which ipvsadm(8) prints as "Scheduler or
 * persistence engine not found"; binding calls `init_service` with the current destinations).
 * The interface every module implements is in `sched-dest.ts`.
 * Leaves out: the schedulers this model does not carry (dh, sed, nq, lblc, lblcr, fo, ovf,
 * twos): `ipvsadm -s` with those names fails as if their module were not built.
 */
import { createLc, createWlc } from './sched-lc.js';
import { createMh } from './sched-mh.js';
import { createRr } from './sched-rr.js';
import { createSh } from './sched-sh.js';
import { createWrr } from './sched-wrr.js';
import type { SchedDest, Scheduler } from './sched-dest.js';

export const SCHEDULER_NAMES = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** Build-time options of the hashing schedulers (kernel config values). */
export interface SchedulerOptions {
  /** `CONFIG_IP_VS_MH_TAB_INDEX` (8..17, default 12: a 4093-entry table). */
  readonly mhTabIndex?: number;
}

export function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

/** `ip_vs_bind_scheduler` + `init_service`: a fresh instance for a service with `dests`. */
export function createScheduler<D extends SchedDest>(name: SchedulerName, dests: readonly D[], options: SchedulerOptions = {}): Scheduler<D> {
  switch (name) {
    case 'rr':
      return createRr<D>();
    case 'wrr':
      return createWrr<D>(dests);
    case 'lc':
      return createLc<D>();
    case 'wlc':
      return createWlc<D>();
    case 'sh':
      return createSh<D>(dests);
    case 'mh':
      return createMh<D>(dests, options.mhTabIndex ?? 12);
  }
}
