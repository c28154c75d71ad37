/**
 * A container as the daemon keeps it: its config and host config, its state, the per-network
 * endpoint settings `docker inspect` shows, its main process and its logs.
 *
 * Models: moby 20.10 `container/container.go` (`Container`: `ID`, `Name` with its leading `/`,
 * `Path`/`Args`, `Config`, `HostConfig`, `NetworkSettings`, `RestartCount`,
 * `HasBeenStartedBefore`, `HasBeenManuallyStopped`), `container/state.go` (`StateString`,
 * `String` as `docker ps` prints it: `Up 2 minutes`, `Exited (0) 5 seconds ago`, `Created`)
 * and `daemon/network/settings.go` (`EndpointSettings` with `IPAMOperational`). State changes go
 * through `transition`, one exhaustive switch over (state, event):
 *
 *   created --start--> running --exit--> exited --start--> running
 *   created|exited --remove--> removed          running --remove--> (refused unless forced)
 *
 * Leaves out: paused and restarting states, health checks, mounts, the on-disk JSON.
 */
import type { Instant } from '../../engine/index.js';
import type { Process } from '../../kernel/index.js';
import type { ImageSpec } from '../images/index.js';

export type ContainerStatus = 'created' | 'running' | 'exited' | 'removing';
export type ContainerEvent = 'start' | 'exit' | 'remove';

/** The next status, or undefined when the event is not allowed in this status. */
export function transition(status: ContainerStatus, event: ContainerEvent): ContainerStatus | undefined {
  switch (status) {
    // A created container has never run; start runs it, rm discards it.
    case 'created':
      return event === 'start' ? 'running' : event === 'remove' ? 'removing' : undefined;
    // Only the main process ending (or being killed) leaves running (container/monitor.go).
    case 'running':
      return event === 'exit' ? 'exited' : undefined;
    // An exited container keeps its config and can run again (docker start).
    case 'exited':
      return event === 'start' ? 'running' : event === 'remove' ? 'removing' : undefined;
    // Removal is final.
    case 'removing':
      return undefined;
  }
}

/** `container.Config` (the fields cnmsim models). */
export interface ContainerConfig {
  hostname: string;
  domainname: string;
  user: string;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  env: string[] | null;
  cmd: string[] | null;
  image: string;
  workingDir: string;
  entrypoint: string[] | null;
  labels: Record<string, string>;
  /** `80/tcp` keys, in the order given. */
  exposedPorts: string[];
  macAddress: string;
  stopSignal: string | undefined;
  stopTimeout: number | undefined;
}

export interface PortBindingSpec {
  readonly hostIp: string;
  readonly hostPort: string;
}

/** `container.HostConfig` (the networking part and what inspect must show). */
export interface HostConfig {
  networkMode: string;
  /** `80/tcp` -> bindings, in the order given. */
  portBindings: Map<string, PortBindingSpec[]>;
  publishAllPorts: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[] | null;
  links: string[] | null;
  autoRemove: boolean;
  restartPolicy: { name: string; maximumRetryCount: number };
  privileged: boolean;
  capAdd: string[] | null;
}

export interface EndpointIpamConfig {
  ipv4Address: string;
  ipv6Address: string;
  linkLocalIps: string[];
}

/** `network.EndpointSettings` plus the daemon's `IPAMOperational`. */
export interface EndpointSettings {
  ipamConfig: EndpointIpamConfig | null;
  links: string[] | null;
  aliases: string[] | null;
  networkId: string;
  endpointId: string;
  gateway: string;
  ipAddress: string;
  ipPrefixLen: number;
  macAddress: string;
  driverOpts: Record<string, string> | null;
  ipamOperational: boolean;
}

export function emptyEndpointSettings(): EndpointSettings {
  return { ipamConfig: null, links: null, aliases: null, networkId: '', endpointId: '', gateway: '', ipAddress: '', ipPrefixLen: 0, macAddress: '', driverOpts: null, ipamOperational: false };
}

/** `cleanOperationalData`: what the daemon forgets when the container stops. */
export function cleanOperationalData(es: EndpointSettings): void {
  es.endpointId = '';
  es.gateway = '';
  es.ipAddress = '';
  es.ipPrefixLen = 0;
  es.macAddress = '';
  if (es.ipamOperational) es.ipamConfig = null;
}

export interface PortMapEntry {
  readonly hostIp: string;
  readonly hostPort: string;
}

export interface NetworkSettings {
  /** By network name; inspect sorts the keys. Insertion order is the attach order. */
  networks: Map<string, EndpointSettings>;
  sandboxId: string;
  sandboxKey: string;
  /** `nat.PortMap`: a key with `null` is exposed but not published. */
  ports: Map<string, PortMapEntry[] | null>;
}

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: Instant | undefined;
  finishedAt: Instant | undefined;
}

export class Container {
  readonly id: string;
  /** With its leading slash (`/c1`), as the daemon stores it. */
  name: string;
  readonly created: Instant;
  readonly path: string;
  readonly args: readonly string[];
  readonly config: ContainerConfig;
  readonly hostConfig: HostConfig;
  readonly image: ImageSpec;
  readonly state: ContainerState = { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: undefined, finishedAt: undefined };
  readonly networkSettings: NetworkSettings = { networks: new Map(), sandboxId: '', sandboxKey: '', ports: new Map() };
  restartCount = 0;
  hasBeenStartedBefore = false;
  hasBeenManuallyStopped = false;
  /** The main process while running. */
  process: Process | undefined;
  /** Whether the main process handles the stop signal (otherwise PID 1 ignores it). */
  handlesStop = false;
  /** Processes started by `docker exec`, killed with the container. */
  readonly execs = new Set<Process>();
  /** Called with the exit code when the main process ends (`docker wait`, attached `run`). */
  readonly waiters: ((code: number) => void)[] = [];
  /** Everything the main processes wrote (json-file keeps both streams). */
  logStdout = '';
  logStderr = '';

  constructor(init: { id: string; name: string; created: Instant; path: string; args: readonly string[]; config: ContainerConfig; hostConfig: HostConfig; image: ImageSpec }) {
    this.id = init.id;
    this.name = init.name;
    this.created = init.created;
    this.path = init.path;
    this.args = init.args;
    this.config = init.config;
    this.hostConfig = init.hostConfig;
    this.image = init.image;
  }

  get running(): boolean {
    return this.state.status === 'running';
  }

  /** The name without its slash (`c1`). */
  get shortName(): string {
    return this.name.slice(1);
  }

  /** Moves to the status `event` leads to; false (no change) when not allowed. */
  apply(event: ContainerEvent): boolean {
    const next = transition(this.state.status, event);
    if (next === undefined) return false;
    this.state.status = next;
    return true;
  }
}
