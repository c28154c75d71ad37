// Netfilter differential scripts: a client, a router (ip_forward=1) and a server namespace
// joined by veths, then NAT and filter rules on the router, pings through them, and the rule
// counters (`iptables-save -c`, packet counts only) after each stage. `NS-` becomes this run's
// prefix. The server has no default route, so only MASQUERADE on the router's server side makes
// its replies to the client come back. The real machine has no `nc`, so the checks are ICMP:
// the DNAT rewrites pings to the router's client-side address onto the server, and a TCP DNAT
// rule (router:8080 -> server:80) sits in the table with zero hits to check its counters.
import type { Step } from './real-netns.js';
import { PING } from './scripts.js';

const all = (line: string): Step => ({ line, compare: 'all' });

function namespaces(...names: string[]): Step[] {
  const steps: Step[] = [];
  for (const n of names) {
    steps.push(all(`ip netns add NS-${n}`));
    for (const key of ['all', 'default']) steps.push({ line: `ip netns exec NS-${n} sysctl -q -w net.ipv6.conf.${key}.disable_ipv6=1`, compare: 'status', realOnly: true });
    steps.push(all(`ip -n NS-${n} link set lo up`));
  }
  return steps;
}

const R = (cmd: string): Step => all(`ip netns exec NS-router ${cmd}`);
const counters = (): Step[] => [R('iptables-save -c -t filter'), R('iptables-save -c -t nat')];

function topology(): Step[] {
  return [
    ...namespaces('client', 'router', 'server'),
    all('ip -n NS-client link add eth0 type veth peer name r0 netns NS-router'),
    all('ip -n NS-server link add eth0 type veth peer name r1 netns NS-router'),
    all('ip -n NS-client addr add 10.40.1.2/24 dev eth0'),
    all('ip -n NS-server addr add 10.40.2.2/24 dev eth0'),
    all('ip -n NS-router addr add 10.40.1.1/24 dev r0'),
    all('ip -n NS-router addr add 10.40.2.1/24 dev r1'),
    all('ip -n NS-client link set eth0 up'),
    all('ip -n NS-server link set eth0 up'),
    all('ip -n NS-router link set r0 up'),
    all('ip -n NS-router link set r1 up'),
    all('ip -n NS-client route add default via 10.40.1.1'),
    all('ip netns exec NS-router sysctl -w net.ipv4.ip_forward=1'),
  ];
}

const teardown = (): Step[] => ['client', 'router', 'server'].map(n => all(`ip netns del NS-${n}`));

/** DNAT (ICMP to the router onto the server, TCP 8080 -> server:80), then MASQUERADE out r1. */
export function natScript(): Step[] {
  return [
    ...topology(),
    R('iptables -t nat -A PREROUTING -d 10.40.1.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.40.2.2:80'),
    R('iptables -t nat -A PREROUTING -d 10.40.1.1/32 -i r0 -p icmp -j DNAT --to-destination 10.40.2.2'),
    R('iptables -t nat -S'),
    // No route back from the server to 10.40.1.0/24: the DNATed ping goes out, no reply.
    PING('client', '10.40.1.1'),
    PING('client', '10.40.2.2'),
    ...counters(),
    R('iptables -t nat -A POSTROUTING -o r1 -j MASQUERADE'),
    PING('client', '10.40.1.1'),
    PING('client', '10.40.2.2'),
    PING('client', '10.40.2.2'),
    // The router's own address on the server side is not DNATed and answers itself.
    PING('client', '10.40.2.1'),
    ...counters(),
    R('iptables -t nat -L -n'),
    R('iptables -t nat -D PREROUTING -d 10.40.1.1/32 -i r0 -p icmp -j DNAT --to-destination 10.40.2.2'),
    PING('client', '10.40.1.1'),
    ...counters(),
    ...teardown(),
  ];
}

/** A DROP in a user chain jumped to from FORWARD, then a REJECT with icmp-port-unreachable. */
export function filterScript(): Step[] {
  return [
    ...topology(),
    R('iptables -t nat -A POSTROUTING -o r1 -j MASQUERADE'),
    R('iptables -N BLOCK'),
    R('iptables -A FORWARD -j BLOCK'),
    R('iptables -A BLOCK -s 10.40.1.2/32 -d 10.40.2.2/32 -p icmp -m icmp --icmp-type 8 -j DROP'),
    R('iptables -A BLOCK -j RETURN'),
    R('iptables -S'),
    PING('client', '10.40.2.2'),
    PING('client', '10.40.2.1'),
    ...counters(),
    R('iptables -D BLOCK 1'),
    PING('client', '10.40.2.2'),
    ...counters(),
    R('iptables -I FORWARD 1 -i r0 -o r1 -p icmp -j REJECT --reject-with icmp-port-unreachable'),
    R('iptables -A INPUT -i r0 -p icmp -j REJECT --reject-with icmp-port-unreachable'),
    PING('client', '10.40.2.2'),
    PING('client', '10.40.2.1'),
    PING('client', '10.40.1.1'),
    ...counters(),
    R('iptables -P FORWARD DROP'),
    R('iptables -D FORWARD 1'),
    PING('client', '10.40.2.2'),
    R('iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'),
    R('iptables -A FORWARD -i r0 -o r1 -j ACCEPT'),
    PING('client', '10.40.2.2'),
    ...counters(),
    R('iptables -L FORWARD -n --line-numbers'),
    R('iptables -F'),
    R('iptables -X BLOCK'),
    ...counters(),
    ...teardown(),
  ];
}
