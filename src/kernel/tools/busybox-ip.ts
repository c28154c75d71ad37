/**
 * busybox 1.35's `ip` applet, what `docker exec c1 ip ...` runs in a busybox container: `ip
 * addr`, `ip route`, `ip link`, `ip neigh`, `ip rule`, with busybox's argument handling and
 * its error texts (`ip: can't find device 'X'`, `ip: RTNETLINK answers: <strerror>` with exit
 * 2, since busybox asks for no extended acks; `ip: invalid argument 'X' to 'ip'`; the usage on
 * stderr with exit 1).
 *
 * Models: busybox `networking/ip.c` (objects by abbreviation: address, route, r, link, tunnel,
 * rule, neigh), `libiproute/ip_parse_common_args.c` (`-4 -6 -0 -f FAMILY -o`), `ipaddress.c`
 * (`ipaddr_list_or_flush`, `ipaddr_modify`), `iproute.c` (`iproute_list_or_flush` shows table
 * main unless `table all|N`; `iproute_modify`; `iproute_get`), `iplink.c` (`do_set` through
 * ioctls, so a missing device is `ip: SIOCGIFFLAGS: No such device`; `do_add_or_delete`:
 * `type veth` ignores `peer` words, the kernel names the peer `vethN`), `ipneigh.c` (only
 * `show` and `flush`), `iprule.c`, `libnetlink.c` (`rtnl_talk` errors) and `utils.c`.
 * Leaves out: `ip tunnel`, `ip link add type vrf`, `ip neigh flush` round messages beyond the
 * first, `-o` for routes; the view functions are in `busybox-ip-view.ts`.
 */
