/**
 * `-m policy --dir in|out --pol ipsec|none`: was (or will) the packet be handled by IPsec.
 *
 * Models: extensions/libxt_policy.c (elements of reqid/spi/proto/mode/tunnel-src/tunnel-dst,
 * separated by `--next` in strict mode; save prints `--dir`, `--pol`, `--strict`, then each
 * element) and net/netfilter/xt_policy.c (`match_policy_in` walks `skb->sp`, `match_policy_out`
 * the xfrm bundle; with no IPsec at all only `--pol none` matches; `policy_mt_check` refuses
 * `--dir in` in OUTPUT/POSTROUTING and `--dir out` in PREROUTING/INPUT).
 * Swarm's encrypted overlays use `-m policy --dir in --pol none -j DROP`.
 * Leaves out: IPv6 tunnel addresses.
 * Invariant: `--pol none` has no elements; every element of a strict match tests something.
 */
import { paramProblem } from '../errors.js';
import { badHook, type MatchDef } from '../ext-def.js';
import { protoToName, protoByName } from '../names.js';
import type { NfXfrmState } from '../packet-view.js';
import { addrMaskText, hex, parseHostMask, parseUint, strtoul, type AddrMask } from '../xt-parse.js';

interface Inv<T> {
  readonly value: T;
  readonly invert: boolean;
}

export interface PolicyElem {
  readonly reqid?: Inv<number>;
  readonly spi?: Inv<number>;
  readonly proto?: Inv<number>;
  readonly mode?: Inv<'transport' | 'tunnel'>;
  readonly tunnelSrc?: Inv<AddrMask>;
  readonly tunnelDst?: Inv<AddrMask>;
}

export interface PolicyMatch {
  readonly kind: 'policy';
  readonly dir: 'in' | 'out' | undefined;
  readonly pol: 'ipsec' | 'none';
  readonly strict: boolean;
  readonly elems: readonly PolicyElem[];
}

const MAX_ELEMS = 4;
const ELEM_KEYS = { reqid: 'reqid', spi: 'spi', proto: 'proto', mode: 'mode', 'tunnel-src': 'tunnelSrc', 'tunnel-dst': 'tunnelDst' } as const;

function elemEmpty(e: PolicyElem): boolean {
  return !e.reqid && !e.spi && !e.proto && !e.mode && !e.tunnelSrc && !e.tunnelDst;
}

function elemText(e: PolicyElem, prefix: string): string {
  const b = (i: boolean) => (i ? ' !' : '');
  let s = '';
  if (e.reqid) s += `${b(e.reqid.invert)} ${prefix}reqid ${e.reqid.value}`;
  if (e.spi) s += `${b(e.spi.invert)} ${prefix}spi ${hex(e.spi.value)}`;
  if (e.proto) s += `${b(e.proto.invert)} ${prefix}proto ${protoToName(e.proto.value, false) ?? e.proto.value}`;
  if (e.mode) s += `${b(e.mode.invert)} ${prefix}mode ${e.mode.value}`;
  if (e.tunnelDst) s += `${b(e.tunnelDst.invert)} ${prefix}tunnel-dst ${addrMaskText(e.tunnelDst.value)}`;
  if (e.tunnelSrc) s += `${b(e.tunnelSrc.invert)} ${prefix}tunnel-src ${addrMaskText(e.tunnelSrc.value)}`;
  return s;
}

function flagsText(d: PolicyMatch, prefix: string): string {
  return ` ${prefix}dir ${d.dir ?? 'out'} ${prefix}pol ${d.pol}${d.strict ? ` ${prefix}strict` : ''}`;
}

function parseElemValue(id: keyof typeof ELEM_KEYS, arg: string): unknown {
  switch (id) {
    case 'reqid':
      return parseUint(arg, 'policy', 'reqid', 0, 0xffff_ffff);
    case 'spi':
      return parseUint(arg, 'policy', 'spi', 0, 0xffff_ffff);
    case 'proto': {
      const p = strtoul(arg, 0, 255) ?? protoByName(arg.toLowerCase());
      if (p !== 50 && p !== 51 && p !== 108) paramProblem('policy match: protocol must be ah/esp/ipcomp');
      return p;
    }
    case 'mode':
      if (arg !== 'transport' && arg !== 'tunnel') paramProblem(`policy match: invalid mode "${arg}"`);
      return arg;
    case 'tunnel-src':
    case 'tunnel-dst':
      return parseHostMask(arg, 'policy', id);
  }
}

function matchState(x: NfXfrmState, e: PolicyElem): boolean {
  const t = <T>(o: Inv<T> | undefined, v: T | undefined) => o === undefined || (o.value === v) !== o.invert;
  const a = (o: Inv<AddrMask> | undefined, ip: number | undefined) =>
    o === undefined || (ip !== undefined && ((ip ^ o.value.addr) & o.value.mask) === 0) !== o.invert;
  return a(e.tunnelSrc, x.tunnelSrc) && a(e.tunnelDst, x.tunnelDst) && t(e.proto, x.proto) && t(e.mode, x.mode) && t(e.spi, x.spi) && t(e.reqid, x.reqid);
}

