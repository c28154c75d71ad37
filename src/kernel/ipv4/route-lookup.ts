/**
 * The routing decisions of the packet path, as data: where a received packet goes (input), where
 * a locally generated one leaves and from which source (output), and `ip route get`.
 *
 * Models: `net/ipv4/route.c`:
 * - `ip_route_input_slow`, in its order: martian sources (multicast, limited broadcast, 0/8;
 *   127/8 off `lo` without `route_localnet`), martian destinations (0/8, 127/8 likewise), the
 *   FIB lookup with iif and mark, broadcast and local results (source validated), forwarding off
 *   on the ingress device (silent drop), then the source check for the egress device
 *   (`__mkroute_input`). A failed lookup ends in `ip_error`: with forwarding on, ICMP
 *   net-unreachable (no route), host-unreachable (`unreachable`), admin-prohibited (`prohibit`);
 *   silence for `blackhole` and when forwarding is off.
 * - `ip_route_output_key_hash_rcu`: source checks, a bound output device (a failed lookup then
 *   assumes the destination is on link), destination 0.0.0.0 meaning this host, `local` results
 *   leaving through `lo`, and the source from the route's prefsrc or `inet_select_addr`.
 * - `net/ipv4/fib_frontend.c` `fib_validate_source` / `__fib_validate_source`: with rp_filter 0
 *   only "the source is one of our addresses" is martian (unless `accept_local`); with 1 (strict)
 *   the route back to the source must leave through the ingress device; with 2 (loose) any
 *   route back will do.
 * Packets received on `lo` carry their output route in Linux (`skb_dst` survives the loop), so
 * no martian or source check applies to them here either.
 * Leaves out: multicast routing, `bc_forwarding`, ICMP redirects, route caches, `src_valid_mark`,
 * l3mdev.
 */
