/**
 * Docker 20.10's `bridge` network driver: Linux bridges, veth pairs, iptables NAT and filtering,
 * inter-network isolation, port publishing through DNAT and docker-proxy, and legacy links, all
 * programmed on the host's simulated kernel through its link, address, sysctl and iptables
 * interfaces.
 *
 * Models: libnetwork `drivers/bridge/bridge.go` (Docker 20.10): `Init`/`configure`,
 * `CreateNetwork` (`ipv4 pool is empty`, `network <id> exists`, the configuration, the conflict
 * check `cannot create network <id> (<br>): conflicts with network <id2> (<br2>): <reason>`, where
 * a conflicting stale default bridge is deleted instead), `DeleteNetwork`, `CreateEndpoint`,
 * `DeleteEndpoint`, `EndpointOperInfo`, `Join` (`SetNames(<veth>, "eth")`, the gateway),
 * `Leave`, `ProgramExternalConnectivity` (ports, conntrack flush, links) and
 * `RevokeExternalConnectivity`; and `firewall_linux.go` `arrangeUserFilterRule`, which the
 * controller calls after every network creation (`arrangeUserFilterRule()` here).
 *
 *   const d = newBridgeDriver({ host, hostNs: host.rootNs }, {}).value
 *   d.createNetwork({ networkId, name: 'bridge', options: {name: docker0, default_bridge: true}, ipv4: [172.17.0.0/16 gw 172.17.0.1/16] })
 *   d.arrangeUserFilterRule()   // the controller's part
 *
 * Leaves out: IPv6 (addresses, ip6tables, the v6 FORWARD policy), firewalld, the store and
 * restore of networks across daemon restarts, `EventNotify`/`DecodeTableEntry`.
 */
import { fail } from '../../../engine/index.js';
import type { NetNamespace } from '../../../kernel/index.js';
import { formatMac } from '../../../packet/index.js';
import type { DriverCapability, DriverContext, DriverFactory, EndpointOptions, ExposedPort, InterfaceInfo, JoinInfo, NetworkCreateRequest, NetworkDriver } from '../../driver-api.js';
import { forbidden, invalidParameter, notFound, ok, system, type Result } from '../../errors.js';
import { newDummyProxy, newProxy, PortAllocator, type ProxySpec, type UserlandProxy } from '../../portmapper/index.js';
import { createEndpointSteps, deleteEndpointLink, type BridgeEndpoint } from './bridge-endpoint.js';
import { BridgeNetwork, createNetworkSteps, deleteNetworkState, type DriverConfig, type DriverState } from './bridge-network.js';
import { IpTables } from './iptables.js';
import { conflictReason, parseNetworkConfiguration } from './labels.js';
import { parseContainerOptions, programLinks, type LinkEndpoint } from './link.js';
import { allocatePorts, clearConntrackEntries, releasePorts, type BoundPort, type PortMappingContext } from './port-mapping.js';
import { arrangeUserFilterRule, ensureBrNetfilter, removeIPChains, setupIPChains, setupIPForwarding, type DriverChains } from './setup-ip-chains.js';
import { newInterface } from './setup-device.js';
import { applySteps, StepLog } from './setup-steps.js';

/** `--ip-forward`, `--iptables`, `--userland-proxy` and what the daemon knows of itself. */
export interface BridgeDriverOptions {
  readonly enableIpForwarding?: boolean;
  readonly enableIpTables?: boolean;
  readonly enableUserlandProxy?: boolean;
  /** `IsV6Listenable()` of the host (true on the reference host). */
  readonly v6Listenable?: boolean;
  /** dockerd's socket owner, for the ports it holds itself when the userland proxy is off. */
  readonly daemonOwner?: { readonly comm: string; readonly pid: number; readonly fd: number };
}

/** `EndpointOperInfo`: what `docker inspect` shows of an endpoint on this driver. */
export interface BridgeEndpointInfo {
  readonly portMapping: readonly BoundPort[];
  readonly exposedPorts: readonly ExposedPort[];
  readonly macAddress: string | undefined;
}

