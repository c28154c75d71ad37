/**
 * Multi-step configuration as a declared list of named steps: each step is applied and recorded
 * in order; the first expected failure stops the list and undoes, newest first, every step that
 * was applied, so a failed command leaves no half-built state (style.md).
 *
 * Models: the rollback chains libnetwork writes as `defer func() { if err != nil { undo() } }()`
 * in `controller.go` `NewNetwork`, `network.go` `createEndpoint`, `endpoint.go` `sbJoin` and
 * `Delete`, and the bridge driver's explicit step queue (`drivers/bridge/setup.go`
 * `bridgeSetup.queueStep` / `apply`). Steps whose failure libnetwork only logs (a driver `Leave`
 * that errs while a container disconnects) use `warn`: they always succeed and leave a `warned`
 * record, so the journal still shows what went wrong.
 *
 *   createEndpoint "web":  assign address ... applied
 *                          driver createEndpoint ... failed (cause)
 *                          assign address ... undone        -> the address is free again
 *
 * Leaves out: persistence (libnetwork's store writes between steps) and concurrency (the
 * simulation runs one command at a time, so there are no `joinLeaveStart` waits).
 * Invariants: `undo` runs only for steps whose `apply` succeeded, in reverse order, at most once;
 * an undo cannot fail (it is the best effort libnetwork's deferred rollbacks make too).
 */
import type { Instant } from '../../engine/index.js';
import { ok, type Result } from '../errors.js';

export interface Step {
  /** A short name in libnetwork's terms (`driver join`, `assign IPv4 address`). */
  readonly name: string;
  readonly apply: () => Result<void>;
  /** Undoes what `apply` did; absent for steps with nothing to undo. */
  readonly undo?: () => void;
}

export type StepOutcome = 'applied' | 'failed' | 'undone' | 'warned';

export interface StepRecord {
  readonly at: Instant;
  /** The command the step belongs to (`createEndpoint a1 on net57`). */
  readonly operation: string;
  readonly step: string;
  readonly outcome: StepOutcome;
  /** The error text of a failed or warned step. */
  readonly message?: string;
}

/** The controller's record of every step it ran, in order (what the daemon's debug log shows). */
export class StepJournal {
  readonly #records: StepRecord[] = [];
  readonly #now: () => Instant;

  constructor(now: () => Instant) {
    this.#now = now;
  }

  record(operation: string, step: string, outcome: StepOutcome, message?: string): void {
    const at = this.#now();
    this.#records.push(message === undefined ? { at, operation, step, outcome } : { at, operation, step, outcome, message });
  }

  records(): readonly StepRecord[] {
    return this.#records;
  }

  /** The records of one operation, oldest first. */
  of(operation: string): StepRecord[] {
    return this.#records.filter(r => r.operation === operation);
  }
}

/** A step that is part of the list only when `condition` holds. */
export function when(condition: boolean, step: Step): Step | undefined {
  return condition ? step : undefined;
}

/**
 * A step whose failure is logged, not returned (libnetwork's `logrus.Warnf` paths): it always
 * succeeds, and a failure of `action` is recorded as `warned`.
 */
export function warn(journal: StepJournal, operation: string, name: string, action: () => Result<void>): Step {
  return {
    name,
    apply: () => {
      const r = action();
      if (!r.ok) journal.record(operation, name, 'warned', r.error.message);
      return ok(undefined);
    },
  };
}

/** Applies `steps` in order; on the first failure undoes the applied ones and returns that failure. */
export function runSteps(journal: StepJournal, operation: string, steps: readonly (Step | undefined)[]): Result<void> {
  const applied: Step[] = [];
  for (const step of steps) {
    if (step === undefined) continue;
    const r = step.apply();
    if (!r.ok) {
      journal.record(operation, step.name, 'failed', r.error.message);
      for (const done of applied.reverse()) {
        if (done.undo === undefined) continue;
        done.undo();
        journal.record(operation, done.name, 'undone');
      }
      return r;
    }
    applied.push(step);
    journal.record(operation, step.name, 'applied');
  }
  return ok(undefined);
}
