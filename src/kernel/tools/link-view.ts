/**
 * How iproute2 6.x prints a network device: the `N: name@link: <FLAGS> mtu M qdisc Q master B
 * state S mode DEFAULT group default qlen L` line, the `link/ether` line with `link-netns` or
 * `link-netnsid`, the `-d` details, the `-s` counters and the `-br` form. `ip link`, `ip addr`
 * and `bridge link` all print devices through here.
 *
 * Models: iproute2 `ip/ipaddress.c` (`print_linkinfo`, `print_link_flags`: NO-CARRIER when up
 * but not running, the flag order, `M-DOWN` when the same-namespace link target is down;
 * `print_queuelen`: `qlen` only when non-zero; `print_link_stats64` with its column widths;
 * `print_name_and_link` for `-br`), `lib/ll_map.c`, `ip/ipnetns.c` (`get_name_from_nsid`:
 * `link-netns NAME` when the peer namespace has an `ip netns` name, else `link-netnsid N`),
 * and the kernel values printed: `net/core/dev.c` `dev_get_flags` (PROMISC and ALLMULTI only
 * when set by the user, so bridge ports do not show them), `net/core/link_watch.c`
 * `default_operstate` (a device without carrier whose link index names a device of its own
 * namespace that also has no carrier is LOWERLAYERDOWN, else DOWN; loopback, dummy and vxlan
 * report UNKNOWN), `txqueuelen` (1000 from `ether_setup` for what `ip link add` makes; libnetwork
 * creates its veths and bridges with 0, so Docker's devices print no `qlen`).
 * Leaves out: JSON, colours, `alias`, `permaddr`, XDP, `parentbus`, `-s -s` error details,
 * IPv6 (`inet6` lines, the `33:33` multicast entries). Lines end with the space iproute2 leaves.
 */
