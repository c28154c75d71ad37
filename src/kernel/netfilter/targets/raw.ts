/**
 * The raw-table targets: `-j TRACE` (mark the packet for the TRACE log) and `-j CT` /
 * `-j NOTRACK` (skip connection tracking, or pick a zone / helper).
 *
 * Models: extensions/libxt_TRACE.c (no options), libxt_CT.c (revision 1 options `--notrack`,
 * `--helper`, `--zone`; NOTRACK is an alias of CT that saves back as `-j NOTRACK`), and the
 * kernel's xt_TRACE.c and xt_CT.c (`.table = "raw"`, non-terminating).
 * Leaves out: CT `--timeout`, `--ctevents`, `--expevents`, directional zones.
 * Invariant: a NOTRACK alias always has `notrack` set.
 */
import { paramProblem } from '../errors.js';
import type { KernelCheckInfo, TargetDef } from '../ext-def.js';
import { parseUint } from '../xt-parse.js';

export interface TraceTarget {
  readonly kind: 'TRACE';
}

export interface CtTarget {
  readonly kind: 'CT';
  /** Written as `-j NOTRACK`. */
  readonly alias: boolean;
  readonly notrack: boolean;
  readonly zone: number;
  readonly helper: string;
}

function rawOnly(name: string, info: KernelCheckInfo): string | undefined {
  return info.table === 'raw' ? undefined : `${name} target: only valid in raw table, not ${info.table}`;
}

export const traceTarget: TargetDef<TraceTarget> = {
  name: 'TRACE',
  options: [],
  init: () => ({ kind: 'TRACE' }),
  parse: (d) => d,
  final: (d) => d,
  save: () => '',
  print: () => '',
  kernelCheck: (_d, info) => rawOnly('TRACE', info),
};

export const ctTarget: TargetDef<CtTarget> = {
  name: 'CT',
  options: [
    { name: 'notrack', hasArg: false, invert: false },
    { name: 'helper', hasArg: true, invert: false },
    { name: 'zone', hasArg: true, invert: false },
  ],
  init: () => ({ kind: 'CT', alias: false, notrack: false, zone: 0, helper: '' }),
  parse(d, call) {
    if (call.id === 'notrack') return { ...d, notrack: true };
    if (call.id === 'helper') {
      if (call.arg.length > 15) paramProblem('Argument must have a maximum length of 15 characters\n');
      return { ...d, helper: call.arg };
    }
    if (call.id === 'zone') return { ...d, zone: parseUint(call.arg, 'CT', 'zone', 0, 0xffff) };
    return d;
  },
  final: (d) => d,
  save(d) {
    if (d.alias) return '';
    return (d.notrack ? ' --notrack' : '') + (d.helper !== '' ? ` --helper ${d.helper}` : '') + (d.zone !== 0 ? ` --zone ${d.zone}` : '');
  },
  print(d) {
    if (d.alias) return ' NOTRACK';
    return ' CT' + (d.notrack ? ' notrack' : '') + (d.helper !== '' ? ` helper ${d.helper}` : '') + (d.zone !== 0 ? ` zone ${d.zone}` : '');
  },
  kernelCheck: (_d, info) => rawOnly('CT', info),
};

export const notrackTarget: TargetDef<CtTarget> = {
  name: 'NOTRACK',
  options: [],
  init: () => ({ kind: 'CT', alias: true, notrack: true, zone: 0, helper: '' }),
  parse: (d) => d,
  final: (d) => d,
  save: () => '',
  print: () => ' NOTRACK',
  kernelCheck: (_d, info) => rawOnly('NOTRACK', info),
};
