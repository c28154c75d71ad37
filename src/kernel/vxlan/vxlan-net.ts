/**
 * The vxlan state of one network namespace (`struct vxlan_net`): the vxlan devices whose link
 * namespace it is, and the UDP sockets they receive on, one per destination port, shared by every
 * device of that port and demultiplexed by VNI; and the receive path (`vxlan_rcv`) from such a
 * socket to the device.
 *
 *   eth0 -> IPv4 input -> INPUT -> UDP dport 4789 -> vxlan socket of the link namespace
 *     -> VNI -> device (none: drop) -> inner src == device MAC: drop (loop)
 *     -> learning: inner src MAC -> outer src IP (a permanent/static entry elsewhere: drop)
 *     -> `decap` trace record -> netif_rx on the device (same packet id) -> its bridge, or its stack
 *
 * Models: `drivers/net/vxlan/vxlan_core.c` `vxlan_sock_add` / `__vxlan_sock_add` (at `ndo_open`:
 * an existing socket of the port is shared, otherwise `udp_sock_create` binds 0.0.0.0:port, which
 * fails with EADDRINUSE when another socket holds it), `vxlan_vs_add_dev` / `vxlan_vs_del_dev`
 * (only open devices are found by VNI), `vxlan_sock_release` (the last device closes the socket),
 * `vxlan_rcv` (I flag required, reserved bits rejected, `SKB_DROP_REASON_VXLAN_VNI_NOT_FOUND`,
 * `__iptunnel_pull_header` scrubbing across namespaces, device down: dropped), `vxlan_set_mac`
 * (`eth_type_trans` on the vxlan device, `SKB_DROP_REASON_LOCAL_MAC`), `vxlan_snoop`,
 * `gro_cells_receive` (the frame continues from the backlog, as `netif_rx` does here, where
 * `eth_type_trans` classifies it for the vxlan device),
 * `vxlan_vni_in_use`.
 * Drop reasons: VNI not found is `not-for-us`, a bad header `malformed`, a looped frame and a
 * source MAC pinned to another VTEP `martian`, a device down `link-down`.
 * Leaves out: multicast group membership (IGMP joins), GRO, ECN decapsulation, IPv6 sockets,
 * socket sharing across differing receive flags (there are none here).
 */
import { decodeVxlan, formatIpv4, formatMac, type EthernetRepr, type VxlanRepr } from '../../packet/index.js';
import { isValidUnicastMac, netifRx } from '../devices/index.js';
import type { NetNamespace } from '../netns.js';
import { newSkb } from '../skb.js';
import { SOCK_OK, socketsOf, type SockResult, type UdpDatagram, type UdpSocket } from '../sockets/index.js';
import type { VxlanDevice } from './vxlan-device.js';

const VXLAN_NET_KEY = 'vxlan';

/** The frame a dropped datagram is recorded with when its VXLAN header could not be read. */
const UNDECODED: EthernetRepr = { kind: 'ethernet', dst: 0, src: 0, vlans: [], etherType: 0, payload: { kind: 'payload', bytes: new Uint8Array(0) } };

/** `struct vxlan_sock`: one UDP port's socket and the open devices behind it, by VNI. */
interface VxlanSock {
  readonly port: number;
  readonly socket: UdpSocket;
  readonly byVni: Map<number, VxlanDevice>;
}

export class VxlanNet {
  readonly ns: NetNamespace;
  /** `vxlan_list`: devices created with this namespace as their link namespace. */
  private readonly created = new Set<VxlanDevice>();
  private readonly socks = new Map<number, VxlanSock>();

  constructor(ns: NetNamespace) {
    this.ns = ns;
  }

  add(dev: VxlanDevice): void {
    this.created.add(dev);
  }

  /** The devices of `vxlan_list` that still exist (in this namespace or moved elsewhere). */
  devices(): VxlanDevice[] {
    const live: VxlanDevice[] = [];
    for (const dev of this.created) {
      if (dev.netns.device(dev.name) === dev) live.push(dev);
      else this.created.delete(dev);
    }
    return live;
  }

  /** `vxlan_vni_in_use`. */
  vniInUse(vni: number, dstPort: number): boolean {
    return this.devices().some(d => d.cfg.vni === vni && d.cfg.dstPort === dstPort);
  }

