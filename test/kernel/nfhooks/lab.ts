// A Docker host in miniature for the netfilter integration tests, built through the same kernel
// API Docker uses (link, addresses, routes, sysctls, iptables):
//
//   client (10.0.0.100/24) eth0 ---- eth0 host1 root (10.0.0.11/24), ip_forward=1
//                                          docker0 (bridge, 172.17.0.1/16)
//                                            |-- veth1 ---- eth0 web (172.17.0.2/16, default via .1)
//                                            `-- veth2 ---- eth0 c2  (172.17.0.3/16, default via .1)
//
// UDP endpoints are real sockets of the socket layer; `udpServer` records what arrives.
import { iptablesOf, loadBrNetfilter } from '../../../src/kernel/nfhooks/index.js';
import { ipv4Of, type NetDevice, type NetNamespace, type World } from '../../../src/kernel/index.js';
import { runIptables, splitWords } from '../../../src/kernel/netfilter/index.js';
import { linkSetMaster, type BridgeDevice } from '../../../src/kernel/devices/index.js';
import { socketsOf, type UdpDatagram, type UdpSocket } from '../../../src/kernel/sockets/index.js';
import { formatIpv4, mustParseCidr, mustParseIpv4 } from '../../../src/packet/index.js';
import { add, mac, must, newHost, newWorld, up } from '../../support/topology.js';

export interface Lab {
  readonly world: World;
  readonly root: NetNamespace;
  readonly client: NetNamespace;
  readonly web: NetNamespace;
  readonly c2: NetNamespace;
  readonly docker0: BridgeDevice;
  readonly hostEth0: NetDevice;
}

function addr(dev: NetDevice, cidr: string): void {
  const r = ipv4Of(dev.netns).addrAdd(dev, mustParseCidr(cidr));
  if (!r.ok) throw new Error(r.error);
}

function defaultVia(ns: NetNamespace, gw: string): void {
  const r = ipv4Of(ns).routeAdd({ dst: mustParseCidr('0.0.0.0/0'), gateway: mustParseIpv4(gw) });
  if (!r.ok) throw new Error(r.error);
}

export function lab(options: { seed?: number; brNetfilter?: boolean } = {}): Lab {
  const world = newWorld(options.seed ?? 1);
  const host = newHost(world, 'host1');
  const root = host.rootNs;
  const client = host.addAnonymousNamespace('client');
  const web = host.addAnonymousNamespace('web');
  const c2 = host.addAnonymousNamespace('c2');
  const hostEth0 = add(root, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: client, mac: mac(0x11), peerMac: mac(0x64) });
  const docker0 = add(root, { type: 'bridge', name: 'docker0', mac: 0x0242_ac11_0001 }) as BridgeDevice;
  const containers: [NetNamespace, string, number][] = [
    [web, '172.17.0.2/16', 2],
    [c2, '172.17.0.3/16', 3],
  ];
  for (const ns of [root, client, web, c2]) up(ns.device('lo')!);
  up(hostEth0, client.device('eth0')!, docker0);
  addr(hostEth0, '10.0.0.11/24');
  addr(client.device('eth0')!, '10.0.0.100/24');
  addr(docker0, '172.17.0.1/16');
  for (const [ns, cidr, n] of containers) {
    const v = add(root, { type: 'veth', name: `veth${n - 1}`, peer: 'eth0', peerNs: ns, mac: mac(0x30 + n), peerMac: 0x0242_ac11_0000 + n });
    must(linkSetMaster(root, v, docker0));
    up(v, ns.device('eth0')!);
    addr(ns.device('eth0')!, cidr);
    defaultVia(ns, '172.17.0.1');
  }
  const fwd = root.sysctl.set('net.ipv4.ip_forward', '1');
  if (!fwd.ok) throw new Error(fwd.error);
  if (options.brNetfilter === true) loadBrNetfilter(root);
  return { world, root, client, web, c2, docker0, hostEth0 };
}

/** `iptables ARGS` in `ns`, failing the test on a non-zero exit. */
export function ipt(ns: NetNamespace, line: string): void {
  const out = runIptables(iptablesOf(ns), splitWords(line));
  if (out.exitCode !== 0) throw new Error(`iptables ${line}: ${out.stderr}`);
}

/** Docker 20.10's rules for `-p 8080:80/udp` (and tcp) to 172.17.0.2, and egress MASQUERADE. */
export function dockerRules(ns: NetNamespace, proto: 'udp' | 'tcp' = 'udp'): void {
  for (const line of [
    '-t nat -N DOCKER',
    '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    '-t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-t nat -A DOCKER -i docker0 -j RETURN',
    `-t nat -A DOCKER ! -i docker0 -p ${proto} -m ${proto} --dport 8080 -j DNAT --to-destination 172.17.0.2:80`,
    '-P FORWARD DROP',
    '-N DOCKER',
    '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -o docker0 -j DOCKER',
    '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
    '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
    `-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p ${proto} -m ${proto} --dport 80 -j ACCEPT`,
  ]) {
    ipt(ns, line);
  }
}

export interface Received {
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

/** A UDP socket bound to `port` in `ns` that records what arrives, and can answer. */
export function udpServer(ns: NetNamespace, port: number, opts: { echo?: boolean; addr?: string } = {}): { sock: UdpSocket; got: Received[] } {
  const sock = socketsOf(ns).udp();
  const bound = sock.bind(opts.addr === undefined ? 0 : mustParseIpv4(opts.addr), port);
  if (!bound.ok) throw new Error(`bind ${port}: ${bound.errno}`);
  const got: Received[] = [];
  sock.onMessage = (d: UdpDatagram) => {
    const text = d.payload.kind === 'payload' ? new TextDecoder().decode(d.payload.bytes) : d.payload.kind;
    got.push({ from: `${formatIpv4(d.src)}:${d.srcPort}`, to: `${formatIpv4(d.dst)}:${d.dstPort}`, text });
    if (opts.echo === true) sock.send(`echo:${text}`, { addr: d.src, port: d.srcPort });
  };
  return { sock, got };
}

/** A UDP client socket in `ns` bound to `port` (0: ephemeral) that records answers. */
export function udpClient(ns: NetNamespace, port = 0): { sock: UdpSocket; got: Received[]; send: (to: string, text: string) => void } {
  const { sock, got } = udpServer(ns, port);
  return {
    sock,
    got,
    send: (to, text) => {
      const [a, p] = to.split(':');
      const r = sock.send(text, { addr: mustParseIpv4(a!), port: Number(p) });
      if (!r.ok) throw new Error(`send to ${to}: ${r.errno}`);
    },
  };
}

/** Trace records of one kind (detail plus where), in order. */
export function records(world: World, kind: string, netns?: string): Readonly<Record<string, unknown>>[] {
  return world.trace.records
    .filter(r => r.kind === kind && (netns === undefined || r.location.netns === netns))
    .map(r => ({ ...r.detail, netns: r.location.netns, packet: r.packetId }));
}
