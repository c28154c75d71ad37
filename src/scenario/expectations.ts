/**
 * The `reach`, `dns`, `exec` and `inspect` expectations (design.md section 6). Each one is
 * answered the way a person would check it, by running a real (simulated) program where the
 * expectation says: `reach` pings (ICMP) or connects (`nc -z`, TCP; `nc -u`, UDP) from the
 * source, `dns` asks the source's resolver with `nslookup`. So every answer emerges from packets
 * walking the simulated kernel; nothing here decides reachability or DNS by itself.
 *
 * Models: `ping -c 1 -W 1`, `nc -z -w 2`, busybox `nslookup -type=a NAME` as in the reference
 * captures; `docker inspect` JSON paths.
 * Leaves out: the `trace` expectation (trace-expectation.ts).
 */
import { formatIpv4 } from '../packet/index.js';
import type { RunContext } from './context.js';
import { parseTarget } from './formats.js';
import type { ExpectationReport } from './report.js';
import type { DnsExpectation, ExecExpectation, InspectExpectation, ReachExpectation } from './schema.js';
import { splitWords } from './shell-words.js';
import { failedCheck } from './text-checks.js';

type Outcome = Omit<ExpectationReport, 'index' | 'kind'>;

/** Resolves `to:` (a name, an address, `NAME:PORT`) to an address and port. */
export function resolveTarget(ctx: RunContext, to: string, port: number | undefined): { address: number; port: number | undefined } | string {
  const t = parseTarget(to);
  if ('expected' in t) return `cannot read target ${JSON.stringify(to)}: expected ${t.expected}`;
  const name = t.address ?? t.name;
  const address = name === undefined ? undefined : ctx.address(name);
  if (address === undefined) return `${to} has no address (is it running?)`;
  return { address, port: port ?? t.port };
}

export function checkReach(ctx: RunContext, e: ReachExpectation): Outcome {
  const place = ctx.place(e.from);
  const target = resolveTarget(ctx, e.to, e.port);
  const want = e.ok ? 'reaches' : 'does not reach';
  if (place === undefined) return { ok: false, message: `reach: ${e.from} does not exist` };
  if (typeof target === 'string') return { ok: false, message: `reach ${e.from} → ${e.to}: ${target}` };
  const proto = e.proto ?? (target.port === undefined ? 'icmp' : 'tcp');
  const addr = formatIpv4(target.address);
  const argv =
    proto === 'icmp'
      ? ['ping', '-c', '1', '-W', '1', addr]
      : proto === 'tcp'
        ? ['nc', '-z', '-w', '2', addr, String(target.port)]
        : ['nc', '-u', '-z', '-w', '2', addr, String(target.port)];
  const proc = ctx.run(place, argv);
  const reached = proc.exitCode === 0;
  const what = `${e.from} ${want} ${e.to}${e.port === undefined ? '' : `:${e.port}`} (${proto}, ${addr})`;
  const ok = reached === e.ok;
  return ok
    ? { ok, message: what }
    : { ok, message: `expected ${what}, but it ${reached ? 'did' : 'did not'}`, detail: `${argv.join(' ')}\n${proc.stdout}${proc.stderr}`.trimEnd() };
}

export function checkDns(ctx: RunContext, e: DnsExpectation): Outcome {
  const place = ctx.place(e.in);
  if (place === undefined) return { ok: false, message: `dns: ${e.in} does not exist` };
  const argv = e.type === 'PTR' ? ['nslookup', e.name] : ['nslookup', `-type=${e.type.toLowerCase()}`, e.name];
  const proc = ctx.run(place, argv);
  const answers = nslookupAnswers(proc.stdout, e.type);
  const got = [...answers].sort();
  const want = [...e.answers].sort();
  const ok = got.length === want.length && got.every((a, i) => a === want[i]);
  const what = `dns ${e.type} ${e.name} in ${e.in}`;
  return ok
    ? { ok, message: `${what} = [${want.join(', ')}]` }
    : { ok, message: `${what}: expected [${want.join(', ')}], got [${got.join(', ')}]`, detail: `${argv.join(' ')}\n${proc.stdout}${proc.stderr}`.trimEnd() };
}

/** The answers busybox `nslookup` printed (the server block is skipped). */
export function nslookupAnswers(output: string, type: 'A' | 'AAAA' | 'PTR'): string[] {
  const blocks = output.split(/\n\s*\n/u).slice(1);
  const out: string[] = [];
  for (const block of blocks) {
    for (const line of block.split('\n')) {
      if (type === 'PTR') {
        const m = /\bname = (\S+)/u.exec(line);
        if (m?.[1] !== undefined) out.push(m[1].replace(/\.$/u, ''));
      } else {
        const m = /^Address:\s+(\S+)$/u.exec(line.trim());
        if (m?.[1] !== undefined) out.push(m[1]);
      }
    }
  }
  return out;
}

export function checkExec(ctx: RunContext, e: ExecExpectation): Outcome {
  const name = e.in ?? e.on ?? ctx.lab.dockerHosts[0]?.name;
  const place = name === undefined ? undefined : ctx.place(name);
  if (place === undefined) return { ok: false, message: `exec: ${name ?? '(nowhere)'} does not exist` };
  const words = splitWords(e.cmd);
  if (!words.ok) return { ok: false, message: `exec: cannot split ${JSON.stringify(e.cmd)}: ${words.message}` };
  const proc = ctx.run(place, words.words);
  const output = `${proc.stdout}${proc.stderr}`;
  const problem = failedCheck(e, output, proc.exitCode ?? 0);
  const what = `exec in ${place.label}: ${e.cmd}`;
  return problem === undefined ? { ok: true, message: what } : { ok: false, message: `${what}: ${problem}`, detail: output.trimEnd() };
}

export function checkInspect(ctx: RunContext, e: InspectExpectation): Outcome {
  const kind = e.container !== undefined ? 'container' : 'network';
  const ref = e.container ?? e.network ?? '';
  let json: unknown;
  for (const m of ctx.lab.dockerHosts) {
    json = m.docker?.inspect(kind, ref);
    if (json !== undefined) break;
  }
  const what = `inspect ${kind} ${ref} ${e.path}`;
  if (json === undefined) return { ok: false, message: `${what}: no such ${kind}` };
  const value = pathValue(Array.isArray(json) ? json[0] : json, e.path);
  if (value === undefined) return { ok: false, message: `${what}: the path does not exist` };
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const problem = failedCheck(e, text, 0);
  return problem === undefined ? { ok: true, message: `${what} = ${text}` } : { ok: false, message: `${what}: ${problem}; found ${JSON.stringify(text)}` };
}

/** `A.B.C` into JSON; a segment may be an array index. */
export function pathValue(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const seg of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(seg)] : (node as Record<string, unknown>)[seg];
    if (node === undefined) return undefined;
  }
  return node;
}
