/**
 * The netfilter rule engine's front door: iptables state, the iptables tools, and the
 * per-packet decision.
 *
 * Models: iptables 1.8.9 (nf_tables backend) as the user-facing language and output, and the
 * x_tables semantics of the kernel (net/ipv4/netfilter/ip_tables.c, net/netfilter/xt_*.c) for
 * what rules do. See each file's header for the exact sources.
 *
 *   runIptables / runIptablesSave / runIptablesRestore   text in, text out (exit code, stdout, stderr)
 *   Ruleset                                              the tables of one network namespace
 *   traverseChain(ruleset, table, chain, pkt, ctx)       one table's decision for one packet
 *   applyCounters / traceLines                           install counters; render TRACE lines
 *
 * Leaves out (later modules plug in here): conntrack and NAT bindings (they consume the `nat`
 * verdict and fill `NfPacket.ct`), the hook sequence per packet path (raw, mangle, nat, filter
 * order), IPVS (fills `NfPacket.ipvs`), br_netfilter (sets `bridged`, `physIn`, `physOut`).
 * Invariant: nothing here reads the clock or ambient randomness; `NfContext.random` is the only
 * source of chance.
 */
export { IPTABLES_VERSION, renderFailure, type XtFailure, type XtOutput, type XtProgram } from './errors.js';
export type { TableName } from './ext-def.js';
export type {
  NfContext,
  NfCtState,
  NfCtView,
  NfHookName,
  NfIpView,
  NfIpvsView,
  NfL4View,
  NfPacket,
  NfPolicyView,
  NfXfrmState,
} from './packet-view.js';
export type { RouteType, RejectWith } from './names.js';
export { emptyRule, isUnconditional, type AddrSpec, type IfaceSpec, type Rule, type RuleAction } from './rule.js';
export type { MatchData, MatchKind } from './matches/registry.js';
export type { TargetData, TargetKind, StandardVerdict } from './targets/registry.js';
export type { NatRange, NatPortRange } from './targets/nat.js';
export { formatRule, formatRuleSpec } from './format-rule.js';
export { parseCommand, parseRuleLine, type ParsedCommand, type ParseOutcome } from './parse-command.js';
export { splitWords } from './getopt.js';
export {
  BUILTIN_CHAINS,
  TABLE_ORDER,
  chainsInOrder,
  isBuiltinChain,
  isTableName,
  type ChainState,
  type Policy,
  type RuleEntry,
  type TableState,
} from './table.js';
export { Ruleset, type OpResult, type RulesetOptions } from './ruleset.js';
export { validateTable, type KernelIssue } from './kernel-check.js';
export { listRules, listTable, type ListOptions } from './list-format.js';
export { runIptables, type IptablesContext } from './iptables-command.js';
export { runIptablesSave, saveTable, EPOCH_CTIME } from './iptables-save.js';
export { runIptablesRestore } from './iptables-restore.js';
export { traverseChain, applyCounters, ipPartMatches } from './evaluate.js';
export { traceLines } from './trace-lines.js';
export type {
  NfChainEndStep,
  NfCounterUpdate,
  NfEffect,
  NfNatDecision,
  NfNthUpdate,
  NfRuleRef,
  NfRuleStep,
  NfStep,
  NfStepOutcome,
  NfTableVerdict,
  NfTraversal,
} from './verdict.js';
