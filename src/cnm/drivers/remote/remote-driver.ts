/**
 * A network driver plugin seen through libnetwork's driver interface: each driver call becomes a
 * `NetworkDriver.<Method>` JSON request to the plugin, and its answer is read back into the
 * interface info and join info the core uses.
 *
 * Models: libnetwork `drivers/remote/driver.go` (Docker 20.10):
 *
 *   getCapabilities   Scope local|global (else `invalid capability: expecting 'local' or 'global', got <s>`),
 *                     ConnectivityScope local|global|'' ('' = the data scope)
 *   CreateNetwork     {NetworkID, Options{enable_ipv6, generic, internal}, IPv4Data, IPv6Data}
 *   CreateEndpoint    {NetworkID, EndpointID, Interface{Address, AddressIPv6, MacAddress}, Options}
 *                     -> Interface: a MAC (or address) the driver picked; one libnetwork already has is
 *                        `driver modified interface MAC address: <why>; rolled back` (DeleteEndpoint)
 *   Join              {NetworkID, EndpointID, SandboxKey, Options}
 *                     -> InterfaceName{SrcName, DstPrefix}, Gateway (`unable to parse Gateway "<g>"`),
 *                        GatewayIPv6, StaticRoutes{Destination, RouteType 0 next hop/1 connected, NextHop},
 *                        DisableGatewayService
 *   Leave, DeleteEndpoint, DeleteNetwork, EndpointOperInfo -> Value
 *   ProgramExternalConnectivity / RevokeExternalConnectivity: a plugin without them (404) is fine
 *
 * Every `Err` comes back as `remote: <Err>` (plugin-client.ts).
 * Leaves out: IPv6 addresses from the driver (accepted and ignored), an IPv4 address from the
 * driver when IPAM gave none (the core keeps IPAM's address; refused here), `DiscoverNew`.
 */
import type { NetNamespace } from '../../../kernel/index.js';
import { formatIpv4, formatMac, isCidr, parseCidr, parseIpv4, parseMac, type Cidr, type Ipv4 } from '../../../packet/index.js';
import type { DriverCapability, EndpointOptions, InterfaceInfo, IpamData, JoinInfo, NetworkCreateRequest, NetworkDriver, Scope } from '../../driver-api.js';
import { ok, system, type Result } from '../../errors.js';
import { NETWORK_DRIVER_ENDPOINT, PROTOCOL_NUMBER, ROUTE_TYPE, type IpamDataJson, type Plugin, type PluginHost } from './api.js';
import { Fields, MISSING_METHOD, callRemote } from './plugin-client.js';

/** Go's `json.Marshal` of a `map[string]...`: keys in sorted order. */
function sortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** `IPAMData.MarshalJSON`. */
export function ipamDataJson(d: IpamData): IpamDataJson {
  return {
    AddressSpace: d.addressSpace,
    ...(d.auxAddresses.size > 0 ? { AuxAddresses: sortedRecord([...d.auxAddresses].map(([k, v]) => [k, formatCidrText(v)] as const)) } : {}),
    ...(d.gateway === undefined ? {} : { Gateway: formatCidrText(d.gateway) }),
    Pool: formatCidrText(d.pool),
  };
}

function formatCidrText(c: Cidr): string {
  return `${formatIpv4(c.address)}/${c.prefix}`;
}

/** The generic options of an endpoint or sandbox as libnetwork passes them (`ep.generic`, `sb.Labels()`). */
export function endpointOptionsJson(o: EndpointOptions): Record<string, unknown> {
  const entries: [string, unknown][] = [...o.generic];
  if (o.exposedPorts.length > 0) entries.push(['com.docker.network.endpoint.exposedports', o.exposedPorts.map(p => ({ Proto: PROTOCOL_NUMBER[p.proto], Port: p.port }))]);
  if (o.portBindings.length > 0) {
    entries.push([
      'com.docker.network.portmap',
      o.portBindings.map(b => ({ Proto: PROTOCOL_NUMBER[b.proto], IP: '', Port: b.containerPort, HostIP: b.hostIp === 0 ? '' : formatIpv4(b.hostIp), HostPort: b.hostPort, HostPortEnd: b.hostPortEnd })),
    ]);
  }
  if (o.macAddress !== undefined) entries.push(['com.docker.network.endpoint.macaddress', formatMac(o.macAddress)]);
  return sortedRecord(entries);
}

