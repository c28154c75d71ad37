/**
 * The names a person uses for what the trace records by location and address: `c1` for a
 * container's anonymous namespace, `host1` for a machine's root namespace, `web` for
 * 172.18.0.3, `brnet` for the bridge `br-1a2b3c4d5e6f`. The teaching renderer and the pcap
 * exporter read a lab through this table, so the rendering itself stays pure (records and names
 * in, text out) and can be tested on hand-made records with hand-made names.
 *
 * Models: how `docker network inspect` and `docker inspect` relate the kernel's objects to
 * Docker's (moby 20.10: a user-defined bridge network's device is `br-` + the first 12 hex
 * characters of its id unless `com.docker.network.bridge.name` says otherwise; the default
 * network's device is `docker0`; `Internal` and `com.docker.network.bridge.enable_icc`).
 * Leaves out: overlay and macvlan networks' devices (their names are read from the options when
 * the driver sets `com.docker.network.bridge.name`, and are otherwise unnamed here).
 */
import type { NetNamespace } from '../kernel/index.js';
import { formatIpv4 } from '../packet/index.js';
import type { Lab } from './machines.js';

export type NamespaceKind = 'root' | 'netns' | 'container' | 'underlay';

export interface NamespaceName {
  readonly label: string;
  readonly kind: NamespaceKind;
  readonly host: string;
}

export interface NetworkName {
  readonly host: string;
  readonly name: string;
  /** The Linux bridge behind the network, when it has one. */
  readonly bridge: string | undefined;
  readonly internal: boolean;
  /** `com.docker.network.bridge.enable_icc` (true unless set to false). */
  readonly icc: boolean;
  readonly containers: readonly string[];
}

export interface TraceNames {
  /** By `host/netns` as trace locations spell it. */
  readonly namespaces: ReadonlyMap<string, NamespaceName>;
  /** Dotted address → the container or machine that owns it. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly networks: readonly NetworkName[];
}

export const NO_NAMES: TraceNames = { namespaces: new Map(), addresses: new Map(), networks: [] };

/** The name of `host/netns`, falling back to what the location itself says. */
export function namespaceName(names: TraceNames, host: string, netns: string): NamespaceName {
  const known = names.namespaces.get(`${host}/${netns}`);
  if (known !== undefined) return known;
  if (host === 'underlay') return { label: 'the underlay switch', kind: 'underlay', host };
  if (netns === 'root') return { label: host, kind: 'root', host };
  return { label: netns, kind: 'netns', host };
}

/** The network whose bridge is `device` on `host`. */
export function networkOfBridge(names: TraceNames, host: string, device: string): NetworkName | undefined {
  return names.networks.find((n) => n.host === host && n.bridge === device);
}

/** The networks a container is attached to, in the order they were listed. */
export function networksOf(names: TraceNames, container: string): NetworkName[] {
  return names.networks.filter((n) => n.containers.includes(container));
}

/** Reads every name a lab knows: machines, named namespaces, containers and Docker networks. */
export function labNames(lab: Lab): TraceNames {
  const namespaces = new Map<string, NamespaceName>();
  const addresses = new Map<string, string>();
  const networks: NetworkName[] = [];
  for (const m of lab.machines.values()) {
    const host = m.host.name;
    namespaces.set(`${host}/${m.host.rootNs.name}`, { label: m.name, kind: 'root', host });
    for (const [name, ns] of m.host.named) namespaces.set(`${host}/${ns.name}`, { label: name, kind: 'netns', host });
    addresses.set(formatIpv4(m.address), m.name);
  }
  for (const m of lab.dockerHosts) {
    const docker = m.docker;
    if (docker === undefined) continue;
    const host = m.host.name;
    const attached = new Map<string, string[]>();
    for (const name of docker.containerNames()) {
      const c = docker.containerContext(name);
      if (c === undefined) continue;
      namespaces.set(`${c.ns.host.name}/${c.ns.name}`, { label: name, kind: 'container', host: c.ns.host.name });
      if (c.address !== undefined && !addresses.has(formatIpv4(c.address))) addresses.set(formatIpv4(c.address), name);
      for (const [net, address] of containerNetworks(docker.inspect('container', name))) {
        attached.set(net, [...(attached.get(net) ?? []), name]);
        if (address !== '' && !addresses.has(address)) addresses.set(address, name);
      }
    }
    for (const [net, containers] of attached) networks.push(networkName(host, net, docker.inspect('network', net), containers));
  }
  return { namespaces, addresses, networks };
}

/**
 * The label of a live namespace for capture points: the container's name, the machine's, or
 * `host/netns` for an `ip netns` namespace (its name is only unique within its host).
 */
export function namespaceLabel(names: TraceNames, ns: NetNamespace): NamespaceName {
  const n = namespaceName(names, ns.host.name, ns.name);
  return n.kind === 'netns' ? { ...n, label: `${ns.host.name}/${n.label}` } : n;
}

function first(json: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(json) ? (json as unknown[])[0] : json;
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function field(o: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const v = o?.[key];
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

/** `NetworkSettings.Networks`: network name → the container's address on it. */
function containerNetworks(json: unknown): [string, string][] {
  const nets = field(field(first(json), 'NetworkSettings'), 'Networks');
  if (nets === undefined) return [];
  return Object.keys(nets).map((name) => {
    const address = field(nets, name)?.['IPAddress'];
    return [name, typeof address === 'string' ? address : ''];
  });
}

function networkName(host: string, name: string, json: unknown, containers: string[]): NetworkName {
  const n = first(json);
  const options = field(n, 'Options') ?? {};
  const id = typeof n?.['Id'] === 'string' ? n['Id'] : '';
  const driver = n?.['Driver'];
  const explicit = options['com.docker.network.bridge.name'];
  let bridge: string | undefined;
  if (typeof explicit === 'string') bridge = explicit;
  else if (driver === 'bridge' && id !== '') bridge = `br-${id.slice(0, 12)}`;
  return {
    host,
    name,
    bridge,
    internal: n?.['Internal'] === true,
    icc: options['com.docker.network.bridge.enable_icc'] !== 'false',
    containers,
  };
}
