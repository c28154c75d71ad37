/**
 * Runs a loaded scenario: builds the lab, executes the steps, checks the expectations, and
 * returns the report with the run's digest (a hash of every trace record), so two runs of the
 * same file and seed can be compared byte for byte.
 *
 * Models: design.md sections 6 and 7 (the scenario contract and the JSON report).
 * Leaves out: nothing of the contract; each expectation kind lives in its own file.
 */
import type { RunContext as Ctx } from './context.js';
import { RunContext } from './context.js';
import { checkDns, checkExec, checkInspect, checkReach } from './expectations.js';
import { buildLab, type Lab, type MachineServices } from './machines.js';
import type { ExpectationReport, RunReport } from './report.js';
import { expectationKind, type Expectation, type Scenario } from './schema.js';
import { runSteps } from './steps.js';
import { checkTrace } from './trace-expectation.js';

export interface RunOptions {
  /** Overrides the file's seed (`--seed`). */
  readonly seed?: number;
  readonly services: MachineServices;
  /** Called once the lab is built, before any step runs (packet captures install taps here). */
  readonly onLab?: (lab: Lab) => void;
  /** Check the expectations after the steps (default true; `cnmsim trace` runs the steps only). */
  readonly expectations?: boolean;
}

export interface RunResult {
  readonly report: RunReport;
  readonly lab: Lab;
  readonly context: Ctx;
}

export function runScenario(scenario: Scenario, options: RunOptions): RunResult {
  const seed = options.seed ?? scenario.seed;
  const lab = buildLab(scenario, seed, options.services);
  options.onLab?.(lab);
  const ctx = new RunContext(lab);
  const { steps, checks } = runSteps(ctx, scenario);
  const expectations: ExpectationReport[] = [...checks];
  for (const e of options.expectations === false ? [] : scenario.expect) {
    expectations.push({ index: expectations.length, kind: expectationKind(e), ...check(ctx, e) });
  }
  const report: RunReport = { scenario: scenario.name, seed, digest: lab.world.trace.digest(), steps, expectations };
  return { report, lab, context: ctx };
}

function check(ctx: RunContext, e: Expectation): Omit<ExpectationReport, 'index' | 'kind'> {
  if ('reach' in e) return checkReach(ctx, e.reach);
  if ('dns' in e) return checkDns(ctx, e.dns);
  if ('exec' in e) return checkExec(ctx, e.exec);
  if ('inspect' in e) return checkInspect(ctx, e.inspect);
  return checkTrace(ctx, e.trace);
}
