/**
 * The NAT targets: `DNAT --to-destination`, `SNAT --to-source`, `MASQUERADE [--to-ports]` and
 * `REDIRECT [--to-ports]`. They decide a binding; conntrack/NAT (a later module) applies it.
 *
 * Models: extensions/libxt_DNAT.c / libxt_SNAT.c `parse_to` (`ip[-ip][:port[-port]]`, a
 * port needs `-p tcp|udp|sctp|dccp|icmp`, ports read with atoi; save ` --to-destination
 * 172.17.0.2:80`, print ` to:172.17.0.2:80`), libipt_MASQUERADE.c / libipt_REDIRECT.c
 * `parse_ports` (save ` --to-ports 8080-8090`, print ` masq ports: ...` / ` redir ports ...`),
 * and the kernel's xt_nat.c / xt_MASQUERADE.c / xt_REDIRECT.c registrations: table nat; DNAT and
 * REDIRECT in PREROUTING/OUTPUT, SNAT in POSTROUTING/INPUT, MASQUERADE in POSTROUTING only.
 * Leaves out: `--to-destination` shifted port ranges (`/base`), IPv6 bracket syntax.
 * Invariant: a range with `ips` always has min <= max in both fields.
 */
import { MSG, paramProblem } from '../errors.js';
import { badHook, type KernelCheckInfo, type ProtoInfo, type TargetDef } from '../ext-def.js';
import { formatIpv4 } from '../../../packet/index.js';
import { numericToIpaddr, strtoul } from '../xt-parse.js';

export interface NatPortRange {
  readonly min: number;
  readonly max: number;
}

export interface NatRange {
  readonly ips?: { readonly min: number; readonly max: number };
  readonly ports?: NatPortRange;
}

export interface NatFlags {
  readonly random: boolean;
  readonly randomFully: boolean;
  readonly persistent: boolean;
}

export interface DnatTarget extends NatFlags {
  readonly kind: 'DNAT';
  readonly range: NatRange;
}

export interface SnatTarget extends NatFlags {
  readonly kind: 'SNAT';
  readonly range: NatRange;
}

export interface MasqueradeTarget {
  readonly kind: 'MASQUERADE';
  readonly ports?: NatPortRange;
  readonly random: boolean;
  readonly randomFully: boolean;
}

export interface RedirectTarget {
  readonly kind: 'REDIRECT';
  readonly ports?: NatPortRange;
  readonly random: boolean;
}

const PORT_OK = [6, 17, 132, 33, 1, 136];

function portOk(info: ProtoInfo): boolean {
  return PORT_OK.includes(info.proto);
}

/** C `atoi`: leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m === null ? 0 : parseInt(m[0], 10);
}

export function parseNatTo(arg: string, info: ProtoInfo): NatRange {
  const colon = arg.indexOf(':');
  let ports: NatPortRange | undefined;
  if (colon >= 0) {
    if (!portOk(info)) paramProblem(MSG.needPortProto);
    const portText = arg.slice(colon + 1);
    const port = atoi(portText);
    if (port <= 0 || port > 65535) paramProblem(`Port \`${portText}' not valid\n`);
    const dash = portText.indexOf('-');
    if (dash < 0) {
      ports = { min: port, max: port };
    } else {
      const maxport = atoi(portText.slice(dash + 1));
      if (maxport <= 0 || maxport > 65535) paramProblem(`Port \`${portText.slice(dash + 1)}' not valid\n`);
      if (maxport < port) paramProblem(`Port range \`${portText}' funky\n`);
      ports = { min: port, max: maxport };
    }
    if (colon === 0) return { ports };
  }
  const ipText = colon >= 0 ? arg.slice(0, colon) : arg;
  const dash = ipText.indexOf('-');
  const loText = dash >= 0 ? ipText.slice(0, dash) : ipText;
  const lo = numericToIpaddr(loText, false);
  if (lo === undefined) paramProblem(`Bad IP address "${loText}"\n`);
  let hi = lo;
  if (dash >= 0) {
    const hiText = ipText.slice(dash + 1);
    const h = numericToIpaddr(hiText, false);
    if (h === undefined) paramProblem(`Bad IP address "${hiText}"\n`);
    hi = h;
  }
  return ports === undefined ? { ips: { min: lo, max: hi } } : { ips: { min: lo, max: hi }, ports };
}

export function natRangeText(r: NatRange): string {
  let s = '';
  if (r.ips) s += formatIpv4(r.ips.min) + (r.ips.max !== r.ips.min ? `-${formatIpv4(r.ips.max)}` : '');
  if (r.ports) s += `:${r.ports.min}` + (r.ports.max !== r.ports.min ? `-${r.ports.max}` : '');
  return s;
}

function portsText(p: NatPortRange): string {
  return p.max !== p.min ? `${p.min}-${p.max}` : `${p.min}`;
}

/** libipt_MASQUERADE.c / libipt_REDIRECT.c `parse_ports`. */
function parseToPorts(ext: string, arg: string, info: ProtoInfo): NatPortRange {
  if (!portOk(info)) paramProblem(MSG.needPortProto);
  const bad = (): never => paramProblem(`${ext}: Bad value for "--to-ports" option: "${arg}"`);
  const dash = arg.indexOf('-');
  const min = strtoul(dash >= 0 ? arg.slice(0, dash) : arg, 0, 0xffff) ?? bad();
  if (dash < 0) return { min, max: min };
  const max = strtoul(arg.slice(dash + 1), 0, 0xffff) ?? bad();
  if (max < min) bad();
  return { min, max };
}

