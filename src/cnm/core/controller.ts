/**
 * The network controller of one Docker daemon: its network and IPAM driver registries, its
 * networks and its sandboxes.
 *
 * Models: libnetwork `controller.go` (Docker 20.10): `New` (built-in drivers `host` and `null`,
 * IPAM drivers `default` and `null`; the bridge driver is registered by its module through
 * `registerDriver`), `NewNetwork`, `Networks`, `NetworkByName`, `NetworkByID`, `NewSandbox`,
 * `SandboxByID`, and the daemon's `FindNetwork` (moby@20.10 `daemon/network.go`: full id, then
 * exact name, then unique id prefix). `NewNetwork`, in order:
 *
 *   id taken                 network with name <id> already exists
 *   blank name               invalid name: <name>
 *   driver                   plugin "<type>" not found
 *   scope                    cannot downgrade network scope for <type> networks / Ingress network
 *                            can only be global scope network / cannot create a swarm scoped
 *                            network when swarm is not active
 *   IPAM (not host/null)     per config entry, see network-ipam.ts      (undo: released)
 *   driver CreateNetwork                                                 (undo: DeleteNetwork)
 *   registered
 *
 * `NewSandbox` creates the container's namespace through the kernel (labelled with the container
 * name for traces), writes /etc/hosts and resolv.conf, and updates linked parents' hosts files;
 * host-network sandboxes share the host's root namespace (`OptionUseDefaultSandbox`).
 * Leaves out: plugins (a remote driver registers itself like a built-in), swarm (cluster agent,
 * manager redirection, dynamic networks), config-only networks, IPv6 (refused), the datastore,
 * `Stop` and daemon restart/live-restore.
 */
import { assert, randomId64, shortId } from '../../engine/index.js';
import { ipv4Of, type Host } from '../../kernel/index.js';
import { parseIpv4, type Cidr } from '../../packet/index.js';
import { HOST_NETWORK_TYPE, hostDriverFactory } from '../drivers/host.js';
import { NULL_NETWORK_TYPE, nullDriverFactory } from '../drivers/null.js';
import type { DriverFactory, ExposedPort, NetworkDriver, PortBinding, Scope } from '../driver-api.js';
import { err, forbidden, notFound, ok, type Result } from '../errors.js';
import { Allocator, DEFAULT_IPAM, NULL_IPAM, type Ipam, type IpamOptions } from '../ipam/index.js';
import type { CoreContext } from './context.js';
import type { HostsRecord } from './etc-hosts.js';
import { isValidName, Network } from './network.js';
import { ipamAllocateSteps, type IpamConfig, type IpamInfo } from './network-ipam.js';
import { NullIpam } from './null-ipam.js';
import { NETNS_PREFIX, OslSandbox, sandboxKey } from './osl.js';
import { getNameservers, hostResolvConf } from './resolv-conf.js';
import { RESOLV_CONF_ONLY, type EmbeddedResolverFactory } from './resolver-api.js';
import { SandboxFiles } from './sandbox-files.js';
import { Sandbox } from './sandbox.js';
import { runSteps, StepJournal, type Step } from './steps.js';

/** `RT_TABLE_MAIN`: `netlink.RouteList` reads the main table. */
const MAIN_TABLE = 254;

export interface ControllerOptions {
  /** The embedded DNS (default: resolv.conf is written, nothing answers on 127.0.0.11). */
  readonly resolverFactory?: EmbeddedResolverFactory;
  /** The `default` IPAM driver (default: the classic allocator with the 31 local pools). */
  readonly defaultIpam?: Ipam;
  /** The host's `/etc/resolv.conf` text (default: a `nameserver` line per `host.nameservers`). */
  readonly hostResolvConf?: () => string;
  /** The host's `/etc/hosts` text, copied for host-network containers (default: Debian's). */
  readonly hostEtcHosts?: () => string;
}

/** `NewNetwork` options (`NetworkOptionIpam`, `NetworkOptionGeneric`, ...). */
export interface NetworkCreateOptions {
  readonly id?: string;
  readonly ipamDriver?: string;
  readonly ipamOptions?: IpamOptions;
  readonly ipamConfig?: readonly IpamConfig[];
  readonly options?: ReadonlyMap<string, string>;
  readonly labels?: ReadonlyMap<string, string>;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly ingress?: boolean;
  readonly scope?: Scope;
  readonly enableIPv6?: boolean;
}

