/**
 * The network driver contract between libnetwork and its drivers (built-in and remote plugins).
 *
 * Models: libnetwork `driverapi/driverapi.go` (Docker 20.10): `CreateNetwork`, `DeleteNetwork`,
 * `CreateEndpoint`, `DeleteEndpoint`, `Join`, `Leave`, `ProgramExternalConnectivity`,
 * `RevokeExternalConnectivity`, `Type`, `IsBuiltIn`, capabilities `{DataScope,
 * ConnectivityScope}`; `InterfaceInfo` (`SetMacAddress`, `SetIPAddress`) and `JoinInfo`
 * (`InterfaceName().SetNames`, `SetGateway`, `AddStaticRoute`, `DisableGatewayService`).
 * The remote plugin protocol (`NetworkDriver.CreateNetwork` JSON messages) maps onto this
 * interface one to one (see `drivers/remote`).
 * Leaves out: `NetworkAllocate`/`NetworkFree` (swarm manager side), `EventNotify` and
 * `DecodeTableEntry` (gossip tables; added with swarm), `EndpointOperInfo` beyond a plain map.
 */
import type { Cidr, Ipv4, Mac } from '../packet/index.js';
import type { Host, NetNamespace } from '../kernel/index.js';
import type { Result } from './errors.js';

export type Scope = 'local' | 'global' | 'swarm';

export interface DriverCapability {
  readonly dataScope: Scope;
  readonly connectivityScope: Scope;
}

/** `IPAMData`: one address pool of a network as IPAM handed it out. */
export interface IpamData {
  readonly addressSpace: string;
  readonly pool: Cidr;
  /** Gateway with its prefix length (`172.18.0.1/16`). */
  readonly gateway: Cidr | undefined;
  readonly auxAddresses: ReadonlyMap<string, Cidr>;
}

/** What `CreateNetwork` receives (`genericOptions` flattened to the string labels). */
export interface NetworkCreateRequest {
  readonly networkId: string;
  readonly name: string;
  /** `com.docker.network.generic`: driver options (`-o key=value`) and libnetwork labels. */
  readonly options: ReadonlyMap<string, string>;
  readonly internal: boolean;
  readonly ipv4: readonly IpamData[];
  readonly labels: ReadonlyMap<string, string>;
}

/** `InterfaceInfo`: what libnetwork asked for; the driver may fill in a MAC address. */
export interface InterfaceInfo {
  /** Address with prefix (`172.18.0.2/16`). */
  readonly address: Cidr | undefined;
  mac: Mac | undefined;
}

/** `JoinInfo`: what the driver tells libnetwork when an endpoint joins a sandbox. */
export interface JoinInfo {
  /** `InterfaceName().SetNames(src, dstPrefix)`: the device to move and the name prefix inside. */
  srcName: string | undefined;
  dstPrefix: string | undefined;
  gateway: Ipv4 | undefined;
  /**
   * `SetGatewayIPv6`. IPv6 is not programmed anywhere; the core only counts it when it orders a
   * sandbox's endpoints (an IPv6 gateway outranks an IPv4 one, libnetwork `sandbox.go` `Less`).
   */
  gatewayIPv6?: string;
  staticRoutes: { readonly destination: Cidr; readonly nextHop: Ipv4 | undefined }[];
  disableGatewayService: boolean;
}

/** A published port (`-p [ip:]host:container[/proto]`), as libnetwork's `types.PortBinding`. */
export interface PortBinding {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly containerPort: number;
  /** Host address to bind; 0 (`0.0.0.0`) means every address. */
  readonly hostIp: Ipv4;
  /** 0 asks for an ephemeral port; a range is `hostPort..hostPortEnd`. */
  readonly hostPort: number;
  readonly hostPortEnd: number;
}

/** `com.docker.network.endpoint.exposedports` entry. */
export interface ExposedPort {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly port: number;
}

/** The generic options libnetwork passes to a driver's endpoint calls, typed. */
export interface EndpointOptions {
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly ExposedPort[];
  /** `com.docker.network.endpoint.macaddress` when the user gave one. */
  readonly macAddress?: Mac;
  /** Anything else, as string labels. */
  readonly generic: ReadonlyMap<string, string>;
}

/** The world a driver programs: the host's kernel through its API, nothing else. */
export interface DriverContext {
  readonly host: Host;
  /** The host's root namespace, where drivers create bridges, veths and rules. */
  readonly hostNs: NetNamespace;
}

export interface NetworkDriver {
  readonly type: string;
  readonly builtIn: boolean;
  readonly capability: DriverCapability;
  createNetwork(req: NetworkCreateRequest): Result<void>;
  deleteNetwork(networkId: string): Result<void>;
  createEndpoint(networkId: string, endpointId: string, iface: InterfaceInfo, options: EndpointOptions): Result<void>;
  deleteEndpoint(networkId: string, endpointId: string): Result<void>;
  /** `sboxKey` is the sandbox's namespace; the driver prepares the device and fills `info`. */
  join(networkId: string, endpointId: string, sandbox: NetNamespace, info: JoinInfo, options: EndpointOptions): Result<void>;
  leave(networkId: string, endpointId: string): Result<void>;
  /** Port publishing and the like, for the sandbox's gateway endpoint only. */
  programExternalConnectivity(networkId: string, endpointId: string, options: EndpointOptions): Result<void>;
  revokeExternalConnectivity(networkId: string, endpointId: string): Result<void>;
}

/** A driver is built per daemon, with the host it programs. */
export type DriverFactory = (ctx: DriverContext) => NetworkDriver;
