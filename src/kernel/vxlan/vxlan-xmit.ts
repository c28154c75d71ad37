/**
 * The vxlan device's transmit path: an inner Ethernet frame handed to the device (by its bridge,
 * or by the IP stack of its namespace) is looked up in the device's FDB and sent, wrapped in
 * VXLAN/UDP/IPv4, to each remote VTEP of the entry, through the IPv4 output path of the
 * device's link namespace. With `proxy`, ARP never enters the tunnel: requests are answered from
 * the device's neighbour table.
 *
 *   vxlan0.transmit(inner) -> [proxy && ARP: arpReduce, stop]
 *     -> FDB(inner dst) || FDB(00:00:00:00:00:00) || drop fdb-no-port (l2miss note)
 *     -> per remote (head-end replication, same packet id): vxlanXmitOne
 *          outer UDP sport = udp_flow_src_port(inner), dport = remote port || dstport
 *          ipOutput(link ns, dst remote, src local, oif via/lower, TTL ttl||auto, DF unset)
 *            -> route, OUTPUT, POSTROUTING, neighbour, eth0.transmit   (`encap` trace record)
 *
 * Models: `drivers/net/vxlan/vxlan_core.c` `vxlan_xmit` (clones for all remotes but the first,
 * which is sent last; no entry and no default: `SKB_DROP_REASON_NO_TX_TARGET`, with an
 * RTM_GETNEIGH "l2miss" notification for a unicast destination when enabled), `vxlan_xmit_one`
 * (a remote with no address is dropped; port and VNI default to the device's; the route is
 * looked up in `vxlan->net` with the remote's ifindex and the `local` source; TTL 0 means the
 * route's hop limit, 1 for a multicast group; DF unset by default; the UDP checksum is
 * computed), `vxlan_build_skb` (the 8-byte header, I flag and VNI),
 * `udp_tunnel_xmit_skb` / `iptunnel_xmit` (`skb_scrub_packet(skb, xnet)`), `arp_reduce` (every
 * ARP frame is consumed; a request whose target has a NUD_CONNECTED neighbour entry on the
 * device, not pointing at a bridge-local FDB entry, is answered by a reply received on the
 * device; a miss with `l3miss` is reported).
 * The outer source port is `include/net/udp.h` `udp_flow_src_port(net, skb, min, max, use_eth)`:
 * with min >= max the range is `inet_get_local_port_range` (32768..60999); `hash =
 * skb_get_hash(skb)`, `hash ^= hash << 16`, `port = ((u64)hash * (max - min) >> 32) + min`, so
 * the port lies in [min, max). `skb_get_hash` is the flow dissector's hash
 * (`net/core/flow_dissector.c` `__flow_hash_from_keys`): IPv4 addresses, protocol and ports (the
 * echo identifier for ICMP echo), made symmetric (`__flow_hash_consistentify`) and never 0;
 * frames without IPv4 (ARP) hash their protocol only. Linux keys it with a random boot secret;
 * a fixed 32-bit mixer stands in, so a given inner flow gets the same port in every run.
 * The l2miss/l3miss netlink notifications are trace `note` records here (nothing listens).
 * Leaves out: route short-circuit (`rsc`), local bypass to a vxlan device of the same host
 * (`VXLAN_F_LOCALBYPASS`: the packet goes out and comes back through the stack instead), the
 * tunnel PMTU check (`skb_tunnel_check_pmtu`), ECN and TOS inheritance, GSO, `noudpcsum` (shown
 * by `ip -d link` but not honoured: the packet layer always computes UDP checksums), IPv6 neighbour discovery reduction, the
 * `use_eth` jhash fallback of `udp_flow_src_port` (unreachable: the flow hash is never 0) and a
 * socket's `sk_txhash`.
 */
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ETHERTYPE_ARP,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ethernetFrame,
  formatIpv4,
  formatMac,
  isLoopbackIpv4,
  isMulticastIpv4,
  isMulticastMac,
  type EthernetRepr,
  type UdpRepr,
} from '../../packet/index.js';
import { ipOutput, ipv4Of, routeOutput, type IpOutputErrno } from '../ipv4/index.js';
import { localPortRange } from '../sockets/index.js';
import { cloneSkb, newSkb, type Skb } from '../skb.js';
import { netifRx } from '../devices/index.js';
import { ALL_ZEROS_MAC, type VxlanRemote } from './vxlan-fdb.js';
import type { VxlanDevice } from './vxlan-device.js';

/** `vxlan_xmit`. */
export function vxlanXmit(dev: VxlanDevice, skb: Skb): void {
  const frame = skb.frame;
  if (dev.cfg.proxy && frame.etherType === ETHERTYPE_ARP) {
    arpReduce(dev, skb, frame);
    return;
  }
  const now = dev.netns.host.world.engine.now;
  const entry = dev.fdb.lookupForTx(frame.dst, now) ?? dev.fdb.lookupForTx(ALL_ZEROS_MAC, now);
  if (entry === undefined) {
    if (dev.cfg.l2miss && !isMulticastMac(frame.dst)) note(dev, skb, { what: 'l2miss', mac: formatMac(frame.dst) });
    dev.stats.txDropped++;
    dev.netns.drop(skb, dev, 'fdb-no-port', { device: dev.name, dst: formatMac(frame.dst), why: 'no FDB entry and no 00:00:00:00:00:00 default' });
    return;
  }
  const remotes = entry.port;
  for (let i = 1; i < remotes.length; i++) vxlanXmitOne(dev, cloneSkb(skb), remotes[i]!);
  const first = remotes[0];
  if (first !== undefined) vxlanXmitOne(dev, skb, first);
}

