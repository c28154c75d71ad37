/**
 * A network namespace (`struct net`): its own devices, IPv4 state, sockets, netfilter and sysctls.
 *
 * Models: `include/net/net_namespace.h`, `net/core/net_namespace.c`, `net/core/dev.c`
 * (`dev_new_index`: ifindex is allocated per namespace; a device moved into another namespace
 * keeps its index when it is free there, which is why a container's `eth0@if11` is index 10).
 * A new namespace holds only `lo`, down and without an address.
 * Leaves out: IPv6, per-namespace proc files beyond the sysctls modelled in `sysctl.ts`.
 */
import { formatMac } from '../packet/index.js';
import { traceSite, type DropReason, type TraceDetail, type TraceDetailBuilder, type TraceKind, type TraceLocation, type TraceSite, type TraceValue } from '../engine/index.js';
import type { NetDevice } from './device.js';
import type { Host } from './host.js';
import type { Skb } from './skb.js';
import { Sysctls } from './sysctl.js';
import { acceptAll, type NetfilterHooks } from './hooks.js';

/** A protocol handler registered for an ethertype (`dev_add_pack`): ARP and IPv4. */
export type ProtocolHandler = (skb: Skb, dev: NetDevice) => void;

/**
 * `NETDEV_*` events of the netdevice notifier chain (`include/linux/netdevice.h`,
 * `register_netdevice_notifier`), raised by `devices/link.ts` for devices of this namespace.
 * `unregister` is also raised when a device leaves for another namespace (as Linux does).
 */
export type NetdevEvent = 'register' | 'unregister' | 'up' | 'down' | 'change' | 'changename' | 'changeaddr' | 'changemtu' | 'changeupper';
export type NetdevNotifier = (event: NetdevEvent, dev: NetDevice) => void;

/** Drop counters per reason, as a kernel's `/proc/net/snmp` and drop monitor would count them. */
export type DropCounters = Map<DropReason, number>;

export class NetNamespace {
  readonly host: Host;
  /** `root` for the host's own namespace; the `ip netns` name, or a container's name. */
  readonly name: string;
  /** Devices by name, in creation order; listings sort by ifindex. */
  readonly devices = new Map<string, NetDevice>();
  readonly sysctl: Sysctls;
  readonly protocols = new Map<number, ProtocolHandler>();
  /** The netfilter hooks of this namespace; pass-through until iptables state exists. */
  netfilter: NetfilterHooks = acceptAll;
  readonly drops: DropCounters = new Map();
  /** Extension slots that higher-level kernel modules (ipv4, sockets, conntrack, ipvs, xfrm) fill. */
  readonly ext = new Map<string, unknown>();
  /** The IPv4 state, also in `ext` under `ipv4`: a field, for the packet path (`ipv4Of`). */
  ipv4: unknown = undefined;
  /** Subscribers to device events in this namespace (conntrack flush on MASQUERADE devices, ...). */
  readonly netdevNotifiers: NetdevNotifier[] = [];
  private nextIfindex = 1;
  /** Devices by ifindex (`dev_get_by_index`). */
  private readonly byIfindex = new Map<number, NetDevice>();
  private nsSites: TraceSites | undefined = undefined;
  private readonly namedSites = new Map<string, TraceSites>();

  constructor(host: Host, name: string, parent?: NetNamespace) {
    this.host = host;
    this.name = name;
    this.sysctl = new Sysctls(parent?.sysctl);
  }

  get isRoot(): boolean {
    return this.host.rootNs === this;
  }

  /** Adds a device created in (or moved into) this namespace, allocating an ifindex. */
  attach(dev: NetDevice, keepIfindex = false): void {
    if (this.devices.has(dev.name)) throw new Error(`device ${dev.name} exists in ${this.name}`);
    if (!keepIfindex || dev.ifindex === 0 || this.byIndex(dev.ifindex) !== undefined) {
      dev.ifindex = this.allocIfindex();
    } else if (dev.ifindex >= this.nextIfindex) {
      this.nextIfindex = dev.ifindex + 1;
    }
    dev.netns = this;
    this.devices.set(dev.name, dev);
    this.byIfindex.set(dev.ifindex, dev);
  }

  detach(dev: NetDevice): void {
    this.devices.delete(dev.name);
    if (this.byIfindex.get(dev.ifindex) === dev) this.byIfindex.delete(dev.ifindex);
  }

  /**
   * `dev_new_index`: the next free index. The host namespace's counter is shared with every
   * device the host creates (Docker creates both veth ends there, then moves one).
   */
  allocIfindex(): number {
    while (this.byIndex(this.nextIfindex) !== undefined) this.nextIfindex++;
    return this.nextIfindex++;
  }

  device(name: string): NetDevice | undefined {
    return this.devices.get(name);
  }

  byIndex(ifindex: number): NetDevice | undefined {
    return this.byIfindex.get(ifindex);
  }

