/**
 * `cnmsim diff A.json B.json`: compares two `--json` outputs of the same kind and names the first
 * difference: for two trace dumps (`cnmsim trace --json`), the first differing trace record
 * (engine `firstDifference`, records compared as canonical JSON); for two run reports
 * (`cnmsim run --json`), the first differing field of the scenario, seed, steps or expectations,
 * and the digests.
 *
 * Contract: exit 0 when they are the same, 1 when they differ, 2 when a file cannot be read,
 * is not JSON, or the two are not of one kind.
 * Leaves out: a full listing of every difference (the first one is where to look).
 */
import type { Argv, CommandModule } from 'yargs';
import { canonicalJson, firstDifference, type TraceRecord } from '../engine/index.js';
import { recordLine } from '../scenario/index.js';
import { EXIT, type CliIo } from './io.js';

interface DiffArgs {
  readonly a: string;
  readonly b: string;
}

type Dump = { readonly kind: 'trace'; readonly records: readonly TraceRecord[] } | { readonly kind: 'report'; readonly report: Record<string, unknown> };

/** Which of our JSON outputs `data` is, or undefined. */
export function dumpKind(data: unknown): Dump | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return Array.isArray(data) && data.every(isRecord) ? { kind: 'trace', records: data } : undefined;
  const o = data as Record<string, unknown>;
  if (Array.isArray(o['records']) && o['records'].every(isRecord)) return { kind: 'trace', records: o['records'] };
  if (Array.isArray(o['steps']) && Array.isArray(o['expectations'])) return { kind: 'report', report: o };
  return undefined;
}

function isRecord(v: unknown): v is TraceRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return typeof r['seq'] === 'number' && typeof r['kind'] === 'string' && r['location'] !== null && typeof r['location'] === 'object';
}

function line(r: TraceRecord | undefined): string {
  if (r === undefined) return '(no record: the trace ends here)';
  try {
    return recordLine(r);
  } catch {
    return canonicalJson(r);
  }
}

/** The first difference between two dumps of one kind, in words; undefined when they agree. */
export function describeDifference(a: Dump, b: Dump): string | undefined {
  if (a.kind === 'trace' && b.kind === 'trace') {
    const d = firstDifference(a.records, b.records);
    if (d === undefined) return undefined;
    return `first differing record: index ${d.index}\n  A: ${line(d.a)}\n  B: ${line(d.b)}`;
  }
  if (a.kind === 'report' && b.kind === 'report') return reportDifference(a.report, b.report);
  return 'not comparable';
}

function reportDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  const notes: string[] = [];
  for (const key of ['scenario', 'seed']) {
    if (canonicalJson((a[key] ?? null) as never) !== canonicalJson((b[key] ?? null) as never)) notes.push(`${key}: A has ${JSON.stringify(a[key])}, B has ${JSON.stringify(b[key])}`);
  }
  const first = firstReportDifference(a, b);
  if (first === undefined && notes.length === 0) return undefined;
  return [...notes, first ?? 'the steps, expectations and digests agree'].join('\n');
}

function firstReportDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  for (const list of ['steps', 'expectations'] as const) {
    const la = a[list] as unknown[];
    const lb = b[list] as unknown[];
    for (let i = 0; i < Math.max(la.length, lb.length); i += 1) {
      const x = la[i] as Record<string, unknown> | undefined;
      const y = lb[i] as Record<string, unknown> | undefined;
      if (x === undefined || y === undefined) return `${list}[${i}]: only ${x === undefined ? 'B' : 'A'} has it: ${JSON.stringify(x ?? y)}`;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) {
        if (canonicalJson((x[k] ?? null) as never) === canonicalJson((y[k] ?? null) as never)) continue;
        const what = list === 'steps' ? `step ${i + 1} (${String(x['command'] ?? '')})` : `expectation ${i + 1} (${String(x['kind'] ?? '')})`;
        return `${list}[${i}].${k}, ${what}:\n  A: ${textOf(x[k])}\n  B: ${textOf(y[k])}`;
      }
    }
  }
  if (a['digest'] !== b['digest']) {
    return `digest: A ${String(a['digest'])}, B ${String(b['digest'])}: the steps and expectations read the same, but the trace differs (compare \`cnmsim trace --json\` dumps, or run \`cnmsim check --twice\`)`;
  }
  return undefined;
}

function textOf(v: unknown): string {
  if (typeof v !== 'string') return JSON.stringify(v);
  return v.includes('\n') ? JSON.stringify(v) : v;
}

export function diffCommand(io: CliIo): CommandModule<object, DiffArgs> {
  return {
    command: 'diff <a> <b>',
    describe: 'Compare two --json reports or trace dumps and name the first difference',
    builder: (y: Argv) =>
      y.positional('a', { type: 'string', demandOption: true, describe: 'First JSON file' }).positional('b', { type: 'string', demandOption: true, describe: 'Second JSON file' }) as unknown as Argv<DiffArgs>,
    handler: (args) => {
      const a = readDump(io, args.a);
      const b = readDump(io, args.b);
      if (a === undefined || b === undefined) return;
      if (a.kind !== b.kind) {
        io.invalid(`${args.a} is a ${a.kind === 'trace' ? 'trace dump' : 'run report'} and ${args.b} is a ${b.kind === 'trace' ? 'trace dump' : 'run report'}: compare two of one kind`);
        return;
      }
      const d = describeDifference(a, b);
      if (d === undefined) {
        io.out(`same: ${args.a} and ${args.b} agree${a.kind === 'trace' ? ` (${a.records.length} records)` : ''}\n`);
        io.exit(EXIT.ok);
      } else {
        io.out(`${args.a} and ${args.b} differ\n${d}\n`);
        io.exit(EXIT.failed);
      }
    },
  };
}

function readDump(io: CliIo, file: string): Dump | undefined {
  const text = io.readText(file);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    io.invalid(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const dump = dumpKind(data);
  if (dump === undefined) io.invalid(`${file} is neither a run report (cnmsim run --json) nor a trace dump (cnmsim trace --json)`);
  return dump;
}
