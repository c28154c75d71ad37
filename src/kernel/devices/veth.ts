/**
 * Virtual Ethernet pairs: what one end transmits, the other end receives.
 *
 * Models: `drivers/net/veth.c` (`veth_newlink`: the peer is created and registered first, so it
 * gets the lower ifindex, which is why a container's `eth0@if7` is index 6; random MACs unless
 * given; `veth_xmit`: drop when the peer is not up, else `__dev_forward_skb` into the peer;
 * `veth_open`/`veth_close`: carrier on both ends only while both are up), `net/core/dev.c`
 * (`__dev_forward_skb`: `skb_scrub_packet(skb, !net_eq(dev_net(dev), dev_net(peer)))` then
 * `eth_type_trans` at the peer, which recomputes pkt_type from the destination MAC).
 *
 *      ns A                         ns B
 *   +--------+  xmit -> netif_rx  +--------+
 *   | vethA  | -----------------> | vethB  |   scrubbed: ct, nf_trace, ipvs flag;
 *   +--------+ <----------------- +--------+   mark too when the namespaces differ
 *
 * Leaves out: XDP, GRO, multiple queues, the peer's `link-netnsid` numbering (listing helpers
 * derive it), TTL is never touched (it is not an L3 hop).
 */
import type { Mac } from '../../packet/index.js';
import { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { scrubSkb, type Skb } from '../skb.js';
import { netifRx, randomDeviceMac, registerNetdev } from './netdev.js';

export const VETH_DEFAULT_MTU = 1500;

export class VethDevice extends NetDevice {
  readonly kind = 'veth' as const;
  /** The other end (`veth_priv.peer`), possibly in another namespace; set at creation. */
  peer: VethDevice;

  constructor(ns: NetNamespace, name: string, mac: Mac) {
    super(ns, name, mac, VETH_DEFAULT_MTU);
    this.peer = this;
  }

  /** `veth_open`: carrier on once both ends are up; either end going down takes it from both. */
  carrier(): boolean {
    return this.adminUp && this.peer.adminUp;
  }

  /** `veth_xmit`: into the peer's backlog, scrubbed; dropped when the peer is down. */
  protected xmit(skb: Skb): void {
    const peer = this.peer;
    if (!peer.adminUp) {
      this.stats.txDropped++;
      this.netns.drop(skb, this, 'no-carrier', { peer: peer.name });
      return;
    }
    scrubSkb(skb, peer.netns !== this.netns);
    netifRx(peer, skb);
  }
}

export interface VethPairOptions {
  readonly mac?: Mac;
  readonly peerMac?: Mac;
  readonly mtu?: number;
}

/**
 * `ip link add NAME type veth peer name PEER [netns PEERNS]`: both ends down. The caller checks
 * names first (`link.ts`); the peer is registered before `name`, as `veth_newlink` does.
 */
export function createVethPair(ns: NetNamespace, name: string, peerName: string, peerNs: NetNamespace = ns, options: VethPairOptions = {}): VethDevice {
  const peerMac = options.peerMac ?? randomDeviceMac(peerNs);
  const peer = new VethDevice(peerNs, peerName, peerMac);
  const mac = options.mac ?? randomDeviceMac(ns);
  const dev = new VethDevice(ns, name, mac);
  dev.peer = peer;
  peer.peer = dev;
  if (options.mtu !== undefined) {
    dev.mtu = options.mtu;
    peer.mtu = options.mtu;
  }
  registerNetdev(peerNs, peer);
  registerNetdev(ns, dev);
  return dev;
}
