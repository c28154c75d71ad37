/**
 * The docker CLI's flag grammar: cobra commands parsing their arguments with spf13/pflag.
 *
 * Models: spf13/pflag `flag.go` (`parseArgs`, `parseLongArg`, `parseShortArg`,
 * `parseSingleShortArg`, `FlagSet.Set`) as docker/cli 20.10 uses it:
 *
 *   --name=value  --name value  -p 8080:80  -p8080:80  -p=8080:80  -dit (combined booleans,
 *   the last one may take a value: -dp 80)  --flag=false  repeated flags accumulate  --  ends flags
 *
 * With `interspersed: false` (`docker run`, `create`, `exec`) the first positional argument ends
 * flag parsing, so `docker run busybox ping -c 1 x` keeps `-c 1` for the command. Error texts are
 * pflag's: `unknown flag: --x`, `unknown shorthand flag: 'x' in -x`, `flag needs an argument:
 * --name`, `flag needs an argument: 'p' in -p`, and for a value a validator or the type refuses
 * `invalid argument "v" for "-t, --time" flag: <cause>`. Value kinds: bool, string, int, a list
 * (docker's `opts.ListOpts`, one value per use, with an optional validator), a string slice
 * (pflag `StringSlice`: comma-separated, several uses accumulate) and a map (`opts.MapOpts`,
 * `key=value`).
 * Leaves out: `NoOptDefVal` other than booleans', deprecated and hidden flags, normalisation
 * functions, the CSV quoting of `StringSlice` values.
 */

export type FlagKind = 'bool' | 'string' | 'int' | 'list' | 'slice' | 'map';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  /** Checks (and may normalise) one value, returning its error text; `opts.ValidateIPAddress` etc. */
  readonly validate?: (value: string) => { ok: true; value: string } | { ok: false; error: string };
}

/** The parsed values: each flag's values in the order given (a bool or int holds its last value). */
export class FlagValues {
  readonly #values = new Map<string, string[]>();

  set(name: string, value: string, accumulate: boolean): void {
    const list = this.#values.get(name);
    if (list === undefined || !accumulate) this.#values.set(name, [value]);
    else list.push(value);
  }

  /** Whether the flag was given (pflag's `Changed`). */
  changed(name: string): boolean {
    return this.#values.has(name);
  }

  bool(name: string): boolean {
    const v = this.#values.get(name);
    return v !== undefined && v[v.length - 1] === 'true';
  }

  string(name: string, fallback = ''): string {
    const v = this.#values.get(name);
    return v === undefined ? fallback : (v[v.length - 1] ?? fallback);
  }

  int(name: string, fallback: number): number {
    const v = this.#values.get(name);
    return v === undefined ? fallback : Number(v[v.length - 1]);
  }

  list(name: string): string[] {
    return [...(this.#values.get(name) ?? [])];
  }

  /** `key=value` pairs of a map flag, in the order given (a later key wins). */
  map(name: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const kv of this.#values.get(name) ?? []) {
      const eq = kv.indexOf('=');
      if (eq === -1) out.set(kv, '');
      else out.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    return out;
  }
}

export interface ParsedArgs {
  readonly flags: FlagValues;
  readonly args: string[];
  /** `--help` was given (cobra's own flag). */
  readonly help: boolean;
}

export type ParseResult = { readonly ok: true; readonly value: ParsedArgs } | { readonly ok: false; readonly error: string };

const BOOL_TEXT = new Map([
  ['1', 'true'],
  ['t', 'true'],
  ['T', 'true'],
  ['true', 'true'],
  ['TRUE', 'true'],
  ['True', 'true'],
  ['0', 'false'],
  ['f', 'false'],
  ['F', 'false'],
  ['false', 'false'],
  ['FALSE', 'false'],
  ['False', 'false'],
]);

/** The name pflag prints for a flag in `invalid argument` errors. */
function displayName(spec: FlagSpec): string {
  return spec.short === undefined ? `--${spec.name}` : `-${spec.short}, --${spec.name}`;
}

/** `FlagSet.Set`: converts and stores one value. */
function setValue(values: FlagValues, spec: FlagSpec, raw: string): string | undefined {
  const invalid = (cause: string): string => `invalid argument ${JSON.stringify(raw)} for ${JSON.stringify(displayName(spec))} flag: ${cause}`;
  switch (spec.kind) {
    case 'bool': {
      const b = BOOL_TEXT.get(raw);
      if (b === undefined) return invalid(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
      values.set(spec.name, b, false);
      return undefined;
    }
    case 'int': {
      if (!/^[+-]?[0-9]+$/.test(raw)) return invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
      values.set(spec.name, String(Number(raw)), false);
      return undefined;
    }
    case 'string': {
      const v = spec.validate === undefined ? { ok: true as const, value: raw } : spec.validate(raw);
      if (!v.ok) return invalid(v.error);
      values.set(spec.name, v.value, false);
      return undefined;
    }
    case 'list':
    case 'map': {
      const v = spec.validate === undefined ? { ok: true as const, value: raw } : spec.validate(raw);
      if (!v.ok) return invalid(v.error);
      values.set(spec.name, v.value, true);
      return undefined;
    }
    case 'slice': {
      for (const part of raw === '' ? [] : raw.split(',')) values.set(spec.name, part, true);
      if (raw === '' && !values.changed(spec.name)) values.set(spec.name, '', true);
      return undefined;
    }
  }
}

/**
 * Parses `argv` (the words after the command path) against `specs`. `--help` is always known;
 * `-h` means help unless a spec claims it (`docker run -h` is `--hostname`).
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], interspersed = true): ParseResult {
  const byName = new Map(specs.map(s => [s.name, s]));
  const byShort = new Map(specs.filter(s => s.short !== undefined).map(s => [s.short!, s]));
  const values = new FlagValues();
  const args: string[] = [];
  let help = false;
  let i = 0;
  const fail = (error: string): ParseResult => ({ ok: false, error });
  while (i < argv.length) {
    const a = argv[i]!;
    i++;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      if (!interspersed) {
        args.push(...argv.slice(i));
        break;
      }
      continue;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq === -1 ? body : body.slice(0, eq);
      if (name === 'help' && !byName.has('help')) {
        help = true;
        continue;
      }
      const spec = byName.get(name);
      if (spec === undefined) return fail(`unknown flag: --${name}`);
      let value: string;
      if (eq !== -1) value = body.slice(eq + 1);
      else if (spec.kind === 'bool') value = 'true';
      else if (i < argv.length) value = argv[i++]!;
      else return fail(`flag needs an argument: --${name}`);
      const e = setValue(values, spec, value);
      if (e !== undefined) return fail(e);
      continue;
    }
    // Short flags: each character in turn; a value-taking one eats the rest (or the next word).
    let shorts = a.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const spec = byShort.get(c);
      if (spec === undefined) {
        if (c === 'h') {
          help = true;
          shorts = shorts.slice(1);
          continue;
        }
        return fail(`unknown shorthand flag: '${c}' in -${shorts}`);
      }
      let value: string;
      if (shorts.length > 2 && shorts[1] === '=') {
        value = shorts.slice(2);
        shorts = '';
      } else if (spec.kind === 'bool') {
        value = 'true';
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        value = shorts.slice(1);
        shorts = '';
      } else if (i < argv.length) {
        value = argv[i++]!;
        shorts = '';
      } else {
        return fail(`flag needs an argument: '${c}' in -${c}`);
      }
      const e = setValue(values, spec, value);
      if (e !== undefined) return fail(e);
    }
  }
  return { ok: true, value: { flags: values, args, help } };
}