import { cidrContains, type Cidr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { linkAdd, linkDel, linkSetAddress, linkSetDown, linkSetMaster, linkSetMtu, linkSetName, linkSetNs, linkSetUp, type LinkError, type LinkSpec } from '../devices/index.js';
import { ipv4Of, parseScope, routeGet, strerror, type IprouteError, type Scope } from '../ipv4/index.js';
import type { Process } from '../process.js';
import { Args, die, parseLooseIpv4, runSync, ToolExit } from './cli-args.js';
import { bbAddrRecord, bbLinkBlock, bbNeighLine, bbRouteGet, bbRouteLine, bbRuleLine } from './busybox-ip-view.js';
import { setTxQueueLen } from './link-view.js';
import { tablesInDumpOrder } from './route-view.js';
import { tableId } from './ip-route.js';

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

interface BbContext {
  readonly proc: Process;
  family: 'unspec' | 'inet' | 'inet6' | 'link';
  readonly oneline: boolean;
}

function fail(message: string, code = 1): never {
  die(`ip: ${message}\n`, code);
}

const usage = (): never => die(BUSYBOX_IP_USAGE, 1);

/** `index_in_substrings`: the first keyword the word abbreviates, or -1. */
function keyword(word: string, list: readonly string[]): number {
  return word === '' ? -1 : list.findIndex(k => k.startsWith(word));
}

function dev(ctx: BbContext, name: string): NetDevice {
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
function talk<T>(r: { ok: true; value: T } | LinkError | IprouteError, prefix = 'RTNETLINK answers'): T {
  if (r.ok) return r.value;
  fail(`${prefix}: ${'errno' in r ? strerror(r.errno) : LINK_ERRNO[r.kind]}`, prefix === 'RTNETLINK answers' ? 2 : 1);
}

function prefixArg(text: string, what: 'prefix' | 'address'): Cidr {
  if (text === 'default' || text === 'all' || text === 'any') return { address: 0, prefix: 0 };
  const [a, l] = text.split('/');
  const address = parseLooseIpv4(a ?? '');
  const prefix = l === undefined ? 32 : Number(l);
  if (address === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32 || (what === 'address' && l !== undefined)) {
    fail(`an inet ${what} is expected rather than "${text}"`);
  }
  return { address, prefix };
}

function next(args: Args): string {
  args.shift();
  if (args.done) fail("command line is not complete, try 'help'");
  return args.cur;
}

function addrShow(ctx: BbContext, args: Args, flush: boolean, linkOnly: boolean): number {
  if (flush && args.done) fail('flush requires an argument');
  let to: Cidr | undefined;
  let scope: Scope | undefined;
  let label: string | undefined;
  let devName: string | undefined;
  let up = false;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['to', 'scope', 'up', 'label', 'dev']);
    if (k === 0) {
      to = prefixArg(next(args), 'prefix');
      if (ctx.family === 'unspec') ctx.family = 'inet';
    } else if (k === 1) scope = parseScope(next(args));
    else if (k === 2) up = true;
    else if (k === 3) label = next(args);
    else devName = k === 4 ? next(args) : args.cur;
  }
  const ns = ctx.proc.ns;
  const filterDev = devName === undefined ? undefined : dev(ctx, devName);
  const st = ipv4Of(ns);
  const match = (name: string): boolean => label === undefined || new RegExp(`^${label.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name);
  const addrOk = (a: { scope: Scope; label: string; address: number }): boolean =>
    (scope === undefined || a.scope === scope) && match(a.label) && (to === undefined || cidrContains(to, a.address));
  if (flush) {
    for (const d of ns.sortedDevices()) {
      if (filterDev !== undefined && d !== filterDev) continue;
      for (let a = st.addrs.of(d).find(addrOk); a !== undefined; a = st.addrs.of(d).find(addrOk)) st.addrDel(d, a.address, a.prefix);
    }
    return 0;
  }
  const family = linkOnly ? 'link' : ctx.family;
  let out = '';
  for (const d of ns.sortedDevices()) {
    if (filterDev !== undefined && d !== filterDev) continue;
    if (up && !d.adminUp) continue;
    const addrs = family === 'link' || family === 'inet6' ? [] : st.addrs.of(d).filter(addrOk);
    if (family !== 'unspec' && family !== 'link' && addrs.length === 0) continue;
    if (!(ctx.oneline && family !== 'link') && match(d.name)) out += bbLinkBlock(d, family === 'unspec' || family === 'link', ctx.oneline ? '\\' : '\n');
    for (const a of addrs) out += bbAddrRecord(a, ctx.oneline);
  }
  ctx.proc.out(out);
  return 0;
}

function addrModify(ctx: BbContext, cmd: number, args: Args): number {
  let devName: string | undefined;
  let local: Cidr | undefined;
  let brd: number | '+' | undefined;
  let scope: Scope | undefined;
  let label: string | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['peer', 'remote', 'broadcast', 'brd', 'anycast', 'scope', 'dev', 'label', 'local']);
    const v = k >= 0 && k < 8 ? next(args) : k === 8 ? next(args) : args.cur;
    if (k === 2 || k === 3) brd = v === '+' ? '+' : prefixArg(v, 'address').address;
    else if (k === 5) scope = parseScope(v) ?? fail(`invalid argument '${v}' to 'scope'`);
    else if (k === 6) devName = v;
    else if (k === 7) label = v;
    else if (k < 0 || k === 8) local = prefixArg(v, 'prefix');
  }
  if (devName === undefined) fail('need "dev IFACE"');
  if (label !== undefined && !label.startsWith(devName)) fail(`"dev" (${devName}) must match "label" (${label})`);
  const d = dev(ctx, devName);
  const st = ipv4Of(ctx.proc.ns);
  if (local === undefined) fail('RTNETLINK answers: Invalid argument', 2);
  if (cmd === 4) {
    talk(st.addrDel(d, local.address, local.prefix));
    return 0;
  }
  talk(st.addrAdd(d, local, { ...(brd === undefined || (brd === '+' && local.prefix > 30) ? {} : { broadcast: brd }), ...(scope === undefined ? {} : { scope }), ...(label === undefined ? {} : { label }) }));
  return 0;
}

function routeList(ctx: BbContext, args: Args, flush: boolean): number {
  if (flush && args.done) fail('"ip route flush" requires an argument');
  let table = 254;
  let oif: NetDevice | undefined;
  let exact: Cidr | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['protocol', 'dev', 'oif', 'iif', 'via', 'table', 'cache', 'from', 'to', 'scope']);
    if (k === 1 || k === 2) oif = dev(ctx, next(args));
    else if (k === 5) {
      const v = next(args);
      table = v === 'all' ? 0 : v === 'cache' ? -1 : (tableId(v) ?? fail(`invalid argument '${v}' to 'table'`));
    } else if (k === 6) table = -1;
    else if (k === 0 || k === 3 || k === 4 || k === 7 || k === 9) next(args);
    else exact = prefixArg(k === 8 ? next(args) : args.cur, 'prefix');
  }
  if (table < 0) return 0;
  const fib = ipv4Of(ctx.proc.ns).fib;
  const routes = tablesInDumpOrder(fib.tables)
    .flatMap(t => t.all())
    .filter(r => (table === 0 || r.table === table) && (oif === undefined || r.dev === oif) && (exact === undefined || (r.prefix === exact.prefix && cidrContains(exact, r.dst))));
  if (flush) routes.forEach(r => fib.removeRoute(r));
  else ctx.proc.out(routes.map(r => bbRouteLine(r, table === 0)).join(''));
  return 0;
}

function routeModify(ctx: BbContext, cmd: string, args: Args): number {
  const spec: Record<string, unknown> = {};
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['src', 'via', 'mtu', 'advmss', 'scope', 'protocol', 'table', 'dev', 'oif', 'to', 'metric', 'onlink']);
    if (k === 0) spec['src'] = prefixArg(next(args), 'address').address;
    else if (k === 1) spec['gateway'] = prefixArg(next(args), 'address').address;
    else if (k === 2) spec['mtu'] = Number(next(args));
    else if (k === 3) next(args);
    else if (k === 4) spec['scope'] = parseScope(next(args)) ?? fail(`invalid argument '${args.cur}' to 'scope'`);
    else if (k === 5) spec['proto'] = next(args);
    else if (k === 6) spec['table'] = tableId(next(args)) ?? fail(`invalid argument '${args.cur}' to 'table'`);
    else if (k === 7 || k === 8) spec['dev'] = dev(ctx, next(args));
    else if (k === 10) spec['metric'] = Number(next(args));
    else if (k === 11) spec['onlink'] = true;
    else {
      if (k === 9) next(args);
      const t = ['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'throw', 'unicast'].find(x => x === args.cur);
      if (t !== undefined) {
        spec['type'] = t;
        next(args);
      }
      if (spec['dst'] !== undefined) fail(`either "to" is duplicate, or "${args.cur}" is garbage`);
      spec['dst'] = prefixArg(args.cur, 'prefix');
    }
  }
  if (spec['dst'] === undefined) fail('RTNETLINK answers: Invalid argument', 2);
  const st = ipv4Of(ctx.proc.ns);
  const s = spec as unknown as Parameters<typeof st.routeAdd>[0];
  if (cmd === 'delete') talk(st.routeDel(s));
  else if (cmd === 'replace' || cmd === 'change') talk(st.routeReplace(s));
  else if (cmd === 'append' || cmd === 'prepend') talk(st.fib.routeAppend(s, cmd === 'prepend'));
  else talk(st.routeAdd(s));
  return 0;
}

function routeGetCmd(ctx: BbContext, args: Args): number {
  let dst: number | undefined;
  const opts: { src?: number; iif?: NetDevice; oif?: NetDevice } = {};
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['from', 'iif', 'oif', 'dev', 'notify', 'connected', 'to']);
    if (k === 0) opts.src = prefixArg(next(args), 'prefix').address;
    else if (k === 1) opts.iif = dev(ctx, next(args));
    else if (k === 2 || k === 3) opts.oif = dev(ctx, next(args));
    else if (k === 4 || k === 5) continue;
    else dst = prefixArg(k === 6 ? next(args) : args.cur, 'prefix').address;
  }
  if (dst === undefined) fail('need at least destination address');
  ctx.proc.out(bbRouteGet(talk(routeGet(ctx.proc.ns, dst, opts))));
  return 0;
}

function linkSet(ctx: BbContext, args: Args): number {
  let name: string | undefined;
  const ops: { up?: boolean; newName?: string; mtu?: number; mac?: number; qlen?: number; master?: string | null; netns?: string } = {};
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['up', 'down', 'name', 'mtu', 'qlen', 'multicast', 'arp', 'address', 'master', 'nomaster', 'netns', 'dev']);
    if (k === 0 || k === 1) ops.up = k === 0;
    else if (k === 2) ops.newName = next(args);
    else if (k === 3) ops.mtu = Number(next(args));
    else if (k === 4) ops.qlen = Number(next(args));
    else if (k === 5 || k === 6) {
      const v = next(args);
      if (v !== 'on' && v !== 'off') fail(`argument of "${k === 5 ? 'multicast' : 'arp'}" must be "on" or "off"`);
    } else if (k === 7) ops.mac = talkMac(next(args));
    else if (k === 8) ops.master = next(args);
    else if (k === 9) ops.master = null;
    else if (k === 10) ops.netns = next(args);
    else {
      if (name !== undefined) fail(`either "dev" is duplicate, or "${args.cur}" is garbage`);
      name = k === 11 ? next(args) : args.cur;
    }
  }
  if (name === undefined) fail('"dev" requires an argument');
  const ns = ctx.proc.ns;
  const d = ns.device(name);
  const ioctlFail = (op: string): never => fail(`${op}: No such device`);
  if (d === undefined) ioctlFail(ops.mac !== undefined ? 'SIOCGIFINDEX' : ops.newName !== undefined ? 'SIOCSIFNAME' : ops.mtu !== undefined ? 'SIOCSIFMTU' : 'SIOCGIFFLAGS');
  if (ops.mac !== undefined) talk(linkSetAddress(ns, d, ops.mac), 'SIOCSIFHWADDR');
  if (ops.newName !== undefined && ops.newName !== d.name) talk(linkSetName(ns, d, ops.newName), 'SIOCSIFNAME');
  if (ops.qlen !== undefined) setTxQueueLen(d, ops.qlen);
  if (ops.mtu !== undefined) talk(linkSetMtu(ns, d, ops.mtu), 'SIOCSIFMTU');
  if (ops.master !== undefined) talk(linkSetMaster(ns, d, ops.master === null ? undefined : dev(ctx, ops.master)));
  if (ops.netns !== undefined) talk(linkSetNs(d, ns.host.named.get(ops.netns) ?? fail(`can't find network namespace '${ops.netns}'`)));
  if (ops.up === true) talk(linkSetUp(d.netns, d), 'SIOCSIFFLAGS');
  if (ops.up === false) talk(linkSetDown(d.netns, d), 'SIOCSIFFLAGS');
  return 0;
}

function talkMac(text: string): number {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some(p => !/^[0-9a-fA-F]{1,2}$/.test(p))) fail(`"${text}" is invalid lladdr`);
  return parts.reduce((acc, p) => acc * 256 + parseInt(p, 16), 0);
}

