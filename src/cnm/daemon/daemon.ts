/**
 * The Docker daemon of one host: its network controller with the built-in drivers and the
 * predefined networks, its containers and images, the Engine API the `docker` CLI calls, and
 * the view the scenario runner needs (`DockerEngine`).
 *
 * Models: moby 20.10 `daemon/daemon.go` `NewDaemon` + `daemon/daemon_unix.go`
 * `initNetworkController` (built-in drivers `bridge`, `host`, `null`, `macvlan`; networks `none`, `host`,
 * then `bridge` on `docker0` with the options `docker network inspect bridge` shows:
 * `default_bridge`, `enable_icc`, `enable_ip_masquerade`, `host_binding_ipv4=0.0.0.0`,
 * `name=docker0`, `driver.mtu=1500`, and the first predefined local pool that does not overlap a
 * host route or nameserver, normally 172.17.0.0/16; libnetwork `controller.NewNetwork`'s
 * `arrangeUserFilterRule` after every network creation), and the API routers' lookups
 * (`FindNetwork` before connect/remove: `network x not found`). dockerd is a process of the
 * host (its pid owns the embedded DNS sockets).
 *
 *   const docker = startDockerDaemon(host, programs)   // registers `docker` in `programs`
 *   spawn(programs, { ns: host.rootNs, argv: ['docker', 'run', '-d', 'nginx'] })
 *
 * Leaves out: daemon.json options (`--bip`, `--default-address-pool`, `--iptables=false`, ...),
 * swarm mode, plugins, restart and live-restore, events, `docker info` counters.
 */
import { shortId, type Instant } from '../../engine/index.js';
import { ipv4Of, nextPid, type FileSystem, type Host, type NetNamespace, type Process, type ProgramRegistry } from '../../kernel/index.js';
import { formatCidr, parseIpv4, type Cidr } from '../../packet/index.js';
import { Controller, type Endpoint, type Network } from '../core/index.js';
import { embeddedResolverFactory } from '../dns/index.js';
import { bridgeDriverFactory, type BridgeDriver } from '../drivers/bridge/index.js';
import { MACVLAN_NETWORK_TYPE, macvlanDriverFactory } from '../drivers/macvlan/index.js';
import type { ExposedPort } from '../driver-api.js';
import { notFound, ok, type Result } from '../errors.js';
import { builtinCatalogue, type ImageCatalogue } from '../images/index.js';
import { LOCAL_SCOPE_DEFAULT_POOLS, overlapsHost } from '../ipam/index.js';
import type { JsonValue } from '../docker-cli/go-json.js';
import { dockerProgram } from '../docker-cli/index.js';
import type { Container, EndpointSettings } from './container.js';
import { containerInspectJson } from './container-inspect.js';
import { createContainer, type ContainerCreateRequest, type ContainerCreateResponse } from './container-create.js';
import { execInContainer, killContainer, removeContainer, restartContainer, startContainer, stopContainer } from './container-lifecycle.js';
import { primaryAddress } from './container-network.js';
import { containerFiles, containerNs } from './container-runtime.js';
import { ContainerStore } from './container-store.js';
import type { DaemonContext, OperPortBinding } from './context.js';
import { containerSummary, imageInspectJson, type ContainerSummary } from './list.js';
import { connectContainer, createNetwork, disconnectContainer, networkJson, pruneNetworks, removeNetwork, type NetworkCreateRequest, type NetworkExtras } from './network-api.js';

/** What the scenario runner asks of a daemon (src/scenario/machines.ts `DockerEngine`). */
export interface ContainerContextView {
  readonly ns: NetNamespace;
  readonly fs: FileSystem;
  readonly hostname: string;
  readonly address: number | undefined;
}

const DEFAULT_BRIDGE_OPTIONS: readonly [string, string][] = [
  ['com.docker.network.bridge.default_bridge', 'true'],
  ['com.docker.network.bridge.enable_icc', 'true'],
  ['com.docker.network.bridge.enable_ip_masquerade', 'true'],
  ['com.docker.network.bridge.host_binding_ipv4', '0.0.0.0'],
  ['com.docker.network.bridge.name', 'docker0'],
  ['com.docker.network.driver.mtu', '1500'],
];

export class DockerDaemon {
  readonly host: Host;
  readonly controller: Controller;
  readonly pid: number;
  readonly ctx: DaemonContext;
  readonly #extras = new Map<string, NetworkExtras>();

