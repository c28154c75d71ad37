/**
 * A physical Ethernet NIC (`eth0` of a host): it hands transmitted frames to whatever cable it
 * is plugged into (an underlay wire) and receives what comes back off it.
 *
 * Models: an Ethernet driver's `ndo_start_xmit` and its receive interrupt (`napi_gro_receive` ->
 * `eth_type_trans` -> `netif_receive_skb`), the NIC's unicast address filter (a frame addressed
 * to another MAC never reaches the kernel unless the NIC is promiscuous, which a bridge port
 * is, or the address is in its unicast list, which macvlan and VLAN children put there), and
 * carrier from the cable (`netif_carrier_on/off`).
 * A frame leaving the host is just a frame and a packet id on the wire; the receiving host builds
 * its own sk_buff, so no kernel metadata (mark, conntrack) crosses machines.
 * Leaves out: link speed and duplex, padding short frames to 60 bytes and the FCS (the frame
 * representation has neither), offloads, multiple queues.
 */
import type { EthernetRepr, Mac } from '../../packet/index.js';
import { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { newSkb, type Skb } from '../skb.js';
import { ethTypeTrans, randomDeviceMac, registerNetdev } from './netdev.js';

/** What a NIC is plugged into; the underlay implements it. */
export interface PhysicalLink {
  /** Cable plugged in and the link up at the other end: the NIC's carrier. */
  readonly up: boolean;
  /** The NIC puts a frame on the wire. */
  send(frame: EthernetRepr, packetId: number): void;
}

export class PhysicalDevice extends NetDevice {
  readonly kind = 'physical' as const;
  /** The cable, once the underlay connects the NIC. */
  link: PhysicalLink | undefined = undefined;

  constructor(ns: NetNamespace, name: string, mac: Mac, mtu = 1500) {
    super(ns, name, mac, mtu);
    this.maxMtu = 9000;
  }

  carrier(): boolean {
    return this.link !== undefined && this.link.up;
  }

  /** The driver's transmit: onto the wire, or dropped when there is no link. */
  protected xmit(skb: Skb): void {
    const link = this.link;
    if (link === undefined || !link.up) {
      this.stats.txDropped++;
      this.netns.drop(skb, this, 'no-carrier', { device: this.name });
      return;
    }
    link.send(skb.frame, skb.id);
  }

  /** The underlay delivers a frame: a fresh sk_buff on this host, same packet id. */
  receiveFromWire(frame: EthernetRepr, packetId: number): void {
    const skb = newSkb(packetId, frame);
    skb.pktType = ethTypeTrans(this, frame.dst);
    if (skb.pktType === 'otherhost' && this.promiscuity === 0 && this.rxHandler === undefined && this.vlanInfo === undefined) {
      // The NIC's own address filter: not for this MAC, never handed to the kernel.
      this.netns.drop(skb, this, 'not-for-us', { why: 'NIC unicast filter' });
      return;
    }
    this.receive(skb);
  }
}

/** A NIC in `ns` (normally the root namespace), down and unplugged. */
export function createPhysical(ns: NetNamespace, name: string, mac?: Mac, mtu?: number): PhysicalDevice {
  const dev = new PhysicalDevice(ns, name, mac ?? randomDeviceMac(ns), mtu);
  registerNetdev(ns, dev);
  return dev;
}
