/**
 * Docker 20.10's `macvlan` network driver: containers get a macvlan child of a host interface
 * (or of a VLAN sub-interface the driver creates, or of a private dummy device), so they sit
 * directly on the physical network with their own MAC addresses.
 *
 * Models: libnetwork `drivers/macvlan/macvlan.go` (capability local data / global connectivity,
 * `EndpointOperInfo` empty, no external connectivity), `macvlan_network.go` (`CreateNetwork`,
 * `createNetwork`, `DeleteNetwork`, `parseNetworkOptions`), `macvlan_endpoint.go`
 * (`CreateEndpoint`, `DeleteEndpoint`), `macvlan_joinleave.go` (`Join`, `Leave`):
 *
 *   CreateNetwork   ipv4 pool is empty
 *                   -o macvlan_mode: ''|bridge -> bridge, private, vepa, passthru, else
 *                     requested macvlan mode '<m>' is not valid, 'bridge' mode is the macvlan driver default
 *                   -o parent=lo -> loopback interface is not a valid macvlan parent link
 *                   no parent or --internal -> parent dm-<id12>, internal
 *                   parent taken -> network dm-<id12 of the other network> is already using parent interface <p>
 *                   parent missing -> dummy (internal) or `<iface>.<vid>` VLAN created, remembered
 *   CreateEndpoint  an address is required; MAC 02:42 + IPv4 unless one was given; -p/--expose ignored
 *   Join            macvlan child `veth<7 hex>` on the parent, in the network's mode; the gateway of
 *                   the endpoint's subnet; SetNames(child, "eth")
 *   DeleteEndpoint  the child link goes (if it is back in the host namespace)
 *   DeleteNetwork   the VLAN/dummy parent it created goes, then any endpoint links left
 *
 * No iptables rule is written anywhere on the host: macvlan traffic never crosses the host's IP
 * stack (the kernel's macvlan device keeps parent and children apart).
 * Leaves out: IPv6 subnets and gateways, the datastore (networks do not survive a restart),
 * kernel-version checks (the simulated kernel has macvlan), swarm-scope (config-from) networks.
 */
import { vethName } from '../../../engine/index.js';
import { linkDel, type MacvlanMode, type NetNamespace } from '../../../kernel/index.js';
import { cidrContains, dockerMacForIpv4, type Cidr, type Mac } from '../../../packet/index.js';
import type { DriverCapability, DriverContext, DriverFactory, EndpointOptions, InterfaceInfo, JoinInfo, NetworkCreateRequest, NetworkDriver } from '../../driver-api.js';
import { notFound, ok, system, type Result } from '../../errors.js';
import { createDummyLink, createMacvlan, createVlanLink, delDummyLink, delVlanLink, dummyName, parentExists } from './macvlan-setup.js';

export const MACVLAN_NETWORK_TYPE = 'macvlan';
/** `-o parent=`. */
export const PARENT_OPT = 'parent';
/** `-o macvlan_mode=`. */
export const MODE_OPT = 'macvlan_mode';
const CONTAINER_PREFIX = 'eth';
const GENERATE_ATTEMPTS = 3;

/** The driver's `configuration` of one network. */
export interface MacvlanNetworkConfig {
  readonly id: string;
  readonly parent: string;
  readonly mode: MacvlanMode;
  readonly internal: boolean;
  /** `CreatedSlaveLink`: the driver made the parent and deletes it with the network. */
  readonly createdSlaveLink: boolean;
  readonly ipv4Subnets: readonly { readonly subnet: Cidr; readonly gateway: Cidr | undefined }[];
}

interface MacvlanEndpoint {
  readonly id: string;
  readonly addr: Cidr;
  readonly mac: Mac;
  /** The child link's name in the host namespace (set at Join). */
  srcName: string;
}

interface MacvlanNetwork {
  readonly config: MacvlanNetworkConfig;
  readonly endpoints: Map<string, MacvlanEndpoint>;
}

/** `setMacVlanMode`'s accepted names, `''` meaning bridge. */
function parseMode(text: string): MacvlanMode | undefined {
  switch (text) {
    case '':
    case 'bridge':
      return 'bridge';
    case 'private':
    case 'vepa':
    case 'passthru':
      return text;
    default:
      return undefined;
  }
}

export class MacvlanDriver implements NetworkDriver {
  readonly type = MACVLAN_NETWORK_TYPE;
  readonly builtIn = true;
  readonly capability: DriverCapability = { dataScope: 'local', connectivityScope: 'global' };
  readonly ns: NetNamespace;
  readonly #networks = new Map<string, MacvlanNetwork>();

  constructor(ctx: DriverContext) {
    this.ns = ctx.hostNs;
  }

  /** A network's configuration, for inspection and tests. */
  networkConfig(networkId: string): MacvlanNetworkConfig | undefined {
    return this.#networks.get(networkId)?.config;
  }

