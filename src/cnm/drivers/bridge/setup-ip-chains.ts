/**
 * What the bridge driver does to the host once, when the daemon starts it: br_netfilter loaded,
 * old chains removed, Docker's chains created, IPv4 forwarding turned on (and FORWARD's policy
 * set to DROP when Docker was the one to turn it on); and the controller's `DOCKER-USER` chain,
 * whose jump is moved back to the top of FORWARD after every network creation.
 *
 * Models: libnetwork (Docker 20.10) `drivers/bridge/bridge.go` `configure` (`modprobe -va bridge
 * br_netfilter` when `/proc/sys/net/bridge` is missing, `removeIPChains`, `setupIPChains`,
 * `setupIPForwarding`), `drivers/bridge/setup_ip_tables.go` (`setupIPChains`: nat `DOCKER`,
 * filter `DOCKER`, `DOCKER-ISOLATION-STAGE-1` and `-2` each ending with `-j RETURN`;
 * `removeIPChains`: the obsolete `DOCKER-ISOLATION` jump and every chain flushed and deleted),
 * `drivers/bridge/setup_ip_forwarding.go`, and `firewall_linux.go` `arrangeUserFilterRule`.
 *
 *   host before dockerd:  iptables-save prints nothing, ip_forward = 0
 *   after driver init:    *filter :FORWARD DROP, DOCKER, DOCKER-ISOLATION-STAGE-1/-2 (-j RETURN)
 *                         *nat    DOCKER;  ip_forward = 1
 *   after each network:   -A FORWARD -j DOCKER-USER  first, -A DOCKER-USER -j RETURN
 *
 * Leaves out: firewalld reload callbacks (`iptables.OnReloaded`), ip6tables and the IPv6
 * forwarding policy, the ingress chain of swarm mode (`arrangeIngressFilterRule`).
 */
import { loadBrNetfilter, loadBrNetfilterModule, type NetNamespace } from '../../../kernel/index.js';
import { ok, system, type Result } from '../../errors.js';
import { ChainInfo } from './chain-info.js';
import type { IpTables } from './iptables.js';

export const DOCKER_CHAIN = 'DOCKER';
export const ISOLATION_CHAIN_1 = 'DOCKER-ISOLATION-STAGE-1';
export const ISOLATION_CHAIN_2 = 'DOCKER-ISOLATION-STAGE-2';
/** `oldIsolationChain`: the single isolation chain of Docker before 17.06. */
export const OLD_ISOLATION_CHAIN = 'DOCKER-ISOLATION';
/** `userChain` of `firewall_linux.go`. */
export const USER_CHAIN = 'DOCKER-USER';

/** The four chains the driver keeps (`d.natChain`, `d.filterChain`, `d.isolationChain1/2`). */
export interface DriverChains {
  readonly nat: ChainInfo;
  readonly filter: ChainInfo;
  readonly isolation1: ChainInfo;
  readonly isolation2: ChainInfo;
}

/**
 * `modprobe -va bridge br_netfilter` when `/proc/sys/net/bridge` does not exist: the module's
 * sysctls appear (bridge-nf-call-iptables = 1) in every namespace of the host.
 */
export function ensureBrNetfilter(ns: NetNamespace): void {
  if (ns.sysctl.has('net.bridge.bridge-nf-call-iptables')) return;
  loadBrNetfilterModule(ns.host);
  loadBrNetfilter(ns);
}

/** `removeIPChains`: leftovers of an earlier daemon go, errors ignored. */
export function removeIPChains(ipt: IpTables): void {
  ipt.programRule('filter', 'FORWARD', 'delete', ['-j', OLD_ISOLATION_CHAIN]);
  ipt.removeChain(DOCKER_CHAIN, 'nat');
  ipt.removeChain(DOCKER_CHAIN, 'filter');
  ipt.removeChain(ISOLATION_CHAIN_1, 'filter');
  ipt.removeChain(ISOLATION_CHAIN_2, 'filter');
  ipt.removeChain(OLD_ISOLATION_CHAIN, 'filter');
}

