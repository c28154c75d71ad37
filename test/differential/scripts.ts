// The differential scripts: command lines run unchanged on the real kernel and in the
// simulator. `NS-` becomes this run's namespace prefix. Lines marked `status` are compared on
// their exit status only (pings, and setup whose output is empty anyway); the rest on status,
// stdout and stderr after normalisation. IPv6 is switched off in the real namespaces first
// (the model has none), so no IPv6 chatter teaches the real bridges extra MAC addresses.
import type { Step } from './real-netns.js';

const all = (line: string): Step => ({ line, compare: 'all' });
const status = (line: string): Step => ({ line, compare: 'status' });

/** `ip netns add` plus the real-only IPv6 switch-off. */
function namespaces(...names: string[]): Step[] {
  const steps: Step[] = [];
  for (const n of names) {
    steps.push(all(`ip netns add NS-${n}`));
    for (const key of ['all', 'default']) steps.push({ line: `ip netns exec NS-${n} sysctl -q -w net.ipv6.conf.${key}.disable_ipv6=1`, compare: 'status', realOnly: true });
    steps.push(all(`ip -n NS-${n} link set lo up`));
  }
  return steps;
}

export const PING = (ns: string, target: string): Step => status(`ip netns exec NS-${ns} ping -c 1 -W 1 ${target}`);

/** Two namespaces joined by a veth pair. */
export function vethPairScript(withPing: boolean): Step[] {
  return [
    ...namespaces('a', 'b'),
    all('ip -n NS-a link add v0 type veth peer name v1 netns NS-b'),
    all('ip -n NS-a link'),
    all('ip -n NS-a addr add 10.10.0.1/24 dev v0'),
    all('ip -n NS-b addr add 10.10.0.2/24 dev v1'),
    all('ip -n NS-a link set v0 up'),
    all('ip -n NS-a addr'),
    all('ip -n NS-a route'),
    all('ip -n NS-b link set v1 up'),
    ...(withPing ? [PING('a', '10.10.0.2'), PING('b', '10.10.0.1'), PING('a', '10.10.0.99'), PING('a', '10.11.0.1')] : []),
    all('ip -n NS-a addr'),
    all('ip -n NS-b addr show dev v1'),
    all('ip -n NS-a -br addr'),
    all('ip -n NS-a -o -4 addr'),
    all('ip -n NS-a route'),
    all('ip -n NS-a route show table all'),
    all('ip -n NS-a route get 10.10.0.2'),
    all('ip -n NS-a route get 10.10.0.1'),
    all('ip -n NS-a route get 10.11.0.1'),
    all('ip -n NS-a route add 10.11.0.0/16 via 10.10.0.2'),
    all('ip -n NS-a route add 10.11.0.0/16 via 10.10.0.2'),
    all('ip -n NS-a route add 10.12.0.0/16 via 10.99.0.1'),
    all('ip -n NS-a route get 10.11.0.7'),
    all('ip -n NS-a route'),
    all('ip -n NS-a link show nope'),
    all('ip -n NS-a link set v0 mtu 70000'),
    all('ip netns del NS-b'),
    all('ip -n NS-a link'),
    all('ip netns del NS-a'),
  ];
}

/** Three namespaces on a bridge that lives in a fourth. */
export function bridgeScript(withPing: boolean): Step[] {
  const hosts = ['h1', 'h2', 'h3'];
  return [
    ...namespaces('br', ...hosts),
    all('ip -n NS-br link add br0 type bridge'),
    ...hosts.flatMap((h, i) => [
      all(`ip -n NS-${h} link add eth0 type veth peer name p${i + 1} netns NS-br`),
      all(`ip -n NS-br link set p${i + 1} master br0`),
      all(`ip -n NS-${h} addr add 10.20.0.${i + 1}/24 dev eth0`),
    ]),
    all('ip -n NS-br link set br0 up'),
    ...hosts.flatMap((h, i) => [all(`ip -n NS-br link set p${i + 1} up`), all(`ip -n NS-${h} link set eth0 up`)]),
    all('bridge -n NS-br link'),
    all('bridge -n NS-br fdb show br br0'),
    ...(withPing ? [PING('h1', '10.20.0.2'), PING('h1', '10.20.0.3'), PING('h2', '10.20.0.3'), PING('h3', '10.20.0.9')] : []),
    all('bridge -n NS-br fdb show br br0'),
    all('bridge -n NS-br fdb show brport p2'),
    all('ip -n NS-br link'),
    all('ip -n NS-h1 addr'),
    all('ip -n NS-h1 route'),
    all('ip -n NS-h1 route get 10.20.0.3'),
    all('bridge -n NS-br link set dev p1 hairpin on'),
    all('bridge -n NS-br -d link show dev p1'),
    all('ip -n NS-br link set p3 nomaster'),
    all('bridge -n NS-br link'),
    all('bridge -n NS-br fdb show br br0'),
    ...['br', ...hosts].map(n => all(`ip netns del NS-${n}`)),
  ];
}

