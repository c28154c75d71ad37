/**
 * The bridge's frame path: a frame arriving on a port (learn the source, then forward, flood or
 * deliver up to the bridge device), and the forwarding and flooding that the bridge device's own
 * transmit shares.
 *
 * Models: `net/bridge/br_input.c` (`br_handle_frame`: invalid source MACs dropped, link-local
 * group addresses left to the port's own stack except 01:80:c2:00:00:00 with STP off, a port
 * that is not forwarding drops, a frame to the bridge MAC becomes PACKET_HOST, then the bridge
 * PRE_ROUTING hook; `br_handle_frame_finish`: learn, then broadcast and multicast are flooded and
 * delivered locally, a unicast to a local entry only goes up, to a known port is forwarded, an
 * unknown unicast is flooded and goes up only when the bridge is promiscuous;
 * `br_pass_frame_up`), `net/bridge/br_forward.c` (`should_deliver`: never back out the ingress
 * port unless it is in hairpin mode, only to forwarding ports; `br_flood` per-port FLOOD,
 * MCAST_FLOOD and BCAST_FLOOD flags; `__br_forward`: FORWARD then POST_ROUTING bridge hooks,
 * then `dev_queue_xmit` on the port).
 *
 *   port rx ─> br_handle_frame ─> [PREROUTING] ─> learn ─> decide ─┬─> forward ─> [FORWARD][POSTROUTING] ─> port tx
 *                                                                  ├─> flood (each port but ingress, unless hairpin)
 *                                                                  └─> up: receive on the bridge device
 *
 * Leaves out: multicast snooping (no IGMP state: multicast always floods and goes up), proxy
 * ARP and neighbour suppression port flags, port isolation, locked ports, VLAN filtering.
 */
import { numericTraceArgs, type TraceDetail } from '../../engine/index.js';
import { MAC_BROADCAST, formatMac, isMulticastMac, type Mac } from '../../packet/index.js';
import type { RxHandlerResult } from '../device.js';
import { cloneSkb, type Skb } from '../skb.js';
import type { BridgeDevice, BridgePort } from './bridge.js';
import { brNetfilterApplies, brNfForward, brNfPreRouting } from './bridge-netfilter.js';
import { isLinkLocalMac, isValidUnicastMac } from './netdev.js';
import type { LearnOutcome } from './fdb.js';
import type { NetDevice } from '../device.js';

/** Which per-port flag a flood obeys (`br_pkt_type`). */
export type FloodKind = 'unicast' | 'multicast' | 'broadcast';

/** What the bridge decided for one frame; the frame path applies it and the trace records it. */
export type BridgeDecision =
  | { readonly kind: 'local' }
  | { readonly kind: 'forward'; readonly port: BridgePort; readonly alsoLocal: boolean }
  | { readonly kind: 'flood'; readonly flood: FloodKind; readonly alsoLocal: boolean };

/** 01:80:c2:00:00:00, the STP group address: bridged when STP is off. */
const STP_GROUP = 0x0180_c200_0000;

/** `br_handle_frame`: the rx handler every port runs. Always consumes the frame but for link-local ones. */
export function brHandleFrame(port: BridgePort, skb: Skb): RxHandlerResult {
  const br = port.bridge;
  const frame = skb.frame;
  if (!isValidUnicastMac(frame.src)) {
    br.netns.drop(skb, port.dev, 'malformed', { why: 'invalid source MAC' });
    return 'consumed';
  }
  if (isLinkLocalMac(frame.dst) && !(frame.dst === STP_GROUP && br.stpState === 0)) return 'pass';
  if (port.state !== 'forwarding') {
    br.netns.drop(skb, port.dev, 'link-down', { why: 'bridge port is not forwarding', bridge: br.name });
    return 'consumed';
  }
  if (frame.dst === br.mac) skb.pktType = 'host';
  if (brNetfilterApplies(br, skb) && brNfPreRouting(br, port, skb) === 'gone') return 'consumed';
  brHandleFrameFinish(port, skb);
  return 'consumed';
}

/** `br_handle_frame_finish`: learn, decide, apply. */
function brHandleFrameFinish(port: BridgePort, skb: Skb): void {
  const br = port.bridge;
  const now = br.netns.host.world.engine.now;
  const frame = skb.frame;
  const learned = port.learning ? br.fdb.learn(frame.src, port.dev, now) : undefined;
  const decision = brDecide(br, frame.dst);
  if (br.netns.host.world.trace.enabled) traceDecision(br, port, skb, learned, decision);
  switch (decision.kind) {
    case 'local':
      // A local FDB entry: the bridge's own MAC or a port's (frames to them are for this host).
      skb.pktType = 'host';
      brPassFrameUp(br, skb);
      return;
    case 'forward':
      brForward(br, decision.alsoLocal ? cloneSkb(skb) : skb, port, decision.port);
      if (decision.alsoLocal) brPassFrameUp(br, skb);
      return;
    case 'flood': {
      const sent = brFlood(br, decision.alsoLocal ? cloneSkb(skb) : skb, port, decision.flood);
      if (decision.alsoLocal) brPassFrameUp(br, skb);
      else if (sent === 0) br.netns.drop(skb, br, 'fdb-no-port', { why: 'no port to flood to', port: port.dev.name });
      return;
    }
    default: {
      const unreachable: never = decision;
      return unreachable;
    }
  }
}

const LOCAL: BridgeDecision = { kind: 'local' };
const FLOOD_BROADCAST: BridgeDecision = { kind: 'flood', flood: 'broadcast', alsoLocal: true };
const FLOOD_MULTICAST: BridgeDecision = { kind: 'flood', flood: 'multicast', alsoLocal: true };
const FLOOD_UNICAST: BridgeDecision = { kind: 'flood', flood: 'unicast', alsoLocal: false };
const FLOOD_UNICAST_PROMISC: BridgeDecision = { kind: 'flood', flood: 'unicast', alsoLocal: true };

