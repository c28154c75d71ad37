/**
 * Walking one table's chain for one packet: the decision, every rule looked at, and the effects.
 *
 * Models: net/ipv4/netfilter/ip_tables.c `ipt_do_table`: rules in order; a rule matches when
 * `ip_packet_match` (addresses under mask, `-i`/`-o` with `+`, protocol, `-f`) and every match
 * extension agree, in order, stopping at the first that does not; a match adds (1, skb->len) to
 * the rule's counters; `-j CHAIN` pushes a return point, `-g CHAIN` does not; RETURN and falling
 * off a user chain pop it, and with nothing to pop go to the hook's built-in chain policy (the
 * "underflow" entry); a target returns a verdict or XT_CONTINUE. `skb->nf_trace` is tested before
 * a rule's target runs, so a TRACE rule is not itself traced. Target semantics: xt_MARK.c,
 * xt_CONNMARK.c, xt_LOG.c, xt_TRACE.c, xt_CT.c, ipt_REJECT.c, xt_nat.c, xt_MASQUERADE.c.
 *
 *   FORWARD: r1 -j DOCKER-USER ──push──> DOCKER-USER: r1 -j RETURN ──pop──> FORWARD r2 ...
 *            ... no rule decided ──> policy DROP
 *
 * Pure: the ruleset is only read; counters and nth counters come back as updates that
 * `applyCounters` installs, so a dry run changes nothing.
 * Leaves out: hotdrop (truncated headers are no-matches); the jump stack limit.
 * Invariant: the ruleset has no loops (kernel-check refuses them); a step budget guards anyway.
 */
import { assert, fail } from '../../engine/index.js';
import type { MatchEnv, TableName } from './ext-def.js';
import { formatRuleSpec } from './format-rule.js';
import { matchDefOf } from './matches/registry.js';
import { hasEntry } from './matches/conntrack.js';
import { ifaceMatches } from './matches/physdev.js';
import type { NfContext, NfHookName, NfPacket } from './packet-view.js';
import { isUnconditional, type IfaceSpec, type Rule } from './rule.js';
import type { Ruleset } from './ruleset.js';
import type { ChainState, RuleEntry, TableState } from './table.js';
import type { TargetData } from './targets/registry.js';
import type {
  NfCounterUpdate,
  NfEffect,
  NfNthUpdate,
  NfRuleRef,
  NfStep,
  NfTableVerdict,
  NfTraversal,
} from './verdict.js';

const MAX_STEPS = 1_000_000;

/** Rule texts are pure functions of immutable rules; remember them for the trace. */
const specCache = new WeakMap<Rule, string>();

function ruleText(chain: string, rule: Rule): string {
  let spec = specCache.get(rule);
  if (spec === undefined) {
    spec = formatRuleSpec(rule);
    specCache.set(rule, spec);
  }
  return `-A ${chain}${spec}`;
}

function ifaceOk(spec: IfaceSpec | undefined, dev: string | undefined): boolean {
  if (spec === undefined) return true;
  // An empty wildcard ("+") has an all-zero mask: it always compares equal.
  return ifaceMatches(spec, dev) !== spec.invert;
}

/** `ip_packet_match`. */
export function ipPartMatches(rule: Rule, pkt: NfPacket): boolean {
  const ip = pkt.ip;
  if ((((ip.src & rule.src.mask) >>> 0) !== rule.src.addr) !== rule.src.invert) return false;
  if ((((ip.dst & rule.dst.mask) >>> 0) !== rule.dst.addr) !== rule.dst.invert) return false;
  if (!ifaceOk(rule.inIface, pkt.inIf)) return false;
  if (!ifaceOk(rule.outIface, pkt.outIf)) return false;
  if (rule.proto !== 0 && (ip.protocol !== rule.proto) !== rule.protoInvert) return false;
  if (rule.fragment !== undefined && (ip.fragmentOffset === 0) !== rule.fragment.invert) return false;
  return true;
}

const POLICY_VERDICT = { ACCEPT: { kind: 'accept' }, DROP: { kind: 'drop' } } as const;

interface Frame {
  readonly chain: ChainState;
  /** Index of the rule that jumped; execution resumes after it. */
  readonly index: number;
}

/** The match environment of one walk: a view of the walker's current mark and ct mark. */
class WalkEnv implements MatchEnv {
  readonly hook: NfHookName;
  constructor(
    private readonly walker: Walker,
    readonly ctx: NfContext,
  ) {
    this.hook = ctx.hook;
  }
  get mark(): number {
    return this.walker.mark;
  }
  get ctMark(): number | undefined {
    return this.walker.ctMark;
  }
  nextNth(initial: number, max: number): number {
    return this.walker.nextNth(initial, max);
  }
}

