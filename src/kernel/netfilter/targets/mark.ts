/**
 * `-j MARK` (sets `skb->mark`) and `-j CONNMARK` (sets `ct->mark`, or copies between the two).
 *
 * Models: extensions/libxt_MARK.c revision 2 (every form is stored as mark/mask and saved as
 * `--set-xmark 0xV/0xM`: `--set-mark V/M` is V/(V|M), `--and-mark V` is 0/~V, `--or-mark V` is
 * V/V, `--xor-mark V` is V/0) and libxt_CONNMARK.c revision 1/2 (`--save-mark` and
 * `--restore-mark` saved with both masks, default 0xffffffff), and the kernel's xt_MARK.c
 * (`mark = (mark & ~mask) ^ value`) and xt_CONNMARK.c (set: ct = (ct & ~ctmask) ^ ctmark; save:
 * ct = (ct & ~ctmask) ^ (skb & nfmask); restore: skb = (skb & ~nfmask) ^ (ct & ctmask)).
 * Leaves out: CONNMARK's shift options (revision 2 `--left-shift-mark`).
 * Invariant: all values uint32.
 */
import { paramProblem } from '../errors.js';
import type { OptSpec, TargetDef } from '../ext-def.js';
import { hex, parseMarkMask, parseUint } from '../xt-parse.js';

export interface MarkTarget {
  readonly kind: 'MARK';
  readonly mark: number;
  readonly mask: number;
}

export interface ConnmarkTarget {
  readonly kind: 'CONNMARK';
  readonly mode: 'set' | 'save' | 'restore';
  readonly ctmark: number;
  readonly ctmask: number;
  readonly nfmask: number;
}

const ALL = 0xffff_ffff;

/** The five mutually exclusive ways to give a mark, as (mark, mask) of `--set-xmark`. */
function markOp(ext: string, name: string, arg: string): { mark: number; mask: number } {
  switch (name) {
    case 'set-xmark':
      return parseMarkMask(arg, ext, name);
    case 'set-mark': {
      const m = parseMarkMask(arg, ext, name);
      return { mark: m.mark, mask: (m.mark | m.mask) >>> 0 };
    }
    case 'and-mark':
      return { mark: 0, mask: ~parseUint(arg, ext, name, 0, ALL) >>> 0 };
    case 'or-mark': {
      const v = parseUint(arg, ext, name, 0, ALL);
      return { mark: v, mask: v };
    }
    default:
      return { mark: parseUint(arg, ext, name, 0, ALL), mask: 0 };
  }
}

const MARK_OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];

function opSpecs(ext: string): OptSpec[] {
  return MARK_OPS.map((name) => ({
    name,
    id: 'op',
    hasArg: true,
    invert: false,
    onceMessage: `${ext}: --set-xmark, --set-mark, --and-mark, --or-mark and --xor-mark are mutually exclusive\n`,
  }));
}

export const markTarget: TargetDef<MarkTarget> = {
  name: 'MARK',
  options: opSpecs('MARK'),
  init: () => ({ kind: 'MARK', mark: 0, mask: ALL }),
  parse: (d, call) => ({ ...d, ...markOp('MARK', call.name, call.arg) }),
  final(d, call) {
    if (call.seen.size === 0) paramProblem('MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
    return d;
  },
  save: (d) => ` --set-xmark ${hex(d.mark)}/${hex(d.mask)}`,
  print(d) {
    if (d.mark === 0) return ` MARK and ${hex(~d.mask >>> 0)}`;
    if (d.mark === d.mask) return ` MARK or ${hex(d.mark)}`;
    if (d.mask === 0) return ` MARK xor ${hex(d.mark)}`;
    if (d.mask === ALL) return ` MARK set ${hex(d.mark)}`;
    return ` MARK xset ${hex(d.mark)}/${hex(d.mask)}`;
  },
};

export const connmarkTarget: TargetDef<ConnmarkTarget> = {
  name: 'CONNMARK',
  options: [
    ...opSpecs('CONNMARK'),
    { name: 'save-mark', id: 'op', hasArg: false, invert: false, onceMessage: 'CONNMARK: only one action may be given\n' },
    { name: 'restore-mark', id: 'op', hasArg: false, invert: false, onceMessage: 'CONNMARK: only one action may be given\n' },
    { name: 'mask', hasArg: true, invert: false },
    { name: 'nfmask', hasArg: true, invert: false },
    { name: 'ctmask', hasArg: true, invert: false },
  ],
  init: () => ({ kind: 'CONNMARK', mode: 'set', ctmark: 0, ctmask: ALL, nfmask: ALL }),
  parse(d, call) {
    switch (call.name) {
      case 'save-mark':
        return { ...d, mode: 'save' };
      case 'restore-mark':
        return { ...d, mode: 'restore' };
      case 'mask': {
        const v = parseUint(call.arg, 'CONNMARK', 'mask', 0, ALL);
        return { ...d, ctmask: v, nfmask: v };
      }
      case 'nfmask':
        return { ...d, nfmask: parseUint(call.arg, 'CONNMARK', 'nfmask', 0, ALL) };
      case 'ctmask':
        return { ...d, ctmask: parseUint(call.arg, 'CONNMARK', 'ctmask', 0, ALL) };
      default: {
        const m = markOp('CONNMARK', call.name, call.arg);
        return { ...d, mode: 'set', ctmark: m.mark, ctmask: m.mask };
      }
    }
  },
  final(d, call) {
    if (!call.seen.has('op')) paramProblem('CONNMARK target: No operation specified');
    return d;
  },
  save(d) {
    if (d.mode === 'set') return ` --set-xmark ${hex(d.ctmark)}/${hex(d.ctmask)}`;
    return ` --${d.mode}-mark --nfmask ${hex(d.nfmask)} --ctmask ${hex(d.ctmask)}`;
  },
  print(d) {
    if (d.mode === 'set') {
      if (d.ctmark === 0) return ` CONNMARK and ${hex(~d.ctmask >>> 0)}`;
      if (d.ctmark === d.ctmask) return ` CONNMARK or ${hex(d.ctmark)}`;
      if (d.ctmask === 0) return ` CONNMARK xor ${hex(d.ctmark)}`;
      if (d.ctmask === ALL) return ` CONNMARK set ${hex(d.ctmark)}`;
      return ` CONNMARK xset ${hex(d.ctmark)}/${hex(d.ctmask)}`;
    }
    if (d.nfmask === ALL && d.ctmask === ALL) return ` CONNMARK ${d.mode}`;
    if (d.nfmask === d.ctmask) return ` CONNMARK ${d.mode} mask ${hex(d.nfmask)}`;
    return d.mode === 'save'
      ? ` CONNMARK save nfmask ${hex(d.nfmask)} ctmask ~${hex(d.ctmask)}`
      : ` CONNMARK restore ctmask ${hex(d.ctmask)} nfmask ~${hex(d.nfmask)}`;
  },
};