/** `NewSandbox` options (`OptionHostname`, `OptionDNS`, `OptionExtraHost`, ...). */
export interface SandboxCreateOptions {
  /** The namespace's label in traces: the container name. */
  readonly label?: string;
  readonly hostname?: string;
  readonly domainname?: string;
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  /** `--add-host` and legacy `--link` records, in that order (see `linkHostsRecord`). */
  readonly extraHosts?: readonly HostsRecord[];
  /** `OptionParentUpdate`: containers linking to this one, whose hosts files get its new address. */
  readonly parentUpdates?: readonly { readonly containerId: string; readonly name: string; readonly ip: string }[];
  /** `OptionUseDefaultSandbox`: the host's own namespace (`--network host`). */
  readonly useDefaultSandbox?: boolean;
  /** `OptionOriginHostsPath("/etc/hosts")`: copy the host's hosts file. */
  readonly originHosts?: boolean;
  /** `OptionOriginResolvConfPath("/etc/resolv.conf")`: copy the host's resolv.conf. */
  readonly originResolvConf?: boolean;
  /** `OptionPortMapping` / `OptionExposedPorts`: what the gateway endpoint's driver publishes. */
  readonly portBindings?: readonly PortBinding[];
  readonly exposedPorts?: readonly ExposedPort[];
  readonly generic?: ReadonlyMap<string, string>;
}

