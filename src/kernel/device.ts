/**
 * A network device (`struct net_device`): the base every device type in this folder extends.
 *
 * Models: `include/linux/netdevice.h` (flags, mtu, ifindex, master, rx_handler),
 * `net/core/dev.c` (`__netif_receive_skb_core`: taps first, then VLAN demultiplexing
 * (`vlan_do_receive`), then the rx handler a bridge or macvlan registers, then the protocol
 * handlers), `dev_queue_xmit`. Receive and transmit each leave a trace record.
 * Receive and transmit are split the way Linux splits them: `receive` is what the driver hands
 * up (netif_rx / netif_receive_skb), `transmit` is `ndo_start_xmit`.
 * Leaves out: qdiscs (every device is `noqueue` or `pfifo_fast` in name only), offloads, XDP,
 * IPv6 addresses.
 */
import { numericTraceArgs, type TraceDetail } from '../engine/index.js';
import { formatMac, type Mac, type VlanTag } from '../packet/index.js';
import type { NetNamespace, TraceSites } from './netns.js';
import { frameLength, type Skb } from './skb.js';

export type DeviceKind = 'loopback' | 'veth' | 'bridge' | 'vlan' | 'macvlan' | 'ipvlan' | 'dummy' | 'vxlan' | 'physical';

/** What an rx handler decided (`rx_handler_result_t`): consumed, or pass up the normal path. */
export type RxHandlerResult = 'consumed' | 'pass';

/** A capture point's view of a frame: tcpdump and the pcap exporter subscribe through this. */
export type CaptureDirection = 'rx' | 'tx';
export type CaptureTap = (device: NetDevice, skb: Skb, direction: CaptureDirection) => void;

/** `dev->vlan_info`: the 802.1Q children of a device, consulted before its rx handler (`vlan_do_receive`). */
export interface VlanReceiver {
  /** `consumed` when a child with the frame's VID took it (the tag is stripped there). */
  receive(skb: Skb): RxHandlerResult;
}

