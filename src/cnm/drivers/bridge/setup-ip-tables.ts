/**
 * The iptables rules of one bridge network, in libnetwork's execution order, each added only when
 * absent (so `-I` puts the newest network above older ones), with the clean functions that remove
 * them again when the network is deleted.
 *
 * Models: libnetwork `drivers/bridge/setup_ip_tables.go` (Docker 20.10):
 * `setupIPTables` -> for an internal network `setupInternalNetworkRules` (two DROP rules inserted
 * in `DOCKER-ISOLATION-STAGE-1`, then ICC); otherwise `setupIPTablesInternal`:
 *
 *   1. NAT              -t nat -I POSTROUTING -s <sub> ! -o <br> -j MASQUERADE   (or SNAT --to-source)
 *   2. SKIP DNAT        -t nat -I DOCKER -i <br> -j RETURN                       (masquerade and proxy on)
 *   3. MASQ LOCAL HOST  -t nat -I POSTROUTING -m addrtype --src-type LOCAL -o <br> -j MASQUERADE (proxy off)
 *   4. ICC              -D FORWARD -i <br> -o <br> -j DROP, -I FORWARD -i <br> -o <br> -j ACCEPT
 *                       (ICC off: -D ... ACCEPT, -A FORWARD -i <br> -o <br> -j DROP)
 *   5. NON_ICC OUTGOING -I FORWARD -i <br> ! -o <br> -j ACCEPT
 *
 * then `ProgramChain` of the nat chain (PREROUTING/OUTPUT jumps, appended once) and of the filter
 * chain (`-I FORWARD -o <br> -j DOCKER`, then the conntrack ACCEPT above it), the port mapper's
 * chain, and `EnsureJumpRule(FORWARD, DOCKER-ISOLATION-STAGE-1)`; and `setINC`, the isolation
 * pair inserted at the top of the two stages. Clean functions: `setupIPTablesInternal(false)`,
 * `ProgramChain(filter, false)` and `setINC(false)`; the nat jumps stay, as upstream leaves them.
 * Leaves out: IPv6 (`setupIP6Tables`), firewalld.
 */
import { formatIpv4, networkOf, formatCidr, type Cidr } from '../../../packet/index.js';
import { ok, system, type Result } from '../../errors.js';
import type { IpTables, IptTable } from './iptables.js';
import { ISOLATION_CHAIN_1, ISOLATION_CHAIN_2, type DriverChains } from './setup-ip-chains.js';

/** `iptRule`. */
interface IptRule {
  readonly table: IptTable;
  readonly chain: string;
  /** `preArgs` (`-t nat`) come before the action; `Exists` is asked with `table` anyway. */
  readonly preArgs: readonly string[];
  readonly args: readonly string[];
}

/** `programChainRule`: insert when absent, or delete when present. */
function programChainRule(ipt: IpTables, rule: IptRule, descr: string, insert: boolean): Result<void> {
  const exists = ipt.exists(rule.table, rule.chain, rule.args);
  const condition = insert ? !exists : exists;
  if (!condition) return ok(undefined);
  const r = ipt.raw([...rule.preArgs, insert ? '-I' : '-D', rule.chain, ...rule.args]);
  return r.ok ? ok(undefined) : system(`Unable to ${insert ? 'enable' : 'disable'} ${descr} rule: ${r.error.message}`);
}

/** `setIcc`: the intra-bridge ACCEPT (inserted) or DROP (appended), or their removal. */
export function setIcc(ipt: IpTables, bridge: string, iccEnable: boolean, insert: boolean): Result<void> {
  const args = ['-i', bridge, '-o', bridge, '-j'];
  const acceptArgs = [...args, 'ACCEPT'];
  const dropArgs = [...args, 'DROP'];
  if (insert) {
    if (!iccEnable) {
      ipt.raw(['-D', 'FORWARD', ...acceptArgs]);
      if (!ipt.exists('filter', 'FORWARD', dropArgs)) {
        const r = ipt.raw(['-A', 'FORWARD', ...dropArgs]);
        if (!r.ok) return system(`Unable to prevent intercontainer communication: ${r.error.message}`);
      }
    } else {
      ipt.raw(['-D', 'FORWARD', ...dropArgs]);
      if (!ipt.exists('filter', 'FORWARD', acceptArgs)) {
        const r = ipt.raw(['-I', 'FORWARD', ...acceptArgs]);
        if (!r.ok) return system(`Unable to allow intercontainer communication: ${r.error.message}`);
      }
    }
  } else if (!iccEnable) {
    if (ipt.exists('filter', 'FORWARD', dropArgs)) ipt.raw(['-D', 'FORWARD', ...dropArgs]);
  } else if (ipt.exists('filter', 'FORWARD', acceptArgs)) {
    ipt.raw(['-D', 'FORWARD', ...acceptArgs]);
  }
  return ok(undefined);
}

export interface IptablesNetworkConfig {
  readonly bridgeName: string;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly hostIp: number | undefined;
  readonly internal: boolean;
}

