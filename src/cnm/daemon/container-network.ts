/**
 * A container's networking: its sandbox and one endpoint per network, built when it starts or
 * is connected, torn down when it stops or is disconnected.
 *
 * Models: moby 20.10 `daemon/container_operations.go` (`allocateNetwork`, `connectToNetwork`,
 * `updateNetworkConfig`, `validateNetworkingConfig`, `updateNetworkSettings`,
 * `buildSandboxOptions`, `releaseNetwork`, `disconnectFromNetwork`, `getPortMapInfo`) and
 * `daemon/network.go` (`buildCreateEndpointOptions`, `buildJoinOptions`), driving the CNM core:
 *
 *   start:   default network first (it sets up legacy links), then the others sorted by name
 *            (Docker walks a Go map, whose order is random; cnmsim documents this order)
 *   per net: find network -> aliases (+ short id, + hostname on user networks) -> validate
 *            -> CreateEndpoint(name) -> [first: NewSandbox] -> Join -> gateway, ports
 *   stop:    every endpoint's settings lose their operational data; the sandbox is deleted
 *
 * A failure undoes the endpoint it created; the caller releases the whole sandbox when a start
 * fails, so a failed `docker start` leaves nothing behind.
 * Leaves out: swarm attachments (`findAndAttachNetwork`'s cluster path), IPv6 addresses,
 * link-local addresses, service bindings, `--network container:` sharing files.
 */
import { formatCidr, formatIpv4, formatMac, mustParseMac, parseIpv4 } from '../../packet/index.js';
import { linkHostsRecord, type Endpoint, type EndpointCreateOptions, type HostsRecord, type Network, type Sandbox, type SandboxCreateOptions } from '../core/index.js';
import type { ExposedPort, PortBinding } from '../driver-api.js';
import { err, invalidParameter, ok, type Result } from '../errors.js';
import { emptyEndpointSettings, cleanOperationalData, type Container, type EndpointSettings, type PortMapEntry } from './container.js';
import type { DaemonContext } from './context.js';
import { DEFAULT_NETWORK, RUNCONFIG, isContainer, isDefault, isHost, isNone, isPrivate, isUserDefined, networkName, parseLink, portKey, splitPortKey } from './runconfig.js';

/** The sandbox of a container, if it has one. */
export function sandboxOf(ctx: DaemonContext, c: Container): Sandbox | undefined {
  return c.networkSettings.sandboxId === '' ? undefined : ctx.controller.sandboxById(c.networkSettings.sandboxId);
}

/** `updateContainerNetworkSettings` at create: the network the mode names, with the user's config. */
export function initNetworkSettings(ctx: DaemonContext, c: Container, endpoints: ReadonlyMap<string, EndpointSettings>): void {
  const mode = c.hostConfig.networkMode;
  if (isContainer(mode)) return;
  let name = isDefault(mode) ? DEFAULT_NETWORK : networkName(mode);
  if (isUserDefined(mode)) {
    const n = ctx.findNetwork(name);
    if (n.ok) name = n.value.name;
  }
  const nets = c.networkSettings.networks;
  for (const [k, v] of endpoints) nets.set(isDefault(mode) && k === 'default' ? name : k, v);
  if (nets.size === 0) nets.set(name, emptyEndpointSettings());
  if (isUserDefined(mode) && !nets.has(name)) {
    const n = ctx.findNetwork(name);
    if (n.ok && nets.has(n.value.id)) {
      nets.set(name, nets.get(n.value.id)!);
      nets.delete(n.value.id);
    }
  }
}

/** `allocateNetwork`: every configured network joined, default first, then by name. */
export function allocateNetwork(ctx: DaemonContext, c: Container): Result<void> {
  const existing = ctx.controller.sandboxForContainer(c.id);
  if (existing !== undefined) existing.delete();
  if (isContainer(c.hostConfig.networkMode)) return ok(undefined);
  const nets = c.networkSettings.networks;
  const defaultConf = nets.get(DEFAULT_NETWORK);
  if (defaultConf !== undefined) {
    cleanOperationalData(defaultConf);
    const r = connectToNetwork(ctx, c, DEFAULT_NETWORK, defaultConf, false);
    if (!r.ok) return r;
  }
  const others = [...nets.entries()].filter(([n]) => n !== DEFAULT_NETWORK).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, conf] of others) {
    cleanOperationalData(conf);
    const r = connectToNetwork(ctx, c, name, conf, false);
    if (!r.ok) return r;
  }
  if (others.length === 0 && sandboxOf(ctx, c) === undefined) {
    const sb = ctx.controller.newSandbox(c.id, buildSandboxOptions(ctx, c));
    if (!sb.ok) return sb;
    c.networkSettings.sandboxId = sb.value.id;
    c.networkSettings.sandboxKey = sb.value.key;
  }
  return ok(undefined);
}