/** A router namespace between two subnets, forwarding on, then off. */
export function routerScript(withPing: boolean): Step[] {
  return [
    ...namespaces('left', 'right', 'router'),
    all('ip -n NS-left link add eth0 type veth peer name r0 netns NS-router'),
    all('ip -n NS-right link add eth0 type veth peer name r1 netns NS-router'),
    all('ip -n NS-left addr add 10.30.1.2/24 dev eth0'),
    all('ip -n NS-right addr add 10.30.2.2/24 dev eth0'),
    all('ip -n NS-router addr add 10.30.1.1/24 dev r0'),
    all('ip -n NS-router addr add 10.30.2.1/24 dev r1'),
    ...['left', 'right'].map(n => all(`ip -n NS-${n} link set eth0 up`)),
    all('ip -n NS-router link set r0 up'),
    all('ip -n NS-router link set r1 up'),
    all('ip -n NS-left route add default via 10.30.1.1'),
    all('ip -n NS-right route add default via 10.30.2.1'),
    all('ip netns exec NS-router sysctl -w net.ipv4.ip_forward=1'),
    all('ip netns exec NS-router sysctl net.ipv4.conf.r0.forwarding'),
    ...(withPing ? [PING('left', '10.30.2.2'), PING('right', '10.30.1.2'), PING('left', '10.30.2.1')] : []),
    all('ip -n NS-router route'),
    all('ip -n NS-router route get 10.30.2.2'),
    all('ip -n NS-router route get 10.30.2.2 from 10.30.1.2 iif r0'),
    all('ip -n NS-left route'),
    all('ip -n NS-left route get 10.30.2.2'),
    all('ip -n NS-right route get 10.30.1.2'),
    all('ip netns exec NS-router sysctl -w net.ipv4.ip_forward=0'),
    ...(withPing ? [PING('left', '10.30.2.2'), PING('left', '10.30.1.1'), PING('left', '10.30.2.1')] : []),
    all('ip -n NS-router route get 10.30.2.2 from 10.30.1.2 iif r0'),
    all('ip -n NS-router route get 10.30.2.2'),
    all('ip -n NS-left route show table all'),
    all('ip -n NS-router -4 addr'),
    ...['left', 'right', 'router'].map(n => all(`ip netns del NS-${n}`)),
  ];
}

