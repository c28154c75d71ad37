/**
 * `-m set --match-set NAME dst|src[,...]`: membership of an address in an ipset.
 *
 * Models: extensions/libxt_set.c revision 4 (`parse_dirs`: up to 6 comma-separated src/dst
 * words; names up to 31 characters; save ` --match-set NAME dst` and print ` match-set NAME
 * dst`; `--return-nomatch`, `! --update-counters`, `! --update-subcounters`) and
 * net/netfilter/xt_set.c (`ip_set_test` on the packet's addresses).
 * Docker 28 uses `-m set --match-set docker-ext-bridges-v4 dst` (libnetwork-facts appendix A).
 * Leaves out: non-address dimensions: the set test receives the address of the first
 * dimension only; packet/byte counter conditions (`--packets-eq`, ...).
 * Invariant: 1 <= dirs.length <= 6.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';

const IPSET_MAXNAMELEN = 32;
const IPSET_DIM_MAX = 6;

export interface SetMatch {
  readonly kind: 'set';
  readonly name: string;
  readonly dirs: readonly ('src' | 'dst')[];
  readonly invert: boolean;
  readonly returnNomatch: boolean;
  readonly noUpdateCounters: boolean;
  readonly noUpdateSubcounters: boolean;
}

function parseDirs(text: string): ('src' | 'dst')[] {
  const words = text.split(',');
  if (words.length > IPSET_DIM_MAX) paramProblem(`Can't be more src/dst options than ${IPSET_DIM_MAX}.`);
  return words.map((w) => {
    if (w !== 'src' && w !== 'dst') paramProblem("You must specify (the comma separated list of) 'src' or 'dst'.");
    return w;
  });
}

function flags(d: SetMatch, prefix: string): string {
  let s = '';
  if (d.returnNomatch) s += ` ${prefix}return-nomatch`;
  if (d.noUpdateCounters) s += ` ! ${prefix}update-counters`;
  if (d.noUpdateSubcounters) s += ` ! ${prefix}update-subcounters`;
  return s;
}

export const setMatch: MatchDef<SetMatch> = {
  name: 'set',
  options: [
    { name: 'match-set', hasArg: true, invert: true, secondArg: '--match-set requires two args.' },
    { name: 'return-nomatch', hasArg: false, invert: false },
    { name: 'update-counters', hasArg: false, invert: true },
    { name: 'update-subcounters', hasArg: false, invert: true },
  ],
  init: () => ({
    kind: 'set',
    name: '',
    dirs: [],
    invert: false,
    returnNomatch: false,
    noUpdateCounters: false,
    noUpdateSubcounters: false,
  }),
  parse(d, call) {
    switch (call.id) {
      case 'match-set':
        if (call.arg.length > IPSET_MAXNAMELEN - 1) {
          paramProblem(`Setname '${call.arg}' is too long, max ${IPSET_MAXNAMELEN - 1} characters.`);
        }
        return { ...d, name: call.arg, dirs: parseDirs(call.arg2 ?? ''), invert: call.invert };
      case 'return-nomatch':
        return { ...d, returnNomatch: true };
      case 'update-counters':
        return { ...d, noUpdateCounters: call.invert };
      case 'update-subcounters':
        return { ...d, noUpdateSubcounters: call.invert };
      default:
        return d;
    }
  },
  final(d, call) {
    if (!call.seen.has('match-set')) paramProblem('You must specify `--match-set\' with proper arguments');
    return d;
  },
  save: (d) => `${d.invert ? ' !' : ''} --match-set ${d.name} ${d.dirs.join(',')}` + flags(d, '--'),
  print: (d) => `${d.invert ? ' !' : ''} match-set ${d.name} ${d.dirs.join(',')}` + flags(d, ''),
  match(d, pkt, env) {
    const test = env.ctx.ipset(d.name);
    if (test === undefined) return false;
    const ip = d.dirs[0] === 'src' ? pkt.ip.src : pkt.ip.dst;
    return test(ip) !== d.invert;
  },
};