import { formatMac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { BridgeDevice, linkDetailLines, linkSuffix, linkTarget, MacvlanDevice, VlanDevice } from '../devices/index.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import { VxlanDevice, vxlanDetailsLine, vxlanLinkNetnsId } from '../vxlan/index.js';

const TXQLEN_KEY = 'tools.txqueuelen';

function txqTable(host: Host): WeakMap<NetDevice, number> {
  let t = host.ext.get(TXQLEN_KEY) as WeakMap<NetDevice, number> | undefined;
  if (t === undefined) {
    t = new WeakMap();
    host.ext.set(TXQLEN_KEY, t);
  }
  return t;
}

/** `dev->tx_queue_len`: what `ip link set DEV txqueuelen N` (or creation by `ip link add`) set. */
export function txQueueLen(dev: NetDevice): number {
  const set = txqTable(dev.netns.host).get(dev);
  if (set !== undefined) return set;
  // Created through the kernel API (libnetwork's netlink calls pass TxQLen 0), except the
  // devices every machine has from boot.
  return dev.kind === 'loopback' || dev.kind === 'physical' ? 1000 : 0;
}

export function setTxQueueLen(dev: NetDevice, len: number): void {
  txqTable(dev.netns.host).set(dev, len);
}

/** `netif_carrier_ok`: drivers turn the carrier off when the device is closed. */
export function carrierOk(dev: NetDevice): boolean {
  return dev.kind === 'loopback' ? dev.adminUp : dev.adminUp && dev.carrier();
}

/** `dev_get_iflink`: the index a veth, VLAN or macvlan points at (maybe in another namespace). */
function iflink(dev: NetDevice): number | undefined {
  return linkTarget(dev)?.ifindex;
}

export type IpOperState = 'UP' | 'DOWN' | 'UNKNOWN' | 'LOWERLAYERDOWN';

/** `IFLA_OPERSTATE` as `default_operstate` / `netif_stacked_transfer_operstate` compute it. */
export function ipOperState(dev: NetDevice): IpOperState {
  if (!dev.adminUp) return 'DOWN';
  if (dev.kind === 'loopback' || dev.kind === 'dummy' || dev.kind === 'vxlan') return 'UNKNOWN';
  // A bridge whose carrier never changed since it was registered (devices/bridge.ts).
  if (dev instanceof BridgeDevice && !dev.carrierSelected) return 'UNKNOWN';
  if (!carrierOk(dev)) {
    const idx = iflink(dev);
    if (idx === undefined || idx === dev.ifindex) return 'DOWN';
    const peer = dev.netns.byIndex(idx);
    if (peer === undefined) return 'DOWN';
    return carrierOk(peer) ? 'DOWN' : 'LOWERLAYERDOWN';
  }
  if (dev instanceof VlanDevice || dev instanceof MacvlanDevice) {
    const lower = dev instanceof VlanDevice ? dev.parent : dev.lower;
    if (ipOperState(lower) === 'UNKNOWN') return 'UNKNOWN';
  }
  return 'UP';
}

/** `IFF_RUNNING`: up and operationally up (UP or UNKNOWN). */
function running(dev: NetDevice): boolean {
  const s = ipOperState(dev);
  return dev.adminUp && (s === 'UP' || s === 'UNKNOWN');
}

/** The words inside `<...>`, in `print_link_flags` order. */
export function linkFlagWords(dev: NetDevice): string[] {
  const w: string[] = [];
  if (dev.adminUp && !running(dev)) w.push('NO-CARRIER');
  // dummy_setup clears IFF_MULTICAST.
  if (dev.kind === 'loopback') w.push('LOOPBACK');
  else if (dev.kind === 'dummy') w.push('BROADCAST');
  else w.push('BROADCAST', 'MULTICAST');
  if (dev.kind !== 'loopback' && dev.noArp()) w.push('NOARP');
  if (dev.adminUp) w.push('UP');
  if (dev.adminUp && carrierOk(dev)) w.push('LOWER_UP');
  return w;
}

/** `name@link` and whether `M-DOWN` applies (link target in this namespace and down). */
function nameAndLink(dev: NetDevice): { name: string; mdown: boolean; netnsId: number | undefined } {
  const target = linkTarget(dev);
  const { suffix, netnsId } = linkSuffix(dev);
  const mdown = target !== undefined && target.netns === dev.netns && !target.adminUp;
  return { name: dev.name + suffix, mdown, netnsId };
}

function flagsText(dev: NetDevice, mdown: boolean): string {
  return `<${linkFlagWords(dev).join(',')}${mdown ? ',M-DOWN' : ''}>`;
}

const ACTIVATED_KEY = 'tools.qdisc-activated';

/**
 * Follows NETDEV_UP and NETDEV_UNREGISTER in every namespace of `host`: `dev_activate` gives a
 * device its default qdisc the first time it comes up and `dev_close` keeps it, only
 * `dev_shutdown` (unregister, or a move to another namespace) puts back `noop`. The programs
 * install this on first use; `installKernel` may install it at boot so earlier history counts.
 */
export function installToolsState(host: Host): void {
  if (host.ext.has(ACTIVATED_KEY)) return;
  const activated = new WeakSet<NetDevice>();
  host.ext.set(ACTIVATED_KEY, activated);
  host.onNamespace(ns => {
    for (const dev of ns.devices.values()) if (dev.adminUp) activated.add(dev);
    ns.onNetdevEvent((event, dev) => {
      if (event === 'up') activated.add(dev);
      else if (event === 'unregister') activated.delete(dev);
    });
  });
}

/** `qdisc`: `noop` until the device first comes up, then the default qdisc for its kind. */
export function qdiscName(dev: NetDevice): string {
  const activated = dev.netns.host.ext.get(ACTIVATED_KEY) as WeakSet<NetDevice> | undefined;
  if (!dev.adminUp && !(activated?.has(dev) ?? false)) return 'noop';
  return dev.kind === 'physical' ? 'pfifo_fast' : 'noqueue';
}

function linkType(dev: NetDevice): string {
  return dev.kind === 'loopback' ? 'loopback' : 'ether';
}

function brdText(dev: NetDevice): string {
  return dev.kind === 'loopback' ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff';
}

/** IFLA_LINK_NETNSID of a vxlan device living outside its link namespace (`vxlan_get_link_net`). */
function vxlanNetnsText(dev: VxlanDevice): string {
  const id = vxlanLinkNetnsId(dev);
  if (id === undefined) return '';
  for (const [name, ns] of dev.netns.host.named) if (ns === dev.net) return ` link-netns ${name}`;
  return ` link-netnsid ${id}`;
}

/** ` link-netns NAME` or ` link-netnsid N` for a link whose other end lives in another namespace. */
function netnsText(dev: NetDevice, id: number | undefined): string {
  if (id === undefined) return '';
  const target = linkTarget(dev);
  const host = dev.netns.host;
  for (const [name, ns] of host.named) if (target !== undefined && ns === target.netns) return ` link-netns ${name}`;
  return ` link-netnsid ${id}`;
}

export interface LinkPrintOptions {
  /** `ip link` (prints `mode DEFAULT`) rather than `ip addr`. */
  readonly doLink: boolean;
  /** Print the `link/ether` line (no family filter, or `-d`). */
  readonly linkLine: boolean;
  readonly details: boolean;
  /** `-s` level printed right after the link lines (`ip link`; `ip addr` prints them after the addresses). */
  readonly stats: number;
}

/** The device block up to (not including) its addresses; every line ends with "\n". */
export function formatLinkBlock(dev: NetDevice, opts: LinkPrintOptions): string {
  const { name, mdown, netnsId } = nameAndLink(dev);
  let head = `${dev.ifindex}: ${name}: ${flagsText(dev, mdown)} mtu ${dev.mtu} qdisc ${qdiscName(dev)} `;
  if (dev.master !== undefined) head += `master ${dev.master.name} `;
  head += `state ${ipOperState(dev)} `;
  if (opts.doLink) head += 'mode DEFAULT ';
  head += 'group default ';
  const qlen = txQueueLen(dev);
  if (qlen !== 0) head += `qlen ${qlen}`;
  let out = head;
  if (opts.linkLine || opts.details) {
    out += `\n    link/${linkType(dev)} ${formatMac(dev.mac)} brd ${brdText(dev)}`;
  }
  out += netnsText(dev, netnsId);
  if (dev instanceof VxlanDevice) out += vxlanNetnsText(dev);
  if (opts.details) out += detailsText(dev);
  out += '\n';
  if (opts.stats > 0) out += formatLinkStats(dev, opts.stats);
  return out;
}

/** The `-d` part: promiscuity, MTU range, the kind's own lines, then queue and GSO sizes. */
function detailsText(dev: NetDevice): string {
  const isPort = dev.master instanceof BridgeDevice;
  const loop = dev.kind === 'loopback';
  let s = ` promiscuity ${dev.promiscuity}  allmulti ${isPort ? 1 : 0} minmtu ${loop ? 0 : dev.minMtu} maxmtu ${loop ? 0 : dev.maxMtu} `;
  const kindLines = dev instanceof VxlanDevice ? [vxlanDetailsLine(dev)] : [];
  for (const l of [...kindLines, ...linkDetailLines(dev)]) s += `\n    ${l} `;
  const queues = dev.kind === 'veth' ? 2 : 1;
  // A bridge keeps the netdev default until a port first comes or goes (`br_set_gso_limits`).
  const tso = dev.kind === 'physical' || (dev instanceof BridgeDevice && !dev.gsoLimitsSet) ? 65536 : 524280;
  s +=
    `addrgenmode eui64 numtxqueues ${queues} numrxqueues ${queues} gso_max_size 65536 gso_max_segs 65535 ` +
    `tso_max_size ${tso} tso_max_segs 65535 gro_max_size 65536 `;
  return s;
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width, ' ');
}

