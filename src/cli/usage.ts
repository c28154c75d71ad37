/**
 * The options several `cnmsim` commands share, and the error a bad argument raises.
 *
 * Models: yargs' own validation (unknown options, missing positionals, `choices`) plus checks
 * yargs cannot express (`--seed` must be a whole number, `--to` must be `NAME[:PORT]`); both end
 * as the command's usage and one line saying what is wrong, with exit code 2 (cli.ts).
 * Leaves out: nothing.
 */
import { TRACE_DEPTHS, type TraceDepth } from '../scenario/index.js';

/** A bad argument: cli.ts prints the usage and this message, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--seed N`: a whole number of at least 0 (the scenario's `seed:` rule). */
export function coerceSeed(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--seed expects a whole number of at least 0, got "${text}"`);
  return Number(text);
}

export const seedOption = {
  type: 'string',
  describe: "Seed of every random stream (overrides the file's seed:)",
  coerce: coerceSeed,
} as const;

export const jsonOption = { type: 'boolean', default: false, describe: 'Print JSON instead of text (never coloured)' } as const;

export const depthOption = {
  choices: TRACE_DEPTHS,
  describe: 'Teaching trace depth: learner (plain words), operator (+ routes, rules, NAT), kernel (every hook and rule)',
} as const;

export function depthOf(value: unknown, fallback: TraceDepth): TraceDepth {
  return typeof value === 'string' && (TRACE_DEPTHS as readonly string[]).includes(value) ? (value as TraceDepth) : fallback;
}

/** A repeatable, comma-separable string option's values (`--at a --at b,c`). */
export function listValues(value: unknown): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
}
