/**
 * The iproute2 `bridge` program: `bridge fdb add|append|replace|del|show` and `bridge link
 * [show]|set`.
 *
 * Models: iproute2 6.x `bridge/bridge.c` (options `-s`, `-d`, `-n NETNS`, `-V`; objects link,
 * fdb, mdb, vlan, monitor by abbreviation; every failure exits 255, `exit(-1)`),
 * `bridge/fdb.c` (`fdb_modify`: without `self` or `master` the request is `self`, without a
 * state it is `permanent`, `static` is NUD_NOARP and `dynamic` a plain reachable entry;
 * `Device and address are required arguments.`, `Invalid mac address X`; `fdb_show`: `br`,
 * `brport`/`dev` selectors, `Cannot find bridge device "X"`; `print_fdb`: `MAC [dev D] [used
 * A/B] [self] [master BR] STATE`), `bridge/link.c` (`brlink_show`: the ports, `N: name@link:
 * <FLAGS> mtu M master BR state S priority P cost C`, `-d` adds the port flags line;
 * `brlink_modify`: `hairpin`, `learning`, `flood`, `mcast_flood`, `bcast_flood`, `cost`,
 * `priority`, with `parse_on_off`'s complaint and exit status 234).
 * The FDB itself, its dump order and the kernel's answers are the device layer's (`fdbShow`,
 * `fdbAdd`, `fdbDel`, `bridgeLinks`, `bridgeLinkSet`).
 * A vxlan device's own (`self`) table is the vxlan module's (`iplink-vxlan.ts` prints and parses
 * its `dst`/`port`/`vni`/`via` words); its rows follow the device's bridge rows, as
 * `rtnl_fdb_dump` dumps the master's entries of a port before the port's own.
 * Leaves out: the `self` multicast entries every device has (33:33:..., 01:00:5e:...: IPv6
 * and IGMP are not modelled), `self` entries of other ports (their own unicast lists),
 * `src_vni`, `vlan`, `mdb`, `monitor`, `get`, `flush`, JSON.
 */
import { formatMac, parseMac } from '../../packet/index.js';
import { BridgeDevice, bridgeLinkSet, bridgeLinks, fdbAdd, fdbDel, fdbShow, type BridgePortFlags, type FdbSpec } from '../devices/index.js';
import type { NetNamespace } from '../netns.js';
import type { Process, Program } from '../process.js';
import { Args, die, duparg2, matches, parseOnOff, runSync } from './cli-args.js';
import { vxlanDeviceOf, vxlanFdbAdd, vxlanFdbDel, type VxlanFdbSpec } from '../vxlan/index.js';
import { parseFdbVxlanWord, vxlanFdbLines, type FdbVxlanWords } from './iplink-vxlan.js';
import { formatBridgePortLine, installToolsState } from './link-view.js';

export const BRIDGE_USAGE =
  'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n' +
  '       bridge [ -force ] -batch filename\n' +
  'where  OBJECT := { link | fdb | mdb | vlan | monitor }\n' +
  '       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n' +
  '                    -o[neline] | -t[imestamp] | -n[etns] name |\n' +
  '                    -c[ompressvlans] -color -p[retty] -j[son] }\n';

interface BridgeContext {
  readonly proc: Process;
  readonly ns: NetNamespace;
  readonly stats: boolean;
  readonly details: boolean;
}

/** A kernel refusal, printed as the device layer words it; `bridge` always exits 255. */
function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) die(`${r.error}\n`, 255);
  return r.value;
}

/** `bridge fdb show` output. */
export function bridgeFdbList(ns: NetNamespace, words: readonly string[], stats = false): string {
  let br: string | undefined;
  let port: string | undefined;
  const args = new Args(words);
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'brport' || w === 'dev') port = args.next();
    else if (w === 'br') br = args.next();
    else if (w === 'vlan' || w === 'state') args.next();
  }
  if (br !== undefined && ns.device(br) === undefined) die(`Cannot find bridge device "${br}"\n`, 255);
  if (port !== undefined && ns.device(port) === undefined) die(`Cannot find device "${port}"\n`, 255);
  const rows = fdbShow(ns, { ...(br === undefined ? {} : { br }), ...(port === undefined ? {} : { brport: port }) });
  const line = (r: (typeof rows)[number]): string => {
    let s = `${formatMac(r.mac)} `;
    if (port === undefined) s += `dev ${r.dev} `;
    if (r.vlan !== undefined) s += `vlan ${r.vlan} `;
    if (stats && r.master !== undefined) s += `used ${r.usedAgo}/${r.updatedAgo} `;
    if (r.self) s += 'self ';
    if (r.master !== undefined) s += `master ${r.master} `;
    return `${s}${r.state ?? ''}\n`;
  };
  // rtnl_fdb_dump, per device by index: its master's entries, then its own (a vxlan's `self` table).
  let out = '';
  for (const dev of ns.sortedDevices()) {
    for (const r of rows) if (r.dev === dev.name) out += line(r);
    if ((port === undefined || dev.name === port) && (br === undefined || dev.master?.name === br)) out += vxlanFdbLines(ns, dev.name, port === undefined, stats);
  }
  return out;
}

