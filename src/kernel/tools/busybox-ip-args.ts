/**
 * The plumbing the busybox `ip` applet's commands share: its context (namespace, `-4`/`-o`),
 * `index_in_substrings` keyword matching, and its error printers (`bb_error_msg_and_die`: the
 * applet name, the message, exit 1; `rtnl_talk`: `RTNETLINK answers: <strerror>`, exit 2).
 *
 * Models: busybox `libbb/compare_string_array.c` (`index_in_substrings`), `libbb/verror_msg.c`,
 * `networking/libiproute/utils.c` (`get_prefix`: `an inet prefix is expected rather than "X"`,
 * `NEXT_ARG`: `command line is not complete, try 'help'`), `libnetlink.c` (`rtnl_talk`), and
 * the errno of each device-layer refusal, since busybox prints no extended-ack message.
 * Leaves out: IPv6 prefixes.
 */
import { type Cidr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { LinkError } from '../devices/index.js';
import { strerror, type IprouteError } from '../ipv4/index.js';
import type { Process } from '../process.js';
import { Args, die, parseLooseIpv4 } from './cli-args.js';

export const BUSYBOX_IP_USAGE =
  'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n' +
  'Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [COMMAND]\n\n' +
  'OPTIONS := -f[amily] inet|inet6|link | -o[neline]\n' +
  'COMMAND :=\n' +
  'ip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]\n' +
  'ip route list|flush|add|del|change|append|replace|test ROUTE\n' +
  'ip link set IFACE [up|down] [arp on|off] [multicast on|off]\n' +
  '\t[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]\n' +
  '\t[master IFACE | nomaster]\n' +
  'ip tunnel add|change|del|show [NAME]\n' +
  '\t[mode ipip|gre|sit]\n' +
  '\t[remote ADDR] [local ADDR] [ttl TTL]\n' +
  'ip neigh show|flush [to PREFIX] [dev DEV] [nud STATE]\n' +
  'ip rule [list] | add|del SELECTOR ACTION\n';

export interface BbContext {
  readonly proc: Process;
  family: 'unspec' | 'inet' | 'inet6' | 'link';
  readonly oneline: boolean;
}

export function fail(message: string, code = 1): never {
  die(`ip: ${message}\n`, code);
}

export const usage = (): never => die(BUSYBOX_IP_USAGE, 1);

/** `index_in_substrings`: the first keyword the word abbreviates, or -1. */
export function keyword(word: string, list: readonly string[]): number {
  return word === '' ? -1 : list.findIndex(k => k.startsWith(word));
}

export function dev(ctx: BbContext, name: string): NetDevice {
  return ctx.proc.ns.device(name) ?? fail(`can't find device '${name}'`);
}

const LINK_ERRNO: Readonly<Record<LinkError['kind'], string>> = {
  exists: 'File exists',
  'not-found': 'No such device',
  invalid: 'Invalid argument',
  busy: 'Device or resource busy',
  unsupported: 'Operation not supported',
  range: 'Numerical result out of range',
  'network-down': 'Network is down',
  loop: 'Too many levels of symbolic links',
  address: 'Cannot assign requested address',
};

/** `rtnl_talk` failing: `ip: RTNETLINK answers: <strerror>`, exit 2. */
export function talk<T>(r: { ok: true; value: T } | LinkError | IprouteError, prefix = 'RTNETLINK answers'): T {
  if (r.ok) return r.value;
  fail(`${prefix}: ${'errno' in r ? strerror(r.errno) : LINK_ERRNO[r.kind]}`, prefix === 'RTNETLINK answers' ? 2 : 1);
}

export function prefixArg(text: string, what: 'prefix' | 'address'): Cidr {
  if (text === 'default' || text === 'all' || text === 'any') return { address: 0, prefix: 0 };
  const [a, l] = text.split('/');
  const address = parseLooseIpv4(a ?? '');
  const prefix = l === undefined ? 32 : Number(l);
  if (address === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32 || (what === 'address' && l !== undefined)) {
    fail(`an inet ${what} is expected rather than "${text}"`);
  }
  return { address, prefix };
}

export function next(args: Args): string {
  args.shift();
  if (args.done) fail("command line is not complete, try 'help'");
  return args.cur;
}