  /** `vxlan_sock_add` at `ndo_open`: share the port's socket or bind a new one. Idempotent. */
  sockAdd(dev: VxlanDevice): SockResult {
    const port = dev.cfg.dstPort;
    let vs = this.socks.get(port);
    if (vs === undefined) {
      const socket = socketsOf(this.ns).udp();
      const bound = socket.bind(0, port);
      if (!bound.ok) {
        socket.close();
        return bound;
      }
      const created: VxlanSock = { port, socket, byVni: new Map() };
      socket.onMessage = d => this.rcv(created, d);
      this.socks.set(port, created);
      vs = created;
    }
    vs.byVni.set(dev.cfg.vni, dev);
    return SOCK_OK;
  }

  /** `vxlan_sock_release` at `ndo_stop`: the last device of a port closes its socket. */
  sockRelease(dev: VxlanDevice): void {
    const vs = this.socks.get(dev.cfg.dstPort);
    if (vs === undefined || vs.byVni.get(dev.cfg.vni) !== dev) return;
    vs.byVni.delete(dev.cfg.vni);
    if (vs.byVni.size > 0) return;
    vs.socket.close();
    this.socks.delete(vs.port);
  }

  /** Whether `dev` is open on its port's socket. */
  isOpen(dev: VxlanDevice): boolean {
    return this.socks.get(dev.cfg.dstPort)?.byVni.get(dev.cfg.vni) === dev;
  }

  /** `vxlan_rcv`: a datagram for the port's socket. */
  private rcv(vs: VxlanSock, d: UdpDatagram): void {
    let vx: VxlanRepr;
    if (d.payload.kind === 'vxlan') vx = d.payload;
    else {
      const decoded = d.payload.kind === 'payload' ? decodeVxlan(d.payload.bytes) : undefined;
      if (decoded === undefined || !decoded.ok) {
        const why = decoded === undefined ? 'not a VXLAN header' : `${decoded.issue.format}: ${decoded.issue.message}`;
        this.ns.drop(newSkb(d.packetId, UNDECODED), d.dev, 'malformed', { why, port: vs.port });
        return;
      }
      vx = decoded.value;
    }
    const inner = vx.payload;
    const skb = newSkb(d.packetId, inner);
    const dev = vs.byVni.get(vx.vni);
    if (dev === undefined) {
      this.ns.drop(skb, d.dev, 'not-for-us', { why: 'no vxlan device for this VNI', vni: vx.vni, port: vs.port });
      return;
    }
    if (!dev.adminUp) {
      dev.stats.rxDropped++;
      dev.netns.drop(skb, dev, 'link-down', { device: dev.name });
      return;
    }
    if (inner.src === dev.mac) {
      dev.netns.drop(skb, dev, 'martian', { why: 'inner source is the device own MAC (loop)', src: formatMac(inner.src) });
      return;
    }
    let learned = 'off';
    if (dev.cfg.learning) {
      if (!isValidUnicastMac(inner.src)) {
        dev.netns.drop(skb, dev, 'martian', { why: 'invalid inner source MAC', src: formatMac(inner.src) });
        return;
      }
      const now = dev.netns.host.world.engine.now;
      const outcome = dev.fdb.snoop(inner.src, d.src, { ip: d.src, port: dev.cfg.dstPort, vni: dev.cfg.vni, ifindex: 0 }, now);
      if (outcome.kind === 'pinned') {
        dev.netns.drop(skb, dev, 'martian', {
          why: `source MAC has a ${outcome.state === 'local' ? 'permanent' : 'static'} FDB entry to another VTEP`,
          src: formatMac(inner.src),
          entry: formatIpv4(outcome.to),
          from: formatIpv4(d.src),
        });
        return;
      }
      learned = outcome.kind;
    }
    if (dev.netns.host.world.trace.enabled) {
      dev.netns.trace(skb, dev, 'decap', {
        device: dev.name,
        vni: vx.vni,
        outerSrc: formatIpv4(d.src),
        outerDst: formatIpv4(d.dst),
        srcPort: d.srcPort,
        dstPort: d.dstPort,
        learned,
        innerSrc: formatMac(inner.src),
      });
    }
    // gro_cells_receive: the inner frame continues from the backlog, received on the device.
    netifRx(dev, skb);
  }
}

/** The vxlan state of `ns`, created on first use. */
export function vxlanNetOf(ns: NetNamespace): VxlanNet {
  const existing = ns.ext.get(VXLAN_NET_KEY);
  if (existing instanceof VxlanNet) return existing;
  const created = new VxlanNet(ns);
  ns.ext.set(VXLAN_NET_KEY, created);
  return created;
}
