/**
 * The IPv4 state of one namespace (`net->ipv4` plus every `in_device`): addresses, the FIB,
 * the neighbour table, the reassembly queue, the ICMP rate limiter and the IP id counter, kept
 * in the namespace's `ext` slot `ipv4`, and its reactions to device events.
 *
 * Models: `net/ipv4/devinet.c` `inetdev_event` (NETDEV_UP on a loopback device adds 127.0.0.1/8
 * scope host; NETDEV_UNREGISTER destroys the device's addresses; NETDEV_CHANGENAME renames
 * labels), `net/ipv4/fib_frontend.c` `fib_netdev_event` / `fib_inetaddr_event` /
 * `fib_disable_ip` (down: routes through the device go except local ones, and its ARP entries;
 * last address deleted or device gone: every route through it), `fib_sync_down_addr` (routes
 * whose `src` was a deleted address), and the bridge's two lookups (`devices/ipv4-seam.ts`).
 * The iproute2 surface (`addrAdd`, `routeAdd`, `neighAdd`, ...) is on this object so callers
 * need one accessor: `ipv4Of(ns)`.
 * Leaves out: per-device `in_device` options beyond the sysctls, IPv6, MTU-change reactions.
 */
import { fail } from '../../engine/index.js';
import type { Cidr, Ipv4, Ipv4Repr, Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { IPV4_EXT_KEY, type Ipv4DeviceSeam, type SeamRoute } from '../devices/ipv4-seam.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { AddressRoutes } from './address-routes.js';
import { AddressTable, type AddrAddOptions, type AddressChange, type IfAddr } from './addresses.js';
import type { IprouteResult } from './errors.js';
import { Fib, type RouteSpec } from './fib.js';
import { FragmentQueues } from './fragments.js';
import { IcmpRateLimiter } from './icmp.js';
import { NeighbourTable } from './neighbour.js';
import type { Route } from './route-table.js';
import { loopbackOf } from './route-lookup.js';
import type { FibRuleSpec, FibRule } from './rules.js';
import type { RouteScope } from './scope.js';

/**
 * What a transport handler did with a datagram delivered to this host: taken by a socket; no
 * socket (the IP layer answers UDP with ICMP port unreachable and records `no-socket` for the
 * rest); or no socket and the handler answered with a TCP RST itself (recorded as `rst-sent`).
 */
export type DeliveryResult = 'delivered' | 'no-socket' | 'rst-sent';

/** A transport protocol's receive function (`net_protocol.handler`: `udp_rcv`, `tcp_v4_rcv`, `xfrm4_rcv`...). */
export type L4Handler = (skb: Skb, ip: Ipv4Repr, dev: NetDevice) => DeliveryResult;

/** The object the sockets module registers in `ns.ext` under `sockets`, used when no L4 handler is registered. */
export interface SocketDelivery {
  deliver(skb: Skb, ip: Ipv4Repr, dev: NetDevice): DeliveryResult;
}

export const IPV4_SOCKETS_EXT_KEY = 'sockets';

/**
 * The xfrm module's calls on the IPv4 path, set on a namespace's state once it has xfrm state
 * (`xfrm/`): `xfrm_lookup` after the output route lookup, `xfrm4_output` after POSTROUTING for
 * a packet with a bundle, `xfrm4_policy_check` before transport delivery. Unset, the path pays
 * one field test.
 */
export interface Ipv4XfrmHooks {
  /** Attaches the bundle an out policy asks for (`skb.xfrm.out`), or refuses the flow (already recorded). */
  outputLookup(skb: Skb, ip: Ipv4Repr, dev: NetDevice): 'ESRCH' | 'EPERM' | undefined;
  /** Transforms a packet whose bundle is attached and sends it on; false when there is none. */
  output(skb: Skb, dev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast', mtu: number): boolean;
  /** The inbound policy check; false when it dropped the packet (already recorded). */
  inputPolicyCheck(skb: Skb, ip: Ipv4Repr, dev: NetDevice): boolean;
}

export class Ipv4State implements Ipv4DeviceSeam {
  readonly ns: NetNamespace;
  readonly addrs: AddressTable;
  readonly fib: Fib;
  readonly neigh: NeighbourTable;
  readonly reassembly: FragmentQueues;
  readonly icmpLimiter = new IcmpRateLimiter();
  /** `inet_protos`: transport handlers by IP protocol number (`inet_add_protocol`). */
  readonly l4 = new Map<number, L4Handler>();
  /** Set by the xfrm module when this namespace has xfrm state. */
  xfrm: Ipv4XfrmHooks | undefined = undefined;
  private readonly addressRoutes = new AddressRoutes();
  private ipId = 1;

  constructor(ns: NetNamespace) {
    this.ns = ns;
    this.addrs = new AddressTable(dev => ns.sysctl.conf(dev.name, 'promote_secondaries') !== 0);
    this.fib = new Fib(ip => this.addrs.isLocal(ip));
    this.neigh = new NeighbourTable(ns, ns.host.world.rng.stream('neigh'));
    this.reassembly = new FragmentQueues(ns);
    this.addrs.onChange(change => this.onAddressChange(change));
  }

  /** The IP id of the next packet this namespace builds (`__ip_select_ident`, deterministic here). */
  nextIpId(): number {
    const id = this.ipId;
    this.ipId = (this.ipId + 1) & 0xffff;
    return id;
  }

  // --- iproute2 surface -------------------------------------------------------------------

  addrAdd(dev: NetDevice, cidr: Cidr, opts: AddrAddOptions = {}): IprouteResult<IfAddr> {
    return this.addrs.addrAdd(dev, cidr, opts);
  }

  addrDel(dev: NetDevice, address: Ipv4, prefix?: number): IprouteResult<IfAddr> {
    return this.addrs.addrDel(dev, address, prefix);
  }

  addrFlush(dev: NetDevice, filter: { readonly scope?: RouteScope } = {}): number {
    return this.addrs.addrFlush(dev, filter);
  }

  routeAdd(spec: RouteSpec): IprouteResult<Route> {
    return this.fib.routeAdd(spec);
  }

  routeReplace(spec: RouteSpec): IprouteResult<Route> {
    return this.fib.routeReplace(spec);
  }

  routeDel(spec: Partial<RouteSpec> & { readonly dst: Cidr }): IprouteResult<Route> {
    return this.fib.routeDel(spec);
  }

  ruleAdd(spec: FibRuleSpec): IprouteResult<FibRule> {
    return this.fib.rules.ruleAdd(spec);
  }

  ruleDel(spec: FibRuleSpec): IprouteResult {
    return this.fib.rules.ruleDel(spec);
  }

  neighAdd(dev: NetDevice, ip: Ipv4, mac: Mac, state?: 'permanent' | 'reachable' | 'stale' | 'noarp'): IprouteResult {
    return this.neigh.neighSet('add', dev, ip, mac, state);
  }

  neighReplace(dev: NetDevice, ip: Ipv4, mac: Mac, state?: 'permanent' | 'reachable' | 'stale' | 'noarp'): IprouteResult {
    return this.neigh.neighSet('replace', dev, ip, mac, state);
  }

  neighDel(dev: NetDevice, ip: Ipv4): IprouteResult {
    return this.neigh.neighDel(dev, ip);
  }

  neighFlush(dev?: NetDevice, all = false): number {
    return this.neigh.neighFlush(dev, all);
  }

  // --- device events (devices/ipv4-seam.ts) -----------------------------------------------

  onDeviceAdded(): void {
    // Nothing to do: `conf/<dev>` sysctls are created by the device layer.
  }

  onDeviceUp(dev: NetDevice): void {
    if (dev.kind === 'loopback' && !this.addrs.of(dev).some(a => a.address === 0x7f000001 && a.prefix === 8)) {
      this.addrs.addrAdd(dev, { address: 0x7f000001, prefix: 8 }, { scope: 'host' });
    }
    this.syncRoutes();
  }

  onDeviceDown(dev: NetDevice): void {
    this.addressRoutes.forget(this.fib.syncDownDev(dev, false));
    this.syncRoutes();
    this.neigh.ifdown(dev);
  }

  onDeviceRemoved(dev: NetDevice): void {
    this.addrs.removeDevice(dev);
    this.addressRoutes.forget(this.fib.syncDownDev(dev, true));
    this.syncRoutes();
    this.neigh.ifdown(dev);
  }

  onDeviceRenamed(dev: NetDevice, oldName: string): void {
    for (const ifa of this.addrs.of(dev)) {
      if (ifa.label === oldName) ifa.label = dev.name;
      else if (ifa.label.startsWith(`${oldName}:`)) ifa.label = dev.name + ifa.label.slice(oldName.length);
    }
  }

  /** `ip_route_input` for bridged DNAT: local destinations answer with `lo`, as Linux's input routes do. */
  routeLookup(dst: Ipv4, inDev: NetDevice): SeamRoute | undefined {
    const res = this.fib.lookup({ dst, src: 0, iif: inDev.name, mark: 0 });
    if (!res.ok || res.route.dev === undefined) return undefined;
    if (res.route.type === 'local') {
      const lo = loopbackOf(this);
      return lo === undefined ? undefined : { dev: lo, gateway: undefined };
    }
    return { dev: res.route.dev, gateway: res.route.gateway };
  }

  neighbourMac(dev: NetDevice, ip: Ipv4): Mac | undefined {
    return this.neigh.macOf(dev, ip);
  }

  private syncRoutes(): void {
    this.addressRoutes.sync(this.fib, this.addrs, this.ns.devices.values());
  }

  /** `fib_inetaddr_event`. */
  private onAddressChange(change: AddressChange): void {
    this.syncRoutes();
    if (change.kind !== 'del') return;
    const { ifa } = change;
    if (!this.addrs.isLocal(ifa.address)) this.addressRoutes.forget(this.fib.removeWhere(r => r.src === ifa.address));
    if (this.addrs.of(ifa.dev).length === 0) {
      this.addressRoutes.forget(this.fib.syncDownDev(ifa.dev, true));
      this.neigh.ifdown(ifa.dev);
    }
  }
}

/** Creates the IPv4 state of `ns` (idempotent) and puts it in `ns.ext`. */
export function createIpv4State(ns: NetNamespace): Ipv4State {
  const existing = ns.ext.get(IPV4_EXT_KEY);
  if (existing instanceof Ipv4State) return existing;
  const st = new Ipv4State(ns);
  ns.ext.set(IPV4_EXT_KEY, st);
  ns.ipv4 = st;
  return st;
}

/** The IPv4 state of `ns`; a namespace without one is a broken invariant. */
export function ipv4Of(ns: NetNamespace): Ipv4State {
  const fast = ns.ipv4;
  if (fast instanceof Ipv4State) return fast;
  const st = ns.ext.get(IPV4_EXT_KEY);
  if (!(st instanceof Ipv4State)) fail(`IPv4 is not installed in namespace ${ns.host.name}/${ns.name}`);
  return st;
}
