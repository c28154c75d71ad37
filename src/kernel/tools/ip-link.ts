/**
 * `ip link add|set|delete|show`: creating and configuring devices through the device layer's
 * link API, with iproute2's own argument checks in front of it.
 *
 * Models: iproute2 6.x `ip/iplink.c` (`iplink_parse`: a bare word is the device, a second one is
 * `duparg2("dev", ...)`; `master` and `netns` are resolved while parsing, so their errors come
 * first; `iplink_modify`: `Not enough information: "dev" argument is required.` /
 * `"type" argument is required`), `ip/link_veth.c` (`peer [name] NAME [netns NS] ...`),
 * `ip/iplink_bridge.c`, `ip/iplink_vlan.c`, `ip/iplink_macvlan.c` (the `mode` complaint), and
 * the kernel side: `net/core/rtnetlink.c` `do_setlink` applies a `set` in the order netns,
 * address, mtu, name, master, up/down, txqueuelen and stops at the first failure;
 * `dev_alloc_name` names an unnamed device `veth%d`, `bridge%d`...; `ether_setup` gives what
 * `ip link add` makes a `txqueuelen` of 1000; a veth created with its peer in another namespace,
 * and a device moved to another namespace, get namespace ids allocated on both sides the way
 * the RTM_NEWLINK notifications allocate them (`peernet2id_alloc`).
 * `type vxlan` arguments are `iplink-vxlan.ts`'s (iproute2's `ip/iplink_vxlan.c`).
 * Leaves out: `group`, `alias`, `arp`/`multicast`/`promisc` flags (accepted, ignored), `vf`,
 * `xdp`, `link-netns`, bonds, `ip link help` text.
 */
import type { Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import {
  MACVLAN_MODES,
  VethDevice,
  bridgeLinkSet,
  bridgeSet,
  linkAdd,
  linkDel,
  linkSetAddress,
  linkSetDown,
  linkSetMaster,
  linkSetMtu,
  linkSetName,
  linkSetNs,
  linkSetUp,
  netnsId,
  type BridgeOptionsChange,
  type BridgePortFlags,
  type LinkSpec,
  type MacvlanMode,
} from '../devices/index.js';
import type { NetNamespace } from '../netns.js';
import { SECOND } from '../../engine/index.js';
import { Args, checkIfname, die, duparg2, invarg, matches, parseCUnsigned, parseLladdrArg, parseOnOff, validIfname } from './cli-args.js';
import { deviceArg, must, unknownCommand, type IpContext } from './ip-context.js';
import { ipAddrList } from './ip-addr.js';
import { vxlanTypeSpec } from './iplink-vxlan.js';
import { setTxQueueLen } from './link-view.js';

/** What `iplink_parse` collected (for `add` and `set` alike). */
interface LinkArgs {
  dev: string | undefined;
  name: string | undefined;
  link: string | undefined;
  mac: Mac | undefined;
  mtu: number | undefined;
  txqlen: number | undefined;
  netns: NetNamespace | undefined;
  up: boolean | undefined;
  master: NetDevice | null | undefined;
  type: string | undefined;
  typeArgs: Args | undefined;
}

function intArg(text: string, what: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0x7fffffff) invarg(`Invalid "${what}" value\n`, text);
  return n;
}

/** `netns NAME` as iproute2 resolves it (`netns_get_fd`): a name in /var/run/netns. */
function netnsArg(ctx: IpContext, text: string): NetNamespace {
  const ns = ctx.ns.host.named.get(text);
  if (ns === undefined) invarg('Invalid "netns" value\n', text);
  return ns;
}

function parseLinkArgs(ctx: IpContext, args: Args, forAdd: boolean): LinkArgs {
  const a: LinkArgs = { dev: undefined, name: undefined, link: undefined, mac: undefined, mtu: undefined, txqlen: undefined, netns: undefined, up: undefined, master: undefined, type: undefined, typeArgs: undefined };
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (w === 'up') a.up = true;
    else if (w === 'down') a.up = false;
    else if (w === 'name') {
      const v = args.next();
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      a.name = v;
    } else if (w === 'link') a.link = args.next();
    else if (matches(w, 'address')) a.mac = parseLladdrArg(args.next());
    else if (w === 'mtu') a.mtu = intArg(args.next(), 'mtu');
    else if (w === 'txqueuelen' || w === 'qlen' || matches(w, 'txqlen')) a.txqlen = intArg(args.next(), 'txqueuelen');
    else if (w === 'netns') a.netns = netnsArg(ctx, args.next());
    else if (w === 'master') {
      const v = args.next();
      a.master = ctx.ns.device(v) ?? invarg('Device does not exist\n', v);
    } else if (w === 'nomaster') a.master = null;
    else if (w === 'arp' || w === 'multicast' || w === 'promisc' || w === 'allmulticast' || w === 'alias') args.next();
    else if (matches(w, 'type')) {
      a.type = args.next();
      args.shift();
      a.typeArgs = new Args(args.rest());
      break;
    } else {
      if (w === 'dev') args.next();
      if (a.dev !== undefined) duparg2('dev', args.cur);
      // The positional name is checked like an altname: characters, not length.
      if (/[/:\s]/.test(args.cur) || args.cur === '') invarg('"dev" not a valid ifname', args.cur);
      a.dev = args.cur;
    }
  }
  if (forAdd && a.name === undefined) a.name = a.dev;
  return a;
}

