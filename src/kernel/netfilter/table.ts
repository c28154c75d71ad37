/**
 * Tables and chains as state: built-in chains per table, policies, user chains, rules with their
 * packet and byte counters.
 *
 * Models: the x_tables tables of net/ipv4/netfilter/iptable_{raw,mangle,nat,filter,security}.c
 * (which hooks each table registers) as iptables-nft 1.8.9 presents them: iptables/nft.c
 * `xtables_ipv4[]` (the built-in chains) and nft.h `enum nft_table_type` (the order
 * iptables-save walks tables: mangle, security, raw, filter, nat). A table exists once a command
 * created it (nf_tables creates tables lazily, so a fresh namespace's `iptables-save` prints
 * nothing); every built-in chain of an existing table is shown, with policy ACCEPT if never set
 * (`nft_xt_fake_builtin_chains`). Listing order: built-in chains by hook number, then user chains
 * sorted by name byte-wise (`nft_cache_sort_chains`).
 *
 *   TableState ── chains: Map ──> ChainState { builtin, policy, counters, rules: RuleEntry[] }
 *                                                          RuleEntry { id, rule, packets, bytes }
 *
 * Leaves out: the security table's SELinux targets; tables of other families.
 * Invariants: built-in chains are always present in a TableState; entry ids are unique within a
 * ruleset and survive rule moves (insert above), so counter updates find their rule.
 */
import type { TableName } from './ext-def.js';
import type { NfHookName } from './packet-view.js';
import type { Rule } from './rule.js';

export type { TableName } from './ext-def.js';

/** Save and listing order of tables (`enum nft_table_type`). */
export const TABLE_ORDER: readonly TableName[] = ['mangle', 'security', 'raw', 'filter', 'nat'];

/** Built-in chains of each table, in hook-number order. */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly NfHookName[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export function isTableName(name: string): name is TableName {
  return (TABLE_ORDER as readonly string[]).includes(name);
}

export function isBuiltinChain(table: TableName, chain: string): chain is NfHookName {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

export type Policy = 'ACCEPT' | 'DROP';

export interface RuleEntry {
  readonly id: number;
  readonly rule: Rule;
  packets: number;
  bytes: number;
  /** `-m statistic --mode nth` counters, by match index. */
  nth: Map<number, number>;
  /** iptables-restore input line that added the rule (for error messages). */
  line?: number | undefined;
}

export interface ChainState {
  readonly name: string;
  readonly builtin: boolean;
  policy: Policy;
  /**
   * iptables-nft attaches a counter to a base chain's policy only once the policy is set
   * explicitly (`iptables -P`, or a `:CHAIN POLICY [p:b]` line of iptables-restore); before that
   * traffic ending on the policy is not counted (seen on the reference kernel, test/differential).
   */
  policyCounted?: boolean;
  /** Policy counters (built-in chains). */
  packets: number;
  bytes: number;
  rules: RuleEntry[];
}

export interface TableState {
  readonly name: TableName;
  readonly chains: Map<string, ChainState>;
}

export function newChain(name: string, builtin: boolean): ChainState {
  return { name, builtin, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [] };
}

export function newTable(name: TableName): TableState {
  const chains = new Map<string, ChainState>();
  for (const c of BUILTIN_CHAINS[name]) chains.set(c, newChain(c, true));
  return { name, chains };
}

/** A deep copy for a transaction: changes to the copy leave the original untouched. */
export function cloneTable(t: TableState): TableState {
  const chains = new Map<string, ChainState>();
  for (const [name, c] of t.chains) {
    chains.set(name, {
      ...c,
      rules: c.rules.map((e) => ({ ...e, nth: new Map(e.nth) })),
    });
  }
  return { name: t.name, chains };
}

/** strcmp order, which is what nft_cache_sort_chains uses. */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Built-in chains in hook order, then user chains sorted by name. */
export function chainsInOrder(t: TableState): ChainState[] {
  const builtins = BUILTIN_CHAINS[t.name].map((n) => t.chains.get(n)!);
  const users = [...t.chains.values()].filter((c) => !c.builtin).sort((a, b) => byteCompare(a.name, b.name));
  return [...builtins, ...users];
}

/** Number of rules in the table that jump or go to `chain` (`(N references)` of `iptables -L`). */
export function referenceCount(t: TableState, chain: string): number {
  let n = 0;
  for (const c of t.chains.values()) {
    for (const e of c.rules) {
      const a = e.rule.action;
      if ((a.kind === 'jump' || a.kind === 'goto') && a.chain === chain) n++;
    }
  }
  return n;
}