/** The classification half of `br_handle_frame_finish`, as a value. */
export function brDecide(br: BridgeDevice, dst: number): BridgeDecision {
  const promiscuous = br.promiscuity > 0;
  if (isMulticastMac(dst)) return dst === MAC_BROADCAST ? FLOOD_BROADCAST : FLOOD_MULTICAST;
  const now = br.netns.host.world.engine.now;
  const entry = br.fdb.lookup(dst, now);
  if (entry === undefined) return promiscuous ? FLOOD_UNICAST_PROMISC : FLOOD_UNICAST;
  if (entry.state === 'local') return LOCAL;
  const port = br.port(entry.port);
  if (port === undefined) return promiscuous ? FLOOD_UNICAST_PROMISC : FLOOD_UNICAST;
  entry.used = now;
  return { kind: 'forward', port, alsoLocal: promiscuous };
}

/** `should_deliver`: not back out the ingress port unless hairpin, and only to a forwarding port. */
export function shouldDeliver(to: BridgePort, ingress: BridgePort | undefined): boolean {
  return (to.hairpin || to !== ingress) && to.state === 'forwarding';
}

/** `br_forward`: to one port; dropped when `should_deliver` says no. `ingress` is undefined for the bridge's own transmit. */
export function brForward(br: BridgeDevice, skb: Skb, ingress: BridgePort | undefined, to: BridgePort): void {
  if (!shouldDeliver(to, ingress)) {
    const reason = to === ingress ? 'hairpin-off' : 'link-down';
    br.netns.drop(skb, br, reason, { port: to.dev.name, state: to.state, hairpin: to.hairpin });
    return;
  }
  brDeliver(br, skb, ingress, to);
}

/**
 * `br_flood`: a copy to every port whose flag allows this kind of frame and that
 * `should_deliver` accepts, in port-list order. Returns how many ports got one.
 */
export function brFlood(br: BridgeDevice, skb: Skb, ingress: BridgePort | undefined, kind: FloodKind): number {
  // Targets are chosen before any copy leaves; the usual single target needs no list.
  let first: BridgePort | undefined;
  let targets: BridgePort[] | undefined;
  for (const port of br.portList()) {
    const allowed = kind === 'unicast' ? port.flood : kind === 'multicast' ? port.mcastFlood : port.bcastFlood;
    if (!allowed || !shouldDeliver(port, ingress)) continue;
    if (first === undefined) first = port;
    else (targets ??= [first]).push(port);
  }
  if (first === undefined) {
    if (ingress === undefined) br.netns.drop(skb, br, 'fdb-no-port', { why: 'no port to flood to' });
    return 0;
  }
  if (targets === undefined) {
    brDeliver(br, skb, ingress, first);
    return 1;
  }
  for (let i = 0; i < targets.length; i++) {
    brDeliver(br, i === targets.length - 1 ? skb : cloneSkb(skb), ingress, targets[i]!);
  }
  return targets.length;
}

/** `__br_forward`: bridge FORWARD and POST_ROUTING hooks for bridged frames, then the port transmits. */
function brDeliver(br: BridgeDevice, skb: Skb, ingress: BridgePort | undefined, to: BridgePort): void {
  if (ingress !== undefined && skb.brNetfilter && !brNfForward(br, ingress, to, skb)) return;
  to.dev.transmit(skb);
}

/** `br_pass_frame_up`: the frame is received again, this time on the bridge device itself. */
function brPassFrameUp(br: BridgeDevice, skb: Skb): void {
  br.receive(skb);
}

function traceDecision(br: BridgeDevice, port: BridgePort, skb: Skb, learned: LearnOutcome<NetDevice> | undefined, decision: BridgeDecision): void {
  const movedFrom = learned?.kind === 'moved' ? learned.from.name : undefined;
  const to = decision.kind === 'forward' ? decision.port.dev.name : undefined;
  // A forward decision is made per frame: the record keeps a constant label instead.
  const label = decision.kind !== 'forward' ? decision : decision.alsoLocal ? FORWARD_ALSO_LOCAL : FORWARD;
  br.netns.traceWith(skb, br, 'bridge', decisionDetail, port.dev.name, skb.frame.src, skb.frame.dst, learned === undefined ? 'off' : learned.kind, movedFrom, label, to);
}

/** What a bridge record says about the decision. */
type DecisionLabel = Exclude<BridgeDecision, { readonly kind: 'forward' }> | { readonly kind: 'forward'; readonly alsoLocal: boolean };
const FORWARD: DecisionLabel = { kind: 'forward', alsoLocal: false };
const FORWARD_ALSO_LOCAL: DecisionLabel = { kind: 'forward', alsoLocal: true };

/** The detail of a bridge record, from the names captured when the decision was made. */
const decisionDetail = numericTraceArgs(function decisionDetail(
  port: string,
  src: Mac,
  dst: Mac,
  learned: string,
  movedFrom: string | undefined,
  decision: DecisionLabel,
  to: string | undefined,
): TraceDetail {
  const detail: Record<string, string | boolean | string[]> = {
    port,
    src: formatMac(src),
    dst: formatMac(dst),
    learned,
    decision: decision.kind,
  };
  if (movedFrom !== undefined) detail['movedFrom'] = movedFrom;
  if (to !== undefined) detail['to'] = to;
  if (decision.kind === 'flood') detail['flood'] = decision.flood;
  if (decision.kind !== 'local') detail['local'] = decision.alsoLocal;
  return detail;
}, 0b110);
