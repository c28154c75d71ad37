/**
 * The vxlan parts of the iproute2 programs: `ip link add NAME type vxlan ...` arguments, and
 * `bridge fdb add|append|replace|del ... dev VXLAN dst IP [port P] [vni V] [via DEV]` on a
 * vxlan device's own (`self`) table, plus its rows in `bridge fdb show`.
 *
 * Models: iproute2 6.x `ip/iplink_vxlan.c` `vxlan_parse_opt` (keywords by prefix, `id`/`vni`,
 * `remote` unicast only and `group` multicast only (`invalid remote address`, `vxlan: both group
 * and remote cannot be specified`), `dev` resolved at once (`Cannot find device`), `ttl auto`,
 * `ageing none`, `srcport MIN MAX`, `[no]learning`, `[no]proxy`, `[no]l2miss`, `[no]l3miss`,
 * `[no]udpcsum`; `vxlan: missing virtual network identifier`, `vxlan: 'group' requires 'dev' to
 * be specified`; without `dstport` the warning that the kernel default is non-standard; parse
 * failures exit 255), `bridge/fdb.c` (`fdb_modify`: `dst`, `port`, `vni`, `via`; `print_fdb`:
 * `MAC [dev D] dst IP [port P] [vni V] [via NAME] [link-netnsid N] [used A/B] self STATE`).
 * Leaves out: IPv6 addresses, `external`, `vnifilter`, `gbp`, `gpe`, `tos`, `df`, `flowlabel`,
 * `maxaddress`, `rsc` (accepted words are listed in `vxlanTypeSpec`), `ip link help vxlan` and
 * the usage text iproute2 prints after `vxlan: unknown command`.
 */
import { formatIpv4, formatMac, isMulticastIpv4, type Ipv4 } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import type { Process } from '../process.js';
import { vxlanDeviceOf, vxlanFdbRows, type VxlanFdbRow, type VxlanLinkSpec } from '../vxlan/index.js';
import { Args, die, invarg, matches, parseCUnsigned, parseLooseIpv4 } from './cli-args.js';

const NOT_SPECIFIED_WARNING =
  'vxlan: destination port not specified\n' +
  'Will use Linux kernel default (non-standard value)\n' +
  "Use 'dstport 4789' to get the IANA assigned value\n" +
  "Use 'dstport 0' to get default and suppress this message\n";

/** `get_addr` with AF_UNSPEC: `Error: any valid address is expected rather than "X".` (exit 1). */
function addrArg(text: string): Ipv4 {
  const ip = parseLooseIpv4(text);
  if (ip === undefined) die(`Error: any valid address is expected rather than "${text}".\n`, 1);
  return ip;
}

function u16Arg(text: string, what: string): number {
  const n = parseCUnsigned(text);
  if (n === undefined || n > 0xffff) invarg(what, text);
  return n;
}

