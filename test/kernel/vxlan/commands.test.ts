// `ip link add ... type vxlan` and `bridge fdb ... dev vxlan0` as iproute2 answers them: the
// dstport warning, argument and kernel errors, the FDB subcommands, the UDP socket bound while
// the device is up, the lower device's removal, and a tunnel moved into another namespace (the
// way Docker's overlay driver places its vxlan0).
import { describe, expect, it } from 'vitest';
import { linkAdd, socketsOf, World, VxlanDevice } from '../../../src/kernel/index.js';
import { installDevices } from '../../../src/kernel/devices/index.js';
import { mustParseIpv4 } from '../../../src/packet/index.js';
import { configureHost, overlayIp, remoteLab, twoHosts, underlayIp } from './lab.js';

const WARNING =
  'vxlan: destination port not specified\n' +
  'Will use Linux kernel default (non-standard value)\n' +
  "Use 'dstport 4789' to get the IANA assigned value\n" +
  "Use 'dstport 0' to get default and suppress this message\n";

function oneHost() {
  const lab = twoHosts();
  lab.h1.ok('ip link set eth0 up');
  lab.h1.ok('ip addr add 10.0.0.11/24 dev eth0');
  return lab.h1;
}

describe('ip link add type vxlan', () => {
  it('without dstport: iproute2 warns, the kernel uses 8472 and binds it when the device comes up', () => {
    const h = oneHost();
    expect(h.sh('ip link add vxlan0 type vxlan id 42 dev eth0')).toEqual({ code: 0, stdout: '', stderr: WARNING });
    expect(h.ok('ip -d link show vxlan0')).toContain('\n    vxlan id 42 dev eth0 srcport 0 0 dstport 8472 ttl auto ageing 300 udpcsum ');
    expect(h.ok('ss -uan')).not.toContain(':8472');
    h.ok('ip link set vxlan0 up');
    expect(h.ok('ss -uan')).toContain('0.0.0.0:8472');
    h.ok('ip link set vxlan0 down');
    expect(h.ok('ss -uan')).not.toContain(':8472');
    h.ok('ip link set vxlan0 up');
    h.ok('ip link del vxlan0');
    expect(h.ok('ss -uan')).not.toContain(':8472');
    expect(h.sh('ip link add vxlan1 type vxlan id 43 dstport 0').stderr).toBe('');
  });

  it('MTU: lower MTU - 50 with `dev`, 1500 without, an explicit MTU above the limit is clamped', () => {
    const h = oneHost();
    h.ok('ip link add vx1 type vxlan id 1 dstport 4789 dev eth0');
    h.ok('ip link add vx2 type vxlan id 2 dstport 4789');
    h.ok('ip link add vx3 mtu 9000 type vxlan id 3 dstport 4789 dev eth0');
    h.ok('ip link add vx4 mtu 1400 type vxlan id 4 dstport 4789 dev eth0');
    const mtu = (n: string): string => /mtu (\d+)/.exec(h.ok(`ip link show ${n}`))![1]!;
    expect([mtu('vx1'), mtu('vx2'), mtu('vx3'), mtu('vx4')]).toEqual(['1450', '1500', '1450', '1400']);
  });

  it('argument and kernel errors', () => {
    const h = oneHost();
    h.ok('ip link add vxlan0 type vxlan id 42 dstport 4789');
    const cases: [string, number, string][] = [
      ['ip link add vx type vxlan dstport 4789', 255, 'vxlan: missing virtual network identifier\n'],
      ['ip link add vx type vxlan id 16777216 dstport 4789', 255, 'Error: argument "16777216" is wrong: invalid id\n'],
      ['ip link add vx type vxlan id 1 group 239.1.1.1 dstport 4789', 255, "vxlan: 'group' requires 'dev' to be specified\n"],
      ['ip link add vx type vxlan id 1 remote 239.1.1.1', 255, 'Error: argument "239.1.1.1" is wrong: invalid remote address\n'],
      ['ip link add vx type vxlan id 1 remote 10.0.0.1 group 239.1.1.1', 255, 'vxlan: both group and remote cannot be specified\n'],
      ['ip link add vx type vxlan id 1 dev eth9', 255, 'Cannot find device "eth9"\n'],
      ['ip link add vx type vxlan id 1 dstport 4789 bogus', 255, 'vxlan: unknown command "bogus"?\n'],
      ['ip link add vx type vxlan id 42 dstport 4789', 2, 'Error: A VXLAN device with the specified VNI already exists.\n'],
      ['ip link add vxlan0 type vxlan id 7 dstport 4789', 2, 'RTNETLINK answers: File exists\n'],
    ];
    for (const [line, code, stderr] of cases) expect(h.sh(line), line).toEqual({ code, stdout: '', stderr });
    // Another dstport makes the same VNI a different tunnel.
    h.ok('ip link add vx type vxlan id 42 dstport 4790');
  });

  it('up fails with EADDRINUSE when another socket holds the port; the device stays down', () => {
    const h = oneHost();
    const sock = socketsOf(h.host.rootNs).udp();
    expect(sock.bind(0, 4789).ok).toBe(true);
    h.ok('ip link add vxlan0 type vxlan id 42 dstport 4789');
    expect(h.sh('ip link set vxlan0 up')).toEqual({ code: 2, stdout: '', stderr: 'RTNETLINK answers: Address already in use\n' });
    expect(h.ok('ip link show vxlan0')).toContain('state DOWN');
    sock.close();
    h.ok('ip link set vxlan0 up');
    expect(h.ok('ip link show vxlan0')).toContain('<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN');
  });

  it('the lower device leaving the namespace takes the vxlan devices on it', () => {
    const h = oneHost();
    h.ok('ip link add vxlan0 type vxlan id 42 dstport 4789 dev eth0');
    h.ok('ip link add vxlan1 type vxlan id 43 dstport 4789');
    h.ok('ip netns add other');
    h.ok('ip link set eth0 netns other');
    expect(h.sh('ip link show vxlan0')).toMatchObject({ code: 1, stderr: 'Device "vxlan0" does not exist.\n' });
    h.ok('ip link show vxlan1');
  });

  it('linkAdd: the kernel API, and "Unknown device type" on a kernel without the vxlan module', () => {
    const h = oneHost();
    const made = linkAdd(h.host.rootNs, { type: 'vxlan', name: 'vx0', id: 4096, dstPort: 4789, remote: mustParseIpv4('10.0.0.12'), dev: 'eth0', learning: false });
    expect(made.ok && made.value instanceof VxlanDevice && made.value.mtu).toBe(1450);
    const bare = new World().addHost('bare');
    installDevices(bare);
    expect(linkAdd(bare.rootNs, { type: 'vxlan', name: 'vx0', id: 1 })).toMatchObject({ ok: false, error: 'Error: Unknown device type.' });
  });
});