export abstract class NetDevice {
  abstract readonly kind: DeviceKind;
  ifindex: number;
  name: string;
  mac: Mac;
  mtu: number;
  /** `ip link set up` (IFF_UP). */
  adminUp = false;
  netns: NetNamespace;
  /** The bridge (or bond) this device is enslaved to (`master br0`). */
  master: NetDevice | undefined = undefined;
  /**
   * `netdev_rx_handler_register`: a bridge port, macvlan lower device or vxlan gets the frame
   * before the protocol handlers.
   */
  rxHandler: ((skb: Skb) => RxHandlerResult) | undefined = undefined;
  /** `rx_handler_data`: the bridge port or macvlan port object behind `rxHandler`. */
  rxHandlerData: unknown = undefined;
  /** `vlan_info`: set by `devices/vlan.ts` once a VLAN device is stacked on this one. */
  vlanInfo: VlanReceiver | undefined = undefined;
  /** `dev->promiscuity`: the count of promiscuous users (a bridge port holds one). */
  promiscuity = 0;
  /**
   * `IFF_PROMISC` in `dev->gflags`: promiscuous mode the user asked for (`ip link set promisc
   * on`). `dev_get_flags` reports PROMISC from this alone, so bridge ports do not show it.
   */
  promiscByUser = false;
  /** `dev->min_mtu` / `dev->max_mtu` (`ip -d link` minmtu/maxmtu); 0 means no limit (loopback). */
  minMtu = 68;
  maxMtu = 65535;
  /** `ip link` alias / `ifalias`. */
  alias = '';
  readonly taps = new Set<CaptureTap>();
  /** The interned location and sites of trace records made on this device (`NetNamespace.traceSites`). */
  traceSites: TraceSites | undefined = undefined;
  /** Per-device counters, as `ip -s link` prints them. */
  readonly stats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };

  constructor(netns: NetNamespace, name: string, mac: Mac, mtu: number) {
    this.netns = netns;
    this.name = name;
    this.mac = mac;
    this.mtu = mtu;
    this.ifindex = 0;
  }

  /** Physical-layer carrier (`LOWER_UP`): a veth whose peer is down has none, a bridge with no up port has none. */
  abstract carrier(): boolean;

  /** `ndo_start_xmit`: the driver sends the frame. Only called when the device is up. */
  protected abstract xmit(skb: Skb): void;

  /** `netif_running() && netif_carrier_ok()`: the `state UP` of `ip link`. */
  get operUp(): boolean {
    return this.adminUp && this.carrier();
  }

  /** `dev_queue_xmit`: taps see the frame, counters move, then the driver sends it. */
  transmit(skb: Skb): void {
    if (!this.adminUp) {
      this.stats.txDropped++;
      this.netns.drop(skb, this, 'link-down', { device: this.name });
      return;
    }
    this.stats.txPackets++;
    this.stats.txBytes += frameLength(skb.frame);
    if (this.taps.size > 0) for (const tap of this.taps) tap(this, skb, 'tx');
    if (this.netns.host.world.trace.enabled) {
      const f = skb.frame;
      if (f.vlans.length === 0) this.netns.traceWith(skb, this, 'transmit', txFrameDetail, f.src, f.dst, f.etherType);
      else this.netns.traceWith(skb, this, 'transmit', txTaggedFrameDetail, f.src, f.dst, f.etherType, f.vlans);
    }
    this.xmit(skb);
  }

  /**
   * `__netif_receive_skb_core`: a frame arrives on this device from its driver (which already set
   * `pktType`, as `eth_type_trans` does). `skb_iif` becomes this device; taps see the frame, then
   * VLAN children take tagged frames with their VID (`vlan_do_receive`), then the rx handler,
   * then the namespace's protocol handlers. A frame still tagged with a VID nobody claimed is
   * dropped (Linux marks it OTHERHOST and the IP layer discards it).
   */
  receive(skb: Skb): void {
    if (!this.adminUp) {
      this.stats.rxDropped++;
      this.netns.drop(skb, this, 'link-down', { device: this.name });
      return;
    }
    this.stats.rxPackets++;
    this.stats.rxBytes += frameLength(skb.frame);
    skb.inDev = this.name;
    if (this.taps.size > 0) for (const tap of this.taps) tap(this, skb, 'rx');
    if (this.netns.host.world.trace.enabled) {
      const f = skb.frame;
      if (f.vlans.length === 0) this.netns.traceWith(skb, this, 'receive', rxFrameDetail, f.src, f.dst, f.etherType, skb.pktType);
      else this.netns.traceWith(skb, this, 'receive', rxTaggedFrameDetail, f.src, f.dst, f.etherType, skb.pktType, f.vlans);
    }
    const tags = skb.frame.vlans;
    if (tags.length > 0 && this.vlanInfo !== undefined && this.vlanInfo.receive(skb) === 'consumed') return;
    if (this.rxHandler !== undefined && this.rxHandler(skb) === 'consumed') return;
    if (tags.length > 0) {
      const vid = tags[0]!.vid;
      if (vid !== 0) {
        skb.pktType = 'otherhost';
        this.stats.rxDropped++;
        this.netns.drop(skb, this, 'vlan-mismatch', { vid });
        return;
      }
      // A priority tag (VID 0) is untagged traffic with a PCP: strip it and carry on.
      skb.frame = { ...skb.frame, vlans: tags.slice(1) };
    }
    this.netns.receiveFrame(skb, this);
  }

  /** Flags as `ip link` prints them inside `<...>`. */
  flags(): string[] {
    const flags: string[] = [];
    if (this.kind === 'loopback') flags.push('LOOPBACK');
    else flags.push('BROADCAST', 'MULTICAST');
    if (this.noArp()) flags.push('NOARP');
    if (this.promiscByUser) flags.push('PROMISC');
    if (this.adminUp) flags.push('UP');
    if (this.adminUp && this.carrier()) flags.push('LOWER_UP');
    else if (this.adminUp) flags.unshift('NO-CARRIER');
    return flags;
  }

  /** IFF_NOARP: devices that never resolve neighbours. */
  noArp(): boolean {
    return false;
  }
}

/**
 * The trace detail of a transmit record (built when the trace is read), from the frame's
 * addresses and type; a tagged frame's record also keeps its tags.
 */
const txFrameDetail = numericTraceArgs(function txFrameDetail(src: Mac, dst: Mac, etherType: number): TraceDetail {
  return { src: formatMac(src), dst: formatMac(dst), etherType };
}, 0b111);

const txTaggedFrameDetail = numericTraceArgs(function txTaggedFrameDetail(src: Mac, dst: Mac, etherType: number, vlans: readonly VlanTag[]): TraceDetail {
  return { src: formatMac(src), dst: formatMac(dst), etherType, vlans: vlans.map(t => t.vid) };
}, 0b111);

/** The trace detail of a receive record: the frame and the `pktType` it was given. */
const rxFrameDetail = numericTraceArgs(function rxFrameDetail(src: Mac, dst: Mac, etherType: number, pktType: string): TraceDetail {
  return { src: formatMac(src), dst: formatMac(dst), etherType, pktType };
}, 0b111);

const rxTaggedFrameDetail = numericTraceArgs(function rxTaggedFrameDetail(src: Mac, dst: Mac, etherType: number, pktType: string, vlans: readonly VlanTag[]): TraceDetail {
  return { src: formatMac(src), dst: formatMac(dst), etherType, pktType, vlans: vlans.map(t => t.vid) };
}, 0b111);
