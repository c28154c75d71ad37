/**
 * busybox 1.35 `ip link set|add|delete`, `ip neigh show|flush` and `ip rule add|del|list`.
 *
 * Models: busybox `networking/libiproute/iplink.c` (`do_set` works through ioctls in the order
 * address, name, qlen, mtu, flags, so the first failing ioctl names the error:
 * `ip: SIOCGIFFLAGS: No such device`; `do_add_or_delete`: `type veth` ignores `peer` words and
 * the kernel names the peer `vethN`; a delete without a device exits 1 silently), `ipneigh.c`
 * (`Nothing to flush`), `iprule.c` (`invalid argument 'X' to 'ip'` for unknown words).
 * Leaves out: `ip link add type vrf`, `arp`/`multicast`/`promisc` flags (accepted, ignored).
 */
import type { NetDevice } from '../device.js';
import { linkAdd, linkDel, linkSetAddress, linkSetDown, linkSetMaster, linkSetMtu, linkSetName, linkSetNs, linkSetUp, type LinkSpec } from '../devices/index.js';
import { ipv4Of, type FibRuleSpec } from '../ipv4/index.js';
import { Args } from './cli-args.js';
import { dev, fail, keyword, next, prefixArg, talk, type BbContext } from './busybox-ip-args.js';
import { bbNeighLine, bbRuleLine } from './busybox-ip-view.js';
import { tableId } from './ip-route.js';
import { setTxQueueLen } from './link-view.js';

export function linkSet(ctx: BbContext, args: Args): number {
  let name: string | undefined;
  const ops: { up?: boolean; newName?: string; mtu?: number; mac?: number; qlen?: number; master?: string | null; netns?: string } = {};
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['up', 'down', 'name', 'mtu', 'qlen', 'multicast', 'arp', 'address', 'master', 'nomaster', 'netns', 'dev']);
    if (k === 0 || k === 1) ops.up = k === 0;
    else if (k === 2) ops.newName = next(args);
    else if (k === 3) ops.mtu = Number(next(args));
    else if (k === 4) ops.qlen = Number(next(args));
    else if (k === 5 || k === 6) {
      const v = next(args);
      if (v !== 'on' && v !== 'off') fail(`argument of "${k === 5 ? 'multicast' : 'arp'}" must be "on" or "off"`);
    } else if (k === 7) ops.mac = talkMac(next(args));
    else if (k === 8) ops.master = next(args);
    else if (k === 9) ops.master = null;
    else if (k === 10) ops.netns = next(args);
    else {
      if (name !== undefined) fail(`either "dev" is duplicate, or "${args.cur}" is garbage`);
      name = k === 11 ? next(args) : args.cur;
    }
  }
  if (name === undefined) fail('"dev" requires an argument');
  const ns = ctx.proc.ns;
  const d = ns.device(name) ?? fail(`${ops.mac !== undefined ? 'SIOCGIFINDEX' : ops.newName !== undefined ? 'SIOCSIFNAME' : ops.mtu !== undefined ? 'SIOCSIFMTU' : 'SIOCGIFFLAGS'}: No such device`);
  if (ops.mac !== undefined) talk(linkSetAddress(ns, d, ops.mac), 'SIOCSIFHWADDR');
  if (ops.newName !== undefined && ops.newName !== d.name) talk(linkSetName(ns, d, ops.newName), 'SIOCSIFNAME');
  if (ops.qlen !== undefined) setTxQueueLen(d, ops.qlen);
  if (ops.mtu !== undefined) talk(linkSetMtu(ns, d, ops.mtu), 'SIOCSIFMTU');
  if (ops.master !== undefined) talk(linkSetMaster(ns, d, ops.master === null ? undefined : dev(ctx, ops.master)));
  if (ops.netns !== undefined) talk(linkSetNs(d, ns.host.named.get(ops.netns) ?? fail(`can't find network namespace '${ops.netns}'`)));
  if (ops.up === true) talk(linkSetUp(d.netns, d), 'SIOCSIFFLAGS');
  if (ops.up === false) talk(linkSetDown(d.netns, d), 'SIOCSIFFLAGS');
  return 0;
}

function talkMac(text: string): number {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some(p => !/^[0-9a-fA-F]{1,2}$/.test(p))) fail(`"${text}" is invalid lladdr`);
  return parts.reduce((acc, p) => acc * 256 + parseInt(p, 16), 0);
}

