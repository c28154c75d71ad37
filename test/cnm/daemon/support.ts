// A Docker host like the reference VM (eth0 192.0.2.2/24, default via 192.0.2.1, nameserver
// 10.255.255.53, hostname vm) with its daemon, and helpers that run `docker ...` and programs in
// containers the way a shell would, plus readers for the reference captures.
import { readFileSync } from 'node:fs';
import {
  World,
  connectHost,
  defaultPrograms,
  installKernel,
  ipv4Of,
  linkSetUp,
  registerNetfilterTools,
  registerTools,
  runToCompletion,
  spawn,
  underlay,
  type Host,
  type ProgramRegistry,
} from '../../../src/kernel/index.js';
import { mustParseCidr, mustParseIpv4 } from '../../../src/packet/index.js';
import { startDockerDaemon, type DockerDaemon } from '../../../src/cnm/index.js';
import { splitWords } from '../../../src/scenario/shell-words.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface Lab {
  readonly world: World;
  readonly host: Host;
  readonly programs: ProgramRegistry;
  readonly daemon: DockerDaemon;
  /** `docker <words>` on the host, run to completion (60 s of virtual time at most). */
  docker(command: string, stdin?: string): RunResult;
  /** A program in a running container (what `docker exec` runs). */
  exec(container: string, command: string): RunResult;
}

function words(command: string): string[] {
  const w = splitWords(command);
  if (!w.ok) throw new Error(`cannot split ${command}: ${w.message}`);
  return [...w.words];
}

export function lab(seed: number | string = 1): Lab {
  const world = new World({ seed });
  const host = world.addHost('vm');
  host.hostname = 'vm';
  installKernel(host);
  const sw = underlay(world).addSwitch('underlay');
  const nic = connectHost(sw, host, 'eth0');
  const ns = host.rootNs;
  // The VM's boot brings lo up (127.0.0.1/8), which docker-proxy needs for `-p 127.0.0.1:...`.
  linkSetUp(ns, 'lo');
  linkSetUp(ns, nic);
  ipv4Of(ns).addrAdd(nic, mustParseCidr('192.0.2.2/24'), {});
  ipv4Of(ns).routeAdd({ dst: { address: 0, prefix: 0 }, gateway: mustParseIpv4('192.0.2.1'), dev: nic });
  host.nameservers = ['10.255.255.53'];
  const programs = defaultPrograms();
  registerTools(programs);
  registerNetfilterTools(programs);
  const daemon = startDockerDaemon(host, programs);
  const run = (argv: string[], place: { ns: typeof ns; fs?: Map<string, string>; hostname?: string; userland: 'host' | 'busybox' }, stdin = ''): RunResult => {
    const proc = spawn(programs, { ns: place.ns, argv, userland: place.userland, stdin, ...(place.fs === undefined ? {} : { fs: place.fs }), ...(place.hostname === undefined ? {} : { hostname: place.hostname }) });
    const exitCode = runToCompletion(proc, 60_000_000_000);
    return { stdout: proc.stdout, stderr: proc.stderr, exitCode };
  };
  return {
    world,
    host,
    programs,
    daemon,
    docker: (command, stdin) => run(['docker', ...words(command)], { ns, userland: 'host' }, stdin),
    exec: (container, command) => {
      const c = daemon.containerContext(container);
      if (c === undefined) throw new Error(`no running container ${container}`);
      return run(words(command), { ns: c.ns, fs: c.fs, hostname: c.hostname, userland: 'busybox' });
    },
  };
}

const REFERENCE = '/work/shared/reference/docker-20.10';

/** The output of the `index`-th command in a capture file (between `$ ...` and `[exit=N]`). */
export function captured(relative: string, index = 0): { command: string; output: string; exit: number } {
  const text = readFileSync(`${REFERENCE}/${relative}`, 'utf8');
  const blocks: { command: string; output: string; exit: number }[] = [];
  let cur: { command: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('$ ') && cur === undefined) cur = { command: line.slice(2), lines: [] };
    else if (cur !== undefined && /^\[exit=\d+\]$/.test(line)) {
      blocks.push({ command: cur.command, output: cur.lines.map(l => `${l}\n`).join(''), exit: Number(line.slice(6, -1)) });
      cur = undefined;
    } else if (cur !== undefined) cur.lines.push(line);
  }
  const b = blocks[index];
  if (b === undefined) throw new Error(`${relative} has no block ${index}`);
  return b;
}

/** Replaces 64- and 12-hex ids and RFC 3339 times by placeholders, so outputs compare by shape. */
export function shape(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<id64>')
    .replace(/\b[0-9a-f]{12}\b/g, '<id12>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/"Pid": \d+/g, '"Pid": <pid>');
}
