/**
 * `-m state --state`: the older name of the conntrack state test.
 *
 * Models: the `state` alias in extensions/libxt_conntrack.c (since iptables 1.4.17 `-m state` is
 * a conntrack match flagged XT_CONNTRACK_STATE_ALIAS, saved back as `-m state --state ...`; words
 * INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, prefix and case insensitive, printed in the order
 * INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED) and net/netfilter/xt_conntrack.c for the test itself.
 * Leaves out: the SNAT/DNAT pseudo states, which only `--ctstate` knows.
 * Invariant: `states` is never empty (the option is mandatory).
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { ctStateBits, ordered, parseWordList, prefixWord, type CtStateWord } from './conntrack.js';

const STATE_WORDS: readonly CtStateWord[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];
const PRINT_ORDER: readonly CtStateWord[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'];

export interface StateMatch {
  readonly kind: 'state';
  readonly states: readonly CtStateWord[];
  readonly invert: boolean;
}

export const stateMatch: MatchDef<StateMatch> = {
  name: 'state',
  options: [{ name: 'state', hasArg: true, invert: true }],
  init: () => ({ kind: 'state', states: [], invert: false }),
  parse: (d, call) => ({
    ...d,
    states: parseWordList(call.arg, 'state', (w) => prefixWord(STATE_WORDS, w)),
    invert: call.invert,
  }),
  final(d, call) {
    if (!call.seen.has('state')) paramProblem('state: option "--state" must be specified\n');
    return d;
  },
  save: (d) => `${d.invert ? ' !' : ''} --state ${ordered(PRINT_ORDER, d.states).join(',')}`,
  print: (d) => `${d.invert ? ' !' : ''} state ${ordered(PRINT_ORDER, d.states).join(',')}`,
  match(d, pkt) {
    const bits = ctStateBits(pkt.ct, false);
    return d.states.some((w) => bits.has(w)) !== d.invert;
  },
};