function note(dev: VxlanDevice, skb: Skb | number, detail: Record<string, string>): void {
  if (dev.netns.host.world.trace.enabled) dev.netns.trace(skb, dev, 'note', { device: dev.name, ...detail });
}

/** `vxlan_xmit_one` for one remote: encapsulate and hand the outer packet to IPv4 output. */
export function vxlanXmitOne(dev: VxlanDevice, skb: Skb, remote: VxlanRemote): void {
  const cfg = dev.cfg;
  const inner = skb.frame;
  if (remote.ip === 0) {
    dev.stats.txDropped++;
    dev.netns.drop(skb, dev, 'fdb-no-port', { device: dev.name, dst: formatMac(inner.dst), why: 'FDB entry without a destination address' });
    return;
  }
  const net = dev.net;
  const dstPort = remote.port !== 0 ? remote.port : cfg.dstPort;
  const vni = remote.vni !== 0 ? remote.vni : cfg.vni;
  const srcPort = udpFlowSrcPort(inner, cfg.portMin, cfg.portMax, localPortRange(dev.netns));
  const oif = remote.ifindex === 0 ? undefined : net.byIndex(remote.ifindex);
  if (remote.ifindex !== 0 && oif === undefined) {
    encapFailed(dev, skb, remote, 'ENODEV');
    return;
  }
  const mark = skb.mark;
  // udp_tunnel_dst_lookup: the outer route (and so the source address) is chosen first.
  const route = routeOutput(ipv4Of(net), { dst: remote.ip, src: cfg.local === 0 ? undefined : cfg.local, oif, mark });
  if (!route.ok) {
    encapFailed(dev, skb, remote, route.errno);
    return;
  }
  const ttl = cfg.ttl !== 0 ? cfg.ttl : isMulticastIpv4(remote.ip) ? 1 : undefined;
  const udp: UdpRepr = { kind: 'udp', srcPort, dstPort, payload: { kind: 'vxlan', vni, payload: inner } };
  if (dev.netns.host.world.trace.enabled) {
    dev.netns.trace(skb, dev, 'encap', {
      device: dev.name,
      vni,
      outerSrc: formatIpv4(route.src),
      outerDst: formatIpv4(remote.ip),
      srcPort,
      dstPort,
      linkNetns: net.name,
    });
  }
  const result = ipOutput(net, {
    dst: remote.ip,
    src: route.src,
    payload: udp,
    ...(ttl === undefined ? {} : { ttl }),
    df: false,
    ...(oif === undefined ? {} : { oif }),
    // iptunnel_xmit: skb_scrub_packet(skb, xnet) clears the mark after the lookup used it.
    mark: net === dev.netns ? mark : 0,
    packetId: skb.id,
  });
  if (!result.ok) encapFailed(dev, skb, remote, result.errno);
}

/** `tx_error`: the outer packet could not be routed (netfilter drops record themselves). */
function encapFailed(dev: VxlanDevice, skb: Skb, remote: VxlanRemote, errno: IpOutputErrno | 'ENODEV'): void {
  dev.stats.txDropped++;
  if (errno === 'EPERM') return;
  dev.netns.drop(skb, dev, errno === 'EMSGSIZE' ? 'mtu-exceeded' : 'no-route', { device: dev.name, remote: formatIpv4(remote.ip), errno, linkNetns: dev.net.name });
}

/** `arp_reduce`: with `proxy`, ARP is answered here or consumed, never tunnelled. */
function arpReduce(dev: VxlanDevice, skb: Skb, frame: EthernetRepr): void {
  const arp = frame.payload;
  if (arp.kind !== 'arp' || arp.op !== ARPOP_REQUEST) {
    note(dev, skb, { what: 'proxy: ARP consumed, not tunnelled', op: arp.kind === 'arp' ? 'reply' : 'malformed' });
    return;
  }
  const tip = arp.targetIp;
  if (isLoopbackIpv4(tip) || isMulticastIpv4(tip)) {
    note(dev, skb, { what: 'proxy: ARP request for a loopback or multicast address consumed', ip: formatIpv4(tip) });
    return;
  }
  const neigh = ipv4Of(dev.netns).neigh.get(dev, tip);
  const connected = neigh !== undefined && neigh.mac !== undefined && (neigh.state === 'reachable' || neigh.state === 'permanent' || neigh.state === 'noarp');
  if (!connected || neigh.mac === undefined) {
    if (dev.cfg.l3miss) note(dev, skb, { what: 'l3miss', ip: formatIpv4(tip) });
    else note(dev, skb, { what: 'proxy: no neighbour entry, ARP request consumed', ip: formatIpv4(tip) });
    return;
  }
  const now = dev.netns.host.world.engine.now;
  const f = dev.fdb.lookupForTx(neigh.mac, now);
  if (f !== undefined && f.port[0]?.ip === 0) {
    note(dev, skb, { what: 'proxy: bridge-local neighbour, ARP request consumed', ip: formatIpv4(tip) });
    return;
  }
  const reply = ethernetFrame({
    dst: arp.senderMac,
    src: neigh.mac,
    payload: { kind: 'arp', op: ARPOP_REPLY, senderMac: neigh.mac, senderIp: tip, targetMac: arp.senderMac, targetIp: arp.senderIp },
  });
  note(dev, skb, { what: 'proxy: ARP answered from the neighbour table', ip: formatIpv4(tip), mac: formatMac(neigh.mac) });
  netifRx(dev, newSkb(dev.netns.host.world.nextPacketId(), reply));
}

// --- udp_flow_src_port (include/net/udp.h) ----------------------------------------------------

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