export class BridgeDriver implements NetworkDriver {
  readonly type = 'bridge';
  readonly builtIn = true;
  readonly capability: DriverCapability = { dataScope: 'local', connectivityScope: 'local' };
  readonly ns: NetNamespace;
  readonly config: DriverConfig;
  /** The iptables commands the driver ran (undefined with `--iptables=false`). */
  readonly iptables: IpTables | undefined;
  readonly chains: DriverChains | undefined;
  readonly portAllocator: PortAllocator;
  /** Every step list the driver ran. */
  readonly log = new StepLog();
  /** Docker turned `ip_forward` on (and set FORWARD's policy to DROP). */
  readonly forwardingEnabledByDocker: boolean;
  private readonly networks = new Map<string, BridgeNetwork>();
  private readonly state: DriverState;
  /** Proxies in the order they were made (pid order for docker-proxy), pruned as they stop. */
  private created: UserlandProxy[] = [];

  private constructor(ns: NetNamespace, config: DriverConfig, ipt: IpTables | undefined, chains: DriverChains | undefined, forwarding: boolean, owner: BridgeDriverOptions['daemonOwner']) {
    this.ns = ns;
    this.config = config;
    this.iptables = ipt;
    this.chains = chains;
    this.forwardingEnabledByDocker = forwarding;
    this.portAllocator = PortAllocator.forNamespace(ns);
    const host = ns.host;
    const proxies = (spec: ProxySpec, useProxy: boolean): UserlandProxy => {
      const p = useProxy ? newProxy(host, spec) : newDummyProxy(host, spec, owner);
      this.created.push(p);
      return p;
    };
    this.state = { ns, config, ipt, chains, allocator: this.portAllocator, proxies };
  }

  /** `Init` + `configure`: br_netfilter, chains, forwarding. */
  static init(ctx: DriverContext, options: BridgeDriverOptions = {}): Result<BridgeDriver> {
    const ns = ctx.hostNs;
    const config: DriverConfig = {
      enableIpForwarding: options.enableIpForwarding ?? true,
      enableIpTables: options.enableIpTables ?? true,
      enableUserlandProxy: options.enableUserlandProxy ?? true,
      v6Listenable: options.v6Listenable ?? true,
    };
    let ipt: IpTables | undefined;
    let chains: DriverChains | undefined;
    if (config.enableIpTables) {
      ensureBrNetfilter(ns);
      ipt = new IpTables(ns);
      removeIPChains(ipt);
      const c = setupIPChains(ipt, !config.enableUserlandProxy);
      if (!c.ok) return c;
      chains = c.value;
    }
    let forwarding = false;
    if (config.enableIpForwarding) {
      const f = setupIPForwarding(ns, ipt ?? new IpTables(ns), config.enableIpTables);
      if (!f.ok) return f;
      forwarding = f.value;
    }
    return ok(new BridgeDriver(ns, config, ipt, chains, forwarding, options.daemonOwner));
  }

  /** The controller's `arrangeUserFilterRule` (call after every network creation). */
  arrangeUserFilterRule(): Result<void> {
    return this.iptables === undefined ? ok(undefined) : arrangeUserFilterRule(this.iptables);
  }

  // --- networks ---------------------------------------------------------------------------

  createNetwork(req: NetworkCreateRequest): Result<void> {
    const v4 = req.ipv4[0];
    if (v4 === undefined || v4.pool.prefix === 0) return invalidParameter('ipv4 pool is empty');
    if (this.networks.has(req.networkId)) return forbidden(`network ${req.networkId} exists`);
    const parsed = parseNetworkConfiguration(req);
    if (!parsed.ok) return parsed;
    const config = parsed.value;
    for (const other of [...this.networks.values()]) {
      const reason = conflictReason(other.config, config);
      if (reason === undefined) continue;
      if (other.config.defaultBridge) {
        // A stale default network: libnetwork is the source of truth, it goes.
        this.deleteNetwork(other.id);
        continue;
      }
      return forbidden(`cannot create network ${config.id} (${config.bridgeName}): conflicts with network ${other.id} (${other.config.bridgeName}): ${reason}`);
    }
    const iface = newInterface(this.ns, config);
    if (!iface.ok) return iface;
    const n = new BridgeNetwork(this.state, config, iface.value);
    this.networks.set(n.id, n);
    const r = applySteps(this.log, `create network ${n.id.slice(0, 12)}`, createNetworkSteps(this.state, n));
    if (!r.ok) this.networks.delete(n.id);
    return r;
  }

