/**
 * Link types whose drivers live outside this folder (today: vxlan, in `kernel/vxlan/`): the
 * `rtnl_link_ops` such a module registers for a host, found by kind when `linkAdd` meets a spec
 * of that type, plus the two driver hooks the generic link API must ask before acting.
 *
 * Models: `net/core/rtnetlink.c` (`rtnl_link_register`, `rtnl_link_ops_get`: a kind nobody
 * registered is `Error: Unknown device type.`), `net_device_ops.ndo_open` (a driver may refuse
 * `ip link set up`, as vxlan does when its UDP port is taken) and `ndo_change_mtu` (vxlan's
 * limit is its lower device's MTU minus the encapsulation).
 * The registry is per host (its `ext` map), so two simulations never share one, and the device
 * layer never imports the modules that register here (no import cycle).
 * Leaves out: `changelink` (`ip link set DEV type vxlan ...`), `dellink` hooks (modules follow
 * NETDEV_UNREGISTER through the namespace notifier instead).
 */
import type { NetDevice } from '../device.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import type { VxlanLinkSpec } from '../vxlan/index.js';
import type { LinkResult } from './link-result.js';

/** The specs of link types registered from outside this folder. */
export type ExternalLinkSpec = VxlanLinkSpec;

export interface ExternalLinkOps {
  /** `rtnl_link_ops.newlink`: creates and registers the device (down), or says why not. */
  newlink(ns: NetNamespace, spec: ExternalLinkSpec): LinkResult<NetDevice>;
  /** `ndo_open`, before IFF_UP is set: an error keeps the device down. */
  open?(dev: NetDevice): LinkResult;
  /** `ndo_change_mtu`: a driver-specific limit beyond min/max MTU. */
  changeMtu?(dev: NetDevice, mtu: number): LinkResult;
}

const keyOf = (kind: ExternalLinkSpec['type']): string => `link-ops:${kind}`;

/** `rtnl_link_register` for `host`. Idempotent: the last registration wins. */
export function registerLinkOps(host: Host, kind: ExternalLinkSpec['type'], ops: ExternalLinkOps): void {
  host.ext.set(keyOf(kind), ops);
}

/** The ops registered for `kind` on `host`, if its module is loaded. */
export function linkOpsOf(host: Host, kind: string): ExternalLinkOps | undefined {
  if (kind !== 'vxlan') return undefined;
  return host.ext.get(keyOf(kind)) as ExternalLinkOps | undefined;
}
