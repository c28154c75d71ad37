/**
 * macvlan: child devices with their own MACs on one lower device, as Docker's macvlan driver
 * creates them (mode bridge) and then moves into containers.
 *
 * Models: `drivers/net/macvlan.c`:
 * - `macvlan_common_newlink`: the default mode is VEPA; a macvlan on a macvlan stacks on the real
 *   lower device; passthru takes the lower's MAC, sets it promiscuous and must be its only child;
 *   `macvlan_port_create` registers the rx handler on the lower (EBUSY if another one is there,
 *   EINVAL on loopback);
 * - `macvlan_queue_xmit`: in bridge mode a multicast is copied to the other bridge-mode children
 *   and also sent out the lower device; a unicast to a bridge-mode sibling is injected into the
 *   lower's receive path (`dev_forward_skb`), which dispatches it; everything else is transmitted
 *   on the lower device, whose own stack never sees it;
 * - `macvlan_handle_frame` (the lower's rx handler): a multicast from outside is copied to every
 *   child and also left to the lower's stack; one reflected from a VEPA child goes to VEPA and
 *   bridge siblings, from a bridge child to VEPA siblings only, from a private or passthru child
 *   back to that child alone; a unicast goes to the child owning the destination MAC (the only
 *   child in passthru), anything else stays with the lower device.
 *
 *           lower (eth0) rx ──> macvlan_handle_frame ──┬─> child with dst MAC (PACKET_HOST)
 *                                                     ├─> copies to children (multicast) + lower stack
 *   child tx ──> bridge-mode sibling? ──> lower rx    └─> lower stack (unknown unicast)
 *            └─> lower tx (the wire)
 *
 * The lower device and children are object references, so a child moved into a container's
 * namespace keeps working.
 * Decision where Linux is silent: a child transmitting to its lower device's own MAC is dropped
 * with `macvlan-isolation`. Linux puts that frame on the wire, where only a switch reflecting it
 * back (802.1Qbg reflective relay) would let the lower receive it; the underlay switch never
 * reflects into the same port unless that port is in hairpin mode, so the drop is recorded here,
 * where it explains itself. The lower's own frames to a child go to the wire as in Linux.
 * Leaves out: source mode, the per-port broadcast queue's limits (copies go through the
 * backlog at once), macvtap, `bcqueuelen`, `nopromisc` for passthru, the multicast filter.
 */
import { formatMac, isMulticastMac, type Mac } from '../../packet/index.js';
import { NetDevice, type RxHandlerResult } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { cloneSkb, scrubSkb, type Skb } from '../skb.js';
import { netifRx, randomDeviceMac, registerNetdev } from './netdev.js';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru';
export const MACVLAN_MODES: readonly MacvlanMode[] = ['private', 'vepa', 'bridge', 'passthru'];
export const MACVLAN_DEFAULT_MODE: MacvlanMode = 'vepa';

export class MacvlanDevice extends NetDevice {
  readonly kind = 'macvlan' as const;
  readonly port: MacvlanPort;
  mode: MacvlanMode;

  constructor(ns: NetNamespace, name: string, port: MacvlanPort, mode: MacvlanMode, mac: Mac) {
    super(ns, name, mac, port.lower.mtu);
    this.port = port;
    this.mode = mode;
    this.maxMtu = port.lower.mtu;
  }

  get lower(): NetDevice {
    return this.port.lower;
  }

  /** `netif_stacked_transfer_operstate`: the lower device's link state. */
  carrier(): boolean {
    return this.port.lower.operUp;
  }

  /** `macvlan_queue_xmit`. */
  protected xmit(skb: Skb): void {
    const port = this.port;
    const lower = port.lower;
    const dst = skb.frame.dst;
    if (this.mode === 'bridge') {
      if (isMulticastMac(dst)) {
        port.broadcast(skb, this, BRIDGE_ONLY, true);
      } else {
        const dest = port.lookup(dst);
        if (dest !== undefined && dest.mode === 'bridge') {
          // dev_forward_skb(lowerdev): into the lower's receive path, which dispatches by MAC.
          this.traceSibling(skb, dest);
          scrubSkb(skb, lower.netns !== this.netns);
          netifRx(lower, skb);
          return;
        }
      }
    }
    if (dst === lower.mac && !port.passthru) {
      this.netns.drop(skb, this, 'macvlan-isolation', { lower: lower.name, why: 'the lower device never receives frames from its macvlans' });
      return;
    }
    lower.transmit(skb);
  }

  private traceSibling(skb: Skb, to: MacvlanDevice): void {
    if (!this.netns.host.world.trace.enabled) return;
    this.netns.trace(skb, this, 'bridge', { decision: 'forward', via: 'macvlan bridge mode', to: to.name, dst: formatMac(skb.frame.dst) });
  }
}

