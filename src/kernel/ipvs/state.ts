/**
 * The IPVS state of one network namespace (`struct netns_ipvs`) and its control plane: the
 * operations ipvsadm and libnetwork perform through the `IPVS` generic netlink family.
 *
 * Models: net/netfilter/ipvs/ip_vs_ctl.c:
 * - Per-namespace state (`__ip_vs_init`), created on first use by module.ts `ipvsOf`; it
 *   registers `net.ipv4.vs.*` (conntrack 0, conn_reuse_mode 1, expire_nodest_conn 0,
 *   expire_quiescent_template 0) and calls `onFirstService` when the first service appears.
 * - `ip_vs_add_service` / `ip_vs_edit_service` / `ip_vs_del_service` / `ip_vs_flush`,
 *   `ip_vs_add_dest` / `ip_vs_edit_dest` / `ip_vs_del_dest`, `ip_vs_set_timeout`,
 *   `ip_vs_zero_service`, with the errnos ipvsadm turns into text: EEXIST (service or
 *   destination exists), ESRCH (no such service), ENOENT (unknown scheduler; no such
 *   destination), ERANGE (negative weight, lower threshold above upper), EINVAL (destination
 *   address not unicast).
 * - `ip_vs_service_find`: the fwmark table first when the packet has a mark, then
 *   <protocol, VIP, port>, then the port-zero catch-all service of the VIP.
 * Services keep their creation order (a listing sorts them as ipvsadm does).
 * Leaves out: the sync daemon, `--pe` persistence engines, the FTP port-21 special case of
 * `ip_vs_service_find`, IPv6, the `IP_VS_SO_*` sockopt interface.
 */
import { IPV4_BROADCAST, isMulticastIpv4, type Ipv4 } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import { ConnTable, type IpvsClock } from './conn-table.js';
import { ProtoTimeouts } from './proto.js';
import { isSchedulerName, type SchedulerOptions } from './scheduler.js';
import {
  DEFAULT_PERSISTENT_TIMEOUT,
  VirtualService,
  serviceKeyText,
  type FwdMethod,
  type RealServer,
  type ServiceKey,
} from './service.js';

export const IPVS_EXT_KEY = 'ipvs';

/** `IP_VS_CONN_TAB_SIZE` as `ipvsadm -L` prints it (`size=4096`). */
export const IPVS_CONN_TAB_SIZE = 4096;

/** The errnos the control plane returns. */
export type IpvsErrno = 'EEXIST' | 'ESRCH' | 'ENOENT' | 'EINVAL' | 'ERANGE';

export type IpvsResult<T = undefined> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errno: IpvsErrno };

export interface ServiceSpec extends ServiceKey {
  readonly schedName: string;
  readonly flags?: number;
  /** Persistence timeout, seconds (used when flags has SVC_F_PERSISTENT). */
  readonly timeout?: number;
  /** Persistence netmask (host order), default 255.255.255.255. */
  readonly netmask?: number;
}

export interface DestSpec {
  readonly addr: Ipv4;
  readonly port: number;
  readonly weight?: number;
  /** Default `gate` (direct routing), as ipvsadm. */
  readonly fwd?: FwdMethod;
  readonly uThreshold?: number;
  readonly lThreshold?: number;
}

/** The `net.ipv4.vs.*` sysctls IPVS registers, with their defaults. */
export const IPVS_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.vs.conntrack': '0',
  'net.ipv4.vs.conn_reuse_mode': '1',
  'net.ipv4.vs.expire_nodest_conn': '0',
  'net.ipv4.vs.expire_quiescent_template': '0',
};

const ok = <T>(value: T): IpvsResult<T> => ({ ok: true, value });
const fail = <T>(errno: IpvsErrno): IpvsResult<T> => ({ ok: false, errno });

export class IpvsState {
  readonly ns: NetNamespace;
  readonly clock: IpvsClock;
  readonly timeouts = new ProtoTimeouts();
  readonly conns: ConnTable;
  /** Virtual time the state was created: the phase of the 2 s rate estimator. */
  readonly epoch: number;
  readonly schedOptions: SchedulerOptions;
  private readonly services = new Map<string, VirtualService>();
  /**
   * `ip_vs_register_hooks`, called when the first service is added (kernel 5.7+ registers the
   * netfilter hooks only while services exist); set by module.ts.
   */
  onFirstService: (() => void) | undefined = undefined;

  constructor(ns: NetNamespace, clock: IpvsClock, schedOptions: SchedulerOptions = {}) {
    this.ns = ns;
    this.epoch = clock.now;
    this.conns = new ConnTable(clock, this.timeouts);
    this.schedOptions = schedOptions;
    this.clock = clock;
    for (const [key, value] of Object.entries(IPVS_SYSCTLS)) ns.sysctl.define(key, value);
  }

  /** `ipvs->enable`: the hooks do nothing until a service exists. */
  get enabled(): boolean {
    return this.services.size > 0;
  }

  sysctl(name: 'conntrack' | 'conn_reuse_mode' | 'expire_nodest_conn' | 'expire_quiescent_template'): number {
    return this.ns.sysctl.number(`net.ipv4.vs.${name}`);
  }

  /** Services in creation order. */
  serviceList(): VirtualService[] {
    return [...this.services.values()];
  }

  /** `__ip_vs_service_find` / `__ip_vs_svc_fwm_find`: the exact service. */
  service(key: ServiceKey): VirtualService | undefined {
    const svc = this.services.get(serviceKeyText(key));
    if (svc === undefined || (key.fwmark === 0 && svc.protocol !== key.protocol)) return undefined;
    return svc;
  }

