/**
 * The remote drivers' front door: network driver and IPAM plugins spoken to over libnetwork's
 * JSON protocols, the plugin object model (`Plugin`, `PluginHost`), and loading a plugin into a
 * daemon (`registerPlugin`).
 *
 * Models: libnetwork `drivers/remote/` and `ipams/remote/`, moby `pkg/plugins` (Docker 20.10);
 * see each file's header.
 * Leaves out: managed (v2) plugins, discovery notifications, swarm allocation calls.
 */
export {
  ACTIVATE_METHOD,
  IPAM_DRIVER_ENDPOINT,
  NETWORK_DRIVER_ENDPOINT,
  PROTOCOL_NUMBER,
  PluginHttpResponse,
  ROUTE_TYPE,
  httpResponse,
  type AddressSpacesResponse,
  type CreateEndpointRequest,
  type CreateEndpointResponse,
  type CreateNetworkRequest,
  type EndpointInterfaceJson,
  type GetCapabilityResponse,
  type IpamCapabilityResponse,
  type IpamDataJson,
  type JoinRequest,
  type JoinResponse,
  type NetworkEndpointRequest,
  type Plugin,
  type PluginHost,
  type ProgramExternalConnectivityRequest,
  type RequestAddressRequest,
  type RequestAddressResponse,
  type RequestPoolRequest,
  type RequestPoolResponse,
  type StaticRouteJson,
} from './api.js';
export { Fields, MISSING_METHOD, NOT_FOUND_BODY, callPlugin, callRemote } from './plugin-client.js';
export { RemoteDriver, endpointOptionsJson, ipamDataJson, parseCapability } from './remote-driver.js';
export { NO_IP_RETURNED, RemoteIpam, ipamCapabilities } from './remote-ipam.js';
export { pluginHost, registerPlugin, type RegisteredPlugin } from './plugins.js';
