// The reference capture host in simulation (eth0 192.0.2.2/24, default via 192.0.2.1, as in
// /work/shared/reference/docker-20.10), the bridge driver started on it the way dockerd 20.10
// starts it, and helpers that stand in for the CNM core: network create requests, endpoints with
// IPAM-given addresses, and a minimal sandbox that moves the container end of a veth pair into a
// namespace as libnetwork's osl does (rename to eth0, MAC, address, up, default route).
import { readFileSync } from 'node:fs';
import { randomId64 } from '../../../src/engine/index.js';
import {
  World,
  connectHost,
  installKernel,
  iptablesOf,
  ipv4Of,
  linkSetAddress,
  linkSetName,
  linkSetNs,
  linkSetUp,
  runIptablesSave,
  underlay,
  type Host,
  type NetNamespace,
} from '../../../src/kernel/index.js';
import { mustParseCidr, mustParseIpv4, type Cidr } from '../../../src/packet/index.js';
import type { EndpointOptions, InterfaceInfo, IpamData, JoinInfo, NetworkCreateRequest, PortBinding } from '../../../src/cnm/driver-api.js';
import { BridgeDriver, type BridgeDriverOptions } from '../../../src/cnm/drivers/bridge/index.js';

export const REFERENCE = '/work/shared/reference/docker-20.10';

export interface CaptureHost {
  readonly world: World;
  readonly host: Host;
  readonly ns: NetNamespace;
}

/** The capture VM: `vm` with eth0 192.0.2.2/24 on the underlay and a default route via 192.0.2.1. */
export function captureHost(seed = 1): CaptureHost {
  const world = new World({ seed });
  const sw = underlay(world).addSwitch('underlay');
  const host = world.addHost('vm');
  installKernel(host);
  const ns = host.rootNs;
  linkSetUp(ns, 'lo');
  const nic = connectHost(sw, host, 'eth0');
  linkSetUp(ns, nic);
  const ip = ipv4Of(ns);
  must(ip.addrAdd(nic, mustParseCidr('192.0.2.2/24'), { broadcast: '+' }));
  must(ip.routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4('192.0.2.1'), dev: nic }));
  return { world, host, ns };
}

export function must<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`unexpected failure: ${typeof r.error === 'string' ? r.error : JSON.stringify(r.error)}`);
  return r.value;
}

/** `iptables-save` of `ns` without the `#` comment lines. */
export function iptablesSave(ns: NetNamespace): string {
  return stripComments(runIptablesSave(iptablesOf(ns), []).stdout);
}

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter(l => !l.startsWith('#'))
    .join('\n');
}

