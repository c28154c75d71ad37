/**
 * The Linux bridge device (`br0`, `docker0`) and its ports: enslaving and releasing ports, the
 * bridge's own address, carrier and MTU, and what happens when the host transmits through it.
 * The receive path of a port (learning, forwarding, flooding, local delivery) is in
 * `bridge-input.ts`; br_netfilter's hooks are in `bridge-netfilter.ts`; the table is `fdb.ts`.
 *
 * Models: `net/bridge/br_if.c` (`br_add_if`: the port's rx handler is registered, the port goes
 * promiscuous, its MAC becomes a local permanent FDB entry, and the bridge MAC and MTU are
 * recomputed; `br_del_if` undoes it and forgets every FDB entry of the port; `br_mtu_auto_adjust`:
 * the smallest port MTU unless the user set one), `net/bridge/br_stp_if.c`
 * (`br_stp_recalculate_bridge_id`: the numerically lowest port MAC, all zeros once no port is
 * left, unless the address was set explicitly; `br_stp_change_bridge_id`, which then runs
 * `br_port_state_selection`: the bridge has carrier while some port forwards),
 * `net/bridge/br_device.c` (`br_dev_setup`: random MAC, MTU 1500, a bridge id of all zeros;
 * `br_dev_xmit`: FDB lookup, one port or flood to every port),
 * `net/bridge/br_fdb.c` (`fdb_delete_local`: a local entry shared by another port or the bridge
 * itself is handed over rather than deleted), `include/linux/if_bridge.h` (defaults).
 * Docker sets docker0's MAC explicitly at creation, so its address never follows its ports.
 *
 * Carrier, as checked on Linux 6.18: a new bridge keeps the carrier every device is registered
 * with (`ip link`: LOWER_UP, `state UNKNOWN`) until `br_port_state_selection` first runs: when
 * its address is set (at creation too, so docker0 and every Docker bridge start NO-CARRIER),
 * when a port is added or removed, when a port's carrier changes or the bridge opens or closes
 * with a port up. From then on it has carrier exactly while some port forwards, even once every
 * port is gone.
 *
 * Leaves out: STP (`stp_state 0` only: an enabled port is forwarding at once), VLAN filtering,
 * multicast snooping (multicast is flooded), port isolation, `group_fwd_mask`, the MTU check of
 * `br_dev_queue_push_xmit` (frames are not measured at L2).
 */
