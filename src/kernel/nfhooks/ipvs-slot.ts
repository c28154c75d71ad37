/**
 * Where other kernel modules (IPVS first) plug functions into a namespace's netfilter hooks at a
 * priority, so they can be added without changing the hook sequence in hooks.ts.
 *
 * Models: `nf_register_net_hook` (`net/netfilter/core.c`): a function registered on a hook at a
 * priority runs among the built-in ones in ascending priority order, after those of equal
 * priority already there; it answers like any hook function: NF_ACCEPT (continue, the skb
 * possibly rewritten), NF_DROP (it recorded the drop) or NF_STOLEN (it took the packet over).
 * IPVS registers `ip_vs_ops4` (`net/netfilter/ipvs/ip_vs_core.c`): LOCAL_IN 98/99 (between filter
 * and nat INPUT), LOCAL_OUT -99/-98 (between nat OUTPUT and filter OUTPUT), FORWARD 100.
 * The IPVS slot also says what `-m ipvs` sees of a packet (`NfPacket.ipvs`).
 * Leaves out: unregistering single functions (a slot is replaced as a whole).
 */
import type { NfHook, NfHookContext, NfVerdict } from '../hooks.js';
import type { NfIpvsView } from '../netfilter/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';

/** One function on one hook at one priority (`struct nf_hook_ops`). */
export interface NfHookOp {
  readonly hook: NfHook;
  readonly priority: number;
  readonly name: string;
  readonly fn: (ns: NetNamespace, skb: Skb, ctx: NfHookContext) => NfVerdict;
}

/** What the IPVS module registers in a namespace. */
export interface IpvsSlot {
  /** `ip_vs_ops4` (e.g. the IPVS module's `IPVS_HOOK_OPS`). */
  readonly ops: readonly NfHookOp[];
  /** `-m ipvs`: the IPVS connection of a packet IPVS already handled. */
  readonly matchInfo?: (ns: NetNamespace, skb: Skb) => NfIpvsView | undefined;
}

export type IpvsSlotHook = 'INPUT' | 'OUTPUT' | 'FORWARD';
