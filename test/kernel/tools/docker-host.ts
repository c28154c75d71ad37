// The host of the reference captures (docker-20.10/01-default-bridge) rebuilt through the
// kernel API the way Docker 20.10 programs it, with the captured MACs and interface indexes:
// lo, ifb0/ifb1 (dummies stand in for the unmodelled ifb driver), eth0 192.0.2.2/24 (virtio:
// MTU 1400, max MTU 65535), docker0 172.17.0.1/16 with Docker's explicit 02:42 MAC, and
// containers c1 (172.17.0.2, eth0 = index 10, host side vethcb1a627 = 11) and c2 (172.17.0.3,
// 12/13), whose veth pairs are created in the root namespace and moved, as libnetwork does.
import type { NetDevice, NetNamespace } from '../../../src/kernel/index.js';
import { createPhysical, linkAdd, linkSetMaster, linkSetName, linkSetNs, linkSetUp } from '../../../src/kernel/devices/index.js';
import { ipv4Of } from '../../../src/kernel/ipv4/index.js';
import { setTxQueueLen } from '../../../src/kernel/tools/index.js';
import { mustParseCidr, mustParseIpv4, mustParseMac } from '../../../src/packet/index.js';
import { machine, type Machine } from './harness.js';

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function addr(dev: NetDevice, cidr: string): void {
  must(ipv4Of(dev.netns).addrAdd(dev, mustParseCidr(cidr), { broadcast: '+' }));
}

export interface DockerHost extends Machine {
  readonly c1: NetNamespace;
  readonly c2: NetNamespace;
}

function container(m: Machine, label: string, hostName: string, hostMac: string, ctrMac: string, ip: string): NetNamespace {
  const root = m.host.rootNs;
  const ns = m.host.addAnonymousNamespace(label);
  must(linkSetUp(ns, 'lo'));
  const hostSide = must(linkAdd(root, { type: 'veth', name: hostName, peer: `${hostName}p`, mac: mustParseMac(hostMac), peerMac: mustParseMac(ctrMac) }));
  const peer = root.device(`${hostName}p`)!;
  must(linkSetNs(peer, ns));
  must(linkSetName(ns, peer, 'eth0'));
  must(linkSetMaster(root, hostSide, 'docker0'));
  must(linkSetUp(root, hostSide));
  must(linkSetUp(ns, peer));
  addr(peer, `${ip}/16`);
  must(ipv4Of(ns).routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4('172.17.0.1') }));
  return ns;
}

export function dockerHost(): DockerHost {
  const m = machine(7);
  const root = m.host.rootNs;
  must(linkSetUp(root, 'lo'));
  for (const [name, mac] of [['ifb0', 'c2:32:f5:7d:43:e6'], ['ifb1', '2e:4a:98:ce:50:2a']] as const) {
    setTxQueueLen(must(linkAdd(root, { type: 'dummy', name, mac: mustParseMac(mac) })), 32);
  }
  const eth0 = createPhysical(root, 'eth0', mustParseMac('02:fc:00:00:00:01'), 1400);
  eth0.maxMtu = 65535;
  eth0.link = { up: true, send: () => undefined };
  must(linkSetUp(root, eth0));
  addr(eth0, '192.0.2.2/24');
  must(ipv4Of(root).routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4('192.0.2.1') }));
  const docker0 = must(linkAdd(root, { type: 'bridge', name: 'docker0', mac: mustParseMac('02:42:85:26:89:20') }));
  must(linkSetUp(root, docker0));
  addr(docker0, '172.17.0.1/16');
  root.sysctl.define('net.bridge.bridge-nf-call-iptables', '1');
  root.sysctl.define('net.bridge.bridge-nf-call-ip6tables', '1');
  root.sysctl.set('net.ipv4.ip_forward', '1');
  // Indexes 6-9 went to devices Docker created and deleted before the containers started.
  for (let i = 0; i < 4; i++) root.allocIfindex();
  const c1 = container(m, 'c1', 'vethcb1a627', '4a:af:d8:aa:01:86', '02:42:ac:11:00:02', '172.17.0.2');
  const c2 = container(m, 'c2', 'veth78d0c0e', '7a:f8:79:9e:12:81', '02:42:ac:11:00:03', '172.17.0.3');
  return { ...m, c1, c2 };
}
