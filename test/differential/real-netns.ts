// Runs differential scripts against the real kernel (iproute2 as root, in throw-away
// namespaces) and against the simulator (the same lines through the simulated programs), and
// normalises what legitimately differs (MACs, interface indexes, IPv6 noise).
//
// Safety: every real command line must name only namespaces with this run's prefix (`ip netns
// add|del|exec PREFIX-x`, `ip -n PREFIX-x`, `bridge -n PREFIX-x`); anything else is refused
// before it runs, so the host's own interfaces, routes and sysctls are never touched.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { machine, type Machine } from '../kernel/tools/harness.js';

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A unique namespace prefix for this run (`cnmd` + 6 hex digits). */
export const PREFIX = `cnmd${randomBytes(3).toString('hex')}`;

function run(argv: readonly string[]): Outcome {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Why the real side cannot run here, or undefined when it can. */
export function realUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  const version = run(['ip', '-V']);
  if (version.code !== 0) return `iproute2 "ip" is not available (${version.stderr.trim() || 'spawn failed'})`;
  const probe = `${PREFIX}-probe`;
  const added = run(['ip', 'netns', 'add', probe]);
  if (added.code !== 0) return `"ip netns add" failed: ${added.stderr.trim()}`;
  run(['ip', 'netns', 'del', probe]);
  return undefined;
}

/** Whether a real `ping` exists (iputils or busybox). */
export function realPingAvailable(): boolean {
  return run(['ping', '-V']).code === 0 || run(['ping', '-h']).stderr.includes('Usage');
}

/** Refuses any line that could reach outside this run's namespaces. */
export function checkSafe(argv: readonly string[]): void {
  const tool = argv[0];
  const ns = (name: string | undefined): boolean => name !== undefined && name.startsWith(`${PREFIX}-`);
  if (tool === 'ip' && argv[1] === 'netns' && (argv[2] === 'add' || argv[2] === 'del' || argv[2] === 'exec') && ns(argv[3])) return;
  if ((tool === 'ip' || tool === 'bridge') && argv[1] === '-n' && ns(argv[2])) return;
  throw new Error(`refusing to run outside the test namespaces: ${argv.join(' ')}`);
}

export function realRun(argv: readonly string[]): Outcome {
  checkSafe(argv);
  return run(argv);
}

/** Deletes every namespace of this run (also after a failure part-way). */
export function cleanupReal(): void {
  const list = run(['ip', 'netns', 'list']);
  for (const line of list.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${PREFIX}-`)) run(['ip', 'netns', 'del', name]);
  }
}

/** Drops IPv6 and device multicast noise, and replaces MACs and interface indexes. */
export function normalise(text: string): string {
  const kept: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('    inet6 ')) {
      i++;
      continue;
    }
    if (/ self permanent$/.test(l)) continue;
    if (/(^|\s)(fe80::|ff00::|::1|multicast ff)/.test(l)) continue;
    kept.push(l);
  }
  return kept
    .join('\n')
    .replace(/\b(?!00:00:00:00:00:00|ff:ff:ff:ff:ff:ff)[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/g, 'MAC')
    .replace(/^\d+: /gm, 'N: ')
    .replace(/@if\d+/g, '@ifN');
}

/** What one step of a script is compared on. */
export type Compare = 'all' | 'status';

export interface Step {
  readonly line: string;
  readonly compare: Compare;
  /** Real-side setup the model has no counterpart for (e.g. disabling IPv6). */
  readonly realOnly?: boolean;
}

export interface Observation {
  readonly line: string;
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** The script's lines with this run's prefix substituted for `NS-`. */
export function expand(steps: readonly Step[]): Step[] {
  return steps.map(s => ({ ...s, line: s.line.replace(/\bNS-/g, `${PREFIX}-`) }));
}

function observe(step: Step, o: Outcome): Observation {
  const own = (t: string): string => t.replaceAll(PREFIX, 'NS');
  const line = own(step.line);
  if (step.compare === 'status') return { line, code: o.code };
  return { line, code: o.code, stdout: own(normalise(o.stdout)), stderr: own(normalise(o.stderr)) };
}

function split(line: string): string[] {
  return line.split(/\s+/).filter(w => w !== '');
}

/** Runs the script on the real kernel. */
export function runRealScript(steps: readonly Step[]): Observation[] {
  const out: Observation[] = [];
  for (const s of steps) {
    const o = realRun(split(s.line));
    if (!s.realOnly) out.push(observe(s, o));
  }
  return out;
}

/** Runs the script in a fresh simulated machine (virtual time limit per line 30 s). */
export function runSimScript(steps: readonly Step[], m: Machine = machine()): Observation[] {
  const out: Observation[] = [];
  for (const s of steps) if (!s.realOnly) out.push(observe(s, m.sh(split(s.line))));
  return out;
}