  /** `CreateNetwork`. */
  createNetwork(req: NetworkCreateRequest): Result<void> {
    const first = req.ipv4[0];
    if (first === undefined || (first.pool.address === 0 && first.pool.prefix === 0)) return system('ipv4 pool is empty');
    let parent = req.options.get(PARENT_OPT) ?? '';
    let internal = false;
    // parseNetworkOptions: `--internal` empties the parent, whatever -o parent said.
    if (req.internal) {
      internal = true;
      parent = '';
    }
    const modeText = req.options.get(MODE_OPT) ?? '';
    const mode = parseMode(modeText);
    if (mode === undefined) return system(`requested macvlan mode '${modeText}' is not valid, 'bridge' mode is the macvlan driver default`);
    if (parent === 'lo') return system('loopback interface is not a valid macvlan parent link');
    if (parent === '') {
      parent = dummyName(req.networkId);
      internal = true;
    }
    for (const other of this.#networks.values()) {
      if (other.config.parent === parent) return system(`network ${dummyName(other.config.id)} is already using parent interface ${parent}`);
    }
    let createdSlaveLink = false;
    if (!parentExists(this.ns, parent)) {
      const made = internal ? createDummyLink(this.ns, dummyName(req.networkId)) : createVlanLink(this.ns, parent);
      if (!made.ok) return made;
      createdSlaveLink = true;
    }
    const config: MacvlanNetworkConfig = {
      id: req.networkId,
      parent,
      mode,
      internal,
      createdSlaveLink,
      ipv4Subnets: req.ipv4.map(d => ({ subnet: d.pool, gateway: d.gateway })),
    };
    this.#networks.set(req.networkId, { config, endpoints: new Map() });
    return ok(undefined);
  }

  /** `DeleteNetwork`: the parent it created goes (failures are only logged upstream). */
  deleteNetwork(networkId: string): Result<void> {
    const n = this.#networks.get(networkId);
    if (n === undefined) return system(`network id ${networkId} not found`);
    const { parent, createdSlaveLink } = n.config;
    if (createdSlaveLink && parentExists(this.ns, parent)) {
      if (parent === dummyName(networkId)) delDummyLink(this.ns, parent);
      else delVlanLink(this.ns, parent);
    }
    for (const ep of n.endpoints.values()) {
      if (ep.srcName !== '' && this.ns.device(ep.srcName) !== undefined) linkDel(this.ns, ep.srcName);
    }
    this.#networks.delete(networkId);
    return ok(undefined);
  }

  #network(networkId: string): Result<MacvlanNetwork> {
    const n = this.#networks.get(networkId);
    return n === undefined ? notFound(`network id ${networkId} not found`) : ok(n);
  }

  /** `CreateEndpoint`: address required, MAC derived from it; port options are ignored. */
  createEndpoint(networkId: string, endpointId: string, iface: InterfaceInfo, _options: EndpointOptions): Result<void> {
    const n = this.#network(networkId);
    if (!n.ok) return n;
    const addr = iface.address;
    if (addr === undefined) return system('create endpoint was not passed an IP address');
    iface.mac ??= dockerMacForIpv4(addr.address);
    n.value.endpoints.set(endpointId, { id: endpointId, addr, mac: iface.mac, srcName: '' });
    return ok(undefined);
  }

  /** `DeleteEndpoint`: the child link, if it is in the host namespace. */
  deleteEndpoint(networkId: string, endpointId: string): Result<void> {
    const n = this.#networks.get(networkId);
    if (n === undefined) return system(`network id "${networkId}" not found`);
    const ep = n.endpoints.get(endpointId);
    if (ep === undefined) return system(`endpoint id "${endpointId}" not found`);
    if (ep.srcName !== '' && this.ns.device(ep.srcName) !== undefined) linkDel(this.ns, ep.srcName);
    n.endpoints.delete(endpointId);
    return ok(undefined);
  }

  /** `Join`: the macvlan child, the gateway, and the names for the sandbox. */
  join(networkId: string, endpointId: string, _sandbox: NetNamespace, info: JoinInfo, _options: EndpointOptions): Result<void> {
    const n = this.#network(networkId);
    if (!n.ok) return n;
    const ep = n.value.endpoints.get(endpointId);
    if (ep === undefined) return system(`could not find endpoint with id ${endpointId}`);
    const name = this.#generateIfaceName();
    if (!name.ok) return system(`error generating an interface name: ${name.error.message}`);
    const config = n.value.config;
    const created = createMacvlan(this.ns, name.value, config.parent, config.mode);
    if (!created.ok) return created;
    ep.srcName = created.value;
    if (config.ipv4Subnets.length > 0) {
      const s = config.ipv4Subnets.find(x => x.subnet.prefix === ep.addr.prefix && cidrContains(x.subnet, ep.addr.address));
      if (s === undefined) return system(`could not find a valid ipv4 subnet for endpoint ${endpointId}`);
      if (s.gateway === undefined) return system('gatway <nil> is not a valid ipv4 address: invalid CIDR address: <nil>');
      info.gateway = s.gateway.address;
    }
    info.srcName = created.value;
    info.dstPrefix = CONTAINER_PREFIX;
    return ok(undefined);
  }

  /** `Leave`: nothing to undo (the core moves the child back to the host namespace). */
  leave(networkId: string, endpointId: string): Result<void> {
    const n = this.#network(networkId);
    if (!n.ok) return n;
    return n.value.endpoints.has(endpointId) ? ok(undefined) : system(`could not find endpoint with id ${endpointId}`);
  }

  programExternalConnectivity(): Result<void> {
    return ok(undefined);
  }

  revokeExternalConnectivity(): Result<void> {
    return ok(undefined);
  }

  /** `EndpointOperInfo`: an empty map. */
  endpointOperInfo(): Record<string, never> {
    return {};
  }

  /** `netutils.GenerateIfaceName(nlh, "veth", 7)`: a name no host link has, in three attempts. */
  #generateIfaceName(): Result<string> {
    const rng = this.ns.host.world.rng.stream('ids');
    for (let i = 0; i < GENERATE_ATTEMPTS; i++) {
      const name = vethName(rng);
      if (this.ns.device(name) === undefined) return ok(name);
    }
    return system('could not generate interface name');
  }
}

/** The built-in driver factory the daemon registers under `macvlan`. */
export const macvlanDriverFactory: DriverFactory = (ctx: DriverContext) => new MacvlanDriver(ctx);
