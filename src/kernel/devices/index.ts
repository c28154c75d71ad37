/**
 * The device layer of the simulated kernel: loopback, veth, Linux bridge (with its FDB and
 * br_netfilter hooks), 802.1Q VLAN, macvlan, dummy and physical NICs, and the iproute2-style link
 * API that creates and configures them. Other kernel folders use this file only.
 *
 * Models: `drivers/net/{loopback,veth,macvlan,dummy}.c`, `net/bridge/`, `net/8021q/`,
 * `net/core/dev.c`, `net/core/rtnetlink.c`; see each file's header.
 * Leaves out: vxlan (`kernel/vxlan/` registers it through `registerLinkOps`), ipvlan, bonds.
 */
import type { Host } from '../host.js';
import { installLoopback } from './loopback.js';
import { namespaceExit } from './link.js';

export * from './fdb.js';
export * from './ipv4-seam.js';
export { validIfname, type LinkError, type LinkErrorKind, type LinkResult } from './link-result.js';
export * from './netdev.js';
export * from './loopback.js';
export * from './veth.js';
export * from './bridge.js';
export * from './bridge-tool.js';
export { brDecide, shouldDeliver, type BridgeDecision, type FloodKind } from './bridge-input.js';
export * from './vlan.js';
export * from './macvlan.js';
export * from './dummy.js';
export * from './physical.js';
export * from './link.js';
export * from './link-details.js';

const INSTALLED = 'devices';

/**
 * Every namespace of `host`, now and later, gets its `lo` (`loopback_net_init`), and a deleted
 * namespace's devices go as `default_device_exit` has them go. Idempotent.
 */
export function installDevices(host: Host): void {
  if (host.ext.has(INSTALLED)) return;
  host.ext.set(INSTALLED, true);
  host.onNamespace(installLoopback);
  host.onNamespaceExit(namespaceExit);
}
