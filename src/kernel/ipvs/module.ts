/**
 * IPVS in a namespace as a loaded module: its state, created on the first use (ipvsadm or a
 * netlink client such as libnetwork), and its netfilter functions plugged into the namespace's
 * hooks when the first virtual service appears.
 *
 * Models: `modprobe ip_vs` on the first ipvsadm call (ipvsadm.c `modprobe_ipvs`), the per-netns
 * init `__ip_vs_init` (state and `net.ipv4.vs.*` sysctls), and `ip_vs_register_hooks` from
 * `ip_vs_add_service` (net/netfilter/ipvs/ip_vs_ctl.c, kernel 5.7+): `ip_vs_ops4` goes into the
 * namespace's hook lists through the netfilter glue's IPVS slot, together with the `-m ipvs` view.
 * Leaves out: unregistering the hooks when the last service goes (they then do nothing, as
 * `ipvs->enable` is checked first), `ip_vs_ops6`.
 */
import type { NetNamespace } from '../netns.js';
import { registerIpvsSlot } from '../nfhooks/index.js';
import { IPVS_HOOK_OPS, ipvsMatchInfo } from './hooks.js';
import { createIpvsState, ipvsIfAny, type IpvsState } from './state.js';

/** The IPVS state of `ns`, created (module loaded in that namespace) on first use. */
export function ipvsOf(ns: NetNamespace): IpvsState {
  const existing = ipvsIfAny(ns);
  if (existing !== undefined) return existing;
  const state = createIpvsState(ns);
  state.onFirstService = () => registerIpvsSlot(ns, { ops: IPVS_HOOK_OPS, matchInfo: ipvsMatchInfo });
  return state;
}
