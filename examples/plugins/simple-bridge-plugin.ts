/**
 * An example network driver plugin: a minimal bridge driver, written only against the plugin
 * protocol and the host's kernel API, the way a third-party plugin process is written against
 * libnetwork's remote API and netlink.
 *
 * Models: what a small `NetworkDriver` plugin (built with docker/go-plugins-helpers) does:
 *
 *   Plugin.Activate                 {"Implements": ["NetworkDriver"]}
 *   NetworkDriver.GetCapabilities   {"Scope": "local", "ConnectivityScope": "local"}
 *   NetworkDriver.CreateNetwork     a Linux bridge `sb-<network id 12>`, the IPv4 gateway on it, up
 *   NetworkDriver.CreateEndpoint    remembers the address; picks a MAC (0a:58 + IPv4, as CNI
 *                                   bridges do) when Docker gave none
 *   NetworkDriver.Join              a veth pair `sbh-<id8>` (on the bridge, up) / `sbc-<id8>`, which
 *                                   Docker moves into the container as eth<n>; the gateway
 *   NetworkDriver.Leave             nothing (the container end comes back to the host)
 *   NetworkDriver.DeleteEndpoint    the veth pair
 *   NetworkDriver.DeleteNetwork     the bridge
 *   NetworkDriver.EndpointOperInfo  {"Value": {"bridge": ..., "veth": ...}}
 *   anything else                   404 (no ProgramExternalConnectivity: no NAT, no published ports)
 *
 * Errors are answered as `{"Err": "..."}` with status 200, which Docker shows as `remote: ...`.
 *
 *   registerPlugin(controller, simpleBridgePlugin())
 *   controller.newNetwork('simple-bridge', 'n1', { ipamConfig: [{ subnet: '10.50.0.0/24' }] })
 *
 * Leaves out: NAT and port publishing, isolation between networks, IPv6, persistence.
 */
import type { Plugin, PluginHost } from '../../src/cnm/drivers/remote/index.js';
import { formatIpv4, formatMac, mustParseCidr, parseCidr, type Cidr } from '../../src/packet/index.js';

interface BridgeNet {
  readonly bridge: string;
  readonly gateway: Cidr | undefined;
}

interface BridgeEndpoint {
  readonly networkId: string;
  readonly hostVeth: string;
  readonly containerVeth: string;
}

type Body = Readonly<Record<string, unknown>>;

function text(body: Body, field: string): string {
  const v = body[field];
  return typeof v === 'string' ? v : '';
}

function object(body: Body, field: string): Body {
  const v = body[field];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Body) : {};
}

/** The MAC a CNI bridge derives from an IPv4 address: 0a:58 and the four address bytes. */
function macFor(address: Cidr): string {
  return formatMac(0x0a58 * 2 ** 32 + address.address);
}

