/**
 * Starting, stopping, killing and removing containers, and what happens when their main
 * process ends.
 *
 * Models: moby 20.10 `daemon/start.go` `containerStart` (network first, then the runtime; on
 * any failure the error is recorded, the exit code set to 127 for a missing executable or 128,
 * the network released, and an `--rm` container removed), `daemon/stop.go` `containerStop`
 * (stop signal, wait `-t` seconds, then SIGKILL: exit 137), `daemon/kill.go`,
 * `daemon/restart.go`, `daemon/delete.go` `cleanupContainer` (`You cannot remove a running
 * container <id>. Stop the container before attempting removal or force remove`) and
 * `daemon/monitor.go` `handleContainerExit` (exit code and time recorded, network released,
 * restart policy, `--rm`). Stop waits in virtual time: a busybox `sleep` as PID 1 ignores
 * SIGTERM, so `docker stop` takes ten seconds and the container exits 137, as on Linux.
 * Leaves out: pause/unpause, health checks, restart-manager back-off resets on long runs.
 */
import { SECOND, type EventId } from '../../engine/index.js';
import type { Process } from '../../kernel/index.js';
import { conflict, err, ok, type DockerErrorKind, type Result } from '../errors.js';
import type { Container } from './container.js';
import type { DaemonContext } from './context.js';
import { allocateNetwork, releaseNetwork } from './container-network.js';
import { isNotFoundError, spawnInContainer } from './container-runtime.js';
import { connectedContainer, isContainer } from './runconfig.js';

const SIGKILL_EXIT = 137;
/** The restart manager's first back-off (`restartmanager.go` `defaultTimeout`). */
const RESTART_BACKOFF_NS = 100_000_000;

/**
 * `containerStart`. A container that is already running is left as it is. `stdinEof`: the
 * client attached stdin and it is at its end (`docker run -i` from a script), so a shell
 * reading it exits at once.
 */
export function startContainer(ctx: DaemonContext, c: Container, stdinEof = false): Result<void> {
  if (c.running) return ok(undefined);
  if (c.state.status === 'removing') return conflict('container is marked for removal and cannot be started');
  const fail = (message: string, kind: DockerErrorKind = 'system'): Result<void> => {
    c.state.error = message;
    if (c.state.exitCode === 0) c.state.exitCode = 128;
    releaseNetwork(ctx, c);
    if (c.hostConfig.autoRemove) removeContainer(ctx, c, true);
    return err(kind, message);
  };
  if (isContainer(c.hostConfig.networkMode)) {
    const other = ctx.containers.get(connectedContainer(c.hostConfig.networkMode));
    if (!other.ok) return fail(other.error.message, other.error.kind);
    if (other.value === c) return fail('cannot join own network', 'invalidParameter');
    if (!other.value.running) return fail(`cannot join network of a non running container: ${other.value.id}`, 'conflict');
    c.config.hostname = other.value.config.hostname;
    c.config.domainname = other.value.config.domainname;
  } else {
    const net = allocateNetwork(ctx, c);
    if (!net.ok) return fail(net.error.message, net.error.kind);
  }
  let started: Process | undefined;
  const spawned = spawnInContainer(
    ctx,
    c,
    [c.path, ...c.args],
    { interactive: c.config.openStdin && !stdinEof, exec: false },
    s => {
      started = s.proc;
      c.apply('start');
      c.process = s.proc;
      c.handlesStop = s.handlesStop;
      c.state.pid = s.proc.pid;
      c.state.exitCode = 0;
      c.state.error = '';
      c.state.startedAt = ctx.now();
      c.hasBeenStartedBefore = true;
      c.hasBeenManuallyStopped = false;
    },
    code => handleExit(ctx, c, started!, code),
  );
  if (typeof spawned === 'string') {
    if (isNotFoundError(spawned)) c.state.exitCode = 127;
    return fail(spawned, isNotFoundError(spawned) ? 'notFound' : 'system');
  }
  return ok(undefined);
}

