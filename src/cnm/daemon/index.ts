/**
 * The Docker daemon's front door: `startDockerDaemon(host, registry)` gives a host its dockerd
 * (network controller, predefined networks, containers, images) and registers the `docker` CLI;
 * the daemon is the scenario runner's `DockerEngine`.
 *
 * Models: moby 20.10 `daemon/` (container create/start/stop/rm, networking, inspect, list);
 * see each file's header.
 */
export { DockerDaemon, startDockerDaemon, type ContainerContextView } from './daemon.js';
export { Container, transition, emptyEndpointSettings, type ContainerConfig, type ContainerStatus, type EndpointSettings, type HostConfig, type PortBindingSpec } from './container.js';
export type { ContainerCreateRequest, ContainerCreateResponse } from './container-create.js';
export type { NetworkCreateRequest } from './network-api.js';
export type { ContainerSummary, PortSummary } from './list.js';
export { randomName, generateName } from './container-store.js';
export { DEFAULT_NETWORK, RUNCONFIG, isPreDefinedNetwork } from './runconfig.js';
