/**
 * `-m statistic --mode random --probability P` and `--mode nth --every N [--packet P]`.
 *
 * Models: extensions/libxt_statistic.c (probability stored as lround(P * 2^31) and printed with
 * `%.11f`, e.g. kube-proxy's `0.33333333349`; `--every N` stored as N-1; save always prints
 * `--packet`) and net/netfilter/xt_statistic.c (random: `(get_random_u32() & 0x7FFFFFFF) <
 * probability`; nth: a per-rule counter starting at every-1-packet, matching when it wraps to 0).
 * Randomness comes from `NfContext.random`, the nth counter from the evaluator (MatchEnv.nextNth),
 * so the match stays deterministic (linux-primitives 12.22).
 * Leaves out: the option exclusion messages between random and nth options.
 * Invariant: 0 <= packet <= every-1; probability in 0..2^31.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { parseUint } from '../xt-parse.js';

export interface StatisticMatch {
  readonly kind: 'statistic';
  readonly mode: 'random' | 'nth';
  /** lround(P * 2^31). */
  readonly probability: number;
  /** N - 1. */
  readonly every: number;
  readonly packet: number;
  readonly invert: boolean;
}

function probabilityText(p: number): string {
  return (p / 0x8000_0000).toFixed(11);
}

function dump(d: StatisticMatch, prefix: string): string {
  const i = d.invert ? ' !' : '';
  if (d.mode === 'random') return ` ${prefix}mode random${i} ${prefix}probability ${probabilityText(d.probability)}`;
  let s = ` ${prefix}mode nth${i} ${prefix}every ${d.every + 1}`;
  if (d.packet !== 0 || prefix !== '') s += ` ${prefix}packet ${d.packet}`;
  return s;
}

export const statisticMatch: MatchDef<StatisticMatch> = {
  name: 'statistic',
  options: [
    { name: 'mode', hasArg: true, invert: false },
    { name: 'probability', hasArg: true, invert: true },
    { name: 'every', hasArg: true, invert: true },
    { name: 'packet', hasArg: true, invert: false },
  ],
  init: () => ({ kind: 'statistic', mode: 'random', probability: 0, every: 0, packet: 0, invert: false }),
  parse(d, call) {
    const invert = d.invert || call.invert;
    switch (call.id) {
      case 'mode':
        if (call.arg !== 'random' && call.arg !== 'nth') paramProblem(`Bad mode "${call.arg}"`);
        return { ...d, mode: call.arg, invert };
      case 'probability': {
        const p = Number(call.arg);
        if (call.arg.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) {
          paramProblem('statistic: bad value for option "--probability", or out of range (0-1).\n');
        }
        return { ...d, probability: Math.round(0x8000_0000 * p), invert };
      }
      case 'every':
        return { ...d, every: parseUint(call.arg, 'statistic', 'every', 1, 0xffff_ffff) - 1, invert };
      case 'packet':
        return { ...d, packet: parseUint(call.arg, 'statistic', 'packet', 0, 0xffff_ffff), invert };
      default:
        return d;
    }
  },
  final(d, call) {
    if (!call.seen.has('mode')) paramProblem('statistic: option "--mode" must be specified\n');
    if (d.mode === 'random' && !call.seen.has('probability')) {
      paramProblem('--probability must be specified when using random mode');
    }
    if (d.mode === 'nth' && !call.seen.has('every') && !call.seen.has('packet')) {
      paramProblem('--every and --packet must be specified when using nth mode');
    }
    if (d.mode === 'nth' && d.packet > d.every) paramProblem('the --packet p must be 0 <= p <= n-1');
    return d;
  },
  save: (d) => dump(d, '--'),
  print: (d) => ' statistic' + dump(d, ''),
  match(d, _pkt, env) {
    if (d.mode === 'random') {
      const draw = Math.floor(env.ctx.random() * 0x8000_0000) & 0x7fff_ffff;
      return draw < d.probability !== d.invert;
    }
    const count = env.nextNth(d.every - d.packet, d.every);
    return (count === 0) !== d.invert;
  },
};
