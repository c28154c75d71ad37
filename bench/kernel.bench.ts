/**
 * Forwarding through the kernel model: UDP packets from one namespace to another across
 * veth → Linux bridge → veth, the path every container-to-container packet on a Docker bridge
 * takes, with tracing off and with full structured trace records.
 *
 * Topology: namespaces `a` and `b`, each with `eth0` whose peer is a port of bridge `br0` in the
 * root namespace. Neighbours are permanent so no ARP runs in the timed loop, and `b` counts
 * arrivals with a UDP handler at the IP layer. Each packet is built once by `ipOutput` in `a`
 * (route lookup, neighbour, transmit) and then crosses three hops: veth a→br0, the bridge's FDB
 * forward, veth br0→b, ending in b's IPv4 input. hops/s = 3 × delivered packets/s.
 * What is timed: sending PACKETS packets and running the engine until idle; median of 5 runs.
 * Leaves out: netfilter (measured by the netfilter benchmarks) and sockets.
 */
import { SECOND } from '../src/engine/index.js';
import { World, installKernel, ipOutput, ipv4Of, linkAdd, linkSetMaster, linkSetUp, type NetDevice, type NetNamespace } from '../src/kernel/index.js';
import { mustParseCidr, mustParseIpv4, textPayload } from '../src/packet/index.js';

const PACKETS = 100_000;
const RUNS = 5;

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface Bed {
  readonly world: World;
  readonly a: NetNamespace;
  readonly delivered: { count: number };
}

function bed(trace: boolean): Bed {
  const world = new World({ seed: 1, trace, maxEventsPerRun: 100_000_000 });
  const host = world.addHost('h');
  installKernel(host);
  const root = host.rootNs;
  const br = must(linkAdd(root, { type: 'bridge', name: 'br0' }));
  must(linkSetUp(root, br));
  const nss: NetNamespace[] = [];
  const eths: NetDevice[] = [];
  for (const name of ['a', 'b']) {
    const ns = host.addAnonymousNamespace(name);
    const host_end = must(linkAdd(root, { type: 'veth', name: `veth${name}`, peer: 'eth0', peerNs: ns }));
    must(linkSetMaster(root, host_end, br));
    must(linkSetUp(root, host_end));
    const eth = ns.device('eth0')!;
    must(linkSetUp(ns, eth));
    must(linkSetUp(ns, ns.device('lo')!));
    must(ipv4Of(ns).addrAdd(eth, mustParseCidr(name === 'a' ? '10.0.0.1/24' : '10.0.0.2/24'), {}));
    nss.push(ns);
    eths.push(eth);
  }
  const [a, b] = nss as [NetNamespace, NetNamespace];
  const [ethA, ethB] = eths as [NetDevice, NetDevice];
  must(ipv4Of(a).neighAdd(ethA, mustParseIpv4('10.0.0.2'), ethB.mac, 'permanent'));
  must(ipv4Of(b).neighAdd(ethB, mustParseIpv4('10.0.0.1'), ethA.mac, 'permanent'));
  const delivered = { count: 0 };
  ipv4Of(b).l4.set(17, () => {
    delivered.count++;
    return 'delivered';
  });
  ipv4Of(a).l4.set(17, () => 'delivered');
  // Teach the bridge both MACs so the timed loop forwards instead of flooding.
  send(a, 1);
  ipOutput(b, { dst: mustParseIpv4('10.0.0.1'), protocol: 17, payload: { kind: 'udp', srcPort: 9, dstPort: 40000, payload: data } });
  world.engine.runUntilIdle();
  return { world, a, delivered };
}

const dst = mustParseIpv4('10.0.0.2');
const data = textPayload('x'.repeat(64));

function send(a: NetNamespace, count: number): void {
  for (let i = 0; i < count; i++) {
    ipOutput(a, { dst, protocol: 17, payload: { kind: 'udp', srcPort: 40000, dstPort: 9, payload: data } });
  }
}

function sample(trace: boolean): number {
  const b = bed(trace);
  const before = b.delivered.count;
  const start = process.hrtime.bigint();
  // Send in batches so the event queue stays small, as traffic would keep it.
  for (let sent = 0; sent < PACKETS; sent += 1000) {
    send(b.a, 1000);
    b.world.engine.runFor(SECOND);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const delivered = b.delivered.count - before;
  if (delivered !== PACKETS) throw new Error(`delivered ${delivered} of ${PACKETS}`);
  return (3 * delivered) / seconds;
}

function median(trace: boolean): number {
  sample(trace);
  const xs: number[] = [];
  for (let r = 0; r < RUNS; r++) xs.push(sample(trace));
  xs.sort((x, y) => x - y);
  return Math.round(xs[Math.floor(RUNS / 2)]!);
}

export function benchKernelForwarding(): Record<string, number> {
  return {
    'veth→bridge→veth hops/s, tracing off': median(false),
    'veth→bridge→veth hops/s, tracing on': median(true),
  };
}
