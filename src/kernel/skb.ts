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
import { ARP_LENGTH, encodeIpv4Payload, ethernetHeaderLength, ipv4HeaderLength, type EthernetRepr, type Ipv4Payload, type Ipv4Repr } from '../packet/index.js';
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

/**
 * Body lengths of payloads whose length needs an encoding (TCP, structured UDP, ICMP errors), by
 * payload object: a forwarded packet gets a new header each hop, not a new payload.
 */
const bodyLengthCache = new WeakMap<Ipv4Payload, number>();

/** An IPv4 payload's length when it can be read off the value without encoding it, else undefined. */
export function plainIpv4BodyLength(p: Ipv4Payload): number | undefined {
  if (p.kind === 'payload') return p.bytes.length;
  if (p.kind === 'udp') return p.payload.kind === 'payload' ? 8 + p.payload.bytes.length : undefined;
  if (p.kind === 'icmp' && (p.type === 'echo-request' || p.type === 'echo-reply')) return 8 + p.data.length;
  return undefined;
}

/** The total length of a datagram (header + payload), encoding the payload at most once. */
export function ipv4Length(ip: Ipv4Repr): number {
  const p = ip.payload;
  let body = plainIpv4BodyLength(p);
  if (body === undefined) {
    body = bodyLengthCache.get(p);
    if (body === undefined) {
      body = encodeIpv4Payload(ip).length;
      bodyLengthCache.set(p, body);
    }
  }
  return ipv4HeaderLength(ip) + body;
}

/** The frame's length as a device counts it (`skb->len`: Ethernet header and tags, no FCS, no padding). */
export function frameLength(f: EthernetRepr): number {
  const p = f.payload;
  const l2 = ethernetHeaderLength(f);
  switch (p.kind) {
    case 'ipv4':
      return l2 + ipv4Length(p);
    case 'arp':
      return l2 + ARP_LENGTH;
    case 'payload':
      return l2 + p.bytes.length;
  }
}