import { SECOND, numericTraceArgs, type Duration, type TraceDetail } from '../../engine/index.js';
import { MAC_BROADCAST, formatMac, isMulticastMac, type Mac } from '../../packet/index.js';
import { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { brFlood, brForward, brHandleFrame } from './bridge-input.js';
import { isValidUnicastMac, randomDeviceMac } from './netdev.js';
import { Fdb } from './fdb.js';
import { ERR, OK, extack, type LinkResult } from './link-result.js';

export const BRIDGE_DEFAULT_MTU = 1500;

/** `BR_STATE_*` as `bridge link` prints them. */
export type BridgePortState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';

/** One enslaved device (`struct net_bridge_port`) with the flags `bridge link` shows. */
export class BridgePort {
  readonly bridge: BridgeDevice;
  readonly dev: NetDevice;
  /** `port_no`: the lowest number free when the port was added; `port_id` is `0x8000 | port_no`. */
  readonly portNo: number;
  learning = true;
  /** Unknown-unicast flooding (`BR_FLOOD`). */
  flood = true;
  mcastFlood = true;
  bcastFlood = true;
  /** `hairpin on`: frames may leave through the port they came in on (`BR_HAIRPIN_MODE`). */
  hairpin = false;
  priority = 32;
  cost: number;

  constructor(bridge: BridgeDevice, dev: NetDevice, portNo: number) {
    this.bridge = bridge;
    this.dev = dev;
    this.portNo = portNo;
    // port_cost(): from the link speed; veth reports 10 Gb/s (cost 2), a NIC 1 Gb/s (cost 4).
    this.cost = dev.kind === 'veth' ? 2 : dev.kind === 'physical' ? 4 : 100;
  }

  /** With STP off a port forwards as soon as both it and the bridge are up (`br_stp_enable_port`). */
  get state(): BridgePortState {
    return this.bridge.adminUp && this.dev.operUp ? 'forwarding' : 'disabled';
  }
}

export interface BridgeOptions {
  /** An explicit address (`ip link add br0 address X type bridge`); otherwise random, then the lowest port's. */
  readonly mac?: Mac;
  readonly mtu?: number;
  readonly ageingTime?: Duration;
}

export class BridgeDevice extends NetDevice {
  readonly kind = 'bridge' as const;
  /** Ports are keyed by their device; `ports()` lists them newest first, the kernel's list order. */
  private readonly portMap = new Map<NetDevice, BridgePort>();
  private portListCache: readonly BridgePort[] | undefined = undefined;
  /** Port type: the port's device, or the bridge itself for its own address (`dst == NULL`). */
  readonly fdb: Fdb<NetDevice>;
  /** `addr_assign_type == NET_ADDR_SET`: the address no longer follows the ports. */
  macSetByUser: boolean;
  /** `br->bridge_id.addr`: all zeros until `br_stp_change_bridge_id` first runs. */
  stpAddress: Mac;
  /** `br_port_state_selection` has run: carrier now means "some port forwards" (see the header). */
  carrierSelected: boolean;
  /** `BROPT_MTU_SET_BY_USER`. */
  mtuSetByUser: boolean;
  stpState = 0;
  forwardDelay: Duration = 15 * SECOND;
  helloTime: Duration = 2 * SECOND;
  maxAge: Duration = 20 * SECOND;
  priority = 32768;
  vlanFiltering = 0;
  /** Per-bridge `nf_call_iptables` (the namespace sysctl `bridge-nf-call-iptables` also enables it). */
  nfCallIptables = false;
  /**
   * `br_set_gso_limits` has run (a port came or went): `tso_max_size` is then the ports' minimum
   * capped at GSO_MAX_SIZE (524280 with no ports left), before that the netdev default 65536.
   */
  gsoLimitsSet = false;

  constructor(ns: NetNamespace, name: string, options: BridgeOptions = {}) {
    super(ns, name, options.mac ?? randomDeviceMac(ns), options.mtu ?? BRIDGE_DEFAULT_MTU);
    this.macSetByUser = options.mac !== undefined;
    // `br_dev_newlink` with IFLA_ADDRESS: `br_stp_change_bridge_id`, hence a state selection.
    this.stpAddress = options.mac ?? 0;
    this.carrierSelected = options.mac !== undefined;
    this.mtuSetByUser = options.mtu !== undefined;
    this.fdb = new Fdb(options.ageingTime);
    this.fdb.add(this.mac, this, 'local', ns.host.world.engine.now, { byUser: false });
  }

  get ageingTime(): Duration {
    return this.fdb.ageingTime;
  }

  set ageingTime(value: Duration) {
    this.fdb.ageingTime = value;
  }

  /** Carrier while some port forwards, once a state selection ran (see the header); docker0 with no containers shows NO-CARRIER. */
  carrier(): boolean {
    if (!this.carrierSelected) return true;
    for (const port of this.portMap.values()) if (port.dev.operUp) return true;
    return false;
  }

  /** `br_port_state_selection`: from now on the carrier follows the forwarding ports. */
  portStateSelection(): void {
    this.carrierSelected = true;
  }

  /** Newest first, as `br->port_list` is walked (flooding order, `bridge link` sorts by ifindex itself). */
  ports(): BridgePort[] {
    return [...this.portList()];
  }

  /** `ports()` without a copy, for the frame path; rebuilt when a port comes or goes. */
  portList(): readonly BridgePort[] {
    return (this.portListCache ??= [...this.portMap.values()].reverse());
  }

  port(dev: NetDevice): BridgePort | undefined {
    return this.portMap.get(dev);
  }

  /** `8000.024285268920`, as `brctl show` prints the bridge id. */
  bridgeId(): string {
    const hex = formatMac(this.stpAddress).replace(/:/g, '');
    return `${this.priority.toString(16).padStart(4, '0')}.${hex}`;
  }

  /** `br_add_if`. Error values carry what `ip link set DEV master BR` prints. */
  addPort(dev: NetDevice): LinkResult {
    if (dev === this) return extack('loop', 'Can not enslave a bridge to a bridge.');
    if (dev.kind === 'bridge') return extack('loop', 'Can not enslave a bridge to a bridge.');
    if (dev.kind === 'loopback' || !isValidUnicastMac(dev.mac)) return ERR.invalid();
    if (dev.netns !== this.netns) return ERR.invalid();
    if (dev.rxHandler !== undefined) return ERR.busy();
    const port = new BridgePort(this, dev, this.freePortNo());
    this.portMap.set(dev, port);
    this.portListCache = undefined;
    dev.master = this;
    dev.rxHandlerData = port;
    dev.rxHandler = (skb: Skb) => brHandleFrame(port, skb);
    dev.promiscuity++;
    this.addLocalAddress(dev.mac, dev);
    this.recalculate();
    this.gsoLimitsSet = true;
    // br_stp_enable_port for a port that is up on a bridge that is up.
    if (this.adminUp && dev.operUp) this.portStateSelection();
    this.netns.notifyNetdev('changeupper', dev);
    return OK;
  }

  /** `br_del_if`: the port's FDB entries (learned, static and local) go with it. */
  removePort(dev: NetDevice): boolean {
    const port = this.portMap.get(dev);
    if (port === undefined) return false;
    this.portMap.delete(dev);
    this.portListCache = undefined;
    dev.rxHandler = undefined;
    dev.rxHandlerData = undefined;
    dev.master = undefined;
    dev.promiscuity = Math.max(0, dev.promiscuity - 1);
    // del_nbp: br_stp_disable_port, whose state selection sees the remaining ports only.
    this.portStateSelection();
    const local = this.fdb.peek(dev.mac);
    if (local !== undefined && local.port === dev && local.state === 'local') this.releaseLocalAddress(dev.mac, dev);
    this.fdb.deletePort(dev, true);
    this.recalculate();
    this.gsoLimitsSet = true;
    this.netns.notifyNetdev('changeupper', dev);
    return true;
  }

  /** `br_set_mac_address` (`ip link set br0 address X`): explicit from now on. */
  setAddress(mac: Mac): void {
    this.macSetByUser = true;
    if (mac !== this.mac) this.changeBridgeAddress(mac);
  }

  /** `br_change_mtu`: an explicit MTU stops the automatic adjustment. */
  setMtu(mtu: number): void {
    this.mtu = mtu;
    this.mtuSetByUser = true;
  }

  /** A port's own address changed (`br_fdb_changeaddr` from the NETDEV_CHANGEADDR notifier). */
  portAddressChanged(dev: NetDevice, oldMac: Mac): void {
    if (!this.portMap.has(dev)) return;
    const old = this.fdb.peek(oldMac);
    if (old !== undefined && old.port === dev && old.state === 'local') this.releaseLocalAddress(oldMac, dev);
    this.addLocalAddress(dev.mac, dev);
    this.recalculate();
  }

  /** A port's MTU changed (NETDEV_CHANGEMTU): the bridge follows unless the user set its MTU. */
  portMtuChanged(): void {
    this.recalculate();
  }

  /** `br_dev_xmit`: the host sends through the bridge; never delivered back up to the bridge. */
  protected xmit(skb: Skb): void {
    const dst = skb.frame.dst;
    const now = this.netns.host.world.engine.now;
    const entry = isMulticastMac(dst) ? undefined : this.fdb.lookup(dst, now);
    const port = entry === undefined || entry.port === this ? undefined : this.portMap.get(entry.port);
    if (this.netns.host.world.trace.enabled) {
      const decision = port !== undefined ? 'forward' : entry !== undefined ? 'drop' : 'flood';
      this.netns.traceWith(skb, this, 'bridge', xmitDetail, this.name, dst, decision, port?.dev.name);
    }
    if (entry === undefined) {
      brFlood(this, skb, undefined, dst === MAC_BROADCAST ? 'broadcast' : isMulticastMac(dst) ? 'multicast' : 'unicast');
      return;
    }
    if (port === undefined) {
      // The bridge's own address: br_forward() is called without a port and frees the frame.
      this.netns.drop(skb, this, 'not-for-us', { why: 'destination is the bridge itself' });
      return;
    }
    entry.used = now;
    brForward(this, skb, undefined, port);
  }

  /** `find_portno`: the lowest port number not in use. */
  private freePortNo(): number {
    const used = new Set<number>();
    for (const port of this.portMap.values()) used.add(port.portNo);
    let n = 1;
    while (used.has(n)) n++;
    return n;
  }

  /** `fdb_add_local`: a learned entry for an address that became local is replaced. */
  private addLocalAddress(mac: Mac, owner: NetDevice): void {
    const existing = this.fdb.peek(mac);
    if (existing !== undefined && existing.state === 'local') return;
    if (existing !== undefined) this.fdb.delete(mac);
    this.fdb.add(mac, owner, 'local', this.netns.host.world.engine.now, { byUser: false });
  }

  /** `fdb_delete_local`: hand a local entry to another port or the bridge with the same MAC. */
  private releaseLocalAddress(mac: Mac, leaving: NetDevice): void {
    const entry = this.fdb.peek(mac);
    if (entry === undefined) return;
    for (const other of this.portMap.keys()) {
      if (other !== leaving && other.mac === mac) {
        entry.port = other;
        return;
      }
    }
    if (this.mac === mac) {
      entry.port = this;
      return;
    }
    this.fdb.delete(mac);
  }

  /** `br_stp_recalculate_bridge_id` and `br_mtu_auto_adjust`. */
  private recalculate(): void {
    if (!this.mtuSetByUser && this.portMap.size > 0) {
      let mtu = Infinity;
      for (const dev of this.portMap.keys()) mtu = Math.min(mtu, dev.mtu);
      this.mtu = mtu;
    }
    if (this.macSetByUser) return;
    // With no port left the id (and the bridge's address) becomes all zeros.
    let lowest = this.portMap.size === 0 ? 0 : Infinity;
    for (const dev of this.portMap.keys()) lowest = Math.min(lowest, dev.mac);
    if (lowest !== this.stpAddress) this.changeBridgeAddress(lowest);
  }

  /**
   * `br_stp_change_bridge_id`: `br_fdb_change_mac_address` (no local entry for an invalid
   * address such as all zeros), the new `dev_addr` and bridge id, then a state selection.
   */
  private changeBridgeAddress(mac: Mac): void {
    const old = this.fdb.peek(this.mac);
    if (old !== undefined && old.port === this && old.state === 'local') this.fdb.delete(this.mac);
    this.mac = mac;
    this.stpAddress = mac;
    if (isValidUnicastMac(mac)) this.addLocalAddress(mac, this);
    this.netns.notifyNetdev('changeaddr', this);
    this.portStateSelection();
  }
}

/** The detail of the bridge record of `br_dev_xmit`. */
const xmitDetail = numericTraceArgs(function xmitDetail(port: string, dst: Mac, decision: string, to: string | undefined): TraceDetail {
  return to === undefined ? { port, dst: formatMac(dst), decision } : { port, dst: formatMac(dst), decision, to };
}, 0b10);
