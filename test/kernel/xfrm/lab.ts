// Two namespaces joined by a veth pair, with the iproute2 tools, for the IPsec tests:
//
//   a (10.0.0.1/24) eth0 ------------- eth0 b (10.0.0.2/24)
//
// `transportSas` configures both ends the way a person would with `ip xfrm`: one SA per
// direction (a>b SPI 0x100 reqid 1, b>a SPI 0x200 reqid 2, AES-128-GCM) and an out and an in
// policy per end whose templates require ESP in transport mode.
import { PcapWriter, encodeEthernet } from '../../../src/packet/index.js';
import { ipv4Of, type NetDevice, type NetNamespace } from '../../../src/kernel/index.js';
import { machine, type Machine } from '../tools/harness.js';
import { add, up } from '../../support/topology.js';

export const A = '10.0.0.1';
export const B = '10.0.0.2';
/** Key material (AES-128 key || 4-byte salt) of the a>b and b>a SAs. */
export const KEY_AB = '0x000102030405060708090a0b0c0d0e0f10111213';
export const KEY_BA = '0x202122232425262728292a2b2c2d2e2f30313233';
export const SPI_AB = 0x100;
export const SPI_BA = 0x200;

export interface Lab extends Machine {
  readonly a: NetNamespace;
  readonly b: NetNamespace;
  /** `ip -n NS ARGS`, failing the test on a non-zero exit; returns stdout. */
  ip(ns: 'a' | 'b', args: string): string;
}

export function lab(seed = 1): Lab {
  const m = machine(seed);
  const a = m.host.addNamedNamespace('a')!;
  const b = m.host.addNamedNamespace('b')!;
  const ea = add(a, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: b, mac: 0x02_00_00_00_00_01, peerMac: 0x02_00_00_00_00_02 });
  const eb = b.device('eth0')!;
  up(ea, eb, a.device('lo')!, b.device('lo')!);
  for (const [dev, addr] of [
    [ea, A],
    [eb, B],
  ] as const) {
    const r = ipv4Of(dev.netns).addrAdd(dev, { address: ip4(addr), prefix: 24 });
    if (!r.ok) throw new Error(r.error);
  }
  return { ...m, a, b, ip: (ns, args) => m.ok(`ip -n ${ns} ${args}`) };
}

function ip4(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function saLine(src: string, dst: string, spi: number, reqid: number, key: string): string {
  return `xfrm state add src ${src} dst ${dst} proto esp spi 0x${spi.toString(16)} reqid ${reqid} mode transport aead rfc4106(gcm(aes)) ${key} 128`;
}

export function policyLine(src: string, dst: string, dir: 'in' | 'out', reqid: number, extra = ''): string {
  return `xfrm policy add src ${src}/32 dst ${dst}/32 dir ${dir} tmpl src ${src} dst ${dst} proto esp reqid ${reqid} mode transport${extra}`;
}

/**
 * Both ends: states for both directions and out/in policies requiring ESP; `skipStateAt*`
 * leaves out the a>b state at that end (a test adds its own, or none).
 */
export function transportSas(l: Lab, options: { keyAbAtB?: string; skipStateAtA?: boolean; skipStateAtB?: boolean } = {}): void {
  if (options.skipStateAtA !== true) l.ip('a', saLine(A, B, SPI_AB, 1, KEY_AB));
  l.ip('a', saLine(B, A, SPI_BA, 2, KEY_BA));
  if (options.skipStateAtB !== true) l.ip('b', saLine(A, B, SPI_AB, 1, options.keyAbAtB ?? KEY_AB));
  l.ip('b', saLine(B, A, SPI_BA, 2, KEY_BA));
  l.ip('a', policyLine(A, B, 'out', 1));
  l.ip('a', policyLine(B, A, 'in', 2));
  l.ip('b', policyLine(B, A, 'out', 2));
  l.ip('b', policyLine(A, B, 'in', 1));
}

/** A capture of every frame `dev` sends or receives (as tcpdump on it would see them), as pcap bytes. */
export function capture(dev: NetDevice): { bytes(): Uint8Array; count(): number } {
  const writer = new PcapWriter();
  let n = 0;
  const world = dev.netns.host.world;
  dev.taps.add((_d, skb) => {
    writer.add(world.engine.now, encodeEthernet(skb.frame));
    n++;
  });
  return { bytes: () => writer.bytes(), count: () => n };
}

/** Trace records of one kind, with their location's namespace and packet id. */
export function records(l: Machine, kind: string, netns?: string): Readonly<Record<string, unknown>>[] {
  return l.world.trace.records
    .filter(r => r.kind === kind && (netns === undefined || r.location.netns === netns))
    .map(r => ({ ...r.detail, netns: r.location.netns, packet: r.packetId }));
}
