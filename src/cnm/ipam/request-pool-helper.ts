/**
 * Asking an IPAM driver for a default pool that does not clash with the host's own networks.
 *
 * Models: libnetwork `network.go` `requestPoolHelper` (Docker 20.10) with
 * `netutils/utils_linux.go` `FindAvailableNetwork`, `CheckNameserverOverlaps`,
 * `CheckRouteOverlaps`. For a local-scope network that gave no subnet, libnetwork keeps calling
 * `RequestPool`; a pool that overlaps a nameserver of the host's `/etc/resolv.conf` or the
 * destination of an IPv4 `scope link` route is held (not released, so the driver does not offer it
 * again) and the next one is requested; once a clean pool is found, or the driver runs out, every
 * held pool is released. Held pools still move the driver's rotating start index, so a rejected
 * candidate is skipped for good, not just this once.
 *
 *   RequestPool -> 172.18/16 overlaps "10.x scope link"?  no -> done, release held
 *                                                       yes -> hold, RequestPool again
 *
 * The check is skipped when the caller named a pool, and for the invalid pool 0.0.0.0/0; the
 * caller skips the helper for global-scope networks. It works on any driver, so the CNM layer can
 * wrap a remote IPAM plugin with it; the default `Allocator` applies it itself to `LocalDefault`
 * when given a `hostReserved` callback (do not wrap that allocator a second time).
 *
 * Leaves out: reading the host: the caller supplies the reserved prefixes (nameservers as /32,
 * link-scope route destinations) from the simulated host.
 */

import { assert } from '../../engine/index.js';
import { cidrOverlaps, formatCidr, type Cidr } from '../../packet/index.js';
import type { Ipam, IpamOptions, IpamResult, RequestPoolAnswer } from './ipam-api.js';

/** The part of a driver the helper needs. */
export type PoolRequester = Pick<Ipam, 'requestPool' | 'releasePool'>;

/** Source of the host's reserved prefixes, read once per request. */
export type HostReserved = () => readonly Cidr[];

/** `types.IsIPNetValid`: 0.0.0.0/0 is the one pool libnetwork treats as invalid here. */
function isValidPool(pool: Cidr): boolean {
  return formatCidr(pool) !== '0.0.0.0/0';
}

export function overlapsHost(pool: Cidr, reserved: readonly Cidr[]): boolean {
  return reserved.some((r) => cidrOverlaps(pool, r));
}

export function requestPoolHelper(
  ipam: PoolRequester,
  hostReserved: HostReserved,
  addressSpace: string,
  pool: string,
  subPool: string,
  options: IpamOptions,
  v6: boolean,
): IpamResult<RequestPoolAnswer> {
  const held: string[] = [];
  const reserved = pool === '' ? hostReserved() : [];
  try {
    for (;;) {
      const r = ipam.requestPool(addressSpace, pool, subPool, options, v6);
      if (!r.ok) return r;
      if (pool !== '' || !isValidPool(r.value.pool) || !overlapsHost(r.value.pool, reserved)) return r;
      // libnetwork would spin for ever on a driver that offers a held pool again.
      assert(!held.includes(r.value.poolId), `IPAM driver offered pool ${r.value.poolId} twice while it was held`);
      held.push(r.value.poolId);
    }
  } finally {
    // libnetwork logs and ignores a failure to release a held pool.
    for (const poolId of held) ipam.releasePool(poolId);
  }
}
