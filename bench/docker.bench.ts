/**
 * Docker at scale on one host: create 100 user-defined bridge networks and 1,000 containers
 * (nginx, each publishing a port), then walk 100,000 container-to-container UDP packets between
 * pairs of containers on the same network, through the real path: the container's routing and
 * neighbour table, veth, the Linux bridge with br_netfilter (Docker's FORWARD chains, conntrack),
 * veth, the peer's IPv4 input.
 *
 * Phases are timed separately (wall time of this process) and the heap in use is reported after
 * the containers exist. Networks use explicit /24 subnets (10.N.0.0/24): the default pools hold
 * only 30 bridge networks. Containers are created with the docker CLI (`docker network create`,
 * `docker run -d -p`), as a scenario would. Neighbour entries are resolved by one warm-up packet
 * per pair before timing the walk.
 * Leaves out: tracing (off here; the kernel benchmark measures its cost).
 */
import { SECOND } from '../src/engine/index.js';
import { startDockerDaemon } from '../src/cnm/index.js';
import { World, installKernel, ipOutput, ipv4Of, linkSetUp, runToCompletion, spawn, type NetNamespace } from '../src/kernel/index.js';
import { textPayload } from '../src/packet/index.js';
import { machinePrograms } from '../src/scenario/services.js';

// The sizes; CNMSIM_DOCKER_SCALE=0.1 runs a tenth of them (for a quick look).
const SCALE = Number(process.env['CNMSIM_DOCKER_SCALE'] ?? '1');
const NETWORKS = Math.max(2, Math.round(100 * SCALE));
const CONTAINERS = Math.max(4, Math.round(1000 * SCALE));
const PACKETS = Math.max(1000, Math.round(100_000 * SCALE));

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function benchDockerScale(): Record<string, number> {
  const world = new World({ seed: 1, trace: false, maxEventsPerRun: 1_000_000_000 });
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

  let t = process.hrtime.bigint();
  for (let n = 0; n < NETWORKS; n++) docker('network', 'create', '--subnet', `10.${n}.0.0/24`, `net${n}`);
  const networksSeconds = seconds(t);

  t = process.hrtime.bigint();
  for (let c = 0; c < CONTAINERS; c++) docker('run', '-d', '--name', `c${c}`, '--network', `net${c % NETWORKS}`, '-p', String(20000 + c) + ':80', 'nginx');
  const containersSeconds = seconds(t);
  const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;

  // Pairs on the same network: c_i and c_{i+NETWORKS}.
  const pairs: { from: NetNamespace; to: number }[] = [];
  for (let c = 0; c + NETWORKS < CONTAINERS; c++) {
    const from = daemon.containerContext(`c${c}`)!;
    const to = daemon.containerContext(`c${c + NETWORKS}`)!;
    ipv4Of(to.ns).l4.set(17, () => 'delivered');
    pairs.push({ from: from.ns, to: to.address! });
  }
  const data = textPayload('x'.repeat(64));
  const send = (i: number): void => {
    const p = pairs[i % pairs.length]!;
    ipOutput(p.from, { dst: p.to, protocol: 17, payload: { kind: 'udp', srcPort: 40000, dstPort: 9, payload: data } });
  };
  for (let i = 0; i < pairs.length; i++) send(i);
  world.engine.runFor(SECOND);

  t = process.hrtime.bigint();
  for (let sent = 0; sent < PACKETS; sent += 1000) {
    for (let i = 0; i < 1000; i++) send(sent + i);
    world.engine.runFor(SECOND);
  }
  const walkSeconds = seconds(t);
  return {
    networks: NETWORKS,
    containers: CONTAINERS,
    'create the networks (s)': Number(networksSeconds.toFixed(3)),
    'create the containers, each publishing a port (s)': Number(containersSeconds.toFixed(3)),
    'heap in use after creation (MiB)': Math.round(heapMiB),
    'walk the container-to-container packets (s)': Number(walkSeconds.toFixed(3)),
    'packets/s': Math.round(PACKETS / walkSeconds),
  };
}
