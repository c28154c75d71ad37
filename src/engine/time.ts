/**
 * Virtual time: instants and durations as integer nanoseconds.
 *
 * Models: ns-3's `Time` (`src/core/model/nstime.h`), an integer count of a fixed resolution, and
 * smoltcp's `Instant`/`Duration` (`src/time.rs`), plain values handed to code instead of a clock
 * it reads. Scenario files write durations the way Go's `time.ParseDuration` reads them (Docker's
 * own flags such as `--health-interval` take that syntax): `250ms`, `1.5s`, `2m30s`, `1h`.
 * `formatInstant` prints seconds with nine decimals like `tcpdump --nano -ttt` relative times.
 *
 * Leaves out: negative durations in the text syntax (virtual time never runs backwards), calendar
 * time and time zones (there is no wall clock in the simulation), and Go's silent truncation of
 * sub-nanosecond fractions (`1.5ns` is rejected rather than rounded).
 *
 * Invariants: every `Instant` and `Duration` is a safe integer number of nanoseconds
 * (`Number.isSafeInteger`), which spans about 104 days of virtual time. Instant 0 is the start of
 * the run. Parsing uses exact decimal arithmetic, so `parseDuration('1.1s')` is 1_100_000_000 and
 * not one nanosecond off; `parseDuration(formatDuration(d)) === d` for every non-negative `d`.
 */

import { assert } from './assert.js';

/** A point in virtual time: nanoseconds since the start of the run. */
export type Instant = number;
/** A span of virtual time in nanoseconds. */
export type Duration = number;

export const NS: Duration = 1;
export const US: Duration = 1_000;
export const MS: Duration = 1_000_000;
export const SECOND: Duration = 1_000_000_000;
export const MINUTE: Duration = 60 * SECOND;
export const HOUR: Duration = 60 * MINUTE;

/** Units accepted by `parseDuration`, as in Go's `time.ParseDuration` (`µs`/`μs` too). */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const EXAMPLES = 'a number with a unit ns, us, ms, s, m or h, as in 250ms, 1.5s or 2m30s';

/** One `<number><unit>` component: digits with an optional fraction, then letters. */
const COMPONENT = /^(\d+(?:\.\d*)?|\.\d+)([a-zµμ]*)/;

/** Asserts that `value` is a whole, safe number of nanoseconds (an Instant or Duration). */
export function assertTime(value: number, what: string): void {
  assert(Number.isSafeInteger(value), `${what} must be a whole number of nanoseconds, got ${value}`);
}

/**
 * Parses Go duration syntax into nanoseconds: a sequence of decimal numbers, each with an optional
 * fraction and a unit (`250ms`, `2s`, `1.5s`, `10us`, `100ns`, `1h`, `2m30s`), or a bare `0`.
 * Returns `{ error }` with a sentence naming the problem for anything else.
 */
export function parseDuration(text: string): Duration | { error: string } {
  const input = text.trim();
  const bad = (why: string): { error: string } => ({ error: `invalid duration "${text}": ${why}` });
  if (input === '') {
    return bad(`empty; expected ${EXAMPLES}`);
  }
  let rest = input;
  if (rest.startsWith('-')) {
    return bad('virtual time cannot go backwards, so durations cannot be negative');
  }
  if (rest.startsWith('+')) {
    rest = rest.slice(1);
  }
  if (rest === '0') {
    return 0;
  }
  let total = 0n;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    if (match === null) {
      return bad(`unexpected "${rest}"; expected ${EXAMPLES}`);
    }
    const [whole, number, unitText] = match as unknown as [string, string, string];
    if (unitText === '') {
      const after = rest.slice(whole.length);
      return bad(after === '' ? `missing unit after "${number}"; expected ${EXAMPLES}` : `unexpected "${after}" after "${number}"; expected ${EXAMPLES}`);
    }
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      return bad(`unknown unit "${unitText}"; expected ${EXAMPLES}`);
    }
    const [intDigits = '', fracDigits = ''] = number.split('.');
    const scale = 10n ** BigInt(fracDigits.length);
    const fracNs = BigInt(fracDigits === '' ? '0' : fracDigits) * unit;
    if (fracNs % scale !== 0n) {
      return bad(`"${number}${unitText}" is not a whole number of nanoseconds`);
    }
    total += BigInt(intDigits === '' ? '0' : intDigits) * unit + fracNs / scale;
    if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
      return bad(`longer than the largest virtual duration (${formatDuration(Number.MAX_SAFE_INTEGER)})`);
    }
    rest = rest.slice(whole.length);
  }
  return Number(total);
}

/** `value` / `unit` as a decimal with trailing zeros trimmed: (1_500, 1_000) gives `1.5`. */
function decimal(value: number, unit: number, digits: number): string {
  const frac = value % unit;
  const whole = (value - frac) / unit;
  if (frac === 0) {
    return String(whole);
  }
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/**
 * Formats a duration as Go's `Duration.String` does, with `us` for microseconds:
 * `0s`, `100ns`, `1.5us`, `250ms`, `2.5s`, `2m30s`, `1h0m0s`.
 */
export function formatDuration(d: Duration): string {
  assertTime(d, 'duration');
  if (d < 0) {
    return `-${formatDuration(-d)}`;
  }
  if (d === 0) {
    return '0s';
  }
  if (d < US) {
    return `${d}ns`;
  }
  if (d < MS) {
    return `${decimal(d, US, 3)}us`;
  }
  if (d < SECOND) {
    return `${decimal(d, MS, 6)}ms`;
  }
  const subMinute = d % MINUTE;
  const minutes = (d - subMinute) / MINUTE;
  const seconds = `${decimal(subMinute, SECOND, 9)}s`;
  if (minutes === 0) {
    return seconds;
  }
  const m = minutes % 60;
  const h = (minutes - m) / 60;
  return h === 0 ? `${m}m${seconds}` : `${h}h${m}m${seconds}`;
}

/** Formats an instant as seconds with nine decimals, like `tcpdump --nano`: `1.000000123`. */
export function formatInstant(t: Instant): string {
  assertTime(t, 'instant');
  if (t < 0) {
    return `-${formatInstant(-t)}`;
  }
  const ns = t % SECOND;
  return `${(t - ns) / SECOND}.${String(ns).padStart(9, '0')}`;
}
