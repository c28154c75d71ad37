/**
 * The remote plugin protocols as JSON messages: what Docker sends a network driver plugin and an
 * IPAM plugin, and what they answer, with libnetwork's field names; and what a plugin is here.
 *
 * Models: libnetwork `drivers/remote/api/api.go` (`NetworkDriver.*` requests and responses,
 * `Response.Err`, `EndpointInterface`, `InterfaceName`, `StaticRoute`, `GetCapabilityResponse`
 * with `Scope`/`ConnectivityScope`), `driverapi/ipamdata.go` (`IPAMData` marshalled as strings:
 * `{"AddressSpace","AuxAddresses","Gateway","Pool"}`), `ipams/remote/api/api.go`
 * (`IpamDriver.*`), `types.TransportPort`/`types.PortBinding` JSON (protocol numbers), and the
 * plugin handshake `Plugin.Activate` -> `{"Implements": ["NetworkDriver", "IpamDriver"]}`.
 *
 * A plugin is an in-process object that receives each call as `handle("NetworkDriver.Join",
 * <parsed JSON body>, host)`, the simulated equivalent of an HTTP POST on its unix socket. It
 * answers a JSON value (HTTP 200), an `httpResponse(status, body)` (another status), or
 * `undefined` for a method it does not implement (HTTP 404 `404 page not found`). It programs the
 * host through `PluginHost`: the host's namespaces and the kernel API, what a real plugin reaches
 * through netlink and `/var/run/docker/netns/<id>`.
 * Leaves out: `DiscoverNew`/`DiscoverDelete` notifications, `AllocateNetwork`/`FreeNetwork`
 * (swarm), managed (v2) plugins and their install/enable lifecycle.
 */
import type * as kernel from '../../../kernel/index.js';
import type { Host, NetNamespace } from '../../../kernel/index.js';

export const NETWORK_DRIVER_ENDPOINT = 'NetworkDriver';
export const IPAM_DRIVER_ENDPOINT = 'IpamDriver';
export const ACTIVATE_METHOD = 'Plugin.Activate';

/** What a plugin can reach on the host it runs on. */
export interface PluginHost {
  readonly host: Host;
  /** The host's root namespace (where drivers create bridges, veths, routes). */
  readonly hostNs: NetNamespace;
  /** Opens a `SandboxKey` (`/var/run/docker/netns/<id12>`), as `setns` on that path would. */
  namespace(sandboxKey: string): NetNamespace | undefined;
  /** The kernel API (`linkAdd`, `ipv4Of`, `runIptables`, ...), the plugin's netlink. */
  readonly kernel: typeof kernel;
}

/** A remote plugin, as the daemon talks to it. */
export interface Plugin {
  /** The plugin's name: the driver type in `docker network create -d <name>`. */
  readonly name: string;
  /** One call; see the file header for what the answer means. */
  handle(method: string, request: unknown, host: PluginHost): unknown;
}

/** A non-200 HTTP answer from a plugin. */
export class PluginHttpResponse {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** `w.WriteHeader(status); json.NewEncoder(w).Encode(body)` in a plugin. */
export function httpResponse(status: number, body: unknown): PluginHttpResponse {
  return new PluginHttpResponse(status, body);
}

// --- NetworkDriver -------------------------------------------------------------------------

/** `driverapi.IPAMData` as JSON. */
export interface IpamDataJson {
  readonly AddressSpace: string;
  readonly AuxAddresses?: Readonly<Record<string, string>>;
  readonly Gateway?: string;
  readonly Pool?: string;
}

export interface CreateNetworkRequest {
  readonly NetworkID: string;
  readonly Options: Readonly<Record<string, unknown>>;
  readonly IPv4Data: readonly IpamDataJson[] | null;
  readonly IPv6Data: readonly IpamDataJson[] | null;
}

export interface EndpointInterfaceJson {
  readonly Address: string;
  readonly AddressIPv6: string;
  readonly MacAddress: string;
}

export interface CreateEndpointRequest {
  readonly NetworkID: string;
  readonly EndpointID: string;
  readonly Interface: EndpointInterfaceJson;
  readonly Options: Readonly<Record<string, unknown>>;
}

export interface CreateEndpointResponse {
  readonly Err?: string;
  readonly Interface?: Partial<EndpointInterfaceJson> | null;
}

export interface JoinRequest {
  readonly NetworkID: string;
  readonly EndpointID: string;
  readonly SandboxKey: string;
  readonly Options: Readonly<Record<string, unknown>>;
}

/** `types.NEXTHOP` and `types.CONNECTED`. */
export const ROUTE_TYPE = { NEXTHOP: 0, CONNECTED: 1 } as const;

export interface StaticRouteJson {
  readonly Destination: string;
  readonly RouteType: number;
  readonly NextHop: string;
}

export interface JoinResponse {
  readonly Err?: string;
  readonly InterfaceName?: { readonly SrcName: string; readonly DstPrefix: string; readonly DstName?: string } | null;
  readonly Gateway?: string;
  readonly GatewayIPv6?: string;
  readonly StaticRoutes?: readonly StaticRouteJson[] | null;
  readonly DisableGatewayService?: boolean;
}

/** `DeleteNetwork`, `DeleteEndpoint`, `EndpointOperInfo`, `Leave`, `RevokeExternalConnectivity`. */
export interface NetworkEndpointRequest {
  readonly NetworkID: string;
  readonly EndpointID?: string;
}

export interface ProgramExternalConnectivityRequest {
  readonly NetworkID: string;
  readonly EndpointID: string;
  readonly Options: Readonly<Record<string, unknown>>;
}

export interface GetCapabilityResponse {
  readonly Err?: string;
  readonly Scope?: string;
  readonly ConnectivityScope?: string;
}

// --- IpamDriver -----------------------------------------------------------------------------

export interface IpamCapabilityResponse {
  readonly Err?: string;
  readonly RequiresMACAddress?: boolean;
  readonly RequiresRequestReplay?: boolean;
}

export interface AddressSpacesResponse {
  readonly Err?: string;
  readonly LocalDefaultAddressSpace?: string;
  readonly GlobalDefaultAddressSpace?: string;
}

export interface RequestPoolRequest {
  readonly AddressSpace: string;
  readonly Pool: string;
  readonly SubPool: string;
  readonly Options: Readonly<Record<string, string>>;
  readonly V6: boolean;
}

export interface RequestPoolResponse {
  readonly Err?: string;
  readonly PoolID?: string;
  readonly Pool?: string;
  readonly Data?: Readonly<Record<string, string>> | null;
}

export interface RequestAddressRequest {
  readonly PoolID: string;
  readonly Address: string;
  readonly Options: Readonly<Record<string, string>>;
}

export interface RequestAddressResponse {
  readonly Err?: string;
  readonly Address?: string;
  readonly Data?: Readonly<Record<string, string>> | null;
}

/** `types.Protocol` numbers as `TransportPort`/`PortBinding` marshal them. */
export const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;
