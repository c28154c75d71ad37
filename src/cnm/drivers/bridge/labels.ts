/**
 * A bridge network's configuration: the driver options (`-o com.docker.network.bridge.name=...`)
 * and the network's IPAM data turned into the values the setup steps use, with upstream's
 * validation and error texts.
 *
 * Models: libnetwork `drivers/bridge/labels.go` and `netlabel/labels.go` (the option keys),
 * `drivers/bridge/bridge.go` (Docker 20.10): `networkConfiguration`, `fromLabels` (string options
 * start from ICC and masquerade on; `failed to parse <label> value: <v> (<why>)`),
 * `parseNetworkOptions` (`br-` + the first 12 characters of the id unless named, or the default
 * bridge), `processIPAM` (`bridge driver doesn't support multiple subnets`, the gateway with its
 * prefix becomes the bridge address, the `DefaultGatewayIPv4` aux address), `Validate`
 * (`default gateway ip must be part of the network`), `Conflicts`.
 * Leaves out: IPv6 (`enable_ipv6`, the v6 pool and gateway), `inhibit_ipv4` beyond skipping the
 * address, the gob-encoded option form (`options.Generic`).
 */
import { cidrContains, networkOf, parseIpv4, type Cidr, type Ipv4 } from '../../../packet/index.js';
import type { NetworkCreateRequest } from '../../driver-api.js';
import { forbidden, invalidParameter, ok, type Result } from '../../errors.js';

export const BRIDGE_NAME = 'com.docker.network.bridge.name';
export const ENABLE_IP_MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
export const ENABLE_ICC = 'com.docker.network.bridge.enable_icc';
export const INHIBIT_IPV4 = 'com.docker.network.bridge.inhibit_ipv4';
export const DEFAULT_BINDING_IP = 'com.docker.network.bridge.host_binding_ipv4';
export const DEFAULT_BRIDGE = 'com.docker.network.bridge.default_bridge';
export const DRIVER_MTU = 'com.docker.network.driver.mtu';
export const CONTAINER_IFACE_PREFIX = 'com.docker.network.container_iface_prefix';
export const HOST_IP = 'com.docker.network.host_ipv4';
export const ENABLE_IPV6 = 'com.docker.network.enable_ipv6';
export const INTERNAL = 'com.docker.network.internal';

/** `DefaultBridgeName`. */
export const DEFAULT_BRIDGE_NAME = 'docker0';
/** `DefaultGatewayV4AuxKey`. */
export const DEFAULT_GATEWAY_V4_AUX_KEY = 'DefaultGatewayIPv4';

/** `networkConfiguration` (IPv4 part). */
export interface NetworkConfiguration {
  readonly id: string;
  readonly bridgeName: string;
  readonly enableIpMasquerade: boolean;
  readonly enableIcc: boolean;
  readonly inhibitIpv4: boolean;
  readonly mtu: number;
  /** `host_binding_ipv4`: the default host address of published ports (text, as Go keeps it). */
  readonly defaultBindingIp: string | undefined;
  readonly defaultBridge: boolean;
  /** `com.docker.network.host_ipv4`: SNAT to this address instead of MASQUERADE. */
  readonly hostIp: Ipv4 | undefined;
  readonly containerIfacePrefix: string;
  readonly internal: boolean;
  /** The gateway with the pool's prefix (`172.18.0.1/16`): the bridge's address. */
  readonly addressIpv4: Cidr | undefined;
  readonly defaultGatewayIpv4: Ipv4 | undefined;
}

/** Go's `strconv.ParseBool`. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function parseErr<T>(label: string, value: string, why: string): Result<T> {
  return invalidParameter(`failed to parse ${label} value: ${value} (${why})`);
}

/** Go's `net.ParseIP` for the IPv4 and `::`-style texts the options carry. */
function parseIp(v: string): string | undefined {
  if (parseIpv4(v) !== undefined) return v;
  return /^[0-9a-fA-F:]+$/.test(v) && v.includes(':') ? v : undefined;
}

