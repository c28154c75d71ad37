/**
 * `cnmsim check FILE... [--junit PATH] [--twice] [--json] [--seed N]`: runs scenarios for their
 * expectations only: one verdict line per file, the failed expectations with the relevant part of
 * the trace; `--junit` also writes JUnit XML; `--twice` runs each scenario twice and fails it when
 * the two runs differ, naming the first differing trace record (engine `firstDifference`).
 *
 * Contract: design.md section 7. Exit 0 when every file holds, 1 when an expectation failed or a
 * run was not deterministic, 2 when a file or argument is invalid (the other files still run).
 * Leaves out: parallel runs (scenarios run one after another, in the order given).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { firstDifference } from '../engine/index.js';
import { recordLine, reportOk, type RunReport } from '../scenario/index.js';
import { colours, EXIT, systemMessage, type CliIo } from './io.js';
import { junitXml, type JunitCase, type JunitSuite } from './junit.js';
import { loadFile, runLoaded } from './scenario-file.js';
import { jsonOption, seedOption } from './usage.js';

interface CheckArgs {
  readonly files: string[];
  readonly junit?: string | undefined;
  readonly twice: boolean;
  readonly json: boolean;
  readonly seed?: number | undefined;
}

/** What happened to one file. */
type FileResult =
  | { readonly file: string; readonly valid: false; readonly issues: string[] }
  | { readonly file: string; readonly valid: true; readonly report: RunReport; readonly twice: TwiceResult | undefined };

interface TwiceResult {
  readonly digests: readonly [string, string];
  readonly same: boolean;
  /** The first differing record, in words. */
  readonly difference: string | undefined;
}

export function checkCommand(io: CliIo): CommandModule<object, CheckArgs> {
  return {
    command: 'check <files..>',
    describe: 'Run scenarios for their expectations only (exit 0 all hold, 1 one failed, 2 invalid input)',
    builder: (y: Argv) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Scenario YAML files' })
        .option('junit', { type: 'string', describe: 'Also write JUnit XML to PATH' })
        .option('twice', { type: 'boolean', default: false, describe: 'Run each scenario twice; fail when the two runs differ' })
        .option('json', jsonOption)
        .option('seed', seedOption) as unknown as Argv<CheckArgs>,
    handler: (args) => {
      const results = args.files.map((file) => checkFile(io, file, args));
      if (args.json) io.out(`${JSON.stringify(results.map(jsonOf), null, 2)}\n`);
      else for (const r of results) io.out(textOf(io, r));
      if (args.junit !== undefined) writeJunit(io, args.junit, results);
      for (const r of results) io.exit(!r.valid ? EXIT.invalid : reportOk(r.report) && (r.twice?.same ?? true) ? EXIT.ok : EXIT.failed);
    },
  };
}

function checkFile(io: CliIo, file: string, args: CheckArgs): FileResult {
  // Issues go to stderr (loadFile) and are kept for JSON and JUnit too.
  const issues: string[] = [];
  const scenario = loadFile(io, file, issues);
  if (scenario === undefined) return { file, valid: false, issues };
  const first = runLoaded(io, scenario, { seed: args.seed });
  if (!args.twice) return { file, valid: true, report: first.report, twice: undefined };
  const second = runLoaded(io, scenario, { seed: args.seed });
  const a = first.report.digest;
  const b = second.report.digest;
  let difference: string | undefined;
  if (a !== b) {
    const d = firstDifference(first.lab.world.trace.records, second.lab.world.trace.records);
    difference =
      d === undefined
        ? 'the trace records are the same, but the digests differ (truncated traces?)'
        : `first differing record at index ${d.index}:\n  run 1: ${d.a === undefined ? '(no record)' : recordLine(d.a)}\n  run 2: ${d.b === undefined ? '(no record)' : recordLine(d.b)}`;
  } else if (JSON.stringify(first.report) !== JSON.stringify(second.report)) {
    difference = 'the trace digests agree, but the step outputs or expectation messages differ';
  }
  return { file, valid: true, report: first.report, twice: { digests: [a, b], same: difference === undefined, difference } };
}

function textOf(io: CliIo, r: FileResult): string {
  const c = colours(io);
  if (!r.valid) return `${c.red('INVALID')} ${r.file}\n`;
  const failed = r.report.expectations.filter((e) => !e.ok);
  const nondeterministic = r.twice !== undefined && !r.twice.same;
  const ok = failed.length === 0 && !nondeterministic;
  const lines = [`${ok ? c.green('PASS') : c.red('FAIL')} ${r.file}: ${r.report.scenario} (${r.report.expectations.length - failed.length}/${r.report.expectations.length} expectations hold${r.twice === undefined ? '' : r.twice.same ? ', deterministic' : ''})`];
  for (const e of failed) {
    lines.push(`  ${c.red('FAIL')} ${e.message}`);
    if (e.detail !== undefined) for (const d of e.detail.split('\n')) lines.push(`       ${d}`);
  }
  if (nondeterministic) {
    lines.push(`  ${c.red('NOT DETERMINISTIC')} digests ${r.twice.digests[0].slice(0, 12)} and ${r.twice.digests[1].slice(0, 12)} differ`);
    for (const d of (r.twice.difference ?? '').split('\n')) lines.push(`    ${d}`);
  }
  return `${lines.join('\n')}\n`;
}

function jsonOf(r: FileResult): object {
  if (!r.valid) return { file: r.file, valid: false, issues: r.issues };
  const base = {
    file: r.file,
    valid: true,
    ok: reportOk(r.report) && (r.twice?.same ?? true),
    scenario: r.report.scenario,
    seed: r.report.seed,
    digest: r.report.digest,
    expectations: r.report.expectations.map((e) => ({ index: e.index, kind: e.kind, ok: e.ok, message: e.message })),
  };
  return r.twice === undefined ? base : { ...base, twice: { digests: r.twice.digests, same: r.twice.same, difference: r.twice.difference ?? null } };
}

function suiteOf(r: FileResult): JunitSuite {
  if (!r.valid) return { name: r.file, file: r.file, cases: [{ name: 'load', error: { message: `${r.file} is not a valid scenario`, text: r.issues.join('\n') } }] };
  const cases: JunitCase[] = r.report.expectations.map((e) => {
    const name = `${e.index + 1} ${e.kind}: ${e.message}`;
    return e.ok ? { name } : { name, failure: { message: e.message, text: e.detail ?? '' } };
  });
  if (r.twice !== undefined) {
    cases.push(r.twice.same ? { name: 'determinism' } : { name: 'determinism', failure: { message: 'two runs differ', text: r.twice.difference ?? '' } });
  }
  return { name: r.report.scenario, file: r.file, cases };
}

function writeJunit(io: CliIo, path: string, results: readonly FileResult[]): void {
  try {
    mkdirSync(dirname(io.path(path)), { recursive: true });
    writeFileSync(io.path(path), junitXml(results.map(suiteOf)));
  } catch (e) {
    io.invalid(`cannot write ${path}: ${systemMessage(e)}`);
  }
}
