/**
 * `-m u32 --u32 "EXPR"`: tests on 32-bit words read from the packet at computed offsets.
 *
 *   tests    := test ( "&&" test )*            at most 10 tests, locations and ranges each
 *   test     := location "=" range ( "," range )*
 *   location := number ( op number )*          op: "&" mask, "<<" ">>" shift, "@" move to offset
 *   range    := number [ ":" number ]
 *
 * e.g. `0>>22&0x3C@0>>16=80` (IPv4 header length, then the TCP source port is 80).
 *
 * Models: extensions/libxt_u32.c `u32_parse` (its state machine and "u32: at char N: ..."
 * errors; numbers in base 0) and `u32_dump` (hex everywhere, in double quotes), and
 * net/netfilter/xt_u32.c `u32_match_it` (big-endian reads from the IP header on; any read past
 * the end fails the match; `@` adds the current value to the base offset).
 * Leaves out: nothing.
 * Invariant: every number is a uint32; shifts are taken modulo 32 as x86 does.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';

const XT_U32_MAXSIZE = 10;

export type U32Op = '&' | '<<' | '>>' | '@';

export interface U32Test {
  /** The first location number has no operator. */
  readonly first: number;
  readonly steps: readonly { readonly op: U32Op; readonly number: number }[];
  readonly values: readonly { readonly min: number; readonly max: number }[];
}

export interface U32Match {
  readonly kind: 'u32';
  readonly tests: readonly U32Test[];
  readonly invert: boolean;
}

/** strtoul(s + pos, &end, 0) restricted to uint32: the number and where it ended. */
function readNumber(s: string, pos: number): { value: number; end: number } {
  let i = pos;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  let radix = 10;
  let digits = /[0-9]/;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    radix = 16;
    digits = /[0-9a-fA-F]/;
    i += 2;
  } else if (s[i] === '0') {
    radix = 8;
    digits = /[0-7]/;
  }
  const start = i;
  while (i < s.length && digits.test(s[i]!)) i++;
  if (i === start) paramProblem(`u32: at char ${pos}: expected number`);
  const value = parseInt(s.slice(start, i), radix);
  if (value > 0xffff_ffff) paramProblem(`u32: at char ${pos}: expected number`);
  return { value, end: i };
}

export function parseU32(arg: string): U32Test[] {
  const tests: U32Test[] = [];
  let first: number | undefined;
  let steps: { op: U32Op; number: number }[] = [];
  let values: { min: number; max: number }[] = [];
  let state: 0 | 1 = 0;
  let i = 0;
  for (;;) {
    while (i < arg.length && /\s/.test(arg[i]!)) i++;
    if (i >= arg.length) {
      if (state === 0) paramProblem('u32: abrupt end of input after location specifier');
      if (values.length === 0) paramProblem('u32: test ended with no value specified');
      tests.push({ first: first!, steps, values });
      if (tests.length > XT_U32_MAXSIZE) paramProblem(`u32: at char ${i}: too many "&&"s`);
      return tests;
    }
    const c = arg[i]!;
    if (state === 0) {
      if (c === '=') {
        if (first === undefined) paramProblem(`u32: at char ${i}: location spec missing`);
        i++;
        state = 1;
        continue;
      }
      let op: U32Op | undefined;
      if (first !== undefined) {
        if (c === '&') op = '&';
        else if (c === '<' || c === '>') {
          if (arg[i + 1] !== c) paramProblem(`u32: at char ${i + 1}: a second '${c}' was expected`);
          i++;
          op = c === '<' ? '<<' : '>>';
        } else if (c === '@') op = '@';
        else paramProblem(`u32: at char ${i}: operator expected`);
        i++;
      }
      const n = readNumber(arg, i);
      i = n.end;
      if (op === undefined) first = n.value;
      else steps.push({ op, number: n.value });
      if (steps.length + 1 > XT_U32_MAXSIZE) paramProblem(`u32: at char ${i}: too many operators`);
    } else if (c === '&') {
      if (arg[i + 1] !== '&') paramProblem(`u32: at char ${i + 1}: a second '&' was expected`);
      if (values.length === 0) paramProblem(`u32: at char ${i + 1}: value spec missing`);
      tests.push({ first: first!, steps, values });
      if (tests.length > XT_U32_MAXSIZE) paramProblem(`u32: at char ${i + 1}: too many "&&"s`);
      i += 2;
      state = 0;
      first = undefined;
      steps = [];
      values = [];
    } else {
      if (values.length > 0) {
        if (c !== ',') paramProblem(`u32: at char ${i}: expected "," or "&&"`);
        i++;
      }
      const lo = readNumber(arg, i);
      i = lo.end;
      while (i < arg.length && /\s/.test(arg[i]!)) i++;
      let max = lo.value;
      if (arg[i] === ':') {
        const hi = readNumber(arg, i + 1);
        i = hi.end;
        max = hi.value;
      }
      values.push({ min: lo.value, max });
      if (values.length > XT_U32_MAXSIZE) paramProblem(`u32: at char ${i}: too many ","s`);
    }
  }
}

const hx = (n: number) => `0x${n.toString(16)}`;

export function u32Text(tests: readonly U32Test[]): string {
  const parts = tests.map((t) => {
    const loc = hx(t.first) + t.steps.map((s) => `${s.op}${hx(s.number)}`).join('');
    const vals = t.values.map((v) => (v.min === v.max ? hx(v.min) : `${hx(v.min)}:${hx(v.max)}`)).join(',');
    return `${loc}=${vals}`;
  });
  return `"${parts.join('&&')}"`;
}

function read32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** `u32_match_it`. */
export function u32Matches(tests: readonly U32Test[], bytes: Uint8Array): boolean {
  const len = bytes.length;
  for (const t of tests) {
    let at = 0;
    let pos = t.first;
    if (len < 4 || pos > len - 4) return false;
    let val = read32(bytes, pos);
    for (const step of t.steps) {
      switch (step.op) {
        case '&':
          val = (val & step.number) >>> 0;
          break;
        case '<<':
          val = (val << (step.number & 31)) >>> 0;
          break;
        case '>>':
          val = val >>> (step.number & 31);
          break;
        case '@':
          at += val;
          pos = step.number;
          if (at > 0xffff_ffff || at + 4 > len || pos > len - at - 4) return false;
          val = read32(bytes, at + pos);
          break;
      }
    }
    if (!t.values.some((v) => v.min <= val && val <= v.max)) return false;
  }
  return true;
}

export const u32Match: MatchDef<U32Match> = {
  name: 'u32',
  options: [{ name: 'u32', hasArg: true, invert: true }],
  init: () => ({ kind: 'u32', tests: [], invert: false }),
  parse: (d, call) => ({ ...d, tests: parseU32(call.arg), invert: call.invert }),
  final(d, call) {
    if (!call.seen.has('u32')) paramProblem('u32: option "--u32" must be specified\n');
    return d;
  },
  save: (d) => `${d.invert ? ' !' : ''} --u32 ${u32Text(d.tests)}`,
  print: (d) => ` u32${d.invert ? ' !' : ''} ${u32Text(d.tests)}`,
  match: (d, pkt) => u32Matches(d.tests, pkt.bytes ?? new Uint8Array(0)) !== d.invert,
};