export function linkAddDel(ctx: BbContext, add: boolean, args: Args): number {
  let name: string | undefined;
  let link: string | undefined;
  let type: string | undefined;
  let id: number | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['link', 'name', 'type', 'dev', 'address']);
    if (k === 0) link = next(args);
    else if (k === 2) {
      type = next(args);
      for (args.shift(); !args.done; args.shift()) if (args.cur === 'id') id = Number(next(args));
      break;
    } else if (k === 4) next(args);
    else name = k === 1 || k === 3 ? next(args) : args.cur;
  }
  const ns = ctx.proc.ns;
  if (!add) {
    if (name === undefined) return 1;
    talk(linkDel(ns, dev(ctx, name)));
    return 0;
  }
  if (link !== undefined) dev(ctx, link);
  const auto = (p: string): string => {
    for (let i = 0; ; i++) if (ns.device(`${p}${i}`) === undefined) return `${p}${i}`;
  };
  const n = name ?? auto(type ?? 'eth');
  let spec: LinkSpec;
  if (type === 'veth') spec = { type: 'veth', name: n, peer: auto('veth') };
  else if (type === 'bridge' || type === 'dummy') spec = { type, name: n };
  else if (type === 'vlan' && link !== undefined && id !== undefined) spec = { type: 'vlan', name: n, link, id };
  else if (type === 'macvlan' && link !== undefined) spec = { type: 'macvlan', name: n, link };
  else fail(type === undefined ? 'RTNETLINK answers: Invalid argument' : 'RTNETLINK answers: Operation not supported', 2);
  const d = talk(linkAdd(ns, spec));
  setTxQueueLen(d, 1000);
  return 0;
}

export function neigh(ctx: BbContext, args: Args): number {
  const cmd = args.done ? 0 : keyword(args.cur, ['show', 'flush']);
  if (cmd < 0) fail(`invalid argument '${args.cur}' to 'ip'`);
  if (!args.done) args.shift();
  const flush = cmd === 1;
  if (flush && args.done) fail('"ip neigh flush" requires an argument');
  let filterDev: NetDevice | undefined;
  for (; !args.done; args.shift()) {
    const k = keyword(args.cur, ['to', 'dev', 'nud']);
    if (k === 1) filterDev = dev(ctx, next(args));
    else if (k === 0 || k === 2) next(args);
  }
  const st = ipv4Of(ctx.proc.ns);
  const entries = st.neigh.list(filterDev).filter(e => (flush ? e.state !== 'permanent' && e.state !== 'noarp' : e.state !== 'noarp' && e.state !== 'none'));
  if (flush) {
    if (entries.length === 0) ctx.proc.out('Nothing to flush\n');
    for (const e of entries) st.neighDel(e.dev, e.ip);
    return 0;
  }
  const now = ctx.proc.ns.host.world.engine.now;
  const secs = (t: number): number => Math.floor(Math.max(0, now - t) / 1_000_000_000);
  ctx.proc.out(entries.map(e => bbNeighLine(e, filterDev === undefined, secs)).join(''));
  return 0;
}

/** `ip rule [list] | add|del SELECTOR ACTION`. */
export function rule(ctx: BbContext, sub: string, none: boolean, a: Args): number {
  const k = none ? 2 : keyword(sub, ['add', 'delete', 'list', 'show']);
  if (k < 0) fail(`invalid argument '${sub}' to 'ip'`);
  const st = ipv4Of(ctx.proc.ns);
  if (k >= 2) {
    ctx.proc.out(st.fib.rules.list().map(bbRuleLine).join(''));
    return 0;
  }
  const spec: { -readonly [K in keyof FibRuleSpec]?: FibRuleSpec[K] } = {};
  for (; !a.done; a.shift()) {
    const w = a.cur;
    if (w === 'from' || w === 'to') spec[w] = prefixArg(next(a), 'prefix');
    else if (w.startsWith('pref') || w === 'order' || w.startsWith('prio')) spec.priority = Number(next(a));
    else if (w === 'table' || w === 'lookup') spec.table = tableId(next(a)) ?? fail(`invalid argument '${a.cur}' to 'table ID'`);
    else if (w === 'fwmark') spec.fwmark = Number(next(a));
    else if (w === 'dev' || w === 'iif') spec.iif = next(a);
    else if (w === 'prohibit' || w === 'unreachable' || w === 'blackhole') spec.action = w;
    else if (w === 'reject') spec.action = 'prohibit';
    else fail(`invalid argument '${w}' to 'ip'`);
  }
  talk(k === 0 ? st.ruleAdd(spec) : st.ruleDel(spec));
  return 0;
}
