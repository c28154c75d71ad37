/**
 * A network: its identity and settings, the pools IPAM gave it, its endpoints, and the names
 * its embedded DNS answers.
 *
 * Models: libnetwork `network.go` (Docker 20.10): the `network` fields (`Info()`: scope,
 * `IpamConfig`, `IpamInfo`, internal, attachable, ingress, labels, driver options, created),
 * `CreateEndpoint` / `createEndpoint`, `delete`, `EndpointByName`, `ResolveName`, `ResolveIP`:
 *
 *   createEndpoint(name):  invalid name: <n>
 *                          endpoint with name <n> already exists in network <net>
 *                          assign IPv4 address  (network-ipam.ts)
 *                          driver CreateEndpoint   failed to create endpoint <n> on network <net>: <cause>
 *                          service records, endpoint count
 *   delete():              network <name> id <id> has active endpoints
 *                          release IPAM (gateway, aux, pool) -> service records -> driver DeleteNetwork
 *
 * `created` is virtual time; `createdText()` prints it as the daemon does (docker-time.ts).
 * Leaves out: config-only / config-from networks, load-balancer endpoints and sandboxes, gossip
 * (`joinCluster`/`leaveCluster`), IPv6 pools, the datastore and endpoint-count objects.
 */
import { randomId64, type Instant } from '../../engine/index.js';
import type { Ipv4 } from '../../packet/index.js';
import type { NetworkDriver, Scope } from '../driver-api.js';
import { err, forbidden, notFound, ok, type Result } from '../errors.js';
import type { IpamOptions } from '../ipam/index.js';
import type { CoreContext } from './context.js';
import { dockerTime } from './docker-time.js';
import { Endpoint, type EndpointCreateOptions } from './endpoint.js';
import { assignIpv4, reacquireOne, releaseOne, type IpamConfig, type IpamInfo } from './network-ipam.js';
import { ServiceRecords } from './service-records.js';
import { runSteps, warn, when } from './steps.js';

/** Everything fixed when a network is created. */
export interface NetworkSettings {
  readonly id: string;
  readonly name: string;
  /** The driver (`bridge`, `host`, `null`, ...). */
  readonly type: string;
  readonly scope: Scope;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly ipamDriver: string;
  readonly ipamOptions: IpamOptions;
  /** The IPAM configuration as requested (`--subnet`, `--ip-range`, ...). */
  readonly ipamV4Config: readonly IpamConfig[];
  /** Driver options (`-o`), the `com.docker.network.generic` map. */
  readonly options: ReadonlyMap<string, string>;
  readonly labels: ReadonlyMap<string, string>;
  readonly created: Instant;
}

/** Whether `name` is usable (`config.IsValidName`). */
export function isValidName(name: string): boolean {
  return name.trim() !== '';
}

export class Network {
  readonly ctx: CoreContext;
  readonly driver: NetworkDriver;
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly scope: Scope;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly ipamDriver: string;
  readonly ipamOptions: IpamOptions;
  readonly ipamV4Config: readonly IpamConfig[];
  readonly options: ReadonlyMap<string, string>;
  readonly labels: ReadonlyMap<string, string>;
  readonly created: Instant;
  /** What IPAM handed out, one entry per config entry (filled while the network is created). */
  readonly ipamV4Info: IpamInfo[] = [];
  /** The embedded DNS's names on this network (`svcRecords[n.id]`). */
  readonly records = new ServiceRecords();
  readonly #endpoints: Endpoint[] = [];

  constructor(ctx: CoreContext, driver: NetworkDriver, s: NetworkSettings) {
    this.ctx = ctx;
    this.driver = driver;
    this.id = s.id;
    this.name = s.name;
    this.type = s.type;
    this.scope = s.scope;
    this.internal = s.internal;
    this.attachable = s.attachable;
    this.ingress = s.ingress;
    this.ipamDriver = s.ipamDriver;
    this.ipamOptions = s.ipamOptions;
    this.ipamV4Config = s.ipamV4Config;
    this.options = s.options;
    this.labels = s.labels;
    this.created = s.created;
  }

  /** `hasSpecialDriver`: `host` and `null` networks have no IPAM and no addresses. */
  get hasSpecialDriver(): boolean {
    return this.type === 'host' || this.type === 'null';
  }

  /** `Created` as `docker network inspect` prints it. */
  createdText(): string {
    return dockerTime(this.created);
  }

  /** The endpoints, in creation order. */
  endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  endpointByName(name: string): Result<Endpoint> {
    if (name === '') return err('invalidParameter', `invalid name: ${name}`);
    const ep = this.#endpoints.find(e => e.name === name);
    return ep === undefined ? notFound(`endpoint ${name} not found`) : ok(ep);
  }

  endpointById(id: string): Result<Endpoint> {
    if (id === '') return err('invalidParameter', `invalid id: ${id}`);
    const ep = this.#endpoints.find(e => e.id === id);
    return ep === undefined ? notFound(`endpoint ${id} not found`) : ok(ep);
  }

