// `ip route` and `ip rule` against the kernel's validation, policy routing, `ip route get` and
// source address selection (linux-primitives.md 5.1, 5.2, 5.4).
import { describe, expect, it } from 'vitest';
import { formatRoute, formatRouteGet, ipv4Of, routeGet, routeOutput } from '../../../src/kernel/index.js';
import { linkSetDown } from '../../../src/kernel/devices/index.js';
import { add, addr, cidr, ip, must, newHost, newWorld, up } from './fakes.js';

function setup() {
  const world = newWorld();
  const host = newHost(world, 'h');
  const ns = host.addAnonymousNamespace('c');
  const eth0 = add(ns, { type: 'dummy', name: 'eth0' });
  const eth1 = add(ns, { type: 'dummy', name: 'eth1' });
  up(ns.device('lo')!, eth0, eth1);
  addr(eth0, '10.0.0.2/24');
  addr(eth1, '192.168.1.5/24');
  return { ns, eth0, eth1, st: ipv4Of(ns) };
}

describe('ip route add / del / replace', () => {
  it('answers with the kernel errors iproute2 prints', () => {
    const { ns, eth0, st } = setup();
    expect(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('172.16.0.1') })).toMatchObject({ ok: false, error: 'Error: Nexthop has invalid gateway.', exitCode: 2 });
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.0.0.1') }));
    expect(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('192.168.1.1') })).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists' });
    // A different metric is a different route.
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('192.168.1.1'), metric: 100 }));
    expect(st.routeDel({ dst: cidr('10.99.0.0/16') })).toMatchObject({ ok: false, error: 'RTNETLINK answers: No such process', exitCode: 2 });
    expect(st.routeAdd({ dst: cidr('10.1.0.1/16'), dev: eth0 })).toMatchObject({ error: 'Error: Invalid prefix for given prefix length.' });
    // A gateway reachable only through another gateway route is not on link.
    expect(st.routeAdd({ dst: cidr('10.7.0.0/16'), gateway: ip('8.8.8.8') })).toMatchObject({ error: 'Error: Nexthop has invalid gateway.' });
    must(st.routeAdd({ dst: cidr('10.7.0.0/16'), gateway: ip('8.8.8.8'), dev: eth0, onlink: true }));
    must(linkSetDown(ns, eth0));
    const eth2 = add(ns, { type: 'dummy', name: 'eth2' });
    expect(st.routeAdd({ dst: cidr('10.8.0.0/16'), dev: eth2 })).toMatchObject({ error: 'Error: Device for nexthop is not up.' });
  });

  it('replaces the route of the same prefix and metric, and deletes by attributes', () => {
    const { st, eth0, eth1 } = setup();
    must(st.routeAdd({ dst: cidr('10.20.0.0/16'), gateway: ip('10.0.0.1') }));
    must(st.routeReplace({ dst: cidr('10.20.0.0/16'), gateway: ip('192.168.1.1') }));
    expect(st.fib.table(254).exact(ip('10.20.0.0'), 16).map(r => formatRoute(r))).toEqual(['10.20.0.0/16 via 192.168.1.1 dev eth1']);
    expect(st.routeDel({ dst: cidr('10.20.0.0/16'), dev: eth0 }).ok).toBe(false);
    expect(st.routeDel({ dst: cidr('10.20.0.0/16'), dev: eth1 }).ok).toBe(true);
  });

  it('prints blackhole, unreachable and prohibit routes and fails lookups with their errors', () => {
    const { ns, st } = setup();
    must(st.routeAdd({ dst: cidr('10.30.0.0/16'), type: 'blackhole' }));
    must(st.routeAdd({ dst: cidr('10.31.0.0/16'), type: 'unreachable' }));
    must(st.routeAdd({ dst: cidr('10.32.0.0/16'), type: 'prohibit' }));
    expect(st.fib.table(254).all().slice(1, 4).map(r => formatRoute(r))).toEqual(['blackhole 10.30.0.0/16', 'unreachable 10.31.0.0/16', 'prohibit 10.32.0.0/16']);
    expect(routeGet(ns, ip('10.30.1.1'))).toMatchObject({ ok: false, error: 'RTNETLINK answers: Invalid argument' });
    expect(routeGet(ns, ip('10.31.1.1'))).toMatchObject({ ok: false, error: 'RTNETLINK answers: No route to host' });
    expect(routeGet(ns, ip('10.32.1.1'))).toMatchObject({ ok: false, error: 'RTNETLINK answers: Permission denied' });
    expect(routeGet(ns, ip('8.8.8.8'))).toMatchObject({ ok: false, error: 'RTNETLINK answers: Network is unreachable', exitCode: 2 });
  });
});

