/**
 * The vxlan device as iproute2 sees it through netlink: the IFLA_VXLAN_* attributes `ip -d link`
 * prints on the `vxlan ...` line and the `link-netnsid` of a moved device, and the NDA_*
 * neighbour messages of `bridge fdb add|append|replace|del|show dev vxlan0` (the `self`
 * entries of the device, not its bridge's).
 *
 * Models: `drivers/net/vxlan/vxlan_core.c` `vxlan_fill_info` / `vxlan_get_link_net`,
 * `vxlan_fdb_add` (a state must include NUD_PERMANENT or NUD_REACHABLE; `dst` is required:
 * EINVAL), `vxlan_fdb_parse` (port and VNI default to the device's; `via` must name a device of
 * the vxlan device's namespace: `Device not found`), `vxlan_fdb_delete`, `vxlan_fdb_info` (`dst`
 * always, `port` and `vni` only when they differ from the device's, `via` with a remote ifindex,
 * NDA_LINK_NETNSID when the device lives outside its link namespace), `vxlan_fdb_dump` (one row
 * per remote); iproute2 `ip/iplink_vxlan.c` `vxlan_print_opt` (field order, `remote` for a
 * unicast and `group` for a multicast default destination, `dev` by index in the printing
 * namespace, `srcport 0 0` for the default range, `ttl auto`, `nolearning`, `udpcsum`) and
 * `bridge/fdb.c` `print_fdb` (`via IFNAME`, or `via ifindex N` with a link-netnsid).
 * Leaves out: JSON, the IPv6 attributes, `tos`/`df`/`flowlabel`/`maxaddr` (always their
 * defaults here, which print nothing), `localbypass`.
 */
import type { Instant } from '../../engine/index.js';
import { formatIpv4, isMulticastIpv4, type Ipv4, type Mac } from '../../packet/index.js';
import { netnsId, type FdbState } from '../devices/index.js';
import { ERR, OK, extack, type LinkResult } from '../devices/link-result.js';
import type { NetNamespace } from '../netns.js';
import type { FdbModifyMode, VxlanRemote } from './vxlan-fdb.js';
import { VxlanDevice } from './vxlan-device.js';

/** The `vxlan ...` line of `ip -d link show` (without the trailing space the printer adds). */
export function vxlanDetailsLine(dev: VxlanDevice): string {
  const c = dev.cfg;
  const words = ['vxlan', 'id', String(c.vni)];
  if (c.remote !== 0) words.push(isMulticastIpv4(c.remote) ? 'group' : 'remote', formatIpv4(c.remote));
  if (c.local !== 0) words.push('local', formatIpv4(c.local));
  if (c.lowerIfindex !== 0) words.push('dev', dev.netns.byIndex(c.lowerIfindex)?.name ?? `if${c.lowerIfindex}`);
  words.push('srcport', String(c.portMin), String(c.portMax), 'dstport', String(c.dstPort));
  if (!c.learning) words.push('nolearning');
  if (c.proxy) words.push('proxy');
  if (c.l2miss) words.push('l2miss');
  if (c.l3miss) words.push('l3miss');
  words.push('ttl', c.ttl === 0 ? 'auto' : String(c.ttl), 'ageing', String(c.ageing));
  words.push(c.udpCsum ? 'udpcsum' : 'noudpcsum', 'noudp6zerocsumtx', 'noudp6zerocsumrx');
  return words.join(' ');
}

/** IFLA_LINK_NETNSID of a vxlan device moved out of its link namespace, else undefined. */
export function vxlanLinkNetnsId(dev: VxlanDevice): number | undefined {
  return dev.net === dev.netns ? undefined : netnsId(dev.netns, dev.net);
}

/** One `bridge fdb show` row of a vxlan device's own table (one per remote). */
export interface VxlanFdbRow {
  readonly mac: Mac;
  readonly dev: string;
  readonly dst: Ipv4;
  /** Only when it differs from the device's dstport / VNI (as the kernel sends them). */
  readonly port: number | undefined;
  readonly vni: number | undefined;
  /** NDA_IFINDEX: `via NAME`, or `via ifindex N` when `linkNetnsId` is set. */
  readonly via: string | undefined;
  readonly linkNetnsId: number | undefined;
  readonly state: 'permanent' | 'static' | undefined;
  readonly usedAgo: number;
  readonly updatedAgo: number;
}

const seconds = (now: Instant, t: Instant): number => Math.floor((now - t) / 1_000_000_000);

