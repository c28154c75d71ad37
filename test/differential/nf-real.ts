// Helpers for the netfilter differential tests: the reference `iptables-save` dumps, a real
// command with stdin (still only inside this run's namespaces, see real-netns.ts `checkSafe`),
// a simulated machine with the netfilter programs, and the counter normalisation.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runToCompletion, spawn } from '../../src/kernel/index.js';
import { registerNetfilterTools } from '../../src/kernel/tools/index.js';
import { machine, type Machine } from '../kernel/tools/harness.js';
import { checkSafe, type Outcome } from './real-netns.js';

export const REFERENCE = '/work/shared/reference/docker-20.10';

export interface Dump {
  /** File (relative to REFERENCE) and the command that produced it. */
  readonly name: string;
  readonly text: string;
  readonly counters: boolean;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/iptables-save.*\.txt$/.test(e)) out.push(p);
  }
}

/** Every non-empty `iptables-save` output block (`$ cmd` / output / `[exit=N]`) of the captures. */
export function referenceDumps(root = REFERENCE): Dump[] {
  const files: string[] = [];
  try {
    walk(root, files);
  } catch {
    return [];
  }
  const dumps: Dump[] = [];
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n');
    let cmd: string | undefined;
    let body: string[] = [];
    for (const l of lines) {
      if (l.startsWith('$ ')) {
        cmd = l.slice(2);
        body = [];
      } else if (/^\[exit=\d+\]$/.test(l)) {
        if (cmd !== undefined && /(^|\s)iptables-save(\s|$)/.test(cmd) && l === '[exit=0]' && body.some(b => b.startsWith('*'))) {
          const text = `${body.join('\n')}\n`;
          dumps.push({ name: `${relative(root, f)}: ${cmd}`, text, counters: /^\[\d+:\d+\] -A /m.test(text) });
        }
        cmd = undefined;
      } else if (cmd !== undefined) body.push(l);
    }
  }
  return dumps;
}

/** Why the real iptables (nf_tables backend) cannot be used, or undefined when it can. */
export function realIptablesUnavailable(): string | undefined {
  const r = spawnSync('iptables', ['-V'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return `"iptables -V" failed (${(r.stderr ?? '').trim() || 'iptables not found'})`;
  for (const tool of ['iptables-save', 'iptables-restore']) {
    const t = spawnSync(tool, ['-V'], { encoding: 'utf8', timeout: 20_000 });
    if (t.status !== 0) return `"${tool} -V" failed (${(t.stderr ?? '').trim() || `${tool} not found`})`;
  }
  return undefined;
}

/** Runs a real command line with `input` on stdin, refused unless it stays in this run's namespaces. */
export function realRunInput(argv: readonly string[], input: string): Outcome {
  checkSafe(argv);
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000, input });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A simulated machine with `iptables`, `iptables-save`, `iptables-restore` etc. registered too. */
export function nfMachine(seed = 1): Machine {
  const m = machine(seed);
  registerNetfilterTools(m.registry);
  return m;
}

/** Runs one program in the root namespace of `m` with `stdin`. */
export function simRunInput(m: Machine, argv: readonly string[], stdin: string): Outcome {
  const proc = spawn(m.registry, { ns: m.host.rootNs, argv, userland: 'host', stdin });
  const code = runToCompletion(proc, 30_000_000_000);
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}

/** Drops `#` comment lines (dates) and byte counts: `[p:b]` becomes `[p]`. */
export function packetsOnly(save: string): string {
  return save
    .split('\n')
    .filter(l => !l.startsWith('#'))
    .join('\n')
    .replace(/\[(\d+):\d+\]/g, '[$1]');
}
