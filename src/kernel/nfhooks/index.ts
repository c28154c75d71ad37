/**
 * The netfilter glue of a namespace: `iptablesOf(ns)` gives the ruleset and installs `NfHooks` as
 * `ns.netfilter`, which runs raw, conntrack, mangle, nat, filter, security, IPVS and confirmation
 * at each hook in Linux's priority order and applies what the rule engine decided (counters,
 * marks, NAT bindings, REJECT answers, LOG/TRACE lines, drops with the deciding rule).
 *
 * Models: `net/netfilter/core.c` hook lists, `net/ipv4/netfilter/iptable_*.c`,
 * `nf_nat_core.c`, `nf_reject_ipv4.c`, `nf_log_syslog.c`, `br_netfilter_hooks.c`; see each file.
 */
export { NfHooks, BR_NETFILTER_EXT_KEY, PRI, headerText, type HookStep } from './hooks.js';
export { iptablesOf, nfHooksOf, nfHooksIfAny, loadBrNetfilter, loadBrNetfilterModule, registerIpvsSlot } from './iptables.js';
export type { IpvsSlot, IpvsSlotHook, NfHookOp } from './ipvs-slot.js';
export { nfPacketOf, nfCtViewOf, nfContextOf, addressType, type IpsetProvider } from './packet-view.js';
export { nfLogDump, kernelLog, nfLogAllowed, NF_LOG, type NfLogPacket } from './nf-log.js';
export { sendReject, resetFor, rejectCode, type RejectAnswer } from './reject.js';
