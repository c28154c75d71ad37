/**
 * The operating-system half of a sandbox: its network namespace and what libnetwork programs in
 * it, through the simulated kernel's iproute2-style API.
 *
 * Models: libnetwork `osl/namespace_linux.go` (`NewSandbox`: a fresh netns with `lo` brought up;
 * `GenerateKey`; `Destroy`), `osl/interface_linux.go` (`AddInterface`, `Remove`,
 * `configureInterface`) and `osl/route_linux.go` (`SetGateway`/`UnsetGateway` through
 * `programGateway`, `AddStaticRoute`/`RemoveStaticRoute` through `programRoute`):
 *
 *   AddInterface(vethab12cd3, "eth"):  move to netns -> down -> rename eth<n> -> MAC -> address
 *                                     -> up -> interface routes      (n = per-prefix counter)
 *   SetGateway(172.18.0.1):            route get 172.18.0.1 -> direct route on eth1
 *                                     -> ip route add default via 172.18.0.1 dev eth1
 *
 * The per-prefix counter only grows (classic libnetwork, facts 3.4): eth0, eth1, then eth2 even
 * after eth1 left. The default sandbox (host network) keeps devices in the root namespace under
 * their own names. A configure failure moves the device back under its source name, as upstream
 * does, so the caller can clean it up.
 * Leaves out: IPv6 addresses and gateways, link-local addresses, bridges created inside the
 * namespace (overlay), `master` settings, neighbour entries, namespace sysctls for IPVS.
 */
import { routeGet, ipv4Of, linkSetAddress, linkSetDown, linkSetName, linkSetNs, linkSetUp, type Host, type NetDevice, type NetNamespace } from '../../kernel/index.js';
import { formatCidr, formatIpv4, formatMac, type Cidr, type Ipv4, type Mac } from '../../packet/index.js';
import { err, ok, type Result } from '../errors.js';

/** Where sandbox namespaces are bind-mounted (`prefix` in `osl/namespace_linux.go`). */
export const NETNS_PREFIX = '/var/run/docker/netns/';

/** `GenerateKey`: the namespace path of a sandbox id (its first 12 characters). */
export function sandboxKey(id: string): string {
  return NETNS_PREFIX + id.slice(0, 12);
}

