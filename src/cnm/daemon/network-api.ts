/**
 * The daemon's network endpoints: create, remove, inspect, list, connect, disconnect, prune.
 *
 * Models: moby 20.10 `daemon/network.go` (`createNetwork`: `operation is not permitted on
 * predefined <name> network ` (trailing space kept), `network with name <name> already exists`
 * (the CLI always sends CheckDuplicate), the default driver `bridge`, overlay refused off-swarm,
 * `getIpamConfig`: `Invalid subnet <s> : invalid CIDR address: <s>`; `deleteNetwork`: `<name> is
 * a pre-defined network and cannot be removed`, `error while removing network: <cause>`;
 * `buildDetailedNetworkResources`, `buildIPAMResources`: a network's `IPAM.Config` lists what the
 * user asked for, or when nothing was asked, what IPAM gave; `Containers` keyed by container id),
 * `daemon/container_operations.go` `ConnectToNetwork`/`DisconnectFromNetwork` (a stopped
 * container only has its settings edited) and `daemon/prune.go` `localNetworksPrune`.
 * Leaves out: swarm networks, config-only/config-from networks, IPv6 pools, plugins.
 */
import { formatCidr, formatIpv4, formatMac, isCidr, parseCidr } from '../../packet/index.js';
import type { IpamConfig, Network } from '../core/index.js';
import type { Scope } from '../driver-api.js';
import { conflict, err, forbidden, ok, wrap, type Result } from '../errors.js';
import { goMap, type JsonValue } from '../docker-cli/go-json.js';
import { emptyEndpointSettings, type EndpointSettings } from './container.js';
import type { DaemonContext } from './context.js';
import { connectToNetwork, disconnectFromNetwork, endpointCidr, updateNetworkConfig } from './container-network.js';
import { RUNCONFIG, isHost, isPreDefinedNetwork } from './runconfig.js';

export interface NetworkCreateRequest {
  readonly name: string;
  readonly driver: string;
  readonly options: ReadonlyMap<string, string>;
  readonly ipamDriver: string;
  readonly ipamOptions: ReadonlyMap<string, string>;
  readonly ipamConfig: readonly { subnet: string; ipRange: string; gateway: string; auxAddresses: ReadonlyMap<string, string> }[];
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly enableIPv6: boolean;
  readonly labels: ReadonlyMap<string, string>;
  readonly scope: string;
}

/** What the daemon remembers beside the core network (what inspect prints as `null`). */
export interface NetworkExtras {
  /** `IPAM.Options` is `null` for the daemon's own networks, `{}` for the CLI's. */
  readonly ipamOptionsNull: boolean;
}

