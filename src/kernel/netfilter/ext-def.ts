/**
 * The shape every match and target extension implements: options, parse, save, print, match,
 * and the kernel's checkentry.
 *
 * Models: libxtables `struct xtables_match` / `struct xtables_target` (include/xtables.h): the
 * `x6_options` table, `x6_parse` per option, `x6_fcheck` after the last option, `save` (the text
 * `iptables-save` and `-S` print), `print` (the tail of an `iptables -L` line); and the kernel's
 * `struct xt_match` / `struct xt_target` (`.table`, `.hooks`, `.proto`, `checkentry`) whose
 * refusal makes nf_tables answer EINVAL.
 *
 * Leaves out: revisions (each extension is its newest revision); `help`.
 * Invariants: `save` and `print` return either '' or text that starts with one space, so callers
 * can concatenate; `parse` and `final` return new data and never mutate their input.
 */
import { MSG, paramProblem } from './errors.js';
import type { NfContext, NfHookName, NfPacket } from './packet-view.js';

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';

export interface OptSpec {
  /** The long option name without dashes (`dport`). */
  readonly name: string;
  /** Aliases share an id (`sport` and `source-port`); defaults to `name`. */
  readonly id?: string;
  readonly hasArg: boolean;
  readonly invert: boolean;
  /** May be given more than once. */
  readonly multi?: boolean;
  /** The extension's own text when the option is repeated (legacy-style parsers). */
  readonly onceMessage?: string;
  /** The option takes a second word (`--tcp-flags mask comp`); the text is the error if it is missing. */
  readonly secondArg?: string;
}

/** The rule's protocol, as extensions see it when they parse and check. */
export interface ProtoInfo {
  readonly proto: number;
  readonly protoInvert: boolean;
}

export interface OptCall {
  /** Canonical option id. */
  readonly id: string;
  /** The option's own name (differs from `id` for aliases such as `--syn`). */
  readonly name: string;
  readonly arg: string;
  /** The second word of a two-word option. */
  readonly arg2?: string | undefined;
  readonly invert: boolean;
  /** Ids already given to this extension instance. */
  readonly seen: ReadonlySet<string>;
  readonly info: ProtoInfo;
}

export interface FinalCall {
  readonly seen: ReadonlySet<string>;
  readonly info: ProtoInfo;
}

/** What a match may consult while matching; `mark`/`ctMark` are the values as of this rule. */
export interface MatchEnv {
  readonly ctx: NfContext;
  readonly hook: NfHookName;
  readonly mark: number;
  readonly ctMark: number | undefined;
  /**
   * `-m statistic --mode nth`: advances this match's counter (starting at `initial` the first
   * time, wrapping to 0 after `max`) and returns its new value.
   */
  nextNth(initial: number, max: number): number;
}

export interface KernelCheckInfo {
  readonly table: TableName;
  /** Hooks the rule's chain is reachable from (one for a built-in chain; none if unreachable). */
  readonly hooks: ReadonlySet<NfHookName>;
  readonly proto: number;
  readonly protoInvert: boolean;
}

interface ExtDefBase<D> {
  readonly name: string;
  readonly options: readonly OptSpec[];
  init(): D;
  parse(d: D, call: OptCall): D;
  final(d: D, call: FinalCall): D;
  save(d: D): string;
  print(d: D, numeric: boolean): string;
  /** The kernel checkentry: a reason (for dmesg) when the rule would be refused with EINVAL. */
  kernelCheck?(d: D, info: KernelCheckInfo): string | undefined;
}

export interface MatchDef<D> extends ExtDefBase<D> {
  match(d: D, pkt: NfPacket, env: MatchEnv): boolean;
}

export type TargetDef<D> = ExtDefBase<D>;

export function optId(spec: OptSpec): string {
  return spec.id ?? spec.name;
}

/** The x6 checks libxtables makes before an option reaches the extension. */
export function checkOptionUse(ext: string, spec: OptSpec, seen: ReadonlySet<string>, invert: boolean): void {
  if (seen.has(optId(spec)) && spec.multi !== true) {
    paramProblem(spec.onceMessage ?? MSG.onlyOnce(ext, spec.name));
  }
  if (invert && !spec.invert) paramProblem(MSG.cannotInvert(ext, spec.name));
}

export function inv(b: boolean): string {
  return b ? ' !' : '';
}

/** Hooks outside `allowed` that the chain is reachable from, or undefined if none. */
export function badHook(info: KernelCheckInfo, allowed: readonly NfHookName[]): NfHookName | undefined {
  for (const h of info.hooks) if (!allowed.includes(h)) return h;
  return undefined;
}

export const PORT_PROTOS: readonly number[] = [6, 17, 136, 132, 33];
