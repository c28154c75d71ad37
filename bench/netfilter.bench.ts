/**
 * Packets through the netfilter FORWARD path with Docker 20.10's rule set: 10 user-defined
 * bridge networks and 50 containers publishing a port each (`docker run -d -p PORT:80 nginx`),
 * built by the real daemon model through the docker CLI, as a scenario would. UDP packets are
 * sent with `ipOutput` from a container namespace and counted by an IP-layer UDP sink, with
 * tracing off and on, on three paths:
 *  - same network: container → peer on its own bridge (bridged; br_netfilter runs FORWARD with
 *    all of Docker's chains: DOCKER-USER, DOCKER-ISOLATION-STAGE-1, the conntrack ACCEPT, and
 *    the `-i br -o br` ACCEPT), delivered;
 *  - external: container → a host outside, through the root namespace's routing, FORWARD and
 *    nat POSTROUTING MASQUERADE (routed), delivered;
 *  - other network: container → container on another network, routed, then DROPPED by
 *    DOCKER-ISOLATION-STAGE-2 (still a full FORWARD traversal; reported as dropped).
 * What is timed: sending PACKETS packets in batches and running the engine after each batch;
 * packets/s is sent packets over wall time, the median of RUNS runs. Neighbours and conntrack
 * entries are warmed up first; each path sends one flow (fixed ports), so after the first packet
 * conntrack finds an established entry and the nat table is not walked again.
 * Leaves out: TCP, the userland proxy, and IPv6.
 */
import { SECOND } from '../src/engine/index.js';
import { startDockerDaemon } from '../src/cnm/index.js';
import { World, installKernel, ipOutput, ipv4Of, linkAdd, linkSetUp, runToCompletion, spawn, type NetNamespace } from '../src/kernel/index.js';
import { mustParseCidr, mustParseIpv4, textPayload, type Ipv4 } from '../src/packet/index.js';
import { machinePrograms } from '../src/scenario/services.js';

const NETWORKS = 10;
const CONTAINERS = 50;
const PACKETS = 10_000;
const BATCH = 1000;
const RUNS = 3;

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface Path {
  readonly from: NetNamespace;
  readonly to: Ipv4;
  readonly delivered: { count: number };
}

interface Bed {
  readonly world: World;
  readonly paths: Record<'same network' | 'external via MASQUERADE' | 'other network', Path>;
}

function sink(ns: NetNamespace): { count: number } {
  const delivered = { count: 0 };
  ipv4Of(ns).l4.set(17, () => {
    delivered.count++;
    return 'delivered';
  });
  return delivered;
}

function bed(trace: boolean): Bed {
  const world = new World({ seed: 1, trace, maxEventsPerRun: 1_000_000_000 });
  const host = world.addHost('host1');
  installKernel(host);
  linkSetUp(host.rootNs, host.rootNs.device('lo')!);
  const programs = machinePrograms();
  const daemon = startDockerDaemon(host, programs);
  const docker = (...args: string[]): void => {
    const proc = spawn(programs, { ns: host.rootNs, argv: ['docker', ...args], userland: 'host' });
    runToCompletion(proc, 60 * SECOND);
    if (proc.exitCode !== 0) throw new Error(`docker ${args.join(' ')}: ${proc.stderr}`);
  };
  for (let n = 0; n < NETWORKS; n++) docker('network', 'create', '--subnet', `10.${n}.0.0/24`, `net${n}`);
  for (let c = 0; c < CONTAINERS; c++) docker('run', '-d', '--name', `c${c}`, '--network', `net${c % NETWORKS}`, '-p', `${20000 + c}:80`, 'nginx');

  // An external host: namespace `ext` behind a veth from the root namespace.
  const root = host.rootNs;
  const ext = host.addAnonymousNamespace('ext');
  const ext0 = must(linkAdd(root, { type: 'veth', name: 'ext0', peer: 'eth0', peerNs: ext }));
  must(linkSetUp(root, ext0));
  must(ipv4Of(root).addrAdd(ext0, mustParseCidr('203.0.113.1/24'), {}));
  const extEth = ext.device('eth0')!;
  must(linkSetUp(ext, extEth));
  must(linkSetUp(ext, ext.device('lo')!));
  must(ipv4Of(ext).addrAdd(extEth, mustParseCidr('203.0.113.2/24'), {}));

  const ctr = (name: string) => daemon.containerContext(name)!;
  const c0 = ctr('c0');
  const peer = ctr(`c${NETWORKS}`);
  const other = ctr('c1');
  const paths: Bed['paths'] = {
    'same network': { from: c0.ns, to: peer.address!, delivered: sink(peer.ns) },
    'external via MASQUERADE': { from: ctr('c2').ns, to: mustParseIpv4('203.0.113.2'), delivered: sink(ext) },
    'other network': { from: ctr('c3').ns, to: other.address!, delivered: sink(other.ns) },
  };
  // Warm up neighbours and conntrack.
  for (const p of Object.values(paths)) send(p, 3);
  world.engine.runFor(SECOND);
  return { world, paths };
}

const data = textPayload('x'.repeat(64));

function send(p: Path, count: number): void {
  for (let i = 0; i < count; i++) ipOutput(p.from, { dst: p.to, protocol: 17, payload: { kind: 'udp', srcPort: 40000, dstPort: 9, payload: data } });
}

function sample(b: Bed, p: Path): { rate: number; delivered: number } {
  const before = p.delivered.count;
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < PACKETS; sent += BATCH) {
    send(p, BATCH);
    b.world.engine.runFor(SECOND);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { rate: PACKETS / seconds, delivered: p.delivered.count - before };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function benchNetfilterForward(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const trace of [false, true]) {
    const b = bed(trace);
    for (const [name, p] of Object.entries(b.paths)) {
      const runs = Array.from({ length: RUNS }, () => sample(b, p));
      const tag = `${name}, tracing ${trace ? 'on' : 'off'}`;
      out[`${tag}: packets/s`] = Math.round(median(runs.map(r => r.rate)));
      const delivered = runs[RUNS - 1]!.delivered;
      out[`${tag}: delivered of ${PACKETS}`] = delivered;
      out[`${tag}: dropped of ${PACKETS}`] = PACKETS - delivered;
    }
  }
  return out;
}