/** `setupIPChains`: the chains, created if missing, the isolation chains with their RETURN. */
export function setupIPChains(ipt: IpTables, hairpinMode: boolean): Result<DriverChains> {
  const created: [string, 'nat' | 'filter'][] = [];
  const fail = (e: Result<void> & { ok: false }, what: string): Result<DriverChains> => {
    // The deferred RemoveExistingChain calls of upstream.
    for (const [name, table] of created.reverse()) {
      ipt.raw(['-t', table, '-F', name]);
      ipt.raw(['-t', table, '-X', name]);
    }
    return system(`${what}: ${e.error.message}`);
  };
  const chain = (name: string, table: 'nat' | 'filter', hairpin: boolean, what: string): ChainInfo | Result<DriverChains> => {
    const r = ipt.newChain(name, table);
    if (!r.ok) return fail(r, what);
    created.push([name, table]);
    return new ChainInfo(ipt, name, table, hairpin);
  };
  const nat = chain(DOCKER_CHAIN, 'nat', hairpinMode, `failed to create NAT chain ${DOCKER_CHAIN}`);
  if (!(nat instanceof ChainInfo)) return nat;
  const filter = chain(DOCKER_CHAIN, 'filter', false, `failed to create FILTER chain ${DOCKER_CHAIN}`);
  if (!(filter instanceof ChainInfo)) return filter;
  const isolation1 = chain(ISOLATION_CHAIN_1, 'filter', false, `failed to create FILTER isolation chain ${ISOLATION_CHAIN_1}`);
  if (!(isolation1 instanceof ChainInfo)) return isolation1;
  const isolation2 = chain(ISOLATION_CHAIN_2, 'filter', false, `failed to create FILTER isolation chain ${ISOLATION_CHAIN_2}`);
  if (!(isolation2 instanceof ChainInfo)) return isolation2;
  const r1 = ipt.addReturnRule(ISOLATION_CHAIN_1);
  if (!r1.ok) return r1;
  const r2 = ipt.addReturnRule(ISOLATION_CHAIN_2);
  if (!r2.ok) return r2;
  return ok({ nat, filter, isolation1, isolation2 });
}

/**
 * `setupIPForwarding`: `ip_forward` to 1 only when it is 0, and then (with iptables enabled)
 * FORWARD's policy to DROP, so the host does not start routing for everybody. Returns whether
 * Docker turned forwarding on.
 */
export function setupIPForwarding(ns: NetNamespace, ipt: IpTables, enableIpTables: boolean): Result<boolean> {
  const current = ns.sysctl.get('net.ipv4.ip_forward');
  if (!current.ok) return system(`Cannot read IP forwarding setup: ${current.error}`);
  if (current.value.startsWith('1')) return ok(false);
  const set = ns.sysctl.set('net.ipv4.ip_forward', '1');
  if (!set.ok) return system(`Enabling IP forwarding failed: ${set.error}`);
  if (enableIpTables) {
    const p = ipt.setDefaultPolicy('filter', 'FORWARD', 'DROP');
    if (!p.ok) {
      ns.sysctl.set('net.ipv4.ip_forward', '0');
      return p;
    }
  }
  return ok(true);
}

/**
 * `arrangeUserFilterRule` (the controller's, run after every network creation): `DOCKER-USER`
 * exists, ends with `-j RETURN` (added once; user rules before it are kept), and FORWARD jumps to
 * it first. Failures are only logged upstream; they are returned here for the caller to log.
 */
export function arrangeUserFilterRule(ipt: IpTables): Result<void> {
  const c = ipt.newChain(USER_CHAIN, 'filter');
  if (!c.ok) return system(`Failed to create ${USER_CHAIN} chain: ${c.error.message}`);
  const r = ipt.addReturnRule(USER_CHAIN);
  if (!r.ok) return system(`Failed to add the RETURN rule for ${USER_CHAIN}: ${r.error.message}`);
  const j = ipt.ensureJumpRule('FORWARD', USER_CHAIN);
  if (!j.ok) return system(`Failed to ensure the jump rule for ${USER_CHAIN}: ${j.error.message}`);
  return ok(undefined);
}