export function simpleBridgePlugin(name = 'simple-bridge'): Plugin {
  const networks = new Map<string, BridgeNet>();
  const endpoints = new Map<string, BridgeEndpoint>();

  const createNetwork = (req: Body, host: PluginHost): unknown => {
    const k = host.kernel;
    const id = text(req, 'NetworkID');
    const v4 = Array.isArray(req['IPv4Data']) ? (req['IPv4Data'] as Body[]) : [];
    const internal = object(req, 'Options')['com.docker.network.internal'] === true;
    const gwText = v4[0] === undefined ? '' : text(v4[0], 'Gateway');
    const gateway = gwText === '' ? undefined : parseCidr(gwText);
    if (gateway !== undefined && 'error' in gateway) return { Err: gateway.error };
    const bridge = `sb-${id.slice(0, 12)}`;
    const added = k.linkAdd(host.hostNs, { type: 'bridge', name: bridge });
    if (!added.ok) return { Err: `creating ${bridge}: ${added.error}` };
    if (gateway !== undefined) {
      const addr = k.ipv4Of(host.hostNs).addrAdd(added.value, gateway, { broadcast: '+' });
      if (!addr.ok) {
        k.linkDel(host.hostNs, added.value);
        return { Err: `address ${gwText} on ${bridge}: ${addr.error}` };
      }
    }
    k.linkSetUp(host.hostNs, added.value);
    networks.set(id, { bridge, gateway: internal ? undefined : gateway });
    return {};
  };

  const createEndpoint = (req: Body): unknown => {
    const nid = text(req, 'NetworkID');
    const eid = text(req, 'EndpointID');
    if (!networks.has(nid)) return { Err: `no network ${nid}` };
    const iface = object(req, 'Interface');
    const address = text(iface, 'Address');
    endpoints.set(eid, { networkId: nid, hostVeth: `sbh-${eid.slice(0, 8)}`, containerVeth: `sbc-${eid.slice(0, 8)}` });
    if (text(iface, 'MacAddress') !== '' || address === '') return {};
    return { Interface: { MacAddress: macFor(mustParseCidr(address)) } };
  };

  const join = (req: Body, host: PluginHost): unknown => {
    const k = host.kernel;
    const ep = endpoints.get(text(req, 'EndpointID'));
    const net = ep === undefined ? undefined : networks.get(ep.networkId);
    if (ep === undefined || net === undefined) return { Err: 'unknown endpoint' };
    if (host.namespace(text(req, 'SandboxKey')) === undefined) return { Err: `no sandbox at ${text(req, 'SandboxKey')}` };
    const pair = k.linkAdd(host.hostNs, { type: 'veth', name: ep.hostVeth, peer: ep.containerVeth });
    if (!pair.ok) return { Err: `veth ${ep.hostVeth}: ${pair.error}` };
    const master = k.linkSetMaster(host.hostNs, ep.hostVeth, net.bridge);
    if (!master.ok) return { Err: `attaching ${ep.hostVeth} to ${net.bridge}: ${master.error}` };
    k.linkSetUp(host.hostNs, ep.hostVeth);
    const answer: Record<string, unknown> = { InterfaceName: { SrcName: ep.containerVeth, DstPrefix: 'eth' } };
    if (net.gateway !== undefined) answer['Gateway'] = formatIpv4(net.gateway.address);
    return answer;
  };

  const deleteEndpoint = (req: Body, host: PluginHost): unknown => {
    const eid = text(req, 'EndpointID');
    const ep = endpoints.get(eid);
    if (ep !== undefined && host.hostNs.device(ep.hostVeth) !== undefined) host.kernel.linkDel(host.hostNs, ep.hostVeth);
    endpoints.delete(eid);
    return {};
  };

  const deleteNetwork = (req: Body, host: PluginHost): unknown => {
    const id = text(req, 'NetworkID');
    const net = networks.get(id);
    if (net === undefined) return { Err: `no network ${id}` };
    if (host.hostNs.device(net.bridge) !== undefined) host.kernel.linkDel(host.hostNs, net.bridge);
    networks.delete(id);
    return {};
  };

  return {
    name,
    handle(method: string, request: unknown, host: PluginHost): unknown {
      const req: Body = typeof request === 'object' && request !== null ? (request as Body) : {};
      switch (method) {
        case 'Plugin.Activate':
          return { Implements: ['NetworkDriver'] };
        case 'NetworkDriver.GetCapabilities':
          return { Scope: 'local', ConnectivityScope: 'local' };
        case 'NetworkDriver.CreateNetwork':
          return createNetwork(req, host);
        case 'NetworkDriver.DeleteNetwork':
          return deleteNetwork(req, host);
        case 'NetworkDriver.CreateEndpoint':
          return createEndpoint(req);
        case 'NetworkDriver.DeleteEndpoint':
          return deleteEndpoint(req, host);
        case 'NetworkDriver.Join':
          return join(req, host);
        case 'NetworkDriver.Leave':
          return {};
        case 'NetworkDriver.EndpointOperInfo': {
          const ep = endpoints.get(text(req, 'EndpointID'));
          return { Value: ep === undefined ? {} : { bridge: networks.get(ep.networkId)?.bridge ?? '', veth: ep.hostVeth } };
        }
        default:
          return undefined;
      }
    },
  };
}
