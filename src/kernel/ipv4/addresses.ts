/**
 * The IPv4 addresses of one namespace (`struct in_ifaddr` lists of every `in_device`):
 * `ip addr add / del / flush` with their primary/secondary rules.
 *
 * Models: `net/ipv4/devinet.c`:
 * - `__inet_insert_ifa`: an address with the same prefix length and subnet as one already on the
 *   device becomes *secondary* (same local address: EEXIST; different scope: EINVAL); a primary is
 *   inserted after the last primary whose scope is not narrower, a secondary at the end.
 * - `__inet_del_ifa`: deleting a primary deletes its secondaries too, unless
 *   `promote_secondaries` is on, when the first secondary becomes primary.
 * - `inetdev_event(NETDEV_UP)` on a loopback device adds 127.0.0.1/8 scope host (done by the
 *   caller, `state.ts`, through `addrAdd`).
 * - iproute2 `ipaddr.c`: `default_scope` gives 127/8 addresses scope host; `brd +` computes the
 *   broadcast; `label` defaults to the device name.
 * The routes an address brings (`fib_add_ifaddr`) are derived by `address-routes.ts` from this
 * table; listeners hear every change.
 * Leaves out: peer addresses (`peer`), lifetimes (`valid_lft` is always forever), IPv6,
 * `arp_invalidate` of the broadcast address, the `ifa_rt_priority` change of an existing address.
 */
import { broadcastOf, cidrContains, type Cidr, type Ipv4 } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { IPROUTE_ERRORS, iprouteOk, type IprouteResult } from './errors.js';
import { scopeValue, type RouteScope } from './scope.js';

export interface IfAddr {
  readonly dev: NetDevice;
  /** `ifa_local`: the address itself. */
  readonly address: Ipv4;
  readonly prefix: number;
  /** `ifa_broadcast`, printed as `brd`; undefined when none was given. */
  readonly broadcast: Ipv4 | undefined;
  readonly scope: RouteScope;
  /** `label`; follows a device rename (`inetdev_changename`). */
  label: string;
  /** IFA_F_SECONDARY; changes when a primary is deleted with promote_secondaries on. */
  secondary: boolean;
  /** IFA_F_NOPREFIXROUTE: no connected route for the prefix. */
  readonly noprefixroute: boolean;
  /** `metric N` (`ifa_rt_priority`): the metric of the prefix route. */
  readonly metric: number;
}

export interface AddrAddOptions {
  /** An explicit broadcast address, or `+` for the subnet's all-ones address. */
  readonly broadcast?: Ipv4 | '+';
  readonly scope?: RouteScope;
  readonly label?: string;
  readonly noprefixroute?: boolean;
  readonly metric?: number;
}

export type AddressChange = { readonly kind: 'add' | 'del' | 'promote'; readonly ifa: IfAddr };
export type AddressListener = (change: AddressChange) => void;

function sameSubnet(a: IfAddr, address: Ipv4, prefix: number): boolean {
  return a.prefix === prefix && cidrContains({ address: a.address, prefix }, address);
}

export class AddressTable {
  /** Per device, in `ifa_list` order. */
  private readonly byDev = new Map<NetDevice, IfAddr[]>();
  /** `inet_addr_lst`: local address to the entries holding it (hot path: martian checks). */
  private readonly byLocal = new Map<Ipv4, IfAddr[]>();
  private readonly listeners: AddressListener[] = [];

  /** `promote(dev)`: `net.ipv4.conf.<dev>.promote_secondaries` as the kernel reads it. */
  constructor(private readonly promote: (dev: NetDevice) => boolean) {}

  onChange(listener: AddressListener): void {
    this.listeners.push(listener);
  }

  /** `ip addr add CIDR dev DEV [brd B|+] [scope S] [label L] [noprefixroute] [metric M]`. */
  addrAdd(dev: NetDevice, cidr: Cidr, opts: AddrAddOptions = {}): IprouteResult<IfAddr> {
    const list = this.byDev.get(dev) ?? [];
    const scope = opts.scope ?? (cidr.address >>> 24 === 127 ? 'host' : 'global');
    let secondary = false;
    let insertAt = 0;
    // find_matching_ifa: the same address and mask, whatever else differs, is already assigned.
    if (list.some(other => sameSubnet(other, cidr.address, cidr.prefix) && other.address === cidr.address)) return IPROUTE_ERRORS.addressExists();
    for (let i = 0; i < list.length; i++) {
      const other = list[i]!;
      if (!other.secondary && scopeValue(scope) <= scopeValue(other.scope)) insertAt = i + 1;
      if (sameSubnet(other, cidr.address, cidr.prefix)) {
        if (other.address === cidr.address) return IPROUTE_ERRORS.addressExists();
        if (other.scope !== scope) return IPROUTE_ERRORS.addressInvalidScope();
        secondary = true;
      }
    }
    const broadcast =
      opts.broadcast === '+' ? (cidr.prefix < 31 ? broadcastOf(cidr) : undefined) : opts.broadcast;
    const ifa: IfAddr = {
      dev,
      address: cidr.address >>> 0,
      prefix: cidr.prefix,
      broadcast,
      scope,
      label: opts.label ?? dev.name,
      secondary,
      noprefixroute: opts.noprefixroute ?? false,
      metric: opts.metric ?? 0,
    };
    if (secondary) list.push(ifa);
    else list.splice(insertAt, 0, ifa);
    this.byDev.set(dev, list);
    this.hashAdd(ifa);
    this.emit({ kind: 'add', ifa });
    return iprouteOk(ifa);
  }

