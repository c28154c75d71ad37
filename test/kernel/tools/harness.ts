// A simulated machine with the iproute2-family tools and the default programs registered, and a
// `sh` that runs one command line to completion the way a scenario `exec:` step does.
import { SECOND } from '../../../src/engine/index.js';
import { runToCompletion, spawn, type Host, type NetNamespace, type ProgramRegistry, type Userland, type World } from '../../../src/kernel/index.js';
import { defaultPrograms } from '../../../src/kernel/programs/index.js';
import { installToolsState, registerTools } from '../../../src/kernel/tools/index.js';
import { newHost, newWorld } from '../../support/topology.js';

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Machine {
  readonly world: World;
  readonly host: Host;
  readonly registry: ProgramRegistry;
  /** Runs `line` (split on white space) in `ns` (default: the root namespace). */
  sh(line: string | readonly string[], options?: { ns?: NetNamespace | string; userland?: Userland; limitSeconds?: number }): Result;
  /** Runs `line` and fails the test unless it exits 0; returns stdout. */
  ok(line: string, options?: { ns?: NetNamespace | string; userland?: Userland }): string;
}

export function words(line: string): string[] {
  return line.split(/\s+/).filter(w => w !== '');
}

export function machine(seed = 1): Machine {
  const world = newWorld(seed);
  const host = newHost(world, 'host1');
  installToolsState(host);
  const registry = defaultPrograms();
  registerTools(registry);
  const sh: Machine['sh'] = (line, options = {}) => {
    const ns = typeof options.ns === 'string' ? host.named.get(options.ns) : (options.ns ?? host.rootNs);
    if (ns === undefined) throw new Error(`no namespace ${String(options.ns)}`);
    const argv = typeof line === 'string' ? words(line) : line;
    const proc = spawn(registry, { ns, argv, userland: options.userland ?? 'host' });
    const code = runToCompletion(proc, (options.limitSeconds ?? 30) * SECOND);
    return { code, stdout: proc.stdout, stderr: proc.stderr };
  };
  const ok: Machine['ok'] = (line, options = {}) => {
    const r = sh(line, options);
    if (r.code !== 0) throw new Error(`"${line}" exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return { world, host, registry, sh, ok };
}
