/**
 * The kernel's TRACE log prefixes for a traversal: `TRACE: table:chain:type:rulenum`.
 *
 * Models: net/ipv4/netfilter/ip_tables.c `trace_packet` and `get_chainname_rulenum` (legacy
 * TRACE, linux-primitives.md 1.7): only while `skb->nf_trace` is set; one line per matching rule
 * (type `rule`), plus the chain-end entries: `return` at the end of a user chain and `policy`
 * for a built-in chain's policy, both numbered (number of rules) + 1. An unconditional rule with
 * a standard verdict (`-j RETURN`, `-j ACCEPT`, ...) is itself labelled `return` in a user chain
 * and `policy` in a built-in chain, as the kernel cannot tell it from a chain tail. Nothing is
 * logged when a caller resumes after a jump.
 *
 *   TRACE: raw:PREROUTING:policy:2 IN=eth0 OUT= MAC=... SRC=172.17.0.2 ...
 *
 * Leaves out: the nf_log packet dump after the prefix; callers pass it in when they have one.
 * Invariant: output order is the traversal's step order.
 */
import type { NfHookName } from './packet-view.js';
import type { NfTraversal } from './verdict.js';

/** The TRACE lines of one traversal (at `hook`), each followed by `packetDump` when given. */
export function traceLines(traversal: NfTraversal, hook: NfHookName, packetDump?: string): string[] {
  const lines: string[] = [];
  const suffix = packetDump === undefined ? '' : ` ${packetDump}`;
  for (const s of traversal.steps) {
    if (!s.traced) continue;
    let type: string;
    if (s.kind === 'rule') {
      if (!s.matched) continue;
      type = s.unconditionalStandard ? (s.chain === hook ? 'policy' : 'return') : 'rule';
    } else {
      type = s.kind;
    }
    lines.push(`TRACE: ${s.table}:${s.chain}:${type}:${s.ruleNum}${suffix}`);
  }
  return lines;
}
