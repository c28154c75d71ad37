// The heap against a brute-force model: pop order is a stable sort on (time, insertion order),
// cancel removes exactly one entry, ids of departed entries stay dead when slots are reused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type EventId } from '../../src/engine/event-queue.js';

/** Pops everything, returning the payloads in order. */
function drain<T extends NonNullable<unknown>>(queue: EventQueue<T>): T[] {
  const out: T[] = [];
  while (queue.size > 0) {
    out.push(queue.pop());
  }
  return out;
}

const time = fc.integer({ min: 0, max: 50 });

describe('EventQueue', () => {
  it('pops in time order, FIFO among equal times', () => {
    const queue = new EventQueue<string>(2);
    queue.push(5, 'b1');
    queue.push(3, 'a');
    queue.push(5, 'b2');
    queue.push(9, 'c');
    queue.push(5, 'b3');
    expect(queue.peekTime()).toBe(3);
    expect(drain(queue)).toEqual(['a', 'b1', 'b2', 'b3', 'c']);
    expect(queue.peekTime()).toBe(Infinity);
  });

  it('pop order equals a stable sort on time for random schedules', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 300 }), times => {
        const queue = new EventQueue<number>(1);
        times.forEach((t, i) => queue.push(t, i));
        const expected = times.map((t, i) => ({ t, i })).sort((x, y) => x.t - y.t).map(e => e.i);
        expect(drain(queue)).toEqual(expected);
      }),
    );
  });

  it('keeps FIFO order among thousands of events at one instant', () => {
    const queue = new EventQueue<number>();
    for (let i = 0; i < 5000; i++) {
      queue.push(7, i);
    }
    expect(drain(queue)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('cancel removes exactly the chosen events (random cancel subsets)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(time, fc.boolean()), { maxLength: 300 }), entries => {
        const queue = new EventQueue<number>(1);
        const ids = entries.map(([t], i) => queue.push(t, i));
        entries.forEach(([, cancel], i) => {
          if (cancel) {
            expect(queue.remove(ids[i]!)).toBe(true);
            expect(queue.remove(ids[i]!)).toBe(false);
          }
        });
        const kept = entries.map(([t, cancel], i) => ({ t, cancel, i })).filter(e => !e.cancel);
        expect(queue.size).toBe(kept.length);
        expect(drain(queue)).toEqual(kept.sort((x, y) => x.t - y.t).map(e => e.i));
      }),
    );
  });

  it('matches a brute-force model under interleaved push, pop and cancel', () => {
    type Op = { kind: 'push'; t: number } | { kind: 'pop' } | { kind: 'cancel'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: time.map(t => ({ kind: 'push' as const, t })), weight: 3 },
      { arbitrary: fc.constant({ kind: 'pop' as const }), weight: 2 },
      { arbitrary: fc.nat().map(pick => ({ kind: 'cancel' as const, pick })), weight: 2 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), ops => {
        const queue = new EventQueue<number>(1);
        const model: { t: number; seq: number; label: number }[] = [];
        const issued: { id: EventId; label: number }[] = [];
        let now = 0;
        ops.forEach((o, seq) => {
          if (o.kind === 'push') {
            const t = now + o.t;
            issued.push({ id: queue.push(t, seq), label: seq });
            model.push({ t, seq, label: seq });
          } else if (o.kind === 'pop') {
            if (model.length === 0) {
              expect(queue.size).toBe(0);
              return;
            }
            const best = model.reduce((a, b) => (b.t < a.t || (b.t === a.t && b.seq < a.seq) ? b : a));
            expect(queue.peekTime()).toBe(best.t);
            expect(queue.pop()).toBe(best.label);
            model.splice(model.indexOf(best), 1);
            now = best.t;
          } else if (issued.length > 0) {
            const target = issued[o.pick % issued.length]!;
            const index = model.findIndex(e => e.label === target.label);
            expect(queue.remove(target.id)).toBe(index >= 0);
            if (index >= 0) {
              model.splice(index, 1);
            }
          }
          expect(queue.size).toBe(model.length);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('does not confuse a departed event with the next occupant of its slot', () => {
    const queue = new EventQueue<string>(1);
    const first = queue.push(1, 'first');
    expect(queue.pop()).toBe('first');
    const second = queue.push(2, 'second');
    expect(second).not.toBe(first);
    expect(queue.has(first)).toBe(false);
    expect(queue.remove(first)).toBe(false);
    expect(queue.has(second)).toBe(true);
    expect(queue.pop()).toBe('second');
  });

  it('rejects ids it never issued', () => {
    const queue = new EventQueue<string>();
    queue.push(1, 'x');
    for (const bogus of [-1, 0.5, 2 ** 24 + 5, Number.NaN, 2 ** 60]) {
      expect(queue.remove(bogus as EventId)).toBe(false);
    }
    expect(queue.size).toBe(1);
  });

  it('stays bounded when timers are cancelled and re-armed over and over', () => {
    const queue = new EventQueue<number>(1);
    let id = queue.push(1_000, 0);
    queue.push(10 ** 9, -1);
    for (let i = 1; i <= 10_000; i++) {
      expect(queue.remove(id)).toBe(true);
      id = queue.push(1_000 + i, i);
    }
    expect(queue.size).toBe(2);
    // Internal bound: cancelled entries never outnumber live ones by more than the slack.
    expect((queue as unknown as { count: number }).count).toBeLessThanOrEqual(2 * 2 + 64);
    expect(drain(queue)).toEqual([10_000, -1]);
  });

  it('discards a cancelled earliest event so peekTime shows the next live one', () => {
    const queue = new EventQueue<string>();
    const early = queue.push(1, 'early');
    queue.push(5, 'late');
    queue.remove(early);
    expect(queue.peekTime()).toBe(5);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.peekTime()).toBe(Infinity);
  });
});
