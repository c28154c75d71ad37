/**
 * Installs IPv4 in a namespace: its state in `ns.ext` (`ipv4`), the protocol handlers for IPv4
 * (0x0800) and ARP (0x0806), and the neighbour table's way to send requests.
 *
 * Models: `net/ipv4/af_inet.c` `inet_init` (`dev_add_pack(&ip_packet_type)`), `arp_init`
 * (`dev_add_pack(&arp_packet_type)`), and the per-namespace init of `devinet`, `fib` and
 * `arp` (`pernet_operations`). Device events reach the state through the seam the device layer
 * calls (`devices/ipv4-seam.ts`); a device that is already up when IPv4 is installed gets its
 * routes at once.
 * Leaves out: IPv6 (ETH_P_IPV6 frames stay unhandled and are dropped as not-for-us).
 */
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import { arpRcv, arpSolicit } from './arp.js';
import { ipRcv } from './input.js';
import { sendIcmpError } from './output.js';
import { createIpv4State, type Ipv4State } from './state.js';


/** `inet_init` for one namespace; idempotent. */
export function installIpv4(ns: NetNamespace): Ipv4State {
  const st = createIpv4State(ns);
  st.neigh.solicit = s => arpSolicit(st, s);
  // ip_expire: "fragment reassembly time exceeded" (11/1) when the first fragment had come.
  st.reassembly.onExpire = ({ skb, ip }) =>
    sendIcmpError(st, skb, ip, { type: 'time-exceeded', code: 1 }, { aboutLocal: true, routedBroadcast: false, ctAttach: true });
  ns.protocols.set(ETHERTYPE_IPV4, ipRcv);
  ns.protocols.set(ETHERTYPE_ARP, arpRcv);
  for (const dev of ns.devices.values()) if (dev.adminUp) st.onDeviceUp(dev);
  return st;
}
