/**
 * IPv4 state as iproute2 prints it: one `ip route` line, one `ip neigh` line, one `ip addr`
 * `inet` entry. The `ip` program assembles whole listings from these.
 *
 * Models: iproute2 6.x `ip/iproute.c` `print_route` (type unless unicast, `default` for /0,
 * `via`, `dev`, `table` outside main when listing more than one table, `proto` unless boot,
 * `scope` unless global, `src`, `metric`, flags `onlink` and `linkdown` (a device that is up
 * without carrier, as docker0 with no container), then metrics such as `mtu`), `ip/ipneigh.c`
 * `print_neigh` (`dev` unless filtered by device, `lladdr`, the NUD state in capitals, `proxy`
 * entries), `ip/ipaddress.c` `print_addrinfo` (`inet A/len [brd B] scope S [secondary]
 * [noprefixroute] LABEL` then the lifetimes line).
 * iproute2 ends these lines with a space; the text here has none.
 * Leaves out: JSON output, `-d`/`-s` details, cache and expires fields, IPv6.
 */
import { formatIpv4, formatMac, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { IfAddr } from './addresses.js';
import type { NeighEntry } from './neighbour.js';
import { routeTableName } from './route-lookup.js';
import type { Route } from './route-table.js';

export interface RouteFormatOptions {
  /** Print `table T` for routes outside main (`ip route show table all`). */
  readonly showTable?: boolean;
}

function dstText(dst: Ipv4, prefix: number): string {
  if (prefix === 0) return 'default';
  return prefix === 32 ? formatIpv4(dst) : `${formatIpv4(dst)}/${prefix}`;
}

/** One `ip route show` line. */
export function formatRoute(r: Route, opts: RouteFormatOptions = {}): string {
  const w: string[] = [];
  if (r.type !== 'unicast') w.push(r.type);
  w.push(dstText(r.dst, r.prefix));
  if (r.gateway !== undefined) w.push('via', formatIpv4(r.gateway));
  if (r.dev !== undefined) w.push('dev', r.dev.name);
  if (opts.showTable === true && r.table !== 254) w.push('table', routeTableName(r.table));
  if (r.proto !== 'boot') w.push('proto', r.proto);
  if (r.scope !== 'global') w.push('scope', r.scope);
  if (r.src !== undefined) w.push('src', formatIpv4(r.src));
  if (r.metric !== 0) w.push('metric', String(r.metric));
  if (r.onlink) w.push('onlink');
  if (r.dev !== undefined && r.scope !== 'host' && r.dev.adminUp && !r.dev.carrier()) w.push('linkdown');
  if (r.mtu !== undefined) w.push('mtu', String(r.mtu));
  return w.join(' ');
}

/** One `ip neigh show` line; `withDev` false when the listing is filtered by device. */
export function formatNeigh(e: NeighEntry, withDev = true): string {
  const w: string[] = [formatIpv4(e.ip)];
  if (withDev) w.push('dev', e.dev.name);
  if (e.mac !== undefined && e.state !== 'incomplete' && e.state !== 'failed' && e.state !== 'none') w.push('lladdr', formatMac(e.mac));
  w.push(e.state.toUpperCase());
  return w.join(' ');
}

/** One `ip neigh show proxy` line. */
export function formatProxyNeigh(dev: NetDevice, ip: Ipv4): string {
  return `${formatIpv4(ip)} dev ${dev.name} proxy`;
}

/** The two lines of one address in `ip addr show` (indented as iproute2 indents them). */
export function formatInet(a: IfAddr): string {
  const w: string[] = ['inet', `${formatIpv4(a.address)}/${a.prefix}`];
  if (a.broadcast !== undefined) w.push('brd', formatIpv4(a.broadcast));
  w.push('scope', a.scope);
  if (a.secondary) w.push('secondary');
  if (a.noprefixroute) w.push('noprefixroute');
  w.push(a.label);
  return `    ${w.join(' ')}\n       valid_lft forever preferred_lft forever`;
}
