/**
 * The checks the kernel makes before it accepts a table: what makes it answer EINVAL, ELOOP or
 * EOPNOTSUPP to an otherwise well-formed rule.
 *
 * Models: net/netfilter/x_tables.c `xt_check_match` / `xt_check_target` (the extension's
 * `.table`, `.hooks` and `.proto`, then its checkentry), net/ipv4/netfilter/ip_tables.c
 * `mark_source_chains` (which hooks reach each user chain through jumps and gotos; loops are
 * refused with ELOOP), and nf_tables' refusal of a jump to a base chain (EOPNOTSUPP). With the
 * nf_tables backend these run when the change is committed and surface as `RULE_APPEND failed
 * (Invalid argument)`. A rule in a user chain no built-in chain reaches is not hook-checked,
 * exactly like the kernel: the check happens when a jump makes it reachable.
 * Leaves out: the dmesg texts are kept in `reason` for traces but never printed by iptables.
 * Invariant: `validateTable` only reads the table.
 */
import type { KernelErrno } from './errors.js';
import type { KernelCheckInfo } from './ext-def.js';
import { matchDefOf } from './matches/registry.js';
import type { NfHookName } from './packet-view.js';
import { ruleTargetChain } from './rule.js';
import { BUILTIN_CHAINS, chainsInOrder, type ChainState, type RuleEntry, type TableState } from './table.js';
import { targetDefOf } from './targets/registry.js';

export interface KernelIssue {
  readonly errno: KernelErrno;
  readonly chain: string;
  readonly entry: RuleEntry;
  readonly reason: string;
}

/** Hooks from which each chain can be reached (built-in chains: their own hook). */
export function chainHooks(t: TableState): Map<string, Set<NfHookName>> {
  const reach = new Map<string, Set<NfHookName>>();
  for (const c of t.chains.keys()) reach.set(c, new Set());
  for (const hook of BUILTIN_CHAINS[t.name]) {
    const stack: string[] = [hook];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      reach.get(name)?.add(hook);
      for (const e of t.chains.get(name)?.rules ?? []) {
        const next = ruleTargetChain(e.rule);
        if (next !== undefined && t.chains.get(next)?.builtin === false) stack.push(next);
      }
    }
  }
  return reach;
}

/** A rule that closes a jump cycle, if any (`mark_source_chains` -> ELOOP). */
function findLoop(t: TableState): { chain: ChainState; entry: RuleEntry } | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: ChainState): { chain: ChainState; entry: RuleEntry } | undefined => {
    state.set(c.name, 'visiting');
    for (const e of c.rules) {
      const next = ruleTargetChain(e.rule);
      const nc = next === undefined ? undefined : t.chains.get(next);
      if (nc === undefined || nc.builtin) continue;
      const st = state.get(nc.name);
      if (st === 'visiting') return { chain: c, entry: e };
      if (st === undefined) {
        const found = visit(nc);
        if (found) return found;
      }
    }
    state.set(c.name, 'done');
    return undefined;
  };
  for (const c of chainsInOrder(t)) {
    if (state.has(c.name)) continue;
    const found = visit(c);
    if (found) return found;
  }
  return undefined;
}

function checkEntry(t: TableState, c: ChainState, e: RuleEntry, hooks: ReadonlySet<NfHookName>): string | undefined {
  const info: KernelCheckInfo = { table: t.name, hooks, proto: e.rule.proto, protoInvert: e.rule.protoInvert };
  for (const m of e.rule.matches) {
    const reason = matchDefOf(m).kernelCheck?.(m, info);
    if (reason !== undefined) return reason;
  }
  const a = e.rule.action;
  if (a.kind === 'target') return targetDefOf(a.target).kernelCheck?.(a.target, info);
  void c;
  return undefined;
}

/** The first problem the kernel would refuse the table for, in listing order. */
export function validateTable(t: TableState): KernelIssue | undefined {
  for (const c of chainsInOrder(t)) {
    for (const e of c.rules) {
      const next = ruleTargetChain(e.rule);
      if (next !== undefined && t.chains.get(next)?.builtin === true) {
        return { errno: 'EOPNOTSUPP', chain: c.name, entry: e, reason: 'jump to a base chain' };
      }
    }
  }
  const loop = findLoop(t);
  if (loop) return { errno: 'ELOOP', chain: loop.chain.name, entry: loop.entry, reason: 'loop in chain jumps' };
  const reach = chainHooks(t);
  for (const c of chainsInOrder(t)) {
    const hooks = reach.get(c.name) ?? new Set<NfHookName>();
    for (const e of c.rules) {
      const reason = checkEntry(t, c, e, hooks);
      if (reason !== undefined) return { errno: 'EINVAL', chain: c.name, entry: e, reason };
    }
  }
  return undefined;
}
