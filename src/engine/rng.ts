/**
 * Named random streams derived from one scenario seed.
 *
 * Models: ns-3's `RngStream` / `RandomVariableStream` arrangement (`src/core/model/rng-stream.h`,
 * `random-variable-stream.h`), where each consumer draws from its own stream so adding a consumer
 * leaves the others' draws unchanged, and Docker's use of `crypto/rand` for ids and MACs, which
 * the simulation replaces with these streams (design.md section 3).
 *
 * Each stream is seedrandom's Alea generator (`seedrandom/lib/alea.js`, Baagøe's 53-bit
 * multiply-with-carry, reported to pass BigCrush) seeded with the text
 * `cnmsim:["<scenario seed>","<stream name>"]`. The JSON array keeps the pair unambiguous (seed
 * `a/b` with stream `c` never meets seed `a` with stream `b/c`).
 *
 * Leaves out: cryptographic strength (ESP keys drawn from here are reproducible on purpose), jump
 * or sub-stream APIs, and state save/restore.
 *
 * Invariants:
 * - The same (seed, name) always yields the same sequence of draws, on every platform.
 * - A stream's draws depend only on (seed, name) and on how many draws it has made itself.
 * - A numeric seed and its decimal string are the same seed (`7` and `"7"`).
 * - `int(n)` is exactly uniform (rejection sampling, no modulo bias) for every safe integer n > 0.
 */

import seedrandom from 'seedrandom';
import { assert, fail } from './assert.js';

/** One deterministic stream of random values. */
export interface Rng {
  /** The stream's name, as passed to `RngStreams.stream`. */
  readonly name: string;
  /** A float in [0, 1) with 53 random bits. */
  next(): number;
  /** An integer in [0, 2^32). */
  uint32(): number;
  /** An integer in [0, n), uniform; n must be a safe integer > 0. */
  int(n: number): number;
  /** An integer in [lo, hi], both inclusive integers with lo <= hi. */
  range(lo: number, hi: number): number;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher-Yates); the input is left as it was. */
  shuffle<T>(items: readonly T[]): T[];
  /** `chars` lowercase hexadecimal digits. */
  hex(chars: number): string;
}

const TWO_32 = 0x1_0000_0000;
const TWO_53 = 2 ** 53;

/** An `Rng` over seedrandom's Alea generator. */
class AleaRng implements Rng {
  private readonly prng: seedrandom.PRNG;

  constructor(
    readonly name: string,
    seedText: string,
  ) {
    this.prng = seedrandom.alea(seedText);
  }

  next(): number {
    return this.prng.double();
  }

  uint32(): number {
    // Alea's raw output is k / 2^32 for an integer k, so this is exact.
    return this.prng() * TWO_32;
  }

  int(n: number): number {
    if (!(n > 0) || !Number.isSafeInteger(n)) {
      fail(`Rng.int(n) needs a safe integer n > 0, got ${n}`);
    }
    if (n <= TWO_32) {
      const limit = TWO_32 - (TWO_32 % n);
      let x = this.uint32();
      while (x >= limit) {
        x = this.uint32();
      }
      return x % n;
    }
    const limit = TWO_53 - (TWO_53 % n);
    let x = this.uint53();
    while (x >= limit) {
      x = this.uint53();
    }
    return x % n;
  }

  range(lo: number, hi: number): number {
    assert(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo <= hi, `Rng.range(lo, hi) needs integers lo <= hi, got ${lo}, ${hi}`);
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'Rng.pick needs a non-empty array');
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = out[i]!;
      out[i] = out[j]!;
      out[j] = held;
    }
    return out;
  }

  hex(chars: number): string {
    assert(Number.isSafeInteger(chars) && chars >= 0, `Rng.hex needs a whole number of characters, got ${chars}`);
    let out = '';
    while (out.length < chars) {
      out += this.uint32().toString(16).padStart(8, '0');
    }
    return out.slice(0, chars);
  }

  private uint53(): number {
    return (this.uint32() % 0x20_0000) * TWO_32 + this.uint32();
  }
}

/** The streams of one simulation, all derived from its seed. */
export class RngStreams {
  /** The seed as text: the form every stream's seed is derived from. */
  readonly seed: string;
  private readonly streams = new Map<string, Rng>();

  constructor(seed: number | string) {
    if (typeof seed === 'number') {
      assert(Number.isFinite(seed), `RNG seed must be a finite number or a string, got ${seed}`);
    }
    this.seed = String(seed);
  }

  /** The stream called `name`; the same object on every call with that name. */
  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      rng = new AleaRng(name, `cnmsim:${JSON.stringify([this.seed, name])}`);
      this.streams.set(name, rng);
    }
    return rng;
  }

  /** Names of the streams used so far, sorted. */
  names(): string[] {
    return [...this.streams.keys()].sort();
  }
}
