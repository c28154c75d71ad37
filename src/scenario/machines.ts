/**
 * Builds the simulated world a scenario describes: one Linux machine per host and external, each
 * with its kernel, an `eth0` cabled to one underlay switch, its address, default route and
 * `/etc/resolv.conf`; Docker hosts also get a Docker daemon, started as the scenario starts.
 *
 * Models: a lab of VMs on one L2 segment (the reference captures' host: eth0 192.0.2.2/24,
 * default via 192.0.2.1, nameserver 10.255.255.53). The machines are configured through the
 * kernel's own API (`addrAdd`, `routeAdd`, `linkSetUp`), the way cloud-init would.
 * Leaves out: routers between several segments (a scenario builds one by hand on an external
 * with `ip` commands), DHCP.
 */
import {
  World,
  connectHost,
  installKernel,
  ipv4Of,
  linkSetUp,
  underlay,
  type FileSystem,
  type Host,
  type NetNamespace,
  type ProgramRegistry,
} from '../kernel/index.js';
import { formatIpv4, mustParseCidr, mustParseIpv4 } from '../packet/index.js';
import type { External, Host as HostSpec, Scenario } from './schema.js';

/** What the runner needs from a Docker daemon (the CNM layer provides it). */
export interface DockerEngine {
  /** The container's execution context for `exec` steps (`docker exec`). */
  containerContext(ref: string): ContainerContext | undefined;
  /** Every container's name (for resolving `from:`/`to:` names). */
  containerNames(): string[];
  /** `docker inspect` JSON of a container or network, or undefined when there is none. */
  inspect(kind: 'container' | 'network', ref: string): unknown;
}

export interface ContainerContext {
  readonly ns: NetNamespace;
  readonly fs: FileSystem;
  readonly hostname: string;
  /** The container's primary IPv4 address (its first network's), for `to: <container>`. */
  readonly address: number | undefined;
}

/** The services a runner plugs into each machine (so this module depends on no daemon). */
export interface MachineServices {
  /** The programs every machine can run (ping, ip, iptables, ...). */
  programs(): ProgramRegistry;
  /** Starts a Docker daemon on `host`, registering the `docker` program in `registry`. */
  startDocker(host: Host, registry: ProgramRegistry): DockerEngine;
}

export interface Machine {
  readonly name: string;
  readonly host: Host;
  readonly docker: DockerEngine | undefined;
  readonly programs: ProgramRegistry;
  /** `/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname` of the machine itself. */
  readonly fs: FileSystem;
  readonly address: number;
}

export interface Lab {
  readonly world: World;
  readonly machines: ReadonlyMap<string, Machine>;
  /** Docker hosts in file order; the first one is the default `on:`. */
  readonly dockerHosts: readonly Machine[];
}

export function buildLab(scenario: Scenario, seed: number | string, services: MachineServices, trace = true): Lab {
  const world = new World({ seed, trace });
  const sw = underlay(world).addSwitch('underlay');
  const machines = new Map<string, Machine>();
  const dockerHosts: Machine[] = [];
  const add = (spec: HostSpec | External, docker: boolean): void => {
    const host = world.addHost(spec.name);
    installKernel(host);
    const nic = connectHost(sw, host, 'eth0');
    const ns = host.rootNs;
    // A booted machine's loopback is up (127.0.0.1/8 appears with it), and its NIC's address has
    // a broadcast, as networkd/ifupdown configure it (`inet 192.0.2.2/24 brd 192.0.2.255`).
    linkSetUp(ns, 'lo');
    linkSetUp(ns, nic);
    const cidr = mustParseCidr(spec.address);
    const ip = ipv4Of(ns);
    must(ip.addrAdd(nic, cidr, { broadcast: '+' }), `address ${spec.address} on ${spec.name}`);
    if (spec.gateway !== undefined) {
      must(ip.routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4(spec.gateway), dev: nic }), `default route of ${spec.name}`);
    }
    host.nameservers = [...(spec.nameservers ?? [])];
    const fs = machineFiles(spec.name, cidr.address, host.nameservers);
    const programs = services.programs();
    const machine: Machine = {
      name: spec.name,
      host,
      docker: docker ? services.startDocker(host, programs) : undefined,
      programs,
      fs,
      address: cidr.address,
    };
    machines.set(spec.name, machine);
    if (docker) dockerHosts.push(machine);
  };
  for (const h of scenario.hosts) add(h, true);
  for (const e of scenario.externals) add(e, false);
  return { world, machines, dockerHosts };
}

function machineFiles(name: string, address: number, nameservers: readonly string[]): FileSystem {
  const a = formatIpv4(address);
  return new Map([
    ['/etc/hostname', `${name}\n`],
    ['/etc/hosts', `127.0.0.1\tlocalhost\n${a}\t${name}\n`],
    ['/etc/resolv.conf', nameservers.map((n) => `nameserver ${n}\n`).join('')],
  ]);
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }, what: string): T {
  if (!r.ok) throw new Error(`setting up ${what}: ${r.error}`);
  return r.value;
}
