/**
 * ARP: the protocol handler for EtherType 0x0806 (`arp_rcv` / `arp_process`) and the requests the
 * neighbour table asks for (`arp_solicit`).
 *
 * Models: `net/ipv4/arp.c` (linux-primitives.md section 6):
 * - receive: NOARP devices and frames for another host are ignored; a request whose target
 *   routes as *local* (`ip_route_input`: any address of this namespace, on any device, weak host
 *   model) is answered with the ingress device's MAC, unless `arp_ignore` says otherwise, and
 *   creates or refreshes the requester's entry as STALE (`neigh_event_ns`);
 * - proxy ARP: with forwarding on, a request for a unicast destination routed through *another*
 *   device is answered when `proxy_arp` is on or an `ip neigh add proxy` entry exists; a
 *   broadcast request is answered after a random delay below `proxy_delay` (0.8 s, RNG stream
 *   `proxy-arp`), a unicast one at once;
 * - anything else only updates an existing entry of the sender: REACHABLE for a unicast reply,
 *   STALE otherwise; a different MAC within `locktime` (1 s) of the last update is ignored unless
 *   the packet is gratuitous; no entry is created unless `arp_accept` (gratuitous ARP or a reply);
 * - solicit: the request's sender address is the waiting packet's source when that is local
 *   (`arp_announce` 0), a source in the target's subnet (1), or `inet_select_addr` (2 or none);
 *   broadcast while INCOMPLETE, unicast to the cached MAC while probing.
 * Leaves out: arptables (NF_ARP hooks), `arp_filter`, `arp_ignore` modes 3-7, duplicate address
 * detection beyond answering a probe with sender 0.0.0.0, `arp_notify`, IPv4 over non-Ethernet.
 */
import { MS } from '../../engine/index.js';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  MAC_BROADCAST,
  arpReply,
  arpRequest,
  cidrContains,
  formatIpv4,
  formatMac,
  isLoopbackIpv4,
  isMulticastIpv4,
  type ArpRepr,
  type Ipv4,
  type Mac,
} from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { newSkb, type Skb } from '../skb.js';
import { NEIGH_PARMS, type NeighSolicitation } from './neighbour.js';
import { routeInput } from './route-lookup.js';
import { SCOPE_VALUE, scopeValue } from './scope.js';
import { selectSourceAddress } from './source-select.js';
import { ipv4Of, type Ipv4State } from './state.js';

const ETH_P_ARP = 0x0806;
/** `proxy_delay`: 80 jiffies at HZ=100. */
export const PROXY_DELAY = 800 * MS;

function sendArp(st: Ipv4State, dev: NetDevice, ethDst: Mac, arp: ArpRepr, cause: number | undefined): void {
  const skb = newSkb(st.ns.host.world.nextPacketId(), { kind: 'ethernet', dst: ethDst, src: dev.mac, vlans: [], etherType: ETH_P_ARP, payload: arp });
  if (st.ns.host.world.trace.enabled) {
    st.ns.trace(skb, dev, 'neighbour', {
      arp: arp.op === ARPOP_REQUEST ? 'request' : 'reply',
      senderIp: formatIpv4(arp.senderIp),
      senderMac: formatMac(arp.senderMac),
      targetIp: formatIpv4(arp.targetIp),
      to: formatMac(ethDst),
      cause: cause ?? null,
    });
  }
  dev.transmit(skb);
}

/** `arp_ignore`: true when the request must not be answered. */
function arpIgnore(st: Ipv4State, dev: NetDevice, sip: Ipv4, tip: Ipv4): boolean {
  const mode = st.ns.sysctl.conf(dev.name, 'arp_ignore');
  if (mode === 8) return true;
  if (mode !== 1 && mode !== 2) return false;
  // inet_confirm_addr on the ingress device with scope host.
  return !st.addrs
    .of(dev)
    .some(a => a.address === tip && scopeValue(a.scope) <= SCOPE_VALUE.host && (mode === 1 || cidrContains({ address: a.address, prefix: a.prefix }, sip)));
}