class Walker {
  readonly steps: NfStep[] = [];
  readonly effects: NfEffect[] = [];
  readonly counters: NfCounterUpdate[] = [];
  readonly nth: NfNthUpdate[] = [];
  mark: number;
  ctMark: number | undefined;
  trace: boolean;
  private readonly nthState = new Map<string, number>();
  /** Whether every evaluated rule is recorded (see NfContext.recordSteps). */
  private readonly recordAll: boolean;
  /** The rule and match `env.nextNth` speaks for; set before each match runs. */
  private curChain: ChainState | undefined;
  private curEntry: RuleEntry | undefined;
  private curMatch = 0;
  private readonly env: MatchEnv;

  constructor(
    private readonly t: TableState,
    private readonly pkt: NfPacket,
    private readonly ctx: NfContext,
  ) {
    this.mark = pkt.mark >>> 0;
    this.ctMark = hasEntry(pkt.ct) ? (pkt.ct.mark ?? 0) >>> 0 : undefined;
    this.trace = pkt.trace === true;
    this.recordAll = ctx.recordSteps !== false;
    // One environment per walk, reading the walker's current state (no object per match).
    this.env = new WalkEnv(this, ctx);
  }

  private ref(chain: ChainState, ruleNum: number): NfRuleRef {
    return { table: this.t.name, chain: chain.name, ruleNum };
  }

  nextNth(initial: number, max: number): number {
    const chain = this.curChain!;
    const entry = this.curEntry!;
    const matchIndex = this.curMatch;
    const key = `${entry.id}/${matchIndex}`;
    const current = this.nthState.get(key) ?? entry.nth.get(matchIndex) ?? initial;
    const next = current === max ? 0 : current + 1;
    this.nthState.set(key, next);
    this.nth.push({ table: this.t.name, chain: chain.name, entryId: entry.id, matchIndex, count: next });
    return next;
  }

  private matches(chain: ChainState, entry: RuleEntry): boolean {
    if (!ipPartMatches(entry.rule, this.pkt)) return false;
    const matches = entry.rule.matches;
    this.curChain = chain;
    this.curEntry = entry;
    for (let i = 0; i < matches.length; i++) {
      this.curMatch = i;
      const m = matches[i]!;
      if (!matchDefOf(m).match(m, this.pkt, this.env)) return false;
    }
    return true;
  }

  /** Runs a non-standard target: a verdict, or undefined for XT_CONTINUE. */
  private target(d: TargetData, at: NfRuleRef): NfTableVerdict | undefined {
    switch (d.kind) {
      case 'REJECT':
        return { kind: 'reject', with: d.with };
      case 'DNAT':
        return { kind: 'nat', nat: { kind: 'dnat', range: d.range, random: d.random, persistent: d.persistent } };
      case 'SNAT':
        return {
          kind: 'nat',
          nat: { kind: 'snat', range: d.range, random: d.random, randomFully: d.randomFully, persistent: d.persistent },
        };
      case 'MASQUERADE':
        return { kind: 'nat', nat: { kind: 'masquerade', ports: d.ports, random: d.random, randomFully: d.randomFully } };
      case 'REDIRECT':
        return { kind: 'nat', nat: { kind: 'redirect', ports: d.ports, random: d.random } };
      case 'MARK': {
        const to = ((this.mark & ~d.mask) ^ d.mark) >>> 0;
        this.effects.push({ kind: 'mark', from: this.mark, to, at });
        this.mark = to;
        return undefined;
      }
      case 'CONNMARK': {
        if (this.ctMark === undefined) return undefined;
        if (d.mode === 'restore') {
          const to = ((this.mark & ~d.nfmask) ^ (this.ctMark & d.ctmask)) >>> 0;
          this.effects.push({ kind: 'mark', from: this.mark, to, at });
          this.mark = to;
          return undefined;
        }
        const bits = d.mode === 'set' ? d.ctmark : this.mark & d.nfmask;
        const to = ((this.ctMark & ~d.ctmask) ^ bits) >>> 0;
        this.effects.push({ kind: 'ct-mark', from: this.ctMark, to, at });
        this.ctMark = to;
        return undefined;
      }
      case 'LOG':
        this.effects.push({ kind: 'log', prefix: d.prefix, level: d.level, flags: d.flags, at });
        return undefined;
      case 'TRACE':
        this.trace = true;
        this.effects.push({ kind: 'trace', at });
        return undefined;
      case 'CT':
        if (d.notrack) this.effects.push({ kind: 'notrack', at });
        if (d.zone !== 0) this.effects.push({ kind: 'ct-zone', zone: d.zone, at });
        if (d.helper !== '') this.effects.push({ kind: 'ct-helper', helper: d.helper, at });
        return undefined;
    }
  }

  private policy(hookChain: ChainState): NfTableVerdict {
    const verdict = POLICY_VERDICT[hookChain.policy];
    this.steps.push({ kind: 'policy', ...this.ref(hookChain, hookChain.rules.length + 1), traced: this.trace, verdict });
    this.counters.push({ table: this.t.name, chain: hookChain.name, entryId: undefined, packets: 1, bytes: this.pkt.ip.length });
    return verdict;
  }

