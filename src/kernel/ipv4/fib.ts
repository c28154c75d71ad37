/**
 * The forwarding information base of one namespace: its routing tables, its policy rules, the
 * rule-driven lookup, and `ip route add / append / prepend / replace / del` with the kernel's
 * validation.
 *
 * Models: `net/ipv4/fib_frontend.c` (`fib_lookup` through the rules, `inet_rtm_newroute`),
 * `net/ipv4/fib_rules.c` (`fib4_rule_action`: a table without an answer, or a `throw` route,
 * lets the next rule try; no rule answering is ENETUNREACH), `net/ipv4/fib_semantics.c`
 * (`fib_create_info`, `fib_check_nh_v4_gw`: a gateway must be reachable through a route of at
 * least link scope, i.e. a connected or local route, unless `onlink`; `fib_check_nh_nongw`: the
 * device must be up; `fib_valid_prefsrc`: `src` must be a local address; `fib_sync_down_dev`:
 * a device going down kills every route through it except host-scope (local) ones, a device
 * losing its last address or leaving kills them all; `fib_sync_down_addr`: routes whose `src`
 * was a deleted address go), and the error numbers of `fib_props`.
 * Leaves out: multipath, nexthop objects, `fib_select_default` (among several default routes
 * the first is used), route caches and exceptions (PMTU and redirects), l3mdev/VRF tables.
 */
