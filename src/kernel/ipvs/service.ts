/**
 * Virtual services and their real servers (`struct ip_vs_service`, `struct ip_vs_dest`).
 *
 * Models: net/netfilter/ipvs/ip_vs_ctl.c:
 * - A service is keyed by (protocol, VIP, port) or by fwmark; it has a scheduler, flags
 *   (persistent, one-packet, scheduler flags 1..3), a persistence timeout (seconds) and netmask.
 * - `ip_vs_add_dest` links a new destination at the HEAD of `svc->destinations`
 *   (`list_add_rcu`), so the list is in reverse insertion order, then calls the scheduler's
 *   `add_dest`; `__ip_vs_unlink_dest` clears IP_VS_DEST_F_AVAILABLE, unlinks and calls
 *   `del_dest`; `__ip_vs_update_dest` sets weight (and `last_weight` when adding or when the new
 *   weight is not 0), forwarding method and thresholds, clears OVERLOAD when the upper threshold
 *   is removed or raised, then calls `upd_dest`.
 * - Counters (`ip_vs_bind_dest` / `ip_vs_unbind_dest` in ip_vs_conn.c): a new connection counts
 *   as inactive until its protocol state says ESTABLISHED; templates count in persistconns. The
 *   upper threshold sets OVERLOAD when active + inactive reaches it; on unbind it clears when the
 *   total drops below the lower threshold, or below 3/4 of the upper one when there is no lower.
 * Leaves out: the destination trash (a deleted destination object lives on only through the
 * connections that still point at it), IPv6, tunnel types other than IPIP, per-dest route caches.
 */
import type { Instant } from '../../engine/index.js';
import { IPPROTO_TCP, formatIpv4, type Ipv4 } from '../../packet/index.js';
import type { SchedDest, Scheduler } from './sched-dest.js';
import { createScheduler, type SchedulerName, type SchedulerOptions } from './scheduler.js';
import { IpvsStats } from './stats.js';

/** Forwarding methods: `-m` masquerading (NAT), `-g` gatewaying (direct routing), `-i` IPIP. */
export type FwdMethod = 'masq' | 'gate' | 'ipip';

/** `IPPROTO_IP`: the protocol of fwmark persistence templates. */
export const IPPROTO_IP = 0;

export const SVC_F_PERSISTENT = 0x0001;
export const SVC_F_ONEPACKET = 0x0004;

/** `IPVS_SVC_PERSISTENT_TIMEOUT`: ipvsadm's `-p` without a value. */
export const DEFAULT_PERSISTENT_TIMEOUT = 300;

/** What identifies a service: fwmark != 0, or (protocol, addr, port). */
export interface ServiceKey {
  readonly fwmark: number;
  readonly protocol: number;
  readonly addr: Ipv4;
  readonly port: number;
}

export function serviceKeyText(k: ServiceKey): string {
  return k.fwmark !== 0 ? `fwm|${k.fwmark}` : `${k.protocol}|${k.addr}|${k.port}`;
}

/** A service as ipvsadm shows it in one line: `TCP  10.96.0.1:443` or `FWM  1`. */
export function serviceLabel(k: ServiceKey): string {
  if (k.fwmark !== 0) return `FWM  ${k.fwmark}`;
  return `${k.protocol === IPPROTO_TCP ? 'TCP' : 'UDP'}  ${formatIpv4(k.addr)}:${k.port}`;
}

export interface DestParams {
  readonly weight: number;
  readonly fwd: FwdMethod;
  readonly uThreshold: number;
  readonly lThreshold: number;
}

export class RealServer implements SchedDest {
  weight = 0;
  lastWeight = 0;
  fwd: FwdMethod = 'gate';
  uThreshold = 0;
  lThreshold = 0;
  /** IP_VS_DEST_F_AVAILABLE: linked in its service. */
  available = true;
  /** IP_VS_DEST_F_OVERLOAD. */
  overloaded = false;
  activeConns = 0;
  inactConns = 0;
  persistConns = 0;
  readonly stats: IpvsStats;

  constructor(
    readonly addr: Ipv4,
    readonly port: number,
    readonly svc: VirtualService,
    epoch: Instant,
    now: Instant,
  ) {
    this.stats = new IpvsStats(epoch, now);
  }

  get label(): string {
    return `${formatIpv4(this.addr)}:${this.port}`;
  }