/** `print_link_stats64`: the RX and TX tables (`-s`), plus the error breakdowns with `-s -s`. */
export function formatLinkStats(dev: NetDevice, level: number): string {
  const st = dev.stats;
  const rx = [st.rxBytes, st.rxPackets, 0, st.rxDropped, 0, 0];
  const tx = [st.txBytes, st.txPackets, 0, st.txDropped, 0, 0];
  // strlen("*X errors:"), "packets", "errors", "dropped", "heartbt", "overrun"; then "compressed"
  const cols = [10, 7, 6, 7, 7, 7];
  for (const r of [rx, tx]) r.forEach((v, i) => (cols[i] = Math.max(cols[i]!, String(v).length)));
  const c = (i: number): number => cols[i]!;
  const head = (dir: string, a: string, b: string): string =>
    `    ${dir}: ${pad('bytes', c(0) - 4)} ${pad('packets', c(1))} ${pad('errors', c(2))} ${pad('dropped', c(3))} ${pad(a, c(4))} ${pad(b, c(5))} ${pad('', 10)}\n`;
  const row = (vals: number[]): string => `    ${vals.map((v, i) => pad(v, c(i))).join(' ')} \n`;
  let s = head('RX', 'missed', 'mcast') + row(rx);
  if (level > 1) {
    s += `    RX errors: ${pad('length', c(1))} ${pad('crc', c(2))} ${pad('frame', c(3))} ${pad('fifo', c(4))} ${pad('overrun', c(5))}\n`;
    s += `    ${pad('', c(0))} ${[0, 0, 0, 0, 0].map((v, i) => pad(v, c(i + 1))).join(' ')} \n`;
  }
  s += head('TX', 'carrier', 'collsns') + row(tx);
  if (level > 1) {
    s += `    TX errors: ${pad('aborted', c(1))} ${pad('fifo', c(2))} ${pad('window', c(3))} ${pad('heartbt', c(4))} ${pad('transns', c(5))}\n`;
    s += `    ${pad('', c(0))} ${[0, 0, 0, 0, 0].map((v, i) => pad(v, c(i + 1))).join(' ')} \n`;
  }
  return s;
}

