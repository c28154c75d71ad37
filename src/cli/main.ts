/**
 * The `cnmsim` command's entry point (yargs). Each subcommand lives in its own file.
 *
 * Contract: design.md section 7 (exit codes 0 all expectations hold, 1 an expectation failed,
 * 2 invalid input; deterministic output; colours only on a terminal, never with --json).
 * Leaves out: nothing of the contract; subcommands say in their help what they cover.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { demoCommand } from './demo.js';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('cnmsim')
    .usage('$0 <command> [options]\n\nA deterministic simulator of Docker container networking.')
    .command(demoCommand)
    .demandCommand(1, 'Name a command (see --help).')
    .strict()
    .fail((message, error, y) => {
      if (error !== undefined && error !== null) {
        process.stderr.write(`cnmsim: internal error: ${error.message}\n`);
        process.exit(70);
      }
      process.stderr.write(`${y.help()}\n\ncnmsim: ${message}\n`);
      process.exit(2);
    })
    .help()
    .version(false)
    .parseAsync();
}

await main();