import type { DropReason, TraceValue } from '../../engine/index.js';
import { IPV4_BROADCAST, formatIpv4, isLoopbackIpv4, isMulticastIpv4, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { CONF } from '../sysctl.js';
import type { IprouteErrno } from './errors.js';
import type { FibResult } from './fib.js';
import type { Route } from './route-table.js';
import { RT_TABLE_LOCAL, type FibRule } from './rules.js';
import { SCOPE_VALUE, scopeValue } from './scope.js';
import { selectSourceAddress } from './source-select.js';
import type { Ipv4State } from './state.js';

export type RouteInputDecision =
  | { readonly kind: 'local'; readonly route: Route | undefined; readonly rule: FibRule | undefined; readonly broadcast: boolean }
  | { readonly kind: 'forward'; readonly route: Route; readonly rule: FibRule; readonly dev: NetDevice; readonly nexthop: Ipv4 }
  | {
      readonly kind: 'reject';
      readonly reason: DropReason;
      readonly detail: string;
      /** `ip_error`: the ICMP destination-unreachable code to answer with, if any. */
      readonly icmpCode: number | undefined;
      /** What `ip route get ... iif` reports. */
      readonly errno: IprouteErrno;
      readonly route: Route | undefined;
    };

export interface RouteInputFlow {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly inDev: NetDevice;
  readonly mark: number;
}

const ICMP_CODE_OF_ERRNO: Partial<Record<IprouteErrno, number>> = { ENETUNREACH: 0, EHOSTUNREACH: 1, EACCES: 13 };

function zeronet(ip: Ipv4): boolean {
  return ip >>> 24 === 0;
}

function reject(reason: DropReason, detail: string, errno: IprouteErrno, icmpCode?: number, route?: Route): RouteInputDecision {
  return { kind: 'reject', reason, detail, icmpCode, errno, route };
}

/** `fib_validate_source`: undefined when the source is acceptable, else why not. */
export function validateSource(st: Ipv4State, src: Ipv4, dst: Ipv4, inDev: NetDevice, oif: NetDevice | undefined): RouteInputDecision | undefined {
  const conf = st.ns.sysctl.confRow(inDev.name);
  const rpf = conf[CONF.rp_filter]!;
  const acceptLocal = conf[CONF.accept_local] !== 0;
  if (rpf === 0) {
    if (acceptLocal || !st.addrs.isLocal(src)) return undefined;
    return reject('martian', 'martian source: the source is a local address', 'EINVAL');
  }
  const res = st.fib.lookup({ dst: src, src: dst, iif: oif?.name ?? 'lo', mark: 0 });
  if (!res.ok) return reject('rp-filter', 'rp_filter: no route back to the source', 'EXDEV');
  const back = res.route;
  if (back.type !== 'unicast' && !(back.type === 'local' && acceptLocal)) {
    return reject('martian', `martian source: the route back is ${back.type}`, 'EINVAL');
  }
  if (back.dev === inDev || (back.type === 'local' && inDev.kind === 'loopback')) return undefined;
  if (st.addrs.of(inDev).length === 0) return reject('rp-filter', 'rp_filter: ingress device has no address', 'EXDEV');
  if (rpf === 1) {
    return reject('rp-filter', `rp_filter strict: route back to the source leaves via ${back.dev?.name ?? 'none'}, not ${inDev.name}`, 'EXDEV');
  }
  return undefined;
}

/** `ip_route_input_noref`: the decision for a packet received on `inDev`. */
export function routeInput(st: Ipv4State, flow: RouteInputFlow): RouteInputDecision {
  const { src, dst, inDev, mark } = flow;
  if (isMulticastIpv4(dst)) return reject('not-for-us', 'multicast destination, no group joined', 'EINVAL');
  if (inDev.kind === 'loopback') {
    const res = st.fib.lookup({ dst, src, iif: inDev.name, mark });
    if (res.ok && res.route.type !== 'unicast') return { kind: 'local', route: res.route, rule: res.rule, broadcast: res.route.type === 'broadcast' };
    return fromFailedOrUnicast(st, res, flow);
  }
  if (isMulticastIpv4(src) || src === IPV4_BROADCAST) return reject('martian', 'martian source: multicast or broadcast', 'EINVAL');
  if (dst === IPV4_BROADCAST || (src === 0 && dst === 0)) return brdInput(st, flow);
  if (zeronet(src)) return reject('martian', 'martian source: 0.0.0.0/8', 'EINVAL');
  if (zeronet(dst)) return reject('martian', 'martian destination: 0.0.0.0/8', 'EINVAL');
  const localnet = st.ns.sysctl.confRow(inDev.name)[CONF.route_localnet] !== 0;
  if (isLoopbackIpv4(dst)) {
    if (!localnet) return reject('martian', `martian destination: 127.0.0.0/8 on ${inDev.name} without route_localnet`, 'EINVAL');
  } else if (isLoopbackIpv4(src) && !localnet) {
    return reject('martian', `martian source: 127.0.0.0/8 on ${inDev.name} without route_localnet`, 'EINVAL');
  }
  const res = st.fib.lookup({ dst, src, iif: inDev.name, mark });
  if (res.ok && res.route.type === 'broadcast') return brdInput(st, flow);
  if (res.ok && res.route.type === 'local') {
    return validateSource(st, src, dst, inDev, undefined) ?? { kind: 'local', route: res.route, rule: res.rule, broadcast: false };
  }
  return fromFailedOrUnicast(st, res, flow);
}

function fromFailedOrUnicast(st: Ipv4State, res: FibResult, flow: RouteInputFlow): RouteInputDecision {
  const forwarding = st.ns.sysctl.confRow(flow.inDev.name)[CONF.forwarding] !== 0;
  if (!res.ok) {
    const route = res.route;
    const what = route === undefined ? (res.rule === undefined ? 'no route' : `rule ${res.rule.priority} ${res.rule.action}`) : `${route.type} route`;
    if (!forwarding) return reject('no-route', `${what}; forwarding off on ${flow.inDev.name}, no ICMP`, res.errno === 'ENETUNREACH' ? 'EHOSTUNREACH' : res.errno, undefined, route);
    // ip_error: ENETUNREACH -> net unreachable, EHOSTUNREACH -> host unreachable,
    // EACCES -> admin prohibited, anything else (blackhole's EINVAL) -> silence.
    const code = ICMP_CODE_OF_ERRNO[res.errno];
    return reject('no-route', what, res.errno, code, route);
  }
  if (!forwarding) {
    return reject('forwarding-disabled', `forwarding is off on ${flow.inDev.name} (net.ipv4.conf.${flow.inDev.name}.forwarding=0)`, 'EHOSTUNREACH', undefined, res.route);
  }
  const route = res.route;
  if (route.type !== 'unicast' || route.dev === undefined) return reject('martian', `martian destination: ${route.type} route`, 'EINVAL', undefined, route);
  const bad = validateSource(st, flow.src, flow.dst, flow.inDev, route.dev);
  if (bad !== undefined) return bad;
  return { kind: 'forward', route, rule: res.rule, dev: route.dev, nexthop: route.gateway ?? flow.dst };
}

function brdInput(st: Ipv4State, flow: RouteInputFlow): RouteInputDecision {
  if (flow.src !== 0) {
    const bad = validateSource(st, flow.src, 0, flow.inDev, undefined);
    if (bad !== undefined) return bad;
  }
  return { kind: 'local', route: undefined, rule: undefined, broadcast: true };
}

export interface RouteOutputFlow {
  readonly dst: Ipv4;
  readonly src?: Ipv4 | undefined;
  readonly oif?: NetDevice | undefined;
  readonly mark?: number | undefined;
  /** FLOWI_FLAG_ANYSRC: a non-local source is allowed (reroute after NAT, transparent proxying). */
  readonly anySrc?: boolean;
}

export type RouteOutputDecision =
  | {
      readonly ok: true;
      readonly type: 'unicast' | 'local' | 'broadcast';
      readonly route: Route | undefined;
      readonly rule: FibRule | undefined;
      /** The egress device: `lo` for local destinations. */
      readonly dev: NetDevice;
      readonly dst: Ipv4;
      readonly src: Ipv4;
      readonly gateway: Ipv4 | undefined;
      readonly nexthop: Ipv4;
    }
  | { readonly ok: false; readonly errno: IprouteErrno; readonly route: Route | undefined };

/** `ip_route_output_key`: route, egress device and source for a locally generated packet. */
export function routeOutput(st: Ipv4State, flow: RouteOutputFlow): RouteOutputDecision {
  const ns = st.ns;
  let src = flow.src ?? 0;
  let dst = flow.dst;
  const oif = flow.oif;
  const lo = loopbackOf(st);
  if (src !== 0) {
    if (isMulticastIpv4(src) || src === IPV4_BROADCAST || zeronet(src)) return { ok: false, errno: 'EINVAL', route: undefined };
    if (flow.anySrc !== true && !isLocalSource(st, src)) return { ok: false, errno: 'EINVAL', route: undefined };
  }
  if (oif !== undefined) {
    if (!oif.adminUp) return { ok: false, errno: 'ENETUNREACH', route: undefined };
    if (dst === IPV4_BROADCAST) {
      if (src === 0) src = selectSourceAddress(ns, st.addrs, oif, 0, SCOPE_VALUE.link);
      return { ok: true, type: 'broadcast', route: undefined, rule: undefined, dev: oif, dst, src, gateway: undefined, nexthop: dst };
    }
  }
  if (dst === 0) {
    dst = src !== 0 ? src : 0x7f000001;
    if (src === 0) src = dst;
    if (lo === undefined) return { ok: false, errno: 'ENETUNREACH', route: undefined };
    return { ok: true, type: 'local', route: undefined, rule: undefined, dev: lo, dst, src, gateway: undefined, nexthop: dst };
  }
  const res = st.fib.lookup({ dst, src, iif: 'lo', oif, mark: flow.mark ?? 0 });
  if (!res.ok) {
    if (oif !== undefined) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      if (src === 0) src = selectSourceAddress(ns, st.addrs, oif, 0, SCOPE_VALUE.link);
      return { ok: true, type: 'unicast', route: undefined, rule: undefined, dev: oif, dst, src, gateway: undefined, nexthop: dst };
    }
    return { ok: false, errno: res.errno, route: res.route };
  }
  const route = res.route;
  if (route.type === 'local') {
    if (src === 0) src = route.src ?? dst;
    if (lo === undefined) return { ok: false, errno: 'ENETUNREACH', route };
    return { ok: true, type: 'local', route, rule: res.rule, dev: lo, dst, src, gateway: undefined, nexthop: dst };
  }
  const dev = route.dev!;
  if (src === 0) src = route.src ?? selectSourceAddress(ns, st.addrs, dev, route.gateway ?? 0, scopeValue(route.scope));
  // __mkroute_output: a 127/8 source leaves only through lo, unless route_localnet on the device.
  if (isLoopbackIpv4(src) && dev.kind !== 'loopback' && ns.sysctl.conf(dev.name, 'route_localnet') === 0) {
    return { ok: false, errno: 'EINVAL', route };
  }
  const type = route.type === 'broadcast' || dst === IPV4_BROADCAST ? 'broadcast' : 'unicast';
  return { ok: true, type, route, rule: res.rule, dev, dst, src, gateway: route.gateway, nexthop: route.gateway ?? dst };
}

