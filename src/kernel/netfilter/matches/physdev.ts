/**
 * `-m physdev`: the bridge ports of a frame that br_netfilter passed through iptables.
 *
 * Models: extensions/libxt_physdev.c (save order in, is-in, out, is-out, is-bridged; print order
 * is-in, in, is-out, out, is-bridged, each ` --physdev-...` with ` !` before it) and
 * net/netfilter/xt_physdev.c `physdev_mt` (without bridge info only inverted options can match;
 * an absent in/out port does not fail a name test) and `physdev_mt_check` (the out options need
 * `--physdev-is-bridged` when the chain is reachable from OUTPUT).
 * Leaves out: nothing.
 * Invariant: names are at most 15 characters; `wildcard` means a trailing `+` (prefix match).
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { parseInterface, type ParsedIface } from '../xt-parse.js';

export interface PhysdevMatch {
  readonly kind: 'physdev';
  readonly in?: ParsedIface & { readonly invert: boolean };
  readonly out?: ParsedIface & { readonly invert: boolean };
  readonly isIn?: { readonly invert: boolean };
  readonly isOut?: { readonly invert: boolean };
  readonly isBridged?: { readonly invert: boolean };
}

export function ifaceText(i: ParsedIface): string {
  return i.wildcard ? `${i.name}+` : i.name;
}

/** `ifname_compare_aligned` with the mask iptables builds: exact name, or prefix when wildcarded. */
export function ifaceMatches(spec: ParsedIface, name: string | undefined): boolean {
  const dev = name ?? '';
  return spec.wildcard ? dev.startsWith(spec.name) : dev === spec.name;
}

const bang = (o: { readonly invert: boolean } | undefined) => (o?.invert === true ? ' !' : '');

export const physdevMatch: MatchDef<PhysdevMatch> = {
  name: 'physdev',
  options: [
    { name: 'physdev-in', hasArg: true, invert: true },
    { name: 'physdev-out', hasArg: true, invert: true },
    { name: 'physdev-is-in', hasArg: false, invert: true },
    { name: 'physdev-is-out', hasArg: false, invert: true },
    { name: 'physdev-is-bridged', hasArg: false, invert: true },
  ],
  init: () => ({ kind: 'physdev' }),
  parse(d, call) {
    const invert = call.invert;
    switch (call.id) {
      case 'physdev-in':
        return { ...d, in: { ...parseInterface(call.arg), invert } };
      case 'physdev-out':
        return { ...d, out: { ...parseInterface(call.arg), invert } };
      case 'physdev-is-in':
        return { ...d, isIn: { invert } };
      case 'physdev-is-out':
        return { ...d, isOut: { invert } };
      case 'physdev-is-bridged':
        return { ...d, isBridged: { invert } };
      default:
        return d;
    }
  },
  final(d, call) {
    if (call.seen.size === 0) paramProblem('PHYSDEV: no physdev option specified');
    return d;
  },
  save(d) {
    let s = '';
    if (d.in) s += `${bang(d.in)} --physdev-in ${ifaceText(d.in)}`;
    if (d.isIn) s += `${bang(d.isIn)} --physdev-is-in`;
    if (d.out) s += `${bang(d.out)} --physdev-out ${ifaceText(d.out)}`;
    if (d.isOut) s += `${bang(d.isOut)} --physdev-is-out`;
    if (d.isBridged) s += `${bang(d.isBridged)} --physdev-is-bridged`;
    return s;
  },
  print(d) {
    let s = ' PHYSDEV match';
    if (d.isIn) s += `${bang(d.isIn)} --physdev-is-in`;
    if (d.in) s += `${bang(d.in)} --physdev-in ${ifaceText(d.in)}`;
    if (d.isOut) s += `${bang(d.isOut)} --physdev-is-out`;
    if (d.out) s += `${bang(d.out)} --physdev-out ${ifaceText(d.out)}`;
    if (d.isBridged) s += `${bang(d.isBridged)} --physdev-is-bridged`;
    return s;
  },
  match(d, pkt) {
    if (!pkt.bridged) {
      // "Return MATCH if the invert flags of the used options are on"
      return [d.isBridged, d.isIn, d.isOut, d.in, d.out].every((o) => o === undefined || o.invert);
    }
    const outdev = pkt.physOut;
    const indev = pkt.physIn;
    if (d.isBridged && (outdev !== undefined) === d.isBridged.invert) return false;
    if (d.isIn && (indev === undefined) !== d.isIn.invert) return false;
    if (d.isOut && (outdev === undefined) !== d.isOut.invert) return false;
    if (d.in && indev !== undefined && ifaceMatches(d.in, indev) === d.in.invert) return false;
    if (!d.out || outdev === undefined) return true;
    return ifaceMatches(d.out, outdev) !== d.out.invert;
  },
  kernelCheck(d, info) {
    const outOpts = d.out !== undefined || d.isOut !== undefined;
    const bridgedOk = d.isBridged !== undefined && !d.isBridged.invert;
    if (outOpts && !bridgedOk && info.hooks.has('OUTPUT')) {
      return '--physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains with bridged traffic';
    }
    return undefined;
  },
};