/** Link, address, route, rule and neighbour commands and their errors in one namespace pair. */
export function miscScript(): Step[] {
  return [
    ...namespaces('m', 'n'),
    all('ip -n NS-m link add v0 type veth peer name v1'),
    all('ip -n NS-m link add br0 type bridge'),
    all('ip -n NS-m link add mv0 link v0 type macvlan mode bridge'),
    all('ip -n NS-m link add mv1 link v0 type macvlan'),
    all('ip -n NS-m link set v0 master br0'),
    all('ip -n NS-m link set v0 up'),
    all('ip -n NS-m link'),
    all('ip -n NS-m -d link show v0'),
    all('ip -n NS-m -br link'),
    all('ip -n NS-m -o link show v1'),
    all('ip -n NS-m link set v1 up'),
    // Linux 6.2 and later rename a device that is up.
    all('ip -n NS-m link set v1 name v1x'),
    all('ip -n NS-m -o link show v1x'),
    all('ip -n NS-m link set v1x name v1'),
    all('ip -n NS-m link set v0 down'),
    all('ip -n NS-m link set v0 name vx'),
    all('ip -n NS-m link set vx address 02:11:22:33:44:55 mtu 9000'),
    all('ip -n NS-m link set vx mtu 70000'),
    all('ip -n NS-m link set vx mtu 10'),
    all('ip -n NS-m link set v1 netns NS-n'),
    // Linux answers `Error: The interface netns is immutable.`; the device layer says EINVAL.
    status('ip -n NS-m link set br0 netns NS-n'),
    all('ip -n NS-m link show vx'),
    all('ip -n NS-n link'),
    all('ip -n NS-m netns list-id'),
    all('ip -n NS-n netns list-id'),
    all('ip -n NS-m link del mv1'),
    all('ip -n NS-m link del lo'),
    all('ip -n NS-m link add foo type nosuch'),
    all('ip -n NS-m link add x0'),
    all('ip -n NS-m link set vx master nope'),
    all('ip -n NS-m link set vx foo'),
    all('ip -n NS-m addr add 10.1.1.1/24 brd + dev br0 label br0:1'),
    all('ip -n NS-m addr add 10.1.1.2/24 dev br0'),
    all('ip -n NS-m addr add 10.1.1.2/24 dev br0'),
    all('ip -n NS-m addr add 10.1.1.3 dev br0 scope link'),
    all('ip -n NS-m addr add 10.1.2.1/24 dev br0 label foo metric 7'),
    all('ip -n NS-m addr add 127.0.0.5/8 dev br0'),
    all('ip -n NS-m addr add 10.1.1.300/24 dev br0'),
    all('ip -n NS-m addr add 10.0.0.9/24 dev br0 scope bogus'),
    all('ip -n NS-m addr show dev br0'),
    all('ip -n NS-m -o addr'),
    all('ip -n NS-m -4 -br addr'),
    all('ip -n NS-m addr show label foo'),
    all('ip -n NS-m addr show scope link'),
    all('ip -n NS-m addr del 10.1.1.2/24 dev br0'),
    all('ip -n NS-m addr del 10.9.9.9/24 dev br0'),
    all('ip -n NS-m route add 10/8 dev br0'),
    all('ip -n NS-m route add 0x0b.1/16 dev br0'),
    all('ip -n NS-m route add 12.0.0.0/8 dev br0 metric 10'),
    all('ip -n NS-m route add 12.0.0.0/8 dev br0 metric 20'),
    all('ip -n NS-m route replace 12.0.0.0/8 dev br0 metric 10 proto static'),
    all('ip -n NS-m route add 13.0.0.0/8 via 10.1.1.9 mtu 1400'),
    all('ip -n NS-m route add 14.0.0.0/8 via 10.1.1.9 dev br0 onlink table 7'),
    all('ip -n NS-m route add 10.0.0.1/8 dev br0'),
    all('ip -n NS-m route add 15.0.0.0/8'),
    all('ip -n NS-m route'),
    all('ip -n NS-m route show dev br0'),
    all('ip -n NS-m route show proto kernel'),
    all('ip -n NS-m route show scope link'),
    all('ip -n NS-m route show 12.0.0.0/8'),
    all('ip -n NS-m route show root 12.0.0.0/7'),
    all('ip -n NS-m route show match 12.1.2.3'),
    all('ip -n NS-m -d route show'),
    all('ip -n NS-m route show table all'),
    all('ip -n NS-m route get 12.1.2.3'),
    all('ip -n NS-m route get 14.1.2.3'),
    all('ip -n NS-m route del 12.0.0.0/8 metric 20'),
    all('ip -n NS-m route del 16.0.0.0/8'),
    all('ip -n NS-m route flush dev br0'),
    all('ip -n NS-m route'),
    all('ip -n NS-m rule add from 10.0.0.0/24 table 100'),
    all('ip -n NS-m rule add fwmark 0x10 lookup 100 pref 100'),
    all('ip -n NS-m rule add to 10.9.0.0/16 prohibit'),
    all('ip -n NS-m rule add not to 5.5.0.0/16 fwmark 0x5/0xff lookup main pref 6'),
    all('ip -n NS-m rule add iif br0 table 7 pref 5'),
    all('ip -n NS-m rule add iif nodev table 7 pref 4'),
    all('ip -n NS-m rule'),
    all('ip -n NS-m rule add iif br0 table 7 pref 5'),
    all('ip -n NS-m rule del pref 12345'),
    all('ip -n NS-m neigh add 10.1.1.7 lladdr 02:00:00:00:00:07 dev br0'),
    all('ip -n NS-m neigh add 10.1.1.7 lladdr 02:00:00:00:00:07 dev br0'),
    all('ip -n NS-m neigh add 10.1.1.8 lladdr 02:00:00:00:00:08 dev br0 nud stale'),
    all('ip -n NS-m neigh add proxy 10.1.1.9 dev br0'),
    all('ip -n NS-m neigh show dev br0 nud permanent'),
    all('ip -n NS-m neigh show proxy'),
    all('ip -n NS-m neigh add 10.1.1.5 dev br0'),
    all('ip -n NS-m neigh add 10.1.1.5 lladdr 02:00:00:00:00:05'),
    all('ip -n NS-m neigh flush dev br0'),
    all('ip -n NS-m neigh show nud stale'),
    all('ip -n NS-m neigh del 10.1.1.99 dev br0'),
    all('ip netns exec NS-m sysctl net.ipv4.conf.br0.forwarding net.ipv4.nope'),
    all('ip netns exec NS-m sysctl -w net.ipv4.ip_forward=abc'),
    // Bridge carrier: on until the first state selection (address set, port added or removed).
    all('ip -n NS-m link add br8 type bridge'),
    all('ip -n NS-m link set br8 up'),
    all('ip -n NS-m link show br8'),
    all('ip -n NS-m link add br7 address 02:42:00:00:00:07 type bridge'),
    all('ip -n NS-m link set br7 up'),
    all('ip -n NS-m link show br7'),
    all('ip -n NS-m link add p8 type veth peer name q8'),
    all('ip -n NS-m link set p8 master br8'),
    all('ip -n NS-m link show br8'),
    all('ip -n NS-m link set p8 up'),
    all('ip -n NS-m link set q8 up'),
    all('ip -n NS-m link show br8'),
    all('ip -n NS-m link set p8 nomaster'),
    all('ip -n NS-m link show br8'),
    all('ip -n NS-m link set br8 down'),
    all('ip -n NS-m link set br8 up'),
    all('ip -n NS-m link show br8'),
    all('ip -n NS-m link set p8 master br7'),
    all('ip -n NS-m link show br7'),
    all('ip -n NS-m link set p8 nomaster'),
    all('ip -n NS-m link show br7'),
    all('ip netns del NS-m'),
    all('ip netns del NS-n'),
  ];
}
