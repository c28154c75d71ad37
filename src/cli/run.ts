/**
 * `cnmsim run FILE [--seed N] [--json] [--depth learner|operator|kernel]`: runs a scenario and
 * prints the session transcript (each step with its output, then the expectations), or with
 * `--json` one JSON report; with `--depth`, also the teaching trace of each `trace:` expectation.
 *
 * Contract: design.md section 7. The JSON report is exactly
 * `{scenario, seed, digest, steps: [{index, kind, target, command, exitCode, stdout, stderr}],
 * expectations: [{index, kind, ok, message}]}`. Exit 0 when every expectation holds, 1 when one
 * fails, 2 for a bad file or argument.
 * Leaves out: nothing of the contract.
 */
import type { Argv, CommandModule } from 'yargs';
import { reportOk, transcript, type RunReport, type Scenario } from '../scenario/index.js';
import { colours, EXIT, traceStyle, type CliIo } from './io.js';
import { traceProbe } from './probe-trace.js';
import { loadFile, runLoaded } from './scenario-file.js';
import { depthOf, depthOption, jsonOption, seedOption } from './usage.js';

interface RunArgs {
  readonly file: string;
  readonly seed?: number | undefined;
  readonly json: boolean;
  readonly depth?: string | undefined;
}

/** The report in the contract's shape and key order (the transcript keeps the details). */
export function jsonReport(report: RunReport): object {
  return {
    scenario: report.scenario,
    seed: report.seed,
    digest: report.digest,
    steps: report.steps.map((s) => ({ index: s.index, kind: s.kind, target: s.target, command: s.command, exitCode: s.exitCode, stdout: s.stdout, stderr: s.stderr })),
    expectations: report.expectations.map((e) => ({ index: e.index, kind: e.kind, ok: e.ok, message: e.message })),
  };
}

/** The transcript with prompts bold, results green or red (plain text without colours). */
export function paintTranscript(io: CliIo, text: string): string {
  if (!io.color) return text;
  const c = colours(io);
  return text
    .split('\n')
    .map((line) => {
      if (/^\S+\$ /.test(line) || line.startsWith('# ')) return c.bold(line);
      if (line.startsWith('  ok ')) return c.green(line);
      if (line.startsWith('  FAIL') || /^\[exit \d+\]$/.test(line)) return c.red(line);
      if (line.startsWith('digest ')) return c.dim(line);
      return line;
    })
    .join('\n');
}

export function runCommand(io: CliIo): CommandModule<object, RunArgs> {
  return {
    command: 'run <file>',
    describe: 'Run a scenario and print the session transcript (or a JSON report)',
    builder: (y: Argv) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
        .option('seed', seedOption)
        .option('json', jsonOption)
        .option('depth', depthOption) as unknown as Argv<RunArgs>,
    handler: (args) => {
      const scenario = loadFile(io, args.file);
      if (scenario === undefined) return;
      const run = runLoaded(io, scenario, { seed: args.seed });
      if (args.json) io.out(`${JSON.stringify(jsonReport(run.report), null, 2)}\n`);
      else io.out(paintTranscript(io, transcript(run.report)));
      if (args.depth !== undefined && !args.json) io.out(expectationTraces(io, scenario, run, depthOf(args.depth, 'learner')));
      io.exit(reportOk(run.report) ? EXIT.ok : EXIT.failed);
    },
  };
}

/** The teaching trace of every `trace:` expectation, walked again after the run. */
function expectationTraces(io: CliIo, scenario: Scenario, run: Parameters<typeof traceProbe>[0], depth: ReturnType<typeof depthOf>): string {
  const parts: string[] = [];
  for (const e of scenario.expect) {
    if (!('trace' in e)) continue;
    const t = e.trace;
    const result = traceProbe(run, { from: t.from, to: t.to, port: t.port, proto: t.proto }, depth, traceStyle(io));
    parts.push(typeof result === 'string' ? `trace ${t.from} → ${t.to}: ${result}\n` : result.text);
  }
  return parts.length === 0 ? '' : `\nTraces (${depth}):\n\n${parts.join('\n')}`;
}
