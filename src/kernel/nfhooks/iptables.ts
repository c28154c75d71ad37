/**
 * The per-namespace netfilter state and how a namespace gets it: the iptables ruleset, the
 * conntrack table, and the hooks installed as `ns.netfilter` on first use; br_netfilter's sysctls;
 * the IPVS slot.
 *
 * Models: a namespace's netfilter state appearing when iptables first touches it (the tables of
 * iptables-nft are created lazily; conntrack's per-netns init); `br_netfilter` module load
 * (`brnf_call_iptables = 1`, per-namespace `net.bridge.bridge-nf-*` sysctls since 5.3,
 * `br_netfilter_hooks.c`); `nf_nat_masquerade.c`'s notifiers: conntrack entries MASQUERADEd
 * through a device are flushed when it goes down (`masq_device_event`) and those using an address
 * when it is deleted (`masq_inet_event`, `inet_cmp`).
 * Leaves out: module unload; arptables/ip6tables (`bridge-nf-call-arptables/ip6tables` exist only
 * as sysctls).
 * Invariant: `ns.netfilter` is the namespace's `NfHooks` once `nfHooksOf` ran, and stays so.
 */
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import { conntrackOf } from '../conntrack/index.js';
import { Ruleset } from '../netfilter/index.js';
import { BR_NETFILTER_EXT_KEY, NfHooks } from './hooks.js';
import { onAddressDeleted } from './ipv4-access.js';
import type { IpvsSlot } from './ipvs-slot.js';

const NFHOOKS_EXT_KEY = 'nfhooks';

/** The netfilter state of `ns`, created (and installed as `ns.netfilter`) on first use. */
export function nfHooksOf(ns: NetNamespace): NfHooks {
  const existing = ns.ext.get(NFHOOKS_EXT_KEY);
  if (existing instanceof NfHooks) return existing;
  const table = conntrackOf(ns);
  const hooks = new NfHooks(ns, new Ruleset(), table);
  ns.ext.set(NFHOOKS_EXT_KEY, hooks);
  ns.netfilter = hooks;
  ns.onNetdevEvent((event, dev) => {
    // masq_device_event: NETDEV_DOWN (and a device leaving) flushes its MASQUERADE entries.
    if (event === 'down' || event === 'unregister') table.killWhere(e => e.masqIfindex === dev.ifindex);
  });
  onAddressDeleted(ns, (dev, address) => {
    table.killWhere(e => e.masqIfindex === dev.ifindex && e.reply.dst === address);
  });
  return hooks;
}

/** The iptables ruleset of `ns` (what `iptables`, `iptables-save` and Docker program). */
export function iptablesOf(ns: NetNamespace): Ruleset {
  return nfHooksOf(ns).ruleset;
}

/** The hooks of `ns` if it has netfilter state. */
export function nfHooksIfAny(ns: NetNamespace): NfHooks | undefined {
  const existing = ns.ext.get(NFHOOKS_EXT_KEY);
  return existing instanceof NfHooks ? existing : undefined;
}

/** br_netfilter's sysctls and their defaults once the module is loaded. */
const BR_NETFILTER_SYSCTLS: Readonly<Record<string, string>> = {
  'net.bridge.bridge-nf-call-arptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-filter-pppoe-tagged': '0',
  'net.bridge.bridge-nf-filter-vlan-tagged': '0',
  'net.bridge.bridge-nf-pass-vlan-input-dev': '0',
};

/**
 * br_netfilter in `ns`: registers its sysctls (`bridge-nf-call-iptables` = 1) so bridged IPv4
 * frames go through iptables there, and gives the namespace its netfilter state.
 */
export function loadBrNetfilter(ns: NetNamespace): void {
  for (const [key, value] of Object.entries(BR_NETFILTER_SYSCTLS)) ns.sysctl.define(key, value);
  ns.ext.set(BR_NETFILTER_EXT_KEY, true);
  nfHooksOf(ns);
}

/** `modprobe br_netfilter` on a host: every namespace, now and later, gets the sysctls. */
export function loadBrNetfilterModule(host: Host): void {
  if (host.ext.get(BR_NETFILTER_EXT_KEY) === true) return;
  host.ext.set(BR_NETFILTER_EXT_KEY, true);
  host.onNamespace(ns => {
    for (const [key, value] of Object.entries(BR_NETFILTER_SYSCTLS)) ns.sysctl.define(key, value);
    ns.ext.set(BR_NETFILTER_EXT_KEY, true);
  });
}

/**
 * The IPVS module's functions in `ns` (`ip_vs_ops4`: INPUT, OUTPUT and FORWARD at IPVS's
 * priorities) and its `-m ipvs` view; `undefined` removes them.
 */
export function registerIpvsSlot(ns: NetNamespace, slot: IpvsSlot | undefined): void {
  const hooks = nfHooksOf(ns);
  hooks.ipvs = slot;
  hooks.setOps('ipvs', slot?.ops ?? []);
}