/** `getCapabilities`. */
export function parseCapability(body: Readonly<Record<string, unknown>>): Result<DriverCapability> {
  const f = new Fields(`${NETWORK_DRIVER_ENDPOINT}.GetCapabilities`, body);
  const scope = f.string('Scope');
  if (!scope.ok) return scope;
  const conn = f.string('ConnectivityScope');
  if (!conn.ok) return conn;
  const asScope = (s: string): Scope | undefined => (s === 'local' || s === 'global' ? s : undefined);
  const dataScope = asScope(scope.value);
  if (dataScope === undefined) return system(`invalid capability: expecting 'local' or 'global', got ${scope.value}`);
  if (conn.value === '') return ok({ dataScope, connectivityScope: dataScope });
  const connectivityScope = asScope(conn.value);
  if (connectivityScope === undefined) return system(`invalid capability: expecting 'local' or 'global', got ${conn.value}`);
  return ok({ dataScope, connectivityScope });
}

function withRollback(message: string, rollback: Result<void>): Result<never> {
  return system(`${message}; ${rollback.ok ? 'rolled back' : `failed to roll back: ${rollback.error.message}`}`);
}

export class RemoteDriver implements NetworkDriver {
  readonly type: string;
  readonly builtIn = false;
  readonly capability: DriverCapability;
  readonly #plugin: Plugin;
  readonly #host: PluginHost;
  readonly #keyOf: (ns: NetNamespace) => string;

  constructor(plugin: Plugin, host: PluginHost, capability: DriverCapability, keyOf: (ns: NetNamespace) => string) {
    this.type = plugin.name;
    this.#plugin = plugin;
    this.#host = host;
    this.capability = capability;
    this.#keyOf = keyOf;
  }

  /** The sandbox key a namespace is known by (`/var/run/docker/netns/<id12>`). */
  keyOfSandbox(ns: NetNamespace): string {
    return this.#keyOf(ns);
  }

  #call(method: string, request: unknown): Result<Fields> {
    const full = `${NETWORK_DRIVER_ENDPOINT}.${method}`;
    const r = callRemote(this.#plugin, this.#host, full, request);
    return r.ok ? ok(new Fields(full, r.value)) : r;
  }

