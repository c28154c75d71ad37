/**
 * IPv4 policy routing rules (`ip rule`): an ordered list of selectors, each naming the table to
 * look in (or an action that ends the lookup).
 *
 * Models: `net/core/fib_rules.c` (`fib_rules_lookup`: rules by ascending priority, a rule whose
 * table gives no answer or a `throw` lets the next rule try; `fib_nl_newrule`: without `pref` a
 * new rule gets the priority of the second rule minus one, `fib_default_rule_pref`; rules of
 * equal priority keep insertion order; `rule_exists` makes an identical `ip rule add` EEXIST),
 * `net/ipv4/fib_rules.c` (`fib4_rule_match`: from/to prefixes, tos; `fib4_rule_action`), the
 * three default rules of `fib_default_rules_init` (0 local, 32766 main, 32767 default), and
 * `ip-rule(8)` for the selector words.
 * Leaves out: `goto`, `nop`, `suppress_prefixlength`, `uidrange`, `ipproto`/ports selectors,
 * l3mdev rules.
 */
import { cidrContains, type Cidr, type Ipv4 } from '../../packet/index.js';
import { IPROUTE_ERRORS, IPROUTE_OK, type IprouteResult } from './errors.js';

export const RT_TABLE_LOCAL = 255;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_DEFAULT = 253;

export type FibRuleAction = 'lookup' | 'blackhole' | 'unreachable' | 'prohibit';

export interface FibRule {
  readonly priority: number;
  readonly from: Cidr | undefined;
  readonly to: Cidr | undefined;
  /** Device names, as the kernel keeps them (a rule may name a device that does not exist yet). */
  readonly iif: string | undefined;
  readonly oif: string | undefined;
  readonly fwmark: number | undefined;
  readonly fwmask: number;
  readonly not: boolean;
  readonly action: FibRuleAction;
  /** The table for `lookup`. */
  readonly table: number;
}

export interface FibRuleSpec {
  readonly priority?: number;
  readonly from?: Cidr;
  readonly to?: Cidr;
  readonly iif?: string;
  readonly oif?: string;
  readonly fwmark?: number;
  readonly fwmask?: number;
  readonly not?: boolean;
  readonly action?: FibRuleAction;
  readonly table?: number;
}

/** What a rule is matched against (`struct flowi4`). */
export interface FibRuleFlow {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  /** The input device name; `lo` for locally generated packets (`LOOPBACK_IFINDEX`). */
  readonly iif: string;
  readonly oif: string | undefined;
  readonly mark: number;
}

function makeRule(spec: FibRuleSpec, priority: number): FibRule {
  return {
    priority,
    from: spec.from,
    to: spec.to,
    iif: spec.iif,
    oif: spec.oif,
    fwmark: spec.fwmark,
    fwmask: spec.fwmask ?? 0xffffffff,
    not: spec.not ?? false,
    action: spec.action ?? 'lookup',
    table: spec.table ?? RT_TABLE_MAIN,
  };
}

function cidrEqual(a: Cidr | undefined, b: Cidr | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.prefix === b.prefix && cidrContains(a, b.address));
}

function sameSelectors(a: FibRule, b: FibRule): boolean {
  return (
    cidrEqual(a.from, b.from) &&
    cidrEqual(a.to, b.to) &&
    a.iif === b.iif &&
    a.oif === b.oif &&
    a.fwmark === b.fwmark &&
    a.fwmask === b.fwmask &&
    a.not === b.not &&
    a.action === b.action &&
    a.table === b.table
  );
}

/** `fib4_rule_match` plus the generic part of `fib_rule_match`, with `not` inverting the result. */
export function fibRuleMatches(rule: FibRule, flow: FibRuleFlow): boolean {
  let m = true;
  if (rule.iif !== undefined && rule.iif !== flow.iif) m = false;
  else if (rule.oif !== undefined && rule.oif !== flow.oif) m = false;
  else if (rule.fwmark !== undefined && ((flow.mark ^ rule.fwmark) & rule.fwmask) !== 0) m = false;
  else if (rule.from !== undefined && !cidrContains(rule.from, flow.src)) m = false;
  else if (rule.to !== undefined && !cidrContains(rule.to, flow.dst)) m = false;
  return rule.not ? !m : m;
}

export class FibRuleList {
  private rules: FibRule[] = [
    makeRule({ table: RT_TABLE_LOCAL }, 0),
    makeRule({ table: RT_TABLE_MAIN }, 32766),
    makeRule({ table: RT_TABLE_DEFAULT }, 32767),
  ];

  /** In evaluation order. */
  list(): readonly FibRule[] {
    return this.rules;
  }

  /** True once a rule other than the three defaults exists (`fib4_has_custom_rules`). */
  hasCustomRules(): boolean {
    return this.rules.length !== 3 || this.rules.some((r, i) => r.priority !== [0, 32766, 32767][i]);
  }

  /** `ip rule add ...`. */
  ruleAdd(spec: FibRuleSpec): IprouteResult<FibRule> {
    const priority = spec.priority ?? this.defaultPriority();
    const rule = makeRule(spec, priority);
    if (this.rules.some(r => r.priority === priority && sameSelectors(r, rule))) return IPROUTE_ERRORS.ruleExists();
    let at = this.rules.length;
    for (let i = 0; i < this.rules.length; i++) {
      if (this.rules[i]!.priority > priority) {
        at = i;
        break;
      }
    }
    this.rules.splice(at, 0, rule);
    return { ok: true, value: rule };
  }

  /**
   * `ip rule del ...`: the first rule matching every attribute given (a missing one matches
   * anything, as `fib_nl_delrule` treats absent attributes).
   */
  ruleDel(spec: FibRuleSpec): IprouteResult {
    const i = this.rules.findIndex(
      r =>
        (spec.priority === undefined || r.priority === spec.priority) &&
        (spec.from === undefined || cidrEqual(r.from, spec.from)) &&
        (spec.to === undefined || cidrEqual(r.to, spec.to)) &&
        (spec.iif === undefined || r.iif === spec.iif) &&
        (spec.oif === undefined || r.oif === spec.oif) &&
        (spec.fwmark === undefined || r.fwmark === spec.fwmark) &&
        (spec.table === undefined || r.table === spec.table) &&
        (spec.action === undefined || r.action === spec.action),
    );
    if (i < 0) return IPROUTE_ERRORS.ruleNotFound();
    this.rules.splice(i, 1);
    return IPROUTE_OK;
  }

  /** `fib_default_rule_pref`: one below the second rule's priority (32765 with the defaults). */
  private defaultPriority(): number {
    const second = this.rules[1];
    if (second !== undefined && second.priority > 0) return second.priority - 1;
    return 0;
  }
}
