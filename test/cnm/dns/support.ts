// A small lab for embedded-DNS tests: the reference capture host (eth0 192.0.2.2/24 on the
// underlay, default via 192.0.2.1) running a controller with the bridge driver and the embedded
// DNS, an external machine 192.0.2.53 that can run an upstream DNS server, and helpers that do
// what `docker run --network N --name X` does (sandbox, endpoint with the short id alias, join).
import { readFileSync } from 'node:fs';
import { SECOND } from '../../../src/engine/index.js';
import {
  World,
  connectHost,
  installKernel,
  ipv4Of,
  linkSetUp,
  dnsOf,
  runToCompletion,
  socketsOf,
  spawn,
  underlay,
  type Host,
  type NetNamespace,
  type Process,
} from '../../../src/kernel/index.js';
import { defaultPrograms } from '../../../src/kernel/programs/index.js';
import { DNS_TYPE, dnsQuery, formatIpv4, mustParseCidr, mustParseIpv4, type DnsRepr, type Ipv4 } from '../../../src/packet/index.js';
import { Controller, type Endpoint, type Network, type Result, type Sandbox } from '../../../src/cnm/index.js';
import { bridgeDriverFactory } from '../../../src/cnm/drivers/bridge/index.js';
import { FrameReader, embeddedResolverFactory, frameDns, type EmbeddedDnsFactory } from '../../../src/cnm/dns/index.js';

export const REF = '/work/shared/reference/docker-20.10/02-user-bridge';

export interface Lab {
  readonly world: World;
  readonly host: Host;
  /** A machine on the same segment without Docker: 192.0.2.53. */
  readonly external: Host;
  readonly controller: Controller;
  readonly dns: EmbeddedDnsFactory;
}

export function must<T>(r: Result<T> | { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`unexpected failure: ${JSON.stringify((r as { error: unknown }).error)}`);
  return r.value;
}

/** A Linux machine cabled to the `underlay` switch: eth0 with `cidr`, up, and a default route when given. */
export function machine(world: World, name: string, cidr: string, gateway?: string): Host {
  const sw = underlay(world).switches.get('underlay') ?? underlay(world).addSwitch('underlay');
  const host = world.addHost(name);
  installKernel(host);
  const ns = host.rootNs;
  linkSetUp(ns, 'lo');
  const nic = connectHost(sw, host, 'eth0');
  linkSetUp(ns, nic);
  const ip = ipv4Of(ns);
  must(ip.addrAdd(nic, mustParseCidr(cidr), { broadcast: '+' }));
  if (gateway !== undefined) must(ip.routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4(gateway), dev: nic }));
  return host;
}

/** The lab; `nameservers` is the host's resolv.conf (default: the external machine). */
export function dnsLab(options: { readonly seed?: number; readonly nameservers?: readonly string[]; readonly daemonPid?: number } = {}): Lab {
  const world = new World({ seed: options.seed ?? 1 });
  const host = machine(world, 'vm', '192.0.2.2/24', '192.0.2.1');
  host.nameservers = [...(options.nameservers ?? ['192.0.2.53'])];
  const external = machine(world, 'upstream', '192.0.2.53/24');
  const dns = embeddedResolverFactory(options.daemonPid === undefined ? {} : { daemonPid: options.daemonPid });
  const controller = new Controller(host, { resolverFactory: dns });
  controller.registerDriver('bridge', bridgeDriverFactory());
  return { world, host, external, controller, dns };
}

/** `docker network create --subnet ... [--ip-range ...] [--gateway ...] NAME`. */
export function network(lab: Lab, name: string, subnet: string, extra: { ipRange?: string; gateway?: string } = {}): Network {
  return must(lab.controller.newNetwork('bridge', name, { ipamConfig: [{ subnet, ...extra }] }));
}

export interface Container {
  readonly name: string;
  readonly id: string;
  readonly sb: Sandbox;
  readonly ep: Endpoint;
  readonly ns: NetNamespace;
}

/** Containers run so far per lab, for ids that do not depend on other tests. */
const counters = new WeakMap<Lab, number>();

/** `docker run -d --name NAME --network N [--ip IP] [--network-alias A] [--dns D]`. */
export function run(lab: Lab, n: Network, name: string, opts: { ip?: string; aliases?: string[]; dns?: string[]; dnsOptions?: string[]; id?: string } = {}): Container {
  const counter = (counters.get(lab) ?? 0) + 1;
  counters.set(lab, counter);
  const id = opts.id ?? `${counter.toString(16).padStart(4, '0')}${'c0ffee'.repeat(10)}`.slice(0, 64);
  const short = id.slice(0, 12);
  const sb = must(
    lab.controller.newSandbox(id, { label: name, hostname: short, ...(opts.dns === undefined ? {} : { dns: opts.dns }), ...(opts.dnsOptions === undefined ? {} : { dnsOptions: opts.dnsOptions }) }),
  );
  const ep = must(n.createEndpoint(name, { aliases: [...(opts.aliases ?? []), short], ...(opts.ip === undefined ? {} : { ip: mustParseIpv4(opts.ip) }) }));
  must(ep.join(sb));
  return { name, id, sb, ep, ns: sb.ns };
}

