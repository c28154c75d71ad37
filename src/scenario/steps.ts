/**
 * Executes a scenario's steps in order: `docker:` runs the docker CLI on a host, `exec:` runs a
 * simulated program in a container, on a host or on an external, `advance:` lets virtual time
 * pass. A failing step is recorded and the run goes on, as in a shell script; its inline checks,
 * when given, become expectations.
 *
 * Models: a person typing the commands of the scenario into terminals (design.md section 6).
 * Leaves out: pipes and redirections between programs.
 */
import { parseDuration } from '../engine/index.js';
import type { RunContext, Place } from './context.js';
import type { ExpectationReport, StepReport } from './report.js';
import type { Scenario, Step } from './schema.js';
import { splitWords } from './shell-words.js';
import { failedCheck, hasChecks } from './text-checks.js';

export interface StepsResult {
  readonly steps: StepReport[];
  /** Inline step checks, as expectations (they count like the `expect:` list). */
  readonly checks: ExpectationReport[];
}

export function runSteps(ctx: RunContext, scenario: Scenario): StepsResult {
  const steps: StepReport[] = [];
  const checks: ExpectationReport[] = [];
  scenario.steps.forEach((step, index) => {
    const report = runStep(ctx, step, index);
    steps.push(report);
    if ('advance' in step || !hasChecks(step)) return;
    const problem = failedCheck(step, `${report.stdout}${report.stderr}`, report.exitCode);
    const what = `step ${index + 1} (${report.kind === 'docker' ? 'docker ' : ''}${report.command})`;
    checks.push({ index: checks.length, kind: 'step', ok: problem === undefined, message: problem === undefined ? `${what} as expected` : `${what}: ${problem}` });
  });
  return { steps, checks };
}

function runStep(ctx: RunContext, step: Step, index: number): StepReport {
  if ('advance' in step) {
    const d = parseDuration(step.advance);
    if (typeof d === 'number') ctx.lab.world.engine.runFor(d);
    return { index, kind: 'advance', target: '', command: step.advance, exitCode: 0, stdout: '', stderr: '' };
  }
  const kind = 'docker' in step ? 'docker' : 'exec';
  const command = 'docker' in step ? step.docker : step.exec;
  const words = splitWords(command);
  const failed = (target: string, message: string): StepReport => ({ index, kind, target, command, exitCode: 127, stdout: '', stderr: `${message}\n` });
  if (!words.ok) return failed('', `cnmsim: cannot split the command line: ${words.message}`);
  const place = stepPlace(ctx, step);
  if (typeof place === 'string') return failed(step.on ?? ('in' in step ? (step.in ?? '') : ''), place);
  const argv = kind === 'docker' ? ['docker', ...words.words] : words.words;
  const proc = ctx.run(place, argv);
  return { index, kind, target: place.label, command, exitCode: proc.exitCode ?? 0, stdout: proc.stdout, stderr: proc.stderr };
}

/** Where a step runs, or the error a user would see. */
function stepPlace(ctx: RunContext, step: Exclude<Step, { advance: string }>): Place | string {
  const firstHost = ctx.lab.dockerHosts[0];
  if ('docker' in step) {
    const m = step.on === undefined ? firstHost : ctx.machine(step.on);
    if (m === undefined || m.docker === undefined) return `cnmsim: ${step.on ?? 'no host'} is not a Docker host`;
    const p = ctx.place(m.name);
    return p ?? `cnmsim: unknown host ${m.name}`;
  }
  if (step.in !== undefined) {
    const m = step.on === undefined ? undefined : ctx.machine(step.on);
    const p = m === undefined ? ctx.place(step.in) : ctx.containerOn(m, step.in);
    // What `docker exec` answers for a container that does not exist.
    return p ?? `Error: No such container: ${step.in}`;
  }
  const name = step.on ?? firstHost?.name;
  const p = name === undefined ? undefined : ctx.place(name);
  return p ?? `cnmsim: unknown machine ${name ?? ''}`;
}
