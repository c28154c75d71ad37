/**
 * The device life cycle every device type shares: register in a namespace, open (up), close
 * (down), unregister, and move to another namespace; each step raises the netdevice notifier
 * event Linux raises and tells the IPv4 module through its seam.
 *
 * Models: `net/core/dev.c` (`register_netdevice`, `dev_open`/`__dev_open`, `dev_close`,
 * `unregister_netdevice_queue`, `__dev_change_net_namespace`: the device is closed, announced as
 * unregistered in the old namespace, keeps its ifindex in the new one when it is free there, and
 * is registered again), `net/ipv4/devinet.c` (`conf/<dev>` sysctls appear and disappear with it).
 * Leaves out: type-specific cascades (bridge ports, VLAN and macvlan children, veth peers): those
 * live in `link.ts`, which composes these primitives the way the device drivers' notifier
 * handlers do.
 */
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { ipv4Seam } from './ipv4-seam.js';

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
