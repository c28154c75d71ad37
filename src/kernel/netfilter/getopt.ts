/**
 * The slice of glibc `getopt_long` behaviour iptables depends on, as a small tokenizer.
 *
 * Models: glibc posix/getopt.c with iptables' optstring
 * `-:A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46`: clustered short
 * options (`-nvL`), attached arguments (`-ptcp`, `--protocol=tcp`), optional arguments only when
 * attached, long options matched exactly or by an unambiguous prefix (candidates with the same
 * owner and argument kind are not ambiguous, as glibc compares has_arg/flag/val), and words that
 * are not options returned in order (the leading `-` of the optstring). Also iptables' own
 * `add_param_to_argv` (iptables/xshared.c), which splits an iptables-restore line into words,
 * honouring double quotes and backslash escapes inside them.
 * Leaves out: `--` as end of options; GNU argument permutation (iptables disables it with `-`).
 * Invariant: the tokenizer never reorders words.
 */

export type ShortArg = 'none' | 'required' | 'optional';

/** iptables' short options and whether they take an argument. */
export const SHORT_OPTIONS: Readonly<Record<string, ShortArg>> = {
  A: 'required',
  C: 'required',
  D: 'required',
  R: 'required',
  I: 'required',
  L: 'optional',
  S: 'optional',
  M: 'required',
  F: 'optional',
  Z: 'optional',
  N: 'required',
  X: 'optional',
  E: 'required',
  P: 'required',
  V: 'none',
  h: 'optional',
  o: 'required',
  p: 'required',
  s: 'required',
  d: 'required',
  j: 'required',
  i: 'required',
  f: 'none',
  v: 'none',
  w: 'optional',
  W: 'optional',
  n: 'none',
  t: 'required',
  m: 'required',
  x: 'none',
  c: 'required',
  g: 'required',
  '4': 'none',
  '6': 'none',
};

/** `original_opts` of iptables/xtables.c: long name -> short letter ('0' is --line-numbers). */
export const LONG_BUILTINS: readonly (readonly [string, string, ShortArg])[] = [
  ['append', 'A', 'required'],
  ['delete', 'D', 'required'],
  ['check', 'C', 'required'],
  ['insert', 'I', 'required'],
  ['replace', 'R', 'required'],
  ['list', 'L', 'optional'],
  ['list-rules', 'S', 'optional'],
  ['flush', 'F', 'optional'],
  ['zero', 'Z', 'optional'],
  ['new-chain', 'N', 'required'],
  ['delete-chain', 'X', 'optional'],
  ['rename-chain', 'E', 'required'],
  ['policy', 'P', 'required'],
  ['source', 's', 'required'],
  ['destination', 'd', 'required'],
  ['src', 's', 'required'],
  ['dst', 'd', 'required'],
  ['protocol', 'p', 'required'],
  ['in-interface', 'i', 'required'],
  ['jump', 'j', 'required'],
  ['table', 't', 'required'],
  ['match', 'm', 'required'],
  ['numeric', 'n', 'none'],
  ['out-interface', 'o', 'required'],
  ['verbose', 'v', 'none'],
  ['wait', 'w', 'optional'],
  ['wait-interval', 'W', 'optional'],
  ['exact', 'x', 'none'],
  ['fragments', 'f', 'none'],
  ['version', 'V', 'none'],
  ['help', 'h', 'optional'],
  ['line-numbers', '0', 'none'],
  ['modprobe', 'M', 'required'],
  ['set-counters', 'c', 'required'],
  ['goto', 'g', 'required'],
  ['ipv4', '4', 'none'],
  ['ipv6', '6', 'none'],
];

/** One long-option candidate: `owner` groups aliases the way glibc's val does. */
export interface LongEntry<T> {
  readonly name: string;
  readonly owner: string;
  readonly arg: ShortArg;
  readonly payload: T;
}

export type LongLookup<T> =
  | { readonly kind: 'found'; readonly entry: LongEntry<T> }
  | { readonly kind: 'ambiguous' }
  | { readonly kind: 'none' };

/** glibc: an exact name wins; else a unique prefix (all candidates alike in owner and arg). */
export function lookupLong<T>(entries: readonly LongEntry<T>[], name: string): LongLookup<T> {
  const exact = entries.find((e) => e.name === name);
  if (exact !== undefined) return { kind: 'found', entry: exact };
  const cands = entries.filter((e) => e.name.startsWith(name));
  const first = cands[0];
  if (first === undefined) return { kind: 'none' };
  if (cands.some((c) => c.owner !== first.owner || c.arg !== first.arg)) return { kind: 'ambiguous' };
  return { kind: 'found', entry: first };
}

/** `xs_has_arg`: the next word exists and does not start with `-` or `!`. */
export function hasNextArg(argv: readonly string[], index: number): boolean {
  const w = argv[index];
  return w !== undefined && !w.startsWith('-') && !w.startsWith('!');
}

/**
 * `add_param_to_argv`: split a restore line into words. A closing quote ends the word at once
 * (so `""` is an empty word); a backslash escapes the next character inside quotes only.
 */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let buf = '';
  let quoteOpen = false;
  let escaped = false;
  for (const ch of line) {
    if (quoteOpen) {
      if (escaped) {
        buf += ch;
        escaped = false;
      } else if (ch === '\\') {
        escaped = true;
      } else if (ch === '"') {
        quoteOpen = false;
        out.push(buf);
        buf = '';
      } else {
        buf += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoteOpen = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (buf.length > 0) out.push(buf);
      buf = '';
      continue;
    }
    buf += ch;
  }
  if (buf.length > 0) out.push(buf);
  return out;
}
