/**
 * The iptables state of one network namespace: its tables, and atomic changes to them.
 *
 * Models: the per-netns x_tables / nf_tables state (`net->xt` / `net->nft`) as iptables sees it.
 * Every change is a transaction on a copy of one table: the operation runs, the kernel checks
 * run (kernel-check.ts), and only then does the copy replace the table, the way an nf_tables
 * batch commits all or nothing. iptables-restore uses the same copies, one per `*table` section.
 *
 * Options: `countPolicy` makes traffic that ends on any built-in policy add to that chain's
 * counters. By default, as iptables-nft 1.8.9 does, a policy counts only once it was set
 * explicitly (`-P`, or a chain line of iptables-restore); see `ChainState.policyCounted`.
 * Leaves out: IPv6 (ip6tables), arptables, ebtables.
 * Invariant: tables in `tables` always hold every built-in chain; ids only grow.
 */
import { validateTable } from './kernel-check.js';
import type { XtFailure, NftOp } from './errors.js';
import type { Rule } from './rule.js';
import * as ops from './table-ops.js';
import { cloneTable, newTable, TABLE_ORDER, type Policy, type TableName, type TableState } from './table.js';

export interface RulesetOptions {
  readonly countPolicy?: boolean;
}

export type OpResult = { readonly ok: true } | { readonly ok: false; readonly failure: XtFailure };

const OK: OpResult = { ok: true };

export class Ruleset {
  private readonly tables = new Map<TableName, TableState>();
  private nextId = 1;

  constructor(readonly options: RulesetOptions = {}) {}

  /** A fresh, unique rule entry id. */
  newId(): number {
    return this.nextId++;
  }

  /** The table if it exists. */
  table(name: TableName): TableState | undefined {
    return this.tables.get(name);
  }

  /** The table, or an empty one (all built-in chains, ACCEPT) that is not stored. */
  view(name: TableName): TableState {
    return this.tables.get(name) ?? newTable(name);
  }

  /** Existing tables in iptables-save order. */
  tableNames(): TableName[] {
    return TABLE_ORDER.filter((t) => this.tables.has(t));
  }

  /** A working copy for a transaction; `create` starts from an empty table when it is missing. */
  begin(name: TableName): TableState {
    const t = this.tables.get(name);
    return t === undefined ? newTable(name) : cloneTable(t);
  }

  /** Installs a working copy after the kernel checks; `op`/`chain` name the refused object. */
  commit(working: TableState, op: NftOp, chain: string): OpResult {
    const issue = validateTable(working);
    if (issue !== undefined) {
      return { ok: false, failure: { kind: 'kernel', op, errno: issue.errno, object: `rule in chain ${chain}` } };
    }
    this.tables.set(working.name, working);
    return OK;
  }

  /** Installs without checks (the caller validated, e.g. iptables-restore reporting per line). */
  install(working: TableState): void {
    this.tables.set(working.name, working);
  }

  /** Drops a table entirely (iptables-restore without --noflush, before refilling it). */
  dropTable(name: TableName): void {
    this.tables.delete(name);
  }

  private run(name: TableName, create: boolean, op: NftOp, chain: string, f: (t: TableState) => XtFailure | undefined): OpResult {
    const existed = this.tables.has(name);
    const working = this.begin(name);
    const failure = f(working);
    if (failure !== undefined) return { ok: false, failure };
    if (!existed && !create) return OK;
    return this.commit(working, op, chain);
  }

  append(table: TableName, chain: string, rule: Rule, counters?: { packets: number; bytes: number }): OpResult {
    return this.run(table, true, 'RULE_APPEND', chain, (t) => ops.appendRule(t, chain, { rule, ...counters }, this.newId()));
  }

  insert(table: TableName, chain: string, rulenum: number, rule: Rule, counters?: { packets: number; bytes: number }): OpResult {
    return this.run(table, true, 'RULE_INSERT', chain, (t) => ops.insertRule(t, chain, rulenum, { rule, ...counters }, this.newId()));
  }

  replace(table: TableName, chain: string, rulenum: number, rule: Rule, counters?: { packets: number; bytes: number }): OpResult {
    return this.run(table, true, 'RULE_REPLACE', chain, (t) => ops.replaceRule(t, chain, rulenum, { rule, ...counters }, this.newId()));
  }

  deleteRule(table: TableName, chain: string, rule: Rule): OpResult {
    return this.run(table, false, 'RULE_DELETE', chain, (t) => ops.deleteRule(t, chain, rule));
  }

  deleteRuleNum(table: TableName, chain: string, rulenum: number): OpResult {
    return this.run(table, false, 'RULE_DELETE', chain, (t) => ops.deleteRuleNum(t, chain, rulenum));
  }

  check(table: TableName, chain: string, rule: Rule): OpResult {
    const failure = ops.checkRule(this.view(table), chain, rule);
    return failure === undefined ? OK : { ok: false, failure };
  }

  newChain(table: TableName, chain: string): OpResult {
    return this.run(table, true, 'CHAIN_USER_ADD', chain, (t) => ops.addChain(t, chain));
  }

  deleteChain(table: TableName, chain?: string): OpResult {
    return this.run(table, false, 'CHAIN_DEL', chain ?? '', (t) => ops.deleteChain(t, chain));
  }

  renameChain(table: TableName, oldName: string, newName: string): OpResult {
    return this.run(table, false, 'CHAIN_RENAME', oldName, (t) => ops.renameChain(t, oldName, newName));
  }

  /** `-F [chain]`: naming a chain creates the table, as nft_xt_builtin_init does. */
  flush(table: TableName, chain?: string): OpResult {
    return this.run(table, chain !== undefined, 'RULE_DELETE', chain ?? '', (t) => ops.flushChain(t, chain));
  }

  zero(table: TableName, chain?: string, rulenum = 0): OpResult {
    return this.run(table, false, 'RULE_REPLACE', chain ?? '', (t) => ops.zeroCounters(t, chain, rulenum));
  }

  setPolicy(table: TableName, chain: string, policy: Policy | string, counters?: { packets: number; bytes: number }): OpResult {
    return this.run(table, true, 'RULE_APPEND', chain, (t) => ops.setPolicy(t, chain, policy, counters));
  }
}
