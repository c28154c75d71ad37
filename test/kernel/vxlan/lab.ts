// Two Linux hosts on one underlay switch (eth0 10.0.0.11/24 and 10.0.0.12/24), each configured
// only through its own `ip` and `bridge` programs, the way a scenario's `exec:` steps would: a
// namespace `ns1` on a local bridge `br0` that also enslaves a vxlan device. Helpers run command
// lines on either host and capture a device's frames as pcapng.
import { SECOND } from '../../../src/engine/index.js';
import { runToCompletion, spawn, type Host, type NetDevice, type ProgramRegistry, type World } from '../../../src/kernel/index.js';
import { defaultPrograms } from '../../../src/kernel/programs/index.js';
import { installToolsState, registerTools } from '../../../src/kernel/tools/index.js';
import { connectHost, underlay } from '../../../src/kernel/underlay/index.js';
import { PcapngWriter, encodeFrame } from '../../../src/packet/index.js';
import { newHost, newWorld } from '../../support/topology.js';

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LabHost {
  readonly host: Host;
  /** Runs one command line (split on white space) in the root namespace. */
  sh(line: string): Result;
  /** Runs a command line and fails unless it exits 0; returns stdout. */
  ok(line: string): string;
}

export interface Lab {
  readonly world: World;
  readonly registry: ProgramRegistry;
  readonly h1: LabHost;
  readonly h2: LabHost;
}

function labHost(world: World, registry: ProgramRegistry, host: Host): LabHost {
  const sh = (line: string): Result => {
    const argv = line.split(/\s+/).filter(w => w !== '');
    const proc = spawn(registry, { ns: host.rootNs, argv, userland: 'host' });
    const code = runToCompletion(proc, 30 * SECOND);
    return { code, stdout: proc.stdout, stderr: proc.stderr };
  };
  const ok = (line: string): string => {
    const r = sh(line);
    if (r.code !== 0) throw new Error(`${host.name}: "${line}" exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return { host, sh, ok };
}

/** Two hosts cabled to switch `sw1`, their NICs named eth0 but not yet configured. */
export function twoHosts(seed = 1): Lab {
  const world = newWorld(seed);
  const sw = underlay(world).addSwitch('sw1');
  const registry = defaultPrograms();
  registerTools(registry);
  const hosts = ['host1', 'host2'].map(name => {
    const host = newHost(world, name);
    installToolsState(host);
    connectHost(sw, host, 'eth0');
    return labHost(world, registry, host);
  });
  return { world, registry, h1: hosts[0]!, h2: hosts[1]! };
}

/** The underlay address of host N (1 or 2) and the overlay address of its namespace. */
export const underlayIp = (n: number): string => `10.0.0.1${n}`;
export const overlayIp = (n: number): string => `192.168.42.${n}`;
/** The MAC given to host N's `ns1` eth0, so static FDB entries can name it. */
export const nsMac = (n: number): string => `02:00:00:00:42:0${n}`;

/**
 * The common part: eth0 up with its underlay address, `ns1` behind a veth on `br0`, the overlay
 * address on ns1's eth0. `vxlanArgs` finish `ip link add vxlan0 type vxlan ...`.
 */
export function configureHost(h: LabHost, n: number, vxlanArgs: string): void {
  h.ok('ip link set eth0 up');
  h.ok(`ip addr add ${underlayIp(n)}/24 dev eth0`);
  h.ok('ip netns add ns1');
  h.ok('ip link add br0 type bridge');
  h.ok(`ip link add vxlan0 type vxlan ${vxlanArgs}`);
  h.ok('ip link set vxlan0 master br0');
  h.ok(`ip link add veth0 type veth peer name eth0 netns ns1 address ${nsMac(n)}`);
  h.ok('ip link set veth0 master br0');
  h.ok('ip link set br0 up');
  h.ok('ip link set vxlan0 up');
  h.ok('ip link set veth0 up');
  h.ok('ip -n ns1 link set lo up');
  h.ok(`ip -n ns1 addr add ${overlayIp(n)}/24 dev eth0`);
  h.ok('ip -n ns1 link set eth0 up');
}

/** The classic setup: `remote <peer>` on each side, learning on. */
export function remoteLab(seed = 1): Lab {
  const lab = twoHosts(seed);
  configureHost(lab.h1, 1, `id 42 dstport 4789 remote ${underlayIp(2)} dev eth0`);
  configureHost(lab.h2, 2, `id 42 dstport 4789 remote ${underlayIp(1)} dev eth0`);
  return lab;
}

/** Captures every frame `dev` sends or receives into a pcapng file (one interface). */
export function capture(world: World, dev: NetDevice): { bytes(): Uint8Array } {
  const writer = new PcapngWriter();
  const iface = writer.addInterface(dev.name);
  dev.taps.add((_d, skb) => writer.add(iface, world.engine.now, encodeFrame(skb.frame)));
  return { bytes: () => writer.bytes() };
}
