/**
 * The Linux vxlan device: an Ethernet device whose "wire" is UDP over the IPv4 network of its
 * link namespace. Frames it transmits are tunnelled to remote VTEPs found in its FDB
 * (`vxlan-xmit.ts`); frames arriving on its UDP port with its VNI come out of it as if received
 * (`vxlan-net.ts`), so it can be a bridge port like any other device.
 *
 * Models: `drivers/net/vxlan/vxlan_core.c`: `vxlan_setup` (random MAC, `ether_setup`, MTU range
 * 68..65535, no queue; the carrier is never turned off, so `ip link` shows `state UNKNOWN`),
 * `__vxlan_dev_create` (a `remote`/`group` installs the all-zeros FDB entry, permanent, via the
 * lower device), `vxlan_open` (binds the port's socket; EADDRINUSE keeps the device down),
 * `vxlan_stop` (flushes what was learned, releases the socket), `vxlan_change_mtu` (at most the
 * lower MTU minus 50), `vxlan_handle_lowerdev_unregister` (the lower device going away, or
 * leaving the namespace, deletes the vxlan devices on it), `vxlan_destroy_tunnels` (a link
 * namespace going away deletes its tunnels wherever they were moved), `vxlan_get_link_net`.
 * Leaves out: `ip link set DEV type vxlan ...` (changelink), collect-metadata (`external`)
 * devices, VNI filtering, the raw (GPE) device type; see the other files for the packet paths.
 */
import type { Mac } from '../../packet/index.js';
import { NetDevice } from '../device.js';
import { linkDel, netnsId, randomDeviceMac, registerLinkOps, registerNetdev } from '../devices/index.js';
import { ERR, OK, ok, type LinkError, type LinkResult } from '../devices/link-result.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { errnoText } from '../sockets/index.js';
import { VXLAN_HEADROOM, vxlanConfigure, type VxlanConfig, type VxlanLinkSpec } from './vxlan-config.js';
import { ALL_ZEROS_MAC, VxlanFdb } from './vxlan-fdb.js';
import { vxlanNetOf } from './vxlan-net.js';
import { vxlanXmit } from './vxlan-xmit.js';

export class VxlanDevice extends NetDevice {
  readonly kind = 'vxlan' as const;
  readonly cfg: VxlanConfig;
  readonly fdb: VxlanFdb;

  constructor(ns: NetNamespace, name: string, mac: Mac, cfg: VxlanConfig) {
    super(ns, name, mac, cfg.mtu);
    this.cfg = cfg;
    this.fdb = new VxlanFdb(cfg.ageing);
    this.minMtu = 68;
    this.maxMtu = 65535;
  }

  /** `vxlan->net`: where the socket lives and outer packets are routed. */
  get net(): NetNamespace {
    return this.cfg.net;
  }

  /** The carrier is never turned off (operstate UNKNOWN). */
  carrier(): boolean {
    return true;
  }

  protected xmit(skb: Skb): void {
    vxlanXmit(this, skb);
  }
}

/** `vxlan_newlink`: validate, build, install the default FDB entry, register (down). */
function vxlanNewlink(ns: NetNamespace, spec: VxlanLinkSpec): LinkResult<NetDevice> {
  const configured = vxlanConfigure(ns, spec, (net, vni, port) => vxlanNetOf(net).vniInUse(vni, port));
  if (!configured.ok) return configured;
  const cfg = configured.value;
  const dev = new VxlanDevice(ns, spec.name, spec.mac ?? randomDeviceMac(ns), cfg);
  if (cfg.remote !== 0) {
    const remote = { ip: cfg.remote, port: cfg.dstPort, vni: cfg.vni, ifindex: cfg.lowerIfindex };
    dev.fdb.update(ALL_ZEROS_MAC, remote, 'local', 'add', ns.host.world.engine.now, false);
  }
  registerNetdev(ns, dev);
  vxlanNetOf(cfg.net).add(dev);
  return ok(dev);
}

/** `ndo_open`: the port's socket, or `RTNETLINK answers: Address already in use`. */
function vxlanOpen(dev: NetDevice): LinkResult {
  if (!(dev instanceof VxlanDevice)) return OK;
  const added = vxlanNetOf(dev.net).sockAdd(dev);
  if (added.ok) return OK;
  const error: LinkError = { ok: false, kind: 'busy', error: `RTNETLINK answers: ${errnoText(added.errno)}`, exitCode: 2 };
  return error;
}

/** `vxlan_change_mtu`. */
function vxlanChangeMtu(dev: NetDevice, mtu: number): LinkResult {
  if (!(dev instanceof VxlanDevice) || dev.cfg.lowerIfindex === 0) return OK;
  const lower = dev.net.byIndex(dev.cfg.lowerIfindex);
  return lower !== undefined && mtu > lower.mtu - VXLAN_HEADROOM ? ERR.invalid() : OK;
}

/** `vxlan_stop`. */
function vxlanStop(dev: VxlanDevice): void {
  dev.fdb.flushDynamic();
  vxlanNetOf(dev.net).sockRelease(dev);
}

/** The netdevice notifier of one namespace: vxlan open/stop, and lower devices going away. */
function onNetdevEvent(ns: NetNamespace, event: string, dev: NetDevice): void {
  if (dev instanceof VxlanDevice) {
    if (event === 'up' && !vxlanNetOf(dev.net).isOpen(dev)) {
      // Opened without `linkSetUp` (which checks the port first): bind now, or say why not.
      const opened = vxlanOpen(dev);
      if (!opened.ok && ns.host.world.trace.enabled) ns.trace(0, dev, 'note', { device: dev.name, what: 'vxlan socket not bound', error: opened.error });
    } else if (event === 'down') {
      vxlanStop(dev);
    } else if (event === 'register' && dev.net !== ns) {
      // The RTM_NEWLINK of a device arriving from elsewhere carries its link netns id
      // (`vxlan_get_link_net` -> `peernet2id_alloc`), which allocates the id here.
      netnsId(ns, dev.net);
    }
  }
  if (event !== 'unregister' || dev.ifindex === 0) return;
  for (const vx of vxlanNetOf(ns).devices()) {
    if (vx !== dev && vx.cfg.lowerIfindex === dev.ifindex && vx.cfg.lower === dev) linkDel(vx.netns, vx);
  }
}

const INSTALLED = 'vxlan';

/**
 * Loads the vxlan module on `host`: the link type (`linkAdd(ns, { type: 'vxlan', ... })`), its
 * notifier in every namespace, and the tunnels' teardown with their link namespace. Idempotent.
 */
export function installVxlan(host: Host): void {
  if (host.ext.has(INSTALLED)) return;
  host.ext.set(INSTALLED, true);
  registerLinkOps(host, 'vxlan', { newlink: vxlanNewlink, open: vxlanOpen, changeMtu: vxlanChangeMtu });
  host.onNamespace(ns => {
    ns.onNetdevEvent((event, dev) => onNetdevEvent(ns, event, dev));
  });
  host.onNamespaceExit(ns => {
    for (const vx of vxlanNetOf(ns).devices()) linkDel(vx.netns, vx);
  });
}

