/**
 * The allocation bitmap of one master pool: one bit per address ordinal (host part).
 *
 * Models: libnetwork `bitseq/sequence.go` (Docker 20.10, with the 2018 fix that makes
 * `getFirstAvailable` look past a partly full block): `Handle` with `Set`, `Unset`, `IsSet`,
 * `SetAny(serial)`, `SetAnyInRange(start, end, serial)`, `Unselected`, the serial cursor `curr`, and
 * the run-length string form `(0x<block>, <count>)->...->end` in which bit 31 of the first 32-bit
 * block is ordinal 0 (most significant bit first).
 *
 *   ordinal:   0  1  2 ... 31 | 32 33 ... 63 | ...        block = one 32-bit word
 *   word bit: 31 30 29 ...  0 | 31 30 ...  0 |
 *
 * Semantics kept from bitseq:
 * - any-allocation takes the lowest clear ordinal in [start, end]; with `serial` it first looks
 *   from the cursor (last any-allocated ordinal + 1) and wraps to `start` when nothing is clear
 *   after it. Every successful any-allocation, serial or not, moves the cursor; `set` does not.
 * - `unset` of a clear bit is accepted and still counts the bit as freed (bitseq increments
 *   `unselected` unconditionally), so the free count can exceed the clear bits after a double
 *   release; the allocator checks that count before anything else, as libnetwork does.
 *
 * Representation (not bitseq's linked list): a sparse map of non-zero 32-bit words plus a hint
 * below which every word is full, so a /8 (2^24 bits) or even a /0 costs memory only for words
 * actually touched, and lowest-free search skips the full prefix at once.
 *
 * Leaves out: the datastore (handles are not persisted), `CheckConsistency`, byte serialisation.
 * Invariants: 0 <= ordinal < bits <= 2^32; words holds no zero word; every word < fullBelow is
 * 0xffffffff.
 */

import { assert } from '../../engine/index.js';

const BLOCK_LEN = 32;
const BLOCK_MAX = 0xffff_ffff;
const FIRST_BIT = 0x8000_0000;
const MAX_BITS = 2 ** 32;

export type BitmapErrorCode = 'noBitAvailable' | 'bitAllocated' | 'outOfSequence' | 'invalidRange';

export interface BitmapError {
  readonly code: BitmapErrorCode;
  /** bitseq's own text, e.g. `no bit available`. */
  readonly message: string;
}

export type BitmapResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BitmapError };

const NO_BIT_AVAILABLE: BitmapError = { code: 'noBitAvailable', message: 'no bit available' };
const BIT_ALLOCATED: BitmapError = { code: 'bitAllocated', message: 'requested bit is already allocated' };
const OUT_OF_SEQUENCE: BitmapError = { code: 'outOfSequence', message: 'bit does not belong to the sequence' };

export class Bitmap {
  /** Number of ordinals. */
  readonly bits: number;
  readonly #words = new Map<number, number>();
  #fullBelow = 0;
  #unselected: number;
  #curr = 0;

  constructor(bits: number) {
    assert(Number.isInteger(bits) && bits >= 0 && bits <= MAX_BITS, `bitmap size must be an integer in 0..2^32, got ${bits}`);
    this.bits = bits;
    this.#unselected = bits;
  }

  /**
   * A bitmap with the given run-length content (`[block, count]` pairs, as bitseq prints them),
   * e.g. for porting bitseq's table tests. Runs beyond `bits` are ignored.
   */
  static fromRuns(bits: number, runs: readonly (readonly [block: number, count: number])[]): Bitmap {
    const b = new Bitmap(bits);
    let word = 0;
    for (const [block, count] of runs) {
      for (let i = 0; i < count; i++, word++) {
        for (let bit = 0; bit < BLOCK_LEN; bit++) {
          const ordinal = word * BLOCK_LEN + bit;
          if (ordinal < bits && ((block >>> 0) & (FIRST_BIT >>> bit)) !== 0) b.#mark(ordinal);
        }
      }
    }
    return b;
  }

  /** Ordinals still free, as bitseq counts them (see the header about double release). */
  unselected(): number {
    return this.#unselected;
  }

  /** The ordinal where the next serial search starts (bitseq `curr`). */
  cursor(): number {
    return this.#curr;
  }

