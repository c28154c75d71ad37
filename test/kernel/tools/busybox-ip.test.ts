// busybox 1.35's `ip` applet, as `docker exec c1 ip ...` runs it in a busybox container: its
// formats differ from iproute2 6.x (no group/mode/link-netnsid, `@ifN` with M-DOWN for a peer
// in another namespace, `scope link  src` with two spaces, neighbour ages and probes always).
import { describe, expect, it } from 'vitest';
import { dockerHost } from './docker-host.js';

describe('busybox ip in a container namespace', () => {
  const bb = { userland: 'busybox' as const };

  it('ip addr and ip link', () => {
    const h = dockerHost();
    const link =
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n' +
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';
    const eth0 = '10: eth0@if11: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP \n    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff\n';
    expect(h.ok('ip addr', { ns: h.c1, ...bb })).toBe(
      link +
        '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n' +
        eth0 +
        '    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\n       valid_lft forever preferred_lft forever\n',
    );
    expect(h.ok('ip link', { ns: h.c1, ...bb })).toBe(link + eth0);
    expect(h.ok('ip -4 -o addr show eth0', { ns: h.c1, ...bb })).toBe('10: eth0    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\\       valid_lft forever preferred_lft forever\n');
    expect(h.ok('ip a s dev eth0', { ns: h.c1, ...bb })).toContain('inet 172.17.0.2/16');
  });

  it('ip route, ip route get, ip rule', () => {
    const h = dockerHost();
    expect(h.ok('ip route', { ns: h.c1, ...bb })).toBe('default via 172.17.0.1 dev eth0 \n172.17.0.0/16 dev eth0 scope link  src 172.17.0.2 \n');
    expect(h.ok('ip r get 172.17.0.3', { ns: h.c1, ...bb })).toBe('172.17.0.3 dev eth0  src 172.17.0.2 \n');
    expect(h.ok('ip route get 172.17.0.2', { ns: h.c1, ...bb })).toBe('local 172.17.0.2 dev lo  src 172.17.0.2 \n');
    expect(h.ok('ip route show table all', { ns: h.c1, ...bb })).toContain('local 172.17.0.2 dev eth0 table local scope host  src 172.17.0.2 \n');
    expect(h.ok('ip rule', { ns: h.c1, ...bb })).toBe('0:\tfrom all lookup local \n32766:\tfrom all lookup main \n32767:\tfrom all lookup default \n');
  });

  it('ip neigh after a ping', () => {
    const h = dockerHost();
    h.sh('ping -c 1 -W 1 172.17.0.3', { ns: h.c1, ...bb });
    expect(h.ok('ip neigh', { ns: h.c1, ...bb })).toMatch(/^172\.17\.0\.3 dev eth0 lladdr 02:42:ac:11:00:03 used \d+\/\d+\/\d+ probes \d+ REACHABLE\n$/);
  });

  it('modifies through the same kernel calls, with busybox error texts', () => {
    const h = dockerHost();
    const sh = (line: string): ReturnType<typeof h.sh> => h.sh(line, { ns: h.c1, ...bb });
    expect(sh('ip addr add 10.9.0.1/24 dev eth0').code).toBe(0);
    expect(sh('ip addr add 10.9.0.1/24 dev eth0')).toEqual({ code: 2, stdout: '', stderr: 'ip: RTNETLINK answers: File exists\n' });
    expect(sh('ip addr add 10.9.0.2/24 dev nope')).toEqual({ code: 1, stdout: '', stderr: "ip: can't find device 'nope'\n" });
    expect(sh('ip route add 10.10.0.0/16 via 10.9.0.254').code).toBe(0);
    expect(sh('ip route').stdout).toContain('10.10.0.0/16 via 10.9.0.254 dev eth0 \n');
    expect(sh('ip route add 10.11.0.0/16 via 1.2.3.4')).toEqual({ code: 2, stdout: '', stderr: 'ip: RTNETLINK answers: Invalid argument\n' });
    expect(sh('ip link set nope up')).toEqual({ code: 1, stdout: '', stderr: 'ip: SIOCGIFFLAGS: No such device\n' });
    expect(sh('ip link set eth0 mtu 1400').code).toBe(0);
    expect(sh('ip link show eth0').stdout).toContain(' mtu 1400 ');
    expect(sh('ip neigh add 1.1.1.1 dev eth0')).toEqual({ code: 1, stdout: '', stderr: "ip: invalid argument 'add' to 'ip'\n" });
    expect(sh('ip addr frob')).toEqual({ code: 1, stdout: '', stderr: "ip: invalid argument 'frob' to 'ip'\n" });
    const usage = sh('ip frob');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^BusyBox v1\.35\.0 .*\n\nUsage: ip \[OPTIONS\] address\|route\|link\|tunnel\|neigh\|rule \[COMMAND\]\n/);
  });

  it('the host userland in the same namespace prints iproute2 6.x formats', () => {
    const h = dockerHost();
    expect(h.ok('ip route', { ns: h.c1 })).toBe('default via 172.17.0.1 dev eth0 \n172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2 \n');
  });
});
