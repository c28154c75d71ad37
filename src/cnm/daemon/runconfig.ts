/**
 * The run configuration's formats and checks: a container's network mode (`--network`), the
 * validation errors the daemon answers with, `80/tcp` port keys and `name:alias` links.
 *
 * Models: moby 20.10 `api/types/container/hostconfig_unix.go` (`NetworkMode`: `IsDefault`,
 * `IsBridge`, `IsHost`, `IsNone`, `IsContainer`, `IsUserDefined`, `IsPrivate`, `NetworkName`,
 * `ConnectedContainer`), `runconfig/errors.go` (the exact texts below),
 * `runconfig/hostconfig_unix.go` `validateNetMode`/`validateNetContainerMode`, and
 * `daemon/network.go` `IsPreDefinedNetwork` (`bridge`, `host`, `none`, `default`),
 * docker/go-connections `nat.Port` (`NewPort`, `Proto`, `Int`; protocol `tcp` when absent) and
 * `opts.ParseLink` (`name` or `name:alias`; `bad format for links: x`).
 * Leaves out: port ranges as keys (the CLI expands ranges into single ports), Windows modes
 * (`nat`), `--uts`.
 */
import type { ExposedPort } from '../driver-api.js';
import { invalidParameter, type Result } from '../errors.js';
import type { ContainerConfig, HostConfig } from './container.js';

/** `runconfig.DefaultDaemonNetworkMode()`: the daemon's default network. */
export const DEFAULT_NETWORK = 'bridge';

export const RUNCONFIG = {
  conflictContainerNetworkAndLinks: "conflicting options: container type network can't be used with links. This would result in undefined behavior",
  conflictSharedNetwork: 'container sharing network namespace with another container or host cannot be connected to any other network',
  conflictHostNetwork: 'container cannot be disconnected from host network or connected to host network',
  conflictNoNetwork: 'container cannot be connected to multiple networks with one of the networks in private (none) mode',
  conflictNetworkAndDns: 'conflicting options: dns and the network mode',
  conflictNetworkHostname: 'conflicting options: hostname and the network mode',
  conflictHostNetworkAndLinks: "conflicting options: host type networking can't be used with links. This would result in undefined behavior",
  conflictContainerNetworkAndMac: 'conflicting options: mac-address and the network mode',
  conflictNetworkHosts: 'conflicting options: custom host-to-IP mapping and the network mode',
  conflictNetworkPublishPorts: 'conflicting options: port publishing and the container type network mode',
  conflictNetworkExposePorts: 'conflicting options: port exposing and the container type network mode',
  unsupportedNetworkAndIp: 'user specified IP address is supported on user defined networks only',
  unsupportedNetworkNoSubnetAndIp: 'user specified IP address is supported only when connecting to networks with user configured subnets',
  unsupportedNetworkAndAlias: 'network-scoped alias is supported only for containers in user defined networks',
  invalidContainerFormat: 'Invalid network mode: invalid container format container:<name|id>',
} as const;

export const isDefault = (m: string): boolean => m === 'default';
export const isBridge = (m: string): boolean => m === 'bridge';
export const isHost = (m: string): boolean => m === 'host';
export const isNone = (m: string): boolean => m === 'none';
export const isContainer = (m: string): boolean => m.split(':')[0] === 'container';
export const isUserDefined = (m: string): boolean => !isDefault(m) && !isBridge(m) && !isHost(m) && !isNone(m) && !isContainer(m);
/** `IsPrivate`: the container has its own network stack. */
export const isPrivate = (m: string): boolean => !(isHost(m) || isContainer(m));

/** `NetworkName()`. */
export function networkName(m: string): string {
  if (isBridge(m)) return 'bridge';
  if (isHost(m)) return 'host';
  if (isContainer(m)) return 'container';
  if (isNone(m)) return 'none';
  if (isDefault(m)) return 'default';
  return m;
}

/** `ConnectedContainer()`: the name or id after `container:`. */
export function connectedContainer(m: string): string {
  const i = m.indexOf(':');
  return i === -1 ? '' : m.slice(i + 1);
}

/** `IsPreDefinedNetwork`. */
export function isPreDefinedNetwork(name: string): boolean {
  return isBridge(name) || isHost(name) || isNone(name) || isDefault(name);
}

/** `validateNetMode` (with `validateNetContainerMode`). */
export function validateNetMode(c: ContainerConfig, hc: HostConfig): Result<void> {
  const m = hc.networkMode;
  const parts = m.split(':');
  if (parts[0] === 'container' && (parts.length < 2 || parts[1] === '')) return invalidParameter(RUNCONFIG.invalidContainerFormat);
  if (isContainer(m)) {
    if (c.hostname !== '') return invalidParameter(RUNCONFIG.conflictNetworkHostname);
    if ((hc.links ?? []).length > 0) return invalidParameter(RUNCONFIG.conflictContainerNetworkAndLinks);
    if (hc.dns.length > 0) return invalidParameter(RUNCONFIG.conflictNetworkAndDns);
    if ((hc.extraHosts ?? []).length > 0) return invalidParameter(RUNCONFIG.conflictNetworkHosts);
    if (hc.portBindings.size > 0 || hc.publishAllPorts) return invalidParameter(RUNCONFIG.conflictNetworkPublishPorts);
    if (c.exposedPorts.length > 0) return invalidParameter(RUNCONFIG.conflictNetworkExposePorts);
  }
  if ((isContainer(m) || isHost(m)) && c.macAddress !== '') return invalidParameter(RUNCONFIG.conflictContainerNetworkAndMac);
  if (isHost(m) && (hc.links ?? []).length > 0) return invalidParameter(RUNCONFIG.conflictHostNetworkAndLinks);
  return { ok: true, value: undefined };
}

export type PortProto = ExposedPort['proto'];

/** `nat.NewPort(proto, port)` as its string. */
export function portKey(port: number, proto: string): string {
  return `${port}/${proto}`;
}

/** `80/tcp` -> 80, tcp; `53` -> 53, tcp. */
export function splitPortKey(key: string): { port: number; proto: PortProto } {
  const [port = '0', proto = 'tcp'] = key.split('/');
  const p = proto.toLowerCase();
  return { port: Number(port), proto: p === 'udp' || p === 'sctp' ? p : 'tcp' };
}

/** `opts.ParseLink`. */
export function parseLink(val: string): { name: string; alias: string } | string {
  if (val === '') return 'empty string specified for links';
  const arr = val.split(':');
  if (arr.length > 2) return `bad format for links: ${val}`;
  if (arr.length === 1) return { name: val, alias: val };
  const [name = '', alias = ''] = arr;
  if (name.startsWith('/')) return { name: name.slice(1), alias: alias.slice(alias.lastIndexOf('/') + 1) };
  return { name, alias };
}
