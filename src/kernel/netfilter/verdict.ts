/**
 * What one table decided for a packet at one hook, and the side effects it asks for, as data.
 *
 * Models: the return value of net/ipv4/netfilter/ip_tables.c `ipt_do_table` (NF_ACCEPT, NF_DROP,
 * NF_QUEUE; REJECT is NF_DROP after sending a reply; the NAT targets return NF_ACCEPT after
 * setting up the binding) and the changes targets make on the way (`skb->mark`, `ct->mark`,
 * `skb->nf_trace`, notrack, a log line). The caller (packet path, conntrack/NAT) applies them.
 *
 *   traverseChain(...) -> NfTraversal { verdict, steps (the teaching trace), effects, counters }
 *
 * Leaves out: NF_STOLEN and NF_REPEAT (no target here returns them).
 * Invariant: `steps` lists every rule looked at, in order, with 1-based rule numbers.
 */
import type { TableName } from './ext-def.js';
import type { RejectWith } from './names.js';
import type { NatPortRange, NatRange } from './targets/nat.js';

export type NfNatDecision =
  | {
      readonly kind: 'dnat';
      readonly range: NatRange;
      readonly random: boolean;
      readonly persistent: boolean;
    }
  | {
      readonly kind: 'snat';
      readonly range: NatRange;
      readonly random: boolean;
      readonly randomFully: boolean;
      readonly persistent: boolean;
    }
  | {
      readonly kind: 'masquerade';
      readonly ports: NatPortRange | undefined;
      readonly random: boolean;
      readonly randomFully: boolean;
    }
  | { readonly kind: 'redirect'; readonly ports: NatPortRange | undefined; readonly random: boolean };

export type NfTableVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'queue' }
  | { readonly kind: 'reject'; readonly with: RejectWith }
  | { readonly kind: 'nat'; readonly nat: NfNatDecision };

export interface NfRuleRef {
  readonly table: TableName;
  readonly chain: string;
  /** 1-based; chain-end entries use (number of rules) + 1. */
  readonly ruleNum: number;
}

export type NfStepOutcome = 'no-match' | 'continue' | 'jump' | 'goto' | 'return' | 'verdict';

export interface NfRuleStep extends NfRuleRef {
  readonly kind: 'rule';
  /** The rule as iptables-save prints it (`-A CHAIN ...`). */
  readonly ruleText: string;
  readonly matched: boolean;
  readonly outcome: NfStepOutcome;
  /** For jump/goto: the chain entered. */
  readonly next?: string | undefined;
  readonly verdict?: NfTableVerdict | undefined;
  /** `skb->nf_trace` was set when the rule was evaluated. */
  readonly traced: boolean;
  /** No IP-part condition, no matches and a standard verdict: TRACE calls it policy/return. */
  readonly unconditionalStandard: boolean;
}

/** The implicit entry at a chain's end: a user chain returns, a built-in chain applies its policy. */
export interface NfChainEndStep extends NfRuleRef {
  readonly kind: 'return' | 'policy';
  readonly traced: boolean;
  readonly verdict?: NfTableVerdict | undefined;
}

export type NfStep = NfRuleStep | NfChainEndStep;

export type NfEffect =
  | { readonly kind: 'mark'; readonly from: number; readonly to: number; readonly at: NfRuleRef }
  | { readonly kind: 'ct-mark'; readonly from: number; readonly to: number; readonly at: NfRuleRef }
  | {
      readonly kind: 'log';
      readonly prefix: string;
      readonly level: number;
      readonly flags: number;
      readonly at: NfRuleRef;
    }
  | { readonly kind: 'trace'; readonly at: NfRuleRef }
  | { readonly kind: 'notrack'; readonly at: NfRuleRef }
  | { readonly kind: 'ct-zone'; readonly zone: number; readonly at: NfRuleRef }
  | { readonly kind: 'ct-helper'; readonly helper: string; readonly at: NfRuleRef };

/** One counter increment; `entryId` undefined means the chain's policy counter. */
export interface NfCounterUpdate {
  readonly table: TableName;
  readonly chain: string;
  readonly entryId: number | undefined;
  readonly packets: number;
  readonly bytes: number;
}

/** The new value of a `-m statistic --mode nth` counter. */
export interface NfNthUpdate {
  readonly table: TableName;
  readonly chain: string;
  readonly entryId: number;
  readonly matchIndex: number;
  readonly count: number;
}

export interface NfTraversal {
  readonly table: TableName;
  readonly chain: string;
  readonly verdict: NfTableVerdict;
  readonly steps: readonly NfStep[];
  readonly effects: readonly NfEffect[];
  readonly counters: readonly NfCounterUpdate[];
  readonly nth: readonly NfNthUpdate[];
  /** `skb->mark` after the traversal. */
  readonly mark: number;
  /** `ct->mark` after the traversal (undefined without a conntrack entry). */
  readonly ctMark: number | undefined;
  /** `skb->nf_trace` after the traversal. */
  readonly trace: boolean;
}