import { maskOf, type Cidr, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { IPROUTE_ERRORS, extackError, iprouteOk, rtnetlinkError, type IprouteErrno, type IprouteResult } from './errors.js';
import { RouteTable, isErrorType, type RouteInsertMode, type Route, type RouteProto, type RouteType } from './route-table.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, FibRuleList, fibRuleMatches, type FibRule, type FibRuleFlow } from './rules.js';
import { SCOPE_VALUE, scopeValue, type RouteScope } from './scope.js';

/** What `ip route add` is given. Defaults follow iproute2 (`iproute_modify`). */
export interface RouteSpec {
  readonly dst: Cidr;
  readonly type?: RouteType;
  readonly dev?: NetDevice;
  readonly gateway?: Ipv4;
  readonly metric?: number;
  readonly proto?: RouteProto;
  readonly scope?: RouteScope;
  readonly src?: Ipv4;
  readonly onlink?: boolean;
  readonly table?: number;
  readonly mtu?: number;
}

/** The flow a FIB lookup is made for (`struct flowi4`). */
export interface FibFlow {
  readonly dst: Ipv4;
  readonly src: Ipv4;
  /** Input device name; `lo` for locally generated packets. */
  readonly iif: string;
  readonly oif?: NetDevice | undefined;
  readonly mark: number;
  /** Minimum route scope (`flowi4_scope`); 0 (universe) unless a caller narrows it. */
  readonly scope?: number;
}

export type FibResult =
  | { readonly ok: true; readonly route: Route; readonly rule: FibRule }
  | { readonly ok: false; readonly errno: IprouteErrno; readonly route: Route | undefined; readonly rule: FibRule | undefined };

/** A rule without selectors (the three default rules are): it matches every flow. */
function isCatchAll(rule: FibRule): boolean {
  return rule.iif === undefined && rule.oif === undefined && rule.fwmark === undefined && rule.from === undefined && rule.to === undefined && !rule.not;
}

/** `fib_props[type].error` for the error route types and rule actions. */
function errnoOfType(type: RouteType | FibRule['action']): IprouteErrno {
  if (type === 'unreachable') return 'EHOSTUNREACH';
  if (type === 'prohibit') return 'EACCES';
  if (type === 'blackhole') return 'EINVAL';
  return 'ENETUNREACH';
}

export class Fib {
  readonly tables = new Map<number, RouteTable>();
  readonly rules = new FibRuleList();

  /** `isLocal(ip)` answers whether `ip` is a local address (for `src` validation). */
  constructor(private readonly isLocal: (ip: Ipv4) => boolean) {
    this.table(RT_TABLE_LOCAL);
    this.table(RT_TABLE_MAIN);
  }

  /** `fib_new_table`: the table, created on first use. */
  table(id: number): RouteTable {
    let t = this.tables.get(id);
    if (t === undefined) {
      t = new RouteTable(id);
      this.tables.set(id, t);
    }
    return t;
  }

  /** `fib_lookup`: the rules in order, each looking in its table. */
  lookup(flow: FibFlow): FibResult {
    const scope = flow.scope ?? 0;
    const rules = this.rules.list();
    let ruleFlow: FibRuleFlow | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      // The default rules have no selector: they match without building the rule flow.
      if (!isCatchAll(rule) && !fibRuleMatches(rule, (ruleFlow ??= { src: flow.src, dst: flow.dst, iif: flow.iif, oif: flow.oif?.name, mark: flow.mark }))) continue;
      if (rule.action !== 'lookup') return { ok: false, errno: errnoOfType(rule.action), route: undefined, rule };
      const table = this.tables.get(rule.table);
      if (table === undefined) continue;
      const route = table.lookupScoped(flow.dst, scope, flow.oif);
      if (route === undefined || route.type === 'throw') continue;
      if (isErrorType(route.type)) return { ok: false, errno: errnoOfType(route.type), route, rule };
      return { ok: true, route, rule };
    }
    return { ok: false, errno: 'ENETUNREACH', route: undefined, rule: undefined };
  }

  /** `ip route add` (NLM_F_EXCL). */
  routeAdd(spec: RouteSpec): IprouteResult<Route> {
    return this.modify(spec, 'excl');
  }

  /** `ip route replace` (NLM_F_REPLACE | NLM_F_CREATE). */
  routeReplace(spec: RouteSpec): IprouteResult<Route> {
    return this.modify(spec, 'replace');
  }

  /** `ip route append` / `ip route prepend`. */
  routeAppend(spec: RouteSpec, prepend = false): IprouteResult<Route> {
    return this.modify(spec, prepend ? 'prepend' : 'append');
  }

  /** `ip route del`: the first route of that prefix matching every attribute given. */
  routeDel(spec: Partial<RouteSpec> & { readonly dst: Cidr }): IprouteResult<Route> {
    const table = this.tables.get(spec.table ?? (spec.type === 'local' || spec.type === 'broadcast' ? RT_TABLE_LOCAL : RT_TABLE_MAIN));
    if (table === undefined) return IPROUTE_ERRORS.routeNotFound();
    const victim = table
      .exact(spec.dst.address, spec.dst.prefix)
      .find(
        r =>
          (spec.type === undefined || r.type === spec.type) &&
          (spec.dev === undefined || r.dev === spec.dev) &&
          (spec.gateway === undefined || r.gateway === spec.gateway) &&
          (spec.metric === undefined || r.metric === spec.metric) &&
          (spec.proto === undefined || r.proto === spec.proto) &&
          (spec.scope === undefined || r.scope === spec.scope) &&
          (spec.src === undefined || r.src === spec.src),
      );
    if (victim === undefined) return IPROUTE_ERRORS.routeNotFound();
    table.remove(victim);
    return iprouteOk(victim);
  }

  /** Inserts a route the kernel itself makes (`fib_magic`, NLM_F_APPEND); false if identical one exists. */
  insertKernel(route: Route): boolean {
    return this.table(route.table).insert(route, 'append').kind === 'inserted';
  }

  removeRoute(route: Route): boolean {
    return this.tables.get(route.table)?.remove(route) ?? false;
  }

  /** Removes the routes `pred` selects from every table. */
  removeWhere(pred: (r: Route) => boolean): Route[] {
    const gone: Route[] = [];
    for (const t of this.tables.values()) gone.push(...t.removeWhere(pred));
    return gone;
  }

  /**
   * `fib_sync_down_dev` + `fib_flush`: routes through `dev` die. Without `force` (a device going
   * down) host-scope routes survive, which is why an address's `local` route stays.
   */
  syncDownDev(dev: NetDevice, force: boolean): Route[] {
    return this.removeWhere(r => r.dev === dev && (force || r.scope !== 'host'));
  }

  private modify(spec: RouteSpec, mode: RouteInsertMode): IprouteResult<Route> {
    const built = this.build(spec);
    if (!built.ok) return built;
    const result = this.table(built.value.table).insert(built.value, mode);
    if (result.kind === 'exists') return IPROUTE_ERRORS.routeExists();
    return built;
  }

  /** `fib_create_info` and the next-hop checks, on iproute2's defaults. */
  private build(spec: RouteSpec): IprouteResult<Route> {
    const type = spec.type ?? 'unicast';
    const { address, prefix } = spec.dst;
    if (((address & ~maskOf(prefix)) >>> 0) !== 0) {
      return extackError('EINVAL', 'Invalid prefix for given prefix length');
    }
    const table = spec.table ?? (type === 'local' || type === 'broadcast' ? RT_TABLE_LOCAL : RT_TABLE_MAIN);
    const defaultScope: RouteScope =
      type === 'local' ? 'host' : type === 'broadcast' ? 'link' : type === 'unicast' && spec.gateway === undefined ? 'link' : 'global';
    const scope = spec.scope ?? defaultScope;
    let dev = spec.dev;
    if (isErrorType(type)) {
      if (spec.gateway !== undefined || spec.dev !== undefined) {
        return extackError('EINVAL', 'Gateway, device and multipath can not be specified for this route type');
      }
    } else if (scope === 'host') {
      if (spec.gateway !== undefined) return extackError('EINVAL', 'Route with host scope can not have a gateway');
      if (dev === undefined) return IPROUTE_ERRORS.noDevice();
    } else if (spec.gateway !== undefined) {
      const nh = this.checkGateway(spec.gateway, spec, scope, table);
      if (!nh.ok) return nh;
      dev = nh.value;
    } else {
      if (dev === undefined) return IPROUTE_ERRORS.noDevice();
      if (!dev.adminUp) return IPROUTE_ERRORS.deviceNotUp();
    }
    if (spec.src !== undefined && !(type === 'local' && spec.src === address) && !this.isLocal(spec.src)) {
      return extackError('EINVAL', 'Invalid prefsrc address');
    }
    return iprouteOk({
      table,
      type,
      dst: address >>> 0,
      prefix,
      dev,
      gateway: spec.gateway,
      metric: spec.metric ?? 0,
      proto: spec.proto ?? 'boot',
      scope,
      src: spec.src,
      onlink: spec.onlink ?? false,
      mtu: spec.mtu,
    });
  }

  /** `fib_check_nh_v4_gw`: the device the gateway is reached through. */
  private checkGateway(gw: Ipv4, spec: RouteSpec, scope: RouteScope, tableId: number): IprouteResult<NetDevice> {
    if (spec.onlink === true) {
      if (scopeValue(scope) >= SCOPE_VALUE.link) return extackError('EINVAL', 'Nexthop has invalid scope');
      if (spec.dev === undefined) return IPROUTE_ERRORS.onlinkNeedsDevice();
      if (!spec.dev.adminUp) return IPROUTE_ERRORS.onlinkDeviceNotUp();
      const local = this.tables.get(RT_TABLE_LOCAL)?.lookup(gw, { scope: 0 });
      if (local !== undefined && local.prefix === 32 && (local.type === 'local' || local.type === 'broadcast')) {
        return IPROUTE_ERRORS.invalidGateway();
      }
      return iprouteOk(spec.dev);
    }
    const lookupScope = Math.max(scopeValue(scope) + 1, SCOPE_VALUE.link);
    let route: Route | undefined;
    if (tableId !== RT_TABLE_MAIN) {
      const r = this.tables.get(tableId)?.lookup(gw, { scope: lookupScope, oif: spec.dev });
      if (r !== undefined && !isErrorType(r.type)) route = r;
    }
    if (route === undefined) {
      const res = this.lookup({ dst: gw, src: 0, iif: 'lo', oif: spec.dev, mark: 0, scope: lookupScope });
      if (!res.ok) return IPROUTE_ERRORS.invalidGateway();
      route = res.route;
    }
    if ((route.type !== 'unicast' && route.type !== 'local') || route.dev === undefined) {
      return IPROUTE_ERRORS.invalidGateway();
    }
    if (!route.dev.adminUp) return rtnetlinkError('ENETDOWN');
    return iprouteOk(route.dev);
  }
}
