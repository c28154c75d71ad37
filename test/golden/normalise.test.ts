// The golden normaliser keeps structure and deterministic values and replaces only random ones,
// consistently, by order of first appearance; and it does not make different texts equal.
import { describe, expect, it } from 'vitest';
import { parseBlocks } from './capture.js';
import { normalise } from './harness.js';
import { Placeholders, normaliseConntrack, normaliseIds, normaliseIpAddr, normaliseNeigh } from './normalise.js';

const CAPTURE_IP_ADDR = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: ifb0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default qlen 32
    link/ether c2:32:f5:7d:43:e6 brd ff:ff:ff:ff:ff:ff
4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000
    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
       valid_lft forever preferred_lft forever
5: br-858d56e68084: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default 
    link/ether 02:42:06:65:ad:c4 brd ff:ff:ff:ff:ff:ff
11: vethcb1a627@if10: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-858d56e68084 state UP group default 
    link/ether 4a:af:d8:aa:01:86 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet6 fe80::48af:d8ff:feaa:186/64 scope link tentative 
       valid_lft forever preferred_lft forever
`;

const SIM_IP_ADDR = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000
    link/ether ba:7d:28:ab:c2:6c brd ff:ff:ff:ff:ff:ff
    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
       valid_lft forever preferred_lft forever
3: br-ef8b1a71330d: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default 
    link/ether 02:42:dd:49:b7:89 brd ff:ff:ff:ff:ff:ff
5: veth78ab839@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-ef8b1a71330d state UP group default 
    link/ether 16:59:9c:04:14:ed brd ff:ff:ff:ff:ff:ff link-netnsid 0
`;

describe('golden normaliser', () => {
  it('gives ids placeholders by first appearance, a short id the number of its full id', () => {
    const ph = new Placeholders();
    const text = 'net 858d56e68084a71df60a1d4419cb925c2549dfc0b10faa482044ce4ddfef78ce on br-858d56e68084, c 14c25256009a';
    expect(normaliseIds(text, ph)).toBe('net <ID1> on br-<ID1/12>, c <ID2/12>');
  });

  it('makes a capture `ip addr` and the simulator`s equal when only random values and IPv6/ifb differ', () => {
    expect(normaliseIpAddr(CAPTURE_IP_ADDR, new Placeholders())).toBe(normaliseIpAddr(SIM_IP_ADDR, new Placeholders()));
    expect(normaliseIpAddr(SIM_IP_ADDR, new Placeholders())).not.toMatch(/inet6|ifb|veth78|ba:7d/u);
  });

  it('still tells apart addresses, MTUs, masters and container MACs', () => {
    const changed = [
      SIM_IP_ADDR.replace('192.0.2.2/24', '192.0.2.3/24'),
      SIM_IP_ADDR.replace('mtu 1400', 'mtu 1500'),
      SIM_IP_ADDR.replace('master br-ef8b1a71330d', 'master docker0'),
      SIM_IP_ADDR.replace('link-netnsid 0', 'link-netnsid 1'),
    ];
    const base = normaliseIpAddr(CAPTURE_IP_ADDR, new Placeholders());
    for (const c of changed) expect(normaliseIpAddr(c, new Placeholders())).not.toBe(base);
    // A container's eth0 keeps its (deterministic) MAC.
    const ctr = '10: eth0@if11: <BROADCAST> mtu 1500\n    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n';
    expect(normaliseIpAddr(ctr, new Placeholders())).toContain('02:42:ac:11:00:02');
  });

  it('orders `ip neigh` lines and keeps MACs derived from the entry address', () => {
    const a = normaliseNeigh('172.17.0.3 dev eth0 lladdr 02:42:ac:11:00:03 REACHABLE \n172.17.0.1 dev eth0 lladdr 02:42:85:26:89:20 REACHABLE \n', new Placeholders());
    const b = normaliseNeigh('172.17.0.1 dev eth0 lladdr 02:42:dd:49:b7:89 REACHABLE \n172.17.0.3 dev eth0 lladdr 02:42:ac:11:00:03 REACHABLE \n', new Placeholders());
    expect(a).toEqual(b);
    expect(a).toContain('172.17.0.3 dev eth0 lladdr 02:42:ac:11:00:03 REACHABLE ');
  });

  it('reads conntrack flows without timeouts and ephemeral ports, wherever the summary line landed', () => {
    const text =
      'tcp      6 110 TIME_WAIT src=172.17.0.6 dst=192.0.2.2 sport=60320 dport=8080 src=192.0.2.2 dst=172.17.0.6 sport=8080 dporconntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.\nt=60320 [ASSURED] mark=0 use=1\n' +
      'unknown  2 561 src=172.23.0.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=172.23.0.1 mark=0 use=1\n';
    expect(normaliseConntrack(text)).toEqual(['tcp TIME_WAIT src=172.17.0.6 dst=192.0.2.2 sport=* dport=8080 src=192.0.2.2 dst=172.17.0.6 sport=8080 dport=* [ASSURED]']);
  });

  it('drops only the `#` comment lines of iptables-save, and normalises embedded DNS ports', () => {
    const a = '# Generated by iptables-save v1.8.9 on Sun\n*nat\n-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:53267\nCOMMIT\n';
    const b = a.replace('Sun', 'Mon').replace('53267', '40000');
    expect(normalise('iptables', a)).toBe(normalise('iptables', b));
    expect(normalise('iptables', a)).not.toBe(normalise('iptables', b.replace('--dport 53', '--dport 54')));
  });

  it('reads capture blocks, including one whose `[exit=N]` ends the last output line', () => {
    const blocks = parseBlocks('$ a\nout\n[exit=0]\n\n$ b\nx y [exit=1]\n\n');
    expect(blocks).toEqual([
      { command: 'a', output: 'out\n', exit: 0 },
      { command: 'b', output: 'x y ', exit: 1 },
    ]);
  });
});
