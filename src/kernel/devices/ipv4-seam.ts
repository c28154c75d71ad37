/**
 * The seam between the device layer and the IPv4 module: the few calls a device change needs
 * from IPv4, found through the namespace's `ext` slot `ipv4`, each optional so the device layer
 * works (and is tested) without an IP stack.
 *
 * Models: the parts of `net/ipv4/devinet.c` (`inetdev_event`) and `net/ipv4/fib_frontend.c`
 * (`fib_netdev_event`) that react to device events, and the two lookups br_netfilter makes for
 * bridged DNAT (`br_nf_pre_routing_finish`: `ip_route_input`, then the neighbour of the next hop).
 * Leaves out: everything IPv4 does on its own; this file only names the calls.
 */
import type { Ipv4, Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';

export const IPV4_EXT_KEY = 'ipv4';

/** The answer of a route lookup as the bridge needs it: the output device and the next hop. */
export interface SeamRoute {
  readonly dev: NetDevice;
  /** The gateway, or undefined for a directly connected destination (the next hop is `dst`). */
  readonly gateway: Ipv4 | undefined;
}

export interface Ipv4DeviceSeam {
  /** NETDEV_REGISTER: a device appeared in (or was moved into) this namespace. */
  onDeviceAdded?(dev: NetDevice): void;
  /** NETDEV_UP: connected and broadcast routes of its addresses come back. */
  onDeviceUp?(dev: NetDevice): void;
  /** NETDEV_DOWN: routes through it go, its neighbours are flushed. */
  onDeviceDown?(dev: NetDevice): void;
  /** NETDEV_UNREGISTER (deleted, or moved to another namespace): addresses and routes go. */
  onDeviceRemoved?(dev: NetDevice): void;
  /** NETDEV_CHANGENAME: per-device state keyed by name follows it. */
  onDeviceRenamed?(dev: NetDevice, oldName: string): void;
  /** `ip_route_input` for a destination rewritten by PREROUTING DNAT, arriving on `inDev`. */
  routeLookup?(dst: Ipv4, inDev: NetDevice): SeamRoute | undefined;
  /** A resolved neighbour's MAC (REACHABLE, STALE, PERMANENT, ...), without starting resolution. */
  neighbourMac?(dev: NetDevice, ip: Ipv4): Mac | undefined;
}

/** The IPv4 module of `ns`, if one is installed. */
export function ipv4Seam(ns: NetNamespace): Ipv4DeviceSeam | undefined {
  const ext = ns.ext.get(IPV4_EXT_KEY);
  return typeof ext === 'object' && ext !== null ? (ext as Ipv4DeviceSeam) : undefined;
}
