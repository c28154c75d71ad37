// Small named topologies for kernel tests: a world with hosts, namespaces and devices built
// through the same link API the `ip` command and the CNM drivers use, plus hand-built frames and
// stub protocol handlers that capture what reaches a namespace's "IP layer". Tests of L2
// behaviour use these so they need no IP stack.
import type { Skb } from '../../src/kernel/index.js';
import { World, newSkb, type Host, type NetDevice, type NetNamespace, type PktType } from '../../src/kernel/index.js';
import {
  BridgeDevice,
  linkAdd,
  linkSetMaster,
  linkSetName,
  linkSetNs,
  linkSetUp,
  type LinkResult,
  type LinkSpec,
  type VethDevice,
} from '../../src/kernel/devices/index.js';
import { installKernel } from '../../src/kernel/stack.js';
import { ethernetFrame, payload, vlanTag, type EthernetRepr, type Mac } from '../../src/packet/index.js';

/** The IEEE "local experimental" EtherType: frames no real protocol handler would claim. */
export const ETHERTYPE_TEST = 0x88b5;

/** A locally administered unicast MAC 02:00:00:00:00:NN. */
export function mac(n: number): Mac {
  return 0x0200_0000_0000 + n;
}

export function newWorld(seed = 1): World {
  return new World({ seed });
}

/** A Linux machine with its kernel installed (root namespace with `lo`). */
export function newHost(world: World, name: string): Host {
  const host = world.addHost(name);
  installKernel(host);
  return host;
}

/** Unwraps a link API result, failing the test with iproute2's message. */
export function must<T>(result: LinkResult<T>): T {
  if (!result.ok) throw new Error(`link operation failed: ${result.error}`);
  return result.value;
}

export function add(ns: NetNamespace, spec: LinkSpec): NetDevice {
  return must(linkAdd(ns, spec));
}

export function up(...devs: NetDevice[]): void {
  for (const dev of devs) must(linkSetUp(dev.netns, dev));
}

/** A hand-built frame with an opaque payload of the test EtherType. */
export function testFrame(src: Mac, dst: Mac, options: { vid?: number; text?: string } = {}): EthernetRepr {
  const bytes = new TextEncoder().encode(options.text ?? 'hello');
  return ethernetFrame({
    src,
    dst,
    etherType: ETHERTYPE_TEST,
    payload: payload(bytes),
    ...(options.vid === undefined ? {} : { vlans: [vlanTag(options.vid)] }),
  });
}

/**
 * Sends a frame out `dev` as the stack above it would (`dev_queue_xmit`), with metadata the IP
 * layer may have set (mark, conntrack); returns the skb.
 */
export function send(dev: NetDevice, frame: EthernetRepr, meta: { mark?: number; ct?: unknown } = {}): Skb {
  const skb = newSkb(dev.netns.host.world.nextPacketId(), frame);
  skb.mark = meta.mark ?? 0;
  skb.ct = meta.ct;
  dev.transmit(skb);
  return skb;
}

export interface Delivery {
  readonly ns: string;
  readonly dev: string;
  readonly packetId: number;
  readonly frame: EthernetRepr;
  readonly pktType: PktType;
  readonly mark: number;
  readonly ct: unknown;
  readonly inDev: string | undefined;
}

/** Registers a stub protocol handler for the test EtherType in each namespace; returns the log. */
export function capture(...namespaces: NetNamespace[]): Delivery[] {
  const log: Delivery[] = [];
  for (const ns of namespaces) {
    ns.protocols.set(ETHERTYPE_TEST, (skb, dev) => {
      log.push({ ns: ns.name, dev: dev.name, packetId: skb.id, frame: skb.frame, pktType: skb.pktType, mark: skb.mark, ct: skb.ct, inDev: skb.inDev });
    });
  }
  return log;
}

/** Runs the engine until nothing is pending. */
export function settle(world: World): void {
  world.engine.runUntilIdle();
}

/** Drop records of the trace, as `reason@device`. */
export function drops(world: World): string[] {
  return world.trace.records.filter(r => r.kind === 'drop').map(r => `${String(r.detail['reason'])}@${r.location.device ?? r.location.netns}`);
}

export interface Container {
  readonly ns: NetNamespace;
  /** The container side, renamed `eth0`. */
  readonly eth0: VethDevice;
  /** The host side, a port of the bridge. */
  readonly hostVeth: VethDevice;
}

export interface BridgeTopology {
  readonly world: World;
  readonly host: Host;
  readonly br: BridgeDevice;
  readonly containers: Container[];
}

/**
 * Docker's default bridge in miniature: `br0` (explicit MAC) in the root namespace and `n`
 * containers, each a namespace `cN` with `eth0` (MAC 02:00:00:00:00:0N) whose peer `vethN` is a
 * port of the bridge. Everything is up.
 */
export function bridgeTopology(n: number, options: { world?: World; bridgeMac?: Mac } = {}): BridgeTopology {
  const world = options.world ?? newWorld();
  const host = newHost(world, 'host1');
  const root = host.rootNs;
  const br = add(root, { type: 'bridge', name: 'br0', mac: options.bridgeMac ?? 0x0242_0000_0001 }) as BridgeDevice;
  const containers: Container[] = [];
  for (let i = 1; i <= n; i++) {
    const ns = host.addAnonymousNamespace(`c${i}`);
    const hostVeth = add(root, { type: 'veth', name: `veth${i}`, peer: `ceth${i}`, peerMac: mac(i) }) as VethDevice;
    const peer = hostVeth.peer;
    must(linkSetNs(peer, ns));
    must(linkSetMaster(root, hostVeth, br));
    containers.push({ ns, eth0: peer, hostVeth });
  }
  for (const c of containers) {
    // Docker renames the container side to eth0 inside the namespace.
    must(linkSetName(c.ns, c.eth0, 'eth0'));
    up(c.hostVeth, c.eth0, c.ns.device('lo')!);
  }
  up(br);
  return { world, host, br, containers };
}