/** A captured `iptables-save` block without the `$` line, `[exit=...]` and comment lines. */
export function capturedSave(relPath: string): string {
  const raw = readFileSync(`${REFERENCE}/${relPath}`, 'utf8');
  const lines = raw.split('\n').filter(l => !l.startsWith('$ ') && !l.startsWith('[exit=') && !l.startsWith('#'));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/** A captured text file's command output lines (no `$` and `[exit=...]` lines). */
export function capturedLines(relPath: string): string[] {
  return readFileSync(`${REFERENCE}/${relPath}`, 'utf8')
    .split('\n')
    .filter(l => !l.startsWith('$ ') && !l.startsWith('[exit=') && l !== '');
}

/**
 * dockerd 20.10 starting: the bridge driver's init, the `none` and `host` networks (each followed
 * by the controller's `DOCKER-USER` arrangement), then the default bridge `docker0`.
 */
export function startDaemon(h: CaptureHost, options: BridgeDriverOptions = {}): { driver: BridgeDriver; bridgeId: string } {
  const driver = must(BridgeDriver.init({ host: h.host, hostNs: h.ns }, options));
  must(driver.arrangeUserFilterRule()); // network "none"
  must(driver.arrangeUserFilterRule()); // network "host"
  const bridgeId = newId(h);
  must(
    driver.createNetwork(
      netReq(bridgeId, 'bridge', '172.17.0.0/16', '172.17.0.1/16', {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': 'docker0',
        'com.docker.network.driver.mtu': '1500',
      }),
    ),
  );
  must(driver.arrangeUserFilterRule());
  return { driver, bridgeId };
}

export function newId(h: CaptureHost): string {
  return randomId64(h.world.rng.stream('ids'));
}

export function ipamData(pool: string, gateway: string, aux: Record<string, string> = {}): IpamData {
  return {
    addressSpace: 'LocalDefault',
    pool: mustParseCidr(pool),
    gateway: mustParseCidr(gateway),
    auxAddresses: new Map(Object.entries(aux).map(([k, v]) => [k, mustParseCidr(v)])),
  };
}

export function netReq(id: string, name: string, pool: string, gateway: string, options: Record<string, string> = {}, internal = false): NetworkCreateRequest {
  return { networkId: id, name, options: new Map(Object.entries(options)), internal, ipv4: [ipamData(pool, gateway)], labels: new Map() };
}

/** `docker network create` through the driver, followed by the controller's DOCKER-USER step. */
export function createNetwork(h: CaptureHost, driver: BridgeDriver, pool: string, gateway: string, options: Record<string, string> = {}): string {
  const id = newId(h);
  must(driver.createNetwork(netReq(id, id.slice(0, 6), pool, gateway, options)));
  must(driver.arrangeUserFilterRule());
  return id;
}

export function endpointOptions(portBindings: PortBinding[] = [], generic: Record<string, string> = {}): EndpointOptions {
  return {
    portBindings,
    exposedPorts: portBindings.map(b => ({ proto: b.proto, port: b.containerPort })),
    generic: new Map(Object.entries(generic)),
  };
}

/** `-p [ip:]hostPort:containerPort[/proto]` as the daemon hands it to libnetwork. */
export function publish(spec: string): PortBinding {
  const [ports, proto = 'tcp'] = spec.split('/');
  const parts = ports!.split(':');
  const containerPort = Number(parts.pop());
  const hostPort = parts.length > 0 ? Number(parts.pop()) : 0;
  const hostIp = parts.length > 0 ? mustParseIpv4(parts.pop()!) : 0;
  return { proto: proto as 'tcp' | 'udp', containerPort, hostIp, hostPort, hostPortEnd: 0 };
}

export interface Container {
  readonly eid: string;
  readonly ns: NetNamespace;
  readonly iface: InterfaceInfo;
  readonly info: JoinInfo;
}

/**
 * `docker run` on network `nid` with address `address`: createEndpoint, a sandbox, join, the
 * container end moved in as libnetwork's osl does, then external connectivity.
 */
export function runContainer(h: CaptureHost, driver: BridgeDriver, nid: string, address: string, options: EndpointOptions = endpointOptions()): Container {
  const eid = newId(h);
  const iface: InterfaceInfo = { address: mustParseCidr(address), mac: options.macAddress };
  must(driver.createEndpoint(nid, eid, iface, options));
  const ns = h.host.addAnonymousNamespace(eid.slice(0, 12));
  linkSetUp(ns, 'lo');
  const info: JoinInfo = { srcName: undefined, dstPrefix: undefined, gateway: undefined, staticRoutes: [], disableGatewayService: false };
  must(driver.join(nid, eid, ns, info, options));
  moveIn(h, ns, info, iface);
  must(driver.programExternalConnectivity(nid, eid, options));
  return { eid, ns, iface, info };
}

function moveIn(h: CaptureHost, ns: NetNamespace, info: JoinInfo, iface: InterfaceInfo): void {
  const dev = h.ns.device(info.srcName!)!;
  must(linkSetNs(dev, ns));
  must(linkSetName(ns, dev, `${info.dstPrefix}0`));
  if (iface.mac !== undefined) must(linkSetAddress(ns, dev, iface.mac));
  const address = iface.address as Cidr;
  const ip = ipv4Of(ns);
  must(ip.addrAdd(dev, address, { broadcast: '+' }));
  must(linkSetUp(ns, dev));
  if (info.gateway !== undefined) must(ip.routeAdd({ dst: { address: 0, prefix: 0 }, gateway: info.gateway, dev }));
}

/** `docker rm -f`: revoke, leave (the osl gives the device back), delete the endpoint, sandbox gone. */
export function removeContainer(h: CaptureHost, driver: BridgeDriver, nid: string, c: Container): void {
  must(driver.revokeExternalConnectivity(nid, c.eid));
  must(driver.leave(nid, c.eid));
  h.host.deleteAnonymousNamespace(c.ns.name);
  must(driver.deleteEndpoint(nid, c.eid));
}
