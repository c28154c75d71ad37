/**
 * `ip route add|append|prepend|replace|change|delete|show|list|flush|get`.
 *
 * Models: iproute2 6.x `ip/iproute.c`: `iproute_modify` (keywords `via`, `dev`/`oif`, `src`,
 * `metric`/`priority`/`preference`, `proto`, `scope`, `table`, `onlink`, `mtu`; a bare word is
 * the destination, optionally after `to` and a route type; a second one is
 * `duparg2("to", ...)`; local/broadcast types go to table local), `iproute_list_flush_or_save`
 * (selectors `table main|local|all|N`, `dev`, `proto`, `scope`, `type`, `via`, `src`,
 * `metric`, and the destination forms `exact`/`root`/`match` with `filter_nlmsg`'s semantics;
 * `"ip route flush" requires arguments.`), `iproute_get` (`from`, `iif`, `oif`/`dev`, `mark`;
 * `need at least a destination address`), `lib/rt_names.c` (protocol and table names).
 * The kernel's answers (EEXIST, ESRCH, `Nexthop has invalid gateway`, ...) come from the IPv4
 * module's error values.
 * Leaves out: multipath `nexthop`, `nhid`, `encap`, `tos`, `realms`, `expires`, `pref`, `vrf`,
 * `save`/`restore`, the `help` text (a missing destination prints only the usage's first line).
 */
import { cidrContains, type Cidr, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { ipv4Of, parseRouteScope, routeGet, type Route, type RouteProto, type RouteSpec, type RouteType, type RouteScope as Scope } from '../ipv4/index.js';
import { Args, die, duparg2, invarg, matches, parseAddrArg, parseCUnsigned, parsePrefixArg, parseU32Arg } from './cli-args.js';
import { deviceArg, familyWord, must, unknownCommand, type IpContext } from './ip-context.js';
import { formatRouteGetAnswer, formatRouteLine, tablesInDumpOrder, type RoutePrintFilter } from './route-view.js';

const ROUTE_TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw'];

/** `rtnl_rtntype_a2n` for the types the model has (`brd` is broadcast's short name). */
function routeType(word: string): RouteType | undefined {
  if (word === 'brd') return 'broadcast';
  return (ROUTE_TYPES as readonly string[]).includes(word) ? (word as RouteType) : undefined;
}

const PROTOS: Readonly<Record<string, RouteProto>> = {
  unspec: 'unspec', redirect: 'redirect', kernel: 'kernel', boot: 'boot', static: 'static', dhcp: 'dhcp', bird: 'bird', zebra: 'zebra', bgp: 'bgp',
  '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static', '16': 'dhcp', '11': 'zebra', '12': 'bird', '186': 'bgp',
};

/** `rtnl_rttable_a2n`: `local`, `main`, `default` or a number. */
export function tableId(word: string): number | undefined {
  if (word === 'local') return 255;
  if (word === 'main') return 254;
  if (word === 'default') return 253;
  const n = parseCUnsigned(word);
  return n === undefined || n > 0xffffffff ? undefined : n;
}

interface ModifySpec {
  spec: RouteSpec & { dst: Cidr };
  typeGiven: boolean;
}

function parseModify(ctx: IpContext, args: Args): ModifySpec {
  const fam = familyWord(ctx);
  let dst: Cidr | undefined;
  let type: RouteType | undefined;
  let dev: NetDevice | undefined;
  let devName: string | undefined;
  const spec: { -readonly [K in keyof RouteSpec]?: RouteSpec[K] } = {};
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'src') spec.src = parseAddrArg(args.next(), 'inet');
    else if (w === 'via') {
      let v = args.next();
      if (v === 'inet') v = args.next();
      spec.gateway = parseAddrArg(v, 'inet');
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') spec.metric = parseU32Arg(args.next(), 'metric');
    else if (w === 'scope') {
      const v = args.next();
      spec.scope = parseRouteScope(v) ?? invarg('invalid "scope" value\n', v);
    } else if (w === 'mtu') {
      let v = args.next();
      if (v === 'lock') v = args.next();
      spec.mtu = parseU32Arg(v, 'mtu');
    } else if (matches(w, 'protocol')) {
      const v = args.next();
      spec.proto = PROTOS[v] ?? invarg('"protocol" value is invalid\n', v);
    } else if (matches(w, 'table')) {
      const v = args.next();
      spec.table = tableId(v) ?? invarg('"table" value is invalid\n', v);
    } else if (w === 'dev' || w === 'oif') devName = args.next();
    else if (w === 'onlink') spec.onlink = true;
    else {
      if (w === 'to') args.next();
      const first = args.cur.charAt(0);
      const t = first >= '0' && first <= '9' ? undefined : routeType(args.cur);
      if (t !== undefined) {
        type = t;
        args.next();
      }
      if (dst !== undefined) duparg2('to', args.cur);
      dst = parsePrefixArg(args.cur, fam);
    }
  }
  if (dst === undefined) die('Usage: ip route { list | flush } SELECTOR\n', 255);
  if (devName !== undefined) dev = deviceArg(ctx.ns, devName);
  return { spec: { ...spec, dst, ...(type === undefined ? {} : { type }), ...(dev === undefined ? {} : { dev }) }, typeGiven: type !== undefined };
}

