/**
 * libnetwork's iptables helper package for the bridge driver: every rule change is an `iptables`
 * command with the argument list libnetwork passes, run through the simulated kernel's iptables
 * command function on the host namespace's ruleset, so the resulting rule text and order come
 * from `-I`/`-A`/`-D` semantics exactly as on Linux.
 *
 * Models: libnetwork `iptables/iptables.go` (Docker 20.10): `Raw` (argv prefixed with `--wait`;
 * a non-zero exit becomes `iptables failed: iptables <args>: <output> (exit status N)`),
 * `Exists` (`-t <table> -C <chain> <rule>`, success means present), `ProgramRule` (add only if
 * absent, delete only if present), `NewChain` (`-n -L` then `-N`), `AddReturnRule`,
 * `EnsureJumpRule` (delete then insert at the top), `SetDefaultPolicy` (`-P`), `RemoveExistingChain`
 * and `ChainInfo.Remove` (the flush and delete of old chains at daemon start).
 *
 *   new IpTables(ns).programRule('nat', 'POSTROUTING', 'insert', ['-s', '172.17.0.0/16', '!', '-o', 'docker0', '-j', 'MASQUERADE'])
 *     -> iptables --wait -t nat -C POSTROUTING ...   (exit 1: absent)
 *     -> iptables --wait -t nat -I POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
 *
 * Every command is kept in `log` (what dockerd's debug log shows), so tests and traces can read
 * the exact sequence.
 * Leaves out: firewalld passthrough (`firewalldRunning` is false), ip6tables, the `-C`-less
 * fallback for iptables older than 1.4.11, xtables lock contention.
 */
import { iptablesOf, runIptables, type NetNamespace } from '../../../kernel/index.js';
import { ok, system, type Result } from '../../errors.js';

export type IptTable = 'filter' | 'nat' | 'mangle' | 'raw';

/** `iptables.Action`: `-A`, `-I`, `-D`. */
export type IptAction = 'append' | 'insert' | 'delete';

const ACTION_FLAG: Readonly<Record<IptAction, string>> = { append: '-A', insert: '-I', delete: '-D' };

export function actionFlag(action: IptAction): string {
  return ACTION_FLAG[action];
}

/** One command dockerd ran, with its outcome. */
export interface IptCommand {
  readonly argv: readonly string[];
  readonly exitCode: number;
}

export class IpTables {
  readonly ns: NetNamespace;
  readonly log: IptCommand[] = [];

  constructor(ns: NetNamespace) {
    this.ns = ns;
  }

  /** `Raw`: runs `iptables --wait ARGS`; a failure carries iptables' output as Go prints it. */
  raw(args: readonly string[]): Result<string> {
    const argv = ['--wait', ...args];
    const out = runIptables(iptablesOf(this.ns), argv);
    this.log.push({ argv, exitCode: out.exitCode });
    if (out.exitCode !== 0) {
      return system(`iptables failed: iptables ${argv.join(' ')}: ${out.stdout}${out.stderr} (exit status ${out.exitCode})`);
    }
    return ok(out.stdout);
  }

  /** `Exists`: `-t TABLE -C CHAIN RULE...` succeeds. */
  exists(table: IptTable, chain: string, rule: readonly string[]): boolean {
    return this.raw(['-t', table, '-C', chain, ...rule]).ok;
  }

  /** `ProgramRule`: add (`-A`/`-I`) when absent, delete when present; otherwise nothing. */
  programRule(table: IptTable, chain: string, action: IptAction, args: readonly string[]): Result<void> {
    if (this.exists(table, chain, args) !== (action === 'delete')) return ok(undefined);
    const r = this.raw(['-t', table, ACTION_FLAG[action], chain, ...args]);
    return r.ok ? ok(undefined) : r;
  }

  /** `NewChain`: creates the chain unless `-n -L` finds it. */
  newChain(name: string, table: IptTable): Result<void> {
    if (this.raw(['-t', table, '-n', '-L', name]).ok) return ok(undefined);
    const r = this.raw(['-t', table, '-N', name]);
    if (!r.ok) return r;
    if (r.value.length !== 0) return system(`Could not create ${table}/${name} chain: ${r.value}`);
    return ok(undefined);
  }

  /** `AddReturnRule`: `-A CHAIN -j RETURN` in filter, once. */
  addReturnRule(chain: string): Result<void> {
    if (this.exists('filter', chain, ['-j', 'RETURN'])) return ok(undefined);
    const r = this.raw(['-A', chain, '-j', 'RETURN']);
    return r.ok ? ok(undefined) : system(`unable to add return rule in ${chain} chain: ${r.error.message}`);
  }

  /** `EnsureJumpRule`: the filter jump `-j TO` becomes the first rule of FROM. */
  ensureJumpRule(fromChain: string, toChain: string): Result<void> {
    if (this.exists('filter', fromChain, ['-j', toChain])) {
      const d = this.raw(['-D', fromChain, '-j', toChain]);
      if (!d.ok) return system(`unable to remove jump to ${toChain} rule in ${fromChain} chain: ${d.error.message}`);
    }
    const r = this.raw(['-I', fromChain, '-j', toChain]);
    return r.ok ? ok(undefined) : system(`unable to insert jump to ${toChain} rule in ${fromChain} chain: ${r.error.message}`);
  }

  /** `SetDefaultPolicy`. */
  setDefaultPolicy(table: IptTable, chain: string, policy: 'ACCEPT' | 'DROP'): Result<void> {
    const r = this.raw(['-t', table, '-P', chain, policy]);
    return r.ok ? ok(undefined) : system(`setting default policy to ${policy} in ${table} chain failed: ${r.error.message}`);
  }

  /**
   * `ChainInfo.Remove`: errors ignored (the chains may never have existed). For the nat chain the
   * old jumps go first, with upstream's exact argument lists (`Prerouting`/`Output` add no `-j`,
   * so the last three commands can only fail or remove target-less rules).
   */
  removeChain(name: string, table: IptTable): void {
    if (table === 'nat') {
      this.raw(['-t', 'nat', '-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '!', '--dst', '127.0.0.0/8', '-j', name]);
      this.raw(['-t', 'nat', '-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', name]);
      this.raw(['-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL']);
      this.raw(['-t', 'nat', '-D', 'PREROUTING']);
      this.raw(['-t', 'nat', '-D', 'OUTPUT']);
    }
    this.raw(['-t', table, '-F', name]);
    this.raw(['-t', table, '-X', name]);
  }
}
