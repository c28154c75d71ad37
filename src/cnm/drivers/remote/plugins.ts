/**
 * Loading a plugin into a daemon: the activation handshake, then a remote network driver and/or
 * a remote IPAM driver registered under the plugin's name, so `docker network create -d NAME`
 * and `--ipam-driver NAME` find it (and anything else is `plugin "<name>" not found`).
 *
 * Models: moby `pkg/plugins` discovery and activation (`Plugin.Activate` answers `Implements`;
 * a plugin without the requested interface is `Plugin does not implement the requested
 * driver`), libnetwork `drivers/remote/driver.go` `Init` (the `NetworkDriver` handler: ask
 * `GetCapabilities`, then `RegisterDriver(name, driver, capability)`; a second registration is
 * `Driver already registered for type "<name>"`) and `ipams/remote/remote.go` `Init` (the
 * `IpamDriver` handler). The plugin gets a `PluginHost`: the host, its root namespace, the
 * sandbox namespaces by key, and the kernel API.
 *
 *   registerPlugin(controller, myPlugin)      // like dropping myPlugin.sock in /run/docker/plugins
 *   controller.newNetwork('myPlugin', 'n1')   // NetworkDriver.CreateNetwork to the plugin
 *
 * Activation happens at registration, not at first use, so a plugin whose capabilities are
 * invalid is refused here (upstream logs it and the driver stays unknown).
 * Leaves out: managed plugins (`docker plugin install`), plugin restarts and re-activation, spec
 * files and sockets, `docker info`'s plugin list beyond `driverTypes()`.
 */
import * as kernel from '../../../kernel/index.js';
import type { Controller } from '../../core/index.js';
import { err, ok, type Result } from '../../errors.js';
import { ACTIVATE_METHOD, IPAM_DRIVER_ENDPOINT, NETWORK_DRIVER_ENDPOINT, type Plugin, type PluginHost } from './api.js';
import { callPlugin, callRemote } from './plugin-client.js';
import { RemoteDriver, parseCapability } from './remote-driver.js';
import { RemoteIpam, ipamCapabilities } from './remote-ipam.js';

export interface RegisteredPlugin {
  readonly name: string;
  /** `Implements` of the handshake. */
  readonly implements: readonly string[];
  readonly driver: RemoteDriver | undefined;
  readonly ipam: RemoteIpam | undefined;
}

/** Plugin names already loaded per daemon (`RegisterDriver` refuses a second one). */
const loaded = new WeakMap<Controller, Set<string>>();

/** What a plugin of this daemon can reach. */
export function pluginHost(controller: Controller): PluginHost {
  return {
    host: controller.host,
    hostNs: controller.host.rootNs,
    namespace: key => controller.sandboxes().find(sb => sb.key === key)?.ns,
    kernel,
  };
}

/** Activates `plugin` and registers what it implements with `controller`. */
export function registerPlugin(controller: Controller, plugin: Plugin): Result<RegisteredPlugin> {
  const names = loaded.get(controller) ?? new Set<string>();
  if (names.has(plugin.name) || controller.driverTypes().includes(plugin.name)) return err('forbidden', `Driver already registered for type "${plugin.name}"`);
  const host = pluginHost(controller);
  const activated = callPlugin(plugin, host, ACTIVATE_METHOD, null);
  if (!activated.ok) return activated;
  const list = activated.value['Implements'];
  const implementsList = Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  const network = implementsList.includes(NETWORK_DRIVER_ENDPOINT);
  const ipamToo = implementsList.includes(IPAM_DRIVER_ENDPOINT);
  if (!network && !ipamToo) return err('invalidParameter', 'Plugin does not implement the requested driver');
  let driver: RemoteDriver | undefined;
  if (network) {
    const caps = callRemote(plugin, host, `${NETWORK_DRIVER_ENDPOINT}.GetCapabilities`, null);
    if (!caps.ok) return err(caps.error.kind, `error getting capability for ${plugin.name} due to ${caps.error.message}`);
    const capability = parseCapability(caps.value);
    if (!capability.ok) return err(capability.error.kind, `error getting capability for ${plugin.name} due to ${capability.error.message}`);
    const keyOf = (ns: kernel.NetNamespace): string => controller.sandboxes().find(sb => sb.ns === ns)?.key ?? '';
    driver = new RemoteDriver(plugin, host, capability.value, keyOf);
    const d = driver;
    controller.registerDriver(plugin.name, () => d);
  }
  let ipam: RemoteIpam | undefined;
  if (ipamToo) {
    ipam = new RemoteIpam(plugin, host, ipamCapabilities(plugin, host));
    controller.registerIpamDriver(plugin.name, ipam);
  }
  names.add(plugin.name);
  loaded.set(controller, names);
  return ok({ name: plugin.name, implements: implementsList, driver, ipam });
}
