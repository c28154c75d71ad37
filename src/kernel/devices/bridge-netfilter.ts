/**
 * br_netfilter: bridged IPv4 frames pass through iptables' PREROUTING, FORWARD and POSTROUTING
 * with the bridge device as `-i`/`-o` and the ports as `--physdev-in`/`--physdev-out`, so
 * conntrack and NAT see traffic between containers on one bridge.
 *
 * Models: `net/bridge/br_netfilter_hooks.c`:
 * - `br_nf_pre_routing`: only when `bridge-nf-call-iptables` (namespace sysctl) or the bridge's
 *   `nf_call_iptables` is on, and only for untagged IPv4; runs iptables PREROUTING with
 *   `in = bridge`, remembers the port as `physindev` (the skb's `nf_bridge`, which makes the IP
 *   layer skip PREROUTING if the frame later goes up: `ip_sabotage_in`);
 * - `br_nf_pre_routing_finish`: if DNAT changed the destination, `ip_route_input` on the new
 *   one: when it leaves through this same bridge it is bridged DNAT (the destination MAC is
 *   rewritten from the neighbour table and the frame keeps being bridged, possibly back out its
 *   ingress port, which needs hairpin); otherwise the destination MAC becomes the bridge's own
 *   and the frame goes up to be routed or delivered (`PACKET_HOST`);
 * - `br_nf_forward_ip`: iptables FORWARD with `in = out = bridge`, for frames that went through
 *   `br_nf_pre_routing` (it sets `physoutdev`);
 * - `br_nf_post_routing`: iptables POSTROUTING with `out = bridge`, only for those frames, so
 *   frames the host itself sends through the bridge see POSTROUTING once, in the IP stack.
 *
 * Leaves out: arptables and ip6tables calls, VLAN- and PPPoE-encapsulated IPv4
 * (`bridge-nf-filter-vlan-tagged` 0), the IPv4 validity checks (`br_validate_ipv4`; the IP layer
 * repeats them), fragmentation on the way out (`br_nf_dev_queue_xmit`), and the slow path for an
 * unresolved neighbour in bridged DNAT: such a frame goes up and the IP layer forwards it back out
 * the bridge after resolving the neighbour (TTL then drops by one where Linux keeps it).
 */
import { ETHERTYPE_IPV4, formatIpv4, formatMac } from '../../packet/index.js';
import type { Skb } from '../skb.js';
import type { BridgeDevice, BridgePort } from './bridge.js';
import { ipv4Seam } from './ipv4-seam.js';

/** Whether br_netfilter handles this frame on this bridge at all. */
export function brNetfilterApplies(br: BridgeDevice, skb: Skb): boolean {
  const frame = skb.frame;
  if (frame.etherType !== ETHERTYPE_IPV4 || frame.vlans.length > 0 || frame.payload.kind !== 'ipv4') return false;
  return br.nfCallIptables || br.netns.netfilter.bridgeCallIptables();
}

/** `br_nf_pre_routing` and `br_nf_pre_routing_finish`. `gone` when netfilter dropped or stole the frame. */
export function brNfPreRouting(br: BridgeDevice, port: BridgePort, skb: Skb): 'continue' | 'gone' {
  const before = skb.frame.payload.kind === 'ipv4' ? skb.frame.payload.dst : undefined;
  skb.physIn = port.dev.name;
  skb.brNetfilter = true;
  const verdict = br.netns.netfilter.hook(skb, { hook: 'PREROUTING', inDev: br, outDev: undefined, bridged: { physIn: port.dev, physOut: undefined } });
  if (verdict !== 'accept') return 'gone';
  const payload = skb.frame.payload;
  if (payload.kind !== 'ipv4' || before === undefined || payload.dst === before) return 'continue';
  // DNAT took place: route the new destination to decide between bridged DNAT and going up.
  const seam = ipv4Seam(br.netns);
  const route = seam?.routeLookup?.(payload.dst, br);
  if (route !== undefined && route.dev === br) {
    const nextHop = route.gateway ?? payload.dst;
    const mac = seam?.neighbourMac?.(br, nextHop);
    if (mac !== undefined) {
      skb.frame = { ...skb.frame, dst: mac };
      if (br.netns.host.world.trace.enabled) {
        br.netns.trace(skb, br, 'bridge', { brNetfilter: 'bridged-dnat', dnatTo: formatIpv4(payload.dst), dst: formatMac(mac), port: port.dev.name });
      }
      return 'continue';
    }
  }
  skb.frame = { ...skb.frame, dst: br.mac };
  skb.pktType = 'host';
  if (br.netns.host.world.trace.enabled) {
    br.netns.trace(skb, br, 'bridge', { brNetfilter: 'dnat-up', dnatTo: formatIpv4(payload.dst), port: port.dev.name });
  }
  return 'continue';
}

/** `br_nf_forward_ip` then `br_nf_post_routing` for one outgoing port. False when the frame is gone. */
export function brNfForward(br: BridgeDevice, ingress: BridgePort, to: BridgePort, skb: Skb): boolean {
  if (skb.frame.payload.kind !== 'ipv4') return true;
  const bridged = { physIn: ingress.dev, physOut: to.dev };
  if (br.netns.netfilter.hook(skb, { hook: 'FORWARD', inDev: br, outDev: br, bridged }) !== 'accept') return false;
  return br.netns.netfilter.hook(skb, { hook: 'POSTROUTING', inDev: undefined, outDev: br, bridged }) === 'accept';
}
