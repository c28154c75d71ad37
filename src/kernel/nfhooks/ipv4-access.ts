/**
 * The calls the netfilter glue makes into the IPv4 module, in one place: the namespace's IPv4
 * state (absent in namespaces or tests without an IP stack), source address selection for
 * MASQUERADE, the output route towards a destination (for the next hop), and the output paths
 * REJECT sends its answers through.
 *
 * Models: the kernel functions the NAT and REJECT modules call: `inet_select_addr`
 * (`nf_nat_masquerade.c`), `rt_nexthop` of the packet's route, the first address of a device
 * (`nf_nat_redirect.c`: `indev->ifa_list`), `icmp_send` and `ip_local_out` (`nf_reject_ipv4.c`).
 * Leaves out: nothing of its own; see the IPv4 module.
 */
import type { Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { IPV4_EXT_KEY } from '../devices/index.js';
import {
  Ipv4State,
  ipOutput,
  ipv4Length,
  routeOutput,
  selectSourceAddress,
  sendIcmpError,
  type IcmpErrorKind,
  type IpOutputRequest,
  type IpOutputResult,
} from '../ipv4/index.js';
import type { Skb } from '../skb.js';
import type { Ipv4Repr } from '../../packet/index.js';

export { ipv4Length, type Ipv4State };

/** The IPv4 state of `ns`, or undefined when no IP stack is installed there. */
export function ipv4OfOptional(ns: NetNamespace): Ipv4State | undefined {
  const st = ns.ext.get(IPV4_EXT_KEY);
  return st instanceof Ipv4State ? st : undefined;
}

/** RT_SCOPE_UNIVERSE. */
const SCOPE_UNIVERSE = 0;

/**
 * MASQUERADE's new source: `inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE)`; 0 when the device
 * has no usable address. `nexthop` comes from the hook when the IP layer passes it, otherwise
 * from the output route to `dst` through `out` (the packet's own route in Linux).
 */
export function masqueradeSource(ns: NetNamespace, out: NetDevice, dst: Ipv4, nexthop: Ipv4 | undefined): Ipv4 {
  const st = ipv4OfOptional(ns);
  if (st === undefined) return 0;
  let nh = nexthop;
  if (nh === undefined) {
    const route = routeOutput(st, { dst, oif: out, anySrc: true });
    nh = route.ok ? route.nexthop : dst;
  }
  return selectSourceAddress(ns, st.addrs, out, nh, SCOPE_UNIVERSE);
}

/** REDIRECT in PREROUTING: the first address of the ingress device (`indev->ifa_list`); 0 if none. */
export function firstAddress(ns: NetNamespace, dev: NetDevice): Ipv4 {
  const st = ipv4OfOptional(ns);
  return st?.addrs.of(dev)[0]?.address ?? 0;
}

/** `icmp_send` for REJECT: false when there is no IP stack to send with. */
export function sendRejectIcmp(ns: NetNamespace, skb: Skb, ip: Ipv4Repr, kind: IcmpErrorKind, aboutLocal: boolean): boolean {
  const st = ipv4OfOptional(ns);
  if (st === undefined) return false;
  sendIcmpError(st, skb, ip, kind, { aboutLocal, routedBroadcast: false });
  return true;
}

/** `ip_local_out` of a packet the kernel built (REJECT's TCP RST). */
export function localOut(ns: NetNamespace, req: IpOutputRequest): IpOutputResult | undefined {
  if (ipv4OfOptional(ns) === undefined) return undefined;
  return ipOutput(ns, req);
}

/** Address deletions of `ns` (for MASQUERADE's conntrack flush), when IPv4 is installed. */
export function onAddressDeleted(ns: NetNamespace, listener: (dev: NetDevice, address: Ipv4) => void): boolean {
  const st = ipv4OfOptional(ns);
  if (st === undefined) return false;
  st.addrs.onChange(change => {
    if (change.kind === 'del') listener(change.ifa.dev, change.ifa.address);
  });
  return true;
}