  /** `__ip_vs_update_dest` (without the list and scheduler part). */
  update(p: DestParams, add: boolean): void {
    if (add || p.weight !== 0) this.lastWeight = p.weight;
    this.weight = p.weight;
    this.fwd = p.fwd;
    if (p.uThreshold === 0 || p.uThreshold > this.uThreshold) this.overloaded = false;
    this.uThreshold = p.uThreshold;
    this.lThreshold = p.lThreshold;
  }

  /** `ip_vs_bind_dest` counters: a connection (inactive at first) or a template. */
  bind(template: boolean, inactive: boolean): void {
    if (template) this.persistConns++;
    else if (inactive) this.inactConns++;
    else this.activeConns++;
    if (this.uThreshold !== 0 && this.activeConns + this.inactConns >= this.uThreshold) this.overloaded = true;
  }

  /** `ip_vs_unbind_dest` counters and the OVERLOAD release rule. */
  unbind(template: boolean, inactive: boolean): void {
    if (template) this.persistConns--;
    else if (inactive) this.inactConns--;
    else this.activeConns--;
    const total = this.activeConns + this.inactConns;
    if (this.lThreshold !== 0) {
      if (total < this.lThreshold) this.overloaded = false;
    } else if (this.uThreshold !== 0) {
      if (total * 4 < this.uThreshold * 3) this.overloaded = false;
    } else {
      this.overloaded = false;
    }
  }
}

export interface ServiceParams {
  readonly schedName: SchedulerName;
  readonly flags: number;
  /** Persistence timeout in seconds. */
  readonly timeout: number;
  /** Persistence granularity (host-order mask), default 255.255.255.255. */
  readonly netmask: number;
}

export class VirtualService implements ServiceKey {
  readonly fwmark: number;
  readonly protocol: number;
  readonly addr: Ipv4;
  readonly port: number;
  /** Destinations, head first (reverse insertion order). */
  readonly dests: RealServer[] = [];
  schedName: SchedulerName;
  scheduler: Scheduler<RealServer>;
  flags: number;
  timeout: number;
  netmask: number;
  readonly stats: IpvsStats;

  constructor(
    key: ServiceKey,
    p: ServiceParams,
    private readonly schedOptions: SchedulerOptions,
    readonly epoch: Instant,
    now: Instant,
  ) {
    this.fwmark = key.fwmark;
    this.protocol = key.protocol;
    this.addr = key.addr;
    this.port = key.port;
    this.schedName = p.schedName;
    this.scheduler = createScheduler<RealServer>(p.schedName, this.dests, schedOptions);
    this.flags = p.flags;
    this.timeout = p.timeout;
    this.netmask = p.netmask;
    this.stats = new IpvsStats(epoch, now);
  }

  get persistent(): boolean {
    return (this.flags & SVC_F_PERSISTENT) !== 0;
  }

  get label(): string {
    return serviceLabel(this);
  }

  /** `ip_vs_edit_service`: a different scheduler is bound afresh; flags and persistence replaced. */
  edit(p: ServiceParams): void {
    if (p.schedName !== this.schedName) {
      this.schedName = p.schedName;
      this.scheduler = createScheduler<RealServer>(p.schedName, this.dests, this.schedOptions);
    }
    this.flags = p.flags;
    this.timeout = p.timeout;
    this.netmask = p.netmask;
  }

  /** `ip_vs_lookup_dest`. */
  findDest(addr: Ipv4, port: number): RealServer | undefined {
    return this.dests.find(d => d.addr === addr && d.port === port);
  }

  /** `ip_vs_new_dest` + `__ip_vs_update_dest(add)`: linked at the head, scheduler told. */
  addDest(addr: Ipv4, port: number, p: DestParams, now: Instant): RealServer {
    const dest = new RealServer(addr, port, this, this.epoch, now);
    dest.update(p, true);
    this.dests.unshift(dest);
    this.scheduler.added(this.dests, dest);
    return dest;
  }

  /** `__ip_vs_update_dest` for an existing destination. */
  updateDest(dest: RealServer, p: DestParams): void {
    dest.update(p, false);
    this.scheduler.updated(this.dests, dest);
  }

  /** `__ip_vs_unlink_dest`: no longer available, out of the list, scheduler told. */
  removeDest(dest: RealServer): void {
    const index = this.dests.indexOf(dest);
    if (index < 0) return;
    dest.available = false;
    this.dests.splice(index, 1);
    this.scheduler.removed(this.dests, dest, index);
  }
}