function ipRouteModify(ctx: IpContext, cmd: 'add' | 'append' | 'prepend' | 'replace' | 'change' | 'del', args: Args): number {
  const { spec } = parseModify(ctx, args);
  const st = ipv4Of(ctx.ns);
  switch (cmd) {
    case 'add':
      must(st.routeAdd(spec));
      break;
    case 'append':
    case 'prepend':
      must(st.fib.routeAppend(spec, cmd === 'prepend'));
      break;
    case 'replace':
      must(st.routeReplace(spec));
      break;
    case 'change': {
      const table = st.fib.tables.get(spec.table ?? (spec.type === 'local' || spec.type === 'broadcast' ? 255 : 254));
      const exists = table?.exact(spec.dst.address, spec.dst.prefix).some(r => r.metric === (spec.metric ?? 0)) ?? false;
      if (!exists) die('RTNETLINK answers: No such file or directory\n', 2);
      must(st.routeReplace(spec));
      break;
    }
    case 'del':
      must(st.routeDel(spec));
      break;
  }
  return 0;
}

/** The selectors of `ip route show|flush`. */
interface RouteFilter {
  table: number; // 0 = all
  dev: NetDevice | undefined;
  proto: RouteProto | undefined;
  scope: Scope | undefined;
  type: RouteType | undefined;
  via: Cidr | undefined;
  src: Cidr | undefined;
  metric: number | undefined;
  root: Cidr | undefined;
  match: Cidr | undefined;
}

function parseListFilter(ctx: IpContext, args: Args): RouteFilter {
  const fam = familyWord(ctx);
  const f: RouteFilter = { table: 254, dev: undefined, proto: undefined, scope: undefined, type: undefined, via: undefined, src: undefined, metric: undefined, root: undefined, match: undefined };
  let devName: string | undefined;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (matches(w, 'table')) {
      const v = args.next();
      const id = tableId(v);
      if (id !== undefined) f.table = id;
      else if (v === 'all') f.table = 0;
      else if (v === 'cache') f.table = -1;
      else invarg('table id value is invalid\n', v);
    } else if (matches(w, 'cached') || matches(w, 'cloned')) f.table = -1;
    else if (matches(w, 'protocol')) {
      const v = args.next();
      f.proto = PROTOS[v];
      if (f.proto === undefined && v !== 'all') invarg('invalid "protocol"\n', v);
    } else if (matches(w, 'scope')) {
      const v = args.next();
      f.scope = parseRouteScope(v);
      if (f.scope === undefined && v !== 'all') invarg('invalid "scope"\n', v);
    } else if (matches(w, 'type')) {
      const v = args.next();
      f.type = routeType(v) ?? invarg('node type value is invalid\n', v);
    } else if (w === 'dev' || w === 'oif') devName = args.next();
    else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') f.metric = parseU32Arg(args.next(), 'metric');
    else if (w === 'via') f.via = parsePrefixArg(args.next(), fam);
    else if (w === 'src') f.src = parsePrefixArg(args.next(), fam);
    else {
      if (matches(w, 'to')) args.next();
      if (matches(args.cur, 'root')) f.root = parsePrefixArg(args.next(), fam);
      else if (matches(args.cur, 'match')) f.match = parsePrefixArg(args.next(), fam);
      else {
        if (matches(args.cur, 'exact')) args.next();
        const p = parsePrefixArg(args.cur, fam);
        f.root = p;
        f.match = p;
      }
    }
  }
  if (devName !== undefined) f.dev = deviceArg(ctx.ns, devName);
  return f;
}

function within(outer: Cidr, ip: Ipv4, prefix: number): boolean {
  return prefix >= outer.prefix && cidrContains(outer, ip);
}

