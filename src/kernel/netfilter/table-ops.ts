/**
 * The changes `iptables` makes to one table: append, insert, delete, replace, check, new/delete/
 * rename chain, flush, zero and policy, each with the errors iptables-nft reports.
 *
 * Models: iptables/nft.c `nft_prepare` and the functions it calls: `assert_chain_exists` on the
 * jump target first ("Chain 'X' does not exist"), then `nft_rule_append` / `nft_rule_insert`
 * (rule_count + 1 means append; more is "Index of insertion too big") / `nft_rule_delete` /
 * `nft_rule_delete_num` / `nft_rule_replace` (the new rule starts with zero counters) /
 * `nft_rule_check` / `nft_chain_user_add` / `__nft_chain_del` (a busy built-in chain is
 * "Directory not empty"; a user chain with rules or references is refused by the kernel with
 * EBUSY) / `nft_chain_user_rename` / `nft_rule_flush` / `nft_chain_zero_counters` /
 * `nft_chain_set`. Which errno text applies depends on the failing function (`nft_strerror`).
 * Rules are compared by their saved text, which is what `nft_rule_cmp` amounts to.
 * Leaves out: ebtables/arptables policies.
 * Invariant: every function either changes `t` and returns undefined, or returns a failure and
 * leaves `t` as it was.
 */
import type { XtFailure } from './errors.js';
import { MSG } from './errors.js';
import { formatRuleSpec } from './format-rule.js';
import type { Rule } from './rule.js';
import { chainsInOrder, newChain, referenceCount, type ChainState, type RuleEntry, type TableState } from './table.js';

export type OpFailure = XtFailure;

export interface NewEntry {
  readonly rule: Rule;
  readonly packets?: number | undefined;
  readonly bytes?: number | undefined;
  readonly line?: number | undefined;
}

const errno = (key: Extract<XtFailure, { kind: 'errno' }>['key'], einval = false): OpFailure => ({ kind: 'errno', key, einval });

function jumpCheck(t: TableState, rule: Rule): OpFailure | undefined {
  const a = rule.action;
  if ((a.kind === 'jump' || a.kind === 'goto') && !t.chains.has(a.chain)) {
    return { kind: 'param', message: MSG.chainDoesNotExist(a.chain) };
  }
  return undefined;
}

function entryOf(id: number, n: NewEntry): RuleEntry {
  return { id, rule: n.rule, packets: n.packets ?? 0, bytes: n.bytes ?? 0, nth: new Map(), line: n.line };
}

export function sameRule(a: Rule, b: Rule): boolean {
  return formatRuleSpec(a) === formatRuleSpec(b);
}

export function appendRule(t: TableState, chain: string, n: NewEntry, id: number): OpFailure | undefined {
  const j = jumpCheck(t, n.rule);
  if (j) return j;
  const c = t.chains.get(chain);
  if (c === undefined) return errno('noChain');
  c.rules.push(entryOf(id, n));
  return undefined;
}

export function insertRule(t: TableState, chain: string, rulenum: number, n: NewEntry, id: number): OpFailure | undefined {
  const j = jumpCheck(t, n.rule);
  if (j) return j;
  const c = t.chains.get(chain);
  if (c === undefined) return errno('noChain');
  if (rulenum > c.rules.length + 1) return errno('insertTooBig');
  c.rules.splice(rulenum - 1, 0, entryOf(id, n));
  return undefined;
}

export function deleteRule(t: TableState, chain: string, rule: Rule): OpFailure | undefined {
  const j = jumpCheck(t, rule);
  if (j) return j;
  const c = t.chains.get(chain);
  const i = c === undefined ? -1 : c.rules.findIndex((e) => sameRule(e.rule, rule));
  if (c === undefined || i < 0) return errno('badRule');
  c.rules.splice(i, 1);
  return undefined;
}

export function deleteRuleNum(t: TableState, chain: string, rulenum: number): OpFailure | undefined {
  const c = t.chains.get(chain);
  if (c === undefined) return errno('noChain');
  if (rulenum > c.rules.length) return errno('deleteTooBig');
  c.rules.splice(rulenum - 1, 1);
  return undefined;
}

export function replaceRule(t: TableState, chain: string, rulenum: number, n: NewEntry, id: number): OpFailure | undefined {
  const j = jumpCheck(t, n.rule);
  if (j) return j;
  const c = t.chains.get(chain);
  if (c === undefined) return errno('noChain');
  if (rulenum > c.rules.length) return errno('replaceTooBig');
  c.rules[rulenum - 1] = entryOf(id, n);
  return undefined;
}

export function checkRule(t: TableState, chain: string, rule: Rule): OpFailure | undefined {
  const j = jumpCheck(t, rule);
  if (j) return j;
  const c = t.chains.get(chain);
  if (c === undefined || !c.rules.some((e) => sameRule(e.rule, rule))) return errno('badRule');
  return undefined;
}