/** `setupIPTablesInternal`: the five rules above, added (`enable`) or removed. */
export function setupIPTablesInternal(ipt: IpTables, cfg: IptablesNetworkConfig, addr: Cidr, hairpin: boolean, enable: boolean): Result<void> {
  const br = cfg.bridgeName;
  const address = formatCidr(addr);
  const snat = cfg.hostIp === undefined ? ['-j', 'MASQUERADE'] : ['-j', 'SNAT', '--to-source', formatIpv4(cfg.hostIp)];
  const natRule: IptRule = { table: 'nat', chain: 'POSTROUTING', preArgs: ['-t', 'nat'], args: ['-s', address, '!', '-o', br, ...snat] };
  const hpNatRule: IptRule = { table: 'nat', chain: 'POSTROUTING', preArgs: ['-t', 'nat'], args: ['-m', 'addrtype', '--src-type', 'LOCAL', '-o', br, ...snat] };
  const skipDnat: IptRule = { table: 'nat', chain: 'DOCKER', preArgs: ['-t', 'nat'], args: ['-i', br, '-j', 'RETURN'] };
  const outRule: IptRule = { table: 'filter', chain: 'FORWARD', preArgs: [], args: ['-i', br, '!', '-o', br, '-j', 'ACCEPT'] };
  if (cfg.enableIpMasquerade) {
    const r = programChainRule(ipt, natRule, 'NAT', enable);
    if (!r.ok) return r;
  }
  if (cfg.enableIpMasquerade && !hairpin) {
    const r = programChainRule(ipt, skipDnat, 'SKIP DNAT', enable);
    if (!r.ok) return r;
  }
  if (hairpin) {
    const r = programChainRule(ipt, hpNatRule, 'MASQ LOCAL HOST', enable);
    if (!r.ok) return r;
  }
  const icc = setIcc(ipt, br, cfg.enableIcc, enable);
  if (!icc.ok) return icc;
  return programChainRule(ipt, outRule, 'ACCEPT NON_ICC OUTGOING', enable);
}

/** `setupInternalNetworkRules`: traffic may neither leave nor enter the subnet through the bridge. */
export function setupInternalNetworkRules(ipt: IpTables, bridge: string, addr: Cidr, icc: boolean, insert: boolean): Result<void> {
  const sub = formatCidr(addr);
  const inDrop: IptRule = { table: 'filter', chain: ISOLATION_CHAIN_1, preArgs: [], args: ['-i', bridge, '!', '-d', sub, '-j', 'DROP'] };
  const outDrop: IptRule = { table: 'filter', chain: ISOLATION_CHAIN_1, preArgs: [], args: ['-o', bridge, '!', '-s', sub, '-j', 'DROP'] };
  const r1 = programChainRule(ipt, inDrop, 'DROP INCOMING', insert);
  if (!r1.ok) return r1;
  const r2 = programChainRule(ipt, outDrop, 'DROP OUTGOING', insert);
  if (!r2.ok) return r2;
  return setIcc(ipt, bridge, icc, insert);
}

/**
 * `setINC`: packets entering from this bridge and leaving by another go to stage 2, where leaving
 * by this bridge is dropped. Inserted (newest first) or deleted; a failure on the second chain
 * takes the first rule back out.
 */
export function setInc(ipt: IpTables, iface: string, enable: boolean): Result<void> {
  const chains = [ISOLATION_CHAIN_1, ISOLATION_CHAIN_2];
  const rules = [
    ['-i', iface, '!', '-o', iface, '-j', ISOLATION_CHAIN_2],
    ['-o', iface, '-j', 'DROP'],
  ];
  for (let i = 0; i < chains.length; i++) {
    const r = ipt.programRule('filter', chains[i]!, enable ? 'insert' : 'delete', rules[i]!);
    if (!r.ok) {
      const msg = `unable to ${enable ? 'add' : 'remove'} inter-network communication rule: ${r.error.message}`;
      if (enable) {
        if (i === 1) ipt.programRule('filter', chains[0]!, 'delete', rules[0]!);
        return system(msg);
      }
    }
  }
  return ok(undefined);
}

/**
 * `setupIPTables` for IPv4: programs the network's rules and registers, through `register`, the
 * clean functions to run in order when the network is deleted. Each clean function is registered
 * before its rules are attempted (upstream registers after success): removal is guarded by
 * `Exists`, so running it after a half-done attempt removes exactly what was added, which is what
 * lets a failed creation be undone. `bridgeAddress` is the bridge's address; its masked form is
 * the subnet in the rules.
 */
export function setupIPTables(
  ipt: IpTables,
  chains: DriverChains,
  cfg: IptablesNetworkConfig,
  bridgeAddress: Cidr,
  hairpinMode: boolean,
  register: (clean: () => void) => void,
): Result<void> {
  const masked = networkOf(bridgeAddress);
  if (cfg.internal) {
    register(() => {
      setupInternalNetworkRules(ipt, cfg.bridgeName, masked, cfg.enableIcc, false);
    });
    const r = setupInternalNetworkRules(ipt, cfg.bridgeName, masked, cfg.enableIcc, true);
    if (!r.ok) return system(`Failed to Setup IP tables: ${r.error.message}`);
  } else {
    register(() => {
      setupIPTablesInternal(ipt, cfg, masked, hairpinMode, false);
    });
    const r = setupIPTablesInternal(ipt, cfg, masked, hairpinMode, true);
    if (!r.ok) return system(`Failed to Setup IP tables: ${r.error.message}`);
    // The nat chain's jumps are shared by every network and never removed (as upstream).
    const n = chains.nat.programChain(cfg.bridgeName, true);
    if (!n.ok) return system(`Failed to program NAT chain: ${n.error.message}`);
    register(() => {
      chains.filter.programChain(cfg.bridgeName, false);
    });
    const f = chains.filter.programChain(cfg.bridgeName, true);
    if (!f.ok) return system(`Failed to program FILTER chain: ${f.error.message}`);
  }
  return ipt.ensureJumpRule('FORWARD', ISOLATION_CHAIN_1);
}