/**
 * `parseNetworkOptions` + `processIPAM` + `Validate` for a create request. The bridge name is
 * filled in (default bridge: `docker0` unless named; others: `br-<id12>`).
 */
export function parseNetworkConfiguration(req: NetworkCreateRequest): Result<NetworkConfiguration> {
  let bridgeName = '';
  let enableIpMasquerade = true;
  let enableIcc = true;
  let inhibitIpv4 = false;
  let mtu = 0;
  let defaultBindingIp: string | undefined;
  let defaultBridge = false;
  let hostIp: Ipv4 | undefined;
  let containerIfacePrefix = '';
  // Go ranges over a map: the order of a bad label's report is unspecified; sorted here.
  for (const [label, value] of [...req.options].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    switch (label) {
      case BRIDGE_NAME:
        bridgeName = value;
        break;
      case DRIVER_MTU: {
        if (!/^[+-]?\d+$/.test(value)) return parseErr(label, value, `strconv.Atoi: parsing "${value}": invalid syntax`);
        mtu = Number(value);
        break;
      }
      case ENABLE_IP_MASQUERADE:
      case ENABLE_ICC:
      case INHIBIT_IPV4:
      case DEFAULT_BRIDGE: {
        const b = parseBool(value);
        if (b === undefined) return parseErr(label, value, `strconv.ParseBool: parsing "${value}": invalid syntax`);
        if (label === ENABLE_IP_MASQUERADE) enableIpMasquerade = b;
        else if (label === ENABLE_ICC) enableIcc = b;
        else if (label === INHIBIT_IPV4) inhibitIpv4 = b;
        else defaultBridge = b;
        break;
      }
      case DEFAULT_BINDING_IP: {
        const ip = parseIp(value);
        if (ip === undefined) return parseErr(label, value, 'nil ip');
        defaultBindingIp = ip;
        break;
      }
      case CONTAINER_IFACE_PREFIX:
        containerIfacePrefix = value;
        break;
      case HOST_IP: {
        const ip = parseIpv4(value);
        if (ip === undefined) return parseErr(label, value, 'nil ip');
        hostIp = ip;
        break;
      }
      default:
        break;
    }
  }
  if (mtu < 0) return invalidParameter(`invalid MTU number: ${mtu}`);
  if (bridgeName === '') bridgeName = defaultBridge ? DEFAULT_BRIDGE_NAME : `br-${req.networkId.slice(0, 12)}`;

  // processIPAM
  if (req.ipv4.length > 1) return forbidden("bridge driver doesn't support multiple subnets");
  const v4 = req.ipv4[0];
  if (v4 === undefined) return invalidParameter(`bridge network ${req.networkId} requires ipv4 configuration`);
  const addressIpv4 = v4.gateway;
  const aux = v4.auxAddresses.get(DEFAULT_GATEWAY_V4_AUX_KEY);
  const defaultGatewayIpv4 = aux?.address;
  if (addressIpv4 !== undefined && defaultGatewayIpv4 !== undefined && !cidrContains(addressIpv4, defaultGatewayIpv4)) {
    return invalidParameter('default gateway ip must be part of the network');
  }
  return ok({
    id: req.networkId,
    bridgeName,
    enableIpMasquerade,
    enableIcc,
    inhibitIpv4,
    mtu,
    defaultBindingIp,
    defaultBridge,
    hostIp,
    containerIfacePrefix,
    internal: req.internal || req.options.get(INTERNAL) === 'true',
    addressIpv4,
    defaultGatewayIpv4,
  });
}

/** `Conflicts`: the reason two bridge networks cannot coexist, if any. */
export function conflictReason(a: NetworkConfiguration, b: NetworkConfiguration): string | undefined {
  if (a.bridgeName === b.bridgeName) return 'networks have same bridge name';
  if (a.addressIpv4 !== undefined && b.addressIpv4 !== undefined) {
    const na = networkOf(a.addressIpv4);
    const nb = networkOf(b.addressIpv4);
    if (cidrContains(na, b.addressIpv4.address) || cidrContains(nb, a.addressIpv4.address)) return 'networks have overlapping IPv4';
  }
  return undefined;
}
