/**
 * A sandbox: one container's network stack, i.e. its namespace, the endpoints joined to it in
 * gateway order, its /etc/hosts and resolv.conf, and its embedded DNS.
 *
 * Models: libnetwork `sandbox.go` (Docker 20.10): `ID` (a fresh random id, not the container
 * id), `Key` (`/var/run/docker/netns/<id[:12]>`, or `.../default` for the host's namespace),
 * `Labels` (what drivers get at Join and ProgramExternalConnectivity: port bindings and exposed
 * ports from `OptionPortMapping`/`OptionExposedPorts`), `Endpoints`, `getGatewayEndpoint`,
 * `updateGateway`, `clearNetworkResources`, `startResolver` (once), `ResolveName` / `ResolveIP`
 * (every split of `a.b.c` into name and network, link aliases before names, endpoints in sandbox
 * order), and `Delete` (leave and delete every endpoint except docker_gwbridge's, stop the
 * resolver, destroy the namespace).
 * Leaves out: `Refresh`, `SetKey`/external keys, `Rename`, `Statistics`, `ResolveService` (SRV),
 * `EnableService`/`DisableService`, the swarm-mode lookup order (dynamic, ingress, then local
 * networks), ingress and load-balancer sandboxes.
 */
import type { Ipv4 } from '../../packet/index.js';
import type { EndpointOptions, ExposedPort, PortBinding } from '../driver-api.js';
import { err, ok, type Result } from '../errors.js';
import type { CoreContext } from './context.js';
import type { Endpoint } from './endpoint.js';
import { endpointInGwNetwork, gatewayEndpoint, insertSorted } from './endpoint-order.js';
import type { OslSandbox } from './osl.js';
import type { EmbeddedResolver, ExternalDns } from './resolver-api.js';
import type { SandboxFiles } from './sandbox-files.js';
import { runSteps, warn } from './steps.js';

/** The sandbox-wide settings drivers and the resolver see. */
export interface SandboxSettings {
  readonly id: string;
  readonly containerId: string;
  readonly key: string;
  readonly hostname: string;
  readonly useDefaultSandbox: boolean;
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly ExposedPort[];
  readonly generic: ReadonlyMap<string, string>;
}

export class Sandbox {
  readonly ctx: CoreContext;
  readonly id: string;
  readonly containerId: string;
  /** The namespace path (`Key()`). */
  readonly key: string;
  readonly hostname: string;
  readonly useDefaultSandbox: boolean;
  readonly osl: OslSandbox;
  readonly files: SandboxFiles;
  readonly #labels: EndpointOptions;
  /** Sorted as endpoint-order.ts says. */
  readonly #endpoints: Endpoint[] = [];
  /** `epPriority`. */
  readonly #priority = new Map<string, number>();
  #resolver: EmbeddedResolver | undefined;
  #resolverTried = false;

  constructor(ctx: CoreContext, s: SandboxSettings, osl: OslSandbox, files: SandboxFiles) {
    this.ctx = ctx;
    this.id = s.id;
    this.containerId = s.containerId;
    this.key = s.key;
    this.hostname = s.hostname;
    this.useDefaultSandbox = s.useDefaultSandbox;
    this.osl = osl;
    this.files = files;
    this.#labels = { portBindings: s.portBindings, exposedPorts: s.exposedPorts, generic: s.generic };
  }

  get ns(): OslSandbox['ns'] {
    return this.osl.ns;
  }

  /** `Labels()` as drivers receive them. */
  labels(): EndpointOptions {
    return this.#labels;
  }

  /** The container's `/etc/resolv.conf`. */
  resolvConf(): string {
    return this.files.resolvConf;
  }

  /** The container's `/etc/hosts`. */
  hosts(): string {
    return this.files.hosts;
  }

  /** The embedded DNS's upstream servers (`extDNS`). */
  externalResolvers(): readonly ExternalDns[] {
    return this.files.extDns;
  }

  /** Whether the user set `ndots` (the resolver then does not forward single-label misses). */
  get ndotsSet(): boolean {
    return this.files.ndotsSet;
  }

  get resolver(): EmbeddedResolver | undefined {
    return this.#resolver;
  }

  /** The joined endpoints, first = best gateway candidate (`Endpoints()`). */
  endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  priorityOf(ep: Endpoint): number {
    return this.#priority.get(ep.id) ?? 0;
  }

  setPriority(ep: Endpoint, priority: number): void {
    this.#priority.set(ep.id, priority);
  }

  clearPriority(ep: Endpoint): void {
    this.#priority.delete(ep.id);
  }

