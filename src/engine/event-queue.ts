/**
 * The pending-event set: a binary min-heap ordered by (time, sequence), with cancellable ids.
 *
 * Models: ns-3's `HeapScheduler` (`src/core/model/heap-scheduler.{h,cc}`) behind the `Scheduler`
 * interface of `src/core/model/scheduler.h` (`Insert`, `PeekNext`, `RemoveNext`), with events keyed
 * by `EventKey { m_ts, m_uid }` where `m_uid` is a global insertion counter that breaks ties, so
 * equal-time events leave in the order they were inserted. Cancelling follows ns-3's
 * `Simulator::Cancel` (`EventImpl::Cancel` in `src/core/model/event-impl.h`): the event is marked
 * dead where it sits and is discarded when it reaches the top, instead of being dug out of the heap.
 *
 *   heap, index 0 = earliest             slots, one per queued entry (free list for reuse)
 *   times[i]  seqs[i]  slots[i] ───────▶  payloads[slot]  (undefined = cancelled or free)
 *                                         generations[slot]
 *
 * The heap is three parallel typed arrays that grow by doubling; sifting moves a hole instead of
 * swapping entries. Measured on `bench/engine.bench.ts`, marking beats eager removal by about 10%,
 * because eager removal needs a slot → heap-position table that every sift step must update.
 *
 * Leaves out: ns-3's calendar, map and list schedulers, its per-event context (node id) and the
 * `EventImpl` object per event: the payload is whatever the caller passes (usually its closure),
 * and the queue allocates nothing per event once it has grown to the working-set size.
 *
 * Invariants:
 * - (time, seq) is unique per entry, so the order is total and never depends on heap layout.
 * - The root entry is always live (cancelled entries reaching the top are discarded at once), so
 *   `peekTime` is the time of the next event that will really run.
 * - Cancelled entries never outnumber live ones by more than 64: beyond that the heap is rebuilt
 *   without them (Floyd's heapify, O(n)), so cancel stays amortised O(1) and memory stays O(live).
 * - An id is `generation * 2^24 + slot`; a slot's generation advances when its event is cancelled
 *   and when the slot is freed, so the id of a fired or cancelled event never matches the slot's
 *   next occupant (until the generation wraps after 2^29 reuses of that one slot).
 * - At most 2^24 entries are queued at once.
 */

import { assert, fail } from './assert.js';

/**
 * Identifies one scheduled event for `cancel`. Opaque: only values returned by the queue are
 * meaningful.
 */
export type EventId = number & { readonly __eventId: unique symbol };

const SLOT_SPACE = 2 ** 24;
const GENERATION_MASK = 2 ** 29 - 1;
const INITIAL_CAPACITY = 64;
const TOMBSTONE_SLACK = 64;

