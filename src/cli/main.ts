/**
 * The `cnmsim` command's entry point: runs the command line (cli.ts, where every subcommand is
 * registered, one file each) against this process: its arguments, its terminal, its exit code.
 *
 * Contract: design.md section 7 (exit codes 0 all expectations hold, 1 an expectation failed,
 * 2 invalid input; deterministic output; colours only on a terminal, never with --json).
 * Leaves out: nothing of the contract; subcommands say in their help what they cover.
 */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';

async function main(): Promise<void> {
  const result = await runCli(hideBin(process.argv), { color: process.stdout.isTTY === true });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

await main();
