/**
 * What `ip link add NAME type vxlan ...` asks for (the IFLA_VXLAN_* attributes, as a spec for
 * `linkAdd`) and what the kernel makes of it: a validated configuration with Linux's defaults
 * filled in, or the error it answers.
 *
 * Models: `drivers/net/vxlan/vxlan_core.c` `vxlan_nl2conf` (learning is on for a new device
 * unless IFLA_VXLAN_LEARNING says 0), `vxlan_validate` (`VXLAN ID must be lower than
 * 16777216`), `vxlan_config_validate` (a multicast `group` needs a lower device, `local` cannot
 * be multicast, dstport 0 becomes the module's `udp_port` 8472, ageing 0 becomes
 * FDB_AGE_DEFAULT 300 s, one VNI per (namespace, dstport): `A VXLAN device with the specified
 * VNI already exists`), `vxlan_config_apply` (with a lower device the MTU is the lower MTU minus
 * the 50-byte IPv4 headroom unless given, and never above it; without one 1500),
 * `include/net/vxlan.h` (`VXLAN_HEADROOM` 20 + 8 + 8 + 14).
 * Leaves out: IPv6 underlays (`local6`/`group6`), `external`/collect-metadata, VNI filtering,
 * GBP/GPE, remote checksum offload, flow labels, `maxaddress`, `tos inherit`, `ttl inherit`.
 */
import { isMulticastIpv4, VXLAN_LINUX_DEFAULT_PORT, VXLAN_MAX_VNI, type Ipv4, type Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { ERR, extack, ok, type LinkResult } from '../devices/link-result.js';
import type { NetNamespace } from '../netns.js';

/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) (`VXLAN_HEADROOM`). */
export const VXLAN_HEADROOM = 50;
/** `FDB_AGE_DEFAULT`, seconds. */
export const VXLAN_FDB_AGE_DEFAULT = 300;

/** `linkAdd(ns, { type: 'vxlan', ... })`: the IFLA_VXLAN_* attributes of an RTM_NEWLINK. */
export interface VxlanLinkSpec {
  readonly type: 'vxlan';
  readonly name: string;
  /** `id VNI` (IFLA_VXLAN_ID), 0..2^24-1. */
  readonly id: number;
  /** `dstport PORT`; 0 or absent: the kernel default 8472. */
  readonly dstPort?: number;
  /** `local IP`: the outer source address (default: chosen by the route). */
  readonly local?: Ipv4;
  /** `remote IP` (unicast) or `group IP` (multicast): the default destination. */
  readonly remote?: Ipv4;
  /** `dev NAME`: the lower device, by name in `net`. */
  readonly dev?: string;
  /** `[no]learning`; default on. */
  readonly learning?: boolean;
  readonly proxy?: boolean;
  readonly l2miss?: boolean;
  readonly l3miss?: boolean;
  /** `ageing SECONDS`; 0 or absent: 300. */
  readonly ageing?: number;
  /** `ttl N`; 0 or absent: `auto` (the route's hop limit, 1 for a multicast group). */
  readonly ttl?: number;
  /** `srcport MIN MAX`; absent or MIN >= MAX: the namespace's `ip_local_port_range`. */
  readonly srcPortRange?: readonly [number, number];
  /** `[no]udpcsum`; default on. */
  readonly udpCsum?: boolean;
  readonly mac?: Mac;
  readonly mtu?: number;
  /**
   * The link namespace (`link-netns`, `vxlan->net`): where the tunnel's UDP socket lives and
   * its outer packets are routed. Default: the namespace the device is created in.
   */
  readonly net?: NetNamespace;
}

/** `struct vxlan_config` after validation. */
export interface VxlanConfig {
  readonly vni: number;
  readonly dstPort: number;
  /** 0: any (the route chooses). */
  readonly local: Ipv4;
  /** 0: none (no default FDB entry). */
  readonly remote: Ipv4;
  /** `remote_ifindex` (0: none) and the device it named at creation. */
  readonly lowerIfindex: number;
  readonly lower: NetDevice | undefined;
  readonly learning: boolean;
  readonly proxy: boolean;
  readonly l2miss: boolean;
  readonly l3miss: boolean;
  /** Seconds. */
  readonly ageing: number;
  readonly ttl: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly udpCsum: boolean;
  readonly net: NetNamespace;
  /** The MTU the device starts with. */
  readonly mtu: number;
}

/**
 * `vxlan_nl2conf` + `vxlan_validate` + `vxlan_config_validate` + the MTU of
 * `vxlan_config_apply`. `sameVni` says whether another vxlan device of `net` already uses this
 * (VNI, dstport).
 */
export function vxlanConfigure(ns: NetNamespace, spec: VxlanLinkSpec, sameVni: (net: NetNamespace, vni: number, dstPort: number) => boolean): LinkResult<VxlanConfig> {
  if (spec.mtu !== undefined && (spec.mtu < 68 || spec.mtu > 65535)) return extack('invalid', 'MTU must be between 68 and 65535.');
  if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id > VXLAN_MAX_VNI) return extack('range', 'VXLAN ID must be lower than 16777216.');
  const range = spec.srcPortRange;
  if (range !== undefined && range[1] < range[0]) return extack('invalid', 'Invalid source port range.');
  const local = spec.local ?? 0;
  const remote = spec.remote ?? 0;
  if (isMulticastIpv4(local)) return extack('invalid', 'Local address cannot be multicast.');
  const net = spec.net ?? ns;
  let lower: NetDevice | undefined;
  if (spec.dev !== undefined) {
    lower = net.device(spec.dev);
    if (lower === undefined) return ERR.cannotFind(spec.dev);
  } else if (isMulticastIpv4(remote)) {
    return extack('invalid', 'Local interface required for multicast remote destination.');
  }
  const dstPort = spec.dstPort === undefined || spec.dstPort === 0 ? VXLAN_LINUX_DEFAULT_PORT : spec.dstPort;
  if (sameVni(net, spec.id, dstPort)) return extack('exists', 'A VXLAN device with the specified VNI already exists.');
  const maxMtu = lower === undefined ? 65535 : Math.max(68, lower.mtu - VXLAN_HEADROOM);
  const mtu = Math.min(spec.mtu ?? (lower === undefined ? 1500 : maxMtu), maxMtu);
  return ok({
    vni: spec.id,
    dstPort,
    local,
    remote,
    lowerIfindex: lower?.ifindex ?? 0,
    lower,
    learning: spec.learning ?? true,
    proxy: spec.proxy ?? false,
    l2miss: spec.l2miss ?? false,
    l3miss: spec.l3miss ?? false,
    ageing: spec.ageing === undefined || spec.ageing === 0 ? VXLAN_FDB_AGE_DEFAULT : spec.ageing,
    ttl: spec.ttl ?? 0,
    portMin: range?.[0] ?? 0,
    portMax: range?.[1] ?? 0,
    udpCsum: spec.udpCsum ?? true,
    net,
    mtu,
  });
}