/** `updateNetworkConfig`: implicit aliases and validation (and the settings, when asked). */
export function updateNetworkConfig(ctx: DaemonContext, c: Container, n: Network, conf: EndpointSettings, updateSettings: boolean): Result<void> {
  if (isUserDefined(n.name)) {
    const aliases = conf.aliases ?? [];
    const short = c.id.slice(0, 12);
    if (!aliases.includes(short)) aliases.push(short);
    if (c.name !== c.config.hostname && !aliases.includes(c.config.hostname)) aliases.push(c.config.hostname);
    conf.aliases = aliases;
  }
  const v = validateNetworkingConfig(n, conf);
  if (!v.ok) return v;
  return updateSettings ? updateNetworkSettings(ctx, c, n, conf) : ok(undefined);
}

function hasUserIp(conf: EndpointSettings): boolean {
  return conf.ipamConfig !== null && (conf.ipamConfig.ipv4Address !== '' || conf.ipamConfig.ipv6Address !== '');
}

/** `validateNetworkingConfig`. */
function validateNetworkingConfig(n: Network, conf: EndpointSettings): Result<void> {
  if (!isUserDefined(n.name)) {
    if (hasUserIp(conf)) return invalidParameter(RUNCONFIG.unsupportedNetworkAndIp);
    if ((conf.aliases ?? []).length > 0) return invalidParameter(RUNCONFIG.unsupportedNetworkAndAlias);
  }
  if (!hasUserIp(conf)) return ok(undefined);
  if (!n.ipamV4Config.some(cfg => (cfg.subnet ?? '') !== '')) return invalidParameter(RUNCONFIG.unsupportedNetworkNoSubnetAndIp);
  return ok(undefined);
}

/** `updateNetworkSettings` (network connect on a container): the checks and the map entry. */
function updateNetworkSettings(ctx: DaemonContext, c: Container, n: Network, conf: EndpointSettings): Result<void> {
  if (!isHost(c.hostConfig.networkMode) && n.type === 'host') return invalidParameter(RUNCONFIG.conflictHostNetwork);
  for (const [name, es] of c.networkSettings.networks) {
    const sn = ctx.findNetwork(es.networkId !== '' ? es.networkId : name);
    if (!sn.ok) continue;
    if (sn.value.name === n.name) return ok(undefined);
    if (!isPrivate(sn.value.type) || !isPrivate(n.type)) return err('forbidden', RUNCONFIG.conflictSharedNetwork);
    if (isNone(sn.value.name) || isNone(n.name)) return err('forbidden', RUNCONFIG.conflictNoNetwork);
  }
  c.networkSettings.networks.set(n.name, conf);
  return ok(undefined);
}

/** `connectToNetwork`. */
export function connectToNetwork(ctx: DaemonContext, c: Container, idOrName: string, conf: EndpointSettings, updateSettings: boolean): Result<void> {
  if (isContainer(c.hostConfig.networkMode)) return err('forbidden', RUNCONFIG.conflictSharedNetwork);
  const found = ctx.findNetwork(idOrName);
  if (!found.ok) return found;
  const n = found.value;
  const updated = updateNetworkConfig(ctx, c, n, conf, updateSettings);
  if (!updated.ok) return updated;
  let sb = sandboxOf(ctx, c);
  const options = buildCreateEndpointOptions(c, n, conf, sb);
  if (!options.ok) return options;
  const created = n.createEndpoint(c.shortName, options.value);
  if (!created.ok) return created;
  const ep = created.value;
  const undo = (r: Result<void>): Result<void> => {
    ep.delete(false);
    return r;
  };
  c.networkSettings.networks.set(n.name, conf);
  if (n.id !== n.name) c.networkSettings.networks.delete(n.id);
  conf.networkId = n.id;
  conf.endpointId = ep.id;
  conf.macAddress = ep.mac === undefined ? '' : formatMac(ep.mac);
  conf.ipAddress = ep.address === undefined ? '' : formatIpv4(ep.address.address);
  conf.ipPrefixLen = ep.address === undefined ? 0 : ep.address.prefix;
  if (sb === undefined) {
    const made = ctx.controller.newSandbox(c.id, buildSandboxOptions(ctx, c));
    if (!made.ok) return undo(made);
    sb = made.value;
    c.networkSettings.sandboxId = sb.id;
    c.networkSettings.sandboxKey = sb.key;
  }
  const joined = ep.join(sb);
  if (!joined.ok) return undo(joined);
  const gw = ep.gateway();
  conf.gateway = gw === undefined ? '' : formatIpv4(gw);
  c.networkSettings.ports = portMapInfo(ctx, sb);
  return ok(undefined);
}

