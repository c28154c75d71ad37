/**
 * Simulated processes: a program started in a namespace with argv, writing stdout and stderr and
 * ending with an exit code, possibly after virtual time has passed (ping waits for replies).
 *
 * Models: a process as the shell sees it (argv, exit status, output). Programs are written in
 * callback style on the engine clock, never with promises or host timers, so the run stays
 * deterministic: a program starts, schedules engine events or registers socket callbacks, and
 * calls `exit` when it is done. A daemon (`httpd` without `-f`) exits at once and leaves its
 * sockets bound. A process has a pid (a counter per host, so `ss -p` and ping identifiers are
 * reproducible), file descriptor numbers for the sockets it opens, timers on the engine clock
 * that die with it (`after`), and an optional handler for the signal that ends it (tcpdump
 * prints its counts on SIGTERM and exits 0).
 * Leaves out: signals other than the run's time limit, pipes between programs, job control.
 */
import type { EventId } from '../engine/index.js';
import type { Host } from './host.js';
import type { NetNamespace } from './netns.js';

/** The files a program can read (`/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname`). */
export type FileSystem = Map<string, string>;

/** Which userland the program imitates: busybox 1.35 in containers, iproute2 6.x etc. on hosts. */
export type Userland = 'busybox' | 'host';

export interface ProcessOptions {
  readonly ns: NetNamespace;
  readonly argv: readonly string[];
  readonly fs?: FileSystem;
  readonly userland?: Userland;
  readonly hostname?: string;
  readonly stdin?: string;
  /** The process id; by default the host's next one (see `nextPid`). */
  readonly pid?: number;
}

/** The first pid a host hands out; only its stability matters (`ss` prints it). */
const FIRST_PID = 1000;
const PID_KEY = 'pid-counter';

/** The host's next process id: a counter per host, so runs are reproducible. */
export function nextPid(host: Host): number {
  const current = host.ext.get(PID_KEY);
  const pid = typeof current === 'number' ? current : FIRST_PID;
  host.ext.set(PID_KEY, pid + 1);
  return pid;
}

export class Process {
  readonly ns: NetNamespace;
  readonly argv: readonly string[];
  readonly fs: FileSystem;
  readonly userland: Userland;
  readonly hostname: string;
  readonly stdin: string;
  readonly pid: number;
  /** `comm`: the name `ss -p` and `ps` show, the basename of `argv[0]`. */
  readonly comm: string;
  stdout = '';
  stderr = '';
  exitCode: number | undefined = undefined;
  private readonly exitListeners: ((code: number) => void)[] = [];
  /** Cleanups run at exit (close sockets, cancel timers). */
  private readonly cleanups: (() => void)[] = [];
  private readonly timers = new Set<EventId>();
  private signalHandler: ((signal: number) => void) | undefined = undefined;
  /** The next file descriptor `allocFd` gives out (0-2 are stdio). */
  private nextFd = 3;

  constructor(options: ProcessOptions) {
    this.ns = options.ns;
    this.argv = options.argv;
    this.fs = options.fs ?? new Map();
    this.userland = options.userland ?? (options.ns.isRoot ? 'host' : 'busybox');
    this.hostname = options.hostname ?? options.ns.host.hostname;
    this.stdin = options.stdin ?? '';
    this.pid = options.pid ?? nextPid(options.ns.host);
    const arg0 = options.argv[0] ?? '';
    this.comm = arg0.slice(arg0.lastIndexOf('/') + 1);
  }

  /** A new file descriptor number (a socket the process opens), as `ss -p` shows it. */
  allocFd(): number {
    return this.nextFd++;
  }

  /**
   * Runs `fn` after `delay` ns of virtual time, unless the process has exited by then; pending
   * timers are cancelled at exit.
   */
  after(delay: number, fn: () => void): EventId {
    const engine = this.ns.host.world.engine;
    const id = engine.scheduleIn(delay, () => {
      this.timers.delete(id);
      if (!this.done) fn();
    });
    this.timers.add(id);
    return id;
  }

  cancelTimer(id: EventId | undefined): void {
    if (id === undefined) return;
    this.timers.delete(id);
    this.ns.host.world.engine.cancel(id);
  }

  /**
   * Installs a handler for SIGTERM/SIGINT (tcpdump prints its counts, ping its statistics). The
   * handler usually calls `exit`; if it does not, the process dies with 128 + signal.
   */
  onSignal(handler: (signal: number) => void): void {
    this.signalHandler = handler;
  }

  get host(): Host {
    return this.ns.host;
  }

  get done(): boolean {
    return this.exitCode !== undefined;
  }

  out(text: string): void {
    this.stdout += text;
  }

  err(text: string): void {
    this.stderr += text;
  }

  /** Registers a cleanup to run when the process exits (or is killed). */
  onCleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  onExit(listener: (code: number) => void): void {
    if (this.exitCode !== undefined) listener(this.exitCode);
    else this.exitListeners.push(listener);
  }

  exit(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    const engine = this.ns.host.world.engine;
    for (const id of this.timers) engine.cancel(id);
    this.timers.clear();
    for (const fn of this.cleanups.splice(0)) fn();
    for (const l of this.exitListeners.splice(0)) l(code);
  }

  /** Killed by a signal (the scenario's time limit): exit status 128 + signal, like a shell reports. */
  kill(signal = 15): void {
    if (this.exitCode !== undefined) return;
    const handler = this.signalHandler;
    this.signalHandler = undefined;
    if (handler !== undefined) handler(signal);
    this.exit(128 + signal);
  }
}

/** A program: starts work for `proc` and eventually calls `proc.exit(code)`. */
export type Program = (proc: Process) => void;

/** The programs a namespace can run, by `argv[0]` (`ip`, `ping`, `busybox`...). */
export class ProgramRegistry {
  private readonly programs = new Map<string, Program>();

  register(name: string, program: Program): void {
    this.programs.set(name, program);
  }

  get(name: string): Program | undefined {
    return this.programs.get(name);
  }

  names(): string[] {
    return [...this.programs.keys()].sort();
  }
}

/**
 * Starts `argv` in `ns`. An unknown program fails as a shell does (`sh: foo: not found`, exit 127).
 * The caller advances the engine until `proc.done` (see `runToCompletion`).
 */
export function spawn(registry: ProgramRegistry, options: ProcessOptions): Process {
  const proc = new Process(options);
  const name = options.argv[0] ?? '';
  const program = registry.get(name);
  if (program === undefined) {
    proc.err(proc.userland === 'busybox' ? `sh: ${name}: not found\n` : `bash: ${name}: command not found\n`);
    proc.exit(127);
    return proc;
  }
  program(proc);
  return proc;
}

/**
 * Runs the engine until the process exits or `limitNs` of virtual time passes (then it is killed
 * with SIGTERM, exit 143, as `timeout` would). Events due after the deadline are left queued;
 * a process still running at the deadline finds the clock exactly there. Returns the exit code.
 */
export function runToCompletion(proc: Process, limitNs: number): number {
  const engine = proc.ns.host.world.engine;
  const deadline = engine.now + limitNs;
  while (!proc.done) {
    const next = engine.nextEventAt();
    if (next === undefined || next > deadline) break;
    engine.step();
  }
  if (!proc.done) {
    engine.runUntil(deadline);
    proc.kill(15);
  }
  return proc.exitCode!;
}