  /** `CreateEndpoint(name, options...)`. */
  createEndpoint(name: string, opts: EndpointCreateOptions = {}): Result<Endpoint> {
    if (!isValidName(name)) return err('invalidParameter', `invalid name: ${name}`);
    if (this.#endpoints.some(e => e.name === name)) return forbidden(`endpoint with name ${name} already exists in network ${this.name}`);
    const ep = new Endpoint(this, randomId64(this.ctx.ids), name, opts);
    const ipam = this.ctx.ipam(this.ipamDriver);
    if (!ipam.ok) return ipam;
    const op = `create endpoint ${name} (${this.name})`;
    const done = runSteps(this.ctx.journal, op, [
      when(!this.hasSpecialDriver, {
        name: 'assign IPv4 address',
        apply: () => {
          const r = assignIpv4(ipam.value, this.ipamV4Info, ep.preferredIp, {}, this);
          if (!r.ok) return r;
          ep.address = r.value?.address;
          ep.poolId = r.value?.poolId;
          return ok(undefined);
        },
        undo: () => {
          if (ep.address !== undefined && ep.poolId !== undefined) ipam.value.releaseAddress(ep.poolId, ep.address.address);
          ep.address = undefined;
          ep.poolId = undefined;
        },
      }),
      {
        name: 'driver createEndpoint',
        apply: () => {
          const iface = { address: ep.address, mac: ep.mac };
          const r = this.driver.createEndpoint(this.id, ep.id, iface, ep.options);
          if (!r.ok) return err('system', `failed to create endpoint ${name} on network ${this.name}: ${r.error.message}`);
          ep.mac = iface.mac;
          return ok(undefined);
        },
        undo: () => void this.driver.deleteEndpoint(this.id, ep.id),
      },
      {
        name: 'add service records',
        apply: () => {
          this.addServiceRecords(ep);
          return ok(undefined);
        },
        undo: () => this.records.removeEndpoint(ep.id),
      },
      {
        name: 'increment endpoint count',
        apply: () => {
          this.#endpoints.push(ep);
          return ok(undefined);
        },
        undo: () => this.removeEndpoint(ep),
      },
    ]);
    return done.ok ? ok(ep) : done;
  }

  /** `updateSvcRecord(ep, ..., true)` outside swarm mode. */
  addServiceRecords(ep: Endpoint): void {
    if (this.ingress || ep.address === undefined) return;
    const ip = ep.address.address;
    if (ep.anonymous) {
      const first = ep.aliases[0];
      if (first !== undefined) this.records.add(ep.id, first, ip, true);
    } else {
      this.records.add(ep.id, ep.name, ip, true);
    }
    for (const alias of ep.aliases) this.records.add(ep.id, alias, ip, false);
  }

  /** The endpoint count going down (`DecEndpointCnt`). */
  removeEndpoint(ep: Endpoint): void {
    const i = this.#endpoints.indexOf(ep);
    if (i !== -1) this.#endpoints.splice(i, 1);
  }

  /** `Delete()`; `force` skips the active-endpoint check and ignores the driver's refusal. */
  delete(force = false): Result<void> {
    const op = `delete network ${this.name}`;
    const ipam = this.ctx.ipam(this.ipamDriver);
    const infos = [...this.ipamV4Info];
    return runSteps(this.ctx.journal, op, [
      {
        name: 'check active endpoints',
        apply: () =>
          (this.ingress && !force) || (!force && this.#endpoints.length > 0)
            ? forbidden(`network ${this.name} id ${this.id} has active endpoints`)
            : ok(undefined),
      },
      when(!this.hasSpecialDriver && ipam.ok, {
        name: 'release IPAM (gateway, aux addresses, pools)',
        apply: () => {
          if (ipam.ok) for (const info of infos) releaseOne(ipam.value, info);
          this.ipamV4Info.length = 0;
          return ok(undefined);
        },
        undo: () => {
          if (ipam.ok) for (const info of infos) reacquireOne(ipam.value, info, this.ipamOptions);
          this.ipamV4Info.push(...infos);
        },
      }),
      {
        name: 'clean up service discovery',
        apply: () => {
          this.records.clear();
          return ok(undefined);
        },
      },
      force
        ? warn(this.ctx.journal, op, 'driver deleteNetwork', () => this.driver.deleteNetwork(this.id))
        : { name: 'driver deleteNetwork', apply: () => this.driver.deleteNetwork(this.id) },
      {
        name: 'remove from controller',
        apply: () => {
          this.ctx.forgetNetwork(this);
          return ok(undefined);
        },
      },
    ]);
  }

  /** `ResolveName(name, ipType)` on this network: addresses, and whether an AAAA miss is final. */
  resolveName(name: string, ipType: 'ipv4' | 'ipv6' = 'ipv4'): { readonly ips: readonly Ipv4[]; readonly ipv6Miss: boolean } {
    if (ipType === 'ipv6') return { ips: [], ipv6Miss: this.records.has(name) };
    return { ips: this.records.lookup(name), ipv6Miss: false };
  }

  /** `ResolveIP`: `<name>.<network>` for a PTR query, or undefined. */
  resolveIp(ip: Ipv4): string | undefined {
    const name = this.records.ptr(ip);
    return name === undefined ? undefined : `${name}.${this.name}`;
  }
}