  deleteNetwork(networkId: string): Result<void> {
    const n = this.networks.get(networkId);
    if (n === undefined) return system(`network ${networkId} does not exist`);
    this.networks.delete(networkId);
    deleteNetworkState(this.state, n);
    return ok(undefined);
  }

  /** The bridge device name of a network (`br-<id12>`, `docker0`). */
  bridgeName(networkId: string): string | undefined {
    return this.networks.get(networkId)?.bridgeName;
  }

  networkIds(): string[] {
    return [...this.networks.keys()];
  }

  // --- endpoints --------------------------------------------------------------------------

  private endpoint(networkId: string, endpointId: string): Result<{ n: BridgeNetwork; ep: BridgeEndpoint }> {
    const n = this.networks.get(networkId);
    if (n === undefined) return notFound(`network not found: ${networkId}`);
    if (endpointId === '') return invalidParameter(`invalid endpoint id: ${endpointId}`);
    const ep = n.endpoints.get(endpointId);
    if (ep === undefined) return notFound(`endpoint not found: ${endpointId}`);
    return ok({ n, ep });
  }

  createEndpoint(networkId: string, endpointId: string, iface: InterfaceInfo, options: EndpointOptions): Result<void> {
    const n = this.networks.get(networkId);
    if (n === undefined) return notFound(`network ${networkId} does not exist`);
    if (endpointId === '') return invalidParameter(`invalid endpoint id: ${endpointId}`);
    if (n.endpoints.has(endpointId)) return forbidden(`Endpoint (${endpointId}) already exists (Only one endpoint allowed)`);
    const ep: BridgeEndpoint = {
      id: endpointId,
      nid: networkId,
      srcName: '',
      hostIfName: '',
      addr: iface.address,
      mac: undefined,
      userMac: options.macAddress,
      containerConfig: undefined,
      extConnConfig: undefined,
      portMapping: [],
    };
    n.endpoints.set(endpointId, ep);
    const r = applySteps(this.log, `create endpoint ${endpointId.slice(0, 12)}`, createEndpointSteps(this.state, n, ep, iface));
    if (!r.ok) n.endpoints.delete(endpointId);
    return r;
  }

  deleteEndpoint(networkId: string, endpointId: string): Result<void> {
    const n = this.networks.get(networkId);
    if (n === undefined) return system(`network ${networkId} does not exist`);
    const ep = n.endpoints.get(endpointId);
    if (ep === undefined) return notFound(`endpoint not found: ${endpointId}`);
    n.endpoints.delete(endpointId);
    deleteEndpointLink(this.ns, ep);
    return ok(undefined);
  }

  /** `EndpointOperInfo`. */
  endpointInfo(networkId: string, endpointId: string): BridgeEndpointInfo | undefined {
    const ep = this.networks.get(networkId)?.endpoints.get(endpointId);
    if (ep === undefined) return undefined;
    return { portMapping: ep.portMapping, exposedPorts: ep.extConnConfig?.exposedPorts ?? [], macAddress: ep.mac === undefined ? undefined : formatMac(ep.mac) };
  }

  join(networkId: string, endpointId: string, _sandbox: NetNamespace, info: JoinInfo, options: EndpointOptions): Result<void> {
    const found = this.endpoint(networkId, endpointId);
    if (!found.ok) return found;
    const { n, ep } = found.value;
    ep.containerConfig = parseContainerOptions(options.generic);
    info.srcName = ep.srcName;
    info.dstPrefix = n.config.containerIfacePrefix === '' ? 'eth' : n.config.containerIfacePrefix;
    // bridge.go Join: an internal network never gives the sandbox a default gateway.
    if (!n.config.internal) info.gateway = n.bridge.gatewayIpv4;
    return ok(undefined);
  }

