// `ip link` and `ip addr` round trips: what iproute2 6.1 printed for the same command sequences
// run on a real 6.x kernel (random MACs replaced by MAC).
import { describe, expect, it } from 'vitest';
import { machine } from './harness.js';

/** Replaces every MAC except all-zeros and broadcast with `MAC`. */
function macs(text: string): string {
  return text.replace(/\b(?!00:00:00:00:00:00|ff:ff:ff:ff:ff:ff)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/g, 'MAC');
}

describe('ip link', () => {
  it('veth pairs, M-DOWN and LOWERLAYERDOWN, rename, nsid names', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip netns add b');
    m.ok('ip -n a link add v0 type veth peer name v1');
    m.ok('ip -n a link set v0 up');
    expect(macs(m.ok('ip -n a link'))).toBe(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '2: v1@v0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff\n' +
        '3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff\n',
    );
    m.ok('ip -n a link set v0 down');
    m.ok('ip -n a link set v0 name vx');
    m.ok('ip -n a link set vx address 02:11:22:33:44:55');
    m.ok('ip -n a link set vx mtu 9000');
    m.ok('ip -n a link set vx up');
    m.ok('ip -n a link set v1 netns b');
    expect(m.ok('ip -n a link show vx')).toBe(
      '3: vx@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 9000 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff link-netns b\n',
    );
    expect(macs(m.ok('ip -n b link'))).toBe(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '2: v1@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netns a\n',
    );
  });

  it('unnamed veth ends get vethN names; show filters by up, type and master', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip -n a link add v0 type veth');
    m.ok('ip -n a link add type veth peer name x1');
    m.ok('ip -n a link add br0 type bridge');
    m.ok('ip -n a link set v0 master br0');
    m.ok('ip -n a link set v0 up');
    expect(macs(m.ok('ip -n a -br link show type veth'))).toBe(
      'veth0@v0         DOWN           MAC <BROADCAST,MULTICAST> \n' +
        'v0@veth0         LOWERLAYERDOWN MAC <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n' +
        'x1@veth1         DOWN           MAC <BROADCAST,MULTICAST,M-DOWN> \n' +
        'veth1@x1         DOWN           MAC <BROADCAST,MULTICAST,M-DOWN> \n',
    );
    expect(m.ok('ip -n a -br link show up')).toMatch(/^v0@veth0 +LOWERLAYERDOWN +\S+ <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n$/);
    expect(m.ok('ip -n a -o link show master br0')).toMatch(/^3: v0@veth0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue master br0 state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\\ {4}link\/ether \S+ brd ff:ff:ff:ff:ff:ff\n$/);
    m.ok('ip -n a link set v0 nomaster');
    expect(m.ok('ip -n a link show master br0')).toBe('');
  });

  it('-d prints the kind lines: veth, macvlan, vlan, dummy', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip -n a link add v0 type veth peer name v1');
    m.ok('ip -n a link add mv1 link v0 type macvlan');
    m.ok('ip -n a link add link v0 name v0.10 type vlan id 10');
    m.ok('ip -n a link add d0 type dummy');
    m.ok('ip -n a link set v0 txqueuelen 500');
    expect(macs(m.ok('ip -n a -d link show v0'))).toBe(
      '3: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 500\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n' +
        '    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n',
    );
    // The lower device is down, so M-DOWN. (Linux reports maxmtu 65535 for a macvlan and checks
    // the lower device's MTU only when one is set; the device layer keeps the lower MTU here.)
    expect(macs(m.ok('ip -n a -d link show mv1'))).toMatch(
      new RegExp(
        '^4: mv1@v0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\n' +
          ' {4}link/ether MAC brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu \\d+ \\n' +
          ' {4}macvlan mode vepa bcqueuelen 1000 usedbcqueuelen 1000 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \\n$',
      ),
    );
    expect(m.ok('ip -n a -d link show v0.10')).toContain('\n    vlan protocol 802.1Q id 10 <REORDER_HDR> addrgenmode eui64 ');
    expect(macs(m.ok('ip -n a link show d0'))).toBe('6: d0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether MAC brd ff:ff:ff:ff:ff:ff\n');
    m.ok('ip -n a link set d0 up');
    expect(m.ok('ip -n a -br link show d0')).toMatch(/^d0 +UNKNOWN +\S+ <BROADCAST,NOARP,UP,LOWER_UP> \n$/);
  });

  it('-s and -s -s print the counter tables', () => {
    const m = machine();
    expect(m.ok('ip -s -s link show lo')).toBe(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '    RX:  bytes packets errors dropped  missed   mcast           \n' +
        '             0       0      0       0       0       0 \n' +
        '    RX errors:  length    crc   frame    fifo overrun\n' +
        '                     0      0       0       0       0 \n' +
        '    TX:  bytes packets errors dropped carrier collsns           \n' +
        '             0       0      0       0       0       0 \n' +
        '    TX errors: aborted   fifo  window heartbt transns\n' +
        '                     0      0       0       0       0 \n',
    );
  });
});

