/**
 * The container runtime's part: turning a container's command into a simulated process in its
 * network namespace, with its files, hostname and stdin mode; `docker exec` processes too.
 *
 * Models: what containerd + runc do for Docker 20.10 (`OCI runtime create`/`exec`): resolve
 * `argv[0]` in the image (`exec: "foo": executable file not found in $PATH`, or for a path
 * `exec: "/x": stat /x: no such file or directory`), run it as PID 1 of the container, and
 * report its exit. Programs come from the image (image-programs.ts: nginx, redis-server, sh,
 * ...) and from the shared simulated userland (ping, wget, nslookup, httpd, sleep, ip, ...),
 * which every image is assumed to carry. The container's `/etc/hosts`, `/etc/resolv.conf` and
 * `/etc/hostname` are read live from its sandbox, so a `docker network connect` shows at once.
 * Leaves out: users, working directories, environment variables reaching programs, mounts.
 */
import { Process, type FileSystem, type ProgramRegistry } from '../../kernel/index.js';
import { IMAGE_PROGRAMS, entrypointArgv, type ContainerRuntime } from '../images/index.js';
import type { Container } from './container.js';
import type { DaemonContext } from './context.js';
import { sandboxOf } from './container-network.js';
import { connectedContainer, isContainer } from './runconfig.js';

/** Programs of the host's userland that no catalogue image contains. */
const HOST_ONLY = new Set(['docker', 'dockerd']);

const OCI_CREATE = 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';
const OCI_EXEC = 'OCI runtime exec failed: exec failed: unable to start container process: ';

/** A file system view whose `/etc` files follow the container's sandbox. */
class ContainerFiles extends Map<string, string> {
  constructor(
    private readonly live: () => { hosts: string; resolvConf: string; hostname: string } | undefined,
    files: Iterable<readonly [string, string]>,
  ) {
    super(files);
  }

  override get(path: string): string | undefined {
    const l = this.live();
    if (l !== undefined) {
      if (path === '/etc/hosts') return l.hosts;
      if (path === '/etc/resolv.conf') return l.resolvConf;
      if (path === '/etc/hostname') return `${l.hostname}\n`;
    }
    return super.get(path);
  }

  override has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}

/** The container whose namespace and files `c` uses (itself, or its `--network container:`). */
export function networkOwner(ctx: DaemonContext, c: Container): Container {
  if (!isContainer(c.hostConfig.networkMode)) return c;
  const other = ctx.containers.get(connectedContainer(c.hostConfig.networkMode));
  return other.ok ? networkOwner(ctx, other.value) : c;
}

/** The container's files, live. */
export function containerFiles(ctx: DaemonContext, c: Container): FileSystem {
  return new ContainerFiles(() => {
    const sb = sandboxOf(ctx, networkOwner(ctx, c));
    return sb === undefined ? undefined : { hosts: sb.hosts(), resolvConf: sb.resolvConf(), hostname: c.config.hostname };
  }, Object.entries(c.image.files));
}

/** The namespace the container's processes run in, while it has one. */
export function containerNs(ctx: DaemonContext, c: Container): Process['ns'] | undefined {
  return sandboxOf(ctx, networkOwner(ctx, c))?.ns;
}

interface Resolved {
  readonly argv: string[];
  readonly run: (proc: Process, rt: ContainerRuntime) => void;
  readonly handlesStop: boolean;
  readonly prelude: string;
}

/** Finds what `argv` runs in the container's image, or the runtime's error text. */
function resolve(c: Container, registry: ProgramRegistry, argv: readonly string[], prelude = ''): Resolved | string {
  const arg0 = argv[0] ?? '';
  const name = arg0.slice(arg0.lastIndexOf('/') + 1);
  const inImage = c.image.binaries.includes(name);
  if (name === 'docker-entrypoint.sh' && inImage) {
    const next = entrypointArgv(c.image.repo, argv.slice(1));
    return resolve(c, registry, next.argv, prelude + next.prelude);
  }
  const spec = inImage ? IMAGE_PROGRAMS[name] : undefined;
  if (spec !== undefined) return { argv: [...argv], run: spec.program, handlesStop: spec.handlesStop, prelude };
  // The docker CLI is a host program; images do not ship it.
  const program = name === '' || HOST_ONLY.has(name) ? undefined : registry.get(name);
  if (program !== undefined) return { argv: [...argv], run: proc => program(proc), handlesStop: false, prelude };
  return arg0.includes('/') ? `exec: "${arg0}": stat ${arg0}: no such file or directory` : `exec: "${arg0}": executable file not found in $PATH`;
}

export interface Spawned {
  readonly proc: Process;
  readonly handlesStop: boolean;
}

/**
 * Starts `argv` in the container's namespace. `onReady` runs once the program is found and
 * before it starts, and `onExit` is registered before it runs, so a program that ends at once
 * is still seen after the container counts as running. Returns the runtime's error text.
 */
export function spawnInContainer(
  ctx: DaemonContext,
  c: Container,
  argv: readonly string[],
  options: { readonly interactive: boolean; readonly exec: boolean },
  onReady: (spawned: Spawned) => void,
  onExit: (code: number) => void,
): Spawned | string {
  const ns = containerNs(ctx, c);
  if (ns === undefined) return `${options.exec ? OCI_EXEC : OCI_CREATE}container ${c.id} has no network namespace: unknown`;
  const found = resolve(c, ctx.programs, argv);
  if (typeof found === 'string') return `${options.exec ? OCI_EXEC : OCI_CREATE}${found}: unknown`;
  const proc = new Process({ ns, argv: found.argv, fs: containerFiles(ctx, c), userland: 'busybox', hostname: c.config.hostname });
  const rt: ContainerRuntime = {
    interactive: options.interactive,
    spawnChild: childArgv => {
      const child = resolve(c, ctx.programs, childArgv);
      if (typeof child === 'string') return `sh: ${childArgv[0] ?? ''}: not found\n`;
      const p = new Process({ ns, argv: child.argv, fs: proc.fs, userland: 'busybox', hostname: c.config.hostname });
      proc.onCleanup(() => p.kill(9));
      child.run(p, rt);
      return p;
    },
  };
  const spawned = { proc, handlesStop: found.handlesStop };
  onReady(spawned);
  proc.onExit(onExit);
  if (found.prelude !== '') proc.out(found.prelude);
  found.run(proc, rt);
  return spawned;
}

/** Whether the runtime error means "not found" (the CLI exits 127 for it, as runc reports). */
export function isNotFoundError(message: string): boolean {
  return message.includes('executable file not found') || message.includes('no such file or directory');
}
