/**
 * ICMP as the kernel speaks it: whether and how to answer a packet with an error, the echo
 * reply, and the per-destination rate limit. Decisions only; `output.ts` sends what they plan.
 *
 * Models: `net/ipv4/icmp.c`:
 * - `__icmp_send`: never about a packet that was not unicast to us at link level
 *   (pkt_type != HOST), nor one routed as broadcast or multicast, nor a non-first fragment, nor
 *   an ICMP error; the source is the offending packet's destination when that was local,
 *   otherwise chosen by the route back to the sender (`icmp_errors_use_inbound_ifaddr` = 0);
 *   TOS is the original's with precedence "internetwork control" (0xc0); the quote is the
 *   original datagram from its IP header, cut so the error fits in 576 bytes (548 quoted bytes,
 *   `ICMP_LINUX_QUOTE_MAX`), which is more than RFC 792's header + 8 bytes.
 * - `icmp_echo` / `icmp_reply`: an echo request to one of our unicast addresses is answered with
 *   the same id, sequence and data, from the address it was sent to, with the request's TOS and
 *   DF clear (the kernel's ICMP socket uses IP_PMTUDISC_DONT); `icmp_echo_ignore_all` and
 *   `icmp_echo_ignore_broadcasts` are honoured.
 * - `icmpv4_xrlim_allow` / `inet_peer_xrlim_allow`: types in `icmp_ratemask` (6168: dest
 *   unreachable, source quench, time exceeded, parameter problem) are limited per destination to
 *   one per `icmp_ratelimit` (1000 ms) with a burst of 6; fragmentation-needed and errors sent
 *   through `lo` are never limited.
 * Leaves out: the global `icmp_msgs_per_sec` limit, redirects, timestamps, RFC 4884 extensions,
 * IP options in quotes beyond copying them, `fwmark_reflect`.
 */
import {
  ICMP_LINUX_QUOTE_MAX,
  ICMP_UNREACH,
  IPPROTO_ICMP,
  IPV4_BROADCAST,
  destUnreachable,
  echoReplyTo,
  encodeIpv4,
  icmpTypeCode,
  isIcmpError,
  isMulticastIpv4,
  quoteForIcmp,
  timeExceeded,
  type IcmpEcho,
  type IcmpRepr,
  type Ipv4,
  type Ipv4Repr,
} from '../../packet/index.js';
import type { Instant } from '../../engine/index.js';
import type { PktType } from '../skb.js';

/** The error to send, by meaning. */
export type IcmpErrorKind =
  | { readonly type: 'dest-unreachable'; readonly code: number; readonly mtu?: number }
  | { readonly type: 'time-exceeded'; readonly code: number };

/** What `output.ts` sends: an ICMP message from `src` (0: let the route choose) to `dst`. */
export interface IcmpPlan {
  readonly dst: Ipv4;
  readonly src: Ipv4;
  readonly dscp: number;
  readonly ecn: number;
  readonly icmp: IcmpRepr;
  /** The error is about a packet that was routed locally (addressed to this host). */
  readonly aboutLocal: boolean;
}

export type IcmpDecision = { readonly send: true; readonly plan: IcmpPlan } | { readonly send: false; readonly why: string };

const IPTOS_PREC_INTERNETCONTROL = 0xc0;

/** Readable names for trace records. */
export function icmpName(icmp: IcmpRepr): string {
  switch (icmp.type) {
    case 'echo-request':
      return 'echo request';
    case 'echo-reply':
      return 'echo reply';
    case 'time-exceeded':
      return 'time exceeded in transit';
    case 'dest-unreachable':
      switch (icmp.code) {
        case ICMP_UNREACH.net:
          return 'net unreachable';
        case ICMP_UNREACH.host:
          return 'host unreachable';
        case ICMP_UNREACH.port:
          return 'port unreachable';
        case ICMP_UNREACH.fragNeeded:
          return `fragmentation needed, mtu ${icmp.nextHopMtu}`;
        case ICMP_UNREACH.adminProhibited:
          return 'administratively prohibited';
        default:
          return `destination unreachable code ${icmp.code}`;
      }
    case 'other':
      return `type ${icmp.icmpType} code ${icmp.code}`;
  }
}

