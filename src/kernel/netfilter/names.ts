/**
 * Name tables iptables reads from libxtables and from the host's /etc/protocols and /etc/services.
 *
 * Models: libxtables `xtables_chain_protos[]` and `xtables_parse_protocol`; Debian 12 netbase
 * /etc/protocols and /etc/services (the reference host's files, for the entries kept here);
 * libxtables `xtables_icmp_codes` (libipt_icmp); the REJECT names of libipt_REJECT.c; the syslog
 * level names of xtoptions.c `xtopt_parse_sysloglevel`; the route types of libipt_addrtype.c.
 *
 * Leaves out: the long tail of /etc/services (only common ports are named; the others print as
 * numbers in `iptables -L` without `-n`, and cannot be given by name).
 * Invariant: lookups are pure functions over these frozen tables.
 */

/** `xtables_chain_protos`: consulted first when a protocol number is printed. */
const CHAIN_PROTOS: readonly (readonly [string, number])[] = [
  ['tcp', 6],
  ['sctp', 132],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['esp', 50],
  ['ah', 51],
  ['mh', 135],
  ['all', 0],
];

/** /etc/protocols (netbase): name and number. */
const ETC_PROTOCOLS: readonly (readonly [string, number])[] = [
  ['ip', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ipencap', 4],
  ['tcp', 6],
  ['egp', 8],
  ['igp', 9],
  ['pup', 12],
  ['udp', 17],
  ['idp', 22],
  ['dccp', 33],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['ospf', 89],
  ['ipip', 94],
  ['etherip', 97],
  ['encap', 98],
  ['pim', 103],
  ['ipcomp', 108],
  ['vrrp', 112],
  ['l2tp', 115],
  ['isis', 124],
  ['sctp', 132],
  ['fc', 133],
  ['mobility-header', 135],
  ['udplite', 136],
  ['mpls-in-ip', 137],
];

/** `proto_to_name(proto, nolookup)`: the chain_protos name, else /etc/protocols unless numeric. */
export function protoToName(proto: number, nolookup: boolean): string | undefined {
  for (const [name, num] of CHAIN_PROTOS) if (num === proto) return name;
  if (proto !== 0 && !nolookup) {
    for (const [name, num] of ETC_PROTOCOLS) if (num === proto) return name;
  }
  return undefined;
}

/** `xtables_parse_protocol` on an already lower-cased name: number, `all`, /etc/protocols, chain_protos. */
export function protoByName(name: string): number | undefined {
  if (name === 'all') return 0;
  for (const [n, num] of ETC_PROTOCOLS) if (n === name) return num;
  for (const [n, num] of CHAIN_PROTOS) if (n === name) return num;
  return undefined;
}

/** /etc/services: port names valid for both tcp and udp in netbase (the common ones). */
const SERVICES: readonly (readonly [string, number])[] = [
  ['tcpmux', 1],
  ['echo', 7],
  ['discard', 9],
  ['daytime', 13],
  ['ftp-data', 20],
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['time', 37],
  ['whois', 43],
  ['tacacs', 49],
  ['domain', 53],
  ['bootps', 67],
  ['bootpc', 68],
  ['tftp', 69],
  ['gopher', 70],
  ['finger', 79],
  ['http', 80],
  ['kerberos', 88],
  ['pop3', 110],
  ['sunrpc', 111],
  ['auth', 113],
  ['nntp', 119],
  ['ntp', 123],
  ['epmap', 135],
  ['netbios-ns', 137],
  ['netbios-dgm', 138],
  ['netbios-ssn', 139],
  ['imap2', 143],
  ['snmp', 161],
  ['snmp-trap', 162],
  ['bgp', 179],
  ['irc', 194],
  ['ldap', 389],
  ['https', 443],
  ['microsoft-ds', 445],
  ['kpasswd', 464],
  ['submissions', 465],
  ['syslog', 514],
  ['submission', 587],
  ['ldaps', 636],
  ['rsync', 873],
  ['imaps', 993],
  ['pop3s', 995],
  ['socks', 1080],
  ['openvpn', 1194],
  ['ms-sql-s', 1433],
  ['radius', 1812],
  ['nfs', 2049],
  ['mysql', 3306],
  ['ms-wbt-server', 3389],
  ['sip', 5060],
  ['xmpp-client', 5222],
  ['postgresql', 5432],
  ['mdns', 5353],
  ['x11', 6000],
  ['http-alt', 8080],
];

export function serviceByName(name: string): number | undefined {
  for (const [n, port] of SERVICES) if (n === name) return port;
  return undefined;
}

export function serviceByPort(port: number): string | undefined {
  for (const [n, p] of SERVICES) if (p === port) return n;
  return undefined;
}

export interface IcmpCode {
  readonly name: string;
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
}

/** `xtables_icmp_codes` (the IPv4 table), in libxtables order: prefix lookups depend on it. */
export const ICMP_CODES: readonly IcmpCode[] = [
  { name: 'any', type: 0xff, codeMin: 0, codeMax: 0xff },
  { name: 'echo-reply', type: 0, codeMin: 0, codeMax: 0xff },
  { name: 'destination-unreachable', type: 3, codeMin: 0, codeMax: 0xff },
  { name: 'network-unreachable', type: 3, codeMin: 0, codeMax: 0 },
  { name: 'host-unreachable', type: 3, codeMin: 1, codeMax: 1 },
  { name: 'protocol-unreachable', type: 3, codeMin: 2, codeMax: 2 },
  { name: 'port-unreachable', type: 3, codeMin: 3, codeMax: 3 },
  { name: 'fragmentation-needed', type: 3, codeMin: 4, codeMax: 4 },
  { name: 'source-route-failed', type: 3, codeMin: 5, codeMax: 5 },
  { name: 'network-unknown', type: 3, codeMin: 6, codeMax: 6 },
  { name: 'host-unknown', type: 3, codeMin: 7, codeMax: 7 },
  { name: 'network-prohibited', type: 3, codeMin: 9, codeMax: 9 },
  { name: 'host-prohibited', type: 3, codeMin: 10, codeMax: 10 },
  { name: 'TOS-network-unreachable', type: 3, codeMin: 11, codeMax: 11 },
  { name: 'TOS-host-unreachable', type: 3, codeMin: 12, codeMax: 12 },
  { name: 'communication-prohibited', type: 3, codeMin: 13, codeMax: 13 },
  { name: 'host-precedence-violation', type: 3, codeMin: 14, codeMax: 14 },
  { name: 'precedence-cutoff', type: 3, codeMin: 15, codeMax: 15 },
  { name: 'source-quench', type: 4, codeMin: 0, codeMax: 0xff },
  { name: 'redirect', type: 5, codeMin: 0, codeMax: 0xff },
  { name: 'network-redirect', type: 5, codeMin: 0, codeMax: 0 },
  { name: 'host-redirect', type: 5, codeMin: 1, codeMax: 1 },
  { name: 'TOS-network-redirect', type: 5, codeMin: 2, codeMax: 2 },
  { name: 'TOS-host-redirect', type: 5, codeMin: 3, codeMax: 3 },
  { name: 'echo-request', type: 8, codeMin: 0, codeMax: 0xff },
  { name: 'router-advertisement', type: 9, codeMin: 0, codeMax: 0xff },
  { name: 'router-solicitation', type: 10, codeMin: 0, codeMax: 0xff },
  { name: 'time-exceeded', type: 11, codeMin: 0, codeMax: 0xff },
  { name: 'ttl-zero-during-transit', type: 11, codeMin: 0, codeMax: 0 },
  { name: 'ttl-zero-during-reassembly', type: 11, codeMin: 1, codeMax: 1 },
  { name: 'parameter-problem', type: 12, codeMin: 0, codeMax: 0xff },
  { name: 'ip-header-bad', type: 12, codeMin: 0, codeMax: 0 },
  { name: 'required-option-missing', type: 12, codeMin: 1, codeMax: 1 },
  { name: 'timestamp-request', type: 13, codeMin: 0, codeMax: 0xff },
  { name: 'timestamp-reply', type: 14, codeMin: 0, codeMax: 0xff },
  { name: 'address-mask-request', type: 17, codeMin: 0, codeMax: 0xff },
  { name: 'address-mask-reply', type: 18, codeMin: 0, codeMax: 0xff },
];

/** libipt_REJECT.c `reject_table`, in its order (prefix lookups take the first hit). */
export const REJECT_TYPES = [
  { with: 'icmp-net-unreachable', alias: 'net-unreach' },
  { with: 'icmp-host-unreachable', alias: 'host-unreach' },
  { with: 'icmp-port-unreachable', alias: 'port-unreach' },
  { with: 'icmp-proto-unreachable', alias: 'proto-unreach' },
  { with: 'icmp-net-prohibited', alias: 'net-prohib' },
  { with: 'icmp-host-prohibited', alias: 'host-prohib' },
  { with: 'tcp-reset', alias: 'tcp-rst' },
  { with: 'icmp-admin-prohibited', alias: 'admin-prohib' },
] as const;
export type RejectWith = (typeof REJECT_TYPES)[number]['with'];

/** xtoptions.c syslog level names (sorted, as bsearch needs). */
export const LOG_LEVELS: readonly (readonly [string, number])[] = [
  ['alert', 1],
  ['crit', 2],
  ['debug', 7],
  ['emerg', 0],
  ['error', 3],
  ['info', 6],
  ['notice', 5],
  ['panic', 0],
  ['warning', 4],
];

/** libipt_addrtype.c `rtn_names`: bit i of a type mask is RTN type i. */
export const RTN_NAMES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
] as const;
export type RouteType = (typeof RTN_NAMES)[number];
