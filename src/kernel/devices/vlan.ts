/**
 * 802.1Q VLAN sub-interfaces: `ip link add link eth0 name eth0.10 type vlan id 10`.
 *
 * Models: `net/8021q/vlan_dev.c` (`vlan_dev_hard_start_xmit`: push the tag, then
 * `dev_queue_xmit` on the real device; `vlan_dev_init`: the parent's MAC and MTU unless given),
 * `net/8021q/vlan_core.c` (`vlan_do_receive`: the real device's receive path hands a frame
 * tagged with a VID that has a VLAN device to that device, untagged; a frame the real device
 * called OTHERHOST becomes HOST when it is addressed to the VLAN device's own MAC; a down VLAN
 * device drops it), `net/8021q/vlan.c` (`vlan_check_real_dev`: one device per VID and protocol;
 * `vlan_device_event`: NETDEV_UP on the real device brings its VLANs up, NETDEV_DOWN takes them
 * down, NETDEV_UNREGISTER deletes them; a namespace move of the real device keeps them),
 * `net/core/dev.c` (`__netif_receive_skb_core`: VLAN demultiplexing happens before the rx handler,
 * so `eth0.10` gets VID 10 even when `eth0` is a bridge port; a VID nobody claims ends as
 * OTHERHOST and is dropped, see `NetDevice.receive`).
 *
 *   eth0 rx [tag 10] ── vlan_do_receive ──> eth0.10 rx [untagged]
 *   eth0.10 tx [untagged] ── push tag 10 ──> eth0 tx [tag 10]
 *
 * Leaves out: egress/ingress QoS maps, GVRP/MVRP, `loose_binding`, `reorder_hdr off`, hardware
 * tag offload (tags always live in the frame, as a capture on the parent shows them).
 */
import { ETHERTYPE_VLAN, vlanTag, type Mac } from '../../packet/index.js';
import { NetDevice, type RxHandlerResult, type VlanReceiver } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { registerNetdev } from './netdev.js';

export const VLAN_VID_MAX = 4094;

export class VlanDevice extends NetDevice {
  readonly kind = 'vlan' as const;
  /** The real device (`real_dev`), an object reference: it may live in another namespace later. */
  readonly parent: NetDevice;
  readonly vid: number;
  /** 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  readonly protocol: number;

  constructor(ns: NetNamespace, name: string, parent: NetDevice, vid: number, protocol: number, mac: Mac) {
    super(ns, name, mac, parent.mtu);
    this.parent = parent;
    this.vid = vid;
    this.protocol = protocol;
    this.maxMtu = parent.mtu;
  }

  /** `netif_stacked_transfer_operstate`: the parent's link state. */
  carrier(): boolean {
    return this.parent.operUp;
  }

  /** `vlan_dev_hard_start_xmit`: the new tag becomes the outermost one. */
  protected xmit(skb: Skb): void {
    const frame = skb.frame;
    skb.frame = { ...frame, vlans: [vlanTag(this.vid, 0, false, this.protocol), ...frame.vlans] };
    this.parent.transmit(skb);
  }
}

/** `struct vlan_info` of a real device: its VLAN children by (protocol, VID). */
export class VlanGroup implements VlanReceiver {
  private readonly children = new Map<number, VlanDevice>();

  private static key(protocol: number, vid: number): number {
    return protocol * 0x1_0000 + vid;
  }

  find(protocol: number, vid: number): VlanDevice | undefined {
    return this.children.get(VlanGroup.key(protocol, vid));
  }

  add(dev: VlanDevice): void {
    this.children.set(VlanGroup.key(dev.protocol, dev.vid), dev);
  }

  remove(dev: VlanDevice): void {
    this.children.delete(VlanGroup.key(dev.protocol, dev.vid));
  }

  /** Children in VID order. */
  list(): VlanDevice[] {
    return [...this.children.values()].sort((a, b) => a.vid - b.vid || a.protocol - b.protocol);
  }

  get size(): number {
    return this.children.size;
  }

  /** `vlan_do_receive`: strip the outer tag and receive on the child with that VID, if any. */
  receive(skb: Skb): RxHandlerResult {
    const tag = skb.frame.vlans[0];
    if (tag === undefined) return 'pass';
    const child = this.find(tag.tpid, tag.vid);
    if (child === undefined) return 'pass';
    skb.frame = { ...skb.frame, vlans: skb.frame.vlans.slice(1) };
    if (skb.pktType === 'otherhost' && skb.frame.dst === child.mac) skb.pktType = 'host';
    child.receive(skb);
    return 'consumed';
  }
}

/** The VLAN group of `dev`, if it has VLAN children. */
export function vlanGroupOf(dev: NetDevice): VlanGroup | undefined {
  return dev.vlanInfo instanceof VlanGroup ? dev.vlanInfo : undefined;
}

/** The VLAN devices stacked on `dev`. */
export function vlanChildren(dev: NetDevice): VlanDevice[] {
  return vlanGroupOf(dev)?.list() ?? [];
}

export interface VlanOptions {
  readonly protocol?: number;
  readonly mac?: Mac;
  readonly mtu?: number;
}

/**
 * `vlan_newlink`, after `link.ts` checked names, the VID range and that the VID is free: the new
 * device is down, with the parent's MAC and MTU unless given.
 */
export function createVlan(ns: NetNamespace, name: string, parent: NetDevice, vid: number, options: VlanOptions = {}): VlanDevice {
  const dev = new VlanDevice(ns, name, parent, vid, options.protocol ?? ETHERTYPE_VLAN, options.mac ?? parent.mac);
  if (options.mtu !== undefined) dev.mtu = options.mtu;
  let group = vlanGroupOf(parent);
  if (group === undefined) {
    group = new VlanGroup();
    parent.vlanInfo = group;
  }
  group.add(dev);
  registerNetdev(ns, dev);
  return dev;
}

/** Unlinks a VLAN device from its parent's group (the device itself is unregistered by the caller). */
export function detachVlan(dev: VlanDevice): void {
  const group = vlanGroupOf(dev.parent);
  if (group === undefined) return;
  group.remove(dev);
  if (group.size === 0) dev.parent.vlanInfo = undefined;
}
