/**
 * Exact stderr texts and exit codes of iptables 1.8.9 (nf_tables) for usage errors (2),
 * errno failures (1), unknown tables (3) and kernel refusals (4); a failed command leaves the
 * ruleset untouched.
 */
import { describe, expect, it } from 'vitest';
import { Ruleset } from '../../../src/kernel/netfilter/index.js';
import { ipt, setup } from './support.js';

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";
const V = 'iptables v1.8.9 (nf_tables): ';

function base(): Ruleset {
  return setup(['-N DOCKER', '-A INPUT -j ACCEPT', '-t nat -N DOCKER']);
}

/** command, exit code, stderr */
const CASES: readonly (readonly [string, number, string])[] = [
  ['-A INPUT -m foo -j ACCEPT', 2, `${V}Couldn't load match \`foo':No such file or directory\n\n${TRY}`],
  ['-A INPUT -j NOSUCH', 2, `${V}Chain 'NOSUCH' does not exist\n${TRY}`],
  ['-A INPUT -g NOSUCH', 2, `${V}Chain 'NOSUCH' does not exist\n${TRY}`],
  ['-t foo -L', 3, `${V}table 'foo' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`],
  ['-N DOCKER', 1, 'iptables: Chain already exists.\n'],
  ['-N INPUT', 1, 'iptables: Chain already exists.\n'],
  ['-N ACCEPT', 2, `${V}chain name may not clash with target name\n${TRY}`],
  ['-N DNAT', 2, `${V}chain name may not clash with target name\n${TRY}`],
  ['-N -foo', 2, `${V}chain name not allowed to start with \`-'\n${TRY}`],
  ['-N 0123456789012345678901234567890', 2, `${V}chain name \`0123456789012345678901234567890' too long (must be under 29 chars)\n${TRY}`],
  ['-A NOSUCH -j ACCEPT', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-F NOSUCH', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-Z NOSUCH', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-L NOSUCH', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-X NOSUCH', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-E DOCKER INPUT', 1, 'iptables: File exists.\n'],
  ['-I INPUT 23 -j ACCEPT', 1, 'iptables: Index of insertion too big.\n'],
  ['-D INPUT 23', 1, 'iptables: Index of deletion too big.\n'],
  ['-R INPUT 23 -j ACCEPT', 1, 'iptables: Index of replacement too big.\n'],
  ['-I NOSUCH 23 -j ACCEPT', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-D NOSUCH 23', 1, 'iptables: No chain/target/match by that name.\n'],
  ['-D INPUT -j DROP', 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
  ['-C FORWARD -j ACCEPT', 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
  ['-C NOSUCH -j ACCEPT', 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
  ['-P INPUT FOO', 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
  ['-P DOCKER DROP', 1, 'iptables: Bad built-in chain name.\n'],
  ['-X INPUT', 1, 'iptables: Directory not empty.\n'],
  ['-t nat -A DOCKER -j DROP', 2, `${V}\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\n${TRY}`],
  ['-t nat -P PREROUTING DROP', 2, `${V}\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n\n${TRY}`],
  ['-A INPUT -j MASQUERADE', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`],
  ['-t nat -A PREROUTING -j MASQUERADE', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n`],
  ['-t nat -I POSTROUTING -j DNAT --to-destination 1.2.3.4', 4, `${V} RULE_INSERT failed (Invalid argument): rule in chain POSTROUTING\n`],
  ['-t mangle -A INPUT -j REJECT', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`],
  ['-A INPUT -p udp -j REJECT --reject-with tcp-reset', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`],
  ['-A INPUT -j TRACE', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`],
  ['-A INPUT -m tcp --dport 80', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain INPUT\n`],
  ['-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain OUTPUT\n`],
  ['-A OUTPUT -m policy --dir in --pol none', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain OUTPUT\n`],
  ['-A OUTPUT -m physdev --physdev-out eth0', 4, `${V} RULE_APPEND failed (Invalid argument): rule in chain OUTPUT\n`],
  ['-A DOCKER -j DOCKER', 4, `${V} RULE_APPEND failed (Too many levels of symbolic links): rule in chain DOCKER\n`],
  ['-A DOCKER -j INPUT', 4, `${V} RULE_APPEND failed (Operation not supported): rule in chain DOCKER\n`],
  ['-A INPUT -o eth0 -j ACCEPT', 2, `${V}Can't use -o with INPUT\n\n${TRY}`],
  ['-A POSTROUTING -t nat -i eth0 -j ACCEPT', 2, `${V}Can't use -i with POSTROUTING\n\n${TRY}`],
  ['-A INPUT -p foo', 2, `${V}unknown protocol "foo" specified\n${TRY}`],
  ['-A INPUT ! -p all', 2, `${V}rule would never match protocol\n${TRY}`],
  ['-A INPUT -s 1.2.3.4 -s 5.6.7.8', 2, `${V}multiple -s flags not allowed\n${TRY}`],
  ['-A INPUT ! -j ACCEPT', 2, `${V}cannot have ! before -j\n${TRY}`],
  ['-A INPUT ! ! -s 1.2.3.4', 2, `${V}multiple consecutive ! not allowed\n${TRY}`],
  ['-A INPUT -s 1.2.3.4 !', 2, `${V}nothing appropriate following !\n${TRY}`],
  ['-A INPUT ! -m tcp', 2, `${V}unexpected ! flag before --match\n${TRY}`],
  ['-A INPUT -A FORWARD', 2, `${V}Cannot use -A with -A\n${TRY}`],
  ['-L -A INPUT', 2, `${V}Cannot use -A with -L\n${TRY}`],
  ['-s 1.2.3.4', 2, `${V}no command specified\n${TRY}`],
  ['-A INPUT foo', 2, `Bad argument \`foo'\n${TRY}`],
  ['-A INPUT --dport 80', 2, `${V}unknown option "--dport"\n${TRY}`],
  ['-A INPUT -p tcp --foo', 2, `${V}unknown option "--foo"\n${TRY}`],
  ['-A INPUT -n', 2, `${V}Illegal option \`-n' with this command\n${TRY}`],
  ['-L INPUT -s 1.2.3.4', 2, `${V}Illegal option \`-s' with this command\n${TRY}`],
  ['-A INPUT -s 1.2.3.4/33', 2, `${V}invalid mask \`33' specified\n${TRY}`],
  ['-A INPUT -s example.invalid', 2, `${V}host/network \`example.invalid' not found\n${TRY}`],
  ['-A INPUT -s 1.1.1.1,2.2.2.2 ! -d 3.3.3.3', 2, `${V}! not allowed with multiple source or destination IP addresses\n${TRY}`],
  ['-R INPUT 1 -s 1.1.1.1,2.2.2.2', 2, `${V}Replacement rule does not specify a unique address\n${TRY}`],
  ['-A INPUT -i 0123456789abcdef', 2, `${V}interface name \`0123456789abcdef' must be shorter than IFNAMSIZ (15)\n${TRY}`],
  ['-A INPUT -p tcp --dport 4:3', 2, `${V}invalid portrange (min > max)\n${TRY}`],
  ['-A INPUT -p tcp --dport 65536', 2, `${V}invalid port/service \`65536' specified\n${TRY}`],
  ['-A INPUT -p tcp --dport 1 --dport 2', 2, `${V}Only one \`--destination-port' allowed\n${TRY}`],
  ['-A INPUT -p tcp --tcp-flags SYN', 2, `${V}--tcp-flags requires two args.\n${TRY}`],
  ['-A INPUT -p tcp --tcp-flags SYN,FOO SYN', 2, `${V}Unknown TCP flag \`FOO'\n${TRY}`],
  ['-A INPUT -p icmp --icmp-type echo', 2, `${V}Ambiguous ICMP type \`echo': \`echo-reply' or \`echo-request'?\n${TRY}`],
  ['-A INPUT -p icmp --icmp-type foo', 2, `${V}Invalid ICMP type \`foo'\n\n${TRY}`],
  ['-A INPUT -m conntrack --ctstate FOO', 2, `${V}Bad ctstate "FOO"\n${TRY}`],
  ['-A INPUT -m conntrack', 2, `${V}conntrack: At least one option is required\n${TRY}`],
  ['-A INPUT -m state', 2, `${V}state: option "--state" must be specified\n\n${TRY}`],
  ['-A INPUT -m addrtype', 2, `${V}addrtype: you must specify --src-type or --dst-type\n${TRY}`],
  ['-A INPUT -m addrtype --dst-type FOO', 2, `${V}addrtype: bad type "FOO"\n${TRY}`],
  ['-A INPUT -m mark --mark 4294967296', 2, `${V}mark: Bad value for "mark" option: "4294967296"\n${TRY}`],
  ['-A INPUT -m multiport --dports 80', 2, `${V}multiport needs \`-p tcp', \`-p udp', \`-p udplite', \`-p sctp' or \`-p dccp'\n${TRY}`],
  ['-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', 2, `${V}too many ports specified\n${TRY}`],
  ['-A INPUT -m physdev', 2, `${V}PHYSDEV: no physdev option specified\n${TRY}`],
  ['-A INPUT -m u32 --u32 "0=1&&"', 2, `${V}u32: abrupt end of input after location specifier\n${TRY}`],
  ['-A INPUT -m u32 --u32 "0>1=1"', 2, `${V}u32: at char 2: a second '>' was expected\n${TRY}`],
  ['-A INPUT -m statistic --mode random', 2, `${V}--probability must be specified when using random mode\n${TRY}`],
  ['-A INPUT -m policy --pol ipsec', 2, `${V}policy match: neither --dir in nor --dir out specified\n${TRY}`],
  ['-A INPUT -j REJECT --reject-with foo', 2, `${V}unknown reject type "foo"\n${TRY}`],
  ['-t nat -A DOCKER -j DNAT', 2, `${V}DNAT: option "--to-destination" must be specified\n\n${TRY}`],
  ['-t nat -A DOCKER -j DNAT --to-destination 1.2.3.4:80', 2, `${V}Need TCP, UDP, SCTP or DCCP with port specification\n${TRY}`],
  ['-t nat -A DOCKER -p tcp -j DNAT --to-destination 1.2.3.4:80 --to-destination 1.2.3.5', 2, `${V}DNAT: Multiple --to-destination not supported\n${TRY}`],
  ['-t nat -A DOCKER -j MASQUERADE --to-ports 80', 2, `${V}Need TCP, UDP, SCTP or DCCP with port specification\n${TRY}`],
  ['-t mangle -A INPUT -j MARK', 2, `${V}MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required\n${TRY}`],
  ['-A INPUT -j LOG --log-level foo', 2, `${V}log level "foo" unknown\n\n${TRY}`],
  ['-A', 2, `${V}option "-A" requires an argument\n${TRY}`],
  ['-R INPUT', 2, `${V}-R requires a rule number\n${TRY}`],
  ['-I INPUT 0 -j ACCEPT', 2, `${V}Invalid rule number \`0'\n${TRY}`],
  ['-P INPUT', 2, `${V}-P requires a chain and a policy\n${TRY}`],
  ['-A INPUT -j', 2, `${V}option "-j" requires an argument\n${TRY}`],
  ['-A INPUT --d 1.2.3.4', 2, `${V}unknown option "--d"\n${TRY}`],
  ['-A INPUT --s 1.2.3.4', 2, `${V}unknown option "--s"\n${TRY}`],
];

describe('iptables error texts and exit codes', () => {
  for (const [cmd, code, stderr] of CASES) {
    it(cmd, () => {
      const rs = base();
      const before = JSON.stringify([rs.table('filter'), rs.table('nat')], (_k, v: unknown) => (v instanceof Map ? [...v] : v));
      const r = ipt(rs, cmd);
      expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code, stderr });
      const after = JSON.stringify([rs.table('filter'), rs.table('nat')], (_k, v: unknown) => (v instanceof Map ? [...v] : v));
      expect(after).toBe(before);
    });
  }

  it('prints the version', () => {
    expect(ipt(new Ruleset(), '-V')).toEqual({ exitCode: 0, stdout: 'iptables v1.8.9 (nf_tables)\n', stderr: '' });
  });

  it('accepts unambiguous long-option prefixes', () => {
    const rs = setup(['--append INPUT --proto tcp --dp 22 --jump ACCEPT', '-A INPUT --dest 1.2.3.4 -j DROP']);
    expect(ipt(rs, '-S INPUT').stdout).toBe('-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -d 1.2.3.4/32 -j DROP\n');
  });
});