  leave(networkId: string, endpointId: string): Result<void> {
    const found = this.endpoint(networkId, endpointId);
    if (!found.ok) return found;
    const { n, ep } = found.value;
    if (!n.config.enableIcc && this.chains !== undefined) return programLinks(this.chains.filter, n.bridgeName, linkView(ep), id => linkLookup(n, id), false);
    return ok(undefined);
  }

  // --- external connectivity --------------------------------------------------------------

  private mappingContext(n: BridgeNetwork, operation: string): PortMappingContext {
    return {
      v4: n.portMapper,
      v6: n.portMapperV6,
      defaultBindingIp: n.config.defaultBindingIp,
      userlandProxy: this.config.enableUserlandProxy,
      v6Listenable: this.config.v6Listenable,
      listener: (step, outcome, message) => this.log.record(operation, step, outcome, message),
    };
  }

  programExternalConnectivity(networkId: string, endpointId: string, options: EndpointOptions): Result<void> {
    const found = this.endpoint(networkId, endpointId);
    if (!found.ok) return found;
    const { n, ep } = found.value;
    const operation = `publish ports ${endpointId.slice(0, 12)}`;
    ep.extConnConfig = { portBindings: options.portBindings, exposedPorts: options.exposedPorts };
    const ctx = this.mappingContext(n, operation);
    return applySteps(this.log, operation, [
      {
        name: 'allocate ports',
        apply: () => {
          if (ep.addr === undefined && options.portBindings.length > 0) return system('endpoint has no IPv4 address to publish');
          const r = allocatePorts(ctx, options.portBindings, ep.addr?.address ?? 0);
          if (!r.ok) return r;
          ep.portMapping = r.value;
          return ok(undefined);
        },
        undo: () => {
          releasePorts(ctx, ep.portMapping);
          ep.portMapping = [];
        },
      },
      {
        name: 'clear conntrack entries',
        apply: () => {
          clearConntrackEntries(this.ns, ep.addr?.address, ep.portMapping);
          return ok(undefined);
        },
      },
      n.config.enableIcc || this.chains === undefined
        ? undefined
        : {
            name: 'link containers',
            apply: () => programLinks(this.chains!.filter, n.bridgeName, linkView(ep), id => linkLookup(n, id), true),
          },
    ]);
  }

  revokeExternalConnectivity(networkId: string, endpointId: string): Result<void> {
    const found = this.endpoint(networkId, endpointId);
    if (!found.ok) return found;
    const { n, ep } = found.value;
    // Release failures are only logged upstream.
    releasePorts({ v4: n.portMapper, v6: n.portMapperV6 }, ep.portMapping);
    const released = ep.portMapping;
    ep.portMapping = [];
    clearConntrackEntries(this.ns, ep.addr?.address, released);
    return ok(undefined);
  }

  /** The userland proxies of live mappings, oldest first (`ps` order of the docker-proxy processes). */
  proxies(): UserlandProxy[] {
    const live = new Set<UserlandProxy>();
    for (const n of this.networks.values()) {
      for (const m of [...n.portMapper.mappings(), ...n.portMapperV6.mappings()]) live.add(m.proxy);
    }
    this.created = this.created.filter(p => live.has(p));
    return [...this.created];
  }
}

function linkView(ep: BridgeEndpoint): LinkEndpoint {
  return { addr: ep.addr, containerConfig: ep.containerConfig, exposedPorts: ep.extConnConfig?.exposedPorts };
}

function linkLookup(n: BridgeNetwork, id: string): LinkEndpoint | undefined {
  const ep = n.endpoints.get(id);
  return ep === undefined ? undefined : linkView(ep);
}

/** The driver's init as a `DriverFactory`; an init failure is a broken setup of the simulated host. */
export function bridgeDriverFactory(options: BridgeDriverOptions = {}): DriverFactory {
  return (ctx: DriverContext) => {
    const r = BridgeDriver.init(ctx, options);
    if (!r.ok) fail(`bridge driver init failed: ${r.error.message}`);
    return r.value;
  };
}