function linkAddDel(ctx: BbContext, add: boolean, args: Args): number {
  let name: string | undefined;
  let link: string | undefined;
  let type: string | undefined;
  let id: number | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['link', 'name', 'type', 'dev', 'address']);
    if (k === 0) link = next(args);
    else if (k === 2) {
      type = next(args);
      for (args.shift(); !args.done; args.shift()) if (args.cur === 'id') id = Number(next(args));
      break;
    } else if (k === 4) next(args);
    else name = k === 1 || k === 3 ? next(args) : args.cur;
  }
  const ns = ctx.proc.ns;
  if (!add) {
    if (name === undefined) return 1;
    talk(linkDel(ns, dev(ctx, name)));
    return 0;
  }
  if (link !== undefined) dev(ctx, link);
  const auto = (p: string): string => {
    for (let i = 0; ; i++) if (ns.device(`${p}${i}`) === undefined) return `${p}${i}`;
  };
  const n = name ?? auto(type ?? 'eth');
  let spec: LinkSpec;
  if (type === 'veth') spec = { type: 'veth', name: n, peer: auto('veth') };
  else if (type === 'bridge' || type === 'dummy') spec = { type, name: n };
  else if (type === 'vlan' && link !== undefined && id !== undefined) spec = { type: 'vlan', name: n, link, id };
  else if (type === 'macvlan' && link !== undefined) spec = { type: 'macvlan', name: n, link };
  else fail(type === undefined ? 'RTNETLINK answers: Invalid argument' : 'RTNETLINK answers: Operation not supported', 2);
  const d = talk(linkAdd(ns, spec));
  setTxQueueLen(d, 1000);
  return 0;
}