/** `vxlan_parse_opt` for `ip link add NAME type vxlan ARGS`: the spec, warnings on `proc`. */
export function vxlanTypeSpec(proc: Process, ns: NetNamespace, name: string, args: Args, common: { mac?: number; mtu?: number }): VxlanLinkSpec {
  let id: number | undefined;
  let remote: Ipv4 | undefined;
  let local: Ipv4 | undefined;
  let dev: string | undefined;
  let dstPort: number | undefined;
  const flags: { learning?: boolean; proxy?: boolean; l2miss?: boolean; l3miss?: boolean; udpCsum?: boolean } = {};
  let ttl: number | undefined;
  let ageing: number | undefined;
  let srcPortRange: [number, number] | undefined;
  // check_duparg: one value per attribute; the complaint names the keyword as typed.
  const seen = new Set<string>();
  const once = (attr: string, key: string, arg: string): void => {
    if (seen.has(attr)) die(`Error: duplicate "${key}": "${arg}" is the second value.\n`, 255);
    seen.add(attr);
  };
  for (; !args.done; args.shift()) {
    const w = args.cur;
    if (matches(w, 'id') || matches(w, 'vni')) {
      const v = args.next();
      once('id', 'id', v);
      const n = parseCUnsigned(v);
      if (n === undefined || n >= 1 << 24) invarg('invalid id', v);
      id = n;
    } else if (matches(w, 'group') || matches(w, 'remote')) {
      const isGroup = matches(w, 'group');
      if (remote !== undefined && isMulticastIpv4(remote) !== isGroup) die('vxlan: both group and remote cannot be specified\n', 255);
      const v = args.next();
      once('group', isGroup ? 'group' : 'remote', v);
      remote = addrArg(v);
      if (isMulticastIpv4(remote) !== isGroup) invarg(isGroup ? 'invalid group address' : 'invalid remote address', v);
    } else if (matches(w, 'local')) {
      const v = args.next();
      once('local', 'local', v);
      local = addrArg(v);
      if (isMulticastIpv4(local)) invarg('invalid local address', v);
    } else if (matches(w, 'dev')) {
      const v = args.next();
      once('dev', 'dev', v);
      if (ns.device(v) === undefined) die(`Cannot find device "${v}"\n`, 255);
      dev = v;
    } else if (matches(w, 'ttl') || matches(w, 'hoplimit')) {
      const v = args.next();
      once('ttl', 'ttl', v);
      if (v === 'auto') ttl = 0;
      else {
        const n = parseCUnsigned(v);
        if (n === undefined) invarg('invalid TTL', v);
        if (n > 255) invarg('TTL must be <= 255', v);
        ttl = n;
      }
    } else if (matches(w, 'ageing')) {
      const v = args.next();
      once('ageing', 'ageing', v);
      const n = v === 'none' ? 0 : parseCUnsigned(v);
      if (n === undefined || n > 0xffffffff) invarg('ageing timer', v);
      ageing = n;
    } else if (matches(w, 'port') || matches(w, 'srcport')) {
      const lo = args.next();
      once('srcport', 'srcport', lo);
      const low = u16Arg(lo, 'min port');
      const high = u16Arg(args.next(), 'max port');
      if (low !== 0 || high !== 0) srcPortRange = [low, high];
    } else if (matches(w, 'dstport')) {
      const v = args.next();
      once('dstport', 'dstport', v);
      dstPort = u16Arg(v, 'dstport');
    } else if (matches(w, 'nolearning') || matches(w, 'learning')) {
      once('learning', w, w);
      flags.learning = matches(w, 'learning');
    } else if (matches(w, 'noproxy') || matches(w, 'proxy')) {
      once('proxy', w, w);
      flags.proxy = matches(w, 'proxy');
    } else if (matches(w, 'nol2miss') || matches(w, 'l2miss')) {
      once('l2miss', w, w);
      flags.l2miss = matches(w, 'l2miss');
    } else if (matches(w, 'nol3miss') || matches(w, 'l3miss')) {
      once('l3miss', w, w);
      flags.l3miss = matches(w, 'l3miss');
    } else if (matches(w, 'udpcsum') || matches(w, 'noudpcsum')) {
      once('udpcsum', w, w);
      flags.udpCsum = matches(w, 'udpcsum');
    } else if (w === 'noudp6zerocsumtx' || w === 'noudp6zerocsumrx' || w === 'norsc' || w === 'noexternal') {
      continue;
    } else {
      die(`vxlan: unknown command "${w}"?\n`, 255);
    }
  }
  if (id === undefined) die('vxlan: missing virtual network identifier\n', 255);
  if (remote !== undefined && isMulticastIpv4(remote) && dev === undefined) die("vxlan: 'group' requires 'dev' to be specified\n", 255);
  if (dstPort === undefined) proc.err(NOT_SPECIFIED_WARNING);
  return {
    type: 'vxlan',
    name,
    id,
    ...(dstPort === undefined ? {} : { dstPort }),
    ...(remote === undefined ? {} : { remote }),
    ...(local === undefined ? {} : { local }),
    ...(dev === undefined ? {} : { dev }),
    ...flags,
    ...(ttl === undefined ? {} : { ttl }),
    ...(ageing === undefined ? {} : { ageing }),
    ...(srcPortRange === undefined ? {} : { srcPortRange }),
    ...(common.mac === undefined ? {} : { mac: common.mac }),
    ...(common.mtu === undefined ? {} : { mtu: common.mtu }),
  };
}

/** The `dst`/`port`/`vni`/`via` words of `bridge fdb` (`fdb_modify`). */
export interface FdbVxlanWords {
  dst?: Ipv4;
  port?: number;
  vni?: number;
  viaIfindex?: number;
}

/** Consumes one `dst|port|vni|via VALUE` pair at `args.cur`; false when the word is another one. */
export function parseFdbVxlanWord(ns: NetNamespace, args: Args, into: FdbVxlanWords): boolean {
  const w = args.cur;
  if (w === 'dst') {
    const v = args.next();
    if (into.dst !== undefined) die(`Error: either "dst" is duplicate, or "${v}" is a garbage.\n`, 255);
    into.dst = addrArg(v);
  } else if (w === 'port') {
    const v = args.next();
    const n = parseCUnsigned(v);
    if (n === undefined || n > 0xffff) invarg('invalid port\n', v);
    into.port = n;
  } else if (w === 'vni') {
    const v = args.next();
    const n = parseCUnsigned(v);
    if (n === undefined || n >= 1 << 24) invarg('invalid VNI\n', v);
    into.vni = n;
  } else if (w === 'via') {
    const v = args.next();
    const dev = ns.device(v);
    if (dev === undefined) die(`Cannot find device "${v}"\n`, 255);
    into.viaIfindex = dev.ifindex;
  } else return false;
  return true;
}

/** One `print_fdb` line of a vxlan `self` entry. */
function formatVxlanFdbRow(r: VxlanFdbRow, withDev: boolean, stats: boolean): string {
  let s = `${formatMac(r.mac)} `;
  if (withDev) s += `dev ${r.dev} `;
  s += `dst ${formatIpv4(r.dst)} `;
  if (r.port !== undefined) s += `port ${r.port} `;
  if (r.vni !== undefined) s += `vni ${r.vni} `;
  if (r.via !== undefined) s += `via ${r.via} `;
  if (r.linkNetnsId !== undefined) s += `link-netnsid ${r.linkNetnsId} `;
  if (stats) s += `used ${r.usedAgo}/${r.updatedAgo} `;
  return `${s}self ${r.state ?? ''}\n`;
}

/** The `self` lines of vxlan device `name` (none if it is not a vxlan device). */
export function vxlanFdbLines(ns: NetNamespace, name: string, withDev: boolean, stats: boolean): string {
  const dev = vxlanDeviceOf(ns, name);
  return dev === undefined ? '' : vxlanFdbRows(dev).map(r => formatVxlanFdbRow(r, withDev, stats)).join('');
}