  addEndpoint(ep: Endpoint): void {
    insertSorted(this.#endpoints, ep, e => this.priorityOf(e));
  }

  removeEndpoint(ep: Endpoint): void {
    const i = this.#endpoints.indexOf(ep);
    if (i !== -1) this.#endpoints.splice(i, 1);
  }

  /** `getGatewayEndpoint`. */
  gatewayEndpoint(): Endpoint | undefined {
    return gatewayEndpoint(this.#endpoints);
  }

  /** `updateGateway`: the default route now goes through `ep`'s gateway (none if undefined). */
  updateGateway(ep: Endpoint | undefined): Result<void> {
    this.osl.unsetGateway();
    if (ep === undefined) return ok(undefined);
    const r = this.osl.setGateway(ep.gateway());
    return r.ok ? r : err('system', `failed to set gateway while updating gateway: ${r.error.message}`);
  }

  /** `startResolver`, once per sandbox; true when this call started it. */
  startResolver(operation: string): boolean {
    if (this.#resolverTried) return false;
    this.#resolverTried = true;
    const resolver = this.ctx.resolverFactory.newResolver(this);
    const rebuilt = this.files.rebuildDNS(resolver);
    if (!rebuilt.ok) {
      this.ctx.journal.record(operation, 'start embedded DNS', 'warned', `Updating resolv.conf failed for container ${this.containerId}, ${rebuilt.error.message}`);
      return true;
    }
    resolver.setExtServers(this.files.extDns);
    const started = resolver.start();
    if (!started.ok) this.ctx.journal.record(operation, 'start embedded DNS', 'warned', `Resolver Start failed for container ${this.containerId}, ${started.error.message}`);
    this.#resolver = resolver;
    return true;
  }

  /** Stops the resolver so a later join may start it again (the undo of a failed first join). */
  stopResolver(): void {
    this.#resolver?.stop();
    this.#resolver = undefined;
    this.#resolverTried = false;
  }

  /** `clearNetworkResources(ep)`: interface and routes out, list updated, default route moved. */
  clearNetworkResources(ep: Endpoint): Result<void> {
    if (ep.iface !== undefined) this.osl.removeInterface(ep.iface);
    ep.iface = undefined;
    for (const r of ep.joinInfo?.staticRoutes ?? []) if (r.nextHop !== undefined) this.osl.removeStaticRoute(r.destination, r.nextHop);
    if (!this.#endpoints.includes(ep)) return ok(undefined);
    const before = this.gatewayEndpoint();
    this.removeEndpoint(ep);
    this.#priority.delete(ep.id);
    const after = this.gatewayEndpoint();
    return after !== undefined && after !== before ? this.updateGateway(after) : ok(undefined);
  }

  /**
   * `ResolveName(name, ipType)`: `a.b.c` is tried as `a.b.c` on every network, then `a.b` on
   * network `c`, then `a` on network `b.c`; each first through link aliases, then names.
   */
  resolveName(query: string, ipType: 'ipv4' | 'ipv6' = 'ipv4'): { readonly ips: readonly Ipv4[]; readonly ipv6Miss: boolean } {
    const name = query.endsWith('.') ? query.slice(0, -1) : query;
    const reqNames = [name];
    const netNames = [''];
    for (let dup = name, i = dup.lastIndexOf('.'); i !== -1; dup = dup.slice(0, i), i = dup.lastIndexOf('.')) {
      netNames.push(name.slice(i + 1));
      reqNames.push(name.slice(0, i));
    }
    for (let i = 0; i < reqNames.length; i++) {
      for (const alias of [true, false]) {
        const r = this.#resolveOn(reqNames[i]!, netNames[i]!, alias, ipType);
        if (r.ips.length > 0 || r.ipv6Miss) return r;
      }
    }
    return { ips: [], ipv6Miss: false };
  }

  #resolveOn(req: string, networkName: string, alias: boolean, ipType: 'ipv4' | 'ipv6'): { ips: readonly Ipv4[]; ipv6Miss: boolean } {
    let ipv6Miss = false;
    for (const ep of this.#endpoints) {
      const n = ep.network;
      if (networkName !== '' && networkName !== n.name) continue;
      let name = req;
      if (alias) {
        const target = ep.linkAliases.get(req);
        if (target === undefined) continue;
        name = target;
      } else if (ep.linkAliases.has(req)) {
        continue;
      }
      const r = n.resolveName(name, ipType);
      if (r.ips.length > 0) return { ips: r.ips, ipv6Miss: false };
      if (r.ipv6Miss) ipv6Miss = true;
    }
    return { ips: [], ipv6Miss };
  }

  /** `ResolveIP`: the PTR answer from the first network that knows the address. */
  resolveIp(ip: Ipv4): string | undefined {
    for (const ep of this.#endpoints) {
      const name = ep.network.resolveIp(ip);
      if (name !== undefined) return name;
    }
    return undefined;
  }

  /** `Delete()`: every endpoint left and deleted (docker_gwbridge's excepted), then the namespace. */
  delete(): Result<void> {
    const op = `delete sandbox ${this.id.slice(0, 12)} (container ${this.containerId.slice(0, 12)})`;
    const journal = this.ctx.journal;
    const steps = this.#endpoints
      .filter(ep => !endpointInGwNetwork(ep))
      .flatMap(ep => [
        warn(journal, op, `leave ${ep.name} (${ep.network.name})`, () => ep.leave(this)),
        warn(journal, op, `delete ${ep.name} (${ep.network.name})`, () => ep.delete(false)),
      ]);
    return runSteps(journal, op, [
      ...steps,
      {
        name: 'stop embedded DNS',
        apply: () => {
          this.#resolver?.stop();
          this.#resolver = undefined;
          return ok(undefined);
        },
      },
      {
        name: 'destroy namespace',
        apply: () => {
          this.osl.destroy();
          this.ctx.forgetSandbox(this);
          return ok(undefined);
        },
      },
    ]);
  }
}
