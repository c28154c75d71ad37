/**
 * The kernel's link API in iproute2 terms: `ip link add|del|set` for the device types in this
 * folder, with the cascades the kernel's notifier handlers perform and iproute2's exact error
 * texts and exit codes as values (never thrown), for the `ip`, `bridge` and `brctl` programs and
 * for the CNM drivers, which program devices the way libnetwork programs netlink.
 *
 * Models: `net/core/rtnetlink.c` (`rtnl_newlink`, `rtnl_dellink`, `do_setlink`, `do_set_master`),
 * `net/core/dev.c` (`dev_change_name`: a free, valid name, up or not, as since Linux 6.2, which
 * dropped the EBUSY for a running device; `dev_set_mtu`: min/max checks;
 * `__dev_change_net_namespace`: NETIF_F_NETNS_LOCAL devices such as `lo` and bridges refuse;
 * `default_device_exit`), the per-type notifier handlers (`br_device_event`: a port that is
 * unregistered or moved leaves its bridge, a port that loses carrier forgets what it learned;
 * `vlan_device_event`: VLANs follow their real device up and down, shrink to its MTU, and are
 * deleted with it; `macvlan_device_event`: likewise deleted with the lower device; deleting
 * one veth end deletes the pair), `ip/iplink.c` for the messages.
 * Link types whose drivers live outside this folder (vxlan, `kernel/vxlan/`) register their
 * `rtnl_link_ops` per host (`registerLinkOps`, kept in `host.ext`, so the device layer never
 * imports them): `rtnl_link_ops_get` (nobody registered: `Error: Unknown device type.`),
 * `ndo_open` (a driver may refuse `up`, as vxlan does when its port is taken) and
 * `ndo_change_mtu` (vxlan's limit is its lower device's MTU minus the encapsulation).
 * Leaves out: bonds, team, ipvlan, `ip link set` options beyond up/down/master/netns/name/mtu/
 * address, `group`, `alias`, `txqueuelen`.
 */
