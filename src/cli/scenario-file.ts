/**
 * Loading a scenario file for a command and running it with the CLI's services: a file that
 * cannot be read or does not validate is reported (every issue as `file:line:col: message`) with
 * exit code 2, and nothing runs.
 *
 * Models: design.md sections 6 (all issues at once) and 7 (exit codes).
 * Leaves out: reading scenarios from stdin.
 */
import { formatIssue, loadScenario, runScenario, type Lab, type RunResult, type Scenario } from '../scenario/index.js';
import { readFileSync } from 'node:fs';
import { EXIT, systemMessage, type CliIo } from './io.js';

/**
 * The validated scenario in `file`, or undefined after reporting why not on stderr (exit 2);
 * the lines reported are also appended to `problems` when given.
 */
export function loadFile(io: CliIo, file: string, problems: string[] = []): Scenario | undefined {
  let text: string;
  try {
    text = readFileSync(io.path(file), 'utf8');
  } catch (e) {
    return refuse(io, problems, [`cannot read ${file}: ${systemMessage(e)}`], []);
  }
  const loaded = loadScenario(text, file);
  if (loaded.ok) return loaded.scenario;
  const n = loaded.issues.length;
  const issues = loaded.issues.map(formatIssue);
  return refuse(io, problems, issues, [...issues, `cnmsim: ${file} is not a valid scenario (${n} issue${n === 1 ? '' : 's'}); nothing was run`]);
}

/** Reports `printed` on stderr (a lone problem as `cnmsim: ...`), keeps `kept`, exit 2. */
function refuse(io: CliIo, problems: string[], kept: readonly string[], printed: readonly string[]): undefined {
  if (printed.length === 0) for (const line of kept) io.err(`cnmsim: ${line}\n`);
  for (const line of printed) io.err(`${line}\n`);
  problems.push(...kept);
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
