/**
 * What networks, endpoints and sandboxes need from the controller that owns them: the host they
 * program, the step journal, the id stream, the clock, and the driver registries.
 *
 * Models: the `ctrlr *controller` back-pointer every libnetwork object carries (`network.ctrlr`,
 * `endpoint.network.getController()`, `sandbox.controller`). It is an interface here so the
 * objects do not import the controller (no import cycles).
 * Leaves out: the datastore and the cluster agent.
 */
import type { Instant, Rng } from '../../engine/index.js';
import type { Host } from '../../kernel/index.js';
import type { NetworkDriver } from '../driver-api.js';
import type { Result } from '../errors.js';
import type { HostReserved, Ipam } from '../ipam/index.js';
import type { Network } from './network.js';
import type { EmbeddedResolverFactory } from './resolver-api.js';
import type { Sandbox } from './sandbox.js';
import type { StepJournal } from './steps.js';

export interface CoreContext {
  readonly host: Host;
  readonly journal: StepJournal;
  /** The `ids` stream: network, endpoint and sandbox ids. */
  readonly ids: Rng;
  readonly resolverFactory: EmbeddedResolverFactory;
  now(): Instant;
  /** A registered network driver, or `plugin "<type>" not found`. */
  driver(type: string): Result<NetworkDriver>;
  /** A registered IPAM driver, or `plugin "<name>" not found`. */
  ipam(name: string): Result<Ipam>;
  /** The host's nameservers and link-scope routes, which default pools must avoid. */
  readonly hostReserved: HostReserved;
  sandboxById(id: string): Sandbox | undefined;
  forgetNetwork(network: Network): void;
  forgetSandbox(sandbox: Sandbox): void;
}
