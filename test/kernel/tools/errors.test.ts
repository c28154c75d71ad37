// Error texts and exit statuses of `ip`, `bridge` and `sysctl`, as iproute2 6.1 / procps-ng
// 4.0.2 print them on a 6.x kernel. Every expectation below was taken from the real tools run
// as root in throw-away namespaces (see test/differential for the live comparison).
import { describe, expect, it } from 'vitest';
import { machine, type Machine } from './harness.js';

/** Namespace `a` with veth v0/v1 (v0 up, 10.0.0.1/24), bridge br0 (up, 10.1.1.1/24), macvlan mv0 on v0. */
function lab(): Machine {
  const m = machine();
  m.ok('ip netns add a');
  m.ok('ip netns add b');
  for (const c of [
    'link add v0 type veth peer name v1',
    'link add br0 type bridge',
    'link add mv0 link v0 type macvlan mode bridge',
    'link set v0 up',
    'link set br0 up',
    'addr add 10.0.0.1/24 dev v0',
    'addr add 10.1.1.1/24 dev br0',
    'route add blackhole 10.3.0.0/16',
    'route add unreachable 10.4.0.0/16',
    'route add prohibit 10.5.0.0/16',
  ]) m.ok(`ip -n a ${c}`);
  return m;
}

const CASES: readonly (readonly [string, string, number])[] = [
  ['ip -n nope addr', 'Cannot open network namespace "nope": No such file or directory\n', 255],
  ['ip netns add a', 'Cannot create namespace file "/run/netns/a": File exists\n', 1],
  ['ip netns del zz', 'Cannot remove namespace file "/run/netns/zz": No such file or directory\n', 1],
  ['ip netns exec zz ip route', 'Cannot open network namespace "zz": No such file or directory\n', 255],
  ['ip netns exec a nosuchcmd', 'exec of "nosuchcmd" failed: No such file or directory\n', 1],
  ['ip netns foo', 'Command "foo" is unknown, try "ip netns help".\n', 255],
  ['ip netns exec', 'No netns name specified\n', 1],
  ['ip netns exec a', 'No command specified\n', 1],
  ['ip netns add a/b', 'Invalid netns name "a/b"\n', 255],
  ['ip -n a foo', 'Object "foo" is unknown, try "ip help".\n', 1],
  ['ip -foo link', 'Option "-foo" is unknown, try "ip -help".\n', 255],
  ['ip -n a link show nope', 'Device "nope" does not exist.\n', 1],
  ['ip -n a addr show dev nope', 'Device "nope" does not exist.\n', 1],
  ['ip -n a link add v0 type veth peer name v2', 'RTNETLINK answers: File exists\n', 2],
  ['ip -n a link add br0 type bridge', 'RTNETLINK answers: File exists\n', 2],
  ['ip -n a link add foo type nosuch', 'Error: Unknown device type.\n', 2],
  ['ip -n a link add link nope name mv2 type macvlan mode bridge', 'Cannot find device "nope"\n', 1],
  ['ip -n a link add', 'Not enough information: "type" argument is required\n', 1],
  ['ip -n a link add name x0', 'Not enough information: "type" argument is required\n', 1],
  ['ip -n a link add bad/name type bridge', 'Error: argument "bad/name" is wrong: "dev" not a valid ifname\n', 255],
  ['ip -n a link add averyveryverylongname type veth peer name x', 'Error: Attribute failed policy validation.\n', 2],
  ['ip -n a link add mv9 link v0 type macvlan mode bogus', 'Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "bogus"\n', 1],
  ['ip -n a link set v1 master nope', 'Error: argument "nope" is wrong: Device does not exist\n\n', 255],
  ['ip -n a link set v0 master br0', 'RTNETLINK answers: Device or resource busy\n', 2],
  ['ip -n a link set v1 master mv0', 'RTNETLINK answers: Operation not supported\n', 2],
  ['ip -n a link set br0 master br0', 'Error: Can not enslave a bridge to a bridge.\n', 2],
  ['ip -n a link set nope up', 'Cannot find device "nope"\n', 1],
  ['ip -n a link set v0 mtu 70000', 'Error: mtu greater than device maximum.\n', 2],
  ['ip -n a link set v0 mtu 10', 'Error: mtu less than device minimum.\n', 2],
  ['ip -n a link set v0 address zz', '"zz" is invalid lladdr.\n', 1],
  ['ip -n a link set v0 netns nope', 'Error: argument "nope" is wrong: Invalid "netns" value\n\n', 255],
  ['ip -n a link set v0 foo', 'Error: either "dev" is duplicate, or "foo" is a garbage.\n', 255],
  ['ip -n a link set', 'Not enough information: "dev" argument is required.\n', 255],
  ['ip -n a link set up', 'Not enough information: "dev" argument is required.\n', 255],
  ['ip -n a link del', 'Not enough information: "dev" argument is required.\n', 255],
  ['ip -n a link del nope', 'Cannot find device "nope"\n', 1],
  ['ip -n a link del lo', 'RTNETLINK answers: Operation not supported\n', 2],
  ['ip -n a link set dev v1 type bridge_slave hairpin on', 'RTNETLINK answers: Operation not supported\n', 2],
  ['ip -n a link blah', 'Command "blah" is unknown, try "ip link help".\n', 255],
  ['ip -n a addr add 10.1.1.1/24 dev nope', 'Cannot find device "nope"\n', 1],
  ['ip -n a addr add 10.1.1.300/24 dev br0', 'Error: any valid prefix is expected rather than "10.1.1.300/24".\n', 1],
  ['ip -n a -4 addr add 1.2.3.300/24 dev br0', 'Error: inet prefix is expected rather than "1.2.3.300/24".\n', 1],
  ['ip -n a addr add 10.0.0.9/24', 'Not enough information: "dev" argument is required.\n', 1],
  ['ip -n a addr add 10.0.0.9/24 dev v0 scope bogus', 'Error: argument "bogus" is wrong: invalid scope value.\n', 255],
  ['ip -n a addr del 10.9.9.9/24 dev br0', 'Error: ipv4: Address not found.\n', 2],
  ['ip -n a addr add 10.1.1.1/24 dev br0', 'Error: ipv4: Address already assigned.\n', 2],
  ['ip -n a addr add 10.1.1.1/24 dev br0 label br0:1 scope link', 'Error: ipv4: Address already assigned.\n', 2],
  ['ip -n a addr flush', 'Flush requires arguments.\n', 1],
  ['ip -n a addr xyz', 'Command "xyz" is unknown, try "ip address help".\n', 255],
  ['ip -n a route xyz', 'Command "xyz" is unknown, try "ip route help".\n', 255],
  ['ip -n a neigh xyz', 'Command "xyz" is unknown, try "ip neigh help".\n', 255],
  ['ip -n a rule xyz', 'Command "xyz" is unknown, try "ip rule help".\n', 255],
  ['ip -n a route add 10.0.0.0/8', 'RTNETLINK answers: No such device\n', 2],
  ['ip -n a route add 10.0.0.0/33 dev br0', 'Error: any valid prefix is expected rather than "10.0.0.0/33".\n', 1],
  ['ip -n a route add 10.0.0.1/8 dev br0', 'Error: Invalid prefix for given prefix length.\n', 2],
  ['ip -n a route add nonsense dev br0', 'Error: any valid prefix is expected rather than "nonsense".\n', 1],
  ['ip -n a route add 10.0.0.0/8 dev nope', 'Cannot find device "nope"\n', 1],
  ['ip -n a route add 10.0.0.0/8 dev br0 metric x', 'Error: argument "x" is wrong: "metric" value is invalid\n\n', 255],
  ['ip -n a route add 10.2.0.0/16 via 10.5.0.2', 'Error: Nexthop has invalid gateway.\n', 2],
  ['ip -n a route add 10.2.0.0/16 to 10.5.0.2', 'Error: either "to" is duplicate, or "10.5.0.2" is a garbage.\n', 255],
  ['ip -n a route add 10.5.0.0/16 via nonsense', 'Error: inet address is expected rather than "nonsense".\n', 1],
  ['ip -n a route add blackhole 10.3.0.0/16', 'RTNETLINK answers: File exists\n', 2],
  ['ip -n a route get 10.3.0.1', 'RTNETLINK answers: Invalid argument\n', 2],
  ['ip -n a route get 10.4.0.1', 'RTNETLINK answers: No route to host\n', 2],
  ['ip -n a route get 10.5.0.1', 'RTNETLINK answers: Permission denied\n', 2],
  ['ip -n a route get 10.9.9.9', 'RTNETLINK answers: Network is unreachable\n', 2],
  ['ip -n a route get', 'need at least a destination address\n', 1],
  ['ip -n a route del 10.9.0.0/16', 'RTNETLINK answers: No such process\n', 2],
  ['ip -n a route flush', '"ip route flush" requires arguments.\n', 1],
  ['ip -n a neigh add 10.0.0.5 dev br0', 'Error: No link layer address given.\n', 2],
  ['ip -n a neigh add 10.0.0.5 lladdr zz dev br0', '"zz" is invalid lladdr.\n', 1],
  ['ip -n a neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev nope', 'Cannot find device "nope"\n', 1],
  ['ip -n a neigh add 10.0.0.5 lladdr 02:00:00:00:00:05', 'Device and destination are required arguments.\n', 255],
  ['ip -n a neigh del 10.0.0.99 dev v0', 'RTNETLINK answers: No such file or directory\n', 2],
  ['ip -n a neigh del proxy 10.0.0.9 dev br0', 'RTNETLINK answers: No such file or directory\n', 2],
  ['ip -n a rule del pref 12345', 'RTNETLINK answers: No such file or directory\n', 2],
  ['ip netns exec a bridge fdb add zz dev v0 master', 'Invalid mac address zz\n', 255],
  ['ip netns exec a bridge fdb add 02:00:00:00:00:ef dev nope master', 'Cannot find device "nope"\n', 255],
  ['ip netns exec a bridge fdb show br nope', 'Cannot find bridge device "nope"\n', 255],
  ['ip netns exec a bridge fdb del 02:00:00:00:00:aa dev br0 master', 'RTNETLINK answers: No such file or directory\n', 255],
  ['ip netns exec a bridge link set dev v1 hairpin on', 'RTNETLINK answers: Operation not supported\n', 255],
  ['ip netns exec a bridge link set dev nope hairpin on', 'Cannot find bridge device "nope"\n', 255],
  ['ip netns exec a bridge foo', 'Object "foo" is unknown, try "bridge help".\n', 255],
  ['ip netns exec a bridge fdb foo', 'Command "foo" is unknown, try "bridge fdb help".\n', 255],
  ['ip netns exec a bridge link foo', 'Command "foo" is unknown, try "bridge link help".\n', 255],
  ['ip netns exec a sysctl net.ipv4.nope', 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n', 1],
  ['ip netns exec a sysctl -w net.ipv4.nope=1', 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n', 1],
  ['ip netns exec a sysctl -w net.ipv4.ip_forward', 'sysctl: command line(0): invalid syntax, continuing...\n', 1],
  ['ip netns exec a sysctl -w net.ipv4.ip_forward=abc', 'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n', 1],
];

describe('error texts and exit statuses (iproute2 6.1, procps-ng 4.0.2)', () => {
  it.each(CASES)('%s', (line, stderr, code) => {
    const m = lab();
    const r = m.sh(line);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  it('bridge link set with a bad on/off value exits 234 (-EINVAL)', () => {
    const m = lab();
    m.ok('ip -n a link add v5 type veth peer name v6');
    m.ok('ip -n a link set v5 master br0');
    const r = m.sh('ip netns exec a bridge link set dev v5 hairpin maybe');
    expect(r).toEqual({ code: 234, stdout: '', stderr: 'Error: argument of "hairpin" must be one of "off", "on", not "maybe"\n' });
  });

  it('a duplicate FDB entry is EEXIST, exit 255', () => {
    const m = lab();
    m.ok('ip netns exec a bridge fdb add 02:00:00:00:00:aa dev br0 self static');
    expect(m.sh('ip netns exec a bridge fdb add 02:00:00:00:00:aa dev br0 self static')).toEqual({ code: 255, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
  });

  it('sysctl goes on after an unknown key and exits 1', () => {
    const m = lab();
    expect(m.sh('ip netns exec a sysctl net.ipv4.ip_forward net.ipv4.nope net.ipv4.conf.all.rp_filter')).toEqual({
      code: 1,
      stdout: 'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.rp_filter = 0\n',
      stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n',
    });
  });

  it('ip addr del without a prefix length warns, then deletes by address alone', () => {
    const m = lab();
    const r = m.sh('ip -n a addr del 10.0.0.1 dev v0');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        '         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n' +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n',
    );
    expect(m.ok('ip -n a -4 addr show v0')).toBe('');
  });
});