describe('ip addr', () => {
  function lab(): ReturnType<typeof machine> {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip -n a link add br0 type bridge');
    m.ok('ip -n a link set br0 up');
    return m;
  }

  it('primaries by scope, secondaries last, labels, brd +, host prefixes', () => {
    const m = lab();
    m.ok('ip -n a addr add 10.1.1.1/24 brd + dev br0 label br0:1');
    m.ok('ip -n a addr add 10.1.1.2/24 dev br0');
    m.ok('ip -n a addr add 10.1.1.3 dev br0 scope link');
    m.ok('ip -n a addr add 10.1.2.1/24 dev br0 label foo');
    expect(macs(m.ok('ip -n a addr show dev br0'))).toMatch(
      /^2: br0: <(NO-CARRIER,)?BROADCAST,MULTICAST,UP(,LOWER_UP)?> mtu 1500 qdisc noqueue state \w+ group default qlen 1000\n {4}link\/ether MAC brd ff:ff:ff:ff:ff:ff\n/,
    );
    expect(m.ok('ip -n a -4 -o addr show br0')).toBe(
      '2: br0    inet 10.1.1.3/32 scope link br0\\       valid_lft forever preferred_lft forever\n' +
        '2: br0    inet 10.1.1.1/24 brd 10.1.1.255 scope global br0:1\\       valid_lft forever preferred_lft forever\n' +
        '2: br0    inet 10.1.2.1/24 scope global foo\\       valid_lft forever preferred_lft forever\n' +
        '2: br0    inet 10.1.1.2/24 scope global secondary br0\\       valid_lft forever preferred_lft forever\n',
    );
    m.ok('ip -n a addr del 10.1.1.2/24 dev br0');
    m.ok('ip -n a addr flush dev br0');
    expect(m.ok('ip -n a -4 addr show dev br0')).toBe('');
  });

  it('metric, 127/8 defaults to scope host, -s after the addresses', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip -n a link add v0 type veth peer name v1');
    m.ok('ip -n a link set v0 up');
    m.ok('ip -n a addr add 10.0.0.2/16 dev v0 metric 50');
    m.ok('ip -n a addr add 127.0.0.5/8 dev v0');
    expect(macs(m.ok('ip -n a -s addr show v0'))).toBe(
      '3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000\n' +
        '    link/ether MAC brd ff:ff:ff:ff:ff:ff\n' +
        '    inet 127.0.0.5/8 scope host v0\n' +
        '       valid_lft forever preferred_lft forever\n' +
        '    inet 10.0.0.2/16 metric 50 scope global v0\n' +
        '       valid_lft forever preferred_lft forever\n' +
        '    RX:  bytes packets errors dropped  missed   mcast           \n' +
        '             0       0      0       0       0       0 \n' +
        '    TX:  bytes packets errors dropped carrier collsns           \n' +
        '             0       0      0       0       0       0 \n',
    );
    // `to` selects by local address and turns the family to inet (no link/ether line).
    expect(m.ok('ip -n a addr show to 10.0.0.0/24')).toBe(
      '3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000\n' +
        '    inet 10.0.0.2/16 metric 50 scope global v0\n' +
        '       valid_lft forever preferred_lft forever\n',
    );
    // A label selector prints the matching address lines only.
    expect(m.ok('ip -n a addr show label v0')).toBe(
      '    inet 127.0.0.5/8 scope host v0\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/16 metric 50 scope global v0\n       valid_lft forever preferred_lft forever\n',
    );
    // Under a scope selector, devices without any address stay listed, v0 for its host address.
    const hostScope = macs(m.ok('ip -n a addr show scope host'));
    expect(hostScope).toContain('2: v1@v0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n');
    expect(hostScope).toContain('    inet 127.0.0.5/8 scope host v0\n');
    expect(hostScope).not.toContain('10.0.0.2');
  });

  it('-br addr: name@link, state, then each IPv4 address', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip netns add b');
    m.ok('ip -n a link add v0 type veth peer name v1 netns b');
    m.ok('ip -n a link set lo up');
    m.ok('ip -n a link set v0 up');
    m.ok('ip -n b link set v1 up');
    m.ok('ip -n a addr add 10.0.0.1/24 dev v0');
    expect(m.ok('ip -n a -br addr')).toBe('lo               UNKNOWN        127.0.0.1/8 \nv0@if2           UP             10.0.0.1/24 \n');
    expect(m.ok('ip -n a -4 addr show v0')).toBe(
      '2: v0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns b\n' +
        '    inet 10.0.0.1/24 scope global v0\n' +
        '       valid_lft forever preferred_lft forever\n',
    );
  });
});