describe('bridge fdb on a vxlan device', () => {
  it('add, append, replace, del with the kernel answers and the dump format', () => {
    const h = oneHost();
    h.ok('ip link add vxlan0 type vxlan id 42 dstport 4789 dev eth0 remote 10.0.0.12');
    const show = (): string => h.ok('bridge fdb show dev vxlan0');
    expect(h.sh('bridge fdb add 02:00:00:00:00:01 dev vxlan0')).toEqual({ code: 255, stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n' });
    h.ok('bridge fdb add 02:00:00:00:00:01 dev vxlan0 dst 10.0.0.13');
    expect(h.sh('bridge fdb add 02:00:00:00:00:01 dev vxlan0 dst 10.0.0.14')).toEqual({ code: 255, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
    h.ok('bridge fdb replace 02:00:00:00:00:01 dev vxlan0 dst 10.0.0.14 port 8472 vni 7 static');
    h.ok('bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.15 via eth0');
    expect(h.sh('bridge fdb replace 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.16')).toEqual({ code: 255, stdout: '', stderr: 'Error: Cannot replace non-unicast fdb entries.\n' });
    expect(show()).toBe(
      '02:00:00:00:00:01 dst 10.0.0.14 port 8472 vni 7 self static\n' +
        '00:00:00:00:00:00 dst 10.0.0.12 via eth0 self permanent\n' +
        '00:00:00:00:00:00 dst 10.0.0.15 via eth0 self permanent\n',
    );
    expect(h.ok('bridge fdb show')).toContain('02:00:00:00:00:01 dev vxlan0 dst 10.0.0.14 port 8472 vni 7 self static\n');
    // A `dst` that matches no remote (here: without `via`) is ignored, as Linux does.
    h.ok('bridge fdb del 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.15');
    expect(show()).toContain('dst 10.0.0.15 via eth0');
    h.ok('bridge fdb del 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.15 via eth0');
    h.ok('bridge fdb del 02:00:00:00:00:01 dev vxlan0');
    expect(show()).toBe('00:00:00:00:00:00 dst 10.0.0.12 via eth0 self permanent\n');
    expect(h.sh('bridge fdb del 02:00:00:00:00:01 dev vxlan0')).toEqual({ code: 255, stdout: '', stderr: 'RTNETLINK answers: No such file or directory\n' });
    expect(h.sh('bridge -s fdb show dev vxlan0').stdout).toBe('00:00:00:00:00:00 dst 10.0.0.12 via eth0 used 0/0 self permanent\n');
  });
});

describe('vxlan moved into another namespace (link-netns)', () => {
  it('keeps its socket and routes in the creating namespace; ip and bridge print link-netnsid', () => {
    const lab = twoHosts();
    for (const [h, n] of [[lab.h1, 1], [lab.h2, 2]] as const) {
      const peer = n === 1 ? 2 : 1;
      h.ok('ip link set eth0 up');
      h.ok(`ip addr add ${underlayIp(n)}/24 dev eth0`);
      h.ok('ip netns add ovl');
      h.ok('ip netns add ns1');
      h.ok(`ip link add vxlan0 type vxlan id 4096 dstport 4789 remote ${underlayIp(peer)} dev eth0`);
      h.ok('ip link set vxlan0 netns ovl');
      h.ok('ip -n ovl link add br0 type bridge');
      h.ok('ip -n ovl link set vxlan0 master br0');
      h.ok('ip -n ovl link add veth0 type veth peer name eth0 netns ns1');
      h.ok('ip -n ovl link set veth0 master br0');
      for (const d of ['br0', 'vxlan0', 'veth0']) h.ok(`ip -n ovl link set ${d} up`);
      h.ok(`ip -n ns1 addr add ${overlayIp(n)}/24 dev eth0`);
      h.ok('ip -n ns1 link set eth0 up');
    }
    expect(lab.h1.sh(`ip netns exec ns1 ping -c 1 ${overlayIp(2)}`).code).toBe(0);
    expect(lab.h1.ok('ss -uan')).toContain('0.0.0.0:4789');
    const link = lab.h1.ok('ip -n ovl -d link show vxlan0');
    expect(link).toMatch(/brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 1 /);
    expect(link).toContain('\n    vxlan id 4096 remote 10.0.0.12 dev if2 srcport 0 0 dstport 4789 ');
    expect(lab.h1.ok('bridge -n ovl fdb show dev vxlan0')).toContain('00:00:00:00:00:00 dst 10.0.0.12 via ifindex 2 link-netnsid 0 self permanent\n');
    const encap = lab.world.trace.records.find(r => r.kind === 'encap');
    expect(encap?.location).toEqual({ host: 'host1', netns: 'ovl', device: 'vxlan0' });
    expect(encap?.detail['linkNetns']).toBe('root');
  });
});

describe('proxy, l3miss', () => {
  it('proxy answers ARP from the neighbour table on vxlan0, so only the ICMP crosses the tunnel', () => {
    const lab = twoHosts();
    for (const [h, n] of [[lab.h1, 1], [lab.h2, 2]] as const) {
      const peer = n === 1 ? 2 : 1;
      configureHost(h, n, 'id 42 dstport 4789 dev eth0 proxy nolearning');
      h.ok(`ip neigh add ${overlayIp(peer)} lladdr 02:00:00:00:42:0${peer} dev vxlan0 nud permanent`);
      h.ok(`bridge fdb add 02:00:00:00:42:0${peer} dev vxlan0 dst ${underlayIp(peer)}`);
    }
    expect(lab.h1.sh(`ip netns exec ns1 ping -c 1 ${overlayIp(2)}`).code).toBe(0);
    const encaps = lab.world.trace.records.filter(r => r.kind === 'encap');
    expect(encaps).toHaveLength(2);
    const answered = lab.world.trace.records.filter(r => r.kind === 'note' && r.detail['what'] === 'proxy: ARP answered from the neighbour table');
    expect(answered.map(r => `${r.location.host}:${String(r.detail['ip'])}`)).toEqual(['host1:192.168.42.2', 'host2:192.168.42.1']);
  });

  it('l3miss: a proxied ARP request without a neighbour entry is reported and consumed', () => {
    const lab = twoHosts();
    configureHost(lab.h1, 1, 'id 42 dstport 4789 dev eth0 proxy l3miss');
    expect(lab.h1.sh(`ip netns exec ns1 ping -c 1 -W 1 ${overlayIp(2)}`).code).not.toBe(0);
    const miss = lab.world.trace.records.filter(r => r.kind === 'note' && r.detail['what'] === 'l3miss');
    expect(miss.length).toBeGreaterThan(0);
    expect(miss[0]!.detail['ip']).toBe(overlayIp(2));
    expect(lab.world.trace.records.filter(r => r.kind === 'encap')).toHaveLength(0);
  });

  it('without `dev` the default entry has no `via` (the route picks the device per packet)', () => {
    const lab = remoteLab();
    lab.h1.ok('ip link add vx7 type vxlan id 7 dstport 4789 remote 10.0.0.12');
    expect(lab.h1.ok('bridge fdb show dev vx7')).toBe('00:00:00:00:00:00 dst 10.0.0.12 self permanent\n');
  });
});
