/**
 * `iptables ...` as a pure function of a ruleset: parse, apply as one transaction, print.
 *
 * Models: iptables/xtables-standalone.c `xtables_main` and xtables.c `do_commandx` (unknown
 * table: "table 'x' does not exist" with exit 3; one nf_tables batch per invocation, so a rule
 * that expands to several (`-s a,b`) is added all or nothing; errno failures print
 * `iptables: <text>.` and exit 1; kernel refusals exit 4), `list_entries` / `list_rules`, and the
 * `-v` messages of flush, zero and delete-chain.
 *
 *   runIptables(ruleset, ['-t','nat','-A','DOCKER','!','-i','docker0',...], ctx)
 *     -> { exitCode: 0, stdout: '', stderr: '' }   and the nat table now holds the rule
 *
 * The same `applyCommand` runs each line of iptables-restore on its working copy.
 * Leaves out: the rule echo of `-v` on -A/-I/-D/-R/-C; `-h` beyond the usage lines.
 * Invariant: the ruleset changes only when the whole command succeeds.
 */
import { renderFailure, type NftOp, type XtFailure, type XtOutput } from './errors.js';
import { listRules, listTable } from './list-format.js';
import { parseCommand, type ParsedCommand } from './parse-command.js';
import { CMD } from './command-table.js';
import type { Ruleset } from './ruleset.js';
import * as ops from './table-ops.js';
import { chainsInOrder, isTableName, type TableState } from './table.js';

export interface IptablesContext {
  /** When given, `-m set --match-set NAME` requires the set to exist (as the kernel does). */
  readonly ipsetExists?: (name: string) => boolean;
  /** ctime text for iptables-save's comment lines, e.g. `Sun Nov 22 13:37:49 2026`. */
  readonly date?: string;
}

export interface ApplyResult {
  readonly failure?: XtFailure | undefined;
  readonly stdout: string;
  /** The command changed the table (a commit is needed). */
  readonly changes: boolean;
  /** The command creates the table if it did not exist. */
  readonly creates: boolean;
}

/** The nf_tables batch object a failing rule command is reported as. */
export function opOf(command: number): NftOp {
  if (command & CMD.INSERT) return 'RULE_INSERT';
  if (command & CMD.REPLACE) return 'RULE_REPLACE';
  if (command & (CMD.DELETE | CMD.DELETE_NUM)) return 'RULE_DELETE';
  if (command & CMD.DELETE_CHAIN) return 'CHAIN_DEL';
  if (command & CMD.RENAME_CHAIN) return 'CHAIN_RENAME';
  if (command & CMD.NEW_CHAIN) return 'CHAIN_USER_ADD';
  return 'RULE_APPEND';
}

function setCheck(cmd: ParsedCommand, ctx: IptablesContext): XtFailure | undefined {
  if (ctx.ipsetExists === undefined) return undefined;
  for (const r of cmd.rules) {
    for (const m of r.matches) {
      if (m.kind === 'set' && !ctx.ipsetExists(m.name)) return { kind: 'param', message: `Set ${m.name} doesn't exist.\n` };
    }
  }
  return undefined;
}

/**
 * Applies a parsed command to a working table `t`. `newId` numbers new rule entries; `line` is
 * the iptables-restore input line, kept on new entries for later error messages.
 */
