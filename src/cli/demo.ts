/**
 * `cnmsim demo`: the flagship walk-through, with no arguments. Runs the bundled
 * `scenarios/flagship.yaml`, prints its session transcript, then the learner-depth teaching
 * trace of one packet: the scenario's first `trace:` expectation that expects delivery (else its
 * first `trace:`, else c1 → web:80).
 *
 * Models: what a first-time user should see in one screenful: containers on a user-defined
 * bridge, a published port, and how one packet finds its way.
 * Leaves out: choosing a scenario (`run`, `trace` take any file).
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { reportOk, transcript } from '../scenario/index.js';
import { EXIT, traceStyle, type CliIo } from './io.js';
import { traceProbe, type ProbeRequest } from './probe-trace.js';
import { paintTranscript } from './run.js';
import { loadFile, runLoaded } from './scenario-file.js';

export const FLAGSHIP = 'flagship.yaml';

export function demoCommand(io: CliIo): CommandModule<object, object> {
  return {
    command: 'demo',
    describe: 'Run the flagship walk-through (scenarios/flagship.yaml) and trace one packet',
    builder: (y: Argv) => y,
    handler: () => {
      const scenario = loadFile(io, join(io.scenariosDir, FLAGSHIP));
      if (scenario === undefined) return;
      const run = runLoaded(io, scenario);
      io.out(paintTranscript(io, transcript(run.report)));
      const traces = scenario.expect.flatMap((e) => ('trace' in e ? [e.trace] : []));
      const chosen = traces.find((t) => t.verdict === 'delivered') ?? traces[0];
      const req: ProbeRequest = chosen === undefined ? { from: 'c1', to: 'web', port: 80 } : { from: chosen.from, to: chosen.to, port: chosen.port, proto: chosen.proto };
      const result = traceProbe(run, req, 'learner', traceStyle(io));
      io.out('\nOne packet, step by step (cnmsim trace --depth learner):\n\n');
      io.out(typeof result === 'string' ? `cannot trace: ${result}\n` : result.text);
      io.exit(reportOk(run.report) ? EXIT.ok : EXIT.failed);
    },
  };
}