function neigh(ctx: BbContext, args: Args): number {
  const cmd = args.done ? 0 : keyword(args.cur, ['show', 'flush']);
  if (cmd < 0) fail(`invalid argument '${args.cur}' to 'ip'`);
  if (!args.done) args.shift();
  const flush = cmd === 1;
  if (flush && args.done) fail('"ip neigh flush" requires an argument');
  let filterDev: NetDevice | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['to', 'dev', 'nud']);
    if (k === 1) filterDev = dev(ctx, next(args));
    else if (k === 0 || k === 2) next(args);
  }
  const st = ipv4Of(ctx.proc.ns);
  const entries = st.neigh.list(filterDev).filter(e => (flush ? e.state !== 'permanent' && e.state !== 'noarp' : e.state !== 'noarp' && e.state !== 'none'));
  if (flush) {
    if (entries.length === 0) ctx.proc.out('Nothing to flush\n');
    for (const e of entries) st.neighDel(e.dev, e.ip);
    return 0;
  }
  const now = ctx.proc.ns.host.world.engine.now;
  const secs = (t: number): number => Math.floor(Math.max(0, now - t) / 1_000_000_000);
  ctx.proc.out(entries.map(e => bbNeighLine(e, filterDev === undefined, secs)).join(''));
  return 0;
}

