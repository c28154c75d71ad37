/**
 * A packet in flight inside one simulated kernel: Linux's `struct sk_buff`, reduced to what the
 * model needs.
 *
 * Models: `include/linux/skbuff.h` (`pkt_type`, `mark`, `_nfct`, `nf_trace`, `dev`, `skb_iif`),
 * `net/core/skbuff.c` `skb_scrub_packet` (what crossing a veth or a namespace clears, the xfrm
 * secpath included).
 * The frame itself is an immutable value (`EthernetRepr`): a hop that rewrites a header builds a
 * new frame and stores it here, so trace records that kept the old value never change.
 * Leaves out: shared/cloned buffers, GSO segments, checksum offload state.
 */
import type { EthernetRepr } from '../packet/index.js';
import type { NfPolicyView } from './netfilter/index.js';

/** `skb->pkt_type`, set by `eth_type_trans` from the destination MAC at receive. */
export type PktType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing';

export interface Skb {
  /** Stable packet id: survives NAT, encapsulation and copies, links trace records and pcap. */
  readonly id: number;
  /** The current frame (Ethernet header and everything inside it). */
  frame: EthernetRepr;
  /** `skb->mark`; zeroed when the packet crosses into another namespace. */
  mark: number;
  pktType: PktType;
  /** Ingress device name once received (`skb->skb_iif`), for `-i` matches and rp_filter. */
  inDev: string | undefined;
  /** br_netfilter: the bridge port a bridged frame came in on (`PHYSIN`). */
  physIn: string | undefined;
  /** `skb->nf_trace`, set by `-j TRACE`. */
  nfTrace: boolean;
  /** The conntrack entry this packet belongs to (`skb->_nfct`); opaque to this layer. */
  ct: unknown;
  /** True for a packet IPVS already handled (`skb->ipvs_property`). */
  ipvsProperty: boolean;
  /**
   * br_netfilter already ran iptables PREROUTING for this frame in the bridge path
   * (`skb->nf_bridge`); when it goes up the IP stack, PREROUTING is skipped (`ip_sabotage_in`).
   */
  brNetfilter: boolean;
  /**
   * xfrm: the states that decapsulated the packet (`skb->sp`, `in`) and the bundle its output
   * route chose (`skb_dst(skb)->xfrm`, `out`), as `-m policy` reads them; absent without IPsec.
   */
  xfrm?: NfPolicyView | undefined;
}

export function newSkb(id: number, frame: EthernetRepr): Skb {
  return {
    id,
    frame,
    mark: 0,
    pktType: 'host',
    inDev: undefined,
    physIn: undefined,
    nfTrace: false,
    ct: undefined,
    ipvsProperty: false,
    brNetfilter: false,
  };
}

/** A copy for flooding or cloning: same packet id, same metadata, independent mutable fields. */
export function cloneSkb(skb: Skb): Skb {
  return { ...skb };
}

/**
 * `skb_scrub_packet(skb, xnet)`: what veth and tunnels clear. Conntrack, trace flag and IPVS flag
 * always; the mark only when the packet changes namespace (`xnet`).
 */
export function scrubSkb(skb: Skb, crossNamespace: boolean): void {
  skb.ct = undefined;
  skb.nfTrace = false;
  skb.ipvsProperty = false;
  skb.physIn = undefined;
  skb.brNetfilter = false;
  // secpath_reset; tested first so packets without IPsec keep their shape.
  if (skb.xfrm !== undefined) skb.xfrm = undefined;
  if (crossNamespace) skb.mark = 0;
}
