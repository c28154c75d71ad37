/**
 * The vxlan module of the simulated kernel: the Linux vxlan device (VNI, dstport, local,
 * remote/group, lower device, learning, proxy, l2miss/l3miss, its FDB with head-end
 * replication), its transmit path (encapsulation through the IPv4 output path of the link
 * namespace) and receive path (a UDP socket per port, VNI demultiplexing, learning), and what
 * `ip -d link` and `bridge fdb` print about it.
 *
 * Models: `drivers/net/vxlan/vxlan_core.c`, `include/net/vxlan.h`, `include/net/udp.h`
 * (`udp_flow_src_port`); RFC 7348. See each file's header for what it leaves out.
 * Use: `installVxlan(host)` (done by `installKernel`), then `linkAdd(ns, { type: 'vxlan', ... })`.
 */
export { VXLAN_FDB_AGE_DEFAULT, VXLAN_HEADROOM, type VxlanConfig, type VxlanLinkSpec } from './vxlan-config.js';
export { ALL_ZEROS_MAC, VxlanFdb, type FdbDeleteResult, type FdbModifyMode, type FdbModifyResult, type SnoopOutcome, type VxlanFdbEntry, type VxlanRemote } from './vxlan-fdb.js';
export { VxlanDevice, installVxlan } from './vxlan-device.js';
export { VxlanNet, vxlanNetOf } from './vxlan-net.js';
export { innerFlowHash, udpFlowSrcPort, vxlanXmit, type PortRangeLike } from './vxlan-xmit.js';
export {
  vxlanDetailsLine,
  vxlanDeviceOf,
  vxlanFdbAdd,
  vxlanFdbDel,
  vxlanFdbRows,
  vxlanLinkNetnsId,
  type VxlanFdbRow,
  type VxlanFdbSpec,
} from './vxlan-netlink.js';