  run(entry: ChainState, hookChain: ChainState): NfTableVerdict {
    const stack: Frame[] = [];
    let chain = entry;
    let i = 0;
    for (let budget = 0; budget < MAX_STEPS; budget++) {
      if (i >= chain.rules.length) {
        if (chain.builtin) return this.policy(chain);
        this.steps.push({ kind: 'return', ...this.ref(chain, chain.rules.length + 1), traced: this.trace });
        const back = stack.pop();
        if (back === undefined) return this.policy(hookChain);
        chain = back.chain;
        i = back.index + 1;
        continue;
      }
      const e = chain.rules[i]!;
      if (!this.matches(chain, e)) {
        if (this.recordAll || this.trace) {
          const unconditional = isUnconditional(e.rule) && e.rule.action.kind === 'verdict';
          this.steps.push({ kind: 'rule', ...this.ref(chain, i + 1), ruleText: ruleText(chain.name, e.rule), matched: false, outcome: 'no-match', traced: this.trace, unconditionalStandard: unconditional });
        }
        i++;
        continue;
      }
      const at = this.ref(chain, i + 1);
      const base = { kind: 'rule' as const, ...at, ruleText: ruleText(chain.name, e.rule) };
      const unconditionalStandard = isUnconditional(e.rule) && e.rule.action.kind === 'verdict';
      this.counters.push({ table: this.t.name, chain: chain.name, entryId: e.id, packets: 1, bytes: this.pkt.ip.length });
      const traced = this.trace;
      const a = e.rule.action;
      switch (a.kind) {
        case 'none':
          this.steps.push({ ...base, matched: true, outcome: 'continue', traced, unconditionalStandard });
          i++;
          break;
        case 'jump':
        case 'goto': {
          const next = this.t.chains.get(a.chain);
          assert(next !== undefined, `jump to missing chain ${a.chain}`);
          this.steps.push({ ...base, matched: true, outcome: a.kind, next: a.chain, traced, unconditionalStandard });
          if (a.kind === 'jump') stack.push({ chain, index: i });
          chain = next;
          i = 0;
          break;
        }
        case 'verdict': {
          if (a.verdict === 'RETURN') {
            this.steps.push({ ...base, matched: true, outcome: 'return', traced, unconditionalStandard });
            const back = stack.pop();
            if (back === undefined) return this.policy(hookChain);
            chain = back.chain;
            i = back.index + 1;
            break;
          }
          const verdict: NfTableVerdict =
            a.verdict === 'ACCEPT' ? { kind: 'accept' } : a.verdict === 'DROP' ? { kind: 'drop' } : { kind: 'queue' };
          this.steps.push({ ...base, matched: true, outcome: 'verdict', verdict, traced, unconditionalStandard });
          return verdict;
        }
        case 'target': {
          const verdict = this.target(a.target, at);
          if (verdict !== undefined) {
            this.steps.push({ ...base, matched: true, outcome: 'verdict', verdict, traced, unconditionalStandard });
            return verdict;
          }
          this.steps.push({ ...base, matched: true, outcome: 'continue', traced, unconditionalStandard });
          i++;
          break;
        }
      }
    }
    return fail(`netfilter traversal of ${this.t.name}/${entry.name} exceeded ${MAX_STEPS} steps`);
  }
}

/**
 * Walks `table`'s built-in `chain` for `pkt`. A missing table behaves as an empty one (every
 * policy ACCEPT), as a namespace without rules does.
 */
export function traverseChain(ruleset: Ruleset, table: TableName, chain: string, pkt: NfPacket, ctx: NfContext): NfTraversal {
  const t = ruleset.view(table);
  const entry = t.chains.get(chain);
  assert(entry !== undefined && entry.builtin, `traverseChain: ${table}/${chain} is not a built-in chain`);
  const hookChain = t.chains.get(ctx.hook);
  const w = new Walker(t, pkt, ctx);
  const verdict = w.run(entry, hookChain?.builtin === true ? hookChain : entry);
  return {
    table,
    chain,
    verdict,
    steps: w.steps,
    effects: w.effects,
    counters: w.counters,
    nth: w.nth,
    mark: w.mark,
    ctMark: w.ctMark,
    trace: w.trace,
  };
}

/** Installs the counter and nth updates of a traversal (the "commit" of a real packet). */
export function applyCounters(ruleset: Ruleset, traversal: Pick<NfTraversal, 'counters' | 'nth'>): void {
  for (const u of traversal.counters) {
    const c = ruleset.table(u.table)?.chains.get(u.chain);
    if (c === undefined) continue;
    if (u.entryId === undefined) {
      if (ruleset.options.countPolicy === true || c.policyCounted === true) {
        c.packets += u.packets;
        c.bytes += u.bytes;
      }
      continue;
    }
    const e = c.rules.find((r) => r.id === u.entryId);
    if (e) {
      e.packets += u.packets;
      e.bytes += u.bytes;
    }
  }
  for (const u of traversal.nth) {
    const e = ruleset.table(u.table)?.chains.get(u.chain)?.rules.find((r) => r.id === u.entryId);
    e?.nth.set(u.matchIndex, u.count);
  }
}
