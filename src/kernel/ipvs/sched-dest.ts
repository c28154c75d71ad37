/**
 * What a scheduler module sees and implements: the real server's scheduling fields, the flow's
 * source, and the hook set of a scheduler instance.
 *
 * Models: `include/net/ip_vs.h` `struct ip_vs_scheduler` (`init_service`, `add_dest`,
 * `del_dest`, `upd_dest`, `schedule`), the `struct ip_vs_dest` fields schedulers read (weight,
 * last_weight, `IP_VS_DEST_F_OVERLOAD`, activeconns, inactconns) and
 * `ip_vs_dest_conn_overhead`.
 * A scheduler is a decision module: given the service's destination list (head first, which is
 * reverse insertion order because `ip_vs_add_dest` does `list_add_rcu` at the head) and the
 * flow's source, it returns a real server or nothing. Its only state is the kernel's
 * `svc->sched_data` (a cursor, a weight counter, a lookup table), kept inside the instance and
 * told about every destination change the way ip_vs_ctl.c calls the hooks.
 * Leaves out: the `skb` argument (schedulers here read only the source address and port).
 */
import type { Ipv4 } from '../../packet/index.js';

/** What a scheduler reads of a real server (`struct ip_vs_dest`). */
export interface SchedDest {
  readonly addr: Ipv4;
  readonly port: number;
  /** `dest->weight`; 0 means quiesced. */
  readonly weight: number;
  /** `dest->last_weight`: the latest non-zero weight (mh keeps its table across quiescing). */
  readonly lastWeight: number;
  /** `IP_VS_DEST_F_OVERLOAD`, set by the upper connection threshold. */
  readonly overloaded: boolean;
  readonly activeConns: number;
  readonly inactConns: number;
}

/** What a scheduler reads of the packet: the client's address and port (`iph->saddr`, source port). */
export interface SchedFlow {
  readonly saddr: Ipv4;
  readonly sport: number;
}

/** Service flag bits the hashing schedulers read (`IP_VS_SVC_F_SCHED1..3`). */
export const SVC_F_SCHED1 = 0x0008;
export const SVC_F_SCHED2 = 0x0010;
export const SVC_F_SCHED3 = 0x0020;

export interface Scheduler<D extends SchedDest = SchedDest> {
  readonly name: string;
  /** `add_dest`: `dest` was just linked at the head of `dests`. */
  added(dests: readonly D[], dest: D): void;
  /** `del_dest`: `dest` was just unlinked from position `index` of the list it was in. */
  removed(dests: readonly D[], dest: D, index: number): void;
  /** `upd_dest`: weight, thresholds or forwarding method of `dest` changed. */
  updated(dests: readonly D[], dest: D): void;
  /** `schedule`: the real server for a new connection, or undefined ("no destination available"). */
  schedule(dests: readonly D[], flow: SchedFlow, svcFlags: number): D | undefined;
}

/** `is_overloaded`-style test shared by rr/wrr/lc: available for new connections. */
export function usable(d: SchedDest): boolean {
  return !d.overloaded && d.weight > 0;
}

/** `ip_vs_dest_conn_overhead`: active connections weigh 256 times an inactive one. */
export function connOverhead(d: SchedDest): number {
  return d.activeConns * 256 + d.inactConns;
}
