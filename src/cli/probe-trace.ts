/**
 * Walking one probe packet after a run and rendering its teaching trace: shared by `cnmsim
 * trace`, `cnmsim run --depth` and `cnmsim demo`.
 *
 * Models: a person testing a path by hand (`ping -c 1`, `nc -z`, `nc -u -z` from the source, as
 * the `reach` expectation does) while the simulator shows what the packet met. The walk is read
 * off the trace records the probe produced (scenario probe.ts, trace-walks.ts).
 * Leaves out: probes from an `ip netns` namespace (name a container, host or external).
 */
import type { TraceRecord } from '../engine/index.js';
import {
  labNames,
  parseTarget,
  probeWalks,
  renderTeachingTrace,
  resolveTarget,
  runProbe,
  walkVerdict,
  type ProbeProto,
  type RunResult,
  type TraceDepth,
  type TraceStyle,
} from '../scenario/index.js';
import { knownNames } from './scenario-file.js';

export interface ProbeRequest {
  readonly from: string;
  readonly to: string;
  readonly port?: number | undefined;
  readonly proto?: ProbeProto | undefined;
}

export interface ProbeTrace {
  /** The probe command and its output, then the teaching trace. */
  readonly text: string;
  readonly proto: ProbeProto;
  readonly port: number | undefined;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly output: string;
  readonly packetId: number | undefined;
  readonly replyId: number | undefined;
  readonly verdict: string;
  /** The request's and the reply's records, in seq order. */
  readonly records: readonly TraceRecord[];
}

/** Walks the probe, or says (one line) why it cannot: an unknown name or target. */
export function traceProbe(run: RunResult, req: ProbeRequest, depth: TraceDepth, style: TraceStyle): ProbeTrace | string {
  const ctx = run.context;
  const from = ctx.place(req.from);
  if (from === undefined) return `--from ${req.from}: no container, host or external of that name (known: ${knownNames(run).join(', ')})`;
  const parsed = parseTarget(req.to);
  if ('expected' in parsed) return `--to ${req.to}: expected ${parsed.expected}`;
  const target = resolveTarget(ctx, req.to, req.port);
  if (typeof target === 'string') return `--to ${target} (known: ${knownNames(run).join(', ')})`;
  const proto: ProbeProto = req.proto ?? (target.port === undefined ? 'icmp' : 'tcp');
  const probe = runProbe(ctx, from, proto, target.address, target.port);
  const walks = probeWalks(probe.all, probe.packetId);
  const port = proto === 'icmp' ? undefined : target.port;
  const title = `${req.from} → ${req.to}${req.port === undefined ? '' : `:${req.port}`} (${proto})`;
  const rendered = renderTeachingTrace(
    { title, request: walks.request, reply: walks.reply },
    { depth, names: labNames(run.lab), style, hint: { ...(port === undefined ? {} : { port }), proto } },
  );
  const prompt = [`${from.label}$ ${probe.argv.join(' ')}`];
  if (probe.output !== '') prompt.push(probe.output.replace(/\n$/, ''));
  if (probe.exitCode !== 0) prompt.push(`[exit ${probe.exitCode}]`);
  const v = walkVerdict(walks.request);
  return {
    text: `${prompt.join('\n')}\n\n${rendered}`,
    proto,
    port,
    argv: probe.argv,
    exitCode: probe.exitCode,
    output: probe.output,
    packetId: walks.requestId,
    replyId: walks.replyId,
    verdict: walks.request.length === 0 ? 'no-packet' : v.kind,
    records: [...walks.request, ...walks.reply].sort((a, b) => a.seq - b.seq),
  };
}