export function addChain(t: TableState, name: string): OpFailure | undefined {
  if (t.chains.has(name)) return errno('chainExists');
  t.chains.set(name, newChain(name, false));
  return undefined;
}

function busy(c: ChainState): OpFailure {
  return { kind: 'kernel', op: 'CHAIN_DEL', errno: 'EBUSY', object: `chain ${c.name}` };
}

/** `-X [chain]`. A busy built-in chain is skipped silently unless it was named. */
export function deleteChain(t: TableState, name: string | undefined): OpFailure | undefined {
  const targets = name === undefined ? chainsInOrder(t) : [t.chains.get(name)];
  if (targets[0] === undefined) return errno('noChain');
  for (const c of targets) {
    if (c === undefined) continue;
    if (c.builtin) {
      const deletable = c.rules.length === 0 && c.policy === 'ACCEPT';
      if (!deletable && name !== undefined) return errno('builtinBusy');
      continue;
    }
    // NLM_F_NONREC: the kernel refuses a chain that still has rules or is jumped to.
    if (c.rules.length > 0) return busy(c);
  }
  for (const c of targets) {
    if (c === undefined || c.builtin) continue;
    const refsFromOthers = referenceCount(t, c.name);
    const deletedTogether = targets.filter((x) => x !== undefined && !x.builtin && x !== c);
    const refsFromSurvivors = refsFromOthers - deletedTogether.reduce((n, x) => n + countRefsIn(x!, c.name), 0);
    if (refsFromSurvivors > 0) return busy(c);
  }
  for (const c of targets) {
    if (c === undefined) continue;
    if (c.builtin) {
      if (c.rules.length === 0 && c.policy === 'ACCEPT') {
        // Deleting a base chain and listing it again gives a fresh one: zero counters.
        c.packets = 0;
        c.bytes = 0;
      }
      continue;
    }
    t.chains.delete(c.name);
  }
  return undefined;
}

function countRefsIn(c: ChainState, target: string): number {
  return c.rules.filter((e) => {
    const a = e.rule.action;
    return (a.kind === 'jump' || a.kind === 'goto') && a.chain === target;
  }).length;
}

/** `-E old new`: references follow the chain, as nf_tables rules point at the chain object. */
export function renameChain(t: TableState, oldName: string, newName: string): OpFailure | undefined {
  if (t.chains.has(newName)) return errno('renameExists');
  const c = t.chains.get(oldName);
  if (c === undefined) return errno('noChain');
  if (c.builtin) return { kind: 'kernel', op: 'CHAIN_RENAME', errno: 'EOPNOTSUPP', object: `chain ${newName}` };
  const renamed: ChainState = { ...c, name: newName };
  const entries = [...t.chains.entries()].map(([k, v]) => (k === oldName ? ([newName, renamed] as const) : ([k, v] as const)));
  t.chains.clear();
  for (const [k, v] of entries) t.chains.set(k, v);
  for (const ch of t.chains.values()) {
    ch.rules = ch.rules.map((e) => {
      const a = e.rule.action;
      if ((a.kind === 'jump' || a.kind === 'goto') && a.chain === oldName) {
        return { ...e, rule: { ...e.rule, action: { kind: a.kind, chain: newName } } };
      }
      return e;
    });
  }
  return undefined;
}

export function flushChain(t: TableState, name: string | undefined): OpFailure | undefined {
  if (name === undefined) {
    for (const c of t.chains.values()) c.rules = [];
    return undefined;
  }
  const c = t.chains.get(name);
  if (c === undefined) return errno('noChain');
  c.rules = [];
  return undefined;
}

export function zeroCounters(t: TableState, name: string | undefined, rulenum: number): OpFailure | undefined {
  const targets = name === undefined ? [...t.chains.values()] : [t.chains.get(name)];
  if (targets[0] === undefined) return errno('noChain');
  for (const c of targets) {
    if (c === undefined) continue;
    if (rulenum > 0) {
      // nft_rule_zero_counters returns success even when the rule does not exist.
      const e = c.rules[rulenum - 1];
      if (e) {
        e.packets = 0;
        e.bytes = 0;
      }
      continue;
    }
    c.packets = 0;
    c.bytes = 0;
    for (const e of c.rules) {
      e.packets = 0;
      e.bytes = 0;
    }
  }
  return undefined;
}

export function setPolicy(
  t: TableState,
  name: string,
  policy: string,
  counters?: { readonly packets: number; readonly bytes: number },
): OpFailure | undefined {
  if (policy !== 'ACCEPT' && policy !== 'DROP' && policy !== '-') return errno('badPolicy', true);
  const c = t.chains.get(name);
  if (c === undefined || !c.builtin) return errno('badBuiltinChain');
  if (policy !== '-') {
    c.policy = policy;
    c.policyCounted = true;
  }
  if (counters) {
    c.packets = counters.packets;
    c.bytes = counters.bytes;
  }
  return undefined;
}
