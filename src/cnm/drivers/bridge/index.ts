/**
 * The bridge driver's front door: Docker 20.10's `bridge` network driver and the iptables
 * helpers the controller needs (`arrangeUserFilterRule` for `DOCKER-USER`).
 *
 * Models: libnetwork `drivers/bridge/` and `iptables/` (Docker 20.10); see each file's header.
 * Leaves out: IPv6, firewalld, persistence.
 */
export { BridgeDriver, bridgeDriverFactory, type BridgeDriverOptions, type BridgeEndpointInfo } from './bridge-driver.js';
export type { DriverConfig } from './bridge-network.js';
export { IpTables, type IptAction, type IptCommand, type IptTable } from './iptables.js';
export { ChainInfo } from './chain-info.js';
export {
  BRIDGE_NAME,
  CONTAINER_IFACE_PREFIX,
  DEFAULT_BINDING_IP,
  DEFAULT_BRIDGE,
  DEFAULT_BRIDGE_NAME,
  DEFAULT_GATEWAY_V4_AUX_KEY,
  DRIVER_MTU,
  ENABLE_ICC,
  ENABLE_IP_MASQUERADE,
  HOST_IP,
  INHIBIT_IPV4,
  INTERNAL,
  type NetworkConfiguration,
} from './labels.js';
export { CHILD_ENDPOINTS, PARENT_ENDPOINTS, type ContainerConfiguration } from './link.js';
export { type BoundPort } from './port-mapping.js';
export {
  DOCKER_CHAIN,
  ISOLATION_CHAIN_1,
  ISOLATION_CHAIN_2,
  USER_CHAIN,
  arrangeUserFilterRule,
} from './setup-ip-chains.js';
export { StepLog, type StepRecord } from './setup-steps.js';
