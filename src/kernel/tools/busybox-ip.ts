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
import { ipv4Of, parseRouteScope, routeGet, type RouteScope as Scope, type RouteSpec } from '../ipv4/index.js';
import type { Process } from '../process.js';
import { Args, runSync, ToolExit } from './cli-args.js';
import { BUSYBOX_IP_USAGE, dev, fail, keyword, next, prefixArg, talk, usage, type BbContext } from './busybox-ip-args.js';
import { linkAddDel, linkSet, neigh, rule } from './busybox-ip-link.js';
import { bbAddrRecord, bbLinkBlock, bbRouteGet, bbRouteLine } from './busybox-ip-view.js';
import { tableId } from './ip-route.js';
import { tablesInDumpOrder } from './route-view.js';

export { BUSYBOX_IP_USAGE };

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
    } else if (k === 1) scope = parseRouteScope(next(args));
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
    else if (k === 5) scope = parseRouteScope(v) ?? fail(`invalid argument '${v}' to 'scope'`);
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

const TYPES = ['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'throw', 'unicast'] as const;
const PROTOS = ['boot', 'static', 'kernel', 'redirect', 'dhcp', 'unspec'] as const;

function routeModify(ctx: BbContext, cmd: string, args: Args): number {
  const spec: { -readonly [K in keyof RouteSpec]?: RouteSpec[K] } = {};
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['src', 'via', 'mtu', 'advmss', 'scope', 'protocol', 'table', 'dev', 'oif', 'to', 'metric', 'onlink']);
    if (k === 0) spec.src = prefixArg(next(args), 'address').address;
    else if (k === 1) spec.gateway = prefixArg(next(args), 'address').address;
    else if (k === 2) spec.mtu = Number(next(args));
    else if (k === 3) next(args);
    else if (k === 4) spec.scope = parseRouteScope(next(args)) ?? fail(`invalid argument '${args.cur}' to 'scope'`);
    else if (k === 5) {
      const v = next(args);
      spec.proto = PROTOS.find(p => p === v) ?? fail(`invalid argument '${v}' to 'protocol'`);
    }
    else if (k === 6) spec.table = tableId(next(args)) ?? fail(`invalid argument '${args.cur}' to 'table'`);
    else if (k === 7 || k === 8) spec.dev = dev(ctx, next(args));
    else if (k === 10) spec.metric = Number(next(args));
    else if (k === 11) spec.onlink = true;
    else {
      if (k === 9) next(args);
      const t = TYPES.find(x => x === args.cur);
      if (t !== undefined) {
        spec.type = t;
        next(args);
      }
      if (spec.dst !== undefined) fail(`either "to" is duplicate, or "${args.cur}" is garbage`);
      spec.dst = prefixArg(args.cur, 'prefix');
    }
  }
  const st = ipv4Of(ctx.proc.ns);
  const s: RouteSpec = spec.dst === undefined ? fail('RTNETLINK answers: Invalid argument', 2) : { ...spec, dst: spec.dst };
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
  if (object === 6) return rule(ctx, sub, args.done, rest());
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
