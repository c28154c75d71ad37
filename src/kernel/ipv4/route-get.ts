/**
 * `ip route get ADDR [from SRC] [iif DEV] [oif DEV] [mark M]`: the route the kernel would use,
 * as data and as iproute2 prints it.
 *
 * Models: `net/ipv4/route.c` `inet_rtm_getroute` (with `iif` the input path `ip_route_input` is
 * asked, otherwise `ip_route_output_key`; a route whose type is an error answers with its errno)
 * and iproute2 `ip/iproute.c` `print_route` for the `RTM_NEWROUTE` answer:
 *
 *   10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0
 *       cache
 *   local 10.0.1.2 dev lo src 10.0.1.2 uid 0
 *       cache <local>
 *
 * iproute2 ends both lines with a space; the text here has none (callers compare after trimming).
 * Leaves out: `fibmatch`, `connected`, `ipproto`/ports selectors, `vrf`, the `uid` of a non-root
 * caller, cache expiry details.
 */
import { formatIpv4, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { IPROUTE_ERRORS, iprouteOk, rtnetlinkError, type IprouteErrno, type IprouteError, type IprouteResult } from './errors.js';
import { routeInput, routeOutput, routeTableName } from './route-lookup.js';
import type { Route } from './route-table.js';
import { ipv4Of } from './state.js';

export interface RouteGetOptions {
  readonly src?: Ipv4;
  readonly iif?: NetDevice;
  readonly oif?: NetDevice;
  readonly mark?: number;
}

export interface RouteGetResult {
  readonly type: 'unicast' | 'local' | 'broadcast';
  readonly dst: Ipv4;
  /** The chosen source (output lookups); for input lookups the `from` given. */
  readonly src: Ipv4 | undefined;
  readonly gateway: Ipv4 | undefined;
  readonly dev: NetDevice;
  readonly iif: NetDevice | undefined;
  readonly route: Route | undefined;
  readonly mark: number;
}

function errnoError(errno: IprouteErrno): IprouteError {
  if (errno === 'ENETUNREACH') return IPROUTE_ERRORS.networkUnreachable();
  if (errno === 'EHOSTUNREACH') return IPROUTE_ERRORS.hostUnreachable();
  if (errno === 'EACCES') return IPROUTE_ERRORS.permissionDenied();
  return rtnetlinkError(errno);
}

/** `ip route get`. */
export function routeGet(ns: NetNamespace, dst: Ipv4, opts: RouteGetOptions = {}): IprouteResult<RouteGetResult> {
  const st = ipv4Of(ns);
  const mark = opts.mark ?? 0;
  if (opts.iif !== undefined) {
    const d = routeInput(st, { src: opts.src ?? 0, dst, inDev: opts.iif, mark });
    switch (d.kind) {
      case 'reject':
        return errnoError(d.errno);
      case 'forward':
        return iprouteOk({ type: 'unicast', dst, src: opts.src, gateway: d.route.gateway, dev: d.dev, iif: opts.iif, route: d.route, mark });
      case 'local': {
        const lo = ns.device('lo') ?? opts.iif;
        return iprouteOk({ type: d.broadcast ? 'broadcast' : 'local', dst, src: opts.src, gateway: undefined, dev: lo, iif: opts.iif, route: d.route, mark });
      }
    }
  }
  const d = routeOutput(st, { dst, src: opts.src, oif: opts.oif, mark });
  if (!d.ok) return errnoError(d.errno);
  return iprouteOk({ type: d.type, dst: d.dst, src: d.src, gateway: d.gateway, dev: d.dev, iif: undefined, route: d.route, mark });
}

/** The two lines `ip route get` prints (no trailing spaces). */
export function formatRouteGet(r: RouteGetResult): string {
  const words: string[] = [];
  if (r.type !== 'unicast') words.push(r.type);
  words.push(formatIpv4(r.dst));
  if (r.iif !== undefined && r.src !== undefined) words.push('from', formatIpv4(r.src));
  if (r.gateway !== undefined) words.push('via', formatIpv4(r.gateway));
  words.push('dev', r.dev.name);
  if (r.route !== undefined && r.route.table !== 254 && r.route.table !== 255) words.push('table', routeTableName(r.route.table));
  if (r.iif === undefined && r.src !== undefined) words.push('src', formatIpv4(r.src));
  if (r.mark !== 0) words.push('mark', `0x${r.mark.toString(16)}`);
  if (r.iif === undefined) words.push('uid', '0');
  const cache = ['cache'];
  if (r.type === 'local') cache.push('<local>');
  else if (r.type === 'broadcast') cache.push('<local,brd>');
  if (r.iif !== undefined) cache.push('iif', r.iif.name);
  return `${words.join(' ')}\n    ${cache.join(' ')}`;
}
