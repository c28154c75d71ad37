// The tools' output on the rebuilt 01-default-bridge host, against the real captures byte for
// byte, after removing what the model deliberately leaves out (IPv6 lines, the `self`
// multicast FDB entries, live bridge timers, the unmodelled ifb devices).
import { describe, expect, it } from 'vitest';
import { capture, captured, haveReference, withoutDevices, withoutInet6, withoutSelfEntries, zeroTimers } from './captures.js';
import { dockerHost } from './docker-host.js';

const D = '01-default-bridge';

describe.skipIf(!haveReference())('01-default-bridge captures (reference captures present)', () => {
  it('host ip addr', () => {
    const h = dockerHost();
    expect(h.ok('ip addr')).toBe(withoutInet6(captured(`${D}/host-2ctr-ip-addr.txt`)));
  });

  it('host ip route', () => {
    const h = dockerHost();
    expect(h.ok('ip route')).toBe(captured(`${D}/host-2ctr-ip-route.txt`));
  });

  it('host ip -d link (timers zeroed, ifb devices and the NIC bus fields left out)', () => {
    const h = dockerHost();
    const real = withoutDevices(zeroTimers(captured(`${D}/host-2ctr-ip-d-link.txt`)), ['ifb0', 'ifb1']).replace(' parentbus virtio parentdev virtio2 ', ' ');
    expect(withoutDevices(h.ok('ip -d link'), ['ifb0', 'ifb1'])).toBe(real);
  });

  it('host bridge fdb show, bridge link, brctl show, sysctl', () => {
    const h = dockerHost();
    expect(h.ok('bridge fdb show')).toBe(withoutSelfEntries(captured(`${D}/host-2ctr-bridge-fdb.txt`)));
    expect(h.ok('bridge link')).toBe(captured(`${D}/host-2ctr-bridge-link.txt`));
    expect(h.ok('brctl show')).toBe(captured(`${D}/host-2ctr-brctl-show.txt`));
    expect(h.ok('sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables')).toBe(captured(`${D}/host-2ctr-sysctl.txt`));
  });

  it('container namespace: ip addr, ip -d link, ip route, ip neigh (host iproute2 through nsenter)', () => {
    const h = dockerHost();
    expect(h.ok('ip addr', { ns: h.c1 })).toBe(withoutInet6(captured(`${D}/ctr-c1-ns-ip-addr.txt`)));
    expect(h.ok('ip -d link', { ns: h.c1 })).toBe(captured(`${D}/ctr-c1-ns-ip-d-link.txt`));
    expect(h.ok('ip route', { ns: h.c1 })).toBe(captured(`${D}/ctr-c1-ns-ip-route.txt`));
    expect(h.ok('ip neigh', { ns: h.c1 })).toBe(captured(`${D}/ctr-c1-ns-ip-neigh.txt`));
    expect(h.ok('ip addr', { ns: h.c2 })).toBe(withoutInet6(captured(`${D}/ctr-c2-ns-ip-addr.txt`)));
  });

  it('after the pings: bridge fdb show br docker0 and the neighbour tables', () => {
    const h = dockerHost();
    for (const target of ['172.17.0.2', '172.17.0.3', '172.17.0.1']) h.sh(`ping -c 1 -W 1 ${target}`, { ns: h.c1, userland: 'busybox' });
    for (const target of ['172.17.0.2', '172.17.0.3', '172.17.0.1']) h.sh(`ping -c 1 -W 1 ${target}`, { ns: h.c2, userland: 'busybox' });
    for (const target of ['172.17.0.2', '172.17.0.3']) h.sh(`ping -c 1 -W 1 ${target}`);
    expect(h.ok('bridge fdb show br docker0')).toBe(withoutSelfEntries(captured(`${D}/bridge-fdb-after-ping.txt`)));
    // Linux dumps neighbours in hash order; the model lists them by address, so compare as sets.
    const lines = (s: string): string[] => s.split('\n').filter(l => l !== '').sort();
    expect(lines(h.ok('ip neigh', { ns: h.c1 }))).toEqual(lines(captured(`${D}/ctr-c1-ns-ip-neigh-after-ping.txt`)));
    const hostNeigh = h.ok('ip neigh show dev docker0').replace(/ (REACHABLE|STALE|DELAY) $/gm, ' STATE ');
    const realNeigh = captured(`${D}/host-ip-neigh-after-ping.txt`).replace(/ (REACHABLE|STALE|DELAY) $/gm, ' STATE ');
    expect(lines(hostNeigh)).toEqual(lines(realNeigh));
  });

  it('fresh daemon: docker0 without ports is NO-CARRIER and its route linkdown', () => {
    const h = dockerHost();
    h.ok('ip link del vethcb1a627');
    h.ok('ip link del veth78d0c0e');
    const addr = h.ok('ip addr');
    const real = withoutInet6(captured(`${D}/host-after-cleanup-ip-addr.txt`));
    expect(addr).toBe(real);
    expect(h.ok('ip route')).toBe(captured(`${D}/host-fresh-ip-route.txt`));
    expect(h.ok('brctl show')).toBe(captured(`${D}/host-fresh-brctl-show.txt`));
    expect(h.ok('bridge link')).toBe(captured(`${D}/host-fresh-bridge-link.txt`));
    expect(capture(`${D}/host-fresh-bridge-link.txt`)[0]!.exit).toBe(0);
  });
});
