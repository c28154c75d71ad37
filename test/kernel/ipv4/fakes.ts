// Helpers for the IPv4 tests: hosts with the kernel installed (devices + IPv4), small routed
// topologies over real veth pairs, a socket-layer stub that records what IPv4 delivers locally,
// and a fake Ethernet wire whose frames can be lost (for ARP under loss).
import { ethTypeTrans, registerNetdev } from '../../../src/kernel/devices/index.js';
import {
  NetDevice,
  ipOutput,
  ipv4Of,
  type AddrAddOptions,
  type IfAddr,
  type IpOutputResult,
  type Ipv4State,
  type NetNamespace,
  type Skb,
  type World,
} from '../../../src/kernel/index.js';
import { mustParseCidr as cidr, echoRequest, parseIpv4, textPayload, type Ipv4, type Ipv4Repr, type Mac, type UdpRepr } from '../../../src/packet/index.js';
import { add, mac, newHost, newWorld, up } from '../../support/topology.js';

export { add, cidr, mac, newHost, newWorld, up };

export function ip(text: string): Ipv4 {
  const v = parseIpv4(text);
  if (v === undefined) throw new Error(`bad address ${text}`);
  return v;
}

/** `ip addr add TEXT dev DEV`, failing the test on error. */
export function addr(dev: NetDevice, text: string, opts: AddrAddOptions = {}): IfAddr {
  const r = ipv4Of(dev.netns).addrAdd(dev, cidr(text), opts);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export interface Delivered {
  readonly ns: string;
  readonly dev: string;
  readonly ip: Ipv4Repr;
  readonly packetId: number;
}

/** Stands in for the sockets module: records every local delivery, answering `delivered` unless told. */
export function sink(ns: NetNamespace, answer: (ip: Ipv4Repr) => 'delivered' | 'no-socket' = () => 'delivered'): Delivered[] {
  const log: Delivered[] = [];
  ns.ext.set('sockets', {
    deliver(skb: Skb, ipRepr: Ipv4Repr, dev: NetDevice): 'delivered' | 'no-socket' {
      log.push({ ns: ns.name, dev: dev.name, ip: ipRepr, packetId: skb.id });
      return answer(ipRepr);
    },
  });
  return log;
}

/** A UDP datagram with text data. */
export function udp(srcPort: number, dstPort: number, text: string): UdpRepr {
  return { kind: 'udp', srcPort, dstPort, payload: textPayload(text) };
}

/** Sends one ICMP echo request, as `ping -c 1` would. */
export function ping(ns: NetNamespace, dst: string, opts: { id?: number; seq?: number; size?: number; df?: boolean } = {}): IpOutputResult {
  const data = new Uint8Array(opts.size ?? 56);
  return ipOutput(ns, { dst: ip(dst), payload: echoRequest(opts.id ?? 7, opts.seq ?? 1, data), df: opts.df ?? true });
}

export function sysctl(ns: NetNamespace, key: string, value: string): void {
  const r = ns.sysctl.set(key, value);
  if (!r.ok) throw new Error(r.error);
}

export interface Routed {
  readonly world: World;
  readonly a: NetNamespace;
  readonly r: NetNamespace;
  readonly b: NetNamespace;
  readonly aEth0: NetDevice;
  readonly rEth0: NetDevice;
  readonly rEth1: NetDevice;
  readonly bEth0: NetDevice;
  readonly st: { readonly a: Ipv4State; readonly r: Ipv4State; readonly b: Ipv4State };
}

/**
 * A --- R --- B over two veth pairs: A 10.0.1.2/24 (default via 10.0.1.1), R 10.0.1.1/24 on
 * eth0 and 10.0.2.1/24 on eth1 with forwarding on, B 10.0.2.2/24 (default via 10.0.2.1).
 */
export function routed(options: { seed?: number; forwarding?: boolean; bMtu?: number } = {}): Routed {
  const world = newWorld(options.seed ?? 1);
  const host = newHost(world, 'h1');
  const a = host.addAnonymousNamespace('a');
  const r = host.addAnonymousNamespace('r');
  const b = host.addAnonymousNamespace('b');
  const aEth0 = add(a, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: r, mac: mac(0x12), peerMac: mac(0x11) });
  const rEth0 = r.device('eth0')!;
  const rEth1 = add(r, { type: 'veth', name: 'eth1', peer: 'eth0', peerNs: b, mac: mac(0x21), peerMac: mac(0x22), ...(options.bMtu === undefined ? {} : { mtu: options.bMtu }) });
  const bEth0 = b.device('eth0')!;
  for (const ns of [a, r, b]) up(ns.device('lo')!);
  up(aEth0, rEth0, rEth1, bEth0);
  addr(aEth0, '10.0.1.2/24');
  addr(rEth0, '10.0.1.1/24');
  addr(rEth1, '10.0.2.1/24');
  addr(bEth0, '10.0.2.2/24');
  const st = { a: ipv4Of(a), r: ipv4Of(r), b: ipv4Of(b) };
  must(st.a.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.0.1.1') }));
  must(st.b.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.0.2.1') }));
  if (options.forwarding ?? true) sysctl(r, 'net.ipv4.ip_forward', '1');
  return { world, a, r, b, aEth0, rEth0, rEth1, bEth0, st };
}

export function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Asserts a local send was accepted (no synchronous error). */
export function sent(r: IpOutputResult): IpOutputResult & { ok: true } {
  if (!r.ok) throw new Error(`send failed: ${r.errno}`);
  return r;
}

/** Trace records of one kind, detail only. */
export function records(world: World, kind: string): Readonly<Record<string, unknown>>[] {
  return world.trace.records.filter(rec => rec.kind === kind).map(rec => ({ ...rec.detail, at: `${rec.location.netns}/${rec.location.device ?? ''}` }));
}

/**
 * A fake Ethernet NIC joined to one peer by a wire that loses the frames `loss` picks: stands in
 * for a lossy physical link in the ARP timer tests.
 */
export class WireDevice extends NetDevice {
  readonly kind = 'physical' as const;
  peer: WireDevice | undefined = undefined;
  loss: (skb: Skb) => boolean = () => false;

  constructor(ns: NetNamespace, name: string, address: Mac) {
    super(ns, name, address, 1500);
  }

  carrier(): boolean {
    return this.peer !== undefined && this.peer.adminUp;
  }

  protected xmit(skb: Skb): void {
    const peer = this.peer;
    if (peer === undefined || this.loss(skb)) {
      this.netns.drop(skb, this, 'loss', {});
      return;
    }
    const copy: Skb = { ...skb, ct: undefined, mark: 0 };
    this.netns.host.world.engine.scheduleIn(1000, () => {
      copy.pktType = ethTypeTrans(peer, copy.frame.dst);
      peer.receive(copy);
    });
  }
}

/** Registers a wire pair between two namespaces through the device layer's registration. */
export function wire(nsA: NetNamespace, nameA: string, macA: Mac, nsB: NetNamespace, nameB: string, macB: Mac): [WireDevice, WireDevice] {
  const devA = new WireDevice(nsA, nameA, macA);
  const devB = new WireDevice(nsB, nameB, macB);
  devA.peer = devB;
  devB.peer = devA;
  registerNetdev(nsA, devA);
  registerNetdev(nsB, devB);
  return [devA, devB];
}
