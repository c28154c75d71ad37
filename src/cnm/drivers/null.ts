/**
 * The `null` network driver (`docker network ls` shows it as the `none` network): endpoints get
 * no device, so a container on it has only its loopback.
 *
 * Models: libnetwork `drivers/null/null.go` (Docker 20.10): capability local/local; one network
 * of this type per daemon (`only one instance of "null" network is allowed`); that network
 * cannot be deleted (`network of type "null" cannot be deleted`); every endpoint call succeeds
 * and does nothing. The controller skips IPAM for it (`hasSpecialDriver`).
 * Leaves out: nothing.
 */
import type { DriverFactory, NetworkDriver } from '../driver-api.js';
import { forbidden, ok, type Result } from '../errors.js';

export const NULL_NETWORK_TYPE = 'null';

/** The behaviour `host` and `null` share: one network, undeletable, inert endpoints. */
export function inertDriver(type: string): NetworkDriver {
  let network: string | undefined;
  const nothing = (): Result<void> => ok(undefined);
  return {
    type,
    builtIn: true,
    capability: { dataScope: 'local', connectivityScope: 'local' },
    createNetwork: req => {
      if (network !== undefined) return forbidden(`only one instance of "${type}" network is allowed`);
      network = req.networkId;
      return ok(undefined);
    },
    deleteNetwork: () => forbidden(`network of type "${type}" cannot be deleted`),
    createEndpoint: nothing,
    deleteEndpoint: nothing,
    join: nothing,
    leave: nothing,
    programExternalConnectivity: nothing,
    revokeExternalConnectivity: nothing,
  };
}

export const nullDriverFactory: DriverFactory = () => inertDriver(NULL_NETWORK_TYPE);
