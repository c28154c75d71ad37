// A director with three real servers, built through the kernel API (links, addresses, routes,
// sysctls, iptables, ipvsadm), for the IPVS packet-path tests:
//
//   client 10.0.1.2/24 eth0 ---- eth0 director 10.0.1.1/24, VIP 10.0.1.100/32 on dummy ipvs0
//                                     eth1 10.0.2.1/24 ---- eth0 rs1 10.0.2.2/24
//                                     eth2 10.0.3.1/24 ---- eth0 rs2 10.0.3.2/24
//                                     eth3 10.0.4.1/24 ---- eth0 rs3 10.0.4.2/24
//
// Every real server routes back through the director (default via .1), as masquerading needs.
// TCP servers are real sockets of the socket layer; each answers with its own name.
import { runIptables, splitWords } from '../../../src/kernel/netfilter/index.js';
import { iptablesOf } from '../../../src/kernel/nfhooks/index.js';
import { ipv4Of, type NetDevice, type NetNamespace, type World } from '../../../src/kernel/index.js';
import { runIpvsadm } from '../../../src/kernel/ipvs/index.js';
import { socketsOf, type TcpSocket } from '../../../src/kernel/sockets/index.js';
import { formatIpv4, mustParseCidr, mustParseIpv4 } from '../../../src/packet/index.js';
import { add, mac, newHost, newWorld, up } from '../../support/topology.js';

export interface IpvsLab {
  readonly world: World;
  readonly client: NetNamespace;
  readonly director: NetNamespace;
  readonly rs: NetNamespace[];
  readonly rsEth0: NetDevice[];
}

function addr(dev: NetDevice, cidr: string): void {
  const r = ipv4Of(dev.netns).addrAdd(dev, mustParseCidr(cidr));
  if (!r.ok) throw new Error(r.error);
}

function defaultVia(ns: NetNamespace, gw: string): void {
  const r = ipv4Of(ns).routeAdd({ dst: mustParseCidr('0.0.0.0/0'), gateway: mustParseIpv4(gw) });
  if (!r.ok) throw new Error(r.error);
}

export function ipvsLab(seed = 1): IpvsLab {
  const world = newWorld(seed);
  const host = newHost(world, 'h1');
  const client = host.addAnonymousNamespace('client');
  const director = host.addAnonymousNamespace('director');
  const cEth0 = add(client, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: director, mac: mac(0x02), peerMac: mac(0x01) });
  const vip = add(director, { type: 'dummy', name: 'ipvs0', mac: mac(0xfe) });
  for (const ns of [client, director]) up(ns.device('lo')!);
  up(cEth0, director.device('eth0')!, vip);
  addr(cEth0, '10.0.1.2/24');
  addr(director.device('eth0')!, '10.0.1.1/24');
  addr(vip, '10.0.1.100/32');
  defaultVia(client, '10.0.1.1');
  const rs: NetNamespace[] = [];
  const rsEth0: NetDevice[] = [];
  for (const n of [1, 2, 3]) {
    const ns = host.addAnonymousNamespace(`rs${n}`);
    const d = add(director, { type: 'veth', name: `eth${n}`, peer: 'eth0', peerNs: ns, mac: mac(0x10 * n + 1), peerMac: mac(0x10 * n + 2) });
    up(ns.device('lo')!, d, ns.device('eth0')!);
    addr(d, `10.0.${n + 1}.1/24`);
    addr(ns.device('eth0')!, `10.0.${n + 1}.2/24`);
    defaultVia(ns, `10.0.${n + 1}.1`);
    rs.push(ns);
    rsEth0.push(ns.device('eth0')!);
  }
  const fwd = director.sysctl.set('net.ipv4.ip_forward', '1');
  if (!fwd.ok) throw new Error(fwd.error);
  return { world, client, director, rs, rsEth0 };
}

export function ipt(ns: NetNamespace, line: string): void {
  const out = runIptables(iptablesOf(ns), splitWords(line));
  if (out.exitCode !== 0) throw new Error(`iptables ${line}: ${out.stderr}`);
}

export function ipvsadm(ns: NetNamespace, line: string): string {
  const r = runIpvsadm(ns, ['ipvsadm', ...splitWords(line)]);
  if (r.exitCode !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  return r.stdout;
}

export interface Served {
  readonly server: string;
  /** The client address and port as the server saw them. */
  readonly peer: string;
  /** The address the client connected to, as the server saw it. */
  readonly local: string;
}

/** A TCP server on `port` in `ns` that writes `name` to every connection and records it. */
export function tcpServer(ns: NetNamespace, port: number, name: string, log: Served[]): TcpSocket {
  const sock = socketsOf(ns).tcp();
  const b = sock.bind(0, port);
  if (!b.ok) throw new Error(`bind: ${b.errno}`);
  const l = sock.listen();
  if (!l.ok) throw new Error(`listen: ${l.errno}`);
  sock.onAccept = child => {
    log.push({ server: name, peer: `${formatIpv4(child.remoteAddr)}:${child.remotePort}`, local: `${formatIpv4(child.localAddr)}:${child.localPort}` });
    child.send(name);
  };
  return sock;
}

/** Connects from `ns` to `to` (`a.b.c.d:port`); `got` collects what the server wrote. */
export function tcpConnect(ns: NetNamespace, to: string): { sock: TcpSocket; got: string[]; errors: string[] } {
  const sock = socketsOf(ns).tcp();
  const got: string[] = [];
  const errors: string[] = [];
  sock.onData = bytes => got.push(new TextDecoder().decode(bytes));
  sock.onError = errno => errors.push(errno);
  const [a, p] = to.split(':');
  const r = sock.connect(mustParseIpv4(a!), Number(p));
  if (!r.ok) throw new Error(`connect: ${r.errno}`);
  return { sock, got, errors };
}
