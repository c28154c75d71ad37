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