/** Debian's `/etc/hosts` for a host called `hostname`. */
export function debianEtcHosts(hostname: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`;
}

export class Controller {
  readonly host: Host;
  readonly id: string;
  readonly journal: StepJournal;
  readonly #ctx: CoreContext;
  readonly #drivers = new Map<string, NetworkDriver>();
  readonly #ipams = new Map<string, Ipam>();
  readonly #networks: Network[] = [];
  readonly #sandboxes: Sandbox[] = [];
  readonly #hostResolvConf: () => string;
  readonly #hostEtcHosts: () => string;
  #defaultOsl: OslSandbox | undefined;

  constructor(host: Host, options: ControllerOptions = {}) {
    this.host = host;
    const world = host.world;
    const ids = world.rng.stream('ids');
    this.id = randomId64(ids);
    this.journal = new StepJournal(() => world.engine.now);
    this.#hostResolvConf = options.hostResolvConf ?? (() => hostResolvConf(host.nameservers));
    this.#hostEtcHosts = options.hostEtcHosts ?? (() => debianEtcHosts(host.hostname));
    this.#ctx = {
      host,
      journal: this.journal,
      ids,
      resolverFactory: options.resolverFactory ?? RESOLV_CONF_ONLY,
      now: () => world.engine.now,
      driver: type => this.driver(type),
      ipam: name => {
        const ipam = this.#ipams.get(name);
        return ipam === undefined ? notFound(`plugin "${name}" not found`) : ok(ipam);
      },
      hostReserved: () => this.#hostReserved(),
      sandboxById: id => this.sandboxById(id),
      forgetNetwork: n => remove(this.#networks, n),
      forgetSandbox: sb => remove(this.#sandboxes, sb),
    };
    this.registerDriver(HOST_NETWORK_TYPE, hostDriverFactory);
    this.registerDriver(NULL_NETWORK_TYPE, nullDriverFactory);
    this.registerIpamDriver(DEFAULT_IPAM, options.defaultIpam ?? new Allocator());
    this.registerIpamDriver(NULL_IPAM, new NullIpam());
  }

  /** `RegisterDriver`: a driver type becomes available (built-ins at start, plugins later). */
  registerDriver(type: string, factory: DriverFactory): void {
    assert(!this.#drivers.has(type), `driver already registered for type "${type}"`);
    this.#drivers.set(type, factory({ host: this.host, hostNs: this.host.rootNs }));
  }

  registerIpamDriver(name: string, ipam: Ipam): void {
    assert(!this.#ipams.has(name), `ipam driver "${name}" already registered`);
    this.#ipams.set(name, ipam);
  }

  driver(type: string): Result<NetworkDriver> {
    const d = this.#drivers.get(type);
    return d === undefined ? notFound(`plugin "${type}" not found`) : ok(d);
  }

  /** Registered driver types, sorted (`docker info` Plugins.Network). */
  driverTypes(): string[] {
    return [...this.#drivers.keys()].sort();
  }

  /** `NewNetwork(networkType, name, id, options...)`. */
  newNetwork(type: string, name: string, opts: NetworkCreateOptions = {}): Result<Network> {
    if (opts.id !== undefined && opts.id !== '' && this.#networks.some(n => n.id === opts.id)) {
      return forbidden(`network with name ${opts.id} already exists`);
    }
    if (!isValidName(name)) return err('invalidParameter', `invalid name: ${name}`);
    // Drawn where libnetwork draws it, before the driver is looked up.
    const id = opts.id === undefined || opts.id === '' ? randomId64(this.#ctx.ids) : opts.id;
    if (opts.enableIPv6 === true) return err('invalidParameter', 'IPv6 networks are not modelled by cnmsim (--ipv6)');
    const driver = this.driver(type);
    if (!driver.ok) return driver;
    const cap = driver.value.capability;
    if (opts.scope === 'local' && cap.dataScope === 'global') return forbidden(`cannot downgrade network scope for ${type} networks`);
    if (opts.ingress === true && cap.dataScope !== 'global') return forbidden('Ingress network can only be global scope network');
    if (opts.scope === 'swarm') return forbidden('cannot create a swarm scoped network when swarm is not active');
    const scope = opts.scope ?? cap.dataScope;
    const ipamDriver = opts.ipamDriver ?? DEFAULT_IPAM;
    const special = type === 'host' || type === 'null';
    const ipam = this.#ctx.ipam(ipamDriver);
    if (!special && !ipam.ok) return ipam;
    const network = new Network(this.#ctx, driver.value, {
      id,
      name,
      type,
      scope,
      internal: opts.internal ?? false,
      attachable: opts.attachable ?? false,
      ingress: opts.ingress ?? false,
      ipamDriver,
      ipamOptions: opts.ipamOptions ?? {},
      ipamV4Config: opts.ipamConfig ?? [],
      options: opts.options ?? new Map(),
      labels: opts.labels ?? new Map(),
      created: this.#ctx.now(),
    });
    const ipamSteps: Step[] = [];
    if (!special && ipam.ok) {
      const spaces = ipam.value.getDefaultAddressSpaces();
      if (!spaces.ok) return notFound(`failed to get default address space: ${spaces.error.message}`);
      const addressSpace = scope === 'global' ? spaces.value.global : spaces.value.local;
      const request = {
        ipam: ipam.value,
        addressSpace,
        configs: network.ipamV4Config,
        options: network.ipamOptions,
        networkName: name,
        hostReserved: scope === 'global' ? undefined : this.#ctx.hostReserved,
      };
      ipamSteps.push(...ipamAllocateSteps(request, network.ipamV4Info));
    }
    const created = runSteps(this.journal, `create network ${name}`, [
      ...ipamSteps,
      {
        name: 'driver createNetwork',
        apply: () =>
          driver.value.createNetwork({
            networkId: network.id,
            name,
            options: network.options,
            internal: network.internal,
            ipv4: network.ipamV4Info.map(ipamData),
            labels: network.labels,
          }),
        undo: () => void driver.value.deleteNetwork(network.id),
      },
      {
        name: 'register network',
        apply: () => {
          this.#networks.push(network);
          return ok(undefined);
        },
      },
    ]);
    return created.ok ? ok(network) : created;
  }

  /** Every network, in creation order. */
  networks(): readonly Network[] {
    return this.#networks;
  }

  /** `NetworkByName`: exact name. */
  networkByName(name: string): Result<Network> {
    if (name === '') return err('invalidParameter', `invalid name: ${name}`);
    const n = this.#networks.find(x => x.name === name);
    return n === undefined ? notFound(`network ${name} not found`) : ok(n);
  }

  /** `NetworkByID`: exact id. */
  networkById(id: string): Result<Network> {
    if (id === '') return err('invalidParameter', `invalid id: ${id}`);
    const n = this.#networks.find(x => x.id === id);
    return n === undefined ? notFound(`network ${id} not found`) : ok(n);
  }

  /** The daemon's `FindNetwork(term)`: full id, then a unique name, then a unique id prefix. */
  findNetwork(term: string): Result<Network> {
    const byId = this.#networks.find(n => n.id === term);
    if (byId !== undefined) return ok(byId);
    const byName = this.#networks.filter(n => n.name === term);
    const byPrefix = this.#networks.filter(n => n.id.startsWith(term));
    if (byName.length === 1) return ok(byName[0]!);
    if (byName.length > 1) return err('invalidParameter', `network ${term} is ambiguous (${byName.length} matches found on name)`);
    if (byPrefix.length === 1) return ok(byPrefix[0]!);
    if (byPrefix.length > 1) return err('invalidParameter', `network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    return notFound(`network ${term} not found`);
  }

  /** `NewSandbox(containerID, options...)`. */
  newSandbox(containerId: string, opts: SandboxCreateOptions = {}): Result<Sandbox> {
    if (containerId === '') return err('invalidParameter', 'invalid container ID');
    const existing = this.sandboxForContainer(containerId);
    if (existing !== undefined) return forbidden(`container ${containerId} is already present in sandbox ${existing.id}`);
    const id = randomId64(this.#ctx.ids);
    const useDefault = opts.useDefaultSandbox ?? false;
    const files = new SandboxFiles({
      hostname: opts.hostname ?? '',
      domainname: opts.domainname ?? '',
      extraHosts: opts.extraHosts ?? [],
      dns: opts.dns ?? [],
      dnsSearch: opts.dnsSearch ?? [],
      dnsOptions: opts.dnsOptions ?? [],
      originHosts: opts.originHosts === true ? this.#hostEtcHosts() : undefined,
      originResolvConf: opts.originResolvConf === true ? this.#hostResolvConf() : undefined,
    });
    let osl: OslSandbox | undefined;
    let sandbox: Sandbox | undefined;
    const op = `create sandbox ${shortId(id)} (container ${shortId(containerId)})`;
    const created = runSteps(this.journal, op, [
      {
        name: 'build /etc/hosts and resolv.conf',
        apply: () => {
          files.setup(this.#hostResolvConf());
          return ok(undefined);
        },
      },
      {
        name: 'update linked parents',
        apply: () => {
          for (const u of opts.parentUpdates ?? []) this.sandboxForContainer(u.containerId)?.files.updateHostsAddress(u.ip, u.name);
          return ok(undefined);
        },
      },
      {
        name: useDefault ? 'use the host namespace' : 'create network namespace',
        apply: () => {
          osl = useDefault ? this.#defaultSandbox() : OslSandbox.create(this.host, this.#nsLabel(opts.label ?? shortId(containerId), id));
          return ok(undefined);
        },
        undo: () => osl?.destroy(),
      },
      {
        name: 'register sandbox',
        apply: () => {
          const settings = {
            id,
            containerId,
            key: useDefault ? `${NETNS_PREFIX}default` : sandboxKey(id),
            hostname: opts.hostname ?? '',
            useDefaultSandbox: useDefault,
            portBindings: opts.portBindings ?? [],
            exposedPorts: opts.exposedPorts ?? [],
            generic: opts.generic ?? new Map<string, string>(),
          };
          sandbox = new Sandbox(this.#ctx, settings, osl!, files);
          this.#sandboxes.push(sandbox);
          return ok(undefined);
        },
      },
    ]);
    return created.ok ? ok(sandbox!) : created;
  }

  sandboxes(): readonly Sandbox[] {
    return this.#sandboxes;
  }

  sandboxById(id: string): Sandbox | undefined {
    return this.#sandboxes.find(s => s.id === id);
  }

  sandboxForContainer(containerId: string): Sandbox | undefined {
    return this.#sandboxes.find(s => s.containerId === containerId);
  }

  /** The one osl sandbox over the host's namespace (`c.defOsSbox`, made once). */
  #defaultSandbox(): OslSandbox {
    this.#defaultOsl ??= new OslSandbox(this.host, this.host.rootNs, true);
    return this.#defaultOsl;
  }

  /** A trace label for a new namespace: the container name, made unique if a stale one remains. */
  #nsLabel(label: string, id: string): string {
    return this.host.anonymous.has(label) ? `${label}-${shortId(id)}` : label;
  }

  /** `FindAvailableNetwork`'s view of the host: nameservers and IPv4 link-scope routes. */
  #hostReserved(): Cidr[] {
    const out: Cidr[] = [];
    for (const ns of getNameservers(this.#hostResolvConf(), 'ipv4')) {
      const ip = parseIpv4(ns);
      if (ip !== undefined) out.push({ address: ip, prefix: 32 });
    }
    for (const r of ipv4Of(this.host.rootNs).fib.tables.get(MAIN_TABLE)?.all() ?? []) {
      if (r.scope === 'link' && r.type === 'unicast') out.push({ address: r.dst, prefix: r.prefix });
    }
    return out;
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i !== -1) list.splice(i, 1);
}

/** The driver API's view of what IPAM handed out (`IPAMData`). */
function ipamData(info: IpamInfo): { addressSpace: string; pool: Cidr; gateway: Cidr | undefined; auxAddresses: ReadonlyMap<string, Cidr> } {
  return { addressSpace: info.addressSpace, pool: info.pool, gateway: info.gateway, auxAddresses: info.auxAddresses };
}
