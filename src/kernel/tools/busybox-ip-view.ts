/**
 * What busybox 1.35's `ip` applet prints (a container's `docker exec c1 ip addr`): its older
 * iproute2-derived formats, which differ from iproute2 6.x in many small ways.
 *
 * Models: busybox `networking/libiproute/ipaddress.c` (`print_linkinfo`: `@NAME` resolved among
 * the devices of the namespace it runs in, else `@ifN`, and `M-DOWN` when that index is not an
 * up device here, so a container's `eth0@if11` always shows `M-DOWN`; only LOOPBACK,
 * BROADCAST, POINTOPOINT, MULTICAST, NOARP, UP, LOWER_UP are named; no `group`, `mode` or
 * `link-netnsid`; `qlen` from SIOCGIFTXQLEN when non-zero; `print_addrinfo` without `metric` and
 * `noprefixroute`), `iproute.c` `print_route` (no `proto`, `scope S ` then ` src A ` with its
 * double space, ` metric N `, `table T` only when listing all tables, no `linkdown`; `ip route
 * get` answers carry RTM_F_CLONED so they show no scope), `ipneigh.c` `print_neigh` (always
 * `used A/B/C` and `probes N`, states with a leading space, no trailing one), `iprule.c`
 * `print_rule` (`lookup T ` with a trailing space, `fwmark %#x`, no `oif`/`not`).
 * Leaves out: the `ref N` count of neighbour entries, `-o` for routes, IPv6.
 */
import { formatIpv4, formatMac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { linkTarget } from '../devices/index.js';
import type { FibRule as Rule, IfAddr, NeighEntry, Route, RouteGetResult } from '../ipv4/index.js';
import { routeTableName } from '../ipv4/index.js';
import { ipOperState, linkFlagWords, qdiscName, txQueueLen } from './link-view.js';
import { routeDstText } from './route-view.js';

/** The device's own block: `N: name@link: <FLAGS> mtu M qdisc Q [master B] state S [qlen L]` and `link/...`. */
export function bbLinkBlock(dev: NetDevice, withLinkLine: boolean, sl: string): string {
  let s = `${dev.ifindex}: ${dev.name}`;
  let mdown = false;
  const target = linkTarget(dev);
  if (target !== undefined) {
    const here = dev.netns.byIndex(target.ifindex);
    s += here === undefined ? `@if${target.ifindex}: ` : `@${here.name}: `;
    mdown = here === undefined || !here.adminUp;
  } else {
    s += ': ';
  }
  s += `<${linkFlagWords(dev).join(',')}${mdown ? ',M-DOWN' : ''}> mtu ${dev.mtu} qdisc ${qdiscName(dev)} `;
  if (dev.master !== undefined) s += `master ${dev.master.name} `;
  s += `state ${ipOperState(dev)} `;
  const qlen = txQueueLen(dev);
  if (qlen !== 0) s += `qlen ${qlen}`;
  if (withLinkLine) {
    const loop = dev.kind === 'loopback';
    s += `${sl}    link/${loop ? 'loopback' : 'ether'} ${formatMac(dev.mac)} brd ${loop ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff'}`;
  }
  return `${s}\n`;
}

/** One address: `    inet A/L [brd B] scope S [secondary] LABEL` and the lifetimes. */
export function bbAddrRecord(a: IfAddr, oneline: boolean): string {
  let s = oneline ? `${a.dev.ifindex}: ${a.dev.name}` : '';
  s += `    inet ${formatIpv4(a.address)}/${a.prefix} `;
  if (a.broadcast !== undefined) s += `brd ${formatIpv4(a.broadcast)} `;
  s += `scope ${a.scope} `;
  if (a.secondary) s += 'secondary ';
  return `${s}${a.label}${oneline ? '\\' : '\n'}       valid_lft forever preferred_lft forever\n`;
}

/** One route line; `allTables` when the listing is not restricted to main. */
export function bbRouteLine(r: Route, allTables: boolean, cloned = false): string {
  let s = r.type === 'unicast' ? '' : `${r.type} `;
  s += `${routeDstText(r.dst, r.prefix)} `;
  if (r.gateway !== undefined) s += `via ${formatIpv4(r.gateway)} `;
  if (r.dev !== undefined) s += `dev ${r.dev.name} `;
  if (allTables && r.table !== 254) s += `table ${routeTableName(r.table)} `;
  if (!cloned && r.scope !== 'global') s += `scope ${r.scope} `;
  if (r.src !== undefined) s += ` src ${formatIpv4(r.src)} `;
  if (r.metric !== 0) s += ` metric ${r.metric} `;
  if (r.onlink) s += 'onlink ';
  return `${s}\n`;
}

/** The answer of `ip route get` (a cloned route: no scope, table only outside main). */
export function bbRouteGet(g: RouteGetResult): string {
  let s = g.type === 'unicast' ? '' : `${g.type} `;
  s += `${formatIpv4(g.dst)} `;
  if (g.gateway !== undefined) s += `via ${formatIpv4(g.gateway)} `;
  s += `dev ${g.dev.name} `;
  const table = g.route?.table;
  if (table !== undefined && table !== 254 && table !== 255) s += `table ${routeTableName(table)} `;
  if (g.src !== undefined && g.iif === undefined) s += ` src ${formatIpv4(g.src)} `;
  if (g.iif !== undefined) s += ` iif ${g.iif.name}`;
  return `${s}\n`;
}

/** One `ip neigh` line. */
export function bbNeighLine(e: NeighEntry, withDev: boolean, secs: (t: number) => number): string {
  let s = `${formatIpv4(e.ip)} `;
  if (withDev) s += `dev ${e.dev.name} `;
  const valid = e.mac !== undefined && e.state !== 'incomplete' && e.state !== 'failed' && e.state !== 'none';
  if (valid) s += `lladdr ${formatMac(e.mac!)}`;
  s += ` used ${secs(e.used)}/${secs(e.confirmed)}/${secs(e.updated)} probes ${e.probes}`;
  if (e.state !== 'none') s += ` ${e.state.toUpperCase()}`;
  return `${s}\n`;
}

/** One `ip rule` line. */
export function bbRuleLine(r: Rule): string {
  let s = `${r.priority}:\tfrom `;
  if (r.from === undefined || r.from.prefix === 0) s += 'all';
  else s += r.from.prefix === 32 ? formatIpv4(r.from.address) : `${formatIpv4(r.from.address)}/${r.from.prefix}`;
  s += ' ';
  if (r.to !== undefined && r.to.prefix > 0) s += r.to.prefix === 32 ? `to ${formatIpv4(r.to.address)} ` : `to ${formatIpv4(r.to.address)}/${r.to.prefix} `;
  if (r.fwmark !== undefined) s += `fwmark ${r.fwmark === 0 ? '0' : `0x${r.fwmark.toString(16)}`} `;
  if (r.iif !== undefined) s += `iif ${r.iif} `;
  if (r.action === 'lookup') s += `lookup ${routeTableName(r.table)} `;
  else s += r.action;
  return `${s}\n`;
}
