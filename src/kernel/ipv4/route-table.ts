/**
 * One IPv4 routing table (`struct fib_table`): routes keyed by prefix, looked up by longest
 * prefix match, with the order of routes sharing a prefix kept as the kernel keeps it.
 *
 * Models: `net/ipv4/fib_trie.c`:
 * - `fib_table_lookup`: the longest matching prefix first; inside one prefix the aliases in list
 *   order (lower metric first, then insertion order); an alias is skipped when its scope is
 *   narrower than the flow's or, for a flow bound to an output device, when its next hop uses
 *   another device; an error type (blackhole, unreachable, prohibit, throw) that passes the
 *   scope check ends the lookup with its error.
 * - `fib_table_insert`: with NLM_F_EXCL (`ip route add`) a route with the same prefix, tos and
 *   metric already there is EEXIST; NLM_F_REPLACE replaces the first such route; NLM_F_APPEND
 *   (kernel routes, `ip route append`) adds after them unless an identical route exists.
 * - the trie's dump order (`ip route show`): by network address, then longer prefix first.
 * Instead of a trie, one hash map per prefix length is probed from /32 down to /0: the same
 * answers, and cheap because only lengths in use are probed.
 * Leaves out: TOS-keyed routes (tos is always 0), multipath next hops, nexthop objects,
 * per-route metrics other than `mtu`, route caching.
 */
import { maskOf, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { scopeValue, type RouteScope } from './scope.js';

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';

/** `rtm_protocol` as iproute2 names it (`/etc/iproute2/rt_protos`). */
export type RouteProto = 'unspec' | 'redirect' | 'kernel' | 'boot' | 'static' | 'dhcp' | 'bird' | 'zebra' | 'bgp';

export interface Route {
  readonly table: number;
  readonly type: RouteType;
  /** The network address (host bits cleared). */
  readonly dst: Ipv4;
  readonly prefix: number;
  /** Undefined for blackhole, unreachable, prohibit and throw routes. */
  readonly dev: NetDevice | undefined;
  readonly gateway: Ipv4 | undefined;
  readonly metric: number;
  readonly proto: RouteProto;
  readonly scope: RouteScope;
  /** `src` (prefsrc): the source address preferred for packets using this route. */
  readonly src: Ipv4 | undefined;
  readonly onlink: boolean;
  /** `mtu N` route metric; undefined means the device MTU. */
  readonly mtu: number | undefined;
}

/** Error types end a lookup with an error instead of a next hop (`fib_props[type].error`). */
export function isErrorType(type: RouteType): boolean {
  return type === 'blackhole' || type === 'unreachable' || type === 'prohibit' || type === 'throw';
}

/** The flow keys a table lookup filters on. */
export interface RouteTableFlow {
  /** `flowi4_scope` as a number: routes with a narrower scope are skipped. */
  readonly scope: number;
  /** `flowi4_oif`: only routes whose next hop uses this device. */
  readonly oif?: NetDevice | undefined;
}

/** The netmask of every prefix length. */
const MASKS: readonly number[] = Array.from({ length: 33 }, (_, len) => maskOf(len));

export type RouteInsertMode = 'excl' | 'append' | 'replace' | 'prepend';

export type RouteInsertResult = { readonly kind: 'inserted' } | { readonly kind: 'replaced'; readonly old: Route } | { readonly kind: 'exists' };

/** Same route in every attribute the kernel compares for an exact duplicate (`fib_find_info`). */
export function sameRoute(a: Route, b: Route): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst === b.dst &&
    a.prefix === b.prefix &&
    a.dev === b.dev &&
    a.gateway === b.gateway &&
    a.metric === b.metric &&
    a.proto === b.proto &&
    a.scope === b.scope &&
    a.src === b.src &&
    a.onlink === b.onlink &&
    a.mtu === b.mtu
  );
}

export class RouteTable {
  readonly id: number;
  /** `buckets[len]`: network address to its routes, in alias order. */
  private readonly buckets: Map<Ipv4, Route[]>[] = [];
  /** Prefix lengths in use, longest first. */
  private lengths: number[] = [];
  private readonly countByLength = new Array<number>(33).fill(0);
  private size = 0;