/** `vxlan_fdb_dump` for `dev`: its entries newest first, one row per remote. */
export function vxlanFdbRows(dev: VxlanDevice): VxlanFdbRow[] {
  const now = dev.netns.host.world.engine.now;
  const linkNetnsId = vxlanLinkNetnsId(dev);
  const rows: VxlanFdbRow[] = [];
  for (const entry of dev.fdb.entries(now)) {
    const state = entry.state === 'local' ? 'permanent' : entry.state === 'static' ? 'static' : undefined;
    for (const r of entry.port) {
      let via: string | undefined;
      if (r.ifindex !== 0) via = linkNetnsId === undefined ? (dev.netns.byIndex(r.ifindex)?.name ?? `if${r.ifindex}`) : `ifindex ${r.ifindex}`;
      rows.push({
        mac: entry.mac,
        dev: dev.name,
        dst: r.ip,
        port: r.port !== 0 && r.port !== dev.cfg.dstPort ? r.port : undefined,
        vni: r.vni !== dev.cfg.vni ? r.vni : undefined,
        via,
        linkNetnsId,
        state,
        usedAgo: seconds(now, entry.used),
        updatedAgo: seconds(now, entry.updated),
      });
    }
  }
  return rows;
}

/** `bridge fdb add|append|replace|del MAC dev VXLAN [dst IP] [port P] [vni V] [via DEV] [state]`. */
export interface VxlanFdbSpec {
  readonly mac: Mac;
  readonly dev: string;
  readonly dst?: Ipv4;
  readonly port?: number;
  readonly vni?: number;
  /** `via DEV`, as the ifindex iproute2 resolved. */
  readonly viaIfindex?: number;
  /** iproute2's default is `permanent`. */
  readonly state?: 'permanent' | 'static' | 'dynamic';
}

/** The vxlan device `spec.dev` names, if it is one. */
export function vxlanDeviceOf(ns: NetNamespace, name: string): VxlanDevice | undefined {
  const dev = ns.device(name);
  return dev instanceof VxlanDevice ? dev : undefined;
}

/** `vxlan_fdb_parse`: the remote a spec describes, or the kernel's refusal. */
function parseRemote(dev: VxlanDevice, spec: VxlanFdbSpec): LinkResult<VxlanRemote> {
  const ifindex = spec.viaIfindex ?? 0;
  if (ifindex !== 0 && dev.netns.byIndex(ifindex) === undefined) return extack('address', 'Device not found.');
  return { ok: true, value: { ip: spec.dst ?? 0, port: spec.port ?? dev.cfg.dstPort, vni: spec.vni ?? dev.cfg.vni, ifindex } };
}

function fdbState(state: VxlanFdbSpec['state']): FdbState {
  return state === 'static' ? 'static' : state === 'dynamic' ? 'dynamic' : 'local';
}

/** `vxlan_fdb_add` (ndo_fdb_add of a vxlan device, `self`). */
export function vxlanFdbAdd(ns: NetNamespace, spec: VxlanFdbSpec, mode: FdbModifyMode): LinkResult {
  const dev = vxlanDeviceOf(ns, spec.dev);
  if (dev === undefined) return ERR.cannotFind(spec.dev);
  if (spec.dst === undefined) return ERR.invalid();
  const remote = parseRemote(dev, spec);
  if (!remote.ok) return remote;
  const result = dev.fdb.update(spec.mac, remote.value, fdbState(spec.state), mode, ns.host.world.engine.now);
  switch (result) {
    case 'added':
    case 'updated':
      return OK;
    case 'exists':
      return ERR.exists();
    case 'unsupported':
      return ERR.unsupported();
    case 'non-unicast-replace':
      return extack('unsupported', 'Cannot replace non-unicast fdb entries.');
  }
}

/** `vxlan_fdb_delete`: a `dst` that matches no remote of the entry is ignored, as Linux does. */
export function vxlanFdbDel(ns: NetNamespace, spec: VxlanFdbSpec): LinkResult {
  const dev = vxlanDeviceOf(ns, spec.dev);
  if (dev === undefined) return ERR.cannotFind(spec.dev);
  const remote = parseRemote(dev, spec);
  if (!remote.ok) return remote;
  const result = dev.fdb.delete(spec.mac, spec.dst === undefined || spec.dst === 0 ? undefined : remote.value, ns.host.world.engine.now);
  if (result === 'no-entry') return { ok: false, kind: 'not-found', error: 'RTNETLINK answers: No such file or directory', exitCode: 2 };
  return OK;
}
