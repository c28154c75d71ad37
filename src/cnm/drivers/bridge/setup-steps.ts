/**
 * The bridge driver's declared step lists: creating a network, creating an endpoint and
 * publishing ports are each an ordered list of named steps, applied in order and recorded; the
 * first failure stops the list and undoes, newest first, what was applied, so a failed command
 * leaves no device, rule or port behind.
 *
 * Models: libnetwork `drivers/bridge/setup.go` (`bridgeSetup.queueStep`, `apply`: abort at the
 * first error). Upstream does not undo a half-applied network (a failed `docker network create`
 * can leave a bridge or rules behind); undoing is this simulator's rule (style.md), and each undo
 * is what the matching cleanup path of upstream does (`deleteNetwork`, the iptables clean
 * functions, the deferred link deletions of `CreateEndpoint`).
 *
 *   create network 3f2c...: bridge device br-3f2c... applied
 *                           bridge IPv4 address applied
 *                           iptables rules failed (iptables failed: ...)
 *                           bridge IPv4 address undone
 *                           bridge device undone
 *
 * Leaves out: persistence of the steps (libnetwork's store).
 * Invariants: `undo` runs only for applied steps, in reverse order, at most once.
 */
import { ok, type Result } from '../../errors.js';

export interface SetupStep {
  /** libnetwork's step name where it has one (`setupDevice`), in words otherwise. */
  readonly name: string;
  readonly apply: () => Result<void>;
  readonly undo?: () => void;
}

export type StepOutcome = 'applied' | 'failed' | 'undone';

export interface StepRecord {
  /** What the list was for: `create network <id12>`, `create endpoint <id12>`, `publish ports <id12>`. */
  readonly operation: string;
  readonly step: string;
  readonly outcome: StepOutcome;
  readonly message?: string;
}

/** The driver's record of every step it ran, oldest first. */
export class StepLog {
  readonly records: StepRecord[] = [];

  record(operation: string, step: string, outcome: StepOutcome, message?: string): void {
    this.records.push(message === undefined ? { operation, step, outcome } : { operation, step, outcome, message });
  }

  /** The records of one operation, as `step: outcome` lines. */
  lines(operation: string): string[] {
    return this.records.filter(r => r.operation === operation).map(r => `${r.step}: ${r.outcome}`);
  }
}

/** A step that is in the list only when `condition` holds (the `{Condition, Fn}` table of createNetwork). */
export function when(condition: boolean, step: SetupStep): SetupStep | undefined {
  return condition ? step : undefined;
}

/** `bridgeSetup.apply` with undo. */
export function applySteps(log: StepLog, operation: string, steps: readonly (SetupStep | undefined)[]): Result<void> {
  const applied: SetupStep[] = [];
  for (const step of steps) {
    if (step === undefined) continue;
    const r = step.apply();
    if (!r.ok) {
      log.record(operation, step.name, 'failed', r.error.message);
      for (const done of applied.reverse()) {
        if (done.undo === undefined) continue;
        done.undo();
        log.record(operation, done.name, 'undone');
      }
      return r;
    }
    applied.push(step);
    log.record(operation, step.name, 'applied');
  }
  return ok(undefined);
}