/** `match_policy_in` / `match_policy_out`: -1 means "no IPsec at all". */
function matchPath(d: PolicyMatch, path: readonly NfXfrmState[] | undefined): number {
  if (path === undefined || path.length === 0) return -1;
  if (d.strict && d.dir === 'in' && d.elems.length !== path.length) return 0;
  const order = d.dir === 'in' ? [...path].reverse() : path;
  let i = 0;
  for (const x of order) {
    const pos = d.strict ? i : 0;
    const e = d.elems[pos];
    if (e === undefined) return 0;
    if (matchState(x, e)) {
      if (!d.strict) return 1;
    } else if (d.strict) return 0;
    i++;
  }
  if (!d.strict) return 0;
  return d.dir === 'in' || i === d.elems.length ? 1 : 0;
}

export const policyMatch: MatchDef<PolicyMatch> = {
  name: 'policy',
  options: [
    { name: 'dir', hasArg: true, invert: false },
    { name: 'pol', hasArg: true, invert: false },
    { name: 'strict', hasArg: false, invert: false },
    { name: 'reqid', hasArg: true, invert: true, multi: true },
    { name: 'spi', hasArg: true, invert: true, multi: true },
    { name: 'tunnel-src', hasArg: true, invert: true, multi: true },
    { name: 'tunnel-dst', hasArg: true, invert: true, multi: true },
    { name: 'proto', hasArg: true, invert: true, multi: true },
    { name: 'mode', hasArg: true, invert: true, multi: true },
    { name: 'next', hasArg: false, invert: false, multi: true },
  ],
  init: () => ({ kind: 'policy', dir: undefined, pol: 'ipsec', strict: false, elems: [{}] }),
  parse(d, call) {
    switch (call.id) {
      case 'dir':
        if (call.arg !== 'in' && call.arg !== 'out') paramProblem(`policy_match: unknown direction "${call.arg}"`);
        return { ...d, dir: call.arg };
      case 'pol':
        if (call.arg !== 'ipsec' && call.arg !== 'none') paramProblem(`policy match: unknown policy "${call.arg}"`);
        return { ...d, pol: call.arg };
      case 'strict':
        return { ...d, strict: true };
      case 'next':
        if (!d.strict) paramProblem('policy match: can only use --next in strict mode');
        if (d.elems.length >= MAX_ELEMS) paramProblem('policy match: maximum policy depth reached');
        return { ...d, elems: [...d.elems, {}] };
      default: {
        if (!(call.id in ELEM_KEYS)) return d;
        const id = call.id as keyof typeof ELEM_KEYS;
        const key = ELEM_KEYS[id];
        const last = d.elems[d.elems.length - 1] ?? {};
        if (last[key] !== undefined) paramProblem(`policy match: double --${id} option`);
        const elem = { ...last, [key]: { value: parseElemValue(id, call.arg), invert: call.invert } };
        return { ...d, elems: [...d.elems.slice(0, -1), elem] };
      }
    }
  },
  final(d) {
    if (d.dir === undefined) paramProblem('policy match: neither --dir in nor --dir out specified');
    const given = d.elems.filter((e, i) => i < d.elems.length - 1 || !elemEmpty(e));
    if (d.pol === 'none') {
      if (d.strict) paramProblem('policy match: policy none but --strict given');
      if (given.length !== 0) paramProblem('policy match: policy none but policy given');
      return { ...d, elems: [] };
    }
    d.elems.forEach((e, i) => {
      if (d.strict && elemEmpty(e)) {
        paramProblem(
          `policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.`,
        );
      }
      if ((e.tunnelSrc || e.tunnelDst) && (e.mode?.value === 'tunnel') === (e.mode?.invert ?? false)) {
        paramProblem('policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode');
      }
    });
    return d;
  },
  save: (d) => flagsText(d, '--') + d.elems.map((e) => elemText(e, '--')).join(' --next'),
  print: (d) =>
    ' policy match' +
    flagsText(d, '') +
    d.elems.map((e, i) => (d.elems.length > 1 ? ` [${i}]` : '') + elemText(e, '')).join(''),
  match(d, pkt) {
    const ret = matchPath(d, d.dir === 'in' ? pkt.policy?.in : pkt.policy?.out);
    if (ret < 0) return d.pol === 'none';
    if (d.pol === 'none') return false;
    return ret === 1;
  },
  kernelCheck(d, info) {
    if (d.dir === 'out' && badHook(info, ['FORWARD', 'OUTPUT', 'POSTROUTING']) !== undefined) {
      return 'output policy not valid in PREROUTING and INPUT';
    }
    if (d.dir === 'in' && badHook(info, ['PREROUTING', 'INPUT', 'FORWARD']) !== undefined) {
      return 'input policy not valid in POSTROUTING and OUTPUT';
    }
    return undefined;
  },
};
