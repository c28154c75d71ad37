/**
 * The order of a sandbox's endpoints, and which of them is the gateway endpoint: the one whose
 * network gives the container its default route and gets its published ports.
 *
 * Models: libnetwork `sandbox.go` (Docker 20.10) `endpoint.Less`, `addEndpoint` (inserted at
 * `sort.Search(len, func(j) { return ep.Less(eps[j]) })`, so an equal endpoint goes after the
 * ones already there), `getGatewayEndpoint` and `endpoint.go` `endpointInGWNetwork`:
 *
 *   1. higher join priority first (`JoinOptionPriority`, default 0)
 *   2. not on docker_gwbridge before docker_gwbridge's `gateway_*` endpoints
 *   3. non-internal networks before internal ones
 *   4. higher gateway score first: IPv4 gateway +1, IPv6 gateway +2
 *   5. network name, ascending (byte order)
 *
 *   gateway endpoint = the first endpoint, skipping `null` and `host` networks, with an IPv4
 *   gateway from its driver's Join.
 *
 * This is why `docker network connect n1 bx` moves bx's default route from n2 to n1 (capture 03:
 * "n1" < "n2"). Interface names do not follow this order (they follow join order, see osl.ts).
 * Leaves out: nothing.
 */
import type { Ipv4 } from '../../packet/index.js';

/** The facts about an endpoint the order looks at. */
export interface OrderedEndpoint {
  readonly name: string;
  readonly network: { readonly name: string; readonly type: string; readonly internal: boolean };
  /** From the driver's Join (`joinInfo.gw`, `joinInfo.gw6`). */
  gateway(): Ipv4 | undefined;
  gatewayIPv6(): string | undefined;
}

/** `libnGWNetwork`. */
export const GW_NETWORK_NAME = 'docker_gwbridge';

/** `endpointInGWNetwork`: docker_gwbridge's per-sandbox `gateway_<id>` endpoint. */
export function endpointInGwNetwork(ep: OrderedEndpoint): boolean {
  return ep.network.name === GW_NETWORK_NAME && ep.name.startsWith('gateway_');
}

function gatewayScore(ep: OrderedEndpoint): number {
  return (ep.gateway() === undefined ? 0 : 1) + (ep.gatewayIPv6() === undefined ? 0 : 2);
}

/** `epi.Less(epj)`: whether `a` sorts before `b`; `priority` is the sandbox's `epPriority`. */
export function endpointLess<E extends OrderedEndpoint>(a: E, b: E, priority: (ep: E) => number): boolean {
  const pa = priority(a);
  const pb = priority(b);
  if (pa !== pb) return pa > pb;
  const ga = endpointInGwNetwork(a);
  const gb = endpointInGwNetwork(b);
  if (ga !== gb) return gb;
  if (a.network.internal !== b.network.internal) return b.network.internal;
  const sa = gatewayScore(a);
  const sb = gatewayScore(b);
  if (sa !== sb) return sa > sb;
  return a.network.name < b.network.name;
}

/** `addEndpoint`: `ep` inserted before the first endpoint it sorts before. */
export function insertSorted<E extends OrderedEndpoint>(list: E[], ep: E, priority: (ep: E) => number): void {
  let i = 0;
  while (i < list.length && !endpointLess(ep, list[i]!, priority)) i++;
  list.splice(i, 0, ep);
}

/** `getGatewayEndpoint`. */
export function gatewayEndpoint<E extends OrderedEndpoint>(list: readonly E[]): E | undefined {
  return list.find(ep => ep.network.type !== 'null' && ep.network.type !== 'host' && ep.gateway() !== undefined);
}
