/**
 * The `host` network driver: the container uses the host's own network namespace, so the driver
 * has nothing to create.
 *
 * Models: libnetwork `drivers/host/host.go` (Docker 20.10), the same inert driver as `null`
 * under another type: capability local/local, one network per daemon
 * (`only one instance of "host" network is allowed`), never deleted
 * (`network of type "host" cannot be deleted`), no devices, no IPAM. The host namespace itself
 * comes from the sandbox (`OptionUseDefaultSandbox`, see core/controller.ts), which the daemon
 * asks for when a container runs with `--network host`.
 * Leaves out: nothing.
 */
import type { DriverFactory } from '../driver-api.js';
import { inertDriver } from './null.js';

export const HOST_NETWORK_TYPE = 'host';

export const hostDriverFactory: DriverFactory = () => inertDriver(HOST_NETWORK_TYPE);
