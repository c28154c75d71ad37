/**
 * The discrete-event engine: the virtual clock and the loop that runs scheduled events.
 *
 * Models: ns-3's `Simulator` / `DefaultSimulatorImpl` (`src/core/model/simulator.h`,
 * `default-simulator-impl.cc`): `Now`, `Schedule`, `Cancel`/`Remove`, `Run`, `Stop`; and the
 * test clocks of Effect (`TestClock.adjust`) and smoltcp (`Instant` passed into `poll`), where
 * time only moves when the driver says so. `runUntil(t)` is Effect's `adjust`: every event due by
 * `t` runs, then the clock reads exactly `t`.
 *
 * Leaves out: ns-3's per-event context (node id), `ScheduleDestroy`, real-time and distributed
 * schedulers, and any link to the host's clock.
 *
 * Invariants:
 * - `now` never decreases; an event runs with `now` equal to its scheduled time.
 * - Events run in (time, scheduling order): equal-time events are FIFO, including events that a
 *   handler schedules for the current instant (they run after those already queued for it).
 * - Scheduling in the past, at a non-integer time, or re-entering a run from inside a handler is
 *   a broken invariant and throws `InvariantError`.
 * - A single run (`runUntil`, `runUntilIdle`) executes at most `maxEventsPerRun` events and then
 *   throws `EngineRunawayError` without running the next one: a simulated packet loop or a timer
 *   that re-arms itself forever becomes a clear error rather than a hang.
 * - Scheduling, cancelling and running allocate nothing per event beyond the caller's handler.
 */

import { fail } from './assert.js';
import { EventQueue, type EventId } from './event-queue.js';
import { formatInstant, type Duration, type Instant } from './time.js';

export type { EventId } from './event-queue.js';

/** A scheduled action; it reads the clock through the engine if it needs `now`. */
export type EventHandler = () => void;

export interface EngineOptions {
  /** Events one `runUntil`/`runUntilIdle` may run before it throws (default 10,000,000). */
  readonly maxEventsPerRun?: number;
}

export const DEFAULT_MAX_EVENTS_PER_RUN = 10_000_000;

/** Thrown when one run executes more than `maxEventsPerRun` events. */
export class EngineRunawayError extends Error {
  override readonly name = 'EngineRunawayError';

  constructor(
    readonly maxEventsPerRun: number,
    readonly at: Instant,
  ) {
    super(
      `more than ${maxEventsPerRun} events in one run at t=${formatInstant(at)}; ` +
        'a packet loop or a timer that reschedules itself forever?',
    );
  }
}

export class Engine {
  readonly maxEventsPerRun: number;
  private readonly queue = new EventQueue<EventHandler>();
  private clock: Instant = 0;
  private running = false;
  private stopRequested = false;

  constructor(options: EngineOptions = {}) {
    const max = options.maxEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN;
    if (!Number.isSafeInteger(max) || max < 1) {
      fail(`maxEventsPerRun must be a positive integer, got ${max}`);
    }
    this.maxEventsPerRun = max;
  }

  /** The current virtual time. */
  get now(): Instant {
    return this.clock;
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `handler` at instant `at` (>= now), after anything already scheduled for `at`. */
  scheduleAt(at: Instant, handler: EventHandler): EventId {
    if (!(at >= this.clock) || !Number.isSafeInteger(at)) {
      fail(`cannot schedule an event at t=${at}: it must be a whole number of nanoseconds, not before now (t=${formatInstant(this.clock)})`);
    }
    return this.queue.push(at, handler);
  }

  /** Schedules `handler` `delay` nanoseconds from now (an integer >= 0). */
  scheduleIn(delay: Duration, handler: EventHandler): EventId {
    if (!(delay >= 0) || !Number.isSafeInteger(delay)) {
      fail(`cannot schedule an event ${delay}ns from now: the delay must be a whole number of nanoseconds >= 0`);
    }
    return this.scheduleAt(this.clock + delay, handler);
  }

  /** Cancels exactly that event. False if it already ran, was cancelled, or is unknown. */
  cancel(id: EventId): boolean {
    return this.queue.remove(id);
  }

  /** True while the event `id` waits to run. */
  isPending(id: EventId): boolean {
    return this.queue.has(id);
  }

  /** Time of the next event, or undefined when nothing is scheduled. */
  nextEventAt(): Instant | undefined {
    return this.queue.size === 0 ? undefined : this.queue.peekTime();
  }

  /**
   * Asks the current run to return after the event that is running now (ns-3's
   * `Simulator::Stop`). Outside a run it does nothing.
   */
  stop(): void {
    if (this.running) {
      this.stopRequested = true;
    }
  }

  /** Runs the single next event, if any; returns whether one ran. */
  step(): boolean {
    this.enter('step');
    try {
      if (this.queue.size === 0) {
        return false;
      }
      this.clock = this.queue.peekTime();
      this.queue.pop()();
    } finally {
      this.running = false;
      this.stopRequested = false;
    }
    return true;
  }

  /**
   * Runs every event due at or before `t`, then sets the clock to `t` (unless stopped early).
   * Returns the number of events run.
   */
  runUntil(t: Instant): number {
    if (!(t >= this.clock) || !Number.isSafeInteger(t)) {
      fail(`cannot run until t=${t}: it must be a whole number of nanoseconds, not before now (t=${formatInstant(this.clock)})`);
    }
    const ran = this.run(t);
    if (!this.stopRequested) {
      this.clock = t;
    }
    this.stopRequested = false;
    return ran;
  }

  /** Runs `d` nanoseconds of virtual time: `runUntil(now + d)`. */
  runFor(d: Duration): number {
    if (!(d >= 0) || !Number.isSafeInteger(d)) {
      fail(`cannot run for ${d}ns: it must be a whole number of nanoseconds >= 0`);
    }
    return this.runUntil(this.clock + d);
  }

  /** Runs events until none is pending (or `stop` is called); the clock stays at the last one. */
  runUntilIdle(): number {
    const ran = this.run(Number.MAX_SAFE_INTEGER);
    this.stopRequested = false;
    return ran;
  }

  private run(limit: number): number {
    this.enter('run');
    const queue = this.queue;
    const max = this.maxEventsPerRun;
    let ran = 0;
    try {
      for (let at = queue.peekTime(); at <= limit; at = queue.peekTime()) {
        if (ran === max) {
          throw new EngineRunawayError(max, at);
        }
        this.clock = at;
        const handler = queue.pop();
        ran++;
        handler();
        if (this.stopRequested) {
          break;
        }
      }
    } finally {
      this.running = false;
    }
    return ran;
  }

  private enter(what: string): void {
    if (this.running) {
      fail(`Engine.${what} called from inside an event handler; schedule an event instead`);
    }
    this.running = true;
    this.stopRequested = false;
  }
}
