/**
 * `iptables-restore [--noflush] [--test] [--counters] [-T table]`: load iptables-save text.
 *
 * Models: iptables/xtables-restore.c `xtables_restore_parse_line` with the nf_tables callbacks:
 * each `*table` section is one transaction committed at its `COMMIT` line (tables committed
 * before a failing section stay applied, as with the real tool); without --noflush the table is
 * deleted first, so chains not declared vanish; with --noflush a `:CHAIN` line flushes an
 * existing user chain; rule lines are iptables commands parsed at once (a parse error stops at
 * that line: "Error occurred at line: N"), then applied at COMMIT in order (a failure there is
 * "iptables-restore: line N failed" for the COMMIT line, or for a kernel refusal
 * "\nline N: RULE_APPEND failed (Invalid argument): rule in chain X" naming the rule's line).
 * Also `tokenize_rule_counters` (`[P:B] -A ...`) and "COMMIT expected at line N".
 * Leaves out: `-w`/`-W` (refused as in restore), `-M`, `--verbose` echo of comments.
 * Invariant: a section changes the ruleset only at its COMMIT, and only if everything in it
 * succeeded; `--test` never changes it.
 */
import { catchAbort, paramProblem, renderFailure, type XtFailure, type XtOutput } from './errors.js';
import { splitWords } from './getopt.js';
import { applyCommand, opOf, type IptablesContext } from './iptables-command.js';
import { validateTable } from './kernel-check.js';
import { parseCommand, XT_EXTENSION_MAXNAMELEN, type ParsedCommand } from './parse-command.js';
import type { Ruleset } from './ruleset.js';
import * as ops from './table-ops.js';
import { isBuiltinChain, isTableName, newTable, type TableName, type TableState } from './table.js';

type Queued =
  | { readonly kind: 'command'; readonly cmd: ParsedCommand; readonly line: number }
  | { readonly kind: 'policy'; readonly chain: string; readonly policy: string; readonly counters: { packets: number; bytes: number }; readonly line: number }
  | { readonly kind: 'chain'; readonly chain: string; readonly line: number };

interface Section {
  readonly table: TableName;
  readonly queue: Queued[];
}

interface RestoreFlags {
  counters: boolean;
  noflush: boolean;
  test: boolean;
  table: string | undefined;
}

const PROGRAM = 'iptables-restore';

function parseFlags(argv: readonly string[]): RestoreFlags | XtOutput {
  const f: RestoreFlags = { counters: false, noflush: false, test: false, table: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' || a === '--counters') f.counters = true;
    else if (a === '-n' || a === '--noflush') f.noflush = true;
    else if (a === '-t' || a === '--test') f.test = true;
    else if (a === '-v' || a === '--verbose') continue;
    else if (a === '-T' || a === '--table') f.table = argv[++i];
    else if (a === '-w' || a === '--wait' || a === '-W' || a === '--wait-interval') continue;
    else return { exitCode: 1, stdout: '', stderr: `${PROGRAM}: unrecognized option '${a}'\n` };
  }
  return f;
}

/** `tokenize_rule_counters`: strips a leading `[P:B]`. */
function splitCounters(text: string, line: number): { rest: string; counters?: { packets: number; bytes: number } } {
  if (!text.startsWith('[')) return { rest: text };
  const close = text.indexOf(']');
  if (close < 0) paramProblem(`Bad line ${line}: need ]`);
  const inner = text.slice(1, close);
  const colon = inner.indexOf(':');
  if (colon < 0) paramProblem(`Bad line ${line}: need :`);
  const num = (s: string) => {
    const m = /^\s*(\d+)/.exec(s);
    return m === null ? 0 : Number(m[1]);
  };
  return { rest: text.slice(close + 1), counters: { packets: num(inner.slice(0, colon)), bytes: num(inner.slice(colon + 1)) } };
}

/** Applies a section's queue to `t`; returns the failure and the line it is reported at. */
function applySection(t: TableState, s: Section, commitLine: number, newId: () => number): { failure: XtFailure; line: number } | undefined {
  for (const q of s.queue) {
    let failure: XtFailure | undefined;
    if (q.kind === 'policy') failure = ops.setPolicy(t, q.chain, q.policy, q.counters);
    else if (q.kind === 'chain') {
      failure = t.chains.has(q.chain) ? ops.flushChain(t, q.chain) : ops.addChain(t, q.chain);
    } else {
      const r = applyCommand(t, q.cmd, newId, q.line);
      failure = r.failure;
      if (failure?.kind === 'kernel') return { failure: { ...failure, line: q.line }, line: commitLine };
    }
    if (failure !== undefined) return { failure, line: commitLine };
  }
  const issue = validateTable(t);
  if (issue !== undefined) {
    const line = issue.entry.line ?? commitLine;
    const cmd = s.queue.find((q) => q.line === issue.entry.line);
    const op = cmd?.kind === 'command' ? opOf(cmd.cmd.command) : 'RULE_APPEND';
    return { failure: { kind: 'kernel', op, errno: issue.errno, object: `rule in chain ${issue.chain}`, line }, line };
  }
  return undefined;
}

