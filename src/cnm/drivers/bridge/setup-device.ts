/**
 * The device-side steps of bridge network creation: the bridge link itself, its IPv4 address,
 * sysctls, and bringing it up, each as a step with its undo.
 *
 * Models: libnetwork (Docker 20.10) `drivers/bridge/interface.go` (`newInterface`: an existing
 * link of that name must be a bridge), `setup_device.go` (`setupDevice`: only the default bridge
 * may be created under its default name, MAC `02:42` + 4 random bytes from
 * `netutils.GenerateRandomMAC`; `setupDefaultSysctl`: `net.ipv6.conf.<br>.accept_ra = 0` when
 * that file exists; `setupDeviceUp`), `setup_ipv4.go` (`setupBridgeIPv4`: the configured address
 * replaces a different one; `setupGatewayIPv4`; `setupLoopbackAddressesRouting`:
 * `route_localnet = 1` when the userland proxy is off), `setup_verify.go`
 * (`setupVerifyAndReconcile` for a bridge that already existed), `setup_bridgenetfiltering.go`
 * (ICC off needs `bridge-nf-call-iptables = 1` when IPv4 forwarding is on).
 * Leaves out: IPv6 addresses and forwarding, the ioctl fallback of bridge creation, kernels older
 * than 3.3 (which could not take a MAC at creation).
 */
import {
  BridgeDevice,
  ipv4Of,
  linkAdd,
  linkDel,
  linkSetDown,
  linkSetUp,
  type NetNamespace,
} from '../../../kernel/index.js';
import { cidrContains, formatCidr, formatIpv4, type Cidr, type Ipv4, type Mac } from '../../../packet/index.js';
import { ok, system, type Result } from '../../errors.js';
import { DEFAULT_BRIDGE_NAME, type NetworkConfiguration } from './labels.js';
import type { SetupStep } from './setup-steps.js';

/** `bridgeInterface`: the link and what the network learned about it. */
export interface BridgeInterface {
  link: BridgeDevice | undefined;
  /** The bridge's address (`bridgeIPv4`). */
  bridgeIpv4: Cidr | undefined;
  /** The gateway containers get (`gatewayIPv4`): the bridge address or `DefaultGatewayIPv4`. */
  gatewayIpv4: Ipv4 | undefined;
}

/** `netutils.GenerateRandomMAC` (classic): `02:42` then four random bytes of the `mac` stream. */
export function classicRandomMac(ns: NetNamespace): Mac {
  return 0x0242 * 0x1_0000_0000 + ns.host.world.rng.stream('mac').uint32();
}

