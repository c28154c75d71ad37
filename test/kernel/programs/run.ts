// Runs simulated programs in a namespace the way a scenario `exec:` step does: spawn with the
// default registry, then advance the engine until the process exits (or the limit kills it).
import { SECOND } from '../../../src/engine/index.js';
import { runToCompletion, spawn, type FileSystem, type NetNamespace, type Process, type Userland } from '../../../src/kernel/index.js';
import { defaultPrograms } from '../../../src/kernel/programs/index.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly proc: Process;
}

export interface RunOptions {
  readonly fs?: FileSystem;
  readonly userland?: Userland;
  readonly limitSeconds?: number;
  readonly stdin?: string;
  readonly hostname?: string;
}

function spawnIn(ns: NetNamespace, argv: readonly string[], options: RunOptions): Process {
  return spawn(defaultPrograms(), {
    ns,
    argv,
    userland: options.userland ?? 'busybox',
    ...(options.fs === undefined ? {} : { fs: options.fs }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
  });
}

/** Runs `argv` to completion (limit 300 s of virtual time by default). */
export function run(ns: NetNamespace, argv: readonly string[], options: RunOptions = {}): RunResult {
  const proc = spawnIn(ns, argv, options);
  const code = runToCompletion(proc, (options.limitSeconds ?? 300) * SECOND);
  return { code, stdout: proc.stdout, stderr: proc.stderr, proc };
}

/** Starts `argv` without running the engine (a server left running). */
export function start(ns: NetNamespace, argv: readonly string[], options: RunOptions = {}): Process {
  return spawnIn(ns, argv, options);
}

/** A shell-like split of a command line (no quoting). */
export function words(line: string): string[] {
  return line.split(/\s+/).filter(w => w !== '');
}