/** A kernel failure as Go prints a netlink errno (`file exists`). */
function cause(text: string): string {
  const bare = text.replace(/^RTNETLINK answers: /, '').replace(/^Error: /, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

function system<T>(message: string): Result<T> {
  return err('system', message);
}

/** An interface libnetwork placed in the sandbox (`nwIface`). */
export interface OslInterface {
  readonly srcName: string;
  readonly dstName: string;
  readonly device: NetDevice;
}

export interface InterfaceSettings {
  readonly address: Cidr | undefined;
  readonly mac: Mac | undefined;
  /** Connected routes bound to the interface (`AddStaticRoute` without a next hop). */
  readonly routes: readonly Cidr[];
}

export class OslSandbox {
  readonly host: Host;
  readonly ns: NetNamespace;
  /** The host's own namespace (host-network containers): devices are neither moved nor renamed. */
  readonly isDefault: boolean;
  readonly interfaces: OslInterface[] = [];
  /** `nextIfIndex`: per destination prefix, the next suffix. */
  readonly #nextIfIndex = new Map<string, number>();
  /** The gateway last programmed (`n.gw`). */
  #gateway: Ipv4 | undefined;

  constructor(host: Host, ns: NetNamespace, isDefault: boolean) {
    this.host = host;
    this.ns = ns;
    this.isDefault = isDefault;
  }

  /** `NewSandbox` for a container: a new namespace with its loopback up. */
  static create(host: Host, label: string): OslSandbox {
    const ns = host.addAnonymousNamespace(label);
    linkSetUp(ns, 'lo');
    return new OslSandbox(host, ns, false);
  }

  get gateway(): Ipv4 | undefined {
    return this.#gateway;
  }

  /** `AddInterface(srcName, dstPrefix, options)`. */
  addInterface(srcName: string, dstPrefix: string, settings: InterfaceSettings): Result<OslInterface> {
    let dstName = srcName;
    if (!this.isDefault) {
      const n = this.#nextIfIndex.get(dstPrefix) ?? 0;
      this.#nextIfIndex.set(dstPrefix, n + 1);
      dstName = `${dstPrefix}${n}`;
    }
    const hostNs = this.host.rootNs;
    const dev = hostNs.device(srcName);
    if (dev === undefined) return system(`failed to get link by name "${srcName}": Link not found`);
    if (!this.isDefault && dev.netns !== this.ns) {
      const moved = linkSetNs(dev, this.ns);
      if (!moved.ok) return system(`failed to set namespace on link "${srcName}": ${cause(moved.error)}`);
    }
    const down = linkSetDown(this.ns, dev);
    if (!down.ok) return system(`failed to set link down: ${cause(down.error)}`);
    const configured = this.#configure(dev, dstName, settings);
    if (!configured.ok) {
      this.#putBack(dev, srcName);
      return configured;
    }
    const up = linkSetUp(this.ns, dev);
    if (!up.ok) return system(`failed to set link up: ${cause(up.error)}`);
    for (const dst of settings.routes) {
      const r = ipv4Of(this.ns).routeAdd({ dst, dev, scope: 'global' });
      if (!r.ok) return system(`error setting interface "${dstName}" routes to "[${formatCidr(dst)}]": ${cause(r.error)}`);
    }
    const iface = { srcName, dstName, device: dev };
    this.interfaces.push(iface);
    return ok(iface);
  }

  /** `configureInterface`: name, MAC, address, each failure with upstream's message. */
  #configure(dev: NetDevice, dstName: string, s: InterfaceSettings): Result<void> {
    const oldName = dev.name;
    const renamed = linkSetName(this.ns, dev, dstName);
    if (!renamed.ok) return system(`error renaming interface "${oldName}" to "${dstName}": ${cause(renamed.error)}`);
    if (s.mac !== undefined) {
      const r = linkSetAddress(this.ns, dev, s.mac);
      if (!r.ok) return system(`error setting interface "${oldName}" MAC to "${formatMac(s.mac)}": ${cause(r.error)}`);
    }
    if (s.address !== undefined) {
      const r = ipv4Of(this.ns).addrAdd(dev, s.address, s.address.prefix < 31 ? { broadcast: '+' } : {});
      if (!r.ok) return system(`error setting interface "${oldName}" IP to ${formatCidr(s.address)}: ${cause(r.error)}`);
    }
    return ok(undefined);
  }

  /** Back to the host namespace under its source name (the caller deletes or reuses it). */
  #putBack(dev: NetDevice, srcName: string): void {
    linkSetDown(dev.netns, dev);
    linkSetName(dev.netns, dev, srcName);
    if (!this.isDefault && dev.netns !== this.host.rootNs) linkSetNs(dev, this.host.rootNs);
  }

  /** `nwIface.Remove`: down, renamed back, returned to the host namespace; failures are only logged upstream. */
  removeInterface(iface: OslInterface): void {
    const i = this.interfaces.indexOf(iface);
    if (i !== -1) this.interfaces.splice(i, 1);
    if (iface.device.netns !== this.ns) return;
    if (this.isDefault) linkSetDown(this.ns, iface.device);
    else this.#putBack(iface.device, iface.srcName);
  }

  /** `SetGateway`: a default route through the interface that reaches `gw` directly. */
  setGateway(gw: Ipv4 | undefined): Result<void> {
    if (gw === undefined) return ok(undefined);
    const r = this.#programGateway(gw, true);
    if (r.ok) this.#gateway = gw;
    return r;
  }

  /** `UnsetGateway`: removes the default route of the last gateway; failures are ignored upstream. */
  unsetGateway(): void {
    if (this.#gateway === undefined) return;
    if (this.#programGateway(this.#gateway, false).ok) this.#gateway = undefined;
  }

  #programGateway(gw: Ipv4, add: boolean): Result<void> {
    const found = routeGet(this.ns, gw);
    if (!found.ok) return system(`route for the gateway ${formatIpv4(gw)} could not be found: ${cause(found.error)}`);
    if (found.value.gateway !== undefined) return system(`Direct route for the gateway ${formatIpv4(gw)} could not be found`);
    const spec = { dst: { address: 0, prefix: 0 }, gateway: gw, dev: found.value.dev, scope: 'global' as const };
    const r = add ? ipv4Of(this.ns).routeAdd(spec) : ipv4Of(this.ns).routeDel(spec);
    return r.ok ? ok(undefined) : system(cause(r.error));
  }

  /** `AddStaticRoute` for a route with a next hop (`programRoute`). */
  addStaticRoute(dst: Cidr, nextHop: Ipv4): Result<void> {
    const found = routeGet(this.ns, nextHop);
    if (!found.ok) return system(`route for the next hop ${formatIpv4(nextHop)} could not be found: ${cause(found.error)}`);
    const r = ipv4Of(this.ns).routeAdd({ dst, gateway: nextHop, dev: found.value.dev, scope: 'global' });
    return r.ok ? ok(undefined) : system(cause(r.error));
  }

  /** `RemoveStaticRoute`; failures are only logged upstream. */
  removeStaticRoute(dst: Cidr, nextHop: Ipv4): void {
    ipv4Of(this.ns).routeDel({ dst, gateway: nextHop });
  }

  /** `Destroy`: the namespace goes, with whatever virtual devices are still in it. */
  destroy(): void {
    if (!this.isDefault) this.host.deleteAnonymousNamespace(this.ns.name);
  }
}