function fdbModify(ctx: BridgeContext, cmd: 'add' | 'append' | 'replace' | 'del', args: Args): number {
  let dev: string | undefined;
  let addr: string | undefined;
  let target: FdbSpec['target'] | undefined;
  let state: FdbSpec['state'] | undefined;
  const vxlan: FdbVxlanWords = {};
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'dev') dev = args.next();
    else if (parseFdbVxlanWord(ctx.ns, args, vxlan)) continue;
    else if (w === 'src_vni' || matches(w, 'vlan')) args.next();
    else if (w === 'self') target ??= 'self';
    else if (matches(w, 'master')) target = 'master';
    else if (matches(w, 'local') || matches(w, 'permanent')) state = 'permanent';
    else if (matches(w, 'temp') || matches(w, 'static')) state = state === 'permanent' ? 'permanent' : 'static';
    else if (matches(w, 'dynamic')) state = 'dynamic';
    else if (matches(w, 'router') || matches(w, 'use') || matches(w, 'extern_learn') || matches(w, 'sticky')) continue;
    else {
      if (w === 'to') args.next();
      if (addr !== undefined) duparg2('to', args.cur);
      addr = args.cur;
    }
  }
  if (dev === undefined || addr === undefined) die('Device and address are required arguments.\n', 255);
  const mac = parseMac(addr);
  if (mac === undefined) die(`Invalid mac address ${addr}\n`, 255);
  if (ctx.ns.device(dev) === undefined) die(`Cannot find device "${dev}"\n`, 255);
  if ((target ?? 'self') === 'self' && vxlanDeviceOf(ctx.ns, dev) !== undefined) {
    // ndo_fdb_add/del of the vxlan device itself (`vxlan_fdb_add`).
    const vspec: VxlanFdbSpec = { mac, dev, ...vxlan, state: state ?? 'permanent' };
    must(cmd === 'del' ? vxlanFdbDel(ctx.ns, vspec) : vxlanFdbAdd(ctx.ns, vspec, cmd));
    return 0;
  }
  const spec: FdbSpec = { mac, dev, target: target ?? 'self', state: state ?? 'permanent' };
  if (cmd === 'del') must(fdbDel(ctx.ns, spec));
  else must(fdbAdd(ctx.ns, spec, cmd === 'replace'));
  return 0;
}

function doFdb(ctx: BridgeContext, args: Args): number {
  if (args.done) {
    ctx.proc.out(bridgeFdbList(ctx.ns, [], ctx.stats));
    return 0;
  }
  const cmd = args.shift();
  if (matches(cmd, 'add')) return fdbModify(ctx, 'add', args);
  if (matches(cmd, 'append')) return fdbModify(ctx, 'append', args);
  if (matches(cmd, 'replace')) return fdbModify(ctx, 'replace', args);
  if (matches(cmd, 'delete')) return fdbModify(ctx, 'del', args);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    ctx.proc.out(bridgeFdbList(ctx.ns, args.rest(), ctx.stats));
    return 0;
  }
  die(`Command "${cmd}" is unknown, try "bridge fdb help".\n`, 255);
}

const onOff = (v: boolean): string => (v ? 'on' : 'off');

