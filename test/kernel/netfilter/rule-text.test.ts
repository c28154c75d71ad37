/**
 * The canonical iptables-save text of each supported match and target: implicit `-m tcp`,
 * address normalisation, option order, and the extensions' own spellings (cases adapted from
 * upstream iptables' extensions/*.t files and the Docker captures).
 */
import { describe, expect, it } from 'vitest';
import { formatRule, parseRuleLine, splitWords } from '../../../src/kernel/netfilter/index.js';

/** input rule (after `-A X`) -> the text iptables-save prints ('=' means unchanged). */
const CASES: readonly (readonly [string, string, string])[] = [
  // table, input, expected save text
  ['nat', '! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80', '! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80'],
  ['filter', '-o docker0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
  ['nat', '! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER', '='],
  ['nat', '-s 172.17.0.2 -d 172.17.0.2 -p tcp --dport 80 -j MASQUERADE', '-s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE'],
  ['nat', '-d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:41085', '='],
  ['nat', '-s 127.0.0.11/32 -p udp -m udp --sport 53267 -j SNAT --to-source :53', '='],
  ['filter', '-s 10.11.12.13/8 -j ACCEPT', '-s 10.0.0.0/8 -j ACCEPT'],
  ['filter', '-s 10.11.12.13/255.0.255.0 -j ACCEPT', '-s 10.0.12.0/255.0.255.0 -j ACCEPT'],
  ['filter', '! -s 0.0.0.0 -j ACCEPT', '! -s 0.0.0.0/32 -j ACCEPT'],
  ['filter', '-s 0.0.0.0/0 -d 1.2.3.4/0 -j ACCEPT', '-j ACCEPT'],
  ['filter', '-i + -p tcp', '-p tcp'],
  ['filter', '-i eth+ -o veth+ -j ACCEPT', '='],
  ['filter', '--protocol=tcp --source=1.2.3.4 --in-interface=eth0 --jump=ACCEPT', '-s 1.2.3.4/32 -i eth0 -p tcp -j ACCEPT'],
  ['filter', '-ptcp -s1.2.3.4 -ieth0 -jACCEPT', '-s 1.2.3.4/32 -i eth0 -p tcp -j ACCEPT'],
  ['filter', '-p 6 --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 -j ACCEPT'],
  ['filter', '-p 47 -j ACCEPT', '-p gre -j ACCEPT'],
  ['filter', '-p TCP --sport 1024: -j ACCEPT', '-p tcp -m tcp --sport 1024:65535 -j ACCEPT'],
  ['filter', '-p tcp --dport :4 -j ACCEPT', '-p tcp -m tcp --dport 0:4 -j ACCEPT'],
  ['filter', '-p tcp --dport 4:4 -j ACCEPT', '-p tcp -m tcp --dport 4 -j ACCEPT'],
  ['filter', '-p tcp -m tcp --sport :', '-p tcp -m tcp'],
  ['filter', '-p tcp ! --dport 22 -j DROP', '-p tcp -m tcp ! --dport 22 -j DROP'],
  ['filter', '-p tcp --dport http -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
  ['filter', '-p tcp --syn -j ACCEPT', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT'],
  ['filter', '-p tcp ! --tcp-flags ALL syn,ack', '-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN,ACK'],
  ['filter', '-p udp -m udp --sport 4:3', '='],
  ['filter', '-p icmp --icmp-type echo-request -j ACCEPT', '-p icmp -m icmp --icmp-type 8 -j ACCEPT'],
  ['filter', '-p icmp --icmp-type port-unr -j ACCEPT', '-p icmp -m icmp --icmp-type 3/3 -j ACCEPT'],
  ['filter', '-p icmp ! --icmp-type any', '-p icmp -m icmp ! --icmp-type any'],
  ['filter', '-p icmp --icmp-type 3/4', '-p icmp -m icmp --icmp-type 3/4'],
  ['filter', '-m conntrack --ctstate new,est', '-m conntrack --ctstate NEW,ESTABLISHED'],
  ['filter', '-m conntrack --ctproto tcp --ctorigdst 10.1.2.3/8 --ctorigdstport 80 --ctdir REPLY', '-m conntrack --ctproto 6 --ctorigdst 10.1.2.3/8 --ctorigdstport 80 --ctdir REPLY'],
  ['filter', '-m conntrack ! --ctstate SNAT,DNAT --ctstatus assured,confirmed', '-m conntrack ! --ctstate SNAT,DNAT --ctstatus ASSURED,CONFIRMED'],
  ['filter', '-m state --state ESTABLISHED,NEW', '-m state --state NEW,ESTABLISHED'],
  ['filter', '-m state ! --state INVALID -j DROP', '='],
  ['filter', '-m addrtype --src-type local,unicast ! --dst-type MULTICAST --limit-iface-in', '-m addrtype --src-type UNICAST,LOCAL ! --dst-type MULTICAST --limit-iface-in'],
  ['filter', '-m mark --mark 0x1', '='],
  ['filter', '-m mark ! --mark 16/0xff', '-m mark ! --mark 0x10/0xff'],
  ['filter', '-m connmark --mark 4294967295', '-m connmark --mark 0xffffffff'],
  ['filter', '-p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT', '='],
  ['filter', '-p udp -m multiport ! --sports 53', '='],
  ['filter', '-m physdev --physdev-is-bridged --physdev-out veth+ --physdev-in eth0', '-m physdev --physdev-in eth0 --physdev-out veth+ --physdev-is-bridged'],
  ['filter', '-m ipvs --ipvs', '='],
  ['filter', '-m ipvs --vaddr 10.0.0.1 --vport 80 --vproto tcp --vdir ORIGINAL --vmethod masq', '-m ipvs --vproto 6 --vaddr 10.0.0.1 --vport 80 --vdir ORIGINAL --vmethod MASQ'],
  ['filter', '-m policy --dir in --pol none -j DROP', '='],
  ['filter', '-m policy --pol ipsec --dir out --strict --proto esp --mode tunnel --tunnel-dst 10.0.0.1 --next --reqid 4', '-m policy --dir out --pol ipsec --strict --proto esp --mode tunnel --tunnel-dst 10.0.0.1 --next --reqid 4'],
  ['filter', '-m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0x4"', '-m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x1a&0x3c@0x0=0x4"'],
  ['filter', '-m u32 ! --u32 "0 >> 28 = 4 && 8 & 0xFF0000 >> 16 = 6,17:20"', '-m u32 ! --u32 "0x0>>0x1c=0x4&&0x8&0xff0000>>0x10=0x6,0x11:0x14"'],
  ['filter', '-m comment --comment "kubernetes service nodeports; NOTE: last" -m addrtype --dst-type LOCAL -j RETURN', '-m addrtype --dst-type LOCAL -m comment --comment "kubernetes service nodeports; NOTE: last" -j RETURN'],
  ['filter', '-m comment --comment simple_word-1', '='],
  ['filter', '-m set --match-set docker-ext-bridges-v4 dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '='],
  ['filter', '-m set ! --match-set s src,dst --return-nomatch ! --update-counters', '='],
  ['filter', '-m statistic --mode random --probability 0.33333333349 -j RETURN', '-m statistic --mode random --probability 0.33333333349 -j RETURN'],
  ['filter', '-m statistic --mode nth --every 3', '-m statistic --mode nth --every 3 --packet 0'],
  ['filter', '-m statistic --mode random --probability 0.5', '-m statistic --mode random --probability 0.50000000000'],
  ['filter', '-f -j DROP', '='],
  ['filter', '! -f -j DROP', '='],
  ['filter', '! -p udp -j ACCEPT', '='],
  ['filter', '-g DOCKER', '='],
  ['filter', '-j REJECT', '-j REJECT --reject-with icmp-port-unreachable'],
  ['filter', '-p tcp -j REJECT --reject-with tcp-rst', '-p tcp -j REJECT --reject-with tcp-reset'],
  ['filter', '-j REJECT --reject-with icmp-host-pro', '-j REJECT --reject-with icmp-host-prohibited'],
  ['nat', '-j DNAT --to-destination 1.1.1.1-1.1.1.10', '='],
  ['nat', '-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535 --random --persistent', '='],
  ['nat', '-o eth0 -j SNAT --to-source 192.0.2.2 --random-fully', '='],
  ['nat', '-p tcp -j MASQUERADE --to-ports 1024-2048 --random', '='],
  ['nat', '-p tcp -j REDIRECT --to-ports 8080', '='],
  ['mangle', '-j MARK --set-mark 0x1', '-j MARK --set-xmark 0x1/0xffffffff'],
  ['mangle', '-j MARK --set-mark 0x1/0xff', '-j MARK --set-xmark 0x1/0xff'],
  ['mangle', '-j MARK --and-mark 0xff', '-j MARK --set-xmark 0x0/0xffffff00'],
  ['mangle', '-j MARK --or-mark 0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
  ['mangle', '-j MARK --xor-mark 3', '-j MARK --set-xmark 0x3/0x0'],
  ['mangle', '-j CONNMARK --save-mark', '-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff'],
  ['mangle', '-j CONNMARK --restore-mark --mask 0xff', '-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff'],
  ['mangle', '-j CONNMARK --set-mark 5', '-j CONNMARK --set-xmark 0x5/0xffffffff'],
  ['filter', '-j LOG', '='],
  ['filter', '-j LOG --log-prefix "DROP: " --log-level info --log-uid', '-j LOG --log-prefix "DROP: " --log-level 6 --log-uid'],
  ['filter', '-j LOG --log-prefix abc --log-level 4', '-j LOG --log-prefix abc'],
  ['raw', '-p icmp -j TRACE', '='],
  ['raw', '-j CT --notrack', '='],
  ['raw', '-j NOTRACK', '='],
  ['raw', '-j CT --zone 3 --helper ftp', '-j CT --helper ftp --zone 3'],
];

describe('rule text', () => {
  for (const [table, input, expected] of CASES) {
    it(`${table}: ${input}`, () => {
      const parsed = parseRuleLine(splitWords(`-A X ${input}`), table);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.failure));
      const text = formatRule('X', parsed.rule);
      expect(text).toBe(`-A X ${expected === '=' ? input : expected}`);
      const again = parseRuleLine(splitWords(text), table);
      expect(again.ok && formatRule('X', again.rule)).toBe(text);
    });
  }

  it('expands -s/-d lists into one rule per pair', () => {
    const parsed = parseRuleLine(splitWords('-A X -s 1.1.1.1,2.2.2.0/24 -j ACCEPT'));
    expect(parsed.ok).toBe(false);
  });
});
