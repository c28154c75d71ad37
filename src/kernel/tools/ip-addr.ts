/**
 * `ip address add|del|flush|show` and the listing `ip link show` shares with it.
 *
 * Models: iproute2 6.x `ip/ipaddress.c`: `ipaddr_list_flush_or_save` (selectors `dev`, `up`,
 * `scope`, `label`, `to`, `master`, `type`, `primary`/`secondary`; `ipaddr_filter` keeps a
 * device when one of its addresses passes the filters, or when it has no address at all and no
 * family was chosen; a `label` selector prints matching address lines without device lines;
 * `-o` prints each address on one line after `N: name` and no device lines), `print_addrinfo`
 * (`inet A/LEN [metric M] [brd B] scope S [secondary] [noprefixroute] LABEL`, then the
 * lifetimes), `ipaddr_modify` (`brd +` only up to /30, `scope` defaults to host for 127/8, the
 * "wildcard deletion" warning when `del` gets no prefix length, which the kernel then ignores)
 * and `ipaddr_flush`.
 * IPv6 is not modelled: no `inet6` lines. A device that Linux would have given an IPv6
 * link-local address (up with carrier, or an up `lo`) still counts as having an address when
 * the filters decide which devices to list, so filtered listings match a real host.
 * Leaves out: `peer`, `anycast`, lifetimes other than forever, `-s` flush rounds, `save`/`restore`.
 */
import { cidrContains, formatIpv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { BridgeDevice } from '../devices/index.js';
import { ipv4Of, parseRouteScope, type IfAddr, type RouteScope as Scope } from '../ipv4/index.js';
import { Args, die, duparg, duparg2, invarg, matches, parseAddrArg, parsePrefixArg, parseU32Arg } from './cli-args.js';
import { deviceArg, familyWord, listDevice, must, oneline, unknownCommand, type IpContext } from './ip-context.js';
import { briefPrefix, carrierOk, formatLinkBlock, formatLinkBrief, formatLinkStats, linkKind } from './link-view.js';

/** The device and address selectors of a listing or flush. */
interface AddrFilter {
  dev: NetDevice | undefined;
  up: boolean;
  scope: Scope | undefined;
  label: string | undefined;
  to: { address: number; prefix: number } | undefined;
  master: NetDevice | undefined;
  kind: string | undefined;
  slaveKind: string | undefined;
  secondary: boolean | undefined;
}

/** `fnmatch(pattern, text, 0)` for the `*`, `?` and `[...]` a label pattern uses. */
function fnmatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

function parseFilter(ctx: IpContext, args: Args): AddrFilter {
  const f: AddrFilter = { dev: undefined, up: false, scope: undefined, label: undefined, to: undefined, master: undefined, kind: undefined, slaveKind: undefined, secondary: undefined };
  let devName: string | undefined;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'to') {
      f.to = parsePrefixArg(args.next(), familyWord(ctx));
      if (ctx.opts.family === 'unspec') ctx.opts.family = 'inet';
    } else if (w === 'scope') {
      const v = args.next();
      const s = parseRouteScope(v);
      if (s === undefined && v !== 'all') invarg('invalid "scope"\n', v);
      f.scope = s;
    } else if (w === 'up') {
      f.up = true;
    } else if (w === 'secondary' || w === 'primary') {
      f.secondary = w === 'secondary';
    } else if (w === 'label') {
      f.label = args.next();
    } else if (w === 'master') {
      const v = args.next();
      f.master = ctx.ns.device(v) ?? invarg('Device does not exist\n', v);
    } else if (w === 'type') {
      const v = args.next();
      if (v.endsWith('_slave')) f.slaveKind = v.slice(0, -'_slave'.length);
      else f.kind = v;
    } else {
      if (w === 'dev') args.next();
      if (devName !== undefined) duparg2('dev', args.cur);
      devName = args.cur;
    }
  }
  if (devName !== undefined) f.dev = listDevice(ctx.ns, devName);
  return f;
}