function dispatch(ctx: BbContext, argv: readonly string[]): number {
  const args = new Args(argv);
  const object = keyword(args.cur, ['address', 'route', 'r', 'link', 'tunnel', 'tunl', 'rule', 'neigh']);
  if (object < 0 || object === 4 || object === 5) usage();
  args.shift();
  const sub = args.cur;
  const rest = (): Args => new Args(args.rest().slice(1));
  const invalid = (): never => fail(`invalid argument '${sub}' to 'ip'`);
  if (object === 0) {
    if (args.done) return addrShow(ctx, args, false, false);
    const k = keyword(sub, ['add', 'change', 'chg', 'replace', 'delete', 'list', 'show', 'lst', 'flush']);
    if (k < 0) invalid();
    return k <= 4 ? addrModify(ctx, k, rest()) : addrShow(ctx, rest(), k === 8, false);
  }
  if (object === 1 || object === 2) {
    if (args.done) return routeList(ctx, args, false);
    const cmds = ['a', 'add', 'append', 'change', 'chg', 'delete', 'get', 'list', 'show', 'prepend', 'replace', 'test', 'flush'];
    const k = keyword(sub, cmds);
    if (k < 0) invalid();
    const c = cmds[k]!;
    if (c === 'get') return routeGetCmd(ctx, rest());
    if (c === 'list' || c === 'show') return routeList(ctx, rest(), false);
    if (c === 'flush') return routeList(ctx, rest(), true);
    return routeModify(ctx, c === 'a' ? 'add' : c === 'chg' ? 'change' : c, rest());
  }
  if (object === 3) {
    const k = args.done ? 3 : keyword(sub, ['add', 'delete', 'set', 'show', 'lst', 'list']);
    if (k < 0) invalid();
    if (k <= 1) return linkAddDel(ctx, k === 0, rest());
    if (k === 2) return linkSet(ctx, rest());
    return addrShow(ctx, args.done ? args : rest(), false, true);
  }
  if (object === 6) {
    const k = args.done ? 2 : keyword(sub, ['add', 'delete', 'list', 'show']);
    if (k < 0) invalid();
    const st = ipv4Of(ctx.proc.ns);
    if (k >= 2) {
      ctx.proc.out(st.fib.rules.list().map(bbRuleLine).join(''));
      return 0;
    }
    const spec: Record<string, unknown> = {};
    const a = rest();
    for (; !a.done; a.shift()) {
      const w = a.cur;
      if (w === 'from' || w === 'to') spec[w] = prefixArg(next(a), 'prefix');
      else if (w.startsWith('pref') || w === 'order' || w.startsWith('prio')) spec['priority'] = Number(next(a));
      else if (w === 'table' || w === 'lookup') spec['table'] = tableId(next(a)) ?? fail(`invalid argument '${a.cur}' to 'table ID'`);
      else if (w === 'fwmark') spec['fwmark'] = Number(next(a));
      else if (w === 'dev' || w === 'iif') spec['iif'] = next(a);
      else if (w === 'prohibit' || w === 'unreachable' || w === 'blackhole') spec['action'] = w;
      else if (w === 'reject') spec['action'] = 'prohibit';
      else fail(`invalid argument '${w}' to 'ip'`);
    }
    if (k === 0) talk(st.ruleAdd(spec));
    else talk(st.ruleDel(spec));
    return 0;
  }
  return neigh(ctx, args);
}

/** The busybox `ip` applet in `proc` (`proc.argv` starts with `ip`). */
export function busyboxIp(proc: Process): void {
  runSync(proc, () => {
    const argv = proc.argv.slice(1);
    let family: BbContext['family'] = 'unspec';
    let oneline = false;
    let i = 0;
    for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
      const opt = argv[i]!.replace(/^--/, '-');
      if (opt === '--') break;
      if ('-family'.startsWith(opt) && opt.length > 1) {
        const f = argv[++i];
        if (f === 'inet' || f === 'inet6' || f === 'link') family = f;
        else if (f === undefined) throw new ToolExit(1, BUSYBOX_IP_USAGE);
        else fail(`invalid argument '${f}' to 'invalid protocol family'`);
      } else if (opt === '-4') family = 'inet';
      else if (opt === '-6') family = 'inet6';
      else if (opt === '-0') family = 'link';
      else if ('-oneline'.startsWith(opt) && opt.length > 1) oneline = true;
      else usage();
    }
    return dispatch({ proc, family, oneline }, argv.slice(i));
  });
}
