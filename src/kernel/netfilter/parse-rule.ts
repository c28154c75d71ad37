/**
 * The rule(s) a command line describes, once all its options are read.
 *
 * Models: iptables/xshared.c `ipv4_post_parse`: `-s` and `-d` default to 0.0.0.0/0 for rule
 * commands; each is a comma list (`xtables_ipparse_multiple`), and the command stands for one
 * rule per source x destination pair, in that nesting order (nft.c `add_entry`); `!` is refused
 * with a list; `-R` needs exactly one pair ("Replacement rule does not specify a unique address").
 * Leaves out: host names (see xt-parse.ts).
 * Invariant: every rule built shares the same match and action objects (they are immutable).
 */
import { paramProblem } from './errors.js';
import type { MatchData } from './matches/registry.js';
import { ANY_ADDR, type IfaceSpec, type Rule, type RuleAction } from './rule.js';
import { parseAddressList } from './xt-parse.js';

export interface RuleParts {
  readonly src: { readonly text: string; readonly invert: boolean } | undefined;
  readonly dst: { readonly text: string; readonly invert: boolean } | undefined;
  readonly inIface: IfaceSpec | undefined;
  readonly outIface: IfaceSpec | undefined;
  readonly proto: number;
  readonly protoInvert: boolean;
  readonly fragment: { readonly invert: boolean } | undefined;
  readonly matches: readonly MatchData[];
  readonly action: RuleAction;
}

/** The rules of a rule command (none for chain commands, whose addresses are still checked). */
export function expandRules(p: RuleParts, isRuleCommand: boolean, isReplace: boolean): Rule[] {
  const srcs = parseAddressList(p.src?.text ?? '0.0.0.0/0');
  const dsts = parseAddressList(p.dst?.text ?? '0.0.0.0/0');
  if ((srcs.length > 1 || dsts.length > 1) && (p.src?.invert === true || p.dst?.invert === true)) {
    paramProblem('! not allowed with multiple source or destination IP addresses');
  }
  if (isReplace && (srcs.length !== 1 || dsts.length !== 1)) {
    paramProblem('Replacement rule does not specify a unique address');
  }
  if (!isRuleCommand) return [];
  const rules: Rule[] = [];
  for (const s of srcs) {
    for (const d of dsts) {
      rules.push({
        src: p.src ? { ...s, invert: p.src.invert } : ANY_ADDR,
        dst: p.dst ? { ...d, invert: p.dst.invert } : ANY_ADDR,
        inIface: p.inIface,
        outIface: p.outIface,
        proto: p.proto,
        protoInvert: p.protoInvert,
        fragment: p.fragment,
        matches: p.matches,
        action: p.action,
      });
    }
  }
  return rules;
}
