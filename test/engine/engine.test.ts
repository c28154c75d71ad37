// The engine's clock and run loop: ordering, cancellation, run bounds, and agreement with a
// brute-force reference engine on random programs whose handlers schedule and cancel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Engine,
  EngineRunawayError,
  InvariantError,
  MS,
  SECOND,
  type EventId,
} from '../../src/engine/index.js';

describe('Engine clock', () => {
  it('starts at 0 and moves only when events run or runUntil says so', () => {
    const engine = new Engine();
    const seen: number[] = [];
    engine.scheduleAt(5 * MS, () => seen.push(engine.now));
    engine.scheduleIn(2 * MS, () => seen.push(engine.now));
    expect(engine.now).toBe(0);
    expect(engine.pending).toBe(2);
    expect(engine.nextEventAt()).toBe(2 * MS);
    expect(engine.runUntil(3 * MS)).toBe(1);
    expect(engine.now).toBe(3 * MS);
    expect(engine.runUntil(5 * MS)).toBe(1);
    expect(seen).toEqual([2 * MS, 5 * MS]);
    expect(engine.now).toBe(5 * MS);
    expect(engine.runFor(SECOND)).toBe(0);
    expect(engine.now).toBe(5 * MS + SECOND);
    expect(engine.nextEventAt()).toBeUndefined();
  });

  it('scheduleIn counts from now', () => {
    const engine = new Engine();
    engine.runUntil(10);
    let at = -1;
    engine.scheduleIn(5, () => (at = engine.now));
    engine.runUntilIdle();
    expect(at).toBe(15);
  });

  it('refuses the past, fractions and negative delays', () => {
    const engine = new Engine();
    engine.runUntil(100);
    expect(() => engine.scheduleAt(99, () => {})).toThrow(InvariantError);
    expect(() => engine.scheduleAt(99, () => {})).toThrow(/not before now \(t=0\.000000100\)/);
    expect(() => engine.scheduleAt(100.5, () => {})).toThrow(InvariantError);
    expect(() => engine.scheduleIn(-1, () => {})).toThrow(InvariantError);
    expect(() => engine.scheduleIn(Number.NaN, () => {})).toThrow(InvariantError);
    expect(() => engine.runUntil(50)).toThrow(InvariantError);
    expect(engine.pending).toBe(0);
  });

  it('step runs exactly one event', () => {
    const engine = new Engine();
    const log: string[] = [];
    engine.scheduleAt(1, () => log.push('a'));
    engine.scheduleAt(2, () => log.push('b'));
    expect(engine.step()).toBe(true);
    expect(log).toEqual(['a']);
    expect(engine.now).toBe(1);
    expect(engine.step()).toBe(true);
    expect(engine.step()).toBe(false);
    expect(log).toEqual(['a', 'b']);
  });
});

describe('Engine ordering', () => {
  it('runs equal-time events FIFO, including ones scheduled for now by a handler', () => {
    const engine = new Engine();
    const log: string[] = [];
    engine.scheduleAt(10, () => {
      log.push('a');
      engine.scheduleIn(0, () => log.push('a-child'));
    });
    engine.scheduleAt(10, () => log.push('b'));
    engine.scheduleAt(10, () => log.push('c'));
    engine.runUntilIdle();
    expect(log).toEqual(['a', 'b', 'c', 'a-child']);
  });

  it('runs events at exactly the runUntil bound, not after it', () => {
    const engine = new Engine();
    const log: number[] = [];
    for (const t of [9, 10, 11]) {
      engine.scheduleAt(t, () => log.push(t));
    }
    expect(engine.runUntil(10)).toBe(2);
    expect(log).toEqual([9, 10]);
    expect(engine.pending).toBe(1);
  });
});

describe('Engine cancel', () => {
  it('cancels exactly one event; twice or after firing gives false', () => {
    const engine = new Engine();
    const log: string[] = [];
    const a = engine.scheduleAt(1, () => log.push('a'));
    const b = engine.scheduleAt(1, () => log.push('b'));
    expect(engine.isPending(a)).toBe(true);
    expect(engine.cancel(a)).toBe(true);
    expect(engine.isPending(a)).toBe(false);
    expect(engine.cancel(a)).toBe(false);
    expect(engine.pending).toBe(1);
    engine.runUntilIdle();
    expect(log).toEqual(['b']);
    expect(engine.cancel(b)).toBe(false);
  });

  it('a stale id never cancels the event that reused its slot', () => {
    const engine = new Engine();
    const log: string[] = [];
    const old = engine.scheduleAt(1, () => log.push('old'));
    engine.runUntilIdle();
    const fresh = engine.scheduleAt(2, () => log.push('fresh'));
    expect(engine.cancel(old)).toBe(false);
    engine.runUntilIdle();
    expect(log).toEqual(['old', 'fresh']);
    expect(engine.cancel(fresh)).toBe(false);
  });

  it('a handler can cancel a later event at the same instant', () => {
    const engine = new Engine();
    const log: string[] = [];
    const victims: EventId[] = [];
    engine.scheduleAt(5, () => {
      log.push('killer');
      expect(engine.cancel(victims[0]!)).toBe(true);
    });
    victims.push(engine.scheduleAt(5, () => log.push('victim')));
    engine.runUntilIdle();
    expect(log).toEqual(['killer']);
  });
});

