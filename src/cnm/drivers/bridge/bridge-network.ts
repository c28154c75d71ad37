/**
 * One bridge network of the driver: its configuration, its bridge device, its endpoints, its two
 * port mappers (IPv4 with the nat chain, IPv6 without rules), the iptables clean functions, and
 * the ordered list of setup steps that creates it.
 *
 * Models: libnetwork `drivers/bridge/bridge.go` (Docker 20.10) `bridgeNetwork`, `createNetwork`
 * (the step table, in this order):
 *
 *   setupDevice, setupDefaultSysctl          (bridge did not exist)
 *   setupDefaultSysctl                        (default bridge)
 *   setupBridgeIPv4
 *   setupVerifyAndReconcile                   (bridge existed)
 *   setupLoopbackAddressesRouting             (userland proxy off)
 *   setupIPTables                             (iptables on)
 *   setupGatewayIPv4                          (DefaultGatewayIPv4 aux address)
 *   setupNetworkIsolationRules                (iptables on)
 *   setupBridgeNetFiltering                   (ICC off, iptables on)
 *   setupDeviceUp
 *
 * and `deleteNetwork` (endpoints' ports released and links deleted, the bridge deleted only when
 * the driver created it and it is not the default bridge, then the clean functions in order).
 * Leaves out: IPv6 steps, firewalld, the store.
 */
import { linkDel, type NetNamespace } from '../../../kernel/index.js';
import { ok, type Result } from '../../errors.js';
import { PortMapper, type PortAllocator, type ProxyFactory } from '../../portmapper/index.js';
import type { BridgeEndpoint } from './bridge-endpoint.js';
import type { IpTables } from './iptables.js';
import type { NetworkConfiguration } from './labels.js';
import { releasePorts } from './port-mapping.js';
import type { DriverChains } from './setup-ip-chains.js';
import { setInc, setupIPTables } from './setup-ip-tables.js';
import {
  setupBridgeIpv4,
  setupBridgeNetFiltering,
  setupDefaultSysctl,
  setupDevice,
  setupDeviceUp,
  setupGatewayIpv4,
  setupLoopbackAddressesRouting,
  setupVerifyAndReconcile,
  type BridgeInterface,
} from './setup-device.js';
import { when, type SetupStep } from './setup-steps.js';

/** The daemon-level settings of the driver (`configuration`). */
export interface DriverConfig {
  readonly enableIpForwarding: boolean;
  readonly enableIpTables: boolean;
  readonly enableUserlandProxy: boolean;
  /** `IsV6Listenable()`: publish `::` twins of unaddressed port bindings. */
  readonly v6Listenable: boolean;
}

/** What a network needs from its driver. */
export interface DriverState {
  readonly ns: NetNamespace;
  readonly config: DriverConfig;
  readonly ipt: IpTables | undefined;
  readonly chains: DriverChains | undefined;
  readonly allocator: PortAllocator;
  readonly proxies: ProxyFactory;
}

export class BridgeNetwork {
  readonly id: string;
  readonly config: NetworkConfiguration;
  readonly bridge: BridgeInterface;
  /** Endpoints by id, in creation order. */
  readonly endpoints = new Map<string, BridgeEndpoint>();
  readonly portMapper: PortMapper;
  readonly portMapperV6: PortMapper;
  /** `iptCleanFuncs`, run in order at deletion. */
  readonly iptCleanFuncs: (() => void)[] = [];
  /** `BridgeIfaceCreator`: the driver created the bridge (and may delete it). */
  readonly createdByDriver: boolean;

  constructor(d: DriverState, config: NetworkConfiguration, bridge: BridgeInterface) {
    this.id = config.id;
    this.config = config;
    this.bridge = bridge;
    this.createdByDriver = bridge.link === undefined;
    this.portMapper = new PortMapper(d.allocator, d.proxies);
    this.portMapperV6 = new PortMapper(d.allocator, d.proxies);
  }

  get bridgeName(): string {
    return this.config.bridgeName;
  }

  /** `isolateNetwork`: the `setINC` pair of this network (none for internal networks). */
  isolate(ipt: IpTables, enable: boolean): Result<void> {
    if (this.config.internal) return ok(undefined);
    return setInc(ipt, this.config.bridgeName, enable);
  }
}

/** Runs the clean functions registered after index `from`, in order, and forgets them. */
function cleanFrom(n: BridgeNetwork, from: number): void {
  for (const clean of n.iptCleanFuncs.splice(from)) clean();
}

/** The `createNetwork` step table for `n`. */
export function createNetworkSteps(d: DriverState, n: BridgeNetwork): (SetupStep | undefined)[] {
  const { ns, config: dc, ipt, chains } = d;
  const config = n.config;
  const exists = !n.createdByDriver;
  const iptables = dc.enableIpTables && ipt !== undefined && chains !== undefined;
  let iptablesFrom = 0;
  let isolationFrom = 0;
  return [
    when(!exists, setupDevice(ns, config, n.bridge)),
    when(!exists, setupDefaultSysctl(ns, config)),
    when(config.defaultBridge, setupDefaultSysctl(ns, config)),
    setupBridgeIpv4(ns, config, n.bridge),
    when(exists && !config.inhibitIpv4, setupVerifyAndReconcile(ns, config, n.bridge)),
    when(!dc.enableUserlandProxy, setupLoopbackAddressesRouting(ns, config)),
    when(iptables, {
      name: 'setupIPTables',
      apply: () => {
        iptablesFrom = n.iptCleanFuncs.length;
        const address = n.bridge.bridgeIpv4 ?? config.addressIpv4!;
        const r = setupIPTables(ipt!, chains!, config, address, !dc.enableUserlandProxy, clean => n.iptCleanFuncs.push(clean));
        if (!r.ok) {
          cleanFrom(n, iptablesFrom);
          return r;
        }
        if (!config.internal) n.portMapper.setIptablesChain(chains!.nat.forwardingFor(config.bridgeName), config.bridgeName);
        return ok(undefined);
      },
      undo: () => {
        n.portMapper.setIptablesChain(undefined, undefined);
        cleanFrom(n, iptablesFrom);
      },
    }),
    when(config.defaultGatewayIpv4 !== undefined, setupGatewayIpv4(config, n.bridge)),
    when(iptables, {
      name: 'setupNetworkIsolationRules',
      apply: () => {
        isolationFrom = n.iptCleanFuncs.length;
        const r = n.isolate(ipt!, true);
        if (!r.ok) {
          n.isolate(ipt!, false);
          return r;
        }
        n.iptCleanFuncs.push(() => void n.isolate(ipt!, false));
        return ok(undefined);
      },
      undo: () => cleanFrom(n, isolationFrom),
    }),
    when(!config.enableIcc && iptables, setupBridgeNetFiltering(ns)),
    setupDeviceUp(ns, config, n.bridge),
  ];
}

/** `deleteNetwork` after the network left the driver's table. */
export function deleteNetworkState(d: DriverState, n: BridgeNetwork): void {
  for (const ep of n.endpoints.values()) {
    releasePorts({ v4: n.portMapper, v6: n.portMapperV6 }, ep.portMapping);
    ep.portMapping = [];
    const link = d.ns.device(ep.srcName);
    if (link !== undefined) linkDel(d.ns, link);
  }
  n.endpoints.clear();
  // Only a bridge the driver created, and never the default one, is deleted.
  if (n.createdByDriver && !n.config.defaultBridge && n.bridge.link !== undefined && n.bridge.link.netns === d.ns) {
    linkDel(d.ns, n.bridge.link);
  }
  cleanFrom(n, 0);
}