describe('ip route get', () => {
  it('prints the output route with the chosen source, and local routes through lo', () => {
    const { ns, st } = setup();
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.0.0.1') }));
    expect(formatRouteGet(must(routeGet(ns, ip('8.8.8.8'))))).toBe('8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.2 uid 0\n    cache');
    expect(formatRouteGet(must(routeGet(ns, ip('192.168.1.5'))))).toBe('local 192.168.1.5 dev lo src 192.168.1.5 uid 0\n    cache <local>');
    expect(formatRouteGet(must(routeGet(ns, ip('192.168.1.9'))))).toBe('192.168.1.9 dev eth1 src 192.168.1.5 uid 0\n    cache');
  });
});

describe('policy rules', () => {
  it('has the three default rules and numbers a new one 32765', () => {
    const { st } = setup();
    expect(st.fib.rules.list().map(r => [r.priority, r.table])).toEqual([
      [0, 255],
      [32766, 254],
      [32767, 253],
    ]);
    const r = must(st.ruleAdd({ fwmark: 1, table: 100 }));
    expect(r.priority).toBe(32765);
    expect(st.ruleAdd({ fwmark: 1, table: 100, priority: 32765 })).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists' });
    expect(st.ruleDel({ table: 77 })).toMatchObject({ ok: false, error: 'RTNETLINK answers: No such file or directory' });
  });

  it('routes by fwmark, source and throw as the rules say', () => {
    const { ns, st } = setup();
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('10.0.0.1') }));
    must(st.routeAdd({ dst: cidr('0.0.0.0/0'), gateway: ip('192.168.1.1'), table: 100 }));
    must(st.routeAdd({ dst: cidr('172.16.0.0/12'), type: 'throw', table: 100 }));
    must(st.ruleAdd({ fwmark: 0x1, table: 100 }));
    must(st.ruleAdd({ from: cidr('192.168.1.5/32'), table: 100 }));
    expect(must(routeGet(ns, ip('8.8.8.8'))).gateway).toBe(ip('10.0.0.1'));
    expect(must(routeGet(ns, ip('8.8.8.8'), { mark: 1 })).gateway).toBe(ip('192.168.1.1'));
    expect(must(routeGet(ns, ip('8.8.8.8'), { src: ip('192.168.1.5') })).gateway).toBe(ip('192.168.1.1'));
    // throw: table 100 gives up and main answers.
    expect(must(routeGet(ns, ip('172.16.3.3'), { mark: 1 })).gateway).toBe(ip('10.0.0.1'));
  });
});

describe('source address selection', () => {
  it('uses prefsrc, then a primary in the gateway subnet, then any primary address', () => {
    const { ns, eth0, st } = setup();
    addr(eth0, '10.50.0.9/24');
    must(st.routeAdd({ dst: cidr('10.60.0.0/16'), gateway: ip('10.50.0.1') }));
    must(st.routeAdd({ dst: cidr('10.61.0.0/16'), gateway: ip('10.0.0.1'), src: ip('192.168.1.5') }));
    const out = (dst: string) => {
      const d = routeOutput(st, { dst: ip(dst) });
      if (!d.ok) throw new Error(d.errno);
      return d.src;
    };
    expect(out('10.60.1.1')).toBe(ip('10.50.0.9'));
    expect(out('10.61.1.1')).toBe(ip('192.168.1.5'));
    expect(out('10.0.0.77')).toBe(ip('10.0.0.2'));
    // A device without addresses borrows one from another device (lo's 127.0.0.1 is scope host: skipped).
    const eth3 = add(ns, { type: 'dummy', name: 'eth3' });
    up(eth3);
    must(st.routeAdd({ dst: cidr('10.70.0.0/16'), dev: eth3 }));
    expect(out('10.70.0.1')).toBe(ip('10.0.0.2'));
    expect(st.routeAdd({ dst: cidr('10.71.0.0/16'), dev: eth3, src: ip('1.2.3.4') })).toMatchObject({ error: 'Error: Invalid prefsrc address.' });
  });
});

describe('route output with a given source', () => {
  it('accepts any source a local route covers, as __ip_dev_find does, and refuses others', () => {
    const { st } = setup();
    // 127.0.0.11 (Docker's resolver) has no address of its own: lo's local 127.0.0.0/8 covers it.
    const viaLo = routeOutput(st, { dst: ip('127.0.0.1'), src: ip('127.0.0.11') });
    expect(viaLo).toMatchObject({ ok: true, type: 'local', src: ip('127.0.0.11') });
    // Leaving through a device without route_localnet, a 127/8 source is still refused.
    expect(routeOutput(st, { dst: ip('10.0.0.77'), src: ip('127.0.0.11') })).toMatchObject({ ok: false, errno: 'EINVAL' });
    // An address neither assigned nor covered by a local route is not a source.
    expect(routeOutput(st, { dst: ip('10.0.0.77'), src: ip('10.0.0.3') })).toMatchObject({ ok: false, errno: 'EINVAL' });
    // A local route added by hand makes its whole prefix usable (AnyIP).
    must(st.routeAdd({ dst: cidr('10.99.0.0/24'), type: 'local', dev: st.ns.device('lo')! }));
    expect(routeOutput(st, { dst: ip('10.0.0.77'), src: ip('10.99.0.7') })).toMatchObject({ ok: true, src: ip('10.99.0.7') });
  });
});
