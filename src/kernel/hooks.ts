/**
 * The netfilter hook points as the IPv4 path calls them (`NF_HOOK` in `net/ipv4/*.c`).
 *
 * Models: `include/uapi/linux/netfilter_ipv4.h` hooks and `include/linux/netfilter.h` verdicts.
 * The packet path calls `hook(...)` at PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING (and
 * the bridge path at its own three when br_netfilter is on); what runs there (raw, conntrack,
 * mangle, nat, filter, IPVS, in priority order) belongs to the netfilter module.
 * Leaves out: nothing here; this is the seam between the packet path and netfilter.
 */
import type { NetDevice } from './device.js';
import type { Skb } from './skb.js';

export type NfHook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/**
 * What the hook decided. `accept`: continue (the skb may have been rewritten in place: frame,
 * mark, ct). `drop`: the packet is gone (already recorded with its reason). `stolen`: netfilter
 * took over the packet (IPVS forwarded it, REJECT answered) and the caller stops.
 */
export type NfVerdict = 'accept' | 'drop' | 'stolen';

export interface NfHookContext {
  readonly hook: NfHook;
  readonly inDev: NetDevice | undefined;
  readonly outDev: NetDevice | undefined;
  /** br_netfilter: a bridged frame, with its ports (`PHYSIN`/`PHYSOUT`). */
  readonly bridged?: { readonly physIn: NetDevice | undefined; readonly physOut: NetDevice | undefined };
}

export interface NetfilterHooks {
  hook(skb: Skb, ctx: NfHookContext): NfVerdict;
  /** br_netfilter is loaded and `bridge-nf-call-iptables` is 1 in this namespace. */
  bridgeCallIptables(): boolean;
  /**
   * `nf_ct_attach(nskb, cause)`: a packet the kernel builds in answer to `cause` (an ICMP error
   * from `icmp_send`) gets the cause's conntrack entry, RELATED, before it reaches OUTPUT, so
   * NAT translates it back even while that entry is unconfirmed. Absent without conntrack.
   */
  attach?(nskb: Skb, cause: Skb): void;
}

/** A namespace with no netfilter state: every hook accepts, bridged frames skip iptables. */
export const acceptAll: NetfilterHooks = {
  hook: () => 'accept',
  bridgeCallIptables: () => false,
};