import type { Duration } from '../../engine/index.js';
import type { Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import type { VxlanLinkSpec } from '../vxlan/index.js';
import { BridgeDevice } from './bridge.js';
import { createDummy } from './dummy.js';
import { isValidUnicastMac, devClose, devOpen, moveNetdev, registerNetdev, renameNetdev, unregisterNetdev } from './netdev.js';
import { ERR, OK, badIfname, extack, ok, validIfname, type LinkResult } from './link-result.js';
import { MacvlanDevice, createMacvlan, detachMacvlan, macvlanPortOf, macvlanRealLower, type MacvlanMode } from './macvlan.js';
import { VethDevice, createVethPair } from './veth.js';
import { VLAN_VID_MAX, VlanDevice, createVlan, detachVlan, vlanChildren, vlanGroupOf } from './vlan.js';

export type LinkSpec =
  | { readonly type: 'veth'; readonly name: string; readonly peer: string; readonly peerNs?: NetNamespace; readonly mac?: Mac; readonly peerMac?: Mac; readonly mtu?: number }
  | { readonly type: 'bridge'; readonly name: string; readonly mac?: Mac; readonly mtu?: number; readonly ageingTime?: Duration }
  | { readonly type: 'vlan'; readonly name: string; readonly link: string; readonly id: number; readonly protocol?: number; readonly mac?: Mac; readonly mtu?: number }
  | { readonly type: 'macvlan'; readonly name: string; readonly link: string; readonly mode?: MacvlanMode; readonly mac?: Mac; readonly mtu?: number }
  | { readonly type: 'dummy'; readonly name: string; readonly mac?: Mac; readonly mtu?: number }
  | ExternalLinkSpec;

/** The specs of link types registered from outside this folder. */
export type ExternalLinkSpec = VxlanLinkSpec;

/** `rtnl_link_ops` (and the two `net_device_ops` the generic calls must ask) of an external type. */
export interface ExternalLinkOps {
  /** `rtnl_link_ops.newlink`: creates and registers the device (down), or says why not. */
  newlink(ns: NetNamespace, spec: ExternalLinkSpec): LinkResult<NetDevice>;
  /** `ndo_open`, before IFF_UP is set: an error keeps the device down. */
  open?(dev: NetDevice): LinkResult;
  /** `ndo_change_mtu`: a driver-specific limit beyond min/max MTU. */
  changeMtu?(dev: NetDevice, mtu: number): LinkResult;
}

/** `rtnl_link_register` for `host`; the last registration wins. */
export function registerLinkOps(host: Host, kind: ExternalLinkSpec['type'], ops: ExternalLinkOps): void {
  host.ext.set(`link-ops:${kind}`, ops);
}

/** The ops registered for `kind` on `host`, if its module is loaded. */
export function linkOpsOf(host: Host, kind: string): ExternalLinkOps | undefined {
  return kind === 'vxlan' ? (host.ext.get(`link-ops:${kind}`) as ExternalLinkOps | undefined) : undefined;
}

/** A device given by object, or by name in the namespace the command runs in. */
export type DevRef = NetDevice | string;

/** `ll_name_to_index`: the device, or iproute2's `Cannot find device "X"`. */
export function lookupDevice(ns: NetNamespace, ref: DevRef): LinkResult<NetDevice> {
  if (typeof ref !== 'string') return ref.netns === ns ? ok(ref) : ERR.noDevice();
  const dev = ns.device(ref);
  return dev === undefined ? ERR.cannotFind(ref) : ok(dev);
}

/** `ip link add ...`. The new device is down. */
export function linkAdd(ns: NetNamespace, spec: LinkSpec): LinkResult<NetDevice> {
  if (!validIfname(spec.name)) return badIfname(spec.name);
  if (spec.mac !== undefined && !isValidUnicastMac(spec.mac)) return ERR.badAddress();
  switch (spec.type) {
    case 'veth': {
      if (!validIfname(spec.peer)) return badIfname(spec.peer);
      const peerNs = spec.peerNs ?? ns;
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      if (peerNs.device(spec.peer) !== undefined || (peerNs === ns && spec.peer === spec.name)) return ERR.exists();
      if (spec.peerMac !== undefined && !isValidUnicastMac(spec.peerMac)) return ERR.badAddress();
      return ok(createVethPair(ns, spec.name, spec.peer, peerNs, spec));
    }
    case 'bridge': {
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      const br = new BridgeDevice(ns, spec.name, spec);
      registerNetdev(ns, br);
      return ok(br);
    }
    case 'vlan': {
      const parent = ns.device(spec.link);
      if (parent === undefined) return ERR.cannotFind(spec.link);
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id > VLAN_VID_MAX) return extack('range', '8021q: Invalid VLAN id.');
      if (parent.kind === 'loopback') return extack('invalid', '8021q: VLANs not supported on device');
      const protocol = spec.protocol ?? 0x8100;
      if (vlanGroupOf(parent)?.find(protocol, spec.id) !== undefined) return extack('exists', '8021q: VLAN device already exists.');
      if (spec.mtu !== undefined && spec.mtu > parent.mtu) return ERR.range();
      return ok(createVlan(ns, spec.name, parent, spec.id, spec));
    }
    case 'macvlan': {
      const link = ns.device(spec.link);
      if (link === undefined) return ERR.cannotFind(spec.link);
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      const lower = macvlanRealLower(link);
      if (lower.kind === 'loopback') return ERR.invalid();
      const port = macvlanPortOf(lower);
      if (port === undefined && lower.rxHandler !== undefined) return ERR.busy();
      const mode = spec.mode ?? 'vepa';
      if (port !== undefined && (port.passthru || (mode === 'passthru' && port.children.length > 0))) return ERR.invalid();
      if (spec.mtu !== undefined && spec.mtu > lower.mtu) return ERR.invalid();
      return ok(createMacvlan(ns, spec.name, link, mode, spec));
    }
    case 'dummy': {
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      const dev = createDummy(ns, spec.name, spec.mac);
      if (spec.mtu !== undefined) dev.mtu = spec.mtu;
      return ok(dev);
    }
    case 'vxlan': {
      if (ns.device(spec.name) !== undefined) return ERR.exists();
      const ops = linkOpsOf(ns.host, spec.type);
      return ops === undefined ? extack('unsupported', 'Unknown device type.') : ops.newlink(ns, spec);
    }
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

/** `ip link add NAME type veth peer name PEER [netns PEERNS]`. */
export function linkAddVeth(ns: NetNamespace, name: string, peerName: string, peerNs?: NetNamespace): LinkResult<VethDevice> {
  const added = linkAdd(ns, peerNs === undefined ? { type: 'veth', name, peer: peerName } : { type: 'veth', name, peer: peerName, peerNs });
  return added.ok ? ok(added.value as VethDevice) : added;
}

/** `ip link del DEV`: one veth end takes its peer, a bridge releases its ports, a parent takes its VLANs and macvlans. */
export function linkDel(ns: NetNamespace, ref: DevRef): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (dev.kind === 'loopback' || dev.kind === 'physical') return ERR.unsupported();
  deleteDevice(dev);
  return OK;
}

/** `ip link set DEV up`. A VLAN refuses while its real device is down (ENETDOWN). */
export function linkSetUp(ns: NetNamespace, ref: DevRef): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (dev instanceof VlanDevice && !dev.parent.adminUp) return ERR.networkDown();
  const opened = dev.adminUp ? OK : (linkOpsOf(ns.host, dev.kind)?.open?.(dev) ?? OK);
  if (!opened.ok) return opened;
  openDevice(dev);
  return OK;
}

