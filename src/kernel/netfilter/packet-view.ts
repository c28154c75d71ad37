/**
 * What the rule engine sees of a packet and of the world around it: a plain, read-only view.
 *
 * Models: the parts of `struct sk_buff` and `struct xt_action_param` that x_tables matches read
 * (include/linux/netfilter/x_tables.h, net/ipv4/netfilter/ip_tables.c `ip_packet_match`): IPv4
 * header fields, the transport ports / TCP flags / ICMP type, in and out devices, the bridge ports
 * br_netfilter records (`nf_bridge_info`), `skb->mark`, the conntrack entry and its ctinfo, the
 * IPVS connection (`skb->ipvs_property`), the xfrm policy path (`skb->sp`) and the raw bytes.
 *
 * The packet path (a later module) builds this view from an `Skb`; conntrack/NAT fill `ct`. The
 * world (addresses, routes, ipsets, randomness) comes through `NfContext`, so the engine stays a
 * pure decision: it never reads kernel state itself.
 *
 * Leaves out: IPv6; `skb->priority`, TOS/DSCP, TTL and length matches (no such match modules yet).
 * Invariants: addresses are uint32 (`Ipv4` from src/packet); ports are 0..65535.
 */
import type { Ipv4 } from '../../packet/index.js';
import type { RouteType } from './names.js';

export type NfHookName = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** The conntrack state as `-m conntrack --ctstate` / `-m state` see it (ctinfo plus "no entry"). */
export type NfCtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

export interface NfIpView {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly protocol: number;
  /** `skb->len` at this hook: the L3 length, what byte counters add. */
  readonly length: number;
  /** Fragment offset in 8-byte units; non-zero means a non-first fragment (`-f`). */
  readonly fragmentOffset: number;
}

export interface NfL4View {
  readonly sport?: number | undefined;
  readonly dport?: number | undefined;
  /** TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80). */
  readonly tcpFlags?: number | undefined;
  /** Kinds of the TCP options present, for `--tcp-option`. */
  readonly tcpOptionKinds?: readonly number[] | undefined;
  readonly icmpType?: number | undefined;
  readonly icmpCode?: number | undefined;
}

/** The conntrack entry of the packet; `state` INVALID/UNTRACKED/undefined means "no entry". */
export interface NfCtView {
  readonly state?: NfCtState | undefined;
  /** Direction of this packet in its connection (ctinfo >= IP_CT_IS_REPLY is REPLY). */
  readonly dir?: 'ORIGINAL' | 'REPLY' | undefined;
  readonly proto?: number | undefined;
  readonly origSrc?: Ipv4 | undefined;
  readonly origDst?: Ipv4 | undefined;
  readonly replSrc?: Ipv4 | undefined;
  readonly replDst?: Ipv4 | undefined;
  readonly origSrcPort?: number | undefined;
  readonly origDstPort?: number | undefined;
  readonly replSrcPort?: number | undefined;
  readonly replDstPort?: number | undefined;
  /** `ct->mark`, for `-m connmark` and CONNMARK. */
  readonly mark?: number | undefined;
  /** `ct->status` bits that the conntrack match tests. */
  readonly status?:
    | {
        readonly expected?: boolean | undefined;
        readonly seenReply?: boolean | undefined;
        readonly assured?: boolean | undefined;
        readonly confirmed?: boolean | undefined;
        readonly srcNat?: boolean | undefined;
        readonly dstNat?: boolean | undefined;
      }
    | undefined;
}

/** An IPVS connection the packet belongs to (`skb->ipvs_property` plus `ip_vs_conn`). */
export interface NfIpvsView {
  readonly vaddr: Ipv4;
  readonly vport: number;
  readonly method: 'MASQ' | 'GATE' | 'IPIP';
  /** vport of the controlling connection (FTP data), if any. */
  readonly controlVport?: number | undefined;
}

/** One xfrm state on the packet's policy path, for `-m policy` elements. */
export interface NfXfrmState {
  readonly reqid: number;
  readonly spi: number;
  readonly proto: number;
  readonly mode: 'transport' | 'tunnel';
  readonly tunnelSrc?: Ipv4 | undefined;
  readonly tunnelDst?: Ipv4 | undefined;
}

export interface NfPolicyView {
  /** Inbound: states the packet was decapsulated with (`skb->sp`); empty or absent means none. */
  readonly in?: readonly NfXfrmState[] | undefined;
  /** Outbound: states of the xfrm bundle the route chose (`skb_dst(skb)->xfrm`). */
  readonly out?: readonly NfXfrmState[] | undefined;
}

export interface NfPacket {
  readonly ip: NfIpView;
  /** Transport header fields; undefined for non-first fragments and unknown protocols. */
  readonly l4: NfL4View | undefined;
  readonly inIf?: string | undefined;
  readonly outIf?: string | undefined;
  /** br_netfilter: the bridge ports (`PHYSIN` / `PHYSOUT`). */
  readonly physIn?: string | undefined;
  readonly physOut?: string | undefined;
  /** br_netfilter information exists for this packet (`nf_bridge_info_exists`). */
  readonly bridged: boolean;
  /** `skb->mark` when the traversal starts. */
  readonly mark: number;
  readonly ct: NfCtView;
  readonly ipvs?: NfIpvsView | undefined;
  readonly policy?: NfPolicyView | undefined;
  /** The whole IPv4 datagram from the IP header on, for `-m u32`. */
  readonly bytes?: Uint8Array | undefined;
  /** `skb->nf_trace` is already set (by TRACE in an earlier table or hook). */
  readonly trace?: boolean | undefined;
}

/** The world as the matches need it; supplied by the namespace that owns the ruleset. */
export interface NfContext {
  readonly hook: NfHookName;
  /** `inet_dev_addr_type(net, dev, addr)`: the route type of `ip`, restricted to `iface` if given. */
  addressType(ip: Ipv4, iface?: string): RouteType;
  /** Convenience for callers; the engine itself asks `addressType`. */
  isLocalAddress?(ip: Ipv4): boolean;
  /** Membership test of an ipset, or undefined when no set has that name. */
  ipset(name: string): ((ip: Ipv4) => boolean) | undefined;
  /** A uniform draw in [0, 1) from the namespace's named RNG stream (`-m statistic --mode random`). */
  random(): number;
  /**
   * Record a step for every rule evaluated (default true). When false (nobody is tracing), only
   * matched rules and policies are recorded: enough to name what decided a verdict, without the
   * cost of a record per rule that did not match.
   */
  readonly recordSteps?: boolean;
}