/** Mode sets for `macvlan_broadcast`. */
type ModeSet = ReadonlySet<MacvlanMode>;
const ALL_MODES: ModeSet = new Set(MACVLAN_MODES);
const BRIDGE_ONLY: ModeSet = new Set<MacvlanMode>(['bridge']);
const VEPA_AND_BRIDGE: ModeSet = new Set<MacvlanMode>(['vepa', 'bridge']);
const VEPA_ONLY: ModeSet = new Set<MacvlanMode>(['vepa']);

/** `struct macvlan_port`: the lower device's side, the rx handler and the list of children. */
export class MacvlanPort {
  readonly lower: NetDevice;
  /** In creation order (`list_add_tail_rcu`). */
  readonly children: MacvlanDevice[] = [];

  constructor(lower: NetDevice) {
    this.lower = lower;
  }

  get passthru(): boolean {
    return this.children.length > 0 && this.children[0]!.mode === 'passthru';
  }

  /** `macvlan_hash_lookup`. */
  lookup(mac: Mac): MacvlanDevice | undefined {
    for (const child of this.children) if (child.mac === mac) return child;
    return undefined;
  }

  /**
   * `macvlan_broadcast`: a copy through the backlog to every child in `modes` except `src`.
   * `local` copies (a child's own transmit) are forwarded like `dev_forward_skb` does (scrubbed).
   */
  broadcast(skb: Skb, src: MacvlanDevice | undefined, modes: ModeSet, local: boolean): void {
    for (const child of this.children) {
      if (child === src || !modes.has(child.mode)) continue;
      const copy = cloneSkb(skb);
      if (local) scrubSkb(copy, child.netns !== (src?.netns ?? this.lower.netns));
      netifRx(child, copy);
    }
  }

  /** `macvlan_handle_frame`, the lower device's rx handler. */
  handleFrame(skb: Skb): RxHandlerResult {
    const frame = skb.frame;
    if (isMulticastMac(frame.dst)) {
      const src = this.lookup(frame.src);
      if (src !== undefined && src.mode !== 'vepa' && src.mode !== 'bridge') {
        // Reflected from a private or passthru child: back to that child only.
        netifRx(src, skb);
        return 'consumed';
      }
      const modes = src === undefined ? ALL_MODES : src.mode === 'vepa' ? VEPA_AND_BRIDGE : VEPA_ONLY;
      this.broadcast(skb, src, modes, false);
      return 'pass';
    }
    const child = this.passthru ? this.children[0] : this.lookup(frame.dst);
    if (child === undefined) return 'pass';
    if (!child.adminUp) {
      child.netns.drop(skb, child, 'link-down', { device: child.name });
      return 'consumed';
    }
    skb.pktType = 'host';
    child.receive(skb);
    return 'consumed';
  }
}

/** The macvlan port of `lower`, if it has macvlan children. */
export function macvlanPortOf(lower: NetDevice): MacvlanPort | undefined {
  return lower.rxHandlerData instanceof MacvlanPort ? lower.rxHandlerData : undefined;
}

/** The real lower device a new macvlan on `link` attaches to (a macvlan's own lower, if `link` is one). */
export function macvlanRealLower(link: NetDevice): NetDevice {
  return link instanceof MacvlanDevice ? link.lower : link;
}

export interface MacvlanOptions {
  readonly mac?: Mac;
  readonly mtu?: number;
}

/**
 * `macvlan_common_newlink` after `link.ts` checked the name, the lower device and the mode
 * constraints: registers the port on first use; a passthru child takes the lower's MAC.
 */
export function createMacvlan(ns: NetNamespace, name: string, link: NetDevice, mode: MacvlanMode, options: MacvlanOptions = {}): MacvlanDevice {
  const lower = macvlanRealLower(link);
  let port = macvlanPortOf(lower);
  if (port === undefined) {
    const created = new MacvlanPort(lower);
    lower.rxHandlerData = created;
    lower.rxHandler = (skb: Skb) => created.handleFrame(skb);
    port = created;
  }
  const mac = mode === 'passthru' ? lower.mac : (options.mac ?? randomDeviceMac(ns));
  const dev = new MacvlanDevice(ns, name, port, mode, mac);
  if (options.mtu !== undefined) dev.mtu = options.mtu;
  if (mode === 'passthru') lower.promiscuity++;
  port.children.push(dev);
  registerNetdev(ns, dev);
  return dev;
}

/** `macvlan_uninit`: unlink from the port; the last child takes the rx handler away. */
export function detachMacvlan(dev: MacvlanDevice): void {
  const port = dev.port;
  const i = port.children.indexOf(dev);
  if (i >= 0) port.children.splice(i, 1);
  if (dev.mode === 'passthru') port.lower.promiscuity = Math.max(0, port.lower.promiscuity - 1);
  if (port.children.length === 0 && port.lower.rxHandlerData === port) {
    port.lower.rxHandler = undefined;
    port.lower.rxHandlerData = undefined;
  }
}
