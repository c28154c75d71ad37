/**
 * A container's attachment to a bridge network: a veth pair in the host namespace whose host end
 * is a port of the bridge and whose other end libnetwork's sandbox code moves into the container
 * (renamed `eth<n>`, given the MAC chosen here and the endpoint's address).
 *
 * Models: libnetwork `drivers/bridge/bridge.go` (Docker 20.10) `bridgeEndpoint` and
 * `CreateEndpoint`, as steps:
 *
 *   generate interface names   `veth` + 7 hex for each end, 3 attempts each (`GenerateIfaceName`)
 *   create veth pair            host end vethXXXXXXX, peer vethYYYYYYY, both in the host namespace
 *   set MTU                     both ends, when the network has `com.docker.network.driver.mtu`
 *   attach to bridge            host end's master = the bridge
 *   set hairpin mode            only with the userland proxy off
 *   elect MAC address           the user's, else `02:42` + the IPv4 address (`GenerateMACFromIP`)
 *   set host interface up
 *
 * and `DeleteEndpoint` (the container end, back in the host namespace after leave, is deleted and
 * takes its peer with it; if the sandbox is already gone, so is the pair).
 * Leaves out: IPv6 addresses derived from the MAC, the store.
 */
import { vethName } from '../../../engine/index.js';
import { bridgeLinkSet, linkAdd, linkDel, linkSetMaster, linkSetMtu, linkSetUp, type NetNamespace } from '../../../kernel/index.js';
import { dockerMacForIpv4, type Cidr, type Mac } from '../../../packet/index.js';
import type { ExposedPort, InterfaceInfo, PortBinding } from '../../driver-api.js';
import { ok, system, type Result } from '../../errors.js';
import type { BridgeNetwork, DriverState } from './bridge-network.js';
import type { ContainerConfiguration } from './link.js';
import type { BoundPort } from './port-mapping.js';
import { goCause } from './setup-device.js';
import type { SetupStep } from './setup-steps.js';

/** `vethPrefix`, `vethLen`: host-side names are `veth` + 7 hex characters. */
export const VETH_PREFIX = 'veth';

export interface BridgeEndpoint {
  readonly id: string;
  readonly nid: string;
  /** The container end's name in the host namespace (`srcName`), what `SetNames` hands over. */
  srcName: string;
  /** The host end, a port of the bridge. */
  hostIfName: string;
  readonly addr: Cidr | undefined;
  mac: Mac | undefined;
  /** `endpointConfiguration.MacAddress`: the MAC the user asked for. */
  readonly userMac: Mac | undefined;
  containerConfig: ContainerConfiguration | undefined;
  /** `extConnConfig`: set by ProgramExternalConnectivity. */
  extConnConfig: { readonly portBindings: readonly PortBinding[]; readonly exposedPorts: readonly ExposedPort[] } | undefined;
  /** `portMapping`: the operational bindings. */
  portMapping: BoundPort[];
}

/** `netutils.GenerateIfaceName`: a `veth` name no link in `ns` has, in three attempts. */
export function generateIfaceName(ns: NetNamespace, taken: ReadonlySet<string> = new Set()): Result<string> {
  const rng = ns.host.world.rng.stream('ids');
  for (let i = 0; i < 3; i++) {
    const name = vethName(rng);
    if (ns.device(name) === undefined && !taken.has(name)) return ok(name);
  }
  return system('could not generate interface name');
}

/** `electMacAddress`. */
export function electMacAddress(userMac: Mac | undefined, addr: Cidr | undefined): Mac | undefined {
  if (userMac !== undefined) return userMac;
  return addr === undefined ? undefined : dockerMacForIpv4(addr.address);
}

/** The `CreateEndpoint` steps for `ep` on `n`; `iface.mac` is filled in when it was empty. */
export function createEndpointSteps(d: DriverState, n: BridgeNetwork, ep: BridgeEndpoint, iface: InterfaceInfo): (SetupStep | undefined)[] {
  const ns = d.ns;
  const mtu = n.config.mtu;
  const br = n.config.bridgeName;
  let created = false;
  let macSet = false;
  return [
    {
      name: 'generate interface names',
      apply: () => {
        const host = generateIfaceName(ns);
        if (!host.ok) return host;
        const container = generateIfaceName(ns, new Set([host.value]));
        if (!container.ok) return container;
        ep.hostIfName = host.value;
        ep.srcName = container.value;
        return ok(undefined);
      },
    },
    {
      name: 'create veth pair',
      apply: () => {
        const r = linkAdd(ns, { type: 'veth', name: ep.hostIfName, peer: ep.srcName });
        if (!r.ok) return system(`failed to add the host (${ep.hostIfName}) <=> sandbox (${ep.srcName}) pair interfaces: ${goCause(r.error)}`);
        created = true;
        return ok(undefined);
      },
      undo: () => {
        // Deleting either end takes the pair (the peer may already be in a namespace).
        const host = ns.device(ep.hostIfName);
        if (created && host !== undefined) linkDel(ns, host);
      },
    },
    mtu === 0
      ? undefined
      : {
          name: 'set MTU',
          apply: () => {
            const h = linkSetMtu(ns, ep.hostIfName, mtu);
            if (!h.ok) return system(`failed to set MTU on host interface ${ep.hostIfName}: ${goCause(h.error)}`);
            const s = linkSetMtu(ns, ep.srcName, mtu);
            if (!s.ok) return system(`failed to set MTU on sandbox interface ${ep.srcName}: ${goCause(s.error)}`);
            return ok(undefined);
          },
        },
    {
      name: 'attach to bridge',
      apply: () => {
        const r = linkSetMaster(ns, ep.hostIfName, br);
        return r.ok ? ok(undefined) : system(`adding interface ${ep.hostIfName} to bridge ${br} failed: ${goCause(r.error)}`);
      },
    },
    d.config.enableUserlandProxy
      ? undefined
      : {
          name: 'set hairpin mode',
          apply: () => {
            const r = bridgeLinkSet(ns, ep.hostIfName, { hairpin: true });
            return r.ok ? ok(undefined) : system(`unable to set hairpin mode on ${ep.hostIfName} via netlink: ${goCause(r.error)}`);
          },
        },
    {
      name: 'elect MAC address',
      apply: () => {
        ep.mac = iface.mac;
        if (ep.mac === undefined) {
          ep.mac = electMacAddress(ep.userMac, ep.addr);
          iface.mac = ep.mac;
          macSet = true;
        }
        return ok(undefined);
      },
      undo: () => {
        if (macSet) iface.mac = undefined;
      },
    },
    {
      name: 'set host interface up',
      apply: () => {
        const r = linkSetUp(ns, ep.hostIfName);
        return r.ok ? ok(undefined) : system(`could not set link up for host interface ${ep.hostIfName}: ${goCause(r.error)}`);
      },
    },
  ];
}

/** `DeleteEndpoint`'s link removal: best effort, as upstream. */
export function deleteEndpointLink(ns: NetNamespace, ep: BridgeEndpoint): void {
  const link = ns.device(ep.srcName);
  if (link !== undefined) linkDel(ns, link);
}