/** `ip link set DEV down`. */
export function linkSetDown(ns: NetNamespace, ref: DevRef): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  closeDevice(found.value);
  return OK;
}

/** `ip link set DEV master BR` (or `nomaster` with `master` undefined). */
export function linkSetMaster(ns: NetNamespace, ref: DevRef, master: DevRef | undefined): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (master === undefined) {
    if (dev.master instanceof BridgeDevice) dev.master.removePort(dev);
    return OK;
  }
  const br = typeof master === 'string' ? ns.device(master) : master;
  if (br === undefined || br.netns !== ns) return ERR.noSuchMaster(typeof master === 'string' ? master : master.name);
  if (!(br instanceof BridgeDevice)) return ERR.unsupported();
  if (dev.master === br) return OK;
  const old = dev.master;
  if (old instanceof BridgeDevice) old.removePort(dev);
  return br.addPort(dev);
}

/** `ip link set DEV netns NS`: down, addresses and routes gone, released from its bridge. */
export function linkSetNs(dev: NetDevice, target: NetNamespace): LinkResult {
  if (dev.kind === 'loopback' || dev.kind === 'bridge') return ERR.invalid();
  if (dev.netns === target) return OK;
  if (target.device(dev.name) !== undefined) return ERR.exists();
  if (dev.master instanceof BridgeDevice) dev.master.removePort(dev);
  closeDevice(dev);
  moveNetdev(dev, target);
  return OK;
}

/**
 * `ip link set DEV name NEW`: the name must be valid and free. Linux before 6.2 refused a device
 * that is up (EBUSY, unless IFF_LIVE_RENAME_OK); 6.2 and later rename it live (checked on 6.18
 * with veth, bridge, macvlan and lo up).
 */
export function linkSetName(ns: NetNamespace, ref: DevRef, newName: string): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (!validIfname(newName)) return badIfname(newName);
  if (dev.name === newName) return OK;
  if (ns.device(newName) !== undefined) return ERR.exists();
  renameNetdev(dev, newName);
  return OK;
}

/** `ip link set DEV mtu N`. */
export function linkSetMtu(ns: NetNamespace, ref: DevRef, mtu: number): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (!Number.isInteger(mtu) || mtu < 0) return ERR.invalid();
  if (dev.minMtu > 0 && mtu < dev.minMtu) return extack('range', 'mtu less than device minimum.');
  if (dev.maxMtu > 0 && mtu > dev.maxMtu) return extack('range', 'mtu greater than device maximum.');
  if (dev instanceof VlanDevice && mtu > dev.parent.mtu) return ERR.range();
  if (dev instanceof MacvlanDevice && mtu > dev.lower.mtu) return ERR.invalid();
  const driver = linkOpsOf(ns.host, dev.kind)?.changeMtu?.(dev, mtu) ?? OK;
  if (!driver.ok) return driver;
  if (dev instanceof BridgeDevice) dev.setMtu(mtu);
  changeMtu(dev, mtu);
  return OK;
}

/** `dev_set_mtu` and NETDEV_CHANGEMTU: VLAN and macvlan children shrink to fit, bridges follow their ports. */
function changeMtu(dev: NetDevice, mtu: number): void {
  dev.mtu = mtu;
  dev.netns.notifyNetdev('changemtu', dev);
  for (const child of stackedChildren(dev)) if (child.mtu > mtu) changeMtu(child, mtu);
  if (dev.master instanceof BridgeDevice) dev.master.portMtuChanged();
}

