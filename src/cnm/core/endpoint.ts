/**
 * An endpoint: one container's attachment to one network, with its address, MAC and names, and
 * the sandbox it is joined to.
 *
 * Models: libnetwork `endpoint.go` (Docker 20.10): the `endpoint` fields (`iface` address and
 * MAC, `myAliases` from `CreateOptionMyAlias`, `aliases` from `CreateOptionAlias`,
 * `disableResolution`, `anonymous`, `joinInfo`, `sandboxID`) and `Delete(force)`:
 *
 *   refuse while joined (unless force)   endpoint with name <n> id <id> has active containers
 *   [force: leave the sandbox]
 *   service records removed              (unWatchSvcRecord)
 *   driver DeleteEndpoint                only a Forbidden error stops a non-forced delete
 *   IPv4 address released
 *   endpoint count - 1
 *
 * `join` and `leave` are in `endpoint-join.ts`; creation is `Network.createEndpoint`.
 * Leaves out: IPv6 addresses, link-local addresses, the store, swarm service fields (`svcID`,
 * `virtualIP`, `ingressPorts`), `rename`.
 */
import { formatIpv4, type Cidr, type Ipv4, type Mac } from '../../packet/index.js';
import type { EndpointOptions, ExposedPort, JoinInfo, PortBinding } from '../driver-api.js';
import { forbidden, ok, type Result } from '../errors.js';
import { joinEndpoint, leaveEndpoint, type JoinOptions } from './endpoint-join.js';
import type { Network } from './network.js';
import type { OslInterface } from './osl.js';
import type { Sandbox } from './sandbox.js';
import { runSteps, warn, when } from './steps.js';

/** `network.CreateEndpoint` options (`CreateOptionIpam`, `CreateOptionMyAlias`, ...). */
export interface EndpointCreateOptions {
  /** `--ip`: the preferred IPv4 address. */
  readonly ip?: Ipv4;
  /** `CreateOptionMyAlias`: `--network-alias` values and, as the daemon adds it, the short container id. */
  readonly aliases?: readonly string[];
  /** `CreateOptionAlias(name, alias)`: `--link` on a user network, alias to target name. */
  readonly linkAliases?: ReadonlyMap<string, string>;
  /** `com.docker.network.endpoint.macaddress`. */
  readonly macAddress?: Mac;
  readonly portBindings?: readonly PortBinding[];
  readonly exposedPorts?: readonly ExposedPort[];
  /** `CreateOptionDisableResolution`: no embedded DNS for this endpoint (default bridge). */
  readonly disableResolution?: boolean;
  /** `CreateOptionAnonymous`: the endpoint name is not a DNS name. */
  readonly anonymous?: boolean;
  /** Other generic options for the driver (`--driver-opt`). */
  readonly generic?: ReadonlyMap<string, string>;
}

export class Endpoint {
  readonly id: string;
  readonly name: string;
  readonly network: Network;
  readonly aliases: readonly string[];
  readonly linkAliases: ReadonlyMap<string, string>;
  readonly disableResolution: boolean;
  readonly anonymous: boolean;
  /** The preferred address asked for (`ep.prefAddress`). */
  readonly preferredIp: Ipv4 | undefined;
  /** What the driver's endpoint calls receive. */
  readonly options: EndpointOptions;
  /** IPv4 address with the pool's prefix; undefined on `host`/`null` networks. */
  address: Cidr | undefined;
  /** The IPAM pool the address came from (`iface.v4PoolID`). */
  poolId: string | undefined;
  /** The container-side MAC, from the user or the driver. */
  mac: Mac | undefined;
  /** Set while joined (`sandboxID`). */
  sandboxId: string | undefined;
  /** What the driver's Join said (`joinInfo`); undefined when not joined. */
  joinInfo: JoinInfo | undefined;
  /** The device in the sandbox, once placed there. */
  iface: OslInterface | undefined;

  constructor(network: Network, id: string, name: string, opts: EndpointCreateOptions) {
    this.network = network;
    this.id = id;
    this.name = name;
    this.aliases = opts.aliases ?? [];
    this.linkAliases = opts.linkAliases ?? new Map();
    this.disableResolution = opts.disableResolution ?? false;
    this.anonymous = opts.anonymous ?? false;
    this.preferredIp = opts.ip;
    this.mac = opts.macAddress;
    const base = { portBindings: opts.portBindings ?? [], exposedPorts: opts.exposedPorts ?? [], generic: opts.generic ?? new Map<string, string>() };
    this.options = opts.macAddress === undefined ? base : { ...base, macAddress: opts.macAddress };
  }

  /** `Gateway()`: the IPv4 gateway the driver set at Join. */
  gateway(): Ipv4 | undefined {
    return this.joinInfo?.gateway;
  }

  gatewayIPv6(): string | undefined {
    return this.joinInfo?.gatewayIPv6;
  }

  /** `needResolver`: whether joining starts the sandbox's embedded DNS. */
  needResolver(): boolean {
    return !this.disableResolution;
  }

  /** The address without prefix, as /etc/hosts and inspect print it. */
  ipText(): string | undefined {
    return this.address === undefined ? undefined : formatIpv4(this.address.address);
  }

  /** `Join(sandbox, JoinOptionPriority(p))`. */
  join(sandbox: Sandbox, options: JoinOptions = {}): Result<void> {
    return joinEndpoint(this, sandbox, options);
  }

  /** `Leave(sandbox)`. */
  leave(sandbox: Sandbox): Result<void> {
    return leaveEndpoint(this, sandbox);
  }

  /** `Delete(force)`. */
  delete(force = false): Result<void> {
    const n = this.network;
    const ctx = n.ctx;
    const sb = this.sandboxId === undefined ? undefined : ctx.sandboxById(this.sandboxId);
    if (sb !== undefined && !force) return forbidden(`endpoint with name ${this.name} id ${this.id} has active containers`);
    const op = `delete endpoint ${this.name} (${n.name})`;
    return runSteps(ctx.journal, op, [
      sb === undefined ? undefined : warn(ctx.journal, op, 'leave sandbox', () => leaveEndpoint(this, sb)),
      {
        name: 'remove service records',
        apply: () => {
          n.records.removeEndpoint(this.id);
          return ok(undefined);
        },
        undo: () => n.addServiceRecords(this),
      },
      {
        name: 'driver deleteEndpoint',
        apply: () => {
          const r = n.driver.deleteEndpoint(n.id, this.id);
          if (r.ok) return r;
          if (r.error.kind === 'forbidden' && !force) return r;
          ctx.journal.record(op, 'driver deleteEndpoint', 'warned', r.error.message);
          return ok(undefined);
        },
      },
      when(this.address !== undefined && this.poolId !== undefined && !n.hasSpecialDriver, {
        name: 'release IPv4 address',
        apply: () => {
          const ipam = ctx.ipam(n.ipamDriver);
          if (ipam.ok && this.address !== undefined && this.poolId !== undefined) {
            const r = ipam.value.releaseAddress(this.poolId, this.address.address);
            if (!r.ok) ctx.journal.record(op, 'release IPv4 address', 'warned', r.error.message);
          }
          return ok(undefined);
        },
      }),
      {
        name: 'decrement endpoint count',
        apply: () => {
          n.removeEndpoint(this);
          return ok(undefined);
        },
      },
    ]);
  }
}