  /** False also for an ordinal outside the sequence. */
  isSet(ordinal: number): boolean {
    if (!this.#valid(ordinal)) return false;
    return ((this.#words.get(wordOf(ordinal)) ?? 0) & bitOf(ordinal)) !== 0;
  }

  /** Reserves exactly `ordinal`; does not move the serial cursor. */
  set(ordinal: number): BitmapResult<undefined> {
    if (!this.#valid(ordinal)) return { ok: false, error: OUT_OF_SEQUENCE };
    if (this.isSet(ordinal)) return { ok: false, error: BIT_ALLOCATED };
    this.#mark(ordinal);
    return { ok: true, value: undefined };
  }

  unset(ordinal: number): BitmapResult<undefined> {
    if (!this.#valid(ordinal)) return { ok: false, error: OUT_OF_SEQUENCE };
    const w = wordOf(ordinal);
    const before = this.#words.get(w) ?? 0;
    const after = (before & ~bitOf(ordinal)) >>> 0;
    if (after === 0) this.#words.delete(w);
    else this.#words.set(w, after);
    if (w < this.#fullBelow) this.#fullBelow = w;
    this.#unselected++;
    return { ok: true, value: undefined };
  }

  /** Reserves the lowest free ordinal (serial: the next one after the cursor, wrapping). */
  setAny(serial: boolean): BitmapResult<number> {
    if (this.#unselected === 0) return { ok: false, error: NO_BIT_AVAILABLE };
    return this.#setFirst(0, this.bits - 1, serial);
  }

  /** `setAny` limited to [start, end]. */
  setAnyInRange(start: number, end: number, serial: boolean): BitmapResult<number> {
    if (end < start || end >= this.bits) {
      return { ok: false, error: { code: 'invalidRange', message: `invalid bit range [${start}, ${end}]` } };
    }
    if (this.#unselected === 0) return { ok: false, error: NO_BIT_AVAILABLE };
    return this.#setFirst(start, end, serial);
  }

  /**
   * bitseq `getAvailableFromCurrent`: the first clear ordinal at or after `curr` if `curr` is past
   * `start` and one exists up to `end`, else the first clear ordinal in [start, end].
   */
  findAvailable(start: number, curr: number, end: number): number | undefined {
    if (curr !== 0 && curr > start) {
      const o = this.#firstClearFrom(curr);
      if (o !== undefined && o <= end) return o;
    }
    const o = this.#firstClearFrom(start);
    return o !== undefined && o <= end ? o : undefined;
  }

  /** bitseq's run-length form over all `ceil(bits / 32)` blocks: `(0xffffffff, 6)->(0x0, 250)->end`. */
  toString(): string {
    const blocks = Math.ceil(this.bits / BLOCK_LEN);
    const runs: [number, number][] = [];
    const push = (block: number, count: number): void => {
      if (count === 0) return;
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === block) last[1] += count;
      else runs.push([block, count]);
    };
    let next = 0;
    for (const w of [...this.#words.keys()].sort((a, b) => a - b)) {
      push(0, w - next);
      push(this.#words.get(w)!, 1);
      next = w + 1;
    }
    push(0, blocks - next);
    if (runs.length === 0) return '(0x0, 0)->end';
    return `${runs.map(([block, count]) => `(0x${block.toString(16)}, ${count})`).join('->')}->end`;
  }

  #setFirst(start: number, end: number, serial: boolean): BitmapResult<number> {
    const ordinal = this.findAvailable(start, serial ? this.#curr : 0, end);
    if (ordinal === undefined) return { ok: false, error: NO_BIT_AVAILABLE };
    this.#mark(ordinal);
    this.#curr = ordinal + 1;
    return { ok: true, value: ordinal };
  }

  #valid(ordinal: number): boolean {
    return Number.isInteger(ordinal) && ordinal >= 0 && ordinal < this.bits;
  }

  /** Sets a clear bit and keeps the full-prefix hint. */
  #mark(ordinal: number): void {
    const w = wordOf(ordinal);
    const after = ((this.#words.get(w) ?? 0) | bitOf(ordinal)) >>> 0;
    this.#words.set(w, after);
    this.#unselected--;
    if (w === this.#fullBelow && after === BLOCK_MAX) {
      while (this.#words.get(this.#fullBelow) === BLOCK_MAX) this.#fullBelow++;
    }
  }

  /** The lowest clear ordinal >= from and < bits. */
  #firstClearFrom(from: number): number | undefined {
    if (from >= this.bits) return undefined;
    const lastWord = wordOf(this.bits - 1);
    let w = wordOf(from);
    let offset = from - w * BLOCK_LEN;
    if (w < this.#fullBelow) {
      w = this.#fullBelow;
      offset = 0;
    }
    for (; w <= lastWord; w++, offset = 0) {
      // Bits before `offset` count as taken for this search.
      const taken = ((this.#words.get(w) ?? 0) | (offset === 0 ? 0 : ~(BLOCK_MAX >>> offset))) >>> 0;
      if (taken !== BLOCK_MAX) {
        const ordinal = w * BLOCK_LEN + Math.clz32(~taken >>> 0);
        return ordinal < this.bits ? ordinal : undefined;
      }
    }
    return undefined;
  }
}

function wordOf(ordinal: number): number {
  return Math.floor(ordinal / BLOCK_LEN);
}

function bitOf(ordinal: number): number {
  return FIRST_BIT >>> ordinal % BLOCK_LEN;
}
