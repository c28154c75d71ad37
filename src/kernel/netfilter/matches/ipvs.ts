/**
 * `-m ipvs`: does the packet belong to an IPVS connection, and with which virtual service.
 *
 * Models: extensions/libxt_ipvs.c (any option other than `--ipvs` implies it; `! --ipvs` cannot
 * be combined; `--ipvs` is printed only when it is the sole option; `--vaddr` prints without
 * `/32`; `--vmethod` words GATE, IPIP, MASQ) and net/netfilter/xt_ipvs.c `ipvs_mt` (`--vproto`
 * compares the packet's protocol; `--vdir` uses the conntrack direction).
 * Swarm's ingress routing mesh uses `-m ipvs --ipvs -d <vip> -j SNAT`-style rules.
 * Leaves out: nothing of IPv4.
 * Invariant: `property` is true whenever any other option is present.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { protoByName } from '../names.js';
import { addrMaskText, parseHostMask, parsePort, strtoul, type AddrMask } from '../xt-parse.js';
import { hasEntry } from './conntrack.js';

interface Inv<T> {
  readonly value: T;
  readonly invert: boolean;
}

export interface IpvsMatch {
  readonly kind: 'ipvs';
  readonly property: boolean;
  readonly propertyInvert: boolean;
  readonly vproto?: Inv<number>;
  readonly vaddr?: Inv<AddrMask>;
  readonly vport?: Inv<number>;
  readonly vdir?: 'ORIGINAL' | 'REPLY';
  readonly vmethod?: Inv<'GATE' | 'IPIP' | 'MASQ'>;
  readonly vportctl?: Inv<number>;
}

function onlyProperty(d: IpvsMatch): boolean {
  return !d.vproto && !d.vaddr && !d.vport && !d.vdir && !d.vmethod && !d.vportctl;
}

function dump(d: IpvsMatch, prefix: string): string {
  const b = (i: boolean) => (i ? ' !' : '');
  let s = '';
  if (onlyProperty(d)) s += `${b(d.propertyInvert)} ${prefix}ipvs`;
  if (d.vproto) s += `${b(d.vproto.invert)} ${prefix}vproto ${d.vproto.value}`;
  if (d.vaddr) s += `${b(d.vaddr.invert)} ${prefix}vaddr ${addrMaskText(d.vaddr.value)}`;
  if (d.vport) s += `${b(d.vport.invert)} ${prefix}vport ${d.vport.value}`;
  if (d.vdir) s += ` ${prefix}vdir ${d.vdir}`;
  if (d.vmethod) s += `${b(d.vmethod.invert)} ${prefix}vmethod ${d.vmethod.value}`;
  if (d.vportctl) s += `${b(d.vportctl.invert)} ${prefix}vportctl ${d.vportctl.value}`;
  return s;
}

export const ipvsMatch: MatchDef<IpvsMatch> = {
  name: 'ipvs',
  options: [
    { name: 'ipvs', hasArg: false, invert: true },
    { name: 'vproto', hasArg: true, invert: true },
    { name: 'vaddr', hasArg: true, invert: true },
    { name: 'vport', hasArg: true, invert: true },
    { name: 'vdir', hasArg: true, invert: false },
    { name: 'vmethod', hasArg: true, invert: true },
    { name: 'vportctl', hasArg: true, invert: true },
  ],
  init: () => ({ kind: 'ipvs', property: false, propertyInvert: false }),
  parse(d, call) {
    const { arg, invert } = call;
    switch (call.id) {
      case 'ipvs':
        return { ...d, property: true, propertyInvert: invert };
      case 'vproto': {
        const p = strtoul(arg, 0, 255) ?? protoByName(arg.toLowerCase());
        if (p === undefined) paramProblem(`unknown protocol "${arg}" specified`);
        return { ...d, vproto: { value: p, invert } };
      }
      case 'vaddr':
        return { ...d, vaddr: { value: parseHostMask(arg, 'ipvs', 'vaddr'), invert } };
      case 'vport':
        return { ...d, vport: { value: parsePort(arg, 'tcp'), invert } };
      case 'vportctl':
        return { ...d, vportctl: { value: parsePort(arg, 'tcp'), invert } };
      case 'vdir': {
        const up = arg.toUpperCase();
        if (up !== 'ORIGINAL' && up !== 'REPLY') paramProblem(`ipvs: Bad value for "--vdir" option: "${arg}"`);
        return { ...d, vdir: up };
      }
      case 'vmethod': {
        const up = arg.toUpperCase();
        if (up !== 'GATE' && up !== 'IPIP' && up !== 'MASQ') paramProblem(`ipvs: Bad value for "--vmethod" option: "${arg}"`);
        return { ...d, vmethod: { value: up, invert } };
      }
      default:
        return d;
    }
  },
  final(d, call) {
    if (call.seen.size === 0) paramProblem('IPVS: At least one option is required');
    if (!onlyProperty(d)) {
      if (d.property && d.propertyInvert) paramProblem('! --ipvs cannot be together with other options');
      return { ...d, property: true, propertyInvert: false };
    }
    return d;
  },
  save: (d) => dump(d, '--'),
  print: (d) => dump(d, ''),
  match(d, pkt) {
    const conn = pkt.ipvs;
    if (onlyProperty(d)) return (conn !== undefined) !== d.propertyInvert;
    if (conn === undefined) return false;
    if (d.vproto && (pkt.ip.protocol === d.vproto.value) === d.vproto.invert) return false;
    if (d.vport && (conn.vport === d.vport.value) === d.vport.invert) return false;
    if (d.vportctl && (conn.controlVport === d.vportctl.value) === d.vportctl.invert) return false;
    if (d.vdir) {
      if (!hasEntry(pkt.ct)) return false;
      if ((pkt.ct.dir === 'REPLY') !== (d.vdir === 'REPLY')) return false;
    }
    if (d.vmethod && (conn.method === d.vmethod.value) === d.vmethod.invert) return false;
    if (d.vaddr && (((conn.vaddr ^ d.vaddr.value.addr) & d.vaddr.value.mask) === 0) === d.vaddr.invert) return false;
    return true;
  },
};
