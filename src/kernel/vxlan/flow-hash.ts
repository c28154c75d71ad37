/**
 * The outer UDP source port of a tunnelled frame: a hash of the inner flow mapped into the
 * source-port range, so every packet of one flow takes the same ECMP path and different flows
 * spread (RFC 7348 section 5, "entropy").
 *
 * Models: `include/net/udp.h` `udp_flow_src_port(net, skb, min, max, use_eth)`: with min >= max
 * the range is `inet_get_local_port_range` (32768..60999 by default); `hash = skb_get_hash(skb)`,
 * `hash ^= hash << 16`, `port = ((u64)hash * (max - min) >> 32) + min`, so the port lies in
 * [min, max). `skb_get_hash` is the flow dissector's hash (`net/core/flow_dissector.c`
 * `__skb_get_hash` / `__flow_hash_from_keys`): over the IPv4 addresses, the protocol and the
 * ports (the echo identifier for ICMP echo), made symmetric (`__flow_hash_consistentify`: the
 * lower address first) and never 0; frames without IPv4 addresses (ARP) hash their protocol only.
 *
 * The kernel keys that hash with a random boot-time secret (`hashrnd`, siphash), so real ports
 * differ from boot to boot; here a fixed 32-bit mixer stands in for it, so a given inner flow
 * always gets the same port in every run. Leaves out: the `use_eth` jhash fallback (only reached
 * when the flow hash is 0, which `__flow_hash_from_keys` never returns), IPv6 inner flows, the
 * L4 hash a socket may have stamped on the skb (`sk_txhash`).
 */
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type EthernetRepr } from '../../packet/index.js';

export interface PortRangeLike {
  readonly low: number;
  readonly high: number;
}

/** A 32-bit avalanche step (murmur3's finaliser), standing in for siphash with a fixed key. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function combine(h: number, word: number): number {
  return fmix((h ^ Math.imul(word >>> 0, 0x9e3779b1)) >>> 0);
}

/** The ports the dissector keys on: TCP/UDP ports, the ICMP echo identifier; 0 otherwise. */
function flowPorts(frame: EthernetRepr): readonly [number, number] {
  const ip = frame.payload;
  if (ip.kind !== 'ipv4' || ip.fragmentOffset !== 0) return [0, 0];
  const l4 = ip.payload;
  if ((ip.protocol === IPPROTO_TCP && l4.kind === 'tcp') || (ip.protocol === IPPROTO_UDP && l4.kind === 'udp')) return [l4.srcPort, l4.dstPort];
  if (ip.protocol === IPPROTO_ICMP && l4.kind === 'icmp' && (l4.type === 'echo-request' || l4.type === 'echo-reply')) return [l4.id, l4.id];
  return [0, 0];
}

/** `skb_get_hash` of an inner frame: symmetric over the flow, never 0. */
export function innerFlowHash(frame: EthernetRepr): number {
  const ip = frame.payload;
  let h = combine(0x5eed, frame.etherType);
  if (ip.kind === 'ipv4') {
    let [src, dst] = [ip.src >>> 0, ip.dst >>> 0];
    let [sport, dport] = flowPorts(frame);
    // __flow_hash_consistentify: both directions of a flow hash alike.
    if (dst < src || (dst === src && dport < sport)) {
      [src, dst] = [dst, src];
      [sport, dport] = [dport, sport];
    }
    h = combine(combine(combine(combine(h, src), dst), ip.protocol), ((sport << 16) | dport) >>> 0);
  }
  return h === 0 ? 1 : h;
}

/**
 * `udp_flow_src_port`: the outer source port for `frame`, in [min, max) of the configured
 * range, or of `localRange` (`ip_local_port_range`) when the configured one is empty.
 */
export function udpFlowSrcPort(frame: EthernetRepr, min: number, max: number, localRange: PortRangeLike): number {
  let lo = min;
  let hi = max;
  if (lo >= hi) {
    lo = localRange.low;
    hi = localRange.high;
  }
  let hash = innerFlowHash(frame);
  hash = (hash ^ (hash << 16)) >>> 0;
  return Math.floor((hash * (hi - lo)) / 0x1_0000_0000) + lo;
}