  /** `ip_vs_service_find`: which service a packet belongs to. */
  findService(mark: number, protocol: number, vaddr: Ipv4, vport: number): VirtualService | undefined {
    if (mark !== 0) {
      const svc = this.services.get(serviceKeyText({ fwmark: mark, protocol, addr: 0, port: 0 }));
      if (svc !== undefined) return svc;
    }
    return (
      this.services.get(serviceKeyText({ fwmark: 0, protocol, addr: vaddr, port: vport })) ??
      this.services.get(serviceKeyText({ fwmark: 0, protocol, addr: vaddr, port: 0 }))
    );
  }

  /** `ip_vs_add_service`. */
  addService(spec: ServiceSpec): IpvsResult<VirtualService> {
    if (!isSchedulerName(spec.schedName)) return fail('ENOENT');
    const keyText = serviceKeyText(spec);
    if (this.services.has(keyText)) return fail('EEXIST');
    const now = this.clock.now;
    const svc = new VirtualService(spec, serviceParams(spec, spec.schedName), this.schedOptions, this.epoch, now);
    this.services.set(keyText, svc);
    if (this.services.size === 1) this.onFirstService?.();
    return ok(svc);
  }

  /** `ip_vs_edit_service`. */
  editService(spec: ServiceSpec): IpvsResult<VirtualService> {
    const svc = this.service(spec);
    if (svc === undefined) return fail('ESRCH');
    if (!isSchedulerName(spec.schedName)) return fail('ENOENT');
    svc.edit(serviceParams(spec, spec.schedName));
    return ok(svc);
  }

  /** `ip_vs_del_service`: its destinations become unavailable; connections live on until they expire. */
  delService(key: ServiceKey): IpvsResult {
    const svc = this.service(key);
    if (svc === undefined) return fail('ESRCH');
    for (const dest of [...svc.dests]) svc.removeDest(dest);
    this.services.delete(serviceKeyText(svc));
    return ok(undefined);
  }

  /** `ip_vs_flush` (`ipvsadm -C`). */
  flush(): void {
    for (const svc of this.serviceList()) this.delService(svc);
  }

  /** `ip_vs_add_dest`. */
  addDest(key: ServiceKey, spec: DestSpec): IpvsResult<RealServer> {
    const svc = this.service(key);
    if (svc === undefined) return fail('ESRCH');
    const bad = checkDest(spec);
    if (bad !== undefined) return fail(bad);
    if (svc.findDest(spec.addr, spec.port) !== undefined) return fail('EEXIST');
    return ok(svc.addDest(spec.addr, spec.port, destParams(spec), this.clock.now));
  }

  /** `ip_vs_edit_dest`. */
  editDest(key: ServiceKey, spec: DestSpec): IpvsResult<RealServer> {
    const svc = this.service(key);
    if (svc === undefined) return fail('ESRCH');
    const bad = checkDest(spec);
    if (bad !== undefined) return fail(bad);
    const dest = svc.findDest(spec.addr, spec.port);
    if (dest === undefined) return fail('ENOENT');
    svc.updateDest(dest, destParams(spec));
    return ok(dest);
  }

  /** `ip_vs_del_dest`. */
  delDest(key: ServiceKey, addr: Ipv4, port: number): IpvsResult {
    const svc = this.service(key);
    if (svc === undefined) return fail('ESRCH');
    const dest = svc.findDest(addr, port);
    if (dest === undefined) return fail('ENOENT');
    svc.removeDest(dest);
    return ok(undefined);
  }

  /** `ip_vs_zero_service` / `ip_vs_zero_all` (`ipvsadm -Z`). */
  zero(key?: ServiceKey): IpvsResult {
    const now = this.clock.now;
    const targets = key === undefined ? this.serviceList() : [this.service(key)];
    for (const svc of targets) {
      if (svc === undefined) return fail('ESRCH');
      svc.stats.zero(now);
      for (const d of svc.dests) d.stats.zero(now);
    }
    return ok(undefined);
  }
}

function serviceParams(spec: ServiceSpec, schedName: VirtualService['schedName']): ConstructorParameters<typeof VirtualService>[1] {
  return {
    schedName,
    flags: spec.flags ?? 0,
    timeout: spec.timeout ?? DEFAULT_PERSISTENT_TIMEOUT,
    netmask: (spec.netmask ?? 0xffffffff) >>> 0,
  };
}

function destParams(spec: DestSpec): Parameters<VirtualService['addDest']>[2] {
  return { weight: spec.weight ?? 1, fwd: spec.fwd ?? 'gate', uThreshold: spec.uThreshold ?? 0, lThreshold: spec.lThreshold ?? 0 };
}

/** The checks of `ip_vs_add_dest`/`ip_vs_edit_dest` and `ip_vs_new_dest`'s address type test. */
function checkDest(spec: DestSpec): IpvsErrno | undefined {
  if ((spec.weight ?? 1) < 0) return 'ERANGE';
  if ((spec.lThreshold ?? 0) > (spec.uThreshold ?? 0)) return 'ERANGE';
  if (spec.addr === 0 || spec.addr === IPV4_BROADCAST || isMulticastIpv4(spec.addr)) return 'EINVAL';
  return undefined;
}

/** A new IPVS state in `ns` (see `ipvsOf` in module.ts for the first-use entry point). */
export function createIpvsState(ns: NetNamespace): IpvsState {
  const state = new IpvsState(ns, ns.host.world.engine);
  ns.ext.set(IPVS_EXT_KEY, state);
  return state;
}

/** The IPVS state of `ns` if IPVS was ever used there (the packet hooks' fast path). */
export function ipvsIfAny(ns: NetNamespace): IpvsState | undefined {
  const existing = ns.ext.get(IPVS_EXT_KEY);
  return existing instanceof IpvsState ? existing : undefined;
}