/** A kernel error as Go prints the netlink errno (`file exists`). */
export function goCause(text: string): string {
  const bare = text.replace(/^RTNETLINK answers: /, '').replace(/^Error: /, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

/** `newInterface`: the existing link of that name, which must be a bridge. */
export function newInterface(ns: NetNamespace, config: NetworkConfiguration): Result<BridgeInterface> {
  const dev = ns.device(config.bridgeName);
  if (dev !== undefined && !(dev instanceof BridgeDevice)) return system(`existing interface ${config.bridgeName} is not a bridge`);
  return ok({ link: dev, bridgeIpv4: undefined, gatewayIpv4: undefined });
}

export function setupDevice(ns: NetNamespace, config: NetworkConfiguration, i: BridgeInterface): SetupStep {
  return {
    name: 'setupDevice',
    apply: () => {
      if (config.bridgeName !== DEFAULT_BRIDGE_NAME && config.defaultBridge) {
        return system(`bridge device with non default name ${config.bridgeName} must be created manually`);
      }
      const r = linkAdd(ns, { type: 'bridge', name: config.bridgeName, mac: classicRandomMac(ns) });
      if (!r.ok) return system(goCause(r.error));
      i.link = r.value as BridgeDevice;
      return ok(undefined);
    },
    undo: () => {
      if (i.link !== undefined) linkDel(ns, i.link);
      i.link = undefined;
    },
  };
}

export function setupDefaultSysctl(ns: NetNamespace, config: NetworkConfiguration): SetupStep {
  return {
    name: 'setupDefaultSysctl',
    apply: () => {
      // No IPv6 in the simulated kernel: the file is usually missing, which upstream only logs.
      const key = `net.ipv6.conf.${config.bridgeName}.accept_ra`;
      if (ns.sysctl.has(key)) ns.sysctl.set(key, '0');
      return ok(undefined);
    },
  };
}

/** `selectIPv4Address`: the address inside the wanted network, else the first one. */
function selectIpv4Address(addrs: readonly Cidr[], selector: Cidr | undefined): Cidr | undefined {
  if (selector !== undefined) {
    for (const a of addrs) if (cidrContains(selector, a.address) && a.prefix === selector.prefix) return a;
  }
  return addrs[0];
}

export function setupBridgeIpv4(ns: NetNamespace, config: NetworkConfiguration, i: BridgeInterface): SetupStep {
  let added: Cidr | undefined;
  let removed: Cidr | undefined;
  return {
    name: 'setupBridgeIPv4',
    apply: () => {
      const link = i.link;
      const want = config.addressIpv4;
      if (link === undefined || want === undefined) return system('failed to retrieve bridge interface addresses: no bridge address configured');
      if (!config.inhibitIpv4) {
        const ip = ipv4Of(ns);
        const current = ip.addrs.of(link).map(a => ({ address: a.address, prefix: a.prefix }));
        const have = selectIpv4Address(current, want);
        if (have === undefined || have.address !== want.address || have.prefix !== want.prefix) {
          if (have !== undefined) {
            const d = ip.addrDel(link, have.address, have.prefix);
            if (!d.ok) return system(`failed to remove current ip address from bridge: ${goCause(d.error)}`);
            removed = have;
          }
          const a = ip.addrAdd(link, want, want.prefix < 31 ? { broadcast: '+' } : {});
          if (!a.ok) return system(`failed to add IPv4 address ${formatCidr(want)} to bridge: ${goCause(a.error)}`);
          added = want;
        }
      }
      i.bridgeIpv4 = want;
      i.gatewayIpv4 = want.address;
      return ok(undefined);
    },
    undo: () => {
      const link = i.link;
      if (link !== undefined && link.netns === ns) {
        const ip = ipv4Of(ns);
        if (added !== undefined) ip.addrDel(link, added.address, added.prefix);
        if (removed !== undefined) ip.addrAdd(link, removed, removed.prefix < 31 ? { broadcast: '+' } : {});
      }
      i.bridgeIpv4 = undefined;
      i.gatewayIpv4 = undefined;
    },
  };
}

export function setupVerifyAndReconcile(ns: NetNamespace, config: NetworkConfiguration, i: BridgeInterface): SetupStep {
  return {
    name: 'setupVerifyAndReconcile',
    apply: () => {
      if (i.link === undefined) return system('bridge has no IPv4 address configured');
      const current = ipv4Of(ns).addrs.of(i.link).map(a => ({ address: a.address, prefix: a.prefix }));
      const have = selectIpv4Address(current, config.addressIpv4);
      if (have === undefined) return system('bridge has no IPv4 address configured');
      if (config.addressIpv4 !== undefined && have.address !== config.addressIpv4.address) {
        return system(`bridge IPv4 (${formatIpv4(have.address)}) does not match requested configuration ${formatIpv4(config.addressIpv4.address)}`);
      }
      return ok(undefined);
    },
  };
}

export function setupLoopbackAddressesRouting(ns: NetNamespace, config: NetworkConfiguration): SetupStep {
  const key = `net.ipv4.conf.${config.bridgeName}.route_localnet`;
  let previous: string | undefined;
  return {
    name: 'setupLoopbackAddressesRouting',
    apply: () => {
      const r = ns.sysctl.get(key);
      if (!r.ok) return system(`Cannot read IPv4 local routing setup: ${r.error}`);
      if (r.value.startsWith('1')) return ok(undefined);
      previous = r.value;
      const w = ns.sysctl.set(key, '1');
      return w.ok ? ok(undefined) : system(`Unable to enable local routing for hairpin mode: ${w.error}`);
    },
    undo: () => {
      if (previous !== undefined && ns.sysctl.has(key)) ns.sysctl.set(key, previous);
    },
  };
}

export function setupGatewayIpv4(config: NetworkConfiguration, i: BridgeInterface): SetupStep {
  let before: Ipv4 | undefined;
  return {
    name: 'setupGatewayIPv4',
    apply: () => {
      const gw = config.defaultGatewayIpv4;
      if (gw === undefined || i.bridgeIpv4 === undefined || !cidrContains(i.bridgeIpv4, gw)) return system('default gateway ip must be part of the network');
      before = i.gatewayIpv4;
      i.gatewayIpv4 = gw;
      return ok(undefined);
    },
    undo: () => {
      i.gatewayIpv4 = before;
    },
  };
}

export function setupBridgeNetFiltering(ns: NetNamespace): SetupStep {
  return {
    name: 'setupBridgeNetFiltering',
    apply: () => {
      if (ns.sysctl.number('net.ipv4.ip_forward') !== 1) return ok(undefined);
      const key = 'net.bridge.bridge-nf-call-iptables';
      const r = ns.sysctl.get(key);
      if (!r.ok) return system('cannot restrict inter-container communication: please ensure that br_netfilter kernel module is loaded');
      if (r.value.startsWith('1')) return ok(undefined);
      ns.sysctl.set(key, '1');
      return ok(undefined);
    },
  };
}

export function setupDeviceUp(ns: NetNamespace, config: NetworkConfiguration, i: BridgeInterface): SetupStep {
  return {
    name: 'setupDeviceUp',
    apply: () => {
      if (i.link === undefined) return system(`Failed to set link up for ${config.bridgeName}: link not found`);
      const r = linkSetUp(ns, i.link);
      return r.ok ? ok(undefined) : system(`Failed to set link up for ${config.bridgeName}: ${goCause(r.error)}`);
    },
    undo: () => {
      if (i.link !== undefined && i.link.netns === ns) linkSetDown(ns, i.link);
    },
  };
}
