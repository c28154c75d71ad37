/**
 * `-j REJECT [--reject-with TYPE]`: drop the packet and answer with an ICMP error or a TCP RST.
 *
 * Models: extensions/libipt_REJECT.c (types matched as case-insensitive prefixes of the name or
 * alias in `reject_table` order; the default icmp-port-unreachable is always saved) and
 * net/ipv4/netfilter/ipt_REJECT.c (`.table = "filter"`, hooks INPUT/FORWARD/OUTPUT; checkentry
 * refuses tcp-reset unless the rule says `-p tcp` uninverted).
 * The reply itself is built by the caller from the verdict (`reject` with its type).
 * Leaves out: the long-gone echo-reply type (refused as unknown, as iptables does).
 * Invariant: `with` is one of REJECT_TYPES.
 */
import { paramProblem } from '../errors.js';
import { badHook, type TargetDef } from '../ext-def.js';
import { REJECT_TYPES, type RejectWith } from '../names.js';

export interface RejectTarget {
  readonly kind: 'REJECT';
  readonly with: RejectWith;
}

export const rejectTarget: TargetDef<RejectTarget> = {
  name: 'REJECT',
  options: [{ name: 'reject-with', hasArg: true, invert: false }],
  init: () => ({ kind: 'REJECT', with: 'icmp-port-unreachable' }),
  parse(d, call) {
    const arg = call.arg.toLowerCase();
    const hit = REJECT_TYPES.find((t) => t.with.startsWith(arg) || t.alias.startsWith(arg));
    if (hit === undefined) paramProblem(`unknown reject type "${call.arg}"`);
    return { ...d, with: hit.with };
  },
  final: (d) => d,
  save: (d) => ` --reject-with ${d.with}`,
  print: (d) => ` reject-with ${d.with}`,
  kernelCheck(d, info) {
    if (info.table !== 'filter') return `REJECT target: only valid in filter table, not ${info.table}`;
    if (badHook(info, ['INPUT', 'FORWARD', 'OUTPUT']) !== undefined) return 'REJECT target: bad hook';
    if (d.with === 'tcp-reset' && (info.proto !== 6 || info.protoInvert)) return 'TCP_RESET invalid for non-tcp';
    return undefined;
  },
};
