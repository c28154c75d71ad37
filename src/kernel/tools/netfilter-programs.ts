/**
 * The netfilter-family programs: `iptables`, `iptables-save`, `iptables-restore` (iptables 1.8.9,
 * nf_tables backend, as on the reference host), `conntrack` (conntrack-tools 1.4) and `ipvsadm`
 * (1.31), each acting on the namespace it runs in.
 *
 * Models: the tools as a person runs them on a host or through `ip netns exec` / `nsenter -n`.
 * The state belongs to the kernel modules (src/kernel/netfilter, nfhooks, conntrack, ipvs); these
 * programs only parse argv and print. Reading commands (`iptables-save`, `iptables -S/-L`,
 * `conntrack -L`) in a namespace with no netfilter state do not create any, as the real tools
 * do not load modules to list nothing; `iptables-save`'s date line comes from the simulation's
 * wall clock (src/engine/wall-clock.ts).
 * Leaves out: `ip6tables`, `iptables-legacy`, `ebtables`, `nft`.
 */
import { simCtime } from '../../engine/index.js';
import { conntrackCommand, conntrackOf } from '../conntrack/index.js';
import { runIpvsadm } from '../ipvs/index.js';
import type { NetNamespace } from '../netns.js';
import { Ruleset, runIptables, runIptablesRestore, runIptablesSave, type IptablesContext } from '../netfilter/index.js';
import { iptablesOf, nfHooksIfAny } from '../nfhooks/index.js';
import type { Process, ProgramRegistry } from '../process.js';

interface Output {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function finish(proc: Process, out: Output): void {
  proc.out(out.stdout);
  proc.err(out.stderr);
  proc.exit(out.exitCode);
}

function context(ns: NetNamespace): IptablesContext {
  return { date: simCtime(ns.host.world.engine.now) };
}

/** A command that only lists: use the namespace's rules if it has any, else an empty set. */
function readOnly(argv: readonly string[]): boolean {
  return argv.some((a) => a === '-S' || a === '-L' || a === '--list' || a === '--list-rules' || a === '-C' || a === '--check');
}

export function registerNetfilterTools(registry: ProgramRegistry): void {
  registry.register('iptables', (proc) => {
    const args = proc.argv.slice(1);
    const ruleset = readOnly(args) ? (nfHooksIfAny(proc.ns)?.ruleset ?? new Ruleset()) : iptablesOf(proc.ns);
    finish(proc, runIptables(ruleset, args, context(proc.ns)));
  });
  registry.register('iptables-save', (proc) => {
    const ruleset = nfHooksIfAny(proc.ns)?.ruleset ?? new Ruleset();
    finish(proc, runIptablesSave(ruleset, proc.argv.slice(1), context(proc.ns)));
  });
  registry.register('iptables-restore', (proc) => {
    finish(proc, runIptablesRestore(iptablesOf(proc.ns), proc.stdin, proc.argv.slice(1), context(proc.ns)));
  });
  registry.register('conntrack', (proc) => {
    finish(proc, conntrackCommand(conntrackOf(proc.ns), proc.argv.slice(1)));
  });
  registry.register('ipvsadm', (proc) => {
    finish(proc, runIpvsadm(proc.ns, proc.argv, proc.stdin));
  });
}