/** `arp_rcv` + `arp_process`. */
export function arpRcv(skb: Skb, dev: NetDevice): void {
  const st = ipv4Of(dev.netns);
  const ns = st.ns;
  const arp = skb.frame.payload;
  if (dev.noArp()) {
    ns.drop(skb, dev, 'not-for-us', { why: 'ARP on a NOARP device' });
    return;
  }
  if (arp.kind !== 'arp') {
    ns.drop(skb, dev, 'malformed', { why: 'EtherType 0x0806 without an ARP packet' });
    return;
  }
  if (skb.pktType === 'otherhost') {
    ns.drop(skb, dev, 'not-for-us', { why: 'ARP frame addressed to another host' });
    return;
  }
  const { senderIp: sip, targetIp: tip, senderMac: sha } = arp;
  if (isMulticastIpv4(tip) || (ns.sysctl.conf(dev.name, 'route_localnet') === 0 && isLoopbackIpv4(tip))) {
    ns.drop(skb, dev, 'martian', { why: `ARP for ${formatIpv4(tip)}` });
    return;
  }
  if (sip === 0) {
    // Duplicate address detection probe (RFC 2131/5227): answer if the target is ours here.
    if (arp.op === ARPOP_REQUEST && st.addrs.holders(tip).some(a => a.dev === dev) && !arpIgnore(st, dev, sip, tip)) {
      sendArp(st, dev, sha, arpReply(dev.mac, tip, sha, sip), skb.id);
    }
    return;
  }
  if (arp.op === ARPOP_REQUEST) {
    const decision = routeInput(st, { src: sip, dst: tip, inDev: dev, mark: 0 });
    if (decision.kind === 'local' && !decision.broadcast) {
      if (!arpIgnore(st, dev, sip, tip)) {
        st.neigh.update(dev, sip, sha, 'stale', true, true, skb.id);
        sendArp(st, dev, sha, arpReply(dev.mac, tip, sha, sip), skb.id);
      } else if (ns.host.world.trace.enabled) {
        ns.trace(skb, dev, 'neighbour', { arp: 'ignored', targetIp: formatIpv4(tip), why: 'arp_ignore' });
      }
      return;
    }
    if (decision.kind === 'forward' && decision.dev !== dev && (ns.sysctl.conf(dev.name, 'proxy_arp') !== 0 || st.neigh.isProxied(dev, tip))) {
      st.neigh.update(dev, sip, sha, 'stale', true, true, skb.id);
      const reply = arpReply(dev.mac, tip, sha, sip);
      if (skb.pktType === 'host') {
        sendArp(st, dev, sha, reply, skb.id);
      } else {
        const delay = ns.host.world.rng.stream('proxy-arp').int(PROXY_DELAY);
        ns.host.world.engine.scheduleIn(delay, () => {
          if (dev.netns === ns && dev.adminUp) sendArp(st, dev, sha, reply, skb.id);
        });
      }
      return;
    }
  }
  updateSender(st, skb, dev, arp);
}

/** The tail of `arp_process`: refresh (or, with `arp_accept`, create) the sender's entry. */
function updateSender(st: Ipv4State, skb: Skb, dev: NetDevice, arp: ArpRepr): void {
  const { senderIp: sip, targetIp: tip, senderMac: sha, targetMac: tha } = arp;
  const existing = st.neigh.get(dev, sip);
  const unicastSender = !st.addrs.isLocal(sip) && sip !== 0xffffffff;
  const isGarp = sip === tip && (arp.op === ARPOP_REQUEST || tha === sha) && unicastSender;
  const accept = st.ns.sysctl.conf(dev.name, 'arp_accept');
  const acceptHere = accept === 1 || (accept === 2 && st.addrs.of(dev).some(a => cidrContains({ address: a.address, prefix: a.prefix }, sip)));
  const create = existing === undefined && acceptHere && (isGarp || (arp.op === ARPOP_REPLY && unicastSender));
  if (existing === undefined && !create) {
    if (st.ns.host.world.trace.enabled) {
      st.ns.trace(skb, dev, 'neighbour', { arp: isGarp ? 'gratuitous' : arp.op === ARPOP_REPLY ? 'reply' : 'request', action: 'ignored', senderIp: formatIpv4(sip), why: 'no entry and arp_accept=0' });
    }
    return;
  }
  const now = st.ns.host.world.engine.now;
  const override = existing === undefined || now > existing.updated + NEIGH_PARMS.locktime || isGarp;
  const state = arp.op === ARPOP_REPLY && skb.pktType === 'host' ? 'reachable' : 'stale';
  st.neigh.update(dev, sip, sha, state, override, create, skb.id);
}

/** `arp_solicit`: the request the neighbour table wants sent. */
export function arpSolicit(st: Ipv4State, s: NeighSolicitation): void {
  const { entry } = s;
  const dev = entry.dev;
  if (dev.netns !== st.ns || !dev.adminUp) return;
  const target = entry.ip;
  let saddr = 0;
  const hint = s.srcHint;
  switch (st.ns.sysctl.conf(dev.name, 'arp_announce')) {
    case 0:
      if (hint !== undefined && st.addrs.isLocal(hint)) saddr = hint;
      break;
    case 1:
      if (hint !== undefined && st.addrs.isLocal(hint) && st.addrs.of(dev).some(a => cidrContains(a, target) && cidrContains(a, hint))) saddr = hint;
      break;
    default:
      break;
  }
  if (saddr === 0) saddr = selectSourceAddress(st.ns, st.addrs, dev, target, SCOPE_VALUE.link);
  sendArp(st, dev, s.unicast ?? MAC_BROADCAST, arpRequest(dev.mac, saddr, target), entry.lastPacketId === 0 ? undefined : entry.lastPacketId);
}
