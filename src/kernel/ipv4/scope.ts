/**
 * Route and address scopes (`rtm_scope` / `ifa_scope`): how far an address or a route is valid.
 *
 * Models: `include/uapi/linux/rtnetlink.h` (`enum rt_scope_t`: universe 0, site 200, link 253,
 * host 254, nowhere 255) and iproute2's names for them (`global` for universe). Lookups compare
 * the numbers: a route is usable for a flow only when its scope is at least the flow's
 * (`fib_table_lookup`), an address is eligible as a source only when its scope is at most the
 * route's (`inet_select_addr`).
 * Leaves out: numeric scopes other than the five named ones.
 */

export type RouteScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

export const SCOPE_VALUE: Readonly<Record<RouteScope, number>> = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

export function scopeValue(scope: RouteScope): number {
  return SCOPE_VALUE[scope];
}

/** Parses iproute2's scope words (`global`, `universe`, `site`, `link`, `host`, `nowhere`). */
export function parseRouteScope(text: string): RouteScope | undefined {
  switch (text) {
    case 'global':
    case 'universe':
      return 'global';
    case 'site':
    case 'link':
    case 'host':
    case 'nowhere':
      return text;
    default:
      return undefined;
  }
}
