// Addresses and the routes they bring, per linux-primitives.md 5.3, through link up and down,
// plus the iproute2 errors of `ip addr`.
import { describe, expect, it } from 'vitest';
import { formatInet, formatRoute, ipv4Of, type NetNamespace } from '../../../src/kernel/index.js';
import { linkSetDown, linkSetNs } from '../../../src/kernel/devices/index.js';
import { add, addr, cidr, ip, must, newHost, newWorld, sysctl, up } from './fakes.js';

function table(ns: NetNamespace, id: number): string[] {
  return ipv4Of(ns)
    .fib.table(id)
    .all()
    .map(r => formatRoute(r));
}

function setup() {
  const world = newWorld();
  const host = newHost(world, 'h');
  const ns = host.addAnonymousNamespace('c');
  const eth0 = add(ns, { type: 'dummy', name: 'eth0' });
  return { world, ns, eth0, st: ipv4Of(ns) };
}

describe('routes created by addresses', () => {
  it('adds only the local route while the device is down, the rest when it comes up', () => {
    const { ns, eth0 } = setup();
    addr(eth0, '172.17.0.2/16', { broadcast: '+' });
    expect(table(ns, 255)).toEqual(['local 172.17.0.2 dev eth0 proto kernel scope host src 172.17.0.2']);
    expect(table(ns, 254)).toEqual([]);
    up(eth0);
    expect(table(ns, 254)).toEqual(['172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2']);
    // Kernels since 5.14: no broadcast route for the network address itself.
    expect(table(ns, 255)).toEqual([
      'local 172.17.0.2 dev eth0 proto kernel scope host src 172.17.0.2',
      'broadcast 172.17.255.255 dev eth0 proto kernel scope link src 172.17.0.2',
    ]);
  });

  it('removes connected and broadcast routes on down and brings them back on up', () => {
    const { ns, eth0 } = setup();
    up(eth0);
    addr(eth0, '10.1.2.3/24');
    must(linkSetDown(ns, eth0));
    expect(table(ns, 254)).toEqual([]);
    expect(table(ns, 255)).toEqual(['local 10.1.2.3 dev eth0 proto kernel scope host src 10.1.2.3']);
    up(eth0);
    expect(table(ns, 254)).toEqual(['10.1.2.0/24 dev eth0 proto kernel scope link src 10.1.2.3']);
    expect(table(ns, 255)).toHaveLength(2);
  });

  it('loses static routes through a device that goes down, for good', () => {
    const { ns, eth0, st } = setup();
    up(eth0);
    addr(eth0, '10.1.2.3/24');
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.1.2.1') }));
    must(st.routeAdd({ dst: cidr('192.168.0.0/16'), dev: eth0 }));
    expect(table(ns, 254)).toEqual(['default via 10.1.2.1 dev eth0', '10.1.2.0/24 dev eth0 proto kernel scope link src 10.1.2.3', '192.168.0.0/16 dev eth0 scope link']);
    must(linkSetDown(ns, eth0));
    up(eth0);
    expect(table(ns, 254)).toEqual(['10.1.2.0/24 dev eth0 proto kernel scope link src 10.1.2.3']);
  });

  it('gives no connected or broadcast route for /32, and none for noprefixroute', () => {
    const { ns, eth0 } = setup();
    up(eth0);
    addr(eth0, '10.9.9.9/32');
    addr(eth0, '10.2.0.1/16', { noprefixroute: true });
    expect(table(ns, 254)).toEqual([]);
    expect(table(ns, 255)).toEqual([
      'local 10.2.0.1 dev eth0 proto kernel scope host src 10.2.0.1',
      'broadcast 10.2.255.255 dev eth0 proto kernel scope link src 10.2.0.1',
      'local 10.9.9.9 dev eth0 proto kernel scope host src 10.9.9.9',
    ]);
  });

  it('makes a second address of a subnet secondary: local route only, with the primary as src', () => {
    const { ns, eth0, st } = setup();
    up(eth0);
    addr(eth0, '10.0.0.1/24');
    const second = addr(eth0, '10.0.0.2/24');
    expect(second.secondary).toBe(true);
    expect(formatInet(second)).toBe('    inet 10.0.0.2/24 scope global secondary eth0\n       valid_lft forever preferred_lft forever');
    expect(table(ns, 254)).toEqual(['10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1']);
    expect(table(ns, 255)).toContain('local 10.0.0.2 dev eth0 proto kernel scope host src 10.0.0.1');
    // Deleting the primary takes the secondary with it (promote_secondaries=0).
    must(st.addrDel(eth0, ip('10.0.0.1'), 24));
    expect(st.addrs.of(eth0)).toEqual([]);
    expect(table(ns, 254)).toEqual([]);
    expect(table(ns, 255)).toEqual([]);
  });

  it('promotes the secondary with promote_secondaries=1', () => {
    const { ns, eth0, st } = setup();
    sysctl(ns, 'net.ipv4.conf.eth0.promote_secondaries', '1');
    up(eth0);
    addr(eth0, '10.0.0.1/24');
    addr(eth0, '10.0.0.2/24');
    must(st.addrDel(eth0, ip('10.0.0.1'), 24));
    expect(st.addrs.of(eth0).map(a => [a.address, a.secondary])).toEqual([[ip('10.0.0.2'), false]]);
    expect(table(ns, 254)).toEqual(['10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2']);
  });

  it('assigns 127.0.0.1/8 scope host when lo comes up, with the routes Linux shows', () => {
    const { ns } = setup();
    const lo = ns.device('lo')!;
    expect(ipv4Of(ns).addrs.of(lo)).toEqual([]);
    up(lo);
    expect(ipv4Of(ns).addrs.of(lo).map(a => formatInet(a).split('\n')[0])).toEqual(['    inet 127.0.0.1/8 scope host lo']);
    expect(table(ns, 255)).toEqual([
      'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1',
      'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1',
      'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1',
    ]);
  });

  it('removes an address routes and every route through a device left without addresses', () => {
    const { ns, eth0, st } = setup();
    up(eth0);
    addr(eth0, '10.1.0.1/24');
    must(st.routeAdd({ dst: cidr('10.5.0.0/16'), gateway: ip('10.1.0.254') }));
    must(st.addrDel(eth0, ip('10.1.0.1'), 24));
    expect(table(ns, 254)).toEqual([]);
    expect(table(ns, 255)).toEqual([]);
  });

  it('answers with the iproute2 errors', () => {
    const { eth0, st } = setup();
    addr(eth0, '10.0.0.1/24');
    const dup = st.addrAdd(eth0, cidr('10.0.0.1/24'));
    // Kernel 6.3 and later (inet_rtm_newaddr sets the extack message).
    expect(dup).toMatchObject({ ok: false, errno: 'EEXIST', error: 'Error: ipv4: Address already assigned.', exitCode: 2 });
    // Even with another scope, label or metric: find_matching_ifa comes before the scope check.
    addr(eth0, '10.0.0.2/24');
    expect(st.addrAdd(eth0, cidr('10.0.0.2/24'), { scope: 'link', label: 'eth0:1', metric: 5 })).toMatchObject({ error: 'Error: ipv4: Address already assigned.' });
    must(st.addrDel(eth0, ip('10.0.0.2'), 24));
    // Same address with another prefix length is a different address for the kernel.
    expect(st.addrAdd(eth0, cidr('10.0.0.1/16')).ok).toBe(true);
    const scope = st.addrAdd(eth0, cidr('10.0.0.9/24'), { scope: 'link' });
    expect(scope).toMatchObject({ ok: false, error: 'Error: ipv4: Invalid scope value.' });
    expect(st.addrDel(eth0, ip('10.0.0.77'), 24)).toMatchObject({ ok: false, error: 'Error: ipv4: Address not found.', exitCode: 2 });
    expect(st.addrFlush(eth0)).toBe(2);
    expect(st.addrs.of(eth0)).toEqual([]);
  });

  it('removes addresses and routes of a device moved to another namespace', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const ns = host.rootNs;
    const other = host.addAnonymousNamespace('c');
    const v = add(ns, { type: 'veth', name: 'v0', peer: 'v1' });
    up(v, ns.device('v1')!);
    addr(v, '10.3.0.1/24');
    must(ipv4Of(ns).routeAdd({ dst: cidr('10.4.0.0/16'), gateway: ip('10.3.0.2') }));
    must(linkSetNs(v, other));
    expect(ipv4Of(ns).addrs.all()).toEqual([]);
    expect(table(ns, 254)).toEqual([]);
    expect(ipv4Of(other).addrs.all()).toEqual([]);
  });
});