/** `handleContainerExit`: the main process `proc` ended with `code`. */
function handleExit(ctx: DaemonContext, c: Container, proc: Process, code: number): void {
  if (c.process !== proc) return;
  c.process = undefined;
  c.logStdout += proc.stdout;
  c.logStderr += proc.stderr;
  for (const e of [...c.execs]) e.exit(SIGKILL_EXIT);
  c.execs.clear();
  c.apply('exit');
  c.state.exitCode = code;
  c.state.pid = 0;
  c.state.finishedAt = ctx.now();
  releaseNetwork(ctx, c);
  for (const w of c.waiters.splice(0)) w(code);
  if (shouldRestart(c, code)) {
    const delay = RESTART_BACKOFF_NS * 2 ** Math.min(c.restartCount, 10);
    c.restartCount++;
    ctx.host.world.engine.scheduleIn(delay, () => {
      if (c.state.status === 'exited' && !c.hasBeenManuallyStopped && ctx.containers.byId(c.id) === c) startContainer(ctx, c);
    });
    return;
  }
  if (c.hostConfig.autoRemove) removeContainer(ctx, c, true);
}

/** `RestartManager.ShouldRestart` for `--restart always|unless-stopped|on-failure[:N]`. */
function shouldRestart(c: Container, code: number): boolean {
  if (c.hasBeenManuallyStopped) return false;
  const p = c.hostConfig.restartPolicy;
  switch (p.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return code !== 0 && (p.maximumRetryCount === 0 || c.restartCount < p.maximumRetryCount);
    default:
      return false;
  }
}

/** Ends the main process as SIGKILL does (no handler runs). */
function sigkill(c: Container): void {
  c.process?.exit(SIGKILL_EXIT);
}

/** `containerStop`: stop signal, then SIGKILL after `seconds` (negative: wait forever). */
export function stopContainer(ctx: DaemonContext, c: Container, seconds: number, done: () => void): void {
  if (!c.running || c.process === undefined) {
    done();
    return;
  }
  c.hasBeenManuallyStopped = true;
  const proc = c.process;
  if (c.handlesStop) proc.kill(15);
  if (!c.running || c.process !== proc) {
    done();
    return;
  }
  let timer: EventId | undefined;
  c.waiters.push(() => {
    if (timer !== undefined) ctx.host.world.engine.cancel(timer);
    done();
  });
  if (seconds >= 0) {
    timer = ctx.host.world.engine.scheduleIn(seconds * SECOND, () => {
      timer = undefined;
      if (c.process === proc) sigkill(c);
    });
  }
}

/** `docker kill -s SIGNAL`: KILL ends the process; other signals reach only a program that handles them. */
export function killContainer(c: Container, signal: string): Result<void> {
  if (!c.running) return conflict(`Cannot kill container: ${c.shortName}: Container ${c.id} is not running`);
  const sig = signal.toUpperCase().replace(/^SIG/, '');
  if (sig === 'KILL' || sig === '9') sigkill(c);
  else if (c.handlesStop && c.process !== undefined) c.process.kill(sig === 'INT' || sig === '2' ? 2 : 15);
  return ok(undefined);
}

/** `docker restart`: stop (if running), then start. */
export function restartContainer(ctx: DaemonContext, c: Container, seconds: number, done: (r: Result<void>) => void): void {
  stopContainer(ctx, c, seconds, () => {
    c.restartCount = c.hasBeenStartedBefore ? c.restartCount : 0;
    done(startContainer(ctx, c));
  });
}

/** `ContainerRm`: a running container only with force (killed first). */
export function removeContainer(ctx: DaemonContext, c: Container, force: boolean): Result<void> {
  if (c.running) {
    if (!force) return conflict(`You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    c.hasBeenManuallyStopped = true;
    sigkill(c);
  }
  if (ctx.containers.byId(c.id) !== c) return ok(undefined);
  c.apply('remove');
  releaseNetwork(ctx, c);
  ctx.containers.remove(c);
  return ok(undefined);
}

/** `docker exec`: `argv` in the running container; the runtime error text on failure. */
export function execInContainer(ctx: DaemonContext, c: Container, argv: readonly string[], interactive: boolean, onExit: (proc: Process, code: number) => void): Result<Process> {
  if (!c.running) return conflict(`Container ${c.id} is not running`);
  let proc: Process | undefined;
  const spawned = spawnInContainer(
    ctx,
    c,
    argv,
    { interactive, exec: true },
    s => {
      proc = s.proc;
      c.execs.add(s.proc);
    },
    code => {
      c.execs.delete(proc!);
      onExit(proc!, code);
    },
  );
  if (typeof spawned === 'string') return err('system', spawned);
  return ok(spawned.proc);
}
