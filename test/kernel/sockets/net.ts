// Small IP topologies for socket and program tests: namespaces joined by a veth pair (or a
// bridge), with IPv4 addresses and routes set through the same APIs `ip` uses.
import type { Host, NetNamespace, World } from '../../../src/kernel/index.js';
import { ipv4Of } from '../../../src/kernel/ipv4/index.js';
import { socketsOf, type SocketTable } from '../../../src/kernel/sockets/index.js';
import { mustParseIpv4, type Ipv4 } from '../../../src/packet/index.js';
import { add, newHost, newWorld, up } from '../../support/topology.js';

export interface Pair {
  readonly world: World;
  readonly host: Host;
  readonly a: NetNamespace;
  readonly b: NetNamespace;
  readonly ipA: Ipv4;
  readonly ipB: Ipv4;
  readonly sa: SocketTable;
  readonly sb: SocketTable;
}

export function ip(text: string): Ipv4 {
  return mustParseIpv4(text);
}

/** Two namespaces `a` (10.0.0.1/24, eth0) and `b` (10.0.0.2/24, eth0) on one veth pair, `lo` up. */
export function vethPair(options: { seed?: number; mtu?: number } = {}): Pair {
  const world = newWorld(options.seed ?? 1);
  const host = newHost(world, 'host1');
  const a = host.addNamedNamespace('a')!;
  const b = host.addNamedNamespace('b')!;
  const ea = add(a, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: b, mac: 0x02_00_00_00_00_01, peerMac: 0x02_00_00_00_00_02, ...(options.mtu === undefined ? {} : { mtu: options.mtu }) });
  const eb = b.device('eth0')!;
  up(ea, eb, a.device('lo')!, b.device('lo')!);
  const ipA = ip('10.0.0.1');
  const ipB = ip('10.0.0.2');
  mustOk(ipv4Of(a).addrAdd(ea, { address: ipA, prefix: 24 }));
  mustOk(ipv4Of(b).addrAdd(eb, { address: ipB, prefix: 24 }));
  return { world, host, a, b, ipA, ipB, sa: socketsOf(a), sb: socketsOf(b) };
}

function mustOk(r: { ok: boolean }): void {
  if (!r.ok) throw new Error(`setup failed: ${JSON.stringify(r)}`);
}

/** Runs every pending event (and the clock with them). */
export function settle(world: World): void {
  world.engine.runUntilIdle();
}