  /**
   * `ip addr del ADDR[/LEN] dev DEV`: without a length, the first address equal to ADDR
   * (iproute2's "wildcard deletion" of old scripts).
   */
  addrDel(dev: NetDevice, address: Ipv4, prefix?: number): IprouteResult<IfAddr> {
    const list = this.byDev.get(dev) ?? [];
    const ifa = list.find(a => a.address === address >>> 0 && (prefix === undefined || a.prefix === prefix));
    if (ifa === undefined) return IPROUTE_ERRORS.addressNotFound();
    this.remove(ifa);
    return iprouteOk(ifa);
  }

  /** `ip addr flush dev DEV [scope S]`: every (matching) address, in list order. Returns how many went. */
  addrFlush(dev: NetDevice, filter: { readonly scope?: RouteScope } = {}): number {
    let count = 0;
    for (;;) {
      const list = this.byDev.get(dev) ?? [];
      const ifa = list.find(a => filter.scope === undefined || a.scope === filter.scope);
      if (ifa === undefined) return count;
      count += this.remove(ifa);
    }
  }

  /** `inetdev_destroy`: the device leaves the namespace; its addresses go, secondaries first. */
  removeDevice(dev: NetDevice): void {
    const list = this.byDev.get(dev) ?? [];
    for (const ifa of [...list].reverse()) {
      if (this.has(ifa)) this.remove(ifa, false);
    }
    this.byDev.delete(dev);
  }

  /** The addresses of `dev`, in `ip addr` order. */
  of(dev: NetDevice): readonly IfAddr[] {
    return this.byDev.get(dev) ?? [];
  }

  /** Every address, by device in the order devices got their first address. */
  all(): IfAddr[] {
    const out: IfAddr[] = [];
    for (const list of this.byDev.values()) out.push(...list);
    return out;
  }

  /** `inet_lookup_ifaddr_rcu`: is `ip` an address of some device here? */
  isLocal(ip: Ipv4): boolean {
    return this.byLocal.has(ip);
  }

  /** The entries holding `ip` (possibly on several devices). */
  holders(ip: Ipv4): readonly IfAddr[] {
    return this.byLocal.get(ip) ?? [];
  }

  /** `inet_ifa_byprefix`: the primary of `dev` for that subnet. */
  primaryFor(dev: NetDevice, address: Ipv4, prefix: number): IfAddr | undefined {
    return this.of(dev).find(a => !a.secondary && sameSubnet(a, address, prefix));
  }

  private has(ifa: IfAddr): boolean {
    return (this.byDev.get(ifa.dev) ?? []).includes(ifa);
  }

  /** `__inet_del_ifa`. Returns the number of addresses removed. */
  private remove(ifa: IfAddr, allowPromote = true): number {
    const list = this.byDev.get(ifa.dev) ?? [];
    let removed = 0;
    let promoted: IfAddr | undefined;
    if (!ifa.secondary) {
      const doPromote = allowPromote && this.promote(ifa.dev);
      for (const other of [...list]) {
        if (other === ifa || !other.secondary || !sameSubnet(other, ifa.address, ifa.prefix)) continue;
        if (doPromote) {
          promoted = other;
          break;
        }
        this.unlink(other);
        removed++;
        this.emit({ kind: 'del', ifa: other });
      }
    }
    this.unlink(ifa);
    removed++;
    this.emit({ kind: 'del', ifa });
    if (promoted !== undefined) {
      // The promoted address moves to where primaries go (after the last primary of its scope).
      const current = this.byDev.get(ifa.dev) ?? [];
      current.splice(current.indexOf(promoted), 1);
      promoted.secondary = false;
      let insertAt = 0;
      for (let i = 0; i < current.length; i++) {
        const o = current[i]!;
        if (!o.secondary && scopeValue(promoted.scope) <= scopeValue(o.scope)) insertAt = i + 1;
      }
      current.splice(insertAt, 0, promoted);
      this.emit({ kind: 'promote', ifa: promoted });
    }
    return removed;
  }

  private unlink(ifa: IfAddr): void {
    const list = this.byDev.get(ifa.dev);
    if (list !== undefined) {
      const i = list.indexOf(ifa);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byDev.delete(ifa.dev);
    }
    const holders = this.byLocal.get(ifa.address);
    if (holders !== undefined) {
      const i = holders.indexOf(ifa);
      if (i >= 0) holders.splice(i, 1);
      if (holders.length === 0) this.byLocal.delete(ifa.address);
    }
  }

  private hashAdd(ifa: IfAddr): void {
    const holders = this.byLocal.get(ifa.address);
    if (holders === undefined) this.byLocal.set(ifa.address, [ifa]);
    else holders.push(ifa);
  }

  private emit(change: AddressChange): void {
    for (const l of this.listeners) l(change);
  }
}
