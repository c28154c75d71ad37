/**
 * `-m multiport --dports/--sports/--ports a,b,c:d`: up to 15 ports or ranges in one rule.
 *
 * Models: extensions/libxt_multiport.c revision 1 (`check_proto` runs when the option is parsed,
 * so `-p` must come first; a range takes two of the 15 slots; one option per match) and
 * net/netfilter/xt_multiport.c `ports_match_v1` (first hit wins, XOR invert; `--ports` matches
 * either direction).
 * Leaves out: revision 0.
 * Invariant: the slot count (1 per port, 2 per range) is at most 15.
 */
import { paramProblem } from '../errors.js';
import { PORT_PROTOS, type MatchDef, type ProtoInfo } from '../ext-def.js';
import { protoToName } from '../names.js';
import { parsePort } from '../xt-parse.js';
import { portName } from './ports.js';

const XT_MULTI_PORTS = 15;

export interface MultiportMatch {
  readonly kind: 'multiport';
  readonly dir: 'sports' | 'dports' | 'ports';
  /** Each item is a single port (`hi === lo`, `range` false) or a range. */
  readonly items: readonly { readonly lo: number; readonly hi: number; readonly range: boolean }[];
  readonly invert: boolean;
}

function checkProto(info: ProtoInfo): string {
  if (info.protoInvert) paramProblem('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
  const name = protoToName(info.proto, false);
  if (info.proto === 0) {
    paramProblem("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
  }
  if (!PORT_PROTOS.includes(info.proto) || name === undefined) {
    paramProblem('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
  }
  return name;
}

function parsePorts(text: string, proto: string): MultiportMatch['items'] {
  const items: { lo: number; hi: number; range: boolean }[] = [];
  let slots = 0;
  const words = text.split(',');
  for (const word of words) {
    if (slots >= XT_MULTI_PORTS) paramProblem('too many ports specified');
    const colon = word.indexOf(':');
    if (colon >= 0) {
      if (slots === XT_MULTI_PORTS - 1) paramProblem('too many ports specified');
      const lo = parsePort(word.slice(0, colon), proto);
      const hi = parsePort(word.slice(colon + 1), proto);
      if (lo >= hi) paramProblem('invalid portrange specified');
      items.push({ lo, hi, range: true });
      slots += 2;
    } else {
      const p = parsePort(word, proto);
      items.push({ lo: p, hi: p, range: false });
      slots += 1;
    }
  }
  return items;
}

function portsText(d: MultiportMatch, numeric: boolean): string {
  return d.items.map((it) => (it.range ? `${portName(it.lo, numeric)}:${portName(it.hi, numeric)}` : portName(it.lo, numeric))).join(',');
}

export const multiportMatch: MatchDef<MultiportMatch> = {
  name: 'multiport',
  options: [
    { name: 'source-ports', id: 'opt', hasArg: true, invert: true, onceMessage: 'multiport can only have one option' },
    { name: 'sports', id: 'opt', hasArg: true, invert: true, onceMessage: 'multiport can only have one option' },
    { name: 'destination-ports', id: 'opt', hasArg: true, invert: true, onceMessage: 'multiport can only have one option' },
    { name: 'dports', id: 'opt', hasArg: true, invert: true, onceMessage: 'multiport can only have one option' },
    { name: 'ports', id: 'opt', hasArg: true, invert: true, onceMessage: 'multiport can only have one option' },
  ],
  init: () => ({ kind: 'multiport', dir: 'ports', items: [], invert: false }),
  parse(d, call) {
    const proto = checkProto(call.info);
    const dir = call.name.startsWith('s') ? 'sports' : call.name.startsWith('d') ? 'dports' : 'ports';
    return { ...d, dir, items: parsePorts(call.arg, proto), invert: call.invert };
  },
  final(d, call) {
    if (call.seen.size === 0) paramProblem('multiport expects an option');
    return d;
  },
  save: (d) => `${d.invert ? ' !' : ''} --${d.dir} ${portsText(d, true)}`,
  print: (d, numeric) => ` multiport ${d.dir} ${d.invert ? ' !' : ''}${portsText(d, numeric)}`,
  match(d, pkt) {
    if (pkt.ip.fragmentOffset !== 0) return false;
    const src = pkt.l4?.sport;
    const dst = pkt.l4?.dport;
    if (src === undefined || dst === undefined) return false;
    const inR = (p: number, it: MultiportMatch['items'][number]) => p >= it.lo && p <= it.hi;
    for (const it of d.items) {
      const hit = d.dir === 'sports' ? inR(src, it) : d.dir === 'dports' ? inR(dst, it) : inR(src, it) || inR(dst, it);
      if (hit) return !d.invert;
    }
    return d.invert;
  },
  kernelCheck(_d, info) {
    if (!PORT_PROTOS.includes(info.proto) || info.protoInvert) return 'multiport: invalid protocol';
    return undefined;
  },
};
