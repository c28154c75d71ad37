/**
 * `-m conntrack`: connection tracking state, tuple, status and direction.
 *
 * Models: extensions/libxt_conntrack.c revision 3 (`conntrack_ps_states`, prefix and case
 * insensitive state words; `conntrack_dump` with prefix `--` for save and `` for print, in the
 * order ctstate, ctproto, ctorigsrc, ctorigdst, ctreplsrc, ctrepldst, the four port options,
 * ctstatus, ctdir; state words printed INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT) and
 * net/netfilter/xt_conntrack.c `conntrack_mt` (with no conntrack entry only a pure state test can
 * match; SNAT/DNAT are the status bits of the entry).
 * Leaves out: `--ctexpire` (the view carries no timeout).
 * Invariant: addresses keep their host bits (XTTYPE_HOSTMASK); tests mask both sides.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { protoByName } from '../names.js';
import type { NfCtView, NfPacket } from '../packet-view.js';
import { addrMaskText, parseHostMask, strtoul, type AddrMask } from '../xt-parse.js';
import { parsePortRc, type PortRange } from './ports.js';

export const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtStateWord = (typeof CT_STATES)[number];
/** Parse order of conntrack_ps_state (it decides what a prefix means). */
const PARSE_ORDER: readonly CtStateWord[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'];

export const CT_STATUS = ['EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'] as const;
export type CtStatusWord = (typeof CT_STATUS)[number];

interface Inv<T> {
  readonly value: T;
  readonly invert: boolean;
}

export interface ConntrackMatch {
  readonly kind: 'conntrack';
  readonly state?: Inv<readonly CtStateWord[]>;
  readonly proto?: Inv<number>;
  readonly origSrc?: Inv<AddrMask>;
  readonly origDst?: Inv<AddrMask>;
  readonly replSrc?: Inv<AddrMask>;
  readonly replDst?: Inv<AddrMask>;
  readonly origSrcPort?: Inv<PortRange>;
  readonly origDstPort?: Inv<PortRange>;
  readonly replSrcPort?: Inv<PortRange>;
  readonly replDstPort?: Inv<PortRange>;
  readonly status?: Inv<readonly CtStatusWord[]>;
  readonly dir?: 'ORIGINAL' | 'REPLY';
}

/** Splits `A,B,...` and resolves each word with `pick`; `what` names the option in the error. */
export function parseWordList<W>(arg: string, what: string, pick: (word: string) => W | undefined): W[] {
  const out: W[] = [];
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(',');
    const word = comma < 0 ? rest : rest.slice(0, comma);
    const w = word === '' ? undefined : pick(word);
    if (w === undefined) paramProblem(`Bad ${what} "${rest}"`);
    out.push(w);
    if (comma < 0) return out;
    rest = rest.slice(comma + 1);
  }
}

export function prefixWord<W extends string>(order: readonly W[], word: string): W | undefined {
  return order.find((w) => w.toLowerCase().startsWith(word.toLowerCase()));
}

/** Keeps the canonical print order and drops duplicates. */
export function ordered<W extends string>(canonical: readonly W[], words: readonly W[]): W[] {
  return canonical.filter((w) => words.includes(w));
}

