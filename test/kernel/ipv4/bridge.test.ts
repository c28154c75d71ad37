// IPv4 over the device layer's bridge and veth pairs, in the shape of Docker's default bridge:
// containers talk to each other through br0 (no routing, no TTL change) and to the host's
// br0 address; the host routes between the bridge and an uplink with ip_forward on.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { formatNeigh, formatRoute, ipOutput, ipv4Of } from '../../../src/kernel/index.js';
import { bridgeTopology } from '../../support/topology.js';
import { addr, add, cidr, ip, mac, must, ping, sent, sink, sysctl, udp, up } from './fakes.js';

function docker() {
  const t = bridgeTopology(2);
  const root = t.host.rootNs;
  up(root.device('lo')!);
  addr(t.br, '172.17.0.1/16', { broadcast: '+' });
  t.containers.forEach((c, i) => {
    addr(c.eth0, `172.17.0.${i + 2}/16`, { broadcast: '+' });
    must(ipv4Of(c.ns).routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('172.17.0.1') }));
  });
  return { ...t, root, c1: t.containers[0]!, c2: t.containers[1]! };
}

describe('IPv4 over a bridge', () => {
  it('reaches another container through the bridge without touching the TTL', () => {
    const t = docker();
    const s2 = sink(t.c2.ns);
    sent(ipOutput(t.c1.ns, { dst: ip('172.17.0.3'), payload: udp(1234, 80, 'GET /') }));
    t.world.engine.runUntil(SECOND);
    expect(s2.map(d => [d.ip.src, d.ip.ttl])).toEqual([[ip('172.17.0.2'), 64]]);
    expect(ipv4Of(t.c1.ns).neigh.list().map(e => formatNeigh(e))).toEqual(['172.17.0.3 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE']);
    expect(ipv4Of(t.c1.ns).fib.table(254).all().map(r => formatRoute(r))).toEqual([
      'default via 172.17.0.1 dev eth0',
      '172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2',
    ]);
  });

  it('answers a ping to the bridge address from the host stack', () => {
    const t = docker();
    const s1 = sink(t.c1.ns);
    sent(ping(t.c1.ns, '172.17.0.1'));
    t.world.engine.runUntil(SECOND);
    expect(s1.map(d => [d.ip.src, d.ip.payload.kind === 'icmp' ? d.ip.payload.type : ''])).toEqual([[ip('172.17.0.1'), 'echo-reply']]);
  });

  it('routes from a container out an uplink when the host forwards', () => {
    const t = docker();
    const ext = t.host.addAnonymousNamespace('ext');
    const uplink = add(t.root, { type: 'veth', name: 'eth0', peer: 'eth0', peerNs: ext, mac: mac(0x31), peerMac: mac(0x32) });
    up(uplink, ext.device('eth0')!, ext.device('lo')!);
    addr(uplink, '10.0.0.11/24');
    addr(ext.device('eth0')!, '10.0.0.100/24');
    must(ipv4Of(ext).routeAdd({ dst: cidr('172.17.0.0/16'), gateway: ip('10.0.0.11') }));
    const extSock = sink(ext);
    sent(ipOutput(t.c1.ns, { dst: ip('10.0.0.100'), payload: udp(40000, 53, 'q') }));
    t.world.engine.runUntil(SECOND);
    expect(extSock).toEqual([]);
    expect(t.root.drops.get('forwarding-disabled')).toBe(1);
    sysctl(t.root, 'net.ipv4.ip_forward', '1');
    sent(ipOutput(t.c1.ns, { dst: ip('10.0.0.100'), payload: udp(40000, 53, 'q') }));
    t.world.engine.runUntil(2 * SECOND);
    expect(extSock.map(d => [d.ip.src, d.ip.ttl])).toEqual([[ip('172.17.0.2'), 63]]);
  });
});
