/**
 * Source address selection: which local address a packet leaving through a device is sent from
 * when nothing else chose one.
 *
 * Models: `net/ipv4/devinet.c` `inet_select_addr` and `in_dev_select_addr`
 * (linux-primitives.md 5.4):
 * 1. On the output device, the first *primary* address whose scope is not wider than asked
 *    (`ifa_scope <= scope`; with `route_localnet` host-scope addresses count as link), preferring
 *    one whose subnet holds `dst` (the gateway, or the destination), else the first eligible.
 * 2. Otherwise the first primary address of any device, in device order (`lo` first), whose
 *    scope is neither link nor wider than asked.
 * The route's own `src` (prefsrc), when it has one, wins before any of this
 * (`fib_result_prefsrc`, in `route-lookup.ts`).
 * Leaves out: VRF masters, address generation ids (nothing is cached, so nothing goes stale).
 */
import { cidrContains, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { AddressTable } from './addresses.js';
import { SCOPE_VALUE, scopeValue } from './scope.js';

/** `inet_select_addr(dev, dst, scope)`; 0 when the namespace has no eligible address. */
export function selectSourceAddress(ns: NetNamespace, addrs: AddressTable, dev: NetDevice | undefined, dst: Ipv4, scope: number): Ipv4 {
  if (dev !== undefined) {
    const localnet = ns.sysctl.conf(dev.name, 'route_localnet') !== 0 ? SCOPE_VALUE.link : SCOPE_VALUE.host;
    let first = 0;
    for (const ifa of addrs.of(dev)) {
      if (ifa.secondary) continue;
      if (Math.min(scopeValue(ifa.scope), localnet) > scope) continue;
      if (dst === 0 || cidrContains({ address: ifa.address, prefix: ifa.prefix }, dst)) return ifa.address;
      if (first === 0) first = ifa.address;
    }
    if (first !== 0) return first;
  }
  for (const other of ns.devices.values()) {
    for (const ifa of addrs.of(other)) {
      if (ifa.secondary) continue;
      const s = scopeValue(ifa.scope);
      if (s !== SCOPE_VALUE.link && s <= scope) return ifa.address;
    }
  }
  return 0;
}