/** `buildCreateEndpointOptions`. */
function buildCreateEndpointOptions(c: Container, n: Network, conf: EndpointSettings, sb: Sandbox | undefined): Result<EndpointCreateOptions> {
  const out: { -readonly [K in keyof EndpointCreateOptions]: EndpointCreateOptions[K] } = {};
  if (n.name === DEFAULT_NETWORK) out.anonymous = true;
  const ipv4 = conf.ipamConfig?.ipv4Address ?? '';
  if (ipv4 !== '') {
    const ip = parseIpv4(ipv4);
    if (ip === undefined) return err('system', `Invalid IPv4 address: ${ipv4})`);
    out.ip = ip;
  }
  out.aliases = [...(conf.aliases ?? [])];
  const links = new Map<string, string>();
  for (const l of conf.links ?? []) {
    const p = parseLink(l);
    if (typeof p === 'string') return invalidParameter(p);
    links.set(p.alias, p.name);
  }
  if (links.size > 0) out.linkAliases = links;
  if (conf.driverOpts !== null) out.generic = new Map(Object.entries(conf.driverOpts));
  if (!isUserDefined(n.name)) out.disableResolution = true;
  const mode = c.hostConfig.networkMode;
  if ((n.name === networkName(mode) || (n.name === DEFAULT_NETWORK && isDefault(mode))) && c.config.macAddress !== '') out.macAddress = mustParseMac(c.config.macAddress);
  if (n.internal || (sb !== undefined && sb.labels().portBindings.length > 0)) return ok(out);
  const { bindings, exposed } = portSpecs(c);
  out.portBindings = bindings;
  out.exposedPorts = exposed;
  return ok(out);
}

/** The exposed ports (sorted by number, then protocol) and the bindings to publish. */
export function portSpecs(c: Container): { bindings: PortBinding[]; exposed: ExposedPort[] } {
  const keys = [...new Set([...c.config.exposedPorts, ...c.hostConfig.portBindings.keys()])].map(splitPortKey);
  keys.sort((a, b) => a.port - b.port || (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0));
  const bindings: PortBinding[] = [];
  const exposed: ExposedPort[] = [];
  for (const k of keys) {
    exposed.push({ proto: k.proto, port: k.port });
    const list = c.hostConfig.portBindings.get(portKey(k.port, k.proto)) ?? [];
    for (const b of list) {
      const [start = '0', end = start] = b.hostPort === '' ? ['0'] : b.hostPort.split('-');
      bindings.push({ proto: k.proto, containerPort: k.port, hostIp: parseIpv4(b.hostIp) ?? 0, hostPort: Number(start), hostPortEnd: Number(end) });
    }
    if (c.hostConfig.publishAllPorts && list.length === 0) bindings.push({ proto: k.proto, containerPort: k.port, hostIp: 0, hostPort: 0, hostPortEnd: 0 });
  }
  return { bindings, exposed };
}

/** `buildSandboxOptions`. */
function buildSandboxOptions(ctx: DaemonContext, c: Container): SandboxCreateOptions {
  const hc = c.hostConfig;
  const host = isHost(hc.networkMode);
  const extraHosts: HostsRecord[] = [];
  for (const eh of hc.extraHosts ?? []) {
    const i = eh.indexOf(':');
    const ip = eh.slice(i + 1) === 'host-gateway' ? (ctx.hostGatewayIp() ?? '') : eh.slice(i + 1);
    extraHosts.push({ hosts: eh.slice(0, i), ip });
  }
  const generic = new Map<string, string>();
  const parentUpdates: { containerId: string; name: string; ip: string }[] = [];
  const bridge = c.networkSettings.networks.get(DEFAULT_NETWORK);
  if (bridge !== undefined && bridge.endpointId !== '') {
    const children: string[] = [];
    for (const l of hc.links ?? []) {
      const p = parseLink(l);
      if (typeof p === 'string') continue;
      const child = ctx.containers.get(p.name);
      if (!child.ok) continue;
      const cb = child.value.networkSettings.networks.get(DEFAULT_NETWORK);
      extraHosts.push(linkHostsRecord(p.alias, child.value.config.hostname, child.value.shortName, cb?.ipAddress ?? ''));
      if (cb !== undefined && cb.endpointId !== '') children.push(cb.endpointId);
    }
    const parents: string[] = [];
    for (const parent of ctx.containers.all()) {
      for (const l of parent.hostConfig.links ?? []) {
        const p = parseLink(l);
        if (typeof p === 'string' || !isPrivate(hc.networkMode)) continue;
        const target = ctx.containers.get(p.name);
        if (!target.ok || target.value !== c) continue;
        parentUpdates.push({ containerId: parent.id, name: p.alias, ip: bridge.ipAddress });
        parents.push(bridge.endpointId);
      }
    }
    generic.set('ParentEndpoints', parents.join(','));
    generic.set('ChildEndpoints', children.join(','));
  }
  const { bindings, exposed } = portSpecs(c);
  return {
    label: c.shortName,
    hostname: c.config.hostname,
    domainname: c.config.domainname,
    useDefaultSandbox: host,
    originHosts: host && (hc.extraHosts ?? []).length === 0,
    originResolvConf: host && hc.dns.length === 0 && hc.dnsSearch.length === 0 && hc.dnsOptions.length === 0,
    dns: hc.dns,
    dnsSearch: hc.dnsSearch,
    dnsOptions: hc.dnsOptions,
    extraHosts,
    parentUpdates,
    portBindings: bindings,
    exposedPorts: exposed,
    generic,
  };
}

