/**
 * The CNM core's front door: libnetwork's controller, networks, endpoints and sandboxes, with
 * the files and seams around them (step journal, /etc/hosts and resolv.conf builders, the
 * embedded-DNS interface, the null IPAM driver).
 *
 * Models: libnetwork's top-level package (`controller.go`, `network.go`, `endpoint.go`,
 * `sandbox.go`, `sandbox_dns_unix.go`) plus `osl/`, `etchosts/`, `resolvconf/`, `ipams/null/`;
 * see each file's header.
 * Invariants: this file is the only module other code imports from `src/cnm/core`.
 */
export { Controller, debianEtcHosts, type ControllerOptions, type NetworkCreateOptions, type SandboxCreateOptions } from './controller.js';
export { Network, isValidName, type NetworkSettings } from './network.js';
export { Endpoint, type EndpointCreateOptions } from './endpoint.js';
export type { JoinOptions } from './endpoint-join.js';
export { Sandbox, type SandboxSettings } from './sandbox.js';
export { endpointLess, endpointInGwNetwork, gatewayEndpoint, insertSorted, GW_NETWORK_NAME, type OrderedEndpoint } from './endpoint-order.js';
export type { CoreContext } from './context.js';
export { assignIpv4, type IpamConfig, type IpamInfo, type AssignedAddress } from './network-ipam.js';
export { NullIpam, NO_ADDRESS, isNoAddress } from './null-ipam.js';
export { OslSandbox, NETNS_PREFIX, sandboxKey, type OslInterface, type InterfaceSettings } from './osl.js';
export { ServiceRecords } from './service-records.js';
export { SandboxFiles, type SandboxFilesConfig } from './sandbox-files.js';
export {
  DEFAULT_HOSTS_RECORDS,
  addHosts,
  buildHosts,
  deleteHosts,
  linkHostsRecord,
  ownHostsRecord,
  updateHosts,
  type HostsRecord,
} from './etc-hosts.js';
export {
  DEFAULT_IPV4_DNS,
  DEFAULT_IPV6_DNS,
  buildResolvConf,
  filterResolvDns,
  getNameservers,
  getOptions,
  getSearchDomains,
  hostResolvConf,
  type NameserverKind,
} from './resolv-conf.js';
export { RESOLVER_IP_SANDBOX, RESOLV_CONF_ONLY, type EmbeddedResolver, type EmbeddedResolverFactory, type ExternalDns } from './resolver-api.js';
export { DOCKER_EPOCH_UNIX_SECONDS, dockerTime, formatRfc3339Nano } from './docker-time.js';
export { StepJournal, runSteps, warn, when, type Step, type StepOutcome, type StepRecord } from './steps.js';