  #void(method: string, request: unknown): Result<void> {
    const r = this.#call(method, request);
    return r.ok ? ok(undefined) : r;
  }

  createNetwork(req: NetworkCreateRequest): Result<void> {
    const options: Record<string, unknown> = {
      'com.docker.network.enable_ipv6': false,
      'com.docker.network.generic': sortedRecord(req.options),
      ...(req.internal ? { 'com.docker.network.internal': true } : {}),
    };
    return this.#void('CreateNetwork', { NetworkID: req.networkId, Options: options, IPv4Data: req.ipv4.map(ipamDataJson), IPv6Data: null });
  }

  deleteNetwork(networkId: string): Result<void> {
    return this.#void('DeleteNetwork', { NetworkID: networkId });
  }

  createEndpoint(networkId: string, endpointId: string, iface: InterfaceInfo, options: EndpointOptions): Result<void> {
    const request = {
      NetworkID: networkId,
      EndpointID: endpointId,
      Interface: { Address: iface.address === undefined ? '' : formatCidrText(iface.address), AddressIPv6: '', MacAddress: iface.mac === undefined ? '' : formatMac(iface.mac) },
      Options: endpointOptionsJson(options),
    };
    const r = this.#call('CreateEndpoint', request);
    if (!r.ok) return r;
    const inIf = r.value.object('Interface', '*api.EndpointInterface');
    if (!inIf.ok) return inIf;
    if (inIf.value === undefined) return ok(undefined);
    // parseInterface: every field parsed before any is applied.
    const g = r.value.nested(inIf.value);
    const address = g.string('Address');
    const mac = g.string('MacAddress');
    const address6 = g.string('AddressIPv6');
    for (const x of [address, mac, address6]) if (!x.ok) return x;
    let parsedAddress: Cidr | undefined;
    if (address.ok && address.value !== '') {
      const c = parseCidr(address.value);
      if (!isCidr(c)) return system(c.error);
      parsedAddress = c;
    }
    let parsedMac: number | undefined;
    if (mac.ok && mac.value !== '') {
      parsedMac = parseMac(mac.value);
      if (parsedMac === undefined) return system(`address ${mac.value}: invalid MAC address`);
    }
    if (parsedMac !== undefined) {
      if (iface.mac !== undefined) {
        const why = `endpoint interface MAC address present (${formatMac(iface.mac)}). Cannot be modified with ${formatMac(parsedMac)}.`;
        return withRollback(`driver modified interface MAC address: ${why}`, this.deleteEndpoint(networkId, endpointId));
      }
      iface.mac = parsedMac;
    }
    if (parsedAddress !== undefined) {
      const why =
        iface.address === undefined
          ? `cnmsim keeps IPAM's address, so (${formatCidrText(parsedAddress)}) cannot be taken`
          : `endpoint interface IP present (${formatCidrText(iface.address)}). Cannot be modified with (${formatCidrText(parsedAddress)}).`;
      return withRollback(`driver modified interface address: ${why}`, this.deleteEndpoint(networkId, endpointId));
    }
    return ok(undefined);
  }

  deleteEndpoint(networkId: string, endpointId: string): Result<void> {
    return this.#void('DeleteEndpoint', { NetworkID: networkId, EndpointID: endpointId });
  }

  /** `EndpointOperInfo`: the plugin's `Value` map. */
  endpointOperInfo(networkId: string, endpointId: string): Result<Readonly<Record<string, unknown>>> {
    const r = this.#call('EndpointOperInfo', { NetworkID: networkId, EndpointID: endpointId });
    if (!r.ok) return r;
    const v = r.value.object('Value', 'map[string]interface {}');
    return v.ok ? ok(v.value ?? {}) : v;
  }

  join(networkId: string, endpointId: string, sandbox: NetNamespace, info: JoinInfo, options: EndpointOptions): Result<void> {
    const r = this.#call('Join', { NetworkID: networkId, EndpointID: endpointId, SandboxKey: this.#keyOf(sandbox), Options: endpointOptionsJson(options) });
    if (!r.ok) return r;
    const f = r.value;
    const names = f.object('InterfaceName', '*api.InterfaceName');
    if (!names.ok) return names;
    let srcName: string | undefined;
    let dstPrefix: string | undefined;
    if (names.value !== undefined) {
      const n = f.nested(names.value);
      const src = n.string('SrcName');
      const prefix = n.string('DstPrefix');
      if (!src.ok) return src;
      if (!prefix.ok) return prefix;
      srcName = src.value;
      dstPrefix = prefix.value;
    }
    const gw = f.string('Gateway');
    if (!gw.ok) return gw;
    let gateway: Ipv4 | undefined;
    if (gw.value !== '') {
      gateway = parseIpv4(gw.value);
      if (gateway === undefined) return system(`unable to parse Gateway "${gw.value}"`);
    }
    const gw6 = f.string('GatewayIPv6');
    if (!gw6.ok) return gw6;
    if (gw6.value !== '' && !gw6.value.includes(':')) return system(`unable to parse GatewayIPv6 "${gw6.value}"`);
    const routes = this.#staticRoutes(f);
    if (!routes.ok) return routes;
    const disable = f.bool('DisableGatewayService');
    if (!disable.ok) return disable;
    if (srcName !== undefined) info.srcName = srcName;
    if (dstPrefix !== undefined) info.dstPrefix = dstPrefix;
    if (gateway !== undefined) info.gateway = gateway;
    if (gw6.value !== '') info.gatewayIPv6 = gw6.value;
    info.staticRoutes.push(...routes.value);
    if (disable.value) info.disableGatewayService = true;
    return ok(undefined);
  }

  /** `parseStaticRoutes`. */
  #staticRoutes(f: Fields): Result<JoinInfo['staticRoutes']> {
    const list = f.objects('StaticRoutes', '[]api.StaticRoute');
    if (!list.ok) return list;
    const out: JoinInfo['staticRoutes'] = [];
    for (const raw of list.value) {
      const g = f.nested(raw);
      const dst = g.string('Destination');
      const type = g.int('RouteType');
      const hop = g.string('NextHop');
      if (!dst.ok) return dst;
      if (!type.ok) return type;
      if (!hop.ok) return hop;
      const destination = parseCidr(dst.value);
      if (!isCidr(destination)) return system(destination.error);
      let nextHop: Ipv4 | undefined;
      if (hop.value !== '') {
        nextHop = parseIpv4(hop.value);
        if (nextHop === undefined) return system(`failed to parse nexthop IP ${hop.value}`);
      }
      out.push({ destination, nextHop: type.value === ROUTE_TYPE.NEXTHOP ? nextHop : undefined });
    }
    return ok(out);
  }

  leave(networkId: string, endpointId: string): Result<void> {
    return this.#void('Leave', { NetworkID: networkId, EndpointID: endpointId });
  }

  /** Optional for plugins: a 404 counts as success. */
  programExternalConnectivity(networkId: string, endpointId: string, options: EndpointOptions): Result<void> {
    const r = this.#void('ProgramExternalConnectivity', { NetworkID: networkId, EndpointID: endpointId, Options: endpointOptionsJson(options) });
    return !r.ok && r.error.message.includes(MISSING_METHOD) ? ok(undefined) : r;
  }

  revokeExternalConnectivity(networkId: string, endpointId: string): Result<void> {
    const r = this.#void('RevokeExternalConnectivity', { NetworkID: networkId, EndpointID: endpointId });
    return !r.ok && r.error.message.includes(MISSING_METHOD) ? ok(undefined) : r;
  }
}