/** `getPortMapInfo`: the first endpoint (in sandbox order) that reports ports. */
export function portMapInfo(ctx: DaemonContext, sb: Sandbox | undefined): Map<string, PortMapEntry[] | null> {
  for (const ep of sb?.endpoints() ?? []) {
    const pm = endpointPortMap(ctx, ep);
    if (pm.size > 0) return pm;
  }
  return new Map();
}

function endpointPortMap(ctx: DaemonContext, ep: Endpoint): Map<string, PortMapEntry[] | null> {
  const pm = new Map<string, PortMapEntry[] | null>();
  const info = ctx.endpointPorts(ep);
  if (info === undefined) return pm;
  for (const e of info.exposed) pm.set(portKey(e.port, e.proto), null);
  for (const b of info.mapping) {
    const key = portKey(b.containerPort, b.proto);
    pm.set(key, [...(pm.get(key) ?? []), { hostIp: b.hostIp, hostPort: String(b.hostPort) }]);
  }
  return pm;
}

/** `releaseNetwork`: operational data cleaned, sandbox (and its endpoints) deleted. */
export function releaseNetwork(ctx: DaemonContext, c: Container): void {
  if (isContainer(c.hostConfig.networkMode)) return;
  const sid = c.networkSettings.sandboxId;
  c.networkSettings.ports = new Map();
  if (sid === '') return;
  for (const es of c.networkSettings.networks.values()) cleanOperationalData(es);
  ctx.controller.sandboxById(sid)?.delete();
  c.networkSettings.sandboxId = '';
  c.networkSettings.sandboxKey = '';
}

/** `disconnectFromNetwork` of a running container. */
export function disconnectFromNetwork(ctx: DaemonContext, c: Container, n: Network, force: boolean): Result<void> {
  const sb = sandboxOf(ctx, c);
  const ep = n.endpoints().find(e => e.sandboxId !== undefined && e.sandboxId === sb?.id);
  if (ep === undefined && force) {
    const byName = n.endpointByName(c.shortName);
    return byName.ok ? byName.value.delete(true) : byName;
  }
  if (ep === undefined || sb === undefined) return err('forbidden', `container ${c.id} is not connected to network ${n.name}`);
  const left = ep.leave(sb);
  if (!left.ok) return err('system', `container ${c.id} failed to leave network ${n.name}: ${left.error.message}`);
  c.networkSettings.ports = portMapInfo(ctx, sb);
  const deleted = ep.delete(false);
  if (!deleted.ok) return err('system', `endpoint delete failed for container ${c.id} on network ${n.name}: ${deleted.error.message}`);
  c.networkSettings.networks.delete(n.name);
  return ok(undefined);
}

/** The address a container is reached at: eth0's (its first network's) IPv4 address. */
export function primaryAddress(ctx: DaemonContext, c: Container): number | undefined {
  const sb = sandboxOf(ctx, c);
  const eps = [...(sb?.endpoints() ?? [])].filter(e => e.iface !== undefined && e.address !== undefined);
  eps.sort((a, b) => Number(a.iface!.dstName.slice(3)) - Number(b.iface!.dstName.slice(3)));
  const first = eps[0];
  return first?.address === undefined ? undefined : first.address.address;
}

/** `IPv4Address` as network inspect prints an endpoint's (`172.17.0.2/16`). */
export function endpointCidr(ep: Endpoint): string {
  return ep.address === undefined ? '' : formatCidr(ep.address);
}