export class EventQueue<T extends NonNullable<unknown>> {
  private times: Float64Array;
  private seqs: Float64Array;
  private slots: Int32Array;
  private generations: Int32Array;
  private freeSlots: Int32Array;
  private readonly payloads: (T | undefined)[] = [];
  private freeCount = 0;
  private usedSlots = 0;
  /** Entries in the heap, live and cancelled. */
  private count = 0;
  private cancelled = 0;
  private nextSeq = 0;
  private capacity: number;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    assert(Number.isSafeInteger(initialCapacity) && initialCapacity >= 1, `EventQueue capacity must be a positive integer, got ${initialCapacity}`);
    this.capacity = Math.min(initialCapacity, SLOT_SPACE);
    this.times = new Float64Array(this.capacity);
    this.seqs = new Float64Array(this.capacity);
    this.slots = new Int32Array(this.capacity);
    this.generations = new Int32Array(this.capacity);
    this.freeSlots = new Int32Array(this.capacity);
  }

  /** Number of pending (live) events. */
  get size(): number {
    return this.count - this.cancelled;
  }

  /** Time of the earliest pending event, or `Infinity` when none is pending. */
  peekTime(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  /** Adds an event at `time` after every event already queued for that time; returns its id. */
  push(time: number, payload: T): EventId {
    if (this.count === this.capacity) {
      this.grow();
    }
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount]! : this.usedSlots++;
    this.payloads[slot] = payload;
    this.siftUp(this.count++, time, this.nextSeq++, slot);
    return (this.generations[slot]! * SLOT_SPACE + slot) as EventId;
  }

  /** Removes the earliest pending event and returns its payload. The queue must not be empty. */
  pop(): T {
    if (this.count === 0) {
      fail('EventQueue.pop on an empty queue');
    }
    const payload = this.payloads[this.slots[0]!]!;
    this.removeRoot();
    this.discardCancelledRoot();
    return payload;
  }

  /** Cancels exactly the event `id`; false if it already left, was cancelled, or never existed. */
  remove(id: EventId): boolean {
    const slot = this.liveSlot(id);
    if (slot < 0) {
      return false;
    }
    this.payloads[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) & GENERATION_MASK;
    this.cancelled++;
    this.discardCancelledRoot();
    if (this.cancelled > TOMBSTONE_SLACK && this.cancelled * 2 > this.count) {
      this.compact();
    }
    return true;
  }

  /** True while `id` is pending. */
  has(id: EventId): boolean {
    return this.liveSlot(id) >= 0;
  }

  /** Drops every pending event (their ids become stale). */
  clear(): void {
    while (this.count > 0) {
      this.release(this.slots[--this.count]!);
    }
    this.cancelled = 0;
  }

  /** The slot of pending event `id`, or -1. */
  private liveSlot(id: EventId): number {
    if (!Number.isSafeInteger(id) || id < 0) {
      return -1;
    }
    const slot = id % SLOT_SPACE;
    const generation = (id - slot) / SLOT_SPACE;
    if (slot >= this.usedSlots || this.generations[slot] !== generation || this.payloads[slot] === undefined) {
      return -1;
    }
    return slot;
  }

  private release(slot: number): void {
    this.payloads[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
  }

  private removeRoot(): void {
    this.release(this.slots[0]!);
    const last = --this.count;
    if (last > 0) {
      this.siftDown(0, this.times[last]!, this.seqs[last]!, this.slots[last]!, last);
    }
  }

  private discardCancelledRoot(): void {
    while (this.count > 0 && this.payloads[this.slots[0]!] === undefined) {
      this.cancelled--;
      this.removeRoot();
    }
  }

  /** Rebuilds the heap from its live entries only. */
  private compact(): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = slots[i]!;
      if (this.payloads[slot] === undefined) {
        this.release(slot);
      } else {
        times[kept] = times[i]!;
        seqs[kept] = seqs[i]!;
        slots[kept] = slot;
        kept++;
      }
    }
    this.count = kept;
    this.cancelled = 0;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, times[i]!, seqs[i]!, slots[i]!, kept);
    }
  }

  /** Places (time, seq, slot) at hole `index` or above it. */
  private siftUp(index: number, time: number, seq: number, slot: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let hole = index;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && seqs[parent]! < seq)) {
        break;
      }
      times[hole] = parentTime;
      seqs[hole] = seqs[parent]!;
      slots[hole] = slots[parent]!;
      hole = parent;
    }
    times[hole] = time;
    seqs[hole] = seq;
    slots[hole] = slot;
  }

  /** Places (time, seq, slot) at hole `index` or below it, in a heap of `size` entries. */
  private siftDown(index: number, time: number, seq: number, slot: number, size: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const half = size >> 1;
    let hole = index;
    while (hole < half) {
      let child = 2 * hole + 1;
      let childTime = times[child]!;
      const right = child + 1;
      if (right < size) {
        const rightTime = times[right]!;
        if (rightTime < childTime || (rightTime === childTime && seqs[right]! < seqs[child]!)) {
          child = right;
          childTime = rightTime;
        }
      }
      if (time < childTime || (time === childTime && seq < seqs[child]!)) {
        break;
      }
      times[hole] = childTime;
      seqs[hole] = seqs[child]!;
      slots[hole] = slots[child]!;
      hole = child;
    }
    times[hole] = time;
    seqs[hole] = seq;
    slots[hole] = slot;
  }

  private grow(): void {
    if (this.capacity === SLOT_SPACE) {
      fail(`more than ${SLOT_SPACE} events queued at once`);
    }
    const capacity = Math.min(this.capacity * 2, SLOT_SPACE);
    this.times = resized(this.times, new Float64Array(capacity));
    this.seqs = resized(this.seqs, new Float64Array(capacity));
    this.slots = resized(this.slots, new Int32Array(capacity));
    this.generations = resized(this.generations, new Int32Array(capacity));
    this.freeSlots = resized(this.freeSlots, new Int32Array(capacity));
    this.capacity = capacity;
  }
}

function resized<A extends Float64Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
