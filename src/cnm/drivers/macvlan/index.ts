/**
 * The macvlan driver's front door: Docker 20.10's built-in `macvlan` network driver and the
 * parent-link helpers it uses (VLAN sub-interfaces, dummy parents, macvlan children).
 *
 * Models: libnetwork `drivers/macvlan/` (Docker 20.10); see each file's header.
 * Leaves out: IPv6, persistence, the sibling `ipvlan` driver.
 */
export { MacvlanDriver, macvlanDriverFactory, MACVLAN_NETWORK_TYPE, MODE_OPT, PARENT_OPT, type MacvlanNetworkConfig } from './macvlan-driver.js';
export { DUMMY_PREFIX, createDummyLink, createMacvlan, createVlanLink, delDummyLink, delVlanLink, dummyName, parentExists, parseVlan } from './macvlan-setup.js';
