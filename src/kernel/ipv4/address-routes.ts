/**
 * The routes the kernel adds for addresses (`proto kernel`), derived from the address table and
 * the devices' up state, and kept in step with them.
 *
 * Models: `net/ipv4/fib_frontend.c` `fib_add_ifaddr` / `fib_del_ifaddr` (linux-primitives.md 5.3).
 * Adding `A/len` on device D (with P the primary address of that subnet, A itself for a primary):
 *
 *   table local  local A dev D proto kernel scope host src P              always, even while D is down
 *   --- only while D is up ---
 *   table local  broadcast B dev D proto kernel scope link src P          explicit `brd B` (not 255.255.255.255)
 *   table main   NET/len dev D proto kernel scope link src P [metric M]   primary only; not for /32 nor
 *                                                                        noprefixroute; on lo it is type
 *                                                                        local in table local, scope host
 *   table local  broadcast NET|~mask dev D proto kernel scope link src P  primary, len < 31
 *
 * Kernels since 5.14 add no broadcast route for the network address itself; this is that
 * behaviour. Network prefixes in 0.0.0.0/8 get no connected route (`ipv4_is_zeronet`).
 * The kernel reacts to each event (address added or deleted, device up or down); here the set of
 * routes the addresses call for is recomputed after each event and compared with the set the
 * previous event called for: routes newly called for are inserted, routes no longer called for
 * are removed. So a kernel route that a user deleted by hand stays deleted until an event calls
 * for it again, as in Linux.
 * Leaves out: `arp_invalidate` of broadcast addresses, peer (point-to-point) prefixes.
 */
import { maskOf } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { AddressTable, IfAddr } from './addresses.js';
import type { Fib } from './fib.js';
import type { Route } from './route-table.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from './rules.js';

function kernelRoute(fields: Pick<Route, 'table' | 'type' | 'dst' | 'prefix' | 'dev' | 'scope' | 'src' | 'metric'>): Route {
  return { ...fields, gateway: undefined, proto: 'kernel', onlink: false, mtu: undefined };
}

/** The routes one address calls for, given its device's state. */
export function routesForAddress(ifa: IfAddr, primary: IfAddr): Route[] {
  const dev = ifa.dev;
  const src = primary.address;
  const out: Route[] = [
    kernelRoute({ table: RT_TABLE_LOCAL, type: 'local', dst: ifa.address, prefix: 32, dev, scope: 'host', src, metric: 0 }),
  ];
  if (!dev.adminUp) return out;
  if (ifa.broadcast !== undefined && ifa.broadcast !== 0 && ifa.broadcast !== 0xffffffff) {
    out.push(kernelRoute({ table: RT_TABLE_LOCAL, type: 'broadcast', dst: ifa.broadcast, prefix: 32, dev, scope: 'link', src, metric: 0 }));
  }
  const mask = maskOf(ifa.prefix);
  const network = (ifa.address & mask) >>> 0;
  if (network >>> 24 !== 0 && !ifa.secondary && (network !== ifa.address || ifa.prefix < 32)) {
    if (!ifa.noprefixroute) {
      const loopback = dev.kind === 'loopback';
      out.push(
        kernelRoute({
          table: loopback ? RT_TABLE_LOCAL : RT_TABLE_MAIN,
          type: loopback ? 'local' : 'unicast',
          dst: network,
          prefix: ifa.prefix,
          dev,
          scope: loopback ? 'host' : 'link',
          src,
          metric: ifa.metric,
        }),
      );
    }
    if (ifa.prefix < 31) {
      const bcast = (network | ~mask) >>> 0;
      out.push(kernelRoute({ table: RT_TABLE_LOCAL, type: 'broadcast', dst: bcast, prefix: 32, dev, scope: 'link', src, metric: 0 }));
    }
  }
  return out;
}

function routeKey(r: Route): string {
  return `${r.table}|${r.type}|${r.dst}/${r.prefix}|${r.dev?.ifindex ?? 0}|${r.src ?? 0}|${r.metric}|${r.scope}`;
}

export class AddressRoutes {
  /** The routes the previous event called for, by key, as inserted. */
  private owned = new Map<string, Route>();

  /** Recomputes the routes the addresses call for and applies the difference to `fib`. */
  sync(fib: Fib, addrs: AddressTable, devices: Iterable<NetDevice>): void {
    const wanted = new Map<string, Route>();
    for (const dev of devices) {
      for (const ifa of addrs.of(dev)) {
        const primary = ifa.secondary ? addrs.primaryFor(dev, ifa.address, ifa.prefix) : ifa;
        if (primary === undefined) continue;
        for (const r of routesForAddress(ifa, primary)) {
          const key = routeKey(r);
          if (!wanted.has(key)) wanted.set(key, r);
        }
      }
    }
    const next = new Map<string, Route>();
    for (const [key, old] of this.owned) {
      if (wanted.has(key)) next.set(key, old);
      else fib.removeRoute(old);
    }
    for (const [key, r] of wanted) {
      if (next.has(key)) continue;
      fib.insertKernel(r);
      next.set(key, r);
    }
    this.owned = next;
  }

  /** Forgets routes that were removed by other means (device flush), so they can come back. */
  forget(routes: readonly Route[]): void {
    if (routes.length === 0) return;
    const gone = new Set(routes);
    for (const [key, r] of this.owned) if (gone.has(r)) this.owned.delete(key);
  }
}