function addrMatches(a: IfAddr, f: AddrFilter): boolean {
  if (f.scope !== undefined && a.scope !== f.scope) return false;
  if (f.secondary !== undefined && a.secondary !== f.secondary) return false;
  if (f.label !== undefined && !fnmatch(f.label, a.label)) return false;
  if (f.to !== undefined && !cidrContains(f.to, a.address)) return false;
  return true;
}

function linkMatches(dev: NetDevice, f: AddrFilter): boolean {
  if (f.dev !== undefined && dev !== f.dev) return false;
  if (f.up && !dev.adminUp) return false;
  if (f.master !== undefined && dev.master !== f.master) return false;
  if (f.kind !== undefined && linkKind(dev) !== f.kind) return false;
  if (f.slaveKind !== undefined && !(f.slaveKind === 'bridge' && dev.master instanceof BridgeDevice)) return false;
  return true;
}

/** Whether Linux would have given the device an IPv6 address (`::1`, or a link-local one). */
function hasHiddenInet6(dev: NetDevice): boolean {
  return dev.kind === 'loopback' ? dev.adminUp : carrierOk(dev);
}

/** The address record: `    inet ...` and its lifetimes line. */
export function formatAddrRecord(a: IfAddr): string {
  let s = `    inet ${formatIpv4(a.address)}/${a.prefix} `;
  if (a.metric !== 0) s += `metric ${a.metric} `;
  if (a.broadcast !== undefined) s += `brd ${formatIpv4(a.broadcast)} `;
  s += `scope ${a.scope} `;
  if (a.secondary) s += 'secondary ';
  if (a.noprefixroute) s += 'noprefixroute ';
  return `${s}${a.label}\n       valid_lft forever preferred_lft forever\n`;
}

/** `ip addr show` / `ip link show` (`doLink`) output for `ctx.ns`. */
export function ipAddrList(ctx: IpContext, words: readonly string[], doLink: boolean): string {
  const { opts } = ctx;
  const f = parseFilter(ctx, new Args(words));
  const family = doLink ? 'link' : opts.family;
  const st = ipv4Of(ctx.ns);
  const addrFilters = family === 'inet' || f.scope !== undefined || f.label !== undefined || f.to !== undefined || f.secondary !== undefined;
  let out = '';
  for (const dev of ctx.ns.sortedDevices()) {
    if (!linkMatches(dev, f)) continue;
    const addrs = family === 'link' || family === 'inet6' ? [] : st.addrs.of(dev).filter(a => addrMatches(a, f));
    if (family === 'inet6') continue;
    if (family !== 'link' && addrFilters && addrs.length === 0) {
      const missing = st.addrs.of(dev).length === 0 && !hasHiddenInet6(dev);
      if (!(missing && family === 'unspec')) continue;
    }
    if (opts.brief) {
      if (doLink) out += formatLinkBrief(dev);
      else out += `${briefPrefix(dev)}${addrs.map(a => `${formatIpv4(a.address)}/${a.prefix} ${a.metric === 0 ? '' : `metric ${a.metric} `}`).join('')}\n`;
      continue;
    }
    const records: string[] = [];
    if (!(opts.oneline && !doLink) && f.label === undefined) {
      records.push(formatLinkBlock(dev, { doLink, linkLine: family === 'unspec' || family === 'link', details: opts.details > 0, stats: doLink ? opts.stats : 0 }));
    }
    for (const a of addrs) records.push(opts.oneline ? `${dev.ifindex}: ${dev.name}${formatAddrRecord(a)}` : formatAddrRecord(a));
    if (!doLink && opts.stats > 0) records.push(formatLinkStats(dev, opts.stats));
    out += opts.oneline ? records.map(oneline).join('') : records.join('');
  }
  return out;
}

/** `ip addr flush SELECTORS`. */
function ipAddrFlush(ctx: IpContext, words: readonly string[]): number {
  if (words.length === 0) die('Flush requires arguments.\n', 1);
  const f = parseFilter(ctx, new Args(words));
  const st = ipv4Of(ctx.ns);
  for (const dev of ctx.ns.sortedDevices()) {
    if (!linkMatches(dev, f)) continue;
    // Primaries first take their secondaries with them (unless promoted), as each flush round does.
    for (;;) {
      const victim = st.addrs.of(dev).find(a => addrMatches(a, f));
      if (victim === undefined) break;
      st.addrDel(dev, victim.address, victim.prefix);
    }
  }
  return 0;
}