  constructor(host: Host, programs: ProgramRegistry, images: ImageCatalogue = builtinCatalogue()) {
    this.host = host;
    this.pid = nextPid(host);
    const world = host.world;
    this.controller = new Controller(host, { resolverFactory: embeddedResolverFactory({ daemonPid: this.pid }) });
    this.controller.registerDriver('bridge', bridgeDriverFactory({ daemonOwner: { comm: 'dockerd', pid: this.pid, fd: 20 } }));
    if (!this.controller.driver(MACVLAN_NETWORK_TYPE).ok) this.controller.registerDriver(MACVLAN_NETWORK_TYPE, macvlanDriverFactory);
    const controller = this.controller;
    this.ctx = {
      host,
      controller,
      containers: new ContainerStore(),
      images,
      programs,
      ids: world.rng.stream('ids'),
      names: world.rng.stream('container-names'),
      now: () => world.engine.now,
      findNetwork: term => controller.findNetwork(term),
      endpointPorts: ep => this.#endpointPorts(ep),
      hostGatewayIp: () => {
        const gw = controller.networks().find(n => n.name === 'bridge')?.ipamV4Info[0]?.gateway;
        return gw === undefined ? undefined : formatCidr(gw).split('/')[0];
      },
    };
    this.#initNetworks();
  }