/** `iptables-restore ARGS... < input`. */
export function runIptablesRestore(ruleset: Ruleset, input: string, argv: readonly string[] = [], ctx: IptablesContext = {}): XtOutput {
  const flags = parseFlags(argv);
  if (!('counters' in flags)) return flags;
  const lines = input.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let section: Section | undefined;
  let stdout = '';
  const fail = (failure: XtFailure, line?: number): XtOutput => ({ ...renderFailure(failure, PROGRAM, line), stdout });
  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    const text = lines[idx]!;
    if (text === '' || text.startsWith('#')) continue;
    if (section !== undefined && text.startsWith('COMMIT') && (text.length === 6 || /^\s*$/.test(text.slice(6)))) {
      const s = section;
      section = undefined;
      const working = flags.noflush ? ruleset.begin(s.table) : newTable(s.table);
      const err = applySection(working, s, lineNo, () => ruleset.newId());
      if (err !== undefined) return fail(err.failure, err.line);
      if (flags.test) continue;
      if (s.queue.length === 0 && !flags.noflush) ruleset.dropTable(s.table);
      else if (s.queue.length > 0) ruleset.install(working);
      continue;
    }
    if (section === undefined && text.startsWith('*')) {
      const name = text.slice(1).split(/[ \t]/).find((w) => w !== '');
      if (name === undefined) return fail({ kind: 'param', message: `${PROGRAM}: line ${lineNo} table name invalid\n` }, lineNo);
      if (!isTableName(name)) return fail({ kind: 'param', message: `${PROGRAM}: line ${lineNo} table name '${name}' invalid\n` }, lineNo);
      if (flags.table !== undefined && flags.table !== name) {
        while (idx + 1 < lines.length && !lines[idx + 1]!.startsWith('COMMIT')) idx++;
        idx++;
        continue;
      }
      section = { table: name, queue: [] };
      continue;
    }
    if (section !== undefined && text.startsWith(':')) {
      const words = text.slice(1).split(/[ \t]/).filter((w) => w !== '');
      const chain = words[0];
      if (chain === undefined) return fail({ kind: 'param', message: `${PROGRAM}: line ${lineNo} chain name invalid\n` }, lineNo);
      if (chain.length >= XT_EXTENSION_MAXNAMELEN) {
        return fail({ kind: 'param', message: `Invalid chain name \`${chain}' (${XT_EXTENSION_MAXNAMELEN - 1} chars max)` }, lineNo);
      }
      const policy = words[1];
      if (policy === undefined) return fail({ kind: 'param', message: `${PROGRAM}: line ${lineNo} policy invalid\n` }, lineNo);
      if (isBuiltinChain(section.table, chain)) {
        let counters = { packets: 0, bytes: 0 };
        if (flags.counters) {
          const m = /^\[(\d+):(\d+)\]$/.exec(words[2] ?? '');
          if (m === null) return fail({ kind: 'param', message: `invalid policy counters for chain '${chain}'\n` }, lineNo);
          counters = { packets: Number(m[1]), bytes: Number(m[2]) };
        }
        section.queue.push({ kind: 'policy', chain, policy, counters, line: lineNo });
      } else {
        section.queue.push({ kind: 'chain', chain, line: lineNo });
      }
      continue;
    }
    if (section === undefined) {
      if (flags.table !== undefined) continue;
      return fail({ kind: 'line-failed', line: lineNo });
    }
    const current = section;
    const parsed = catchAbort(() => {
      const { rest, counters } = splitCounters(text, lineNo);
      const words = ['-t', current.table, ...(flags.counters && counters ? ['--set-counters', `${counters.packets}`, `${counters.bytes}`] : []), ...splitWords(rest)];
      return parseCommand(words, { restore: true, program: PROGRAM });
    });
    if (!parsed.ok) return fail(parsed.failure, lineNo);
    const r = parsed.value;
    if (!r.ok) return fail(r.failure, lineNo);
    if (r.value.kind === 'skip') continue;
    if (r.value.kind === 'exit') {
      stdout += r.value.stdout;
      continue;
    }
    const cmd = r.value.command;
    if (ctx.ipsetExists !== undefined) {
      const missing = cmd.rules.flatMap((rule) => rule.matches).find((m) => m.kind === 'set' && !ctx.ipsetExists!(m.name));
      if (missing?.kind === 'set') return fail({ kind: 'param', message: `Set ${missing.name} doesn't exist.\n` }, lineNo);
    }
    section.queue.push({ kind: 'command', cmd, line: lineNo });
  }
  if (section !== undefined) {
    return fail({ kind: 'raw', exitCode: 1, text: `${PROGRAM}: COMMIT expected at line ${lines.length + 1}\n` });
  }
  return { exitCode: 0, stdout, stderr: '' };
}