/**
 * `__icmp_send`'s checks and choices for an error about `offending`.
 * `routedBroadcast`: the offending packet's route was broadcast or multicast.
 * `aboutLocal`: its route was local (RTCF_LOCAL), so the error comes from its destination.
 */
export function planIcmpError(
  offending: Ipv4Repr,
  pktType: PktType,
  kind: IcmpErrorKind,
  opts: { readonly routedBroadcast: boolean; readonly aboutLocal: boolean },
): IcmpDecision {
  if (pktType !== 'host') return { send: false, why: `packet was ${pktType} at link level` };
  if (opts.routedBroadcast) return { send: false, why: 'packet was routed as broadcast' };
  if (offending.fragmentOffset > 0) return { send: false, why: 'not the first fragment' };
  if (offending.protocol === IPPROTO_ICMP && offending.payload.kind === 'icmp' && isIcmpError(offending.payload)) {
    return { send: false, why: 'never an ICMP error about an ICMP error' };
  }
  if (offending.src === 0 || offending.src === IPV4_BROADCAST || isMulticastIpv4(offending.src)) {
    return { send: false, why: 'sender address is not unicast' };
  }
  const quoted = quoteForIcmp(encodeIpv4(offending), ICMP_LINUX_QUOTE_MAX);
  const icmp =
    kind.type === 'time-exceeded' ? timeExceeded(quoted, kind.code) : destUnreachable(kind.code, quoted, kind.mtu ?? 0);
  const tos = (((offending.dscp << 2) | offending.ecn) & 0x1e) | IPTOS_PREC_INTERNETCONTROL;
  return {
    send: true,
    plan: { dst: offending.src, src: opts.aboutLocal ? offending.dst : 0, dscp: tos >>> 2, ecn: tos & 3, icmp, aboutLocal: opts.aboutLocal },
  };
}

/** `icmp_echo`: the reply to an echo request addressed to us, or why there is none. */
export function planEchoReply(
  request: Ipv4Repr,
  echo: IcmpEcho,
  opts: { readonly broadcast: boolean; readonly ignoreAll: boolean; readonly ignoreBroadcasts: boolean },
): IcmpDecision {
  if (opts.ignoreAll) return { send: false, why: 'net.ipv4.icmp_echo_ignore_all=1' };
  if (opts.broadcast && opts.ignoreBroadcasts) return { send: false, why: 'net.ipv4.icmp_echo_ignore_broadcasts=1' };
  return {
    send: true,
    plan: { dst: request.src, src: opts.broadcast ? 0 : request.dst, dscp: request.dscp, ecn: request.ecn, icmp: echoReplyTo(echo), aboutLocal: true },
  };
}

const XRLIM_BURST_FACTOR = 6;
/** `icmp_ratemask` default 6168: bits 3, 4, 11, 12. */
const ICMP_RATEMASK = 6168;

/** `inet_peer` rate tokens per destination address. */
export class IcmpRateLimiter {
  private readonly peers = new Map<Ipv4, { tokens: number; last: Instant }>();

  /** `icmpv4_xrlim_allow`: may an error of this type go to `peer` now? `timeout` is icmp_ratelimit in ns. */
  allow(peer: Ipv4, icmp: IcmpRepr, now: Instant, timeout: number, viaLoopback: boolean): boolean {
    const { type, code } = icmpTypeCode(icmp);
    if (type > 18 || ((1 << type) & ICMP_RATEMASK) === 0) return true;
    if (type === 3 && code === ICMP_UNREACH.fragNeeded) return true;
    if (viaLoopback || timeout <= 0) return true;
    let p = this.peers.get(peer);
    // A new peer starts 60 s in the past, so its first calculation yields the full burst.
    if (p === undefined) this.peers.set(peer, (p = { tokens: 0, last: now - 60_000_000_000 }));
    let tokens = p.tokens + (now - p.last);
    p.last = now;
    if (tokens > XRLIM_BURST_FACTOR * timeout) tokens = XRLIM_BURST_FACTOR * timeout;
    let ok = false;
    if (tokens >= timeout) {
      tokens -= timeout;
      ok = true;
    }
    p.tokens = tokens;
    return ok;
  }
}