describe('Engine run bounds', () => {
  it('throws EngineRunawayError after maxEventsPerRun events, before running the next', () => {
    const engine = new Engine({ maxEventsPerRun: 100 });
    let runs = 0;
    const rearm = (): void => {
      runs++;
      engine.scheduleIn(MS, rearm);
    };
    engine.scheduleAt(0, rearm);
    expect(() => engine.runUntilIdle()).toThrow(EngineRunawayError);
    expect(runs).toBe(100);
    expect(() => engine.runUntil(SECOND)).toThrow(
      new EngineRunawayError(100, 200 * MS),
    );
    expect(new EngineRunawayError(100, 200 * MS).message).toBe(
      'more than 100 events in one run at t=0.200000000; a packet loop or a timer that reschedules itself forever?',
    );
    expect(runs).toBe(200);
    expect(engine.now).toBe(199 * MS);
  });

  it('allows exactly maxEventsPerRun events', () => {
    const engine = new Engine({ maxEventsPerRun: 3 });
    for (let i = 0; i < 3; i++) {
      engine.scheduleAt(i, () => {});
    }
    expect(engine.runUntilIdle()).toBe(3);
    expect(new Engine().maxEventsPerRun).toBe(10_000_000);
    expect(() => new Engine({ maxEventsPerRun: 0 })).toThrow(InvariantError);
  });

  it('refuses to run from inside a handler', () => {
    const engine = new Engine();
    engine.scheduleAt(1, () => engine.runUntilIdle());
    expect(() => engine.runUntilIdle()).toThrow(/inside an event handler/);
    engine.scheduleAt(2, () => engine.step());
    expect(() => engine.step()).toThrow(InvariantError);
  });

  it('stop ends the run after the current event and leaves the clock there', () => {
    const engine = new Engine();
    const log: number[] = [];
    for (const t of [1, 2, 3]) {
      engine.scheduleAt(t, () => {
        log.push(t);
        if (t === 2) {
          engine.stop();
        }
      });
    }
    expect(engine.runUntil(10)).toBe(2);
    expect(engine.now).toBe(2);
    expect(engine.runUntil(10)).toBe(1);
    expect(engine.now).toBe(10);
    expect(log).toEqual([1, 2, 3]);
  });
});

/** A brute-force engine: linear scan for the earliest (time, seq). */
class ReferenceEngine {
  now = 0;
  private seq = 0;
  private pending: { at: number; seq: number; handler: () => void; id: number }[] = [];

  scheduleIn(delay: number, handler: () => void): number {
    const id = this.seq++;
    this.pending.push({ at: this.now + delay, seq: id, handler, id });
    return id;
  }

  cancel(id: number): boolean {
    const index = this.pending.findIndex(e => e.id === id);
    if (index < 0) {
      return false;
    }
    this.pending.splice(index, 1);
    return true;
  }

  runUntilIdle(): number {
    let ran = 0;
    while (this.pending.length > 0) {
      const next = this.pending.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a));
      this.pending.splice(this.pending.indexOf(next), 1);
      this.now = next.at;
      ran++;
      next.handler();
    }
    return ran;
  }
}

interface Clock {
  readonly now: number;
  scheduleIn(delay: number, handler: () => void): unknown;
  cancel(id: never): boolean;
  runUntilIdle(): number;
}

interface Action {
  readonly delays: readonly number[];
  readonly cancels: readonly number[];
}

/** Runs a random program: event k schedules children with actions[k].delays, cancels others. */
function runProgram(clock: Clock, initial: readonly number[], actions: readonly Action[]): string[] {
  const log: string[] = [];
  const ids: unknown[] = [];
  let label = 0;
  const spawn = (delay: number): void => {
    const me = label++;
    ids.push(
      clock.scheduleIn(delay, () => {
        log.push(`${me}@${clock.now}`);
        const action = actions[me % actions.length]!;
        if (label < 200) {
          action.delays.forEach(spawn);
        }
        for (const pick of action.cancels) {
          const target = pick % ids.length;
          log.push(`cancel ${target}: ${clock.cancel(ids[target] as never)}`);
        }
      }),
    );
  };
  initial.forEach(spawn);
  log.push(`ran ${clock.runUntilIdle()}`);
  return log;
}

describe('Engine against a reference engine', () => {
  it('runs random programs identically (order, times, cancel results)', () => {
    const delay = fc.integer({ min: 0, max: 20 });
    const action = fc.record({
      delays: fc.array(delay, { maxLength: 3 }),
      cancels: fc.array(fc.nat(), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(delay, { minLength: 1, maxLength: 20 }), fc.array(action, { minLength: 1, maxLength: 20 }), (initial, actions) => {
        const expected = runProgram(new ReferenceEngine(), initial, actions);
        const actual = runProgram(new Engine(), initial, actions);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