function dump(d: ConntrackMatch, prefix: string, numeric: boolean): string {
  let s = '';
  const bang = (i: boolean) => (i ? ' !' : '');
  const addr = (a: AddrMask) => (!numeric && a.addr === 0 ? 'anywhere' : addrMaskText(a));
  const ports = (r: PortRange) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`);
  if (d.state) s += `${bang(d.state.invert)} ${prefix}ctstate ${ordered(CT_STATES, d.state.value).join(',')}`;
  if (d.proto) s += `${bang(d.proto.invert)} ${prefix}ctproto ${d.proto.value}`;
  const addrOpts = [
    ['ctorigsrc', d.origSrc],
    ['ctorigdst', d.origDst],
    ['ctreplsrc', d.replSrc],
    ['ctrepldst', d.replDst],
  ] as const;
  for (const [name, v] of addrOpts) if (v) s += `${bang(v.invert)} ${prefix}${name} ${addr(v.value)}`;
  const portOpts = [
    ['ctorigsrcport', d.origSrcPort],
    ['ctorigdstport', d.origDstPort],
    ['ctreplsrcport', d.replSrcPort],
    ['ctrepldstport', d.replDstPort],
  ] as const;
  for (const [name, v] of portOpts) if (v) s += `${bang(v.invert)} ${prefix}${name} ${ports(v.value)}`;
  if (d.status) {
    const words = ordered(CT_STATUS, d.status.value);
    s += `${bang(d.status.invert)} ${prefix}ctstatus ${words.length === 0 ? 'NONE' : words.join(',')}`;
  }
  if (d.dir) s += ` ${prefix}ctdir ${d.dir}`;
  return s;
}

/** The ctinfo bits of the packet as `conntrack_mt` computes `statebit`. */
export function ctStateBits(ct: NfCtView, withNat: boolean): Set<CtStateWord> {
  const bits = new Set<CtStateWord>();
  const st = ct.state;
  if (st === undefined || st === 'INVALID') bits.add('INVALID');
  else bits.add(st);
  if (withNat && hasEntry(ct)) {
    if (ct.status?.srcNat === true) bits.add('SNAT');
    if (ct.status?.dstNat === true) bits.add('DNAT');
  }
  return bits;
}

/** `nf_ct_get` returns an entry: not for INVALID, UNTRACKED or no conntrack at all. */
export function hasEntry(ct: NfCtView): boolean {
  return ct.state === 'NEW' || ct.state === 'ESTABLISHED' || ct.state === 'RELATED';
}

function addrMatch(a: AddrMask, ip: number | undefined): boolean {
  return ip !== undefined && ((ip ^ a.addr) & a.mask) === 0;
}

function portIn(r: PortRange, p: number | undefined): boolean {
  return p !== undefined && p >= r[0] && p <= r[1];
}

function matchConntrack(d: ConntrackMatch, pkt: NfPacket): boolean {
  const ct = pkt.ct;
  if (d.state) {
    const bits = ctStateBits(ct, true);
    const hit = d.state.value.some((w) => bits.has(w));
    if (hit === d.state.invert) return false;
  }
  if (!hasEntry(ct)) return d.state !== undefined;
  if (d.dir && (ct.dir ?? 'ORIGINAL') !== d.dir) return false;
  const tests: readonly [Inv<AddrMask> | undefined, number | undefined][] = [
    [d.origSrc, ct.origSrc],
    [d.origDst, ct.origDst],
    [d.replSrc, ct.replSrc],
    [d.replDst, ct.replDst],
  ];
  for (const [opt, ip] of tests) if (opt && addrMatch(opt.value, ip) === opt.invert) return false;
  if (d.proto && (ct.proto === d.proto.value) === d.proto.invert) return false;
  const portTests: readonly [Inv<PortRange> | undefined, number | undefined][] = [
    [d.origSrcPort, ct.origSrcPort],
    [d.origDstPort, ct.origDstPort],
    [d.replSrcPort, ct.replSrcPort],
    [d.replDstPort, ct.replDstPort],
  ];
  for (const [opt, p] of portTests) if (opt && portIn(opt.value, p) === opt.invert) return false;
  if (d.status) {
    const st = ct.status ?? {};
    const have: Record<CtStatusWord, boolean> = {
      EXPECTED: st.expected === true,
      SEEN_REPLY: st.seenReply === true,
      ASSURED: st.assured === true,
      CONFIRMED: st.confirmed === true,
    };
    const hit = d.status.value.some((w) => have[w]);
    if (hit === d.status.invert) return false;
  }
  return true;
}

const ADDR_IDS = { ctorigsrc: 'origSrc', ctorigdst: 'origDst', ctreplsrc: 'replSrc', ctrepldst: 'replDst' } as const;
const PORT_IDS = {
  ctorigsrcport: 'origSrcPort',
  ctorigdstport: 'origDstPort',
  ctreplsrcport: 'replSrcPort',
  ctrepldstport: 'replDstPort',
} as const;

function parseCtProto(arg: string, invert: boolean): number {
  const n = strtoul(arg, 0, 255) ?? protoByName(arg.toLowerCase());
  if (n === undefined) paramProblem(`unknown protocol "${arg}" specified`);
  if (n === 0) paramProblem(invert ? 'condition would always match protocol' : 'rule would always match protocol');
  return n;
}

export const conntrackMatch: MatchDef<ConntrackMatch> = {
  name: 'conntrack',
  options: [
    { name: 'ctstate', hasArg: true, invert: true },
    { name: 'ctproto', hasArg: true, invert: true },
    { name: 'ctorigsrc', hasArg: true, invert: true },
    { name: 'ctorigdst', hasArg: true, invert: true },
    { name: 'ctreplsrc', hasArg: true, invert: true },
    { name: 'ctrepldst', hasArg: true, invert: true },
    { name: 'ctorigsrcport', hasArg: true, invert: true },
    { name: 'ctorigdstport', hasArg: true, invert: true },
    { name: 'ctreplsrcport', hasArg: true, invert: true },
    { name: 'ctrepldstport', hasArg: true, invert: true },
    { name: 'ctstatus', hasArg: true, invert: true },
    { name: 'ctdir', hasArg: true, invert: false },
  ],
  init: () => ({ kind: 'conntrack' }),
  parse(d, call) {
    const { id, arg, invert } = call;
    if (id === 'ctstate') {
      return { ...d, state: { value: parseWordList(arg, 'ctstate', (w) => prefixWord(PARSE_ORDER, w)), invert } };
    }
    if (id === 'ctproto') return { ...d, proto: { value: parseCtProto(arg, invert), invert } };
    if (id === 'ctstatus') {
      if (arg.toUpperCase() === 'NONE') return { ...d, status: { value: [], invert } };
      return { ...d, status: { value: parseWordList(arg, 'ctstatus', (w) => CT_STATUS.find((s) => s === w.toUpperCase())), invert } };
    }
    if (id === 'ctdir') {
      const up = arg.toUpperCase();
      if (up !== 'ORIGINAL' && up !== 'REPLY') paramProblem(`conntrack: Bad value for "--ctdir" option: "${arg}"`);
      return { ...d, dir: up };
    }
    if (id in ADDR_IDS) {
      const key = ADDR_IDS[id as keyof typeof ADDR_IDS];
      return { ...d, [key]: { value: parseHostMask(arg, 'conntrack', id), invert } };
    }
    if (id in PORT_IDS) {
      const key = PORT_IDS[id as keyof typeof PORT_IDS];
      return { ...d, [key]: { value: parsePortRc(arg, 'conntrack', id), invert } };
    }
    return d;
  },
  final(d, call) {
    if (call.seen.size === 0) paramProblem('conntrack: At least one option is required');
    return d;
  },
  save: (d) => dump(d, '--', true),
  print: (d, numeric) => dump(d, '', numeric),
  match: (d, pkt) => matchConntrack(d, pkt),
};
