// Small IP topologies for socket and program tests: namespaces joined by a veth pair (or a
// bridge), with IPv4 addresses and routes set through the same APIs `ip` uses.
import type { Host, NetNamespace, World } from '../../../src/kernel/index.js';
import { ipv4Of } from '../../../src/kernel/ipv4/index.js';
import { socketsOf, type SocketTable } from '../../../src/kernel/sockets/index.js';
import { mustParseIpv4, type EthernetRepr, type Ipv4, type Ipv4Repr, type TcpRepr } from '../../../src/packet/index.js';
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


/** The TCP segments `ns` sends on `dev` (its transmit tap), in order. */
export function sentSegments(ns: NetNamespace, dev = 'eth0'): TcpRepr[] {
  const log: TcpRepr[] = [];
  ns.device(dev)!.taps.add((_d, skb, dir) => {
    const ipPkt = skb.frame.payload;
    if (dir === 'tx' && ipPkt.kind === 'ipv4' && ipPkt.payload.kind === 'tcp') log.push(ipPkt.payload);
  });
  return log;
}

/** Every frame `ns` sends on `dev`, as tcpdump -n would print it, with the virtual time in ms. */
export function sentFrames(ns: NetNamespace, dev = 'eth0'): { readonly ms: number; readonly frame: EthernetRepr }[] {
  const log: { ms: number; frame: EthernetRepr }[] = [];
  const engine = ns.host.world.engine;
  ns.device(dev)!.taps.add((_d, skb, dir) => {
    if (dir === 'tx') log.push({ ms: engine.now / 1e6, frame: skb.frame });
  });
  return log;
}

/** Replaces the netfilter hooks of `ns` with one that drops what `drop` selects at INPUT. */
export function dropInput(ns: NetNamespace, drop: (ip: Ipv4Repr) => boolean): void {
  ns.netfilter = {
    hook: (skb, ctx) => {
      const p = skb.frame.payload;
      return ctx.hook === 'INPUT' && p.kind === 'ipv4' && drop(p) ? 'drop' : 'accept';
    },
    bridgeCallIptables: () => false,
  };
}

export interface Routed {
  readonly world: World;
  readonly a: NetNamespace;
  readonly r: NetNamespace;
  readonly b: NetNamespace;
}

/**
 * a (10.0.1.2/24) -- r (10.0.1.1 | 10.0.2.1, forwarding on) -- b (10.0.2.2/24); a and b route
 * everything through r.
 */
export function routedTopology(seed = 1): Routed {
  const world = newWorld(seed);
  const host = newHost(world, 'host1');
  const a = host.addNamedNamespace('a')!;
  const r = host.addNamedNamespace('r')!;
  const b = host.addNamedNamespace('b')!;
  const ra = add(r, { type: 'veth', name: 'eth-a', peer: 'eth0', peerNs: a });
  const rb = add(r, { type: 'veth', name: 'eth-b', peer: 'eth0', peerNs: b });
  const ea = a.device('eth0')!;
  const eb = b.device('eth0')!;
  up(ra, rb, ea, eb, a.device('lo')!, r.device('lo')!, b.device('lo')!);
  mustOk(ipv4Of(r).addrAdd(ra, { address: ip('10.0.1.1'), prefix: 24 }));
  mustOk(ipv4Of(r).addrAdd(rb, { address: ip('10.0.2.1'), prefix: 24 }));
  mustOk(ipv4Of(a).addrAdd(ea, { address: ip('10.0.1.2'), prefix: 24 }));
  mustOk(ipv4Of(b).addrAdd(eb, { address: ip('10.0.2.2'), prefix: 24 }));
  mustOk(ipv4Of(a).routeAdd({ dst: { address: 0, prefix: 0 }, gateway: ip('10.0.1.1') }));
  mustOk(ipv4Of(b).routeAdd({ dst: { address: 0, prefix: 0 }, gateway: ip('10.0.2.1') }));
  mustOk(r.sysctl.set('net.ipv4.ip_forward', '1'));
  return { world, a, r, b };
}
