/**
 * Bringing IPsec into a namespace: the xfrm state in `ns.ext`, the hooks the IPv4 path calls,
 * and the ESP protocol handler.
 *
 * Models: `net/xfrm/xfrm_policy.c` `xfrm_net_init` (per-namespace SAD and SPD) and the module
 * loading `ip xfrm state add` triggers (`esp4` registers its handler for protocol 50 in
 * `inet_protos`, which every namespace shares; here the handler is added to every namespace of
 * the host, present and future, when the first namespace gets xfrm state). A namespace without
 * xfrm state keeps `Ipv4State.xfrm` unset, so its packet path never looks for policies; one that
 * receives ESP anyway drops it for want of a state, as Linux does once esp4 is loaded.
 * Leaves out: `xfrm_user` netlink itself (the `ip xfrm` program calls the state directly), the
 * `/proc/net/xfrm_stat` counters, module unloading.
 */
import { IPPROTO_ESP } from '../../packet/index.js';
import type { Host } from '../host.js';
import { ipv4Of } from '../ipv4/index.js';
import type { NetNamespace } from '../netns.js';
import { xfrm4Rcv, xfrmPolicyCheckIn } from './input.js';
import { NetnsXfrm, XFRM_EXT_KEY, netnsXfrm } from './netns-xfrm.js';
import { xfrmLookup, xfrmOutput } from './output.js';

const ESP4_LOADED_KEY = 'esp4';

/** `modprobe esp4`: protocol 50 goes to `xfrm4_rcv` in every namespace of `host`. */
export function loadEsp4(host: Host): void {
  if (host.ext.get(ESP4_LOADED_KEY) === true) return;
  host.ext.set(ESP4_LOADED_KEY, true);
  host.onNamespace(ns => {
    ipv4Of(ns).l4.set(IPPROTO_ESP, xfrm4Rcv);
  });
}

/** The xfrm state of `ns`, created (and hooked into its IPv4 path) on first use. */
export function xfrmOf(ns: NetNamespace): NetnsXfrm {
  const existing = netnsXfrm(ns);
  if (existing !== undefined) return existing;
  const x = new NetnsXfrm(ns);
  ns.ext.set(XFRM_EXT_KEY, x);
  ipv4Of(ns).xfrm = {
    outputLookup: (skb, ip, dev) => xfrmLookup(x, skb, ip, dev),
    output: (skb, dev, nexthop, type, mtu) => xfrmOutput(x, skb, dev, nexthop, type, mtu),
    inputPolicyCheck: (skb, ip, dev) => xfrmPolicyCheckIn(x, skb, ip, dev),
  };
  loadEsp4(ns.host);
  return x;
}