function natCheck(kind: string, hooks: readonly ('PREROUTING' | 'INPUT' | 'OUTPUT' | 'POSTROUTING')[], info: KernelCheckInfo) {
  if (info.table !== 'nat') return `${kind} target: only valid in nat table, not ${info.table}`;
  const bad = badHook(info, hooks);
  if (bad !== undefined) return `${kind} target: used from hooks ${bad}, but only valid from ${hooks.join('/')}`;
  return undefined;
}

function flagsText(d: NatFlags, prefix: string, withFully: boolean): string {
  return (
    (d.random ? ` ${prefix}random` : '') +
    (withFully && d.randomFully ? ` ${prefix}random-fully` : '') +
    (d.persistent ? ` ${prefix}persistent` : '')
  );
}

function statefulDef<K extends 'DNAT' | 'SNAT'>(kind: K, opt: string, hooks: readonly ('PREROUTING' | 'INPUT' | 'OUTPUT' | 'POSTROUTING')[]) {
  type D = K extends 'DNAT' ? DnatTarget : SnatTarget;
  const withFully = kind === 'SNAT';
  const def: TargetDef<DnatTarget | SnatTarget> = {
    name: kind,
    options: [
      { name: opt, hasArg: true, invert: false, onceMessage: `${kind}: Multiple --${opt} not supported` },
      { name: 'random', hasArg: false, invert: false },
      ...(withFully ? [{ name: 'random-fully', hasArg: false, invert: false }] : []),
      { name: 'persistent', hasArg: false, invert: false },
    ],
    init: () => ({ kind, range: {}, random: false, randomFully: false, persistent: false }),
    parse(d, call) {
      if (call.id === opt) return { ...d, range: parseNatTo(call.arg, call.info) };
      if (call.id === 'random') return { ...d, random: true };
      if (call.id === 'random-fully') return { ...d, randomFully: true };
      if (call.id === 'persistent') return { ...d, persistent: true };
      return d;
    },
    final(d, call) {
      if (!call.seen.has(opt)) paramProblem(MSG.mustBeSpecified(kind, opt));
      return d;
    },
    save: (d) => ` --${opt} ${natRangeText(d.range)}` + flagsText(d, '--', withFully),
    print: (d) => ` to:${natRangeText(d.range)}` + flagsText(d, '', withFully),
    kernelCheck: (_d, info) => natCheck(kind, hooks, info),
  };
  return def as unknown as TargetDef<D>;
}

export const dnatTarget = statefulDef('DNAT', 'to-destination', ['PREROUTING', 'OUTPUT']);
export const snatTarget = statefulDef('SNAT', 'to-source', ['POSTROUTING', 'INPUT']);

export const masqueradeTarget: TargetDef<MasqueradeTarget> = {
  name: 'MASQUERADE',
  options: [
    { name: 'to-ports', hasArg: true, invert: false },
    { name: 'random', hasArg: false, invert: false },
    { name: 'random-fully', hasArg: false, invert: false },
  ],
  init: () => ({ kind: 'MASQUERADE', random: false, randomFully: false }),
  parse(d, call) {
    if (call.id === 'to-ports') return { ...d, ports: parseToPorts('MASQUERADE', call.arg, call.info) };
    if (call.id === 'random') return { ...d, random: true };
    if (call.id === 'random-fully') return { ...d, randomFully: true };
    return d;
  },
  final: (d) => d,
  save: (d) =>
    (d.ports ? ` --to-ports ${portsText(d.ports)}` : '') + (d.random ? ' --random' : '') + (d.randomFully ? ' --random-fully' : ''),
  print: (d) =>
    (d.ports ? ` masq ports: ${portsText(d.ports)}` : '') + (d.random ? ' random' : '') + (d.randomFully ? ' random-fully' : ''),
  kernelCheck: (_d, info) => natCheck('MASQUERADE', ['POSTROUTING'], info),
};

export const redirectTarget: TargetDef<RedirectTarget> = {
  name: 'REDIRECT',
  options: [
    { name: 'to-ports', hasArg: true, invert: false },
    { name: 'random', hasArg: false, invert: false },
  ],
  init: () => ({ kind: 'REDIRECT', random: false }),
  parse(d, call) {
    if (call.id === 'to-ports') return { ...d, ports: parseToPorts('REDIRECT', call.arg, call.info) };
    if (call.id === 'random') return { ...d, random: true };
    return d;
  },
  final: (d) => d,
  save: (d) => (d.ports ? ` --to-ports ${portsText(d.ports)}` : '') + (d.random ? ' --random' : ''),
  print: (d) => (d.ports ? ` redir ports ${portsText(d.ports)}` : '') + (d.random ? ' random' : ''),
  kernelCheck: (_d, info) => natCheck('REDIRECT', ['PREROUTING', 'OUTPUT'], info),
};
