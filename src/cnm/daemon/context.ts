/**
 * What the daemon's parts (container networking, lifecycle, inspect) share: the host, the
 * network controller, the container store, the clock and the id streams.
 *
 * Models: the `*Daemon` receiver moby's `daemon/*.go` functions hang off (`daemon.netController`,
 * `daemon.containers`, `daemon.configStore`), as an interface so the parts do not import the
 * daemon class.
 * Leaves out: the daemon's configuration file and plugins.
 */
import type { Instant, Rng } from '../../engine/index.js';
import type { Host, ProgramRegistry } from '../../kernel/index.js';
import type { Controller, Endpoint, Network } from '../core/index.js';
import type { ExposedPort } from '../driver-api.js';
import type { Result } from '../errors.js';
import type { ImageCatalogue } from '../images/index.js';
import type { ContainerStore } from './container-store.js';

/** A published port as the driver reports it (`EndpointOperInfo`'s port map). */
export interface OperPortBinding {
  readonly proto: string;
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
}

export interface DaemonContext {
  readonly host: Host;
  readonly controller: Controller;
  readonly containers: ContainerStore;
  readonly images: ImageCatalogue;
  /** The programs containers can run (the host's userland plus the images' programs). */
  readonly programs: ProgramRegistry;
  /** The `ids` stream: container ids. */
  readonly ids: Rng;
  /** The `container-names` stream. */
  readonly names: Rng;
  now(): Instant;
  /** The daemon's `FindNetwork` (full id, name, unique id prefix). */
  findNetwork(term: string): Result<Network>;
  /** `ep.DriverInfo()`: exposed ports and the port mapping, when the driver reports them. */
  endpointPorts(ep: Endpoint): { readonly exposed: readonly ExposedPort[]; readonly mapping: readonly OperPortBinding[] } | undefined;
  /** The default bridge's gateway (`host-gateway` in `--add-host`). */
  hostGatewayIp(): string | undefined;
}
