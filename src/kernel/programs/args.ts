/**
 * Command-line parsing for the simulated programs: POSIX/GNU `getopt_long` as busybox's
 * `getopt32` and the host tools use it (clustered short options `-qO-`, attached or separate
 * arguments `-c1` / `-c 1`, `--` ending options, operands anywhere as GNU permutes them, long
 * options `--max-time 2` / `--max-time=2`).
 *
 * Models: glibc `getopt_long` (permuting mode), busybox `libbb/getopt32.c`.
 * Leaves out: optional arguments (`::`), abbreviated long options.
 */

export interface LongOption {
  /** The short option it stands for (or a unique key when it has none). */
  readonly key: string;
  readonly hasArg: boolean;
}

export interface ParsedArgs {
  /** Every value given per option key, in order; flags get `''`. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly operands: readonly string[];
  /** `invalid option -- 'x'` / `option requires an argument -- 'c'`, as getopt prints it. */
  readonly error: string | undefined;
}

export class ProgramArgs implements ParsedArgs {
  constructor(
    readonly values: ReadonlyMap<string, readonly string[]>,
    readonly operands: readonly string[],
    readonly error: string | undefined,
  ) {}

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The last value given for `key`. */
  get(key: string): string | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : v[v.length - 1];
  }

  all(key: string): readonly string[] {
    return this.values.get(key) ?? [];
  }

  count(key: string): number {
    return this.values.get(key)?.length ?? 0;
  }
}

/**
 * Parses `argv` (without the program name). `spec` lists short options, `:` after one that
 * takes an argument (`"c:W:q"`); `longs` maps long names to keys.
 */
export function getopt(argv: readonly string[], spec: string, longs: Readonly<Record<string, LongOption>> = {}): ProgramArgs {
  const takesArg = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':') continue;
    takesArg.set(c, spec[i + 1] === ':');
  }
  const values = new Map<string, string[]>();
  const operands: string[] = [];
  const add = (key: string, value: string): void => {
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const long = longs[name];
      if (long === undefined) return new ProgramArgs(values, operands, `unrecognized option '--${name}'`);
      if (long.hasArg) {
        if (eq >= 0) add(long.key, arg.slice(eq + 1));
        else if (i + 1 < argv.length) add(long.key, argv[++i]!);
        else return new ProgramArgs(values, operands, `option '--${name}' requires an argument`);
      } else {
        add(long.key, '');
      }
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      const needs = takesArg.get(c);
      if (needs === undefined) return new ProgramArgs(values, operands, `invalid option -- '${c}'`);
      if (!needs) {
        add(c, '');
        continue;
      }
      if (j + 1 < arg.length) add(c, arg.slice(j + 1));
      else if (i + 1 < argv.length) add(c, argv[++i]!);
      else return new ProgramArgs(values, operands, `option requires an argument -- '${c}'`);
      break;
    }
  }
  return new ProgramArgs(values, operands, undefined);
}

/** A number of seconds as the tools accept it (`1`, `0.2`, `2s`, `1m`, `1h`); undefined when invalid. */
export function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : m[2] === 'd' ? 86400 : 1;
  return n * unit;
}

/** A non-negative integer, or undefined. */
export function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