  constructor(id: number) {
    this.id = id;
    for (let i = 0; i <= 32; i++) this.buckets.push(new Map());
  }

  get count(): number {
    return this.size;
  }

  /** `fib_table_lookup`: the first usable route of the longest matching prefix. */
  lookup(dst: Ipv4, flow: RouteTableFlow): Route | undefined {
    return this.lookupScoped(dst, flow.scope, flow.oif);
  }

  /** `lookup` with the flow keys as arguments (the packet path's form: no flow object). */
  lookupScoped(dst: Ipv4, scope: number, oif: NetDevice | undefined): Route | undefined {
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]!;
      const routes = this.buckets[len]!.get((dst & MASKS[len]!) >>> 0);
      if (routes === undefined) continue;
      for (let j = 0; j < routes.length; j++) {
        const r = routes[j]!;
        if (scopeValue(r.scope) < scope) continue;
        if (isErrorType(r.type)) return r;
        if (oif !== undefined && r.dev !== oif) continue;
        return r;
      }
    }
    return undefined;
  }

  /** The routes of exactly `dst/prefix`, in alias order. */
  exact(dst: Ipv4, prefix: number): readonly Route[] {
    return this.buckets[prefix]!.get((dst & maskOf(prefix)) >>> 0) ?? [];
  }

  insert(route: Route, mode: RouteInsertMode): RouteInsertResult {
    const bucket = this.buckets[route.prefix]!;
    let routes = bucket.get(route.dst);
    if (routes === undefined) {
      routes = [];
      bucket.set(route.dst, routes);
    }
    const sameKey = routes.filter(r => r.metric === route.metric);
    if (mode === 'excl' && sameKey.length > 0) return { kind: 'exists' };
    if (mode === 'replace' && sameKey.length > 0) {
      const old = sameKey[0]!;
      routes[routes.indexOf(old)] = route;
      return { kind: 'replaced', old };
    }
    if (mode === 'append' && sameKey.some(r => sameRoute(r, route))) return { kind: 'exists' };
    // Aliases stay sorted by metric; among equal metrics, prepend goes first, the rest last.
    let at = routes.length;
    for (let i = 0; i < routes.length; i++) {
      const m = routes[i]!.metric;
      if (m > route.metric || (mode === 'prepend' && m === route.metric)) {
        at = i;
        break;
      }
    }
    routes.splice(at, 0, route);
    this.grew(route.prefix, 1);
    return { kind: 'inserted' };
  }

  /** Removes exactly this route object. */
  remove(route: Route): boolean {
    const bucket = this.buckets[route.prefix]!;
    const routes = bucket.get(route.dst);
    if (routes === undefined) return false;
    const i = routes.indexOf(route);
    if (i < 0) return false;
    routes.splice(i, 1);
    if (routes.length === 0) bucket.delete(route.dst);
    this.grew(route.prefix, -1);
    return true;
  }

  /** Removes every route `pred` selects; returns them. */
  removeWhere(pred: (r: Route) => boolean): Route[] {
    const gone = this.all().filter(pred);
    for (const r of gone) this.remove(r);
    return gone;
  }

  /** Every route in `ip route show` order: network address ascending, longer prefix first. */
  all(): Route[] {
    const out: Route[] = [];
    for (let len = 32; len >= 0; len--) for (const routes of this.buckets[len]!.values()) out.push(...routes);
    // Stable sort keeps alias order inside one prefix.
    return out.sort((a, b) => a.dst - b.dst || b.prefix - a.prefix);
  }

  private grew(prefix: number, delta: number): void {
    this.size += delta;
    const before = this.countByLength[prefix]!;
    this.countByLength[prefix] = before + delta;
    if ((before === 0) !== (before + delta === 0)) {
      this.lengths = [];
      for (let len = 32; len >= 0; len--) if (this.countByLength[len]! > 0) this.lengths.push(len);
    }
  }
}