/** `ip link set DEV address MAC`. */
export function linkSetAddress(ns: NetNamespace, ref: DevRef, mac: Mac): LinkResult {
  const found = lookupDevice(ns, ref);
  if (!found.ok) return found;
  const dev = found.value;
  if (dev.kind === 'loopback') return ERR.unsupported();
  if (!isValidUnicastMac(mac)) return ERR.badAddress();
  if (dev instanceof BridgeDevice) {
    dev.setAddress(mac);
    return OK;
  }
  const old = dev.mac;
  dev.mac = mac;
  dev.netns.notifyNetdev('changeaddr', dev);
  if (dev.master instanceof BridgeDevice) dev.master.portAddressChanged(dev, old);
  return OK;
}

/**
 * `default_device_exit` when a namespace goes away: virtual devices are deleted (a veth takes
 * its peer in the other namespace with it), physical NICs return to the root namespace.
 */
export function namespaceExit(ns: NetNamespace): void {
  const root = ns.host.rootNs;
  for (const dev of ns.sortedDevices().reverse()) {
    if (dev.netns !== ns) continue;
    if (dev.kind === 'physical' && ns !== root) {
      if (root.device(dev.name) !== undefined) renameNetdev(dev, `dev${dev.ifindex}`);
      linkSetNs(dev, root);
    } else if (dev.kind !== 'loopback') {
      deleteDevice(dev);
    }
  }
  const lo = ns.device('lo');
  if (lo !== undefined) unregisterNetdev(lo);
}

/** VLAN and macvlan devices stacked on `dev`. */
export function stackedChildren(dev: NetDevice): NetDevice[] {
  const port = macvlanPortOf(dev);
  return [...vlanChildren(dev), ...(port === undefined ? [] : port.children)];
}

/** `unregister_netdevice` with every cascade. */
function deleteDevice(dev: NetDevice): void {
  if (!dev.netns.devices.has(dev.name) || dev.netns.device(dev.name) !== dev) return;
  closeDevice(dev);
  if (dev instanceof BridgeDevice) for (const port of dev.ports()) dev.removePort(port.dev);
  if (dev.master instanceof BridgeDevice) dev.master.removePort(dev);
  for (const child of stackedChildren(dev)) deleteDevice(child);
  if (dev instanceof VlanDevice) detachVlan(dev);
  if (dev instanceof MacvlanDevice) detachMacvlan(dev);
  unregisterNetdev(dev);
  if (dev instanceof VethDevice && dev.peer !== dev) deleteDevice(dev.peer);
}

/** `dev_open` and NETDEV_UP's cascade: VLANs come up with their real device. */
function openDevice(dev: NetDevice): void {
  if (dev.adminUp) return;
  devOpen(dev);
  for (const child of vlanChildren(dev)) openDevice(child);
  carrierChanged(dev);
}

/** `dev_close` and NETDEV_DOWN's cascade: VLANs go down with their real device. */
function closeDevice(dev: NetDevice): void {
  if (!dev.adminUp) return;
  for (const child of vlanChildren(dev)) closeDevice(child);
  devClose(dev);
  carrierChanged(dev);
}

/**
 * NETDEV_CHANGE for every device whose carrier follows `dev` (itself, a veth peer, macvlans);
 * a bridge port without carrier is disabled and forgets what it learned
 * (`br_stp_disable_port` -> `br_fdb_delete_by_port(br, p, 0, 0)`); a bridge going down
 * disables all its ports.
 */
function carrierChanged(dev: NetDevice): void {
  const affected: NetDevice[] = [dev];
  if (dev instanceof VethDevice && dev.peer !== dev) affected.push(dev.peer);
  const port = macvlanPortOf(dev);
  if (port !== undefined) affected.push(...port.children);
  for (const d of affected) {
    if (d !== dev) d.netns.notifyNetdev('change', d);
    if (d.master instanceof BridgeDevice && !d.operUp) d.master.fdb.deletePort(d, false);
    // br_port_carrier_check: a port enabled or disabled on a running bridge.
    if (d.master instanceof BridgeDevice && d.master.adminUp) d.master.portStateSelection();
  }
  if (dev instanceof BridgeDevice && !dev.adminUp) for (const p of dev.ports()) dev.fdb.deletePort(p.dev, false);
  // br_stp_enable_bridge / br_stp_disable_bridge: each port that is up is enabled or disabled.
  if (dev instanceof BridgeDevice && dev.ports().some(p => p.dev.operUp)) dev.portStateSelection();
}
