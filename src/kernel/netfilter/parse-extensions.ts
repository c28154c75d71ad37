/**
 * The extensions of one command line being parsed: loaded matches, the target, and which of them
 * an option belongs to.
 *
 * Models: iptables/xshared.c `command_match` (a second `-m NAME` completes the earlier instance
 * of NAME), `command_jump` (ACCEPT/DROP/QUEUE/RETURN are the standard target; a known extension
 * is loaded; any other name is kept as a chain, as iptables-nft does), `command_default`
 * (dispatch of an option to the target or to the first uncompleted match owning it), and
 * libxtables `xtables_merge_options` / `xtables_options_xfrm`, which put the newest extension's
 * options first, so that of two extensions with the same option name (`--mark` in mark and
 * connmark) the one loaded last receives it.
 * Leaves out: revisions and cloned option tables; instances of one extension share its options.
 * Invariant: `matches` keeps command-line order, which is the rule's match order.
 */
import { MSG, paramProblem } from './errors.js';
import { checkOptionUse, optId, type OptSpec, type ProtoInfo } from './ext-def.js';
import type { LongEntry } from './getopt.js';
import { matchDefByName, type MatchData } from './matches/registry.js';
import type { RuleAction } from './rule.js';
import { STANDARD_VERDICTS, targetDefByName, type StandardVerdict, type TargetData } from './targets/registry.js';

export const XT_EXTENSION_MAXNAMELEN = 29;

interface ExtInstance {
  readonly type: string;
  readonly name: string;
  readonly options: readonly OptSpec[];
  data: MatchData | TargetData;
  readonly seen: Set<string>;
  completed: boolean;
  readonly isTarget: boolean;
}

export interface ExtOptionRef {
  readonly kind: 'ext';
  readonly type: string;
  readonly spec: OptSpec;
}

export class Extensions {
  private readonly matches: ExtInstance[] = [];
  private target: ExtInstance | undefined;
  private verdict: StandardVerdict | undefined;
  /** `-j`/`-g` word; '' when none was given. */
  jumpto = '';
  private goto = false;
  /** Extension types in load order (`m:tcp`, `t:DNAT`). */
  private readonly loadedTypes: string[] = [];

  /** Long options of the loaded extensions, newest extension first. */
  longEntries(): LongEntry<ExtOptionRef>[] {
    const entries: LongEntry<ExtOptionRef>[] = [];
    for (const type of [...this.loadedTypes].reverse()) {
      const inst = [...this.matches, ...(this.target ? [this.target] : [])].find((m) => m.type === type);
      if (inst === undefined) continue;
      for (const spec of inst.options) {
        entries.push({ name: spec.name, owner: `${type}:${optId(spec)}`, arg: spec.hasArg ? 'required' : 'none', payload: { kind: 'ext', type, spec } });
      }
    }
    return entries;
  }

  /** `-m NAME`. */
  loadMatch(name: string): void {
    const def = matchDefByName(name);
    if (def === undefined) paramProblem(MSG.couldNotLoadMatch(name));
    for (const m of this.matches) if (m.name === name) m.completed = true;
    const type = `m:${name}`;
    if (!this.loadedTypes.includes(type)) this.loadedTypes.push(type);
    this.matches.push({ type, name, options: def.options, data: def.init(), seen: new Set(), completed: false, isTarget: false });
  }

  /** `-j NAME` / `-g NAME` (`xt_parse_target`, then `command_jump`). */
  jump(name: string, isGoto: boolean): void {
    if (name.length < 1) paramProblem('Invalid target name (too short)');
    if (name.length >= XT_EXTENSION_MAXNAMELEN) {
      paramProblem(`Invalid target name \`${name}' (${XT_EXTENSION_MAXNAMELEN - 1} chars max)`);
    }
    if (/\s/.test(name)) paramProblem(`Invalid target name \`${name}'`);
    this.jumpto = name;
    this.goto = isGoto;
    if (isGoto) return;
    if ((STANDARD_VERDICTS as readonly string[]).includes(name)) {
      this.verdict = name as StandardVerdict;
      return;
    }
    const def = targetDefByName(name);
    if (def === undefined) return;
    const type = `t:${name}`;
    if (!this.loadedTypes.includes(type)) this.loadedTypes.push(type);
    this.target = { type, name, options: def.options, data: def.init(), seen: new Set(), completed: false, isTarget: true };
  }

  /** Hands an extension option to its instance; `next` supplies the second word when needed. */
  dispatch(ref: ExtOptionRef, arg: string, invert: boolean, info: ProtoInfo, next: () => string | undefined): void {
    const { type, spec } = ref;
    const inst = this.target?.type === type ? this.target : this.matches.find((m) => m.type === type && !m.completed);
    if (inst === undefined) paramProblem(MSG.unknownOption(`--${spec.name}`));
    checkOptionUse(inst.name, spec, inst.seen, invert);
    let arg2: string | undefined;
    if (spec.secondArg !== undefined) {
      arg2 = next();
      if (arg2 === undefined) paramProblem(spec.secondArg);
    }
    const def = inst.isTarget ? targetDefByName(inst.name)! : matchDefByName(inst.name)!;
    const call = { id: optId(spec), name: spec.name, arg, arg2, invert, seen: inst.seen, info };
    inst.data = (def as { parse(d: unknown, c: typeof call): MatchData | TargetData }).parse(inst.data, call);
    inst.seen.add(optId(spec));
  }

  /** The x6 final checks, matches first, then the target. */
  finalize(info: ProtoInfo): void {
    for (const m of this.matches) {
      m.data = matchDefByName(m.name)!.final(m.data as MatchData, { seen: m.seen, info });
    }
    if (this.target) {
      this.target.data = targetDefByName(this.target.name)!.final(this.target.data as TargetData, { seen: this.target.seen, info });
    }
  }

  matchData(): MatchData[] {
    return this.matches.map((m) => m.data as MatchData);
  }

  action(): RuleAction {
    if (this.target !== undefined) return { kind: 'target', target: this.target.data as TargetData };
    if (this.verdict !== undefined) return { kind: 'verdict', verdict: this.verdict };
    if (this.jumpto !== '') return this.goto ? { kind: 'goto', chain: this.jumpto } : { kind: 'jump', chain: this.jumpto };
    return { kind: 'none' };
  }

  /** The chain named by `-j`/`-g`, when it is not a target. */
  chainJump(): string | undefined {
    return this.target === undefined && this.verdict === undefined && this.jumpto !== '' ? this.jumpto : undefined;
  }
}

/** `assert_valid_chain_name`. */
export function assertValidChainName(name: string): void {
  if (name.length >= XT_EXTENSION_MAXNAMELEN) {
    paramProblem(`chain name \`${name}' too long (must be under ${XT_EXTENSION_MAXNAMELEN} chars)`);
  }
  if (name.startsWith('-') || name.startsWith('!')) paramProblem(`chain name not allowed to start with \`${name[0]}'`);
  if ((STANDARD_VERDICTS as readonly string[]).includes(name) || targetDefByName(name) !== undefined) {
    paramProblem('chain name may not clash with target name');
  }
  if (/\s/.test(name)) paramProblem(`Invalid chain name \`${name}'`);
}
