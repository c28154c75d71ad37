/**
 * libpopt's tokenising as ipvsadm uses it: an option table in, option tokens and leftover
 * words out, in argv order.
 *
 * Models: popt 1.x `poptGetNextOpt` / `poptGetArg` / `poptBadOption` without aliases or
 * POPT_CONTEXT_POSIXMEHARDER: clustered short options (`-Ln`), an argument attached to a short
 * option (`-t1.2.3.4:80`) or in the next word, `--long=value` or `--long value`, an optional
 * argument (POPT_ARGFLAG_OPTIONAL) taken from the next word only when it does not start with `-`,
 * `--` ending the options, and words that are not options kept as leftovers (popt permutes).
 * An unknown option or a missing argument becomes an error token carrying the whole word, which
 * is what `poptBadOption` reports ("-Lq: unknown option").
 * Leaves out: aliases, `-long` single-dash long options, abbreviations (popt has none either).
 */

export type ArgMode = 'none' | 'required' | 'optional';
export interface OptDef {
  readonly key: string;
  readonly long: string;
  readonly short?: string;
  readonly arg: ArgMode;
}

export interface Token {
  readonly key: string;
  readonly arg: string | undefined;
  /** The word as given, for popt's error messages. */
  readonly raw: string;
  readonly error?: 'unknown option' | 'missing argument';
}

/** popt's pass over argv: option tokens in order, and the leftover words. */
export function tokenize(words: readonly string[], defs: readonly OptDef[]): { tokens: Token[]; leftovers: string[] } {
  const tokens: Token[] = [];
  const leftovers: string[] = [];
  let i = 0;
  const takeNext = (mode: ArgMode): string | undefined => {
    const next = words[i];
    if (next === undefined) return undefined;
    if (mode === 'optional' && next.startsWith('-')) return undefined;
    i++;
    return next;
  };
  while (i < words.length) {
    const w = words[i++]!;
    if (w === '--') {
      leftovers.push(...words.slice(i));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const def = defs.find(d => d.long === name);
      if (def === undefined) {
        tokens.push({ key: '?', arg: undefined, raw: w, error: 'unknown option' });
        continue;
      }
      let arg = eq < 0 ? undefined : w.slice(eq + 1);
      if (arg === undefined && def.arg !== 'none') arg = takeNext(def.arg);
      if (arg === undefined && def.arg === 'required') tokens.push({ key: def.key, arg, raw: w, error: 'missing argument' });
      else tokens.push({ key: def.key, arg, raw: w });
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const def = defs.find(d => d.short === w[j]);
        if (def === undefined) {
          tokens.push({ key: '?', arg: undefined, raw: w, error: 'unknown option' });
          break;
        }
        if (def.arg === 'none') {
          tokens.push({ key: def.key, arg: undefined, raw: w });
          continue;
        }
        const rest = w.slice(j + 1);
        const arg = rest !== '' ? rest : takeNext(def.arg);
        if (arg === undefined && def.arg === 'required') tokens.push({ key: def.key, arg, raw: w, error: 'missing argument' });
        else tokens.push({ key: def.key, arg, raw: w });
        break;
      }
      continue;
    }
    leftovers.push(w);
  }
  return { tokens, leftovers };
}
