/**
 * The `ip` program: global options, the object words, and the namespace switch of `-n`. In a
 * process whose userland is busybox (a container's `docker exec c1 ip ...`) the busybox applet
 * answers instead (`busybox-ip.ts`).
 *
 * Models: iproute2 6.x `ip/ip.c` (`main`: options are matched by abbreviation in table order,
 * so `-n` is `-netns`, `-s` `-stats`, `-d` `-details`, `-o` `-oneline`, `-br` `-brief`, `-b`
 * `-batch`, `-h` `-human`; `Option "-x" is unknown, try "ip -help".` exits 255; `do_cmd`:
 * objects by abbreviation in the order address, addrlabel, maddress, route, rule, neighbor,
 * neighbour, ntable, link, ..., netns; `Object "x" is unknown, try "ip help".` exits 1;
 * `ip` alone prints the usage and exits 255), `lib/namespace.c` `netns_switch`.
 * Leaves out: `-batch`, `-json`, `-color`, `-timestamp`, `-all`, `-Numeric` (accepted and
 * ignored where harmless), and the objects the model has no state for (`tunnel`, `maddress`,
 * `ntable`, `monitor`, ...), which answer as unknown objects.
 */
import type { Process, Program, ProgramRegistry } from '../process.js';
import { die, matches, runSync } from './cli-args.js';
import { busyboxIp } from './busybox-ip.js';
import { doIpAddr } from './ip-addr.js';
import type { IpContext, IpOptions } from './ip-context.js';
import { doIpLink } from './ip-link.js';
import { doIpNeigh } from './ip-neigh.js';
import { doIpNetns } from './ip-netns.js';
import { doIpRoute } from './ip-route.js';
import { doIpRule } from './ip-rule.js';
import { doIpXfrm } from './ip-xfrm.js';
import { installToolsState } from './link-view.js';

export const IP_USAGE =
  'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n' +
  '       ip [ -force ] -batch filename\n' +
  'where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |\n' +
  '                   link | macsec | maddress | monitor | mptcp | mroute | mrule |\n' +
  '                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n' +
  '                   ntbl | route | rule | sr | tap | tcpmetrics |\n' +
  '                   token | tunnel | tuntap | vrf | xfrm }\n' +
  '       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |\n' +
  '                    -h[uman-readable] | -iec | -j[son] | -p[retty] |\n' +
  '                    -f[amily] { inet | inet6 | mpls | bridge | link } |\n' +
  '                    -4 | -6 | -M | -B | -0 |\n' +
  '                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |\n' +
  '                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |\n' +
  '                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |\n' +
  '                    -c[olor]}\n';

type Handler = (ctx: IpContext, words: readonly string[]) => number | 'pending';

/** `cmds[]` of ip.c, in its order (abbreviations resolve to the first match). */
const OBJECTS: readonly (readonly [string, Handler | undefined])[] = [
  ['address', doIpAddr],
  ['addrlabel', undefined],
  ['maddress', undefined],
  ['route', doIpRoute],
  ['rule', doIpRule],
  ['neighbor', doIpNeigh],
  ['neighbour', doIpNeigh],
  ['ntable', undefined],
  ['link', doIpLink],
  ['xfrm', doIpXfrm],
  ['netns', doIpNetns],
];

/** `-family` words (`read_family`). */
function familyOf(word: string): IpOptions['family'] | undefined {
  if (word === 'inet') return 'inet';
  if (word === 'inet6') return 'inet6';
  if (word === 'link') return 'link';
  return undefined;
}

/** Runs `ip` with `argv` (without `ip` itself) in `proc`; returns the exit status or 'pending'. */
export function ipMain(proc: Process, registry: ProgramRegistry, argv: readonly string[]): number | 'pending' {
  const opts: IpOptions = { family: 'unspec', details: 0, stats: 0, brief: false, oneline: false };
  let ns = proc.ns;
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt.startsWith('--')) opt = opt.slice(1);
    if (matches(opt, '-loops')) i++;
    else if (matches(opt, '-family')) {
      const word = argv[++i];
      if (word === undefined || word === 'help') die(IP_USAGE, 255);
      opts.family = familyOf(word) ?? die(`Error: argument "${word}" is wrong: invalid protocol family\n`, 255);
    } else if (opt === '-4') opts.family = 'inet';
    else if (opt === '-6') opts.family = 'inet6';
    else if (opt === '-0') opts.family = 'link';
    else if (matches(opt, '-human') || matches(opt, '-human-readable') || matches(opt, '-iec')) continue;
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) opts.stats++;
    else if (matches(opt, '-details')) opts.details++;
    else if (matches(opt, '-resolve')) continue;
    else if (matches(opt, '-oneline')) opts.oneline = true;
    else if (matches(opt, '-Version')) {
      proc.out('ip utility, iproute2-6.1.0, libbpf 1.1.2\n');
      return 0;
    } else if (matches(opt, '-force')) continue;
    else if (matches(opt, '-brief')) opts.brief = true;
    else if (matches(opt, '-color') || matches(opt, '-colour') || matches(opt, '-Numeric') || matches(opt, '-all')) continue;
    else if (matches(opt, '-help')) die(IP_USAGE, 255);
    else if (matches(opt, '-netns')) {
      const name = argv[++i];
      if (name === undefined) die('Command line is not complete. Try option "help"\n', 255);
      ns = ns.host.named.get(name) ?? die(`Cannot open network namespace "${name}": No such file or directory\n`, 255);
    } else die(`Option "${opt}" is unknown, try "ip -help".\n`, 255);
  }
  const object = argv[i];
  if (object === undefined) die(IP_USAGE, 255);
  if (matches(object, 'help')) die(IP_USAGE, 255);
  const entry = OBJECTS.find(([name]) => matches(object, name));
  const handler = entry?.[1];
  if (handler === undefined) die(`Object "${object}" is unknown, try "ip help".\n`, 1);
  const ctx: IpContext = { proc, ns, opts, registry };
  return handler(ctx, argv.slice(i + 1));
}

/** The `ip` program, with `ip netns exec` starting programs from `registry`. */
export function ipProgram(registry: ProgramRegistry): Program {
  return proc => {
    installToolsState(proc.ns.host);
    if (proc.userland === 'busybox') {
      busyboxIp(proc);
      return;
    }
    runSync(proc, () => ipMain(proc, registry, proc.argv.slice(1)));
  };
}