  /** `initNetworkController`'s predefined networks: none, host, then the default bridge. */
  #initNetworks(): void {
    const must = (r: Result<Network>, what: string): Network => {
      if (!r.ok) throw new Error(`docker daemon on ${this.host.name}: creating ${what}: ${r.error.message}`);
      this.#extras.set(r.value.id, { ipamOptionsNull: true });
      return r.value;
    };
    must(this.controller.newNetwork('null', 'none'), 'none');
    must(this.controller.newNetwork('host', 'host'), 'host');
    const pool = this.#defaultBridgePool();
    must(this.controller.newNetwork('bridge', 'bridge', { ipamConfig: [{ subnet: formatCidr(pool) }], options: new Map(DEFAULT_BRIDGE_OPTIONS) }), 'the default bridge');
    this.#arrangeUserFilterRule();
  }

  /** The first local predefined pool clear of the host's routes and nameservers. */
  #defaultBridgePool(): Cidr {
    const reserved: Cidr[] = [];
    for (const ns of this.host.nameservers) {
      const ip = parseIpv4(ns);
      if (ip !== undefined) reserved.push({ address: ip, prefix: 32 });
    }
    for (const r of ipv4Of(this.host.rootNs).fib.tables.get(254)?.all() ?? []) if (r.scope === 'link') reserved.push({ address: r.dst, prefix: r.prefix });
    for (const pool of LOCAL_SCOPE_DEFAULT_POOLS) if (!overlapsHost(pool, reserved)) return pool;
    throw new Error(`docker daemon on ${this.host.name}: no default pool left for docker0`);
  }

  #bridgeDriver(): BridgeDriver | undefined {
    const d = this.controller.driver('bridge');
    return d.ok ? (d.value as BridgeDriver) : undefined;
  }

  #arrangeUserFilterRule(): void {
    this.#bridgeDriver()?.arrangeUserFilterRule();
  }

  #endpointPorts(ep: Endpoint): { exposed: readonly ExposedPort[]; mapping: readonly OperPortBinding[] } | undefined {
    if (ep.network.type !== 'bridge') return undefined;
    const info = this.#bridgeDriver()?.endpointInfo(ep.network.id, ep.id);
    if (info === undefined) return undefined;
    return { exposed: info.exposedPorts, mapping: info.portMapping.map(b => ({ proto: b.proto, containerPort: b.containerPort, hostIp: b.hostIp, hostPort: b.hostPort })) };
  }

  now(): Instant {
    return this.host.world.engine.now;
  }

  // --- networks (Engine API /networks) --------------------------------------------------------

  networkCreate(req: NetworkCreateRequest): Result<{ id: string; warning: string }> {
    return createNetwork(this.ctx, req, this.#extras, () => this.#arrangeUserFilterRule());
  }

  networkList(): JsonValue[] {
    return this.controller.networks().map(n => networkJson(this.ctx, n, this.#extras.get(n.id), false));
  }

  networkInspect(ref: string): Result<JsonValue> {
    const n = this.controller.findNetwork(ref);
    return n.ok ? ok(networkJson(this.ctx, n.value, this.#extras.get(n.value.id), true)) : n;
  }

  networkRemove(ref: string): Result<void> {
    const n = this.controller.findNetwork(ref);
    return n.ok ? removeNetwork(n.value) : n;
  }

  networkConnect(netRef: string, ctrRef: string, conf: EndpointSettings | undefined): Result<void> {
    const n = this.controller.findNetwork(netRef);
    return n.ok ? connectContainer(this.ctx, ctrRef, n.value, conf) : n;
  }

  networkDisconnect(netRef: string, ctrRef: string, force: boolean): Result<void> {
    return disconnectContainer(this.ctx, ctrRef, netRef, force);
  }

  networksPrune(): string[] {
    return pruneNetworks(this.ctx);
  }

  // --- containers (Engine API /containers) ----------------------------------------------------

  #container(ref: string): Result<Container> {
    return this.ctx.containers.get(ref);
  }

  containerCreate(req: ContainerCreateRequest): Result<ContainerCreateResponse> {
    return createContainer(this.ctx, req);
  }

  /** `POST /containers/{id}/start`; `notModified` when it was running already. */
  containerStart(ref: string, options: { readonly stdinEof?: boolean } = {}): Result<{ notModified: boolean }> {
    const c = this.#container(ref);
    if (!c.ok) return c;
    if (c.value.running) return ok({ notModified: true });
    const r = startContainer(this.ctx, c.value, options.stdinEof ?? false);
    return r.ok ? ok({ notModified: false }) : r;
  }

  containerStop(ref: string, seconds: number | undefined, done: (r: Result<void>) => void): void {
    const c = this.#container(ref);
    if (!c.ok) return done(c);
    stopContainer(this.ctx, c.value, seconds ?? c.value.config.stopTimeout ?? 10, () => done(ok(undefined)));
  }

  containerRestart(ref: string, seconds: number | undefined, done: (r: Result<void>) => void): void {
    const c = this.#container(ref);
    if (!c.ok) return done(c);
    restartContainer(this.ctx, c.value, seconds ?? c.value.config.stopTimeout ?? 10, done);
  }

  containerKill(ref: string, signal: string): Result<void> {
    const c = this.#container(ref);
    return c.ok ? killContainer(c.value, signal) : c;
  }

  containerRemove(ref: string, force: boolean): Result<void> {
    const c = this.#container(ref);
    return c.ok ? removeContainer(this.ctx, c.value, force) : c;
  }

  containerInspect(ref: string): Result<JsonValue> {
    const c = this.#container(ref);
    return c.ok ? ok(containerInspectJson(c.value)) : c;
  }

  /** `docker ps`: newest first. */
  containerList(all: boolean): ContainerSummary[] {
    return [...this.ctx.containers.all()]
      .reverse()
      .filter(c => all || c.running)
      .map(c => containerSummary(c, this.now()));
  }

  /** Calls `cb` with the exit code when the container's main process ends. */
  containerWait(ref: string, cb: (code: number) => void): Result<void> {
    const c = this.#container(ref);
    if (!c.ok) return c;
    c.value.waiters.push(cb);
    return ok(undefined);
  }

  /** Everything the container's main processes wrote so far (json-file log). */
  containerLogs(ref: string): Result<{ stdout: string; stderr: string; running: Process | undefined }> {
    const c = this.#container(ref);
    if (!c.ok) return c;
    const p = c.value.process;
    return ok({ stdout: c.value.logStdout + (p?.stdout ?? ''), stderr: c.value.logStderr + (p?.stderr ?? ''), running: p });
  }

  containerExec(ref: string, argv: readonly string[], interactive: boolean, onExit: (proc: Process, code: number) => void): Result<Process> {
    const c = this.#container(ref);
    return c.ok ? execInContainer(this.ctx, c.value, argv, interactive, onExit) : c;
  }

  /** The full id of a container reference (for messages the CLI prints). */
  containerId(ref: string): Result<string> {
    const c = this.#container(ref);
    return c.ok ? ok(c.value.id) : c;
  }

  imageInspect(ref: string): Result<JsonValue> {
    const found = this.ctx.images.local(ref);
    return found === undefined ? notFound(`No such image: ${ref}`) : ok(imageInspectJson(found.image));
  }

  imageLookup(ref: string): ReturnType<ImageCatalogue['lookup']> {
    return this.ctx.images.lookup(ref);
  }

  // --- the scenario runner's view (DockerEngine) ----------------------------------------------

  containerContext(ref: string): ContainerContextView | undefined {
    const c = this.#container(ref);
    if (!c.ok || !c.value.running) return undefined;
    const ns = containerNs(this.ctx, c.value);
    if (ns === undefined) return undefined;
    return { ns, fs: containerFiles(this.ctx, c.value), hostname: c.value.config.hostname, address: primaryAddress(this.ctx, c.value) };
  }

  containerNames(): string[] {
    return this.ctx.containers.all().map(c => c.shortName);
  }

  inspect(kind: 'container' | 'network', ref: string): unknown {
    const r = kind === 'container' ? this.containerInspect(ref) : this.networkInspect(ref);
    return r.ok ? r.value : undefined;
  }

  /** A short description for logs: `dockerd (pid 1000) on host1`. */
  toString(): string {
    return `dockerd (pid ${this.pid}, controller ${shortId(this.controller.id)}) on ${this.host.name}`;
  }
}

/** Starts a Docker daemon on `host` and registers the `docker` CLI in `registry`. */
export function startDockerDaemon(host: Host, registry: ProgramRegistry): DockerDaemon {
  const daemon = new DockerDaemon(host, registry);
  registry.register('docker', dockerProgram(daemon));
  return daemon;
}
