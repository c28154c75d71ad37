/**
 * `cnmsim trace FILE --from A --to B[:PORT] [--port N] [--proto tcp|udp|icmp]
 * [--depth learner|operator|kernel] [--json] [--seed N]`: runs the scenario's steps, then walks
 * one probe packet (and its reply) from A to B and prints the teaching trace; `--json` prints the
 * raw trace records of both walks instead.
 *
 * Contract: design.md section 7. Exit 0 when the walk could be made (whatever its verdict), 2
 * for a bad file or argument (an unknown `--from` or `--to` name included).
 * Leaves out: the scenario's expectations (use `run` or `check`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { ProbeProto } from '../scenario/index.js';
import { EXIT, traceStyle, type CliIo } from './io.js';
import { traceProbe } from './probe-trace.js';
import { loadFile, runLoaded } from './scenario-file.js';
import { depthOf, depthOption, jsonOption, seedOption, UsageError } from './usage.js';

interface TraceArgs {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly port?: number | undefined;
  readonly proto?: ProbeProto | undefined;
  readonly depth?: string | undefined;
  readonly json: boolean;
  readonly seed?: number | undefined;
}

export function traceCommand(io: CliIo): CommandModule<object, TraceArgs> {
  return {
    command: 'trace <file>',
    describe: 'Run the steps, then walk one packet and its reply and print the teaching trace',
    builder: (y: Argv) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
        .option('from', { type: 'string', demandOption: true, describe: 'Source: a container, host or external' })
        .option('to', { type: 'string', demandOption: true, describe: 'Target: a name or address, optionally NAME:PORT' })
        .option('port', { type: 'number', describe: 'Target port (tcp or udp)' })
        .option('proto', { choices: ['tcp', 'udp', 'icmp'] as const, describe: 'Default icmp without a port, tcp with one' })
        .option('depth', { ...depthOption, default: 'learner' })
        .option('json', { ...jsonOption, describe: 'Print the raw trace records of the walk' })
        .option('seed', seedOption)
        .check((a) => {
          const port = a['port'] as number | undefined;
          if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`--port expects 1 to 65535, got ${String(port)}`);
          return true;
        }) as unknown as Argv<TraceArgs>,
    handler: (args) => {
      const scenario = loadFile(io, args.file);
      if (scenario === undefined) return;
      const run = runLoaded(io, scenario, { seed: args.seed, expectations: false });
      const result = traceProbe(run, { from: args.from, to: args.to, port: args.port, proto: args.proto }, depthOf(args.depth, 'learner'), traceStyle(io, args.json));
      if (typeof result === 'string') {
        io.invalid(result);
        return;
      }
      if (args.json) {
        const dump = {
          scenario: run.report.scenario,
          seed: run.report.seed,
          from: args.from,
          to: args.to,
          proto: result.proto,
          port: result.port ?? null,
          probe: { command: result.argv.join(' '), exitCode: result.exitCode, output: result.output },
          packetId: result.packetId ?? null,
          replyId: result.replyId ?? null,
          verdict: result.verdict,
          records: result.records,
        };
        io.out(`${JSON.stringify(dump, null, 2)}\n`);
      } else {
        io.out(result.text);
      }
      io.exit(EXIT.ok);
    },
  };
}
