// `bridge fdb|link`, `brctl` and `sysctl` round trips (bridge-utils 1.7 and procps-ng 4
// formats; the FDB rows in the order the real `bridge fdb show` printed them: devices by index,
// each one's entries newest first).
import { describe, expect, it } from 'vitest';
import { machine, type Machine } from './harness.js';

function bridged(): Machine {
  const m = machine();
  m.ok('ip netns add a');
  for (const c of [
    'link add br0 type bridge',
    'link add v0 address 02:00:00:00:01:00 type veth peer name v1 address 02:00:00:00:01:01',
    'link add v2 address 02:00:00:00:02:00 type veth peer name v3 address 02:00:00:00:02:01',
    'link set v0 master br0',
    'link set v2 master br0',
  ]) m.ok(`ip -n a ${c}`);
  return m;
}

describe('bridge', () => {
  it('fdb add defaults to self permanent; master entries print newest first per port', () => {
    const m = bridged();
    const b = (c: string): string => m.ok(`ip netns exec a bridge ${c}`);
    expect(b('fdb show')).toBe('02:00:00:00:01:00 dev v0 master br0 permanent\n02:00:00:00:02:00 dev v2 master br0 permanent\n');
    b('fdb add 02:00:00:00:00:aa dev v0 master static');
    b('fdb add 02:00:00:00:00:bb dev v0 master');
    b('fdb add 02:00:00:00:00:cc dev v0 master permanent');
    b('fdb add 02:00:00:00:00:dd dev br0 self permanent');
    b('fdb add 02:00:00:00:00:ee dev br0 self dynamic');
    expect(b('fdb show br br0')).toBe(
      '02:00:00:00:00:ee dev br0 master br0 \n' +
        '02:00:00:00:00:dd dev br0 master br0 permanent\n' +
        '02:00:00:00:00:cc dev v0 master br0 permanent\n' +
        '02:00:00:00:00:bb dev v0 master br0 permanent\n' +
        '02:00:00:00:00:aa dev v0 master br0 static\n' +
        '02:00:00:00:01:00 dev v0 master br0 permanent\n' +
        '02:00:00:00:02:00 dev v2 master br0 permanent\n',
    );
    expect(b('fdb show dev v2')).toBe('02:00:00:00:02:00 master br0 permanent\n');
    expect(b('-s fdb show brport v2')).toBe('02:00:00:00:02:00 used 0/0 master br0 permanent\n');
    b('fdb del 02:00:00:00:00:aa dev v0 master');
    expect(b('fdb show')).not.toContain('02:00:00:00:00:aa');
  });

  it('link lists the ports with their state; set changes port flags; -d shows them', () => {
    const m = bridged();
    const b = (c: string): string => m.ok(`ip netns exec a bridge ${c}`);
    expect(b('link')).toBe(
      '4: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2 \n' +
        '6: v2@v3: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2 \n',
    );
    for (const c of ['link set br0 up', 'link set v0 up', 'link set v1 up']) m.ok(`ip -n a ${c}`);
    b('link set dev v0 hairpin on');
    b('link set dev v0 learning off');
    expect(b('-d link show dev v0')).toBe(
      '4: v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n' +
        '    hairpin on guard off root_block off fastleave off learning off flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n',
    );
  });
});

describe('brctl', () => {
  it('addbr, addif, show with ports sorted by name, showmacs, delif, delbr', () => {
    const m = machine();
    m.ok('ip netns add a');
    const run = (c: string): ReturnType<Machine['sh']> => m.sh(`ip netns exec a brctl ${c}`);
    m.ok('ip -n a link add vz address 02:00:00:00:00:09 type veth peer name vz1');
    m.ok('ip -n a link add va address 02:00:00:00:00:01 type veth peer name va1');
    expect(run('addbr br0').code).toBe(0);
    expect(run('addbr br0')).toEqual({ code: 1, stdout: '', stderr: "device br0 already exists; can't create bridge with the same name\n" });
    expect(run('addif br0 vz va').code).toBe(0);
    expect(run('addif br0 va')).toEqual({ code: 1, stdout: '', stderr: "device va is already a member of a bridge; can't enslave it to bridge br0.\n" });
    expect(run('addif br0 nope')).toEqual({ code: 1, stdout: '', stderr: 'interface nope does not exist!\n' });
    expect(run('addif br0 br0')).toEqual({ code: 1, stdout: '', stderr: "device br0 is a bridge device itself; can't enslave a bridge device to a bridge device.\n" });
    expect(run('show').stdout).toBe('bridge name\tbridge id\t\tSTP enabled\tinterfaces\nbr0\t\t8000.020000000001\tno\t\tva\n\t\t\t\t\t\t\tvz\n');
    expect(run('showmacs br0').stdout).toBe(
      'port no\tmac addr\t\tis local?\tageing timer\n  2\t02:00:00:00:00:01\tyes\t\t   0.00\n  1\t02:00:00:00:00:09\tyes\t\t   0.00\n',
    );
    expect(run('delif br0 va1')).toEqual({ code: 1, stdout: '', stderr: 'device va1 is not a slave of br0\n' });
    expect(run('delif br0 va vz').code).toBe(0);
    m.ok('ip -n a link set br0 up');
    expect(run('delbr br0')).toEqual({ code: 1, stdout: '', stderr: "bridge br0 is still up; can't delete it\n" });
    m.ok('ip -n a link set br0 down');
    expect(run('delbr br0').code).toBe(0);
    expect(run('delbr br0')).toEqual({ code: 1, stdout: '', stderr: "bridge br0 doesn't exist; can't delete it\n" });
    expect(run('frob')).toMatchObject({ code: 1, stderr: 'never heard of command [frob]\n' });
    expect(run('show nope')).toEqual({ code: 1, stdout: 'bridge name\tbridge id\t\tSTP enabled\tinterfaces\nnope\t\t', stderr: "can't get info No such device\n" });
  });
});

describe('sysctl', () => {
  it('reads, writes with or without -w, -n, subtree listing, -a', () => {
    const m = machine();
    m.ok('ip netns add a');
    const s = (c: string): string => m.ok(`ip netns exec a sysctl ${c}`);
    expect(s('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward = 0\n');
    expect(s('-w net.ipv4.ip_forward=1')).toBe('net.ipv4.ip_forward = 1\n');
    expect(s('net.ipv4.ip_forward=0')).toBe('net.ipv4.ip_forward = 0\n');
    expect(s('-q -w net.ipv4.ip_forward=1')).toBe('');
    expect(s('-n net.ipv4.ip_forward')).toBe('1\n');
    expect(s('net/ipv4/ip_forward')).toBe('net.ipv4.ip_forward = 1\n');
    expect(s('-n net.ipv4.ip_local_port_range')).toBe('32768\t60999\n');
    expect(s('net.ipv4.conf.lo')).toContain('net.ipv4.conf.lo.forwarding = 1\nnet.ipv4.conf.lo.promote_secondaries = 0\n');
    expect(s('-a')).toContain('net.ipv4.ip_forward = 1\n');
    expect(m.sh('ip netns exec a sysctl -e net.ipv4.nope')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('busybox prints its own errors', () => {
    const m = machine();
    m.ok('ip netns add a');
    expect(m.sh('sysctl net.ipv4.nope', { ns: 'a', userland: 'busybox' })).toEqual({ code: 1, stdout: '', stderr: "sysctl: error: 'net.ipv4.nope' is an unknown key\n" });
    expect(m.sh('sysctl -w net.ipv4.ip_forward=1', { ns: 'a', userland: 'busybox' }).stdout).toBe('net.ipv4.ip_forward = 1\n');
  });
});