/** `dev_alloc_name(pattern)`: the lowest free `%d`. */
function allocName(ns: NetNamespace, prefix: string): string {
  for (let i = 0; ; i++) if (ns.device(`${prefix}${i}`) === undefined) return `${prefix}${i}`;
}

function checkLength(name: string): void {
  if (name.length > 15) die('Error: Attribute failed policy validation.\n', 2);
}

/** The kind-specific words after `type veth|bridge|vlan|macvlan|dummy|vxlan`. */
function typeSpec(ctx: IpContext, a: LinkArgs, ns: NetNamespace): { spec: LinkSpec; peer?: LinkArgs; bridge?: BridgeOptionsChange } {
  const t = a.type!;
  const args = a.typeArgs ?? new Args([]);
  const common = { ...(a.mac === undefined ? {} : { mac: a.mac }), ...(a.mtu === undefined ? {} : { mtu: a.mtu }) };
  const name = a.name ?? allocName(ns, t === 'bridge' ? 'bridge' : t);
  checkLength(name);
  if (t === 'veth') {
    let peer: LinkArgs | undefined;
    if (!args.done) {
      if (args.cur !== 'peer') die(`Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link help'\n`, 255);
      args.shift();
      peer = parseLinkArgs(ctx, args, true);
    }
    const peerNs = peer?.netns ?? ctx.ns;
    const peerName = peer?.name ?? allocName(peerNs, 'veth');
    checkLength(peerName);
    const spec: LinkSpec = { type: 'veth', name, peer: peerName, ...common, ...(peerNs === ns ? {} : { peerNs }), ...(peer?.mac === undefined ? {} : { peerMac: peer.mac }) };
    return peer === undefined ? { spec } : { spec, peer };
  }
  if (t === 'bridge') {
    const change: { ageingTime?: number; stpState?: number; nfCallIptables?: boolean } = {};
    for (; !args.done; args.shift()) {
      const w = args.cur;
      if (w === 'ageing_time') change.ageingTime = (intArg(args.next(), 'ageing_time') * SECOND) / 100;
      else if (w === 'stp_state') change.stpState = intArg(args.next(), 'stp_state');
      else if (w === 'nf_call_iptables') change.nfCallIptables = intArg(args.next(), 'nf_call_iptables') !== 0;
      else if (w === 'vlan_filtering' || w === 'forward_delay' || w === 'hello_time' || w === 'max_age' || w === 'priority' || w === 'mcast_snooping') args.next();
      else die(`bridge: unknown command "${w}"?\n`, 255);
    }
    return { spec: { type: 'bridge', name, ...common }, bridge: change };
  }
  if (t === 'vlan') {
    let id: number | undefined;
    let protocol = 0x8100;
    for (; !args.done; args.shift()) {
      const w = args.cur;
      if (w === 'id') id = intArg(args.next(), 'id');
      else if (w === 'protocol') {
        const v = args.next();
        if (v === '802.1Q' || v === '802.1q') protocol = 0x8100;
        else if (v === '802.1ad') protocol = 0x88a8;
        else invarg('protocol is invalid\n', v);
      } else if (w === 'reorder_hdr' || w === 'gvrp' || w === 'mvrp' || w === 'loose_binding') args.next();
      else die(`vlan: unknown command "${w}"?\n`, 255);
    }
    if (a.link === undefined) die('Error: 8021q: link not specified.\n', 2);
    if (id === undefined) die('Error: 8021q: VLAN id not specified.\n', 2);
    deviceArg(ctx.ns, a.link);
    return { spec: { type: 'vlan', name, link: a.link, id, protocol, ...common } };
  }
  if (t === 'macvlan') {
    let mode: MacvlanMode | undefined;
    for (; !args.done; args.shift()) {
      if (args.cur !== 'mode') die(`macvlan: unknown option "${args.cur}"?\n`, 255);
      const v = args.next();
      if (!(MACVLAN_MODES as readonly string[]).includes(v)) {
        die(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"\n`, 1);
      }
      mode = v as MacvlanMode;
    }
    if (a.link === undefined) die('RTNETLINK answers: Invalid argument\n', 2);
    deviceArg(ctx.ns, a.link);
    return { spec: { type: 'macvlan', name, link: a.link, ...(mode === undefined ? {} : { mode }), ...common } };
  }
  if (t === 'dummy') return { spec: { type: 'dummy', name, ...common } };
  if (t === 'vxlan') {
    // The link namespace is the caller's, also when `netns` puts the device elsewhere.
    const spec = vxlanTypeSpec(ctx.proc, ctx.ns, name, args, common);
    return { spec: ns === ctx.ns ? spec : { ...spec, net: ctx.ns } };
  }
  die('Error: Unknown device type.\n', 2);
}

function ipLinkAdd(ctx: IpContext, args: Args): number {
  const a = parseLinkArgs(ctx, args, true);
  if (a.type === undefined) die('Not enough information: "type" argument is required\n', 1);
  if (a.link !== undefined && a.type !== 'vlan' && a.type !== 'macvlan') deviceArg(ctx.ns, a.link);
  const ns = a.netns ?? ctx.ns;
  const { spec, peer, bridge } = typeSpec(ctx, a, ns);
  const dev = must(linkAdd(ns, spec));
  setTxQueueLen(dev, a.txqlen ?? 1000);
  if (dev instanceof VethDevice && dev.peer !== dev) {
    setTxQueueLen(dev.peer, peer?.txqlen ?? 1000);
    if (dev.peer.netns !== ns) netnsId(ns, dev.peer.netns);
  }
  if (bridge !== undefined) must(bridgeSet(ns, dev.name, bridge));
  if (a.master !== undefined && a.master !== null) must(linkSetMaster(ns, dev, a.master));
  if (a.up === true) must(linkSetUp(ns, dev));
  return 0;
}

/** `ip link set DEV type bridge_slave|bridge ...` (`changelink`, before `do_setlink`). */
function applyTypeChange(ctx: IpContext, dev: NetDevice, type: string, args: Args): void {
  if (type === 'bridge_slave') {
    const flags: { -readonly [K in keyof BridgePortFlags]: BridgePortFlags[K] } = {};
    for (; !args.done; args.shift()) {
      const w = args.cur;
      if (w === 'hairpin') flags.hairpin = parseOnOff(w, args.next());
      else if (w === 'learning') flags.learning = parseOnOff(w, args.next());
      else if (w === 'flood') flags.flood = parseOnOff(w, args.next());
      else if (w === 'mcast_flood') flags.mcastFlood = parseOnOff(w, args.next());
      else if (w === 'bcast_flood') flags.bcastFlood = parseOnOff(w, args.next());
      else if (w === 'priority') flags.priority = intArg(args.next(), 'priority');
      else if (w === 'cost') flags.cost = intArg(args.next(), 'cost');
      else die(`bridge_slave: unknown option "${w}"?\n`, 255);
    }
    must(bridgeLinkSet(ctx.ns, dev.name, flags));
    return;
  }
  if (type === 'bridge') {
    const a: LinkArgs = { dev: dev.name, name: dev.name, link: undefined, mac: undefined, mtu: undefined, txqlen: undefined, netns: undefined, up: undefined, master: undefined, type, typeArgs: args };
    const { bridge } = typeSpec(ctx, a, ctx.ns);
    if (dev.kind !== 'bridge') die('RTNETLINK answers: Operation not supported\n', 2);
    must(bridgeSet(ctx.ns, dev.name, bridge ?? {}));
    return;
  }
  die('RTNETLINK answers: Operation not supported\n', 2);
}

function ipLinkSet(ctx: IpContext, args: Args): number {
  const a = parseLinkArgs(ctx, args, false);
  if (a.dev === undefined) die('Not enough information: "dev" argument is required.\n', 255);
  const dev = deviceArg(ctx.ns, a.dev);
  if (a.type !== undefined) applyTypeChange(ctx, dev, a.type, a.typeArgs ?? new Args([]));
  if (a.netns !== undefined && a.netns !== dev.netns) {
    must(linkSetNs(dev, a.netns));
    if (dev instanceof VethDevice && dev.peer !== dev && dev.peer.netns !== dev.netns) {
      netnsId(dev.netns, dev.peer.netns);
      netnsId(dev.peer.netns, dev.netns);
    }
  }
  const ns = dev.netns;
  if (a.mac !== undefined) must(linkSetAddress(ns, dev, a.mac));
  if (a.mtu !== undefined) must(linkSetMtu(ns, dev, a.mtu));
  if (a.name !== undefined && a.name !== dev.name) must(linkSetName(ns, dev, checkIfname(a.name, 'name')));
  if (a.master !== undefined) must(linkSetMaster(ns, dev, a.master ?? undefined));
  if (a.up === true) must(linkSetUp(ns, dev));
  if (a.up === false) must(linkSetDown(ns, dev));
  if (a.txqlen !== undefined) setTxQueueLen(dev, a.txqlen);
  return 0;
}

function ipLinkDel(ctx: IpContext, args: Args): number {
  const a = parseLinkArgs(ctx, args, false);
  if (a.dev === undefined) die('Not enough information: "dev" argument is required.\n', 255);
  deviceArg(ctx.ns, a.dev);
  must(linkDel(ctx.ns, a.dev));
  return 0;
}

/** `ip link ...`. */
export function doIpLink(ctx: IpContext, words: readonly string[]): number {
  const args = new Args(words);
  if (args.done) {
    ctx.proc.out(ipAddrList(ctx, [], true));
    return 0;
  }
  const cmd = args.shift();
  const rest = new Args(args.rest());
  if (matches(cmd, 'add')) return ipLinkAdd(ctx, rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return ipLinkSet(ctx, rest);
  if (matches(cmd, 'delete')) return ipLinkDel(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    ctx.proc.out(ipAddrList(ctx, rest.rest(), true));
    return 0;
  }
  unknownCommand(cmd, 'link');
}
