// `ip route`, `ip rule`, `ip neigh` and `ip netns` round trips, with the output iproute2 6.1
// printed for the same command sequences on a real kernel.
import { describe, expect, it } from 'vitest';
import { machine, type Machine } from './harness.js';

function veth(): Machine {
  const m = machine();
  m.ok('ip netns add a');
  m.ok('ip netns add b');
  m.ok('ip -n a link add v0 type veth peer name v1 netns b');
  m.ok('ip -n a link set v0 up');
  m.ok('ip -n a link set lo up');
  m.ok('ip -n a addr add 10.0.0.1/24 dev v0');
  return m;
}

describe('ip route', () => {
  it('connected routes are linkdown until the peer is up; table all; get', () => {
    const m = veth();
    expect(m.ok('ip -n a route')).toBe('10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 linkdown \n');
    expect(m.ok('ip -n a route show table all')).toBe(
      '10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 linkdown \n' +
        'local 10.0.0.1 dev v0 table local proto kernel scope host src 10.0.0.1 \n' +
        'broadcast 10.0.0.255 dev v0 table local proto kernel scope link src 10.0.0.1 linkdown \n' +
        'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n' +
        'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n' +
        'broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n',
    );
    expect(m.ok('ip -n a route get 10.0.0.2')).toBe('10.0.0.2 dev v0 src 10.0.0.1 uid 0 \n    cache \n');
    expect(m.ok('ip -n a route get 10.0.0.1')).toBe('local 10.0.0.1 dev lo src 10.0.0.1 uid 0 \n    cache <local> \n');
    expect(m.ok('ip -n a route get 10.0.0.1 from 10.0.0.1')).toBe('local 10.0.0.1 from 10.0.0.1 dev lo uid 0 \n    cache <local> \n');
    m.ok('ip -n b link set v1 up');
    expect(m.ok('ip -n a route')).toBe('10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 \n');
  });

  it('types, metrics, proto, scope, src, onlink and tables', () => {
    const m = veth();
    m.ok('ip -n b link set v1 up');
    for (const c of [
      'route add 10.1.0.0/16 via 10.0.0.2',
      'route add blackhole 10.3.0.0/16',
      'route add unreachable 10.4.0.0/16',
      'route add prohibit 10.5.0.0/16 metric 5',
      'route add default via 10.0.0.2 metric 100',
      'route add 10.6.0.0/16 dev v0 proto static scope link src 10.0.0.1',
      'route add 10.7.0.0/16 via 10.0.0.9 dev v0 onlink table 100',
    ]) m.ok(`ip -n a ${c}`);
    expect(m.ok('ip -n a route')).toBe(
      'default via 10.0.0.2 dev v0 metric 100 \n' +
        '10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 \n' +
        '10.1.0.0/16 via 10.0.0.2 dev v0 \n' +
        'blackhole 10.3.0.0/16 \n' +
        'unreachable 10.4.0.0/16 \n' +
        'prohibit 10.5.0.0/16 metric 5 \n' +
        '10.6.0.0/16 dev v0 proto static scope link src 10.0.0.1 \n',
    );
    expect(m.ok('ip -n a route show table 100')).toBe('10.7.0.0/16 via 10.0.0.9 dev v0 onlink \n');
    expect(m.ok('ip -n a route show table all').split('\n')[0]).toBe('10.7.0.0/16 via 10.0.0.9 dev v0 table 100 onlink ');
    expect(m.ok('ip -n a route get 8.8.8.8')).toBe('8.8.8.8 via 10.0.0.2 dev v0 src 10.0.0.1 uid 0 \n    cache \n');
  });

  it('replace, filters leave out what they fix, -d prints the defaults, flush', () => {
    const m = machine();
    m.ok('ip netns add a');
    // (A dummy rather than the bridge of the real run: a fresh bridge has carrier on Linux until
    // its first port, the device layer models it without; see the report.)
    m.ok('ip -n a link add d0 type dummy');
    m.ok('ip -n a link set d0 up');
    m.ok('ip -n a addr add 10.0.0.1/24 dev d0');
    m.ok('ip -n a route add 10/8 dev d0');
    m.ok('ip -n a route add 0x0b.1/16 dev d0');
    m.ok('ip -n a route del 10/8');
    m.ok('ip -n a route add 12.0.0.0/8 dev d0 metric 10');
    m.ok('ip -n a route add 12.0.0.0/8 dev d0 metric 20');
    m.ok('ip -n a route replace 12.0.0.0/8 dev d0 metric 10 proto static');
    const all = m.ok('ip -n a route');
    expect(all).toContain('11.1.0.0/16 dev d0 scope link \n');
    expect(m.ok('ip -n a route show dev d0')).toBe(
      '10.0.0.0/24 proto kernel scope link src 10.0.0.1 \n11.1.0.0/16 scope link \n12.0.0.0/8 proto static scope link metric 10 \n12.0.0.0/8 scope link metric 20 \n',
    );
    expect(m.ok('ip -n a route show proto kernel')).toBe('10.0.0.0/24 dev d0 scope link src 10.0.0.1 \n');
    expect(m.ok('ip -n a route show 12.0.0.0/8')).toBe('12.0.0.0/8 dev d0 proto static scope link metric 10 \n12.0.0.0/8 dev d0 scope link metric 20 \n');
    expect(m.ok('ip -n a route show scope link')).toBe(
      '10.0.0.0/24 dev d0 proto kernel src 10.0.0.1 \n11.1.0.0/16 dev d0 \n12.0.0.0/8 dev d0 proto static metric 10 \n12.0.0.0/8 dev d0 metric 20 \n',
    );
    expect(m.ok('ip -n a route show type unicast')).toBe(all);
    expect(m.ok('ip -n a -d route show')).toBe(
      'unicast 10.0.0.0/24 dev d0 proto kernel scope link src 10.0.0.1 \n' +
        'unicast 11.1.0.0/16 dev d0 proto boot scope link \n' +
        'unicast 12.0.0.0/8 dev d0 proto static scope link metric 10 \n' +
        'unicast 12.0.0.0/8 dev d0 proto boot scope link metric 20 \n',
    );
    m.ok('ip -n a route flush dev d0');
    expect(m.ok('ip -n a route')).toBe('');
  });
});

