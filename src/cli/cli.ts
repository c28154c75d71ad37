/**
 * The `cnmsim` command line (yargs 18), runnable in-process: `runCli(argv)` parses, runs one
 * command and returns its exit code, stdout and stderr, so tests need no child processes and
 * `main.ts` only connects it to the real process.
 *
 * Contract: design.md section 7. Exit codes 0 (all expectations hold), 1 (an expectation
 * failed), 2 (invalid input: the usage and a one-line reason for bad arguments; every issue as
 * `file:line:col: message` for a bad file), 70 (an internal error: one line, never a stack
 * trace). Output is deterministic: no host time, a fixed help width, colours only on a terminal.
 * Leaves out: shell completion, a config file.
 */
import yargs from 'yargs';
import { defaultServices } from '../scenario/index.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { diffCommand } from './diff.js';
import { inspectCommand } from './inspect.js';
import { CliIo, EXIT, type CliOptions, type CliResult } from './io.js';
import { listCommand } from './list.js';
import { pcapCommand } from './pcap.js';
import { bundledScenarios } from './paths.js';
import { runCommand } from './run.js';
import { traceCommand } from './trace.js';
import { UsageError } from './usage.js';

/** Runs `cnmsim ARGV...` and returns what it printed and its exit code. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const io = new CliIo(options.color ?? false, options.cwd ?? process.cwd(), options.services ?? defaultServices, options.scenariosDir ?? bundledScenarios());
  let help = '';
  const parser = yargs()
    .scriptName('cnmsim')
    .usage('$0 <command> [options]\n\nA deterministic simulator of Docker container networking.')
    .command(runCommand(io))
    .command(checkCommand(io))
    .command(traceCommand(io))
    .command(pcapCommand(io))
    .command(inspectCommand(io))
    .command(listCommand(io))
    .command(demoCommand(io))
    .command(diffCommand(io))
    .demandCommand(1, 'Name a command (see --help).')
    .strict()
    .wrap(100)
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined, y) => {
      y.showHelp((text: string) => {
        help = text;
      });
      if (error !== undefined && error !== null && !isUsageError(error)) throw error;
      throw new UsageError(message ?? error?.message ?? 'invalid arguments');
    })
    .help()
    .version(false);
  try {
    await parser.parseAsync([...argv], {}, (_error: unknown, _argv: unknown, output: string) => {
      if (output !== '') io.out(output.endsWith('\n') ? output : `${output}\n`);
    });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${help}\n\ncnmsim: ${oneLine(e.message)}\n`);
      io.exit(EXIT.invalid);
    } else {
      io.err(`cnmsim: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
      io.exit(EXIT.internal);
    }
  }
  return io.result();
}

/** yargs reports its own validation failures (and errors thrown by `coerce`) as `YError`. */
function isUsageError(e: Error): boolean {
  return e instanceof UsageError || e.name === 'YError';
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join(' ');
}
