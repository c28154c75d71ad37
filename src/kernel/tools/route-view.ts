/**
 * IPv4 routes as iproute2 6.x prints them: one `ip route show` line (with the fields a listing
 * filter fixes left out), the tables of a dump in kernel order, and the `ip route get` answer.
 *
 * Models: iproute2 `ip/iproute.c` `print_route` (type unless unicast or filtered, `default`,
 * `via`, `dev` unless filtered by device, `table` when listing several tables, `proto` unless
 * boot, `scope` unless global, `src`, `metric` when non-zero (the kernel sends RTA_PRIORITY only
 * then), flags `onlink` and `linkdown`, metrics such as `mtu`; `-d` prints the defaults too),
 * `net/ipv4/fib_frontend.c` `inet_dump_fib` (tables in hash order: table id modulo 256),
 * `net/ipv4/fib_semantics.c` (RTNH_F_LINKDOWN on a next hop whose device has no carrier; host
 * scope routes are never marked), `net/ipv4/route.c` `rt_fill_info` for `ip route get`
 * (`from` echoes the source asked for, `src` appears when the chosen source differs from it,
 * `uid` for output lookups, `cache <local>` for local destinations, `iif` for input lookups).
 * Every line ends with a space, as iproute2 leaves it.
 * Leaves out: multipath, `expires`, cache entries of PMTU/redirect exceptions, IPv6.
 */
import { formatIpv4, type Ipv4 } from '../../packet/index.js';
import { routeTableName, type Route, type RouteGetResult, type RouteTable } from '../ipv4/index.js';
import { carrierOk } from './link-view.js';

/** Which fields a listing filter fixed (so `print_route` leaves them out). */
export interface RoutePrintFilter {
  /** Listing all tables (`table all`): print `table T` for routes outside main. */
  readonly allTables?: boolean;
  readonly dev?: boolean;
  readonly proto?: boolean;
  readonly scope?: boolean;
  readonly type?: boolean;
  /** A `via A/32` or `src A/32` filter. */
  readonly via?: boolean;
  readonly src?: boolean;
  /** `-d`: print unicast, proto boot, scope global and table main as well. */
  readonly details?: boolean;
}

export function routeDstText(dst: Ipv4, prefix: number): string {
  if (prefix === 0) return 'default';
  return prefix === 32 ? formatIpv4(dst) : `${formatIpv4(dst)}/${prefix}`;
}

/** RTNH_F_LINKDOWN: the next hop's device is up without carrier. */
export function routeLinkdown(r: Route): boolean {
  return r.dev !== undefined && r.scope !== 'host' && r.dev.adminUp && !carrierOk(r.dev);
}

/** One `ip route show` line, newline included. */
export function formatRouteLine(r: Route, f: RoutePrintFilter = {}): string {
  const d = f.details === true;
  const w: string[] = [];
  if ((r.type !== 'unicast' || d) && f.type !== true) w.push(r.type);
  w.push(routeDstText(r.dst, r.prefix));
  if (r.gateway !== undefined && f.via !== true) w.push('via', formatIpv4(r.gateway));
  if (r.dev !== undefined && f.dev !== true) w.push('dev', r.dev.name);
  if ((r.table !== 254 || d) && f.allTables === true) w.push('table', routeTableName(r.table));
  if ((r.proto !== 'boot' || d) && f.proto !== true) w.push('proto', r.proto);
  if ((r.scope !== 'global' || d) && f.scope !== true) w.push('scope', r.scope);
  if (r.src !== undefined && f.src !== true) w.push('src', formatIpv4(r.src));
  if (r.metric !== 0) w.push('metric', String(r.metric));
  if (r.onlink) w.push('onlink');
  if (routeLinkdown(r)) w.push('linkdown');
  if (r.mtu !== undefined) w.push('mtu', String(r.mtu));
  return `${w.join(' ')} \n`;
}

/** The tables of a FIB in `inet_dump_fib` order: by id modulo 256, later-created first on a tie. */
export function tablesInDumpOrder(tables: ReadonlyMap<number, RouteTable>): RouteTable[] {
  const list = [...tables.values()];
  const created = new Map(list.map((t, i) => [t, i]));
  return list.sort((a, b) => (a.id & 255) - (b.id & 255) || created.get(b)! - created.get(a)!);
}

/** The two lines of an `ip route get` answer; `askedSrc` is the `from` given on the command line. */
export function formatRouteGetAnswer(r: RouteGetResult, askedSrc: Ipv4 | undefined): string {
  const w: string[] = [];
  if (r.type !== 'unicast') w.push(r.type);
  w.push(formatIpv4(r.dst));
  if (askedSrc !== undefined) w.push('from', formatIpv4(askedSrc));
  if (r.gateway !== undefined) w.push('via', formatIpv4(r.gateway));
  w.push('dev', r.dev.name);
  if (r.route !== undefined && r.route.table !== 254 && r.route.table !== 255) w.push('table', routeTableName(r.route.table));
  if (r.iif === undefined && r.src !== undefined && r.src !== askedSrc) w.push('src', formatIpv4(r.src));
  if (r.mark !== 0) w.push('mark', `0x${r.mark.toString(16)}`);
  if (r.iif === undefined) w.push('uid', '0');
  const cache = ['cache'];
  if (r.type === 'local') cache.push('<local>');
  else if (r.type === 'broadcast') cache.push('<local,brd>');
  if (r.iif !== undefined) cache.push('iif', r.iif.name);
  return `${w.join(' ')} \n    ${cache.join(' ')} \n`;
}
