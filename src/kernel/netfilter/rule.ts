/**
 * One iptables rule as data: the IP part, the list of matches, and what happens on a match.
 *
 * Models: `struct ipt_entry` (include/uapi/linux/netfilter_ipv4/ip_tables.h): `struct ipt_ip`
 * (src/dst address and mask, in/out interface with the `+` wildcard mask, protocol, the FRAG flag
 * and the inversion flags), the match list in order, and the target: a standard verdict
 * (ACCEPT, DROP, QUEUE, RETURN), a jump or goto (`IPT_F_GOTO`) to a user chain, or a target
 * extension.
 *
 *   -s 172.17.0.0/16 ! -o docker0 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j MASQUERADE
 *   \____ src ______/ \_outIface_/ \proto/ \____ matches[0] ____/ \______ matches[1] ______/ \_action_/
 *
 * Leaves out: IPv6 (`struct ip6t_ip6`), counters (they live in the ruleset, not in the rule).
 * Invariants: `src.addr & ~src.mask === 0` (iptables clears host bits when it parses); a rule is
 * immutable once built, so rule texts and traces can hold on to it.
 */
import type { MatchData } from './matches/registry.js';
import type { StandardVerdict, TargetData } from './targets/registry.js';

export interface AddrSpec {
  readonly addr: number;
  readonly mask: number;
  readonly invert: boolean;
}

export interface IfaceSpec {
  /** Without the trailing `+`. */
  readonly name: string;
  readonly wildcard: boolean;
  readonly invert: boolean;
}

export type RuleAction =
  /** No `-j`: the rule only counts (and TRACE-logs) matching packets. */
  | { readonly kind: 'none' }
  | { readonly kind: 'verdict'; readonly verdict: StandardVerdict }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }
  | { readonly kind: 'target'; readonly target: TargetData };

export interface Rule {
  readonly src: AddrSpec;
  readonly dst: AddrSpec;
  readonly inIface: IfaceSpec | undefined;
  readonly outIface: IfaceSpec | undefined;
  /** 0 means any protocol (`-p all`). */
  readonly proto: number;
  readonly protoInvert: boolean;
  /** `-f` (true) / `! -f` (false) / absent (undefined). */
  readonly fragment: { readonly invert: boolean } | undefined;
  readonly matches: readonly MatchData[];
  readonly action: RuleAction;
}

export const ANY_ADDR: AddrSpec = { addr: 0, mask: 0, invert: false };

export function emptyRule(): Rule {
  return {
    src: ANY_ADDR,
    dst: ANY_ADDR,
    inIface: undefined,
    outIface: undefined,
    proto: 0,
    protoInvert: false,
    fragment: undefined,
    matches: [],
    action: { kind: 'none' },
  };
}

/** Chains a rule may send packets to (jump or goto), for reachability and loop checks. */
export function ruleTargetChain(rule: Rule): string | undefined {
  return rule.action.kind === 'jump' || rule.action.kind === 'goto' ? rule.action.chain : undefined;
}

/**
 * `unconditional()` of ip_tables.c: no IP-part condition and no matches. Such a rule with a
 * standard verdict is what the kernel's TRACE calls `policy`/`return` instead of `rule`.
 */
export function isUnconditional(rule: Rule): boolean {
  return (
    rule.src.mask === 0 &&
    rule.src.addr === 0 &&
    !rule.src.invert &&
    rule.dst.mask === 0 &&
    rule.dst.addr === 0 &&
    !rule.dst.invert &&
    rule.inIface === undefined &&
    rule.outIface === undefined &&
    rule.proto === 0 &&
    !rule.protoInvert &&
    rule.fragment === undefined &&
    rule.matches.length === 0
  );
}
