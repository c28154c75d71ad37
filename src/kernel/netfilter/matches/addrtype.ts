/**
 * `-m addrtype --src-type/--dst-type`: the route type of an address (LOCAL, UNICAST, ...).
 *
 * Models: extensions/libipt_addrtype.c revision 1 (type words are case-insensitive prefixes of
 * `rtn_names`, saved in that table's order; `--limit-iface-in/out`) and net/netfilter/
 * xt_addrtype.c `addrtype_mt_v1` (`inet_dev_addr_type`, restricted to the in or out device when
 * a limit is given; the checkentry refuses a limit that the hook cannot provide).
 * Docker's `-m addrtype --dst-type LOCAL -j DOCKER` is the reason this match exists here.
 * Leaves out: nothing of the IPv4 behaviour; the route types come from `NfContext.addressType`.
 * Invariant: `src`/`dst` are bitmasks over RTN_NAMES (bit i = type i); 0 means "not given".
 */
import { paramProblem } from '../errors.js';
import { badHook, type MatchDef } from '../ext-def.js';
import { RTN_NAMES } from '../names.js';

export interface AddrtypeMatch {
  readonly kind: 'addrtype';
  readonly src: number;
  readonly srcInvert: boolean;
  readonly dst: number;
  readonly dstInvert: boolean;
  readonly limitIn: boolean;
  readonly limitOut: boolean;
}

function parseTypes(arg: string): number {
  let mask = 0;
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(',');
    const word = comma < 0 ? rest : rest.slice(0, comma);
    const i = word === '' ? -1 : RTN_NAMES.findIndex((n) => n.toLowerCase().startsWith(word.toLowerCase()));
    if (i < 0) paramProblem(`addrtype: bad type "${rest}"`);
    mask |= 1 << i;
    if (comma < 0) return mask;
    rest = rest.slice(comma + 1);
  }
}

export function typesText(mask: number): string {
  return RTN_NAMES.filter((_, i) => (mask & (1 << i)) !== 0).join(',');
}

export const addrtypeMatch: MatchDef<AddrtypeMatch> = {
  name: 'addrtype',
  options: [
    { name: 'src-type', hasArg: true, invert: true },
    { name: 'dst-type', hasArg: true, invert: true },
    { name: 'limit-iface-in', hasArg: false, invert: false },
    { name: 'limit-iface-out', hasArg: false, invert: false },
  ],
  init: () => ({ kind: 'addrtype', src: 0, srcInvert: false, dst: 0, dstInvert: false, limitIn: false, limitOut: false }),
  parse(d, call) {
    switch (call.id) {
      case 'src-type':
        return { ...d, src: parseTypes(call.arg), srcInvert: call.invert };
      case 'dst-type':
        return { ...d, dst: parseTypes(call.arg), dstInvert: call.invert };
      case 'limit-iface-in':
        return { ...d, limitIn: true };
      case 'limit-iface-out':
        return { ...d, limitOut: true };
      default:
        return d;
    }
  },
  final(d) {
    if (d.src === 0 && d.dst === 0) paramProblem('addrtype: you must specify --src-type or --dst-type');
    if (d.limitIn && d.limitOut) {
      paramProblem("addrtype: you can't specify both --limit-iface-in and --limit-iface-out");
    }
    return d;
  },
  save(d) {
    let s = '';
    if (d.src !== 0) s += `${d.srcInvert ? ' !' : ''} --src-type ${typesText(d.src)}`;
    if (d.dst !== 0) s += `${d.dstInvert ? ' !' : ''} --dst-type ${typesText(d.dst)}`;
    if (d.limitIn) s += ' --limit-iface-in';
    if (d.limitOut) s += ' --limit-iface-out';
    return s;
  },
  print(d) {
    let s = ' ADDRTYPE match';
    if (d.src !== 0) s += ` src-type ${d.srcInvert ? '!' : ''}${typesText(d.src)}`;
    if (d.dst !== 0) s += ` dst-type ${d.dstInvert ? '!' : ''}${typesText(d.dst)}`;
    if (d.limitIn) s += ' limit-in';
    if (d.limitOut) s += ' limit-out';
    return s;
  },
  match(d, pkt, env) {
    const dev = d.limitIn ? pkt.inIf : d.limitOut ? pkt.outIf : undefined;
    const typeBit = (ip: number) => 1 << RTN_NAMES.indexOf(env.ctx.addressType(ip, dev));
    if (d.src !== 0 && ((d.src & typeBit(pkt.ip.src)) !== 0) === d.srcInvert) return false;
    if (d.dst !== 0 && ((d.dst & typeBit(pkt.ip.dst)) !== 0) === d.dstInvert) return false;
    return true;
  },
  kernelCheck(d, info) {
    if (d.limitIn && badHook(info, ['PREROUTING', 'INPUT', 'FORWARD']) !== undefined) {
      return 'input interface limitation not valid in POSTROUTING and OUTPUT';
    }
    if (d.limitOut && badHook(info, ['FORWARD', 'OUTPUT', 'POSTROUTING']) !== undefined) {
      return 'output interface limitation not valid in PREROUTING and INPUT';
    }
    return undefined;
  },
};
