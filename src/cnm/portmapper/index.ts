/**
 * Port publishing's machinery, shared by the drivers that publish ports: the daemon's host-port
 * allocator, the per-network port mapper, and the userland proxy (`docker-proxy`).
 *
 * Models: libnetwork `portallocator/`, `portmapper/` and `cmd/docker-proxy` (Docker 20.10); see
 * each file's header.
 * Leaves out: SCTP forwarding through the proxy, IPv6 traffic.
 */
export {
  DEFAULT_PORT_RANGE_END,
  DEFAULT_PORT_RANGE_START,
  ERR_ALL_PORTS_ALLOCATED,
  ERR_UNKNOWN_PROTOCOL,
  PortAllocator,
  dynamicPortRange,
  portAlreadyAllocated,
  type PortProto,
} from './port-allocator.js';
export {
  DOCKER_PROXY_PATH,
  UDP_CONNTRACK_TIMEOUT_NS,
  newDummyProxy,
  newProxy,
  proxyArgv,
  type ProxySpec,
  type UserlandProxy,
} from './docker-proxy.js';
export {
  ERR_PORT_MAPPED_FOR_IP,
  ERR_PORT_NOT_MAPPED,
  PortMapper,
  type ForwardingChain,
  type MapStep,
  type PortMapping,
  type ProxyFactory,
  type StepListener,
} from './port-mapper.js';