/** `bridge link show` output. */
export function bridgeLinkList(ns: NetNamespace, words: readonly string[], details = false): string {
  const args = new Args(words);
  let devName: string | undefined;
  for (; !args.done; args.shift()) if (args.cur === 'dev') devName = args.next();
  if (devName !== undefined && ns.device(devName) === undefined) die(`Cannot find device "${devName}"\n`, 255);
  let out = '';
  for (const port of bridgeLinks(ns)) {
    if (devName !== undefined && port.dev.name !== devName) continue;
    out += formatBridgePortLine(port.dev, port.state, port.priority, port.cost);
    if (details) {
      out +=
        `    hairpin ${onOff(port.hairpin)} guard off root_block off fastleave off learning ${onOff(port.learning)} ` +
        `flood ${onOff(port.flood)} mcast_flood ${onOff(port.mcastFlood)} bcast_flood ${onOff(port.bcastFlood)} ` +
        'mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n';
    }
  }
  return out;
}

function linkModify(ctx: BridgeContext, args: Args): number {
  let dev: string | undefined;
  const flags: { -readonly [K in keyof BridgePortFlags]: BridgePortFlags[K] } = {};
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'dev') dev = args.next();
    else if (w === 'hairpin') flags.hairpin = parseOnOff(w, args.next());
    else if (w === 'learning') flags.learning = parseOnOff(w, args.next());
    else if (w === 'flood') flags.flood = parseOnOff(w, args.next());
    else if (w === 'mcast_flood') flags.mcastFlood = parseOnOff(w, args.next());
    else if (w === 'bcast_flood') flags.bcastFlood = parseOnOff(w, args.next());
    else if (w === 'cost') flags.cost = Number.parseInt(args.next(), 10) || 0;
    else if (w === 'priority') flags.priority = Number.parseInt(args.next(), 10) || 0;
    else if (w === 'guard' || w === 'fastleave' || w === 'root_block' || w === 'learning_sync' || w === 'neigh_suppress' || w === 'isolated') parseOnOff(w, args.next());
    else if (w === 'self' || w === 'master') continue;
    else die(BRIDGE_USAGE, 255);
  }
  if (dev === undefined) die('Device is a required argument.\n', 255);
  if (ctx.ns.device(dev) === undefined) die(`Cannot find bridge device "${dev}"\n`, 255);
  must(bridgeLinkSet(ctx.ns, dev, flags));
  return 0;
}

function doLink(ctx: BridgeContext, args: Args): number {
  if (args.done) {
    ctx.proc.out(bridgeLinkList(ctx.ns, [], ctx.details));
    return 0;
  }
  const cmd = args.shift();
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkModify(ctx, args);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    ctx.proc.out(bridgeLinkList(ctx.ns, args.rest(), ctx.details));
    return 0;
  }
  die(`Command "${cmd}" is unknown, try "bridge link help".\n`, 255);
}

function bridgeMain(proc: Process): number {
  const argv = proc.argv.slice(1);
  let ns = proc.ns;
  let stats = false;
  let details = false;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const opt = argv[i]!.startsWith('--') ? argv[i]!.slice(1) : argv[i]!;
    if (matches(opt, '-help')) die(BRIDGE_USAGE, 255);
    else if (matches(opt, '-Version')) {
      proc.out('bridge utility, 6.1.0\n');
      return 0;
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) stats = true;
    else if (matches(opt, '-details')) details = true;
    else if (matches(opt, '-netns')) {
      const name = argv[++i];
      ns = (name === undefined ? undefined : ns.host.named.get(name)) ?? die(`Cannot open network namespace "${name ?? ''}": No such file or directory\n`, 255);
    } else if (matches(opt, '-oneline') || matches(opt, '-timestamp') || matches(opt, '-compressvlans') || matches(opt, '-color') || matches(opt, '-force')) continue;
    else die(`Option "${opt}" is unknown, try "bridge help".\n`, 255);
  }
  const object = argv[i];
  if (object === undefined) die(BRIDGE_USAGE, 255);
  const ctx: BridgeContext = { proc, ns, stats, details };
  const rest = new Args(argv.slice(i + 1));
  if (matches(object, 'link')) return doLink(ctx, rest);
  if (matches(object, 'fdb')) return doFdb(ctx, rest);
  if (matches(object, 'help')) die(BRIDGE_USAGE, 255);
  die(`Object "${object}" is unknown, try "bridge help".\n`, 255);
}

/** The `bridge` program. */
export const bridgeProgram: Program = proc => {
  installToolsState(proc.ns.host);
  runSync(proc, () => bridgeMain(proc));
};

/** True when `name` is a bridge in `ns` (for `brctl`). */
export function isBridge(ns: NetNamespace, name: string): boolean {
  return ns.device(name) instanceof BridgeDevice;
}