/** `filter_nlmsg` for one IPv4 route. */
function routeMatches(r: Route, f: RouteFilter): boolean {
  if (f.table > 0 && r.table !== f.table) return false;
  if (f.proto !== undefined && r.proto !== f.proto) return false;
  if (f.scope !== undefined && r.scope !== f.scope) return false;
  if (f.type !== undefined && r.type !== f.type) return false;
  if (f.root !== undefined && !within(f.root, r.dst, r.prefix)) return false;
  if (f.match !== undefined && !(f.match.prefix >= r.prefix && cidrContains({ address: r.dst, prefix: r.prefix }, f.match.address))) return false;
  if (f.via !== undefined && (r.gateway === undefined || !cidrContains(f.via, r.gateway))) return false;
  if (f.src !== undefined && (r.src === undefined || !cidrContains(f.src, r.src))) return false;
  if (f.dev !== undefined && r.dev !== f.dev) return false;
  if (f.metric !== undefined && r.metric !== f.metric) return false;
  return true;
}

function selectRoutes(ctx: IpContext, f: RouteFilter): Route[] {
  if (f.table < 0) return []; // no IPv4 route cache entries are modelled
  const out: Route[] = [];
  for (const t of tablesInDumpOrder(ipv4Of(ctx.ns).fib.tables)) for (const r of t.all()) if (routeMatches(r, f)) out.push(r);
  return out;
}

/** `ip route show` output for the words after `show`. */
export function ipRouteList(ctx: IpContext, words: readonly string[]): string {
  if (ctx.opts.family === 'inet6' || ctx.opts.family === 'link') return '';
  const f = parseListFilter(ctx, new Args(words));
  const pf: RoutePrintFilter = {
    allTables: f.table === 0,
    dev: f.dev !== undefined,
    proto: f.proto !== undefined,
    scope: f.scope !== undefined,
    type: f.type !== undefined,
    via: f.via?.prefix === 32,
    src: f.src?.prefix === 32,
    details: ctx.opts.details > 0,
  };
  return selectRoutes(ctx, f)
    .map(r => formatRouteLine(r, pf))
    .join('');
}

function ipRouteFlush(ctx: IpContext, words: readonly string[]): number {
  if (words.length === 0) die('"ip route flush" requires arguments.\n', 1);
  const f = parseListFilter(ctx, new Args(words));
  const fib = ipv4Of(ctx.ns).fib;
  for (const r of selectRoutes(ctx, f)) fib.removeRoute(r);
  return 0;
}

function ipRouteGet(ctx: IpContext, args: Args): number {
  let dst: Ipv4 | undefined;
  let src: Ipv4 | undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let mark: number | undefined;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (matches(w, 'from')) src = parsePrefixArg(args.next(), familyWord(ctx)).address;
    else if (matches(w, 'iif')) iif = args.next();
    else if (matches(w, 'mark')) mark = parseU32Arg(args.next(), 'mark');
    else if (matches(w, 'oif') || w === 'dev') oif = args.next();
    else if (matches(w, 'connected') || matches(w, 'notify') || matches(w, 'fibmatch')) continue;
    else {
      if (w === 'to') args.next();
      dst = parsePrefixArg(args.cur, familyWord(ctx)).address;
    }
  }
  if (dst === undefined) die('need at least a destination address\n', 1);
  const opts = {
    ...(src === undefined ? {} : { src }),
    ...(iif === undefined ? {} : { iif: deviceArg(ctx.ns, iif) }),
    ...(oif === undefined ? {} : { oif: deviceArg(ctx.ns, oif) }),
    ...(mark === undefined ? {} : { mark }),
  };
  const answer = must(routeGet(ctx.ns, dst, opts));
  ctx.proc.out(formatRouteGetAnswer(answer, src));
  return 0;
}

/** `ip route ...`. */
export function doIpRoute(ctx: IpContext, words: readonly string[]): number {
  const args = new Args(words);
  if (args.done) {
    ctx.proc.out(ipRouteList(ctx, []));
    return 0;
  }
  const cmd = args.shift();
  const rest = new Args(args.rest());
  if (matches(cmd, 'add')) return ipRouteModify(ctx, 'add', rest);
  if (matches(cmd, 'change') || cmd === 'chg') return ipRouteModify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return ipRouteModify(ctx, 'replace', rest);
  if (matches(cmd, 'prepend')) return ipRouteModify(ctx, 'prepend', rest);
  if (matches(cmd, 'append')) return ipRouteModify(ctx, 'append', rest);
  if (matches(cmd, 'delete')) return ipRouteModify(ctx, 'del', rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    ctx.proc.out(ipRouteList(ctx, rest.rest()));
    return 0;
  }
  if (matches(cmd, 'get')) return ipRouteGet(ctx, rest);
  if (matches(cmd, 'flush')) return ipRouteFlush(ctx, rest.rest());
  unknownCommand(cmd, 'route');
}
