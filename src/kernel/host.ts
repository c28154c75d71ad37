/**
 * A Linux machine: its root network namespace, named namespaces (`ip netns add`, kept in
 * `/var/run/netns`) and anonymous ones (a container's, reachable only through its process).
 *
 * Models: `ip-netns(8)`; `net/core/net_namespace.c` (`copy_net_ns`). Every new namespace is
 * given its loopback device by `installNamespace` (see `stack.ts`), as `loopback_net_init` does.
 * Leaves out: mount and PID namespaces; processes exist only as simulated programs.
 */
import { NetNamespace } from './netns.js';
import type { World } from './world.js';

/** Called for every new namespace so the IP stack, loopback and sockets are set up in it. */
export type NamespaceInstaller = (ns: NetNamespace) => void;

export class Host {
  readonly world: World;
  readonly name: string;
  readonly rootNs: NetNamespace;
  /** `ip netns` names, in creation order (`ip netns list` prints newest first). */
  readonly named = new Map<string, NetNamespace>();
  /** Anonymous namespaces (containers), by a label used in traces. */
  readonly anonymous = new Map<string, NetNamespace>();
  /** Hostname (`hostname`, `/etc/hostname`). */
  hostname: string;
  /** Nameservers of the host's `/etc/resolv.conf`. */
  nameservers: string[] = [];
  /** Extension slots for host-wide modules (the Docker daemon, loaded kernel modules). */
  readonly ext = new Map<string, unknown>();
  private readonly installers: NamespaceInstaller[] = [];
  private readonly exitHandlers: NamespaceInstaller[] = [];

  constructor(world: World, name: string) {
    this.world = world;
    this.name = name;
    this.hostname = name;
    this.rootNs = new NetNamespace(this, 'root');
  }

  /** Registers setup run on every namespace, existing and future (the stack modules use it). */
  onNamespace(installer: NamespaceInstaller): void {
    this.installers.push(installer);
    installer(this.rootNs);
    for (const ns of this.named.values()) installer(ns);
    for (const ns of this.anonymous.values()) installer(ns);
  }

  /**
   * Registers teardown run when a namespace is deleted (`pernet_operations.exit`): devices
   * (`default_device_exit`: virtual devices deleted, physical ones back to the root namespace),
   * sockets, conntrack.
   */
  onNamespaceExit(handler: NamespaceInstaller): void {
    this.exitHandlers.push(handler);
  }

  /** `ip netns add NAME`. Returns undefined when the name is taken. */
  addNamedNamespace(name: string): NetNamespace | undefined {
    if (this.named.has(name)) return undefined;
    const ns = this.newNamespace(name);
    this.named.set(name, ns);
    return ns;
  }

  deleteNamedNamespace(name: string): boolean {
    const ns = this.named.get(name);
    if (ns === undefined) return false;
    this.named.delete(name);
    for (const handler of this.exitHandlers) handler(ns);
    return true;
  }

  /** A namespace without a name in `/var/run/netns` (a container's). `label` is for traces. */
  addAnonymousNamespace(label: string): NetNamespace {
    const ns = this.newNamespace(label);
    this.anonymous.set(label, ns);
    return ns;
  }

  deleteAnonymousNamespace(label: string): void {
    const ns = this.anonymous.get(label);
    this.anonymous.delete(label);
    if (ns !== undefined) for (const handler of this.exitHandlers) handler(ns);
  }

  private newNamespace(name: string): NetNamespace {
    const ns = new NetNamespace(this, name, this.rootNs);
    for (const installer of this.installers) installer(ns);
    return ns;
  }

  /** Every namespace: root first, then named, then anonymous. */
  namespaces(): NetNamespace[] {
    return [this.rootNs, ...this.named.values(), ...this.anonymous.values()];
  }
}
