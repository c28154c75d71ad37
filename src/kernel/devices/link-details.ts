/**
 * What `ip link` and `ip -d link` print about a device beyond its name and flags: the operational
 * state, the `@peer` suffix and `link-netnsid`, and the per-type detail lines (`veth`, the bridge's
 * STP and ageing fields, `bridge_slave ...` for ports, `vlan protocol 802.1Q id 10`, `macvlan mode
 * bridge`), as data and text for the `ip`, `bridge` and `brctl` programs.
 *
 * Models: iproute2 `ip/ipaddress.c` (`print_linkinfo`: `name@ifN` when the link is in another
 * namespace, `name@parent` otherwise; `link-netnsid`), `ip/iplink_bridge.c` and
 * `ip/iplink_bridge_slave.c` (field order; times in centiseconds; bridge ids printed with `%x`
 * per byte, so `02` shows as `2`), `ip/iplink_vlan.c`, `ip/iplink_macvlan.c`,
 * `net/core/net_namespace.c` (`peernet2id_alloc`: a namespace numbers the namespaces it sees
 * 0, 1, ... in the order it first needs an id for them), `net/core/link_watch.c` and
 * `Documentation/networking/operstates.rst` (UNKNOWN for drivers that do not report operstate,
 * LOWERLAYERDOWN for stacked devices over a down device).
 * Leaves out: multicast snooping state beyond its defaults, timers (printed as 0.00), qdiscs,
 * GSO/TSO sizes, the `addrgenmode` and queue counts (the `ip` program adds constant text).
 */
import { formatMac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { BridgeDevice, type BridgePort } from './bridge.js';
import { MacvlanDevice } from './macvlan.js';
import { VethDevice } from './veth.js';
import { VlanDevice } from './vlan.js';

export type OperState = 'UP' | 'DOWN' | 'UNKNOWN' | 'LOWERLAYERDOWN';

/** `state X` of `ip link`. */
export function operState(dev: NetDevice): OperState {
  if (!dev.adminUp) return 'DOWN';
  // The operstate of a bridge whose carrier never changed (linkwatch never ran for it).
  if (dev instanceof BridgeDevice && !dev.carrierSelected) return 'UNKNOWN';
  if (dev.kind === 'loopback' || dev.kind === 'dummy' || dev.kind === 'vxlan') return 'UNKNOWN';
  if ((dev instanceof VlanDevice && !dev.parent.operUp) || (dev instanceof MacvlanDevice && !dev.lower.operUp)) return 'LOWERLAYERDOWN';
  return dev.carrier() ? 'UP' : 'DOWN';
}

const NETNSID_KEY = 'netnsids';

/** `peernet2id_alloc(ns, other)`: the id `ns` uses for `other`, allocated on first use. */
export function netnsId(ns: NetNamespace, other: NetNamespace): number {
  let ids = ns.ext.get(NETNSID_KEY) as Map<NetNamespace, number> | undefined;
  if (ids === undefined) {
    ids = new Map();
    ns.ext.set(NETNSID_KEY, ids);
  }
  let id = ids.get(other);
  if (id === undefined) {
    id = ids.size;
    ids.set(other, id);
  }
  return id;
}

/** The device a link points at: a veth's peer, a VLAN's parent, a macvlan's lower device. */
export function linkTarget(dev: NetDevice): NetDevice | undefined {
  if (dev instanceof VethDevice) return dev.peer === dev ? undefined : dev.peer;
  if (dev instanceof VlanDevice) return dev.parent;
  if (dev instanceof MacvlanDevice) return dev.lower;
  return undefined;
}

/** `@if7` (link in another namespace), `@eth0` (same namespace), or '' ; plus the `link-netnsid`. */
export function linkSuffix(dev: NetDevice): { suffix: string; netnsId: number | undefined } {
  const target = linkTarget(dev);
  if (target === undefined) return { suffix: '', netnsId: undefined };
  if (target.netns === dev.netns) return { suffix: `@${target.name}`, netnsId: undefined };
  return { suffix: `@if${target.ifindex}`, netnsId: netnsId(dev.netns, target.netns) };
}

/** `8000.2:42:85:26:89:20`: iproute2 prints bridge ids with `%x` per byte. */
function bridgeIdText(br: BridgeDevice): string {
  const bytes = formatMac(br.stpAddress).split(':').map(b => parseInt(b, 16).toString(16));
  return `${br.priority.toString(16).padStart(4, '0')}.${bytes.join(':')}`;
}

/** Centiseconds, as iproute2 prints bridge times. */
function cs(ns: number): number {
  return Math.round(ns / 10_000_000);
}

/** The `bridge ...` detail line of a bridge device. */
export function bridgeDetails(br: BridgeDevice): string {
  const id = bridgeIdText(br);
  return [
    `bridge forward_delay ${cs(br.forwardDelay)} hello_time ${cs(br.helloTime)} max_age ${cs(br.maxAge)} ageing_time ${cs(br.ageingTime)}`,
    `stp_state ${br.stpState} priority ${br.priority} vlan_filtering ${br.vlanFiltering} bridge_id ${id} designated_root ${id}`,
    'root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00',
    'topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1',
    'no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0',
    'mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2',
    'mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500',
    'mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124',
    'mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1',
    `nf_call_iptables ${br.nfCallIptables ? 1 : 0} nf_call_ip6tables 0 nf_call_arptables 0`,
  ].join(' ');
}

const onOff = (v: boolean): string => (v ? 'on' : 'off');

/** The `bridge_slave ...` detail line of a bridge port. */
export function bridgeSlaveDetails(port: BridgePort): string {
  const id = bridgeIdText(port.bridge);
  const portId = 0x8000 | port.portNo;
  return [
    `bridge_slave state ${port.state} priority ${port.priority} cost ${port.cost} hairpin ${onOff(port.hairpin)}`,
    `guard off root_block off fastleave off learning ${onOff(port.learning)} flood ${onOff(port.flood)}`,
    `port_id 0x${portId.toString(16)} port_no 0x${port.portNo.toString(16)} designated_port ${portId} designated_cost 0`,
    `designated_bridge ${id} designated_root ${id} hold_timer    0.00 message_age_timer    0.00`,
    'forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off',
    `mcast_router 1 mcast_fast_leave off mcast_flood ${onOff(port.mcastFlood)} bcast_flood ${onOff(port.bcastFlood)}`,
    'mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off',
  ].join(' ');
}

/**
 * The detail lines `ip -d link` prints after `link/ether ...`: the kind's own line (empty for a
 * physical NIC and loopback), then `bridge_slave ...` for a bridge port.
 */
export function linkDetailLines(dev: NetDevice): string[] {
  const lines: string[] = [];
  if (dev instanceof VethDevice) lines.push('veth');
  else if (dev instanceof BridgeDevice) lines.push(bridgeDetails(dev));
  else if (dev instanceof VlanDevice) lines.push(`vlan protocol ${dev.protocol === 0x88a8 ? '802.1ad' : '802.1Q'} id ${dev.vid} <REORDER_HDR>`);
  else if (dev instanceof MacvlanDevice) lines.push(`macvlan mode ${dev.mode} bcqueuelen 1000 usedbcqueuelen 1000`);
  else if (dev.kind === 'dummy') lines.push('dummy');
  const port = dev.master instanceof BridgeDevice ? dev.master.port(dev) : undefined;
  if (port !== undefined) lines.push(bridgeSlaveDetails(port));
  return lines;
}