/** `createNetwork`. */
export function createNetwork(ctx: DaemonContext, req: NetworkCreateRequest, extras: Map<string, NetworkExtras>, afterCreate: (n: Network) => void): Result<{ id: string; warning: string }> {
  if (isPreDefinedNetwork(req.name)) return forbidden(`operation is not permitted on predefined ${req.name} network `);
  if (ctx.controller.networks().some(n => n.name === req.name)) return conflict(`network with name ${req.name} already exists`);
  const driver = req.driver === '' ? 'bridge' : req.driver;
  if (driver === 'overlay') return forbidden('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  const v4: IpamConfig[] = [];
  for (const c of req.ipamConfig) {
    if (!isCidr(parseCidr(c.subnet))) {
      if (c.subnet.includes(':')) continue;
      return err('system', `Invalid subnet ${c.subnet} : invalid CIDR address: ${c.subnet}`);
    }
    v4.push({
      subnet: c.subnet,
      ...(c.ipRange === '' ? {} : { ipRange: c.ipRange }),
      ...(c.gateway === '' ? {} : { gateway: c.gateway }),
      ...(c.auxAddresses.size === 0 ? {} : { auxAddresses: c.auxAddresses }),
    });
  }
  const scope = req.scope === '' ? {} : { scope: req.scope as Scope };
  const created = ctx.controller.newNetwork(driver, req.name, {
    ...(req.ipamDriver === '' ? {} : { ipamDriver: req.ipamDriver }),
    ipamOptions: Object.fromEntries(req.ipamOptions),
    ipamConfig: v4,
    options: req.options,
    labels: req.labels,
    internal: req.internal,
    attachable: req.attachable,
    ingress: req.ingress,
    enableIPv6: req.enableIPv6,
    ...scope,
  });
  if (!created.ok) return created;
  extras.set(created.value.id, { ipamOptionsNull: false });
  afterCreate(created.value);
  return ok({ id: created.value.id, warning: '' });
}

/** `deleteNetwork`. */
export function removeNetwork(n: Network): Result<void> {
  if (isPreDefinedNetwork(n.name)) return forbidden(`${n.name} is a pre-defined network and cannot be removed`);
  const r = n.delete();
  return r.ok ? r : wrap(r.error, 'error while removing network: ');
}

/** `buildIPAMResources`' `Config`. */
function ipamConfigJson(n: Network): JsonValue[] {
  const asked = n.ipamV4Config.filter(c => (c.subnet ?? '') !== '');
  if (asked.length > 0) {
    return asked.map(c => {
      const o: { [k: string]: JsonValue } = { Subnet: c.subnet ?? '' };
      if ((c.ipRange ?? '') !== '') o['IPRange'] = c.ipRange ?? '';
      if ((c.gateway ?? '') !== '') o['Gateway'] = c.gateway ?? '';
      if (c.auxAddresses !== undefined && c.auxAddresses.size > 0) o['AuxiliaryAddresses'] = goMap([...c.auxAddresses]);
      return o;
    });
  }
  return n.ipamV4Info.map(i => (i.gateway === undefined ? { Subnet: formatCidr(i.pool) } : { Subnet: formatCidr(i.pool), Gateway: formatIpv4(i.gateway.address) }));
}

/** `types.NetworkResource`; `withContainers` for inspect (list leaves them empty). */
export function networkJson(ctx: DaemonContext, n: Network, extras: NetworkExtras | undefined, withContainers: boolean): JsonValue {
  const containers: [string, JsonValue][] = [];
  if (withContainers) {
    for (const ep of n.endpoints()) {
      const sb = ep.sandboxId === undefined ? undefined : ctx.controller.sandboxById(ep.sandboxId);
      const key = sb === undefined ? `ep-${ep.id}` : sb.containerId;
      containers.push([key, { Name: ep.name, EndpointID: ep.id, MacAddress: ep.mac === undefined ? '' : formatMac(ep.mac), IPv4Address: endpointCidr(ep), IPv6Address: '' }]);
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.createdText(),
    Scope: n.scope,
    Driver: n.type,
    EnableIPv6: false,
    IPAM: {
      Driver: n.ipamDriver,
      Options: extras?.ipamOptionsNull === true ? null : goMap(Object.entries(n.ipamOptions)),
      Config: ipamConfigJson(n),
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: n.ingress,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: goMap(containers),
    Options: goMap([...n.options]),
    Labels: goMap([...n.labels]),
  };
}

/** `ConnectToNetwork` (network already found by the router). */
export function connectContainer(ctx: DaemonContext, ctrRef: string, n: Network, conf: EndpointSettings | undefined): Result<void> {
  const found = ctx.containers.get(ctrRef);
  if (!found.ok) return found;
  const c = found.value;
  const settings = conf ?? emptyEndpointSettings();
  if (c.state.status === 'removing') return conflict(`removal of container ${c.id} is already in progress`);
  if (!c.running) return updateNetworkConfig(ctx, c, n, settings, true);
  return connectToNetwork(ctx, c, n.id, settings, true);
}

/** `DisconnectContainerFromNetwork`. */
export function disconnectContainer(ctx: DaemonContext, ctrRef: string, netRef: string, force: boolean): Result<void> {
  const found = ctx.containers.get(ctrRef);
  if (!found.ok) return found;
  const c = found.value;
  const n = ctx.findNetwork(netRef);
  if (!c.running || (!n.ok && force)) {
    if (c.networkSettings.networks.delete(netRef)) return ok(undefined);
    if (n.ok && c.networkSettings.networks.delete(n.value.name)) return ok(undefined);
    return err('system', `container ${c.id} is not connected to the network ${netRef}`);
  }
  if (!n.ok) return n;
  if (isHost(n.value.name) && isHost(c.hostConfig.networkMode)) return err('forbidden', RUNCONFIG.conflictHostNetwork);
  return disconnectFromNetwork(ctx, c, n.value, false);
}

/** `localNetworksPrune`: names of the networks removed. */
export function pruneNetworks(ctx: DaemonContext): string[] {
  const out: string[] = [];
  for (const n of [...ctx.controller.networks()]) {
    if (isPreDefinedNetwork(n.name) || n.endpoints().length > 0) continue;
    if (removeNetwork(n).ok) out.push(n.name);
  }
  return out;
}
