/**
 * Ethernet helpers every driver uses: `eth_type_trans` (classify a frame by its destination MAC
 * for the device that received it), `netif_rx` (hand a frame to the receive path through the
 * per-CPU backlog instead of calling it re-entrantly) and `eth_hw_addr_random` (a random, locally
 * administered unicast MAC from the world's `mac` RNG stream, so a seed always gives every
 * device the same address).
 *
 * Models: `net/ethernet/eth.c` (`eth_type_trans`, `is_link_local_ether_addr`), `net/core/dev.c`
 * (`netif_rx`, `enqueue_to_backlog`, `__dev_forward_skb`), `include/linux/etherdevice.h`
 * (`eth_random_addr`, `is_valid_ether_addr`).
 * The backlog is an engine event at the current instant: same-time events run in scheduling
 * order, so frames keep their order and a transmit never re-enters a receive on the same stack.
 * Leaves out: GRO, RPS/RFS steering, backlog limits (`netdev_max_backlog`).
 */
import { randomMac } from '../../engine/index.js';
import { MAC_BROADCAST, isMulticastMac, type Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { PktType, Skb } from '../skb.js';

/** `eth_type_trans`: what the destination MAC means to the device that received the frame. */
export function ethTypeTrans(dev: NetDevice, dst: Mac): PktType {
  if (isMulticastMac(dst)) return dst === MAC_BROADCAST ? 'broadcast' : 'multicast';
  return dst === dev.mac ? 'host' : 'otherhost';
}

/** 01:80:c2:00:00:00 .. 01:80:c2:00:00:0f (`is_link_local_ether_addr`): STP, LACP, LLDP, ... */
export function isLinkLocalMac(mac: Mac): boolean {
  return mac >= 0x0180_c200_0000 && mac <= 0x0180_c200_000f;
}

/** `is_valid_ether_addr`: not multicast (nor broadcast) and not all zeros. */
export function isValidUnicastMac(mac: Mac): boolean {
  return mac !== 0 && !isMulticastMac(mac);
}

/**
 * `netif_rx`: queue the frame for `dev`'s receive path at the current virtual instant. The
 * driver's classification happens when the backlog runs, against the device as it is then
 * (it may have been renamed or moved in between).
 */
export function netifRx(dev: NetDevice, skb: Skb): void {
  dev.netns.host.world.engine.scheduleIn(0, () => {
    skb.pktType = ethTypeTrans(dev, skb.frame.dst);
    dev.receive(skb);
  });
}

/** `eth_hw_addr_random`: the next address of the world's `mac` stream. */
export function randomDeviceMac(ns: NetNamespace): Mac {
  return randomMac(ns.host.world.rng.stream('mac'));
}
