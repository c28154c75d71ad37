/**
 * The CNM layer's front door: the Docker daemon's networking of one host (libnetwork's
 * controller, networks, endpoints and sandboxes; the driver and IPAM contracts; built-in
 * drivers; default IPAM). Other layers import `src/cnm` only through this file; each module
 * adds its export lines here.
 */
export * from './errors.js';
export * from './driver-api.js';
export * from './core/index.js';
export { nullDriverFactory, inertDriver, NULL_NETWORK_TYPE } from './drivers/null.js';
export { hostDriverFactory, HOST_NETWORK_TYPE } from './drivers/host.js';
export { embeddedResolverFactory, embeddedDnsOf, EmbeddedDnsServer, DNS_SHUFFLE_STREAM, type EmbeddedDnsFactory, type EmbeddedDnsOptions } from './dns/index.js';
export { macvlanDriverFactory, MacvlanDriver, MACVLAN_NETWORK_TYPE } from './drivers/macvlan/index.js';
export { registerPlugin, pluginHost, httpResponse, RemoteDriver, RemoteIpam, type Plugin, type PluginHost, type RegisteredPlugin } from './drivers/remote/index.js';
export { DockerDaemon, startDockerDaemon, type ContainerContextView } from './daemon/index.js';
export { builtinCatalogue, ImageCatalogue, BUILTIN_IMAGES, type ImageSpec } from './images/index.js';
export { dockerProgram, GoTemplate, goJson, tabwrite } from './docker-cli/index.js';
