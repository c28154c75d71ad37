/**
 * Loading a scenario file for a command and running it with the CLI's services: a file that
 * cannot be read or does not validate is reported (every issue as `file:line:col: message`) with
 * exit code 2, and nothing runs.
 *
 * Models: design.md sections 6 (all issues at once) and 7 (exit codes).
 * Leaves out: reading scenarios from stdin.
 */
import { formatIssue, loadScenario, runScenario, type Lab, type RunResult, type Scenario } from '../scenario/index.js';
import { EXIT, type CliIo } from './io.js';

/** The validated scenario in `file`, or undefined after reporting why not (exit 2). */
export function loadFile(io: CliIo, file: string): Scenario | undefined {
  const text = io.readText(file);
  if (text === undefined) return undefined;
  const loaded = loadScenario(text, file);
  if (loaded.ok) return loaded.scenario;
  for (const issue of loaded.issues) io.err(`${formatIssue(issue)}\n`);
  const n = loaded.issues.length;
  io.err(`cnmsim: ${file} is not a valid scenario (${n} issue${n === 1 ? '' : 's'}); nothing was run\n`);
  io.exit(EXIT.invalid);
  return undefined;
}

export interface RunChoices {
  readonly seed?: number | undefined;
  readonly onLab?: (lab: Lab) => void;
  readonly expectations?: boolean;
}

/** Runs `scenario` with the CLI's machine services. */
export function runLoaded(io: CliIo, scenario: Scenario, choices: RunChoices = {}): RunResult {
  return runScenario(scenario, {
    services: io.services,
    ...(choices.seed === undefined ? {} : { seed: choices.seed }),
    ...(choices.onLab === undefined ? {} : { onLab: choices.onLab }),
    ...(choices.expectations === undefined ? {} : { expectations: choices.expectations }),
  });
}

/** The names a scenario knows, for "did you mean" lists: containers, hosts and externals. */
export function knownNames(run: RunResult): string[] {
  const names: string[] = [];
  for (const m of run.lab.dockerHosts) names.push(...(m.docker?.containerNames() ?? []));
  names.push(...run.lab.machines.keys());
  return names;
}
