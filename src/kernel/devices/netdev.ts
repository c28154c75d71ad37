/**
 * The net-device core every driver in this folder uses: the device life cycle (register in a
 * namespace, open, close, unregister, move to another namespace, rename), each step raising the
 * netdevice notifier event Linux raises and telling the IPv4 module through its seam; and the
 * Ethernet helpers of the receive path: `eth_type_trans` (classify a frame by its destination
 * MAC for the device that received it), `netif_rx` (hand a frame to the receive path through the
 * per-CPU backlog instead of re-entrantly), `eth_hw_addr_random` (a random, locally
 * administered unicast MAC from the world's `mac` RNG stream, so a seed always gives every
 * device the same address).
 *
 * Models: `net/core/dev.c` (`register_netdevice`, `dev_open`, `dev_close`,
 * `unregister_netdevice_queue`, `__dev_change_net_namespace`: the device is closed, announced as
 * unregistered in the old namespace, keeps its ifindex in the new one when it is free there, and
 * is registered again; `dev_change_name`; `netif_rx`, `enqueue_to_backlog`), `net/ipv4/devinet.c`
 * (`conf/<dev>` sysctls appear and disappear with the device), `net/ethernet/eth.c`
 * (`eth_type_trans`, `is_link_local_ether_addr`), `include/linux/etherdevice.h`
 * (`eth_random_addr`, `is_valid_ether_addr`).
 * The backlog is an engine event at the current instant: same-time events run in scheduling
 * order, so frames keep their order and a transmit never re-enters a receive on the same stack.
 * Leaves out: type-specific cascades (bridge ports, VLAN and macvlan children, veth peers), which
 * `link.ts` composes from these primitives as the drivers' notifier handlers do; GRO, RPS,
 * backlog limits (`netdev_max_backlog`).
 */
import { randomMac } from '../../engine/index.js';
import { MAC_BROADCAST, isMulticastMac, type Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { PktType, Skb } from '../skb.js';
import { ipv4Seam } from './ipv4-seam.js';

/** `eth_type_trans`: what the destination MAC means to the device that received the frame. */
export function ethTypeTrans(dev: NetDevice, dst: Mac): PktType {
  if (isMulticastMac(dst)) return dst === MAC_BROADCAST ? 'broadcast' : 'multicast';
  return dst === dev.mac ? 'host' : 'otherhost';
}

/** 01:80:c2:00:00:00 .. 01:80:c2:00:00:0f (`is_link_local_ether_addr`): STP, LACP, LLDP, ... */
export function isLinkLocalMac(mac: Mac): boolean {
  return mac >= 0x0180_c200_0000 && mac <= 0x0180_c200_000f;
}

/** `is_valid_ether_addr`: not multicast (nor broadcast) and not all zeros. */
export function isValidUnicastMac(mac: Mac): boolean {
  return mac !== 0 && !isMulticastMac(mac);
}

/**
 * `netif_rx`: queue the frame for `dev`'s receive path at the current virtual instant. The
 * driver's classification happens when the backlog runs, against the device as it is then
 * (it may have been renamed or moved in between).
 */
export function netifRx(dev: NetDevice, skb: Skb): void {
  const world = dev.netns.host.world;
  let backlog = world.ext.get(BACKLOG_EXT_KEY) as Backlog | undefined;
  if (backlog === undefined) {
    backlog = new Backlog();
    world.ext.set(BACKLOG_EXT_KEY, backlog);
  }
  backlog.push(dev, skb);
  world.engine.scheduleIn(0, backlog.processOne);
}

const BACKLOG_EXT_KEY = 'netdev.backlog';

/**
 * The frames waiting in `netif_rx`'s backlog, world-wide, in arrival order. Each arrival
 * schedules one event, always the same handler: the events run in the order they were
 * scheduled (all at their arrival instant, which never decreases), so the event that runs
 * takes the oldest frame, the one it was scheduled for. No closure per frame.
 */
class Backlog {
  private devs: (NetDevice | undefined)[] = [];
  private skbs: (Skb | undefined)[] = [];
  private head = 0;

  push(dev: NetDevice, skb: Skb): void {
    this.devs.push(dev);
    this.skbs.push(skb);
  }

  /** The engine handler: classify the oldest frame for its device, then receive it. */
  readonly processOne = (): void => {
    const i = this.head;
    const dev = this.devs[i]!;
    const skb = this.skbs[i]!;
    this.devs[i] = undefined;
    this.skbs[i] = undefined;
    if (++this.head === this.devs.length) {
      this.devs.length = 0;
      this.skbs.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.devs.length) {
      this.devs = this.devs.slice(this.head);
      this.skbs = this.skbs.slice(this.head);
      this.head = 0;
    }
    skb.pktType = ethTypeTrans(dev, skb.frame.dst);
    dev.receive(skb);
  };
}

/** `eth_hw_addr_random`: the next address of the world's `mac` stream. */
export function randomDeviceMac(ns: NetNamespace): Mac {
  return randomMac(ns.host.world.rng.stream('mac'));
}

/** `register_netdevice` in `ns`. `keepIfindex` is for a device arriving from another namespace. */
export function registerNetdev(ns: NetNamespace, dev: NetDevice, keepIfindex = false): void {
  ns.attach(dev, keepIfindex);
  if (dev.kind !== 'loopback') ns.sysctl.addDevice(dev.name);
  ns.notifyNetdev('register', dev);
  ipv4Seam(ns)?.onDeviceAdded?.(dev);
}

/** `dev_open`: IFF_UP. Idempotent, as `ip link set up` on an up device is. */
export function devOpen(dev: NetDevice): void {
  if (dev.adminUp) return;
  dev.adminUp = true;
  dev.netns.notifyNetdev('up', dev);
  ipv4Seam(dev.netns)?.onDeviceUp?.(dev);
}

/** `dev_close`: clears IFF_UP; routes through the device go with it. */
export function devClose(dev: NetDevice): void {
  if (!dev.adminUp) return;
  dev.adminUp = false;
  dev.netns.notifyNetdev('down', dev);
  ipv4Seam(dev.netns)?.onDeviceDown?.(dev);
}

/** `unregister_netdevice`: closed, its IPv4 state removed, gone from its namespace. */
export function unregisterNetdev(dev: NetDevice): void {
  const ns = dev.netns;
  devClose(dev);
  ipv4Seam(ns)?.onDeviceRemoved?.(dev);
  ns.notifyNetdev('unregister', dev);
  if (dev.kind !== 'loopback') ns.sysctl.removeDevice(dev.name);
  ns.detach(dev);
}

/**
 * `__dev_change_net_namespace`: down, addresses and routes removed, then registered in `target`
 * under the same name, keeping its ifindex when that index is free there.
 */
export function moveNetdev(dev: NetDevice, target: NetNamespace): void {
  unregisterNetdev(dev);
  registerNetdev(target, dev, true);
}

/** `dev_change_name`: the namespace's index and the per-device sysctls follow the new name. */
export function renameNetdev(dev: NetDevice, newName: string): void {
  const ns = dev.netns;
  const oldName = dev.name;
  ns.rename(dev, newName);
  ns.sysctl.renameDevice(oldName, newName);
  ns.notifyNetdev('changename', dev);
  ipv4Seam(ns)?.onDeviceRenamed?.(dev, oldName);
}