/**
 * `__ip_dev_find`: an address of some device, or failing that any address the local table
 * routes as `local` ("so that communication over loopback subnets work"): 127.0.0.11 on lo's
 * 127.0.0.0/8 is a valid source although no device holds it.
 */
export function isLocalSource(st: Ipv4State, src: Ipv4): boolean {
  if (st.addrs.isLocal(src)) return true;
  const local = st.fib.tables.get(RT_TABLE_LOCAL)?.lookupScoped(src, 0, undefined);
  return local !== undefined && local.type === 'local';
}

/** The namespace's loopback device (`net->loopback_dev`). */
export function loopbackOf(st: Ipv4State): NetDevice | undefined {
  const lo = st.ns.device('lo');
  if (lo !== undefined && lo.kind === 'loopback') return lo;
  for (const dev of st.ns.devices.values()) if (dev.kind === 'loopback') return dev;
  return undefined;
}

/** The structured detail of a route record: matched prefix, table, gateway, device, source. */
export function routeTraceDetail(route: Route | undefined, rule: FibRule | undefined): Record<string, string | number | null> {
  const detail: Record<string, string | number | null> = {};
  addRouteTraceFields(detail, route, rule, route?.dev?.name ?? null);
  return detail;
}

/**
 * `routeTraceDetail`'s fields, added to `detail` in the same order, with the route's device
 * name as it was when the record was made (lazy trace details capture it: a device can be
 * renamed before the trace is read).
 */
export function addRouteTraceFields(detail: Record<string, TraceValue>, route: Route | undefined, rule: FibRule | undefined, devName: string | null): void {
  if (route === undefined) {
    detail['prefix'] = null;
    detail['table'] = null;
    detail['gateway'] = null;
    detail['dev'] = null;
    detail['rule'] = rule?.priority ?? null;
    return;
  }
  detail['prefix'] = `${formatIpv4(route.dst)}/${route.prefix}`;
  detail['type'] = route.type;
  detail['table'] = routeTableName(route.table);
  detail['gateway'] = route.gateway === undefined ? null : formatIpv4(route.gateway);
  detail['dev'] = devName;
  detail['rule'] = rule?.priority ?? null;
}

/** The name of a route's device now, for a lazily built trace detail. */
export function routeDevName(route: Route | undefined): string | null {
  return route?.dev?.name ?? null;
}

/** iproute2's names of the reserved tables (`/etc/iproute2/rt_tables`). */
export function routeTableName(id: number): string {
  switch (id) {
    case 255:
      return 'local';
    case 254:
      return 'main';
    case 253:
      return 'default';
    default:
      return String(id);
  }
}