/** One `-br` line start: `%-16s %-14s ` (name@link, state). */
export function briefPrefix(dev: NetDevice): string {
  const { name } = nameAndLink(dev);
  return `${name.padEnd(16, ' ')} ${ipOperState(dev).padEnd(14, ' ')} `;
}

/** `ip -br link` line. */
export function formatLinkBrief(dev: NetDevice): string {
  const { mdown } = nameAndLink(dev);
  return `${briefPrefix(dev)}${formatMac(dev.mac)} ${flagsText(dev, mdown)} \n`;
}

/**
 * `bridge link` line of a port: `N: name@link: <FLAGS> mtu M master B state S priority P cost C `.
 * The kernel's AF_BRIDGE answer carries IFLA_LINK without IFLA_LINK_NETNSID, so the link index
 * is looked up among this namespace's devices (a veth whose peer is index 2 elsewhere shows
 * `@br0` when the bridge is index 2 here); an unknown index prints `@ifN`, and `M-DOWN` only
 * when a device of that index exists here and is down (`ll_index_to_flags` is -1 otherwise).
 */
export function formatBridgePortLine(dev: NetDevice, state: string, priority: number, cost: number): string {
  const target = linkTarget(dev);
  let name = dev.name;
  let mdown = false;
  if (target !== undefined) {
    const here = dev.netns.byIndex(target.ifindex);
    name += here === undefined ? `@if${target.ifindex}` : `@${here.name}`;
    mdown = here !== undefined && !here.adminUp;
  }
  const master = dev.master === undefined ? '' : `master ${dev.master.name} `;
  return `${dev.ifindex}: ${name}: ${flagsText(dev, mdown)} mtu ${dev.mtu} ${master}state ${state} priority ${priority} cost ${cost} \n`;
}

/** The kind `ip link show type T` matches (`IFLA_INFO_KIND`); lo and NICs have none. */
export function linkKind(dev: NetDevice): string | undefined {
  return dev.kind === 'loopback' || dev.kind === 'physical' ? undefined : dev.kind;
}

/** Devices of `ns` in ifindex order, the order of an `RTM_GETLINK` dump. */
export function dumpOrder(ns: NetNamespace): NetDevice[] {
  return ns.sortedDevices();
}