export function applyCommand(t: TableState, cmd: ParsedCommand, newId: () => number, line?: number): ApplyResult {
  const chain = cmd.chain ?? '';
  const counters = cmd.counters ?? {};
  let failure: XtFailure | undefined;
  let stdout = '';
  const verbose = cmd.verbose > 0;
  const eachRule = (f: (r: ParsedCommand['rules'][number]) => XtFailure | undefined) => {
    for (const r of cmd.rules) {
      failure = f(r);
      if (failure) return;
    }
  };
  const c = cmd.command;
  if (c === CMD.APPEND) eachRule((rule) => ops.appendRule(t, chain, { rule, ...counters, line }, newId()));
  else if (c === CMD.INSERT) eachRule((rule) => ops.insertRule(t, chain, cmd.rulenum, { rule, ...counters, line }, newId()));
  else if (c === CMD.REPLACE) eachRule((rule) => ops.replaceRule(t, chain, cmd.rulenum, { rule, ...counters, line }, newId()));
  else if (c === CMD.DELETE) eachRule((rule) => ops.deleteRule(t, chain, rule));
  else if (c === CMD.DELETE_NUM) failure = ops.deleteRuleNum(t, chain, cmd.rulenum);
  else if (c === CMD.CHECK) eachRule((rule) => ops.checkRule(t, chain, rule));
  else if (c === CMD.NEW_CHAIN) failure = ops.addChain(t, chain);
  else if (c === CMD.RENAME_CHAIN) failure = ops.renameChain(t, chain, cmd.newName ?? '');
  else if (c === CMD.SET_POLICY) failure = ops.setPolicy(t, chain, cmd.policy ?? '', cmd.counters);
  else if (c === CMD.FLUSH) {
    if (verbose) for (const ch of cmd.chain === undefined ? chainsInOrder(t) : [t.chains.get(chain)]) if (ch) stdout += `Flushing chain \`${ch.name}'\n`;
    failure = ops.flushChain(t, cmd.chain);
  } else if (c === CMD.DELETE_CHAIN) {
    if (verbose) for (const ch of chainsInOrder(t)) if (!ch.builtin && (cmd.chain === undefined || ch.name === chain)) stdout += `Deleting chain \`${ch.name}'\n`;
    failure = ops.deleteChain(t, cmd.chain);
  } else if (c & (CMD.LIST | CMD.LIST_RULES)) {
    const text =
      c & CMD.LIST
        ? listTable(t, cmd.chain, cmd.rulenum, { numeric: cmd.numeric, verbose, exact: cmd.exact, lineNumbers: cmd.lineNumbers })
        : listRules(t, cmd.chain, cmd.rulenum, verbose);
    if (text === undefined) failure = { kind: 'errno', key: 'noChain', einval: false };
    else stdout += text;
  }
  if (failure === undefined && c & (CMD.ZERO | CMD.ZERO_NUM)) {
    if (verbose && c & CMD.ZERO) for (const ch of cmd.chain === undefined ? chainsInOrder(t) : [t.chains.get(chain)]) if (ch) stdout += `Zeroing chain \`${ch.name}'\n`;
    failure = ops.zeroCounters(t, cmd.chain, c & CMD.ZERO_NUM ? cmd.rulenum : 0);
  }
  const readOnly = CMD.CHECK | CMD.LIST | CMD.LIST_RULES;
  const creates =
    (c & (CMD.APPEND | CMD.INSERT | CMD.REPLACE | CMD.NEW_CHAIN | CMD.SET_POLICY)) !== 0 || (c === CMD.FLUSH && cmd.chain !== undefined);
  return { failure, stdout, changes: (c & ~readOnly) !== 0 || (c & (CMD.ZERO | CMD.ZERO_NUM)) !== 0, creates };
}

/** `iptables ARGS...`: the ruleset is changed only on success. */
export function runIptables(ruleset: Ruleset, argv: readonly string[], ctx: IptablesContext = {}): XtOutput {
  const parsed = parseCommand(argv, { program: 'iptables' });
  if (!parsed.ok) return renderFailure(parsed.failure, 'iptables');
  const outcome = parsed.value;
  if (outcome.kind === 'exit') return { exitCode: 0, stdout: outcome.stdout, stderr: '' };
  if (outcome.kind === 'skip') return { exitCode: 0, stdout: '', stderr: '' };
  const cmd = outcome.command;
  if (!isTableName(cmd.table)) return renderFailure({ kind: 'version', message: `table '${cmd.table}' does not exist` }, 'iptables');
  const setFailure = setCheck(cmd, ctx);
  if (setFailure) return renderFailure(setFailure, 'iptables');
  const existed = ruleset.table(cmd.table) !== undefined;
  const working = ruleset.begin(cmd.table);
  const result = applyCommand(working, cmd, () => ruleset.newId());
  if (result.failure) return { ...renderFailure(result.failure, 'iptables'), stdout: result.stdout };
  if (result.changes && (existed || result.creates)) {
    const committed = ruleset.commit(working, opOf(cmd.command), cmd.chain ?? '');
    if (!committed.ok) return { ...renderFailure(committed.failure, 'iptables'), stdout: result.stdout };
  }
  return { exitCode: 0, stdout: result.stdout, stderr: '' };
}