describe('ip rule', () => {
  it('default rules, added rules in priority order, delete', () => {
    const m = veth();
    expect(m.ok('ip -n a rule')).toBe('0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n');
    m.ok('ip -n a rule add from 10.0.0.0/24 table 100');
    m.ok('ip -n a rule add fwmark 0x10 lookup 100 pref 100');
    m.ok('ip -n a rule add to 10.9.0.0/16 prohibit');
    m.ok('ip -n a rule add from 1.2.3.4 iif v0 table 7 pref 5');
    m.ok('ip -n a rule add not to 5.5.0.0/16 fwmark 0x5/0xff lookup main pref 6');
    m.ok('ip -n a rule add oif v0 blackhole pref 7');
    m.ok('ip -n a rule add unreachable pref 8');
    expect(m.ok('ip -n a rule show')).toBe(
      '0:\tfrom all lookup local\n' +
        '5:\tfrom 1.2.3.4 iif v0 lookup 7\n' +
        '6:\tnot from all to 5.5.0.0/16 fwmark 0x5/0xff lookup main\n' +
        '7:\tfrom all oif v0 blackhole\n' +
        '8:\tfrom all unreachable\n' +
        '99:\tfrom all to 10.9.0.0/16 prohibit\n' +
        '100:\tfrom all fwmark 0x10 lookup 100\n' +
        '32765:\tfrom 10.0.0.0/24 lookup 100\n' +
        '32766:\tfrom all lookup main\n' +
        '32767:\tfrom all lookup default\n',
    );
    expect(m.sh('ip -n a rule add from 1.2.3.4 iif v0 table 7 pref 5')).toEqual({ code: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
    m.ok('ip -n a rule del from 1.2.3.4 table 7');
    expect(m.ok('ip -n a rule')).not.toContain('1.2.3.4');
  });
});

describe('ip neigh', () => {
  it('permanent and stale entries, replace, flush spares permanent, proxy entries', () => {
    const m = machine();
    m.ok('ip netns add a');
    m.ok('ip -n a link add br0 type bridge');
    m.ok('ip -n a link set br0 up');
    m.ok('ip -n a addr add 10.0.0.1/24 dev br0');
    m.ok('ip -n a neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev br0');
    expect(m.sh('ip -n a neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev br0 nud reachable')).toEqual({ code: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
    m.ok('ip -n a neigh replace 10.0.0.5 lladdr 02:00:00:00:00:06 dev br0');
    m.ok('ip -n a neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev br0 nud stale');
    expect(m.ok('ip -n a neigh')).toContain('10.0.0.6 dev br0 lladdr 02:00:00:00:00:06 STALE \n');
    expect(m.ok('ip -n a neigh')).toContain('10.0.0.5 dev br0 lladdr 02:00:00:00:00:06 PERMANENT \n');
    expect(m.ok('ip -n a neigh show dev br0')).toContain('10.0.0.5 lladdr 02:00:00:00:00:06 PERMANENT \n');
    m.ok('ip -n a neigh flush dev br0');
    expect(m.ok('ip -n a neigh')).toBe('10.0.0.5 dev br0 lladdr 02:00:00:00:00:06 PERMANENT \n');
    m.ok('ip -n a neigh del 10.0.0.5 dev br0');
    expect(m.ok('ip -n a neigh')).toBe('');
    m.ok('ip -n a neigh add proxy 10.0.0.8 dev br0');
    expect(m.ok('ip -n a neigh')).toBe('');
    expect(m.ok('ip -n a neigh show proxy')).toBe('10.0.0.8 dev br0 proxy \n');
  });

  it('entries learned by a ping; -s prints ages and probes', () => {
    const m = veth();
    m.ok('ip -n b link set v1 up');
    m.ok('ip -n b addr add 10.0.0.2/24 dev v1');
    m.ok('ip netns exec a ping -c 1 -W 1 10.0.0.2');
    expect(m.ok('ip -n a neigh')).toMatch(/^10\.0\.0\.2 dev v0 lladdr [0-9a-f:]{17} REACHABLE \n$/);
    expect(m.ok('ip -n a -s neigh')).toMatch(/^10\.0\.0\.2 dev v0 lladdr [0-9a-f:]{17}  used \d+\/\d+\/\d+probes \d+ REACHABLE \n$/);
  });
});

describe('ip netns', () => {
  it('lists newest first, with the ids the current namespace assigned', () => {
    const m = machine();
    for (const n of ['a', 'b', 'c']) m.ok(`ip netns add ${n}`);
    m.ok('ip -n a link add v0 type veth peer name v1 netns b');
    expect(m.ok('ip netns list')).toBe('c\nb\na\n');
    expect(m.ok('ip -n a netns list')).toBe('c\nb (id: 0)\na\n');
    expect(m.ok('ip -n b netns')).toBe('c\nb\na\n');
    m.ok('ip -n a link add v2 type veth peer name v3');
    m.ok('ip -n a link set v3 netns c');
    expect(m.ok('ip -n a netns list')).toBe('c (id: 1)\nb (id: 0)\na\n');
    expect(m.ok('ip -n c netns list')).toBe('c\nb\na (id: 0)\n');
    expect(m.ok('ip -n a netns list-id')).toBe('nsid 0 (iproute2 netns name: b)\nnsid 1 (iproute2 netns name: c)\n');
    expect(m.ok('ip netns exec a ip netns list')).toBe('c (id: 1)\nb (id: 0)\na\n');
    m.ok('ip netns delete c');
    expect(m.ok('ip -n a netns list')).toBe('b (id: 0)\na\n');
    // The veth end that was in c went with it, and took its peer in a along.
    expect(m.ok('ip -n a -br link')).not.toContain('v2');
  });

  it('exec runs another program in the namespace and ends with its status', () => {
    const m = veth();
    m.ok('ip -n b link set v1 up');
    m.ok('ip -n b addr add 10.0.0.2/24 dev v1');
    const ok = m.sh('ip netns exec a ping -c 1 -W 1 10.0.0.2');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('1 packets transmitted, 1 received, 0% packet loss');
    const bad = m.sh('ip netns exec a ping -c 1 -W 1 10.0.0.99');
    expect(bad.code).toBe(1);
    expect(m.ok('ip netns exec b ip -4 -o addr show v1')).toBe('2: v1    inet 10.0.0.2/24 scope global v1\\       valid_lft forever preferred_lft forever\n');
    expect(m.sh('ip netns exec a ip link show nope')).toEqual({ code: 1, stdout: '', stderr: 'Device "nope" does not exist.\n' });
  });

  it('exec of a program still running at the time limit ends with it (143, SIGTERM)', () => {
    const m = veth();
    const r = m.sh('ip netns exec a sleep 100', { limitSeconds: 2 });
    expect(r.code).toBe(143);
  });
});
