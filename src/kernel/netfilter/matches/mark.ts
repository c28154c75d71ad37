/**
 * `-m mark --mark v[/m]` (the packet's `skb->mark`) and `-m connmark --mark v[/m]` (the
 * connection's `ct->mark`): the same test on two different marks.
 *
 * Models: extensions/libxt_mark.c and libxt_connmark.c revision 1 (value and mask in base 0; the
 * mask is omitted from the output when it is 0xffffffff; mark prints ` mark match 0x1`, connmark
 * ` connmark match 0x1`), net/netfilter/xt_mark.c `mark_mt` ((mark & mask) == value, XOR invert)
 * and xt_connmark.c `connmark_mt` (no conntrack entry: no match).
 * Leaves out: nothing.
 * Invariant: values are uint32.
 */
import { paramProblem } from '../errors.js';
import type { MatchDef } from '../ext-def.js';
import { hex, parseMarkMask } from '../xt-parse.js';
import { hasEntry } from './conntrack.js';

export interface MarkMatch {
  readonly kind: 'mark' | 'connmark';
  readonly mark: number;
  readonly mask: number;
  readonly invert: boolean;
}

export function markMaskText(mark: number, mask: number): string {
  return mask >>> 0 === 0xffff_ffff ? hex(mark) : `${hex(mark)}/${hex(mask)}`;
}

function markDef(kind: 'mark' | 'connmark'): MatchDef<MarkMatch> {
  return {
    name: kind,
    options: [{ name: 'mark', hasArg: true, invert: true }],
    init: () => ({ kind, mark: 0, mask: 0xffff_ffff, invert: false }),
    parse: (d, call) => ({ ...d, ...parseMarkMask(call.arg, kind, 'mark'), invert: call.invert }),
    final(d, call) {
      if (!call.seen.has('mark')) paramProblem(`${kind}: option "--mark" must be specified\n`);
      return d;
    },
    save: (d) => `${d.invert ? ' !' : ''} --mark ${markMaskText(d.mark, d.mask)}`,
    print: (d) =>
      kind === 'mark'
        ? ` mark match${d.invert ? ' !' : ''} ${markMaskText(d.mark, d.mask)}`
        : ` connmark match ${d.invert ? '!' : ''}${markMaskText(d.mark, d.mask)}`,
    match(d, pkt, env) {
      let value: number;
      if (kind === 'mark') {
        value = env.mark;
      } else {
        if (!hasEntry(pkt.ct)) return false;
        value = env.ctMark ?? 0;
      }
      return (((value & d.mask) >>> 0) === d.mark) !== d.invert;
    },
  };
}

export const markMatch = markDef('mark');
export const connmarkMatch = markDef('connmark');