  /** Devices sorted by ifindex, as `ip link` lists them. */
  sortedDevices(): NetDevice[] {
    return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  /** Renames a device, keeping its position. */
  rename(dev: NetDevice, newName: string): void {
    this.devices.delete(dev.name);
    dev.name = newName;
    this.devices.set(newName, dev);
  }

  /** `register_netdevice_notifier` for this namespace's devices. */
  onNetdevEvent(notifier: NetdevNotifier): void {
    this.netdevNotifiers.push(notifier);
  }

  /** `call_netdevice_notifiers`. */
  notifyNetdev(event: NetdevEvent, dev: NetDevice): void {
    for (const notifier of this.netdevNotifiers) notifier(event, dev);
  }

  /** The protocol dispatch after a device's rx handler passed the frame (`deliver_skb`). */
  receiveFrame(skb: Skb, dev: NetDevice): void {
    const handler = this.protocols.get(skb.frame.etherType);
    if (handler === undefined) {
      this.drop(skb, dev, 'not-for-us', { etherType: skb.frame.etherType, dst: formatMac(skb.frame.dst) });
      return;
    }
    handler(skb, dev);
  }

  /** Records a trace record located in this namespace. */
  trace(skb: Skb | number, dev: NetDevice | string | undefined, kind: TraceKind, detail: Readonly<Record<string, TraceValue>>): void {
    const world = this.host.world;
    if (!world.trace.enabled) return;
    world.trace.recordAt(world.engine.now, typeof skb === 'number' ? skb : skb.id, this.traceSites(dev).site(kind, asGiven), detail);
  }

  /**
   * Records a trace record whose detail `build` makes from the values given, when the trace is
   * read (`TraceRecorder.recordAt`, at this location's interned site): the packet path's way to
   * trace without formatting or allocating. The values must be primitives or immutable (a
   * device's name, not the device); numbers declared with `numericTraceArgs` are best, since a
   * record then keeps no object of the packet path alive.
   */
  traceWith<A extends unknown[]>(skb: Skb | number, dev: NetDevice | string | undefined, kind: TraceKind, build: (...args: A) => TraceDetail, ...args: A): void;
  traceWith(skb: Skb | number, dev: NetDevice | string | undefined, kind: TraceKind, build: TraceDetailBuilder, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown): void {
    const world = this.host.world;
    if (!world.trace.enabled) return;
    world.trace.recordAt(world.engine.now, typeof skb === 'number' ? skb : skb.id, this.traceSites(dev).site(kind, build), a, b, c, d, e, f, g, h);
  }

  /** The location of a record made here (see `traceSites`). */
  traceLocation(dev: NetDevice | string | undefined): TraceLocation {
    return this.traceSites(dev).location;
  }

  /**
   * The interned location of records made here and their sites: one set for the namespace, one
   * per device (made again when the device is renamed or moved), so recording allocates none.
   */
  traceSites(dev: NetDevice | string | undefined): TraceSites {
    if (dev === undefined) {
      return (this.nsSites ??= new TraceSites(this, { host: this.host.name, netns: this.name }));
    }
    if (typeof dev === 'string') {
      let sites = this.namedSites.get(dev);
      if (sites === undefined) {
        sites = new TraceSites(this, { host: this.host.name, netns: this.name, device: dev });
        this.namedSites.set(dev, sites);
      }
      return sites;
    }
    const cached = dev.traceSites;
    if (cached !== undefined && cached.ns === this && cached.location.device === dev.name) return cached;
    const sites = new TraceSites(this, { host: this.host.name, netns: this.name, device: dev.name });
    dev.traceSites = sites;
    return sites;
  }

  /** Every drop goes through here: counted per reason, and recorded with what decided it. */
  drop(skb: Skb, dev: NetDevice | string | undefined, reason: DropReason, detail: Readonly<Record<string, TraceValue>> = NO_DETAIL): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    if (this.host.world.trace.enabled) this.traceWith(skb, dev, 'drop', dropDetail, reason, detail);
  }
}

/** The trace sites of one location: one per (kind, detail builder) used there. */
export class TraceSites {
  /** A location has a handful of sites: a scan by identity beats a hash lookup. */
  private readonly sites: TraceSite[] = [];

  constructor(
    readonly ns: NetNamespace,
    readonly location: TraceLocation,
  ) {}

  site(kind: TraceKind, build: TraceDetailBuilder): TraceSite {
    const sites = this.sites;
    for (let i = 0; i < sites.length; i++) {
      const s = sites[i]!;
      if (s.build === build && s.kind === kind) return s;
    }
    const site = traceSite(this.location, kind, build);
    sites.push(site);
    return site;
  }
}

const NO_DETAIL: TraceDetail = Object.freeze({});

function asGiven(detail: TraceDetail): TraceDetail {
  return detail;
}

function dropDetail(reason: DropReason, detail: TraceDetail): TraceDetail {
  return { reason, ...detail };
}