/** `ip addr add|del|replace`. */
function ipAddrModify(ctx: IpContext, cmd: 'add' | 'del' | 'replace', args: Args): number {
  let devName: string | undefined;
  let local: { address: number; prefix: number } | undefined;
  let localText = '';
  let brd: number | '+' | '-' | undefined;
  let scope: Scope | undefined;
  let label: string | undefined;
  let metric: number | undefined;
  let noprefixroute = false;
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'broadcast' || w === 'brd') {
      const v = args.next();
      if (brd !== undefined) duparg('broadcast', v);
      brd = v === '+' || v === '-' ? v : parseAddrArg(v, familyWord(ctx));
    } else if (w === 'scope') {
      const v = args.next();
      scope = parseRouteScope(v) ?? invarg('invalid scope value.', v);
    } else if (w === 'dev') {
      devName = args.next();
    } else if (w === 'label') {
      label = args.next();
    } else if (w === 'metric' || w === 'priority' || w === 'preference') {
      metric = parseU32Arg(args.next(), 'metric');
    } else if (w === 'noprefixroute') {
      noprefixroute = true;
    } else if (w === 'valid_lft' || w === 'preferred_lft') {
      args.next();
    } else {
      if (w === 'local') args.next();
      if (local !== undefined) duparg2('local', args.cur);
      localText = args.cur;
      local = parsePrefixArg(localText, familyWord(ctx));
    }
  }
  if (devName === undefined) die('Not enough information: "dev" argument is required.\n', 1);
  if (local === undefined) die('RTNETLINK answers: Operation not supported\n', 2);
  if (cmd === 'del' && !localText.includes('/')) {
    ctx.proc.err(
      'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        `         Explicitly specify the prefix length (${localText}/32) to avoid this warning.\n` +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n',
    );
  }
  const dev = deviceArg(ctx.ns, devName);
  const st = ipv4Of(ctx.ns);
  if (cmd === 'del') {
    // No IFA_ADDRESS is sent on delete, so the kernel matches the local address alone.
    must(st.addrDel(dev, local.address));
    return 0;
  }
  let broadcast: number | '+' | undefined;
  if (brd === '+') broadcast = local.prefix <= 30 ? '+' : undefined;
  else if (brd !== '-') broadcast = brd;
  if (cmd === 'replace') {
    const existing = st.addrs.of(dev).find(a => a.address === local.address && a.prefix === local.prefix);
    if (existing !== undefined) st.addrDel(dev, existing.address, existing.prefix);
  }
  must(
    st.addrAdd(dev, local, {
      ...(broadcast === undefined ? {} : { broadcast }),
      ...(scope === undefined ? {} : { scope }),
      ...(label === undefined ? {} : { label }),
      ...(metric === undefined ? {} : { metric }),
      noprefixroute,
    }),
  );
  return 0;
}

/** `ip address ...`: the first command word the argument abbreviates, in iproute2's order. */
export function doIpAddr(ctx: IpContext, words: readonly string[]): number {
  const args = new Args(words);
  if (args.done) {
    ctx.proc.out(ipAddrList(ctx, [], false));
    return 0;
  }
  const cmd = args.shift();
  const rest = args.rest();
  if (matches(cmd, 'add')) return ipAddrModify(ctx, 'add', new Args(rest));
  if (matches(cmd, 'change') || cmd === 'chg' || matches(cmd, 'replace')) return ipAddrModify(ctx, 'replace', new Args(rest));
  if (matches(cmd, 'delete')) return ipAddrModify(ctx, 'del', new Args(rest));
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    ctx.proc.out(ipAddrList(ctx, rest, false));
    return 0;
  }
  if (matches(cmd, 'flush')) return ipAddrFlush(ctx, rest);
  unknownCommand(cmd, 'address');
}