/** Runs a program in `ns` to completion, with the container's files. */
export function exec(ns: NetNamespace, argv: readonly string[], files: { resolvConf?: string; hosts?: string } = {}): { code: number; stdout: string; stderr: string; proc: Process } {
  const fs = new Map<string, string>();
  if (files.resolvConf !== undefined) fs.set('/etc/resolv.conf', files.resolvConf);
  if (files.hosts !== undefined) fs.set('/etc/hosts', files.hosts);
  const proc = spawn(defaultPrograms(), { ns, argv, userland: 'busybox', fs });
  const code = runToCompletion(proc, 60 * SECOND);
  return { code, stdout: proc.stdout, stderr: proc.stderr, proc };
}

/** `docker exec C ARGV...`. */
export function dockerExec(c: Container, argv: readonly string[]): { code: number; stdout: string; stderr: string } {
  return exec(c.ns, argv, { resolvConf: c.sb.resolvConf(), hosts: c.sb.hosts() });
}

/** `$ command` -> output and exit code, for every block of a reference capture. */
export function referenceRuns(file: string): Map<string, { out: string; code: number }> {
  const runs = new Map<string, { out: string; code: number }>();
  const text = readFileSync(`${REF}/${file}`, 'utf8');
  for (const block of text.split(/^\$ /m).slice(1)) {
    const nl = block.indexOf('\n');
    const m = /\[exit=(\d+)\]/.exec(block);
    if (m === null) continue;
    runs.set(block.slice(0, nl), { out: block.slice(nl + 1, m.index), code: Number(m[1]) });
  }
  return runs;
}

export function ip(text: string): Ipv4 {
  return mustParseIpv4(text);
}

export interface Asked {
  readonly reply: DnsRepr | undefined;
  /** The reply's source address and port as the client saw them. */
  readonly from: string | undefined;
  readonly errno: string | undefined;
}

/** One query from a fresh UDP socket in `ns`; waits up to `waitSeconds` of virtual time. */
export function ask(ns: NetNamespace, name: string, type: number = DNS_TYPE.A, opts: { server?: string; port?: number; waitSeconds?: number; id?: number; query?: DnsRepr } = {}): Asked {
  const sock = socketsOf(ns).udp();
  let reply: DnsRepr | undefined;
  let from: string | undefined;
  let errno: string | undefined;
  sock.onMessage = d => {
    reply = dnsOf(d.payload);
    from = `${formatIpv4(d.src)}:${d.srcPort}`;
  };
  sock.onError = e => {
    errno = e;
  };
  const c = sock.connect(mustParseIpv4(opts.server ?? '127.0.0.11'), opts.port ?? 53);
  if (!c.ok) return { reply: undefined, from: undefined, errno: c.errno };
  sock.send(opts.query ?? dnsQuery(opts.id ?? 0x1234, name, type));
  const engine = ns.host.world.engine;
  const deadline = engine.now + (opts.waitSeconds ?? 10) * SECOND;
  while (reply === undefined && errno === undefined) {
    const next = engine.nextEventAt();
    if (next === undefined || next > deadline) break;
    engine.step();
  }
  sock.close();
  return { reply, from, errno };
}

/** The same over TCP (RFC 1035 framing). */
export function askTcp(ns: NetNamespace, name: string, type: number = DNS_TYPE.A, server = '127.0.0.11'): DnsRepr | undefined {
  const sock = socketsOf(ns).tcp();
  const reader = new FrameReader();
  let reply: DnsRepr | undefined;
  sock.onConnect = () => sock.send(frameDns(dnsQuery(0x4321, name, type)));
  sock.onData = bytes => {
    for (const m of reader.push(bytes)) if (m.ok) reply = m.message;
  };
  sock.connect(mustParseIpv4(server), 53);
  const engine = ns.host.world.engine;
  const deadline = engine.now + 10 * SECOND;
  while (reply === undefined) {
    const next = engine.nextEventAt();
    if (next === undefined || next > deadline) break;
    engine.step();
  }
  sock.close();
  ns.host.world.engine.runFor(SECOND);
  return reply;
}

/** `A` answers of a reply as dotted quads, in order. */
export function addresses(reply: DnsRepr | undefined): string[] {
  return (reply?.answers ?? []).flatMap(rr => (rr.data.kind === 'A' ? [formatIpv4(rr.data.address)] : []));
}
