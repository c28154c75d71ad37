/**
 * The `trace` expectation: walk one packet from `from` to `to` and check its verdict
 * (`delivered` or `dropped`), the `table/chain` or reason that decided a drop (`by`), and the
 * `table/chain` or device names the walk must include (`passes`).
 *
 * Models: design.md sections 6 and 8; the verdict is read off the trace records of a real probe
 * (probe.ts), never computed.
 * Leaves out: nothing of the contract.
 */
import type { RunContext } from './context.js';
import { resolveTarget } from './expectations.js';
import { passedNames, runProbe, verdictOf } from './probe.js';
import type { ExpectationReport } from './report.js';
import type { TraceExpectation } from './schema.js';
import { renderWalk } from './walk-text.js';

type Outcome = Omit<ExpectationReport, 'index' | 'kind'>;

export function checkTrace(ctx: RunContext, e: TraceExpectation): Outcome {
  const from = ctx.place(e.from);
  if (from === undefined) return { ok: false, message: `trace: ${e.from} does not exist` };
  const target = resolveTarget(ctx, e.to, e.port);
  if (typeof target === 'string') return { ok: false, message: `trace ${e.from} → ${e.to}: ${target}` };
  const proto = e.proto ?? (target.port === undefined ? 'icmp' : 'tcp');
  const probe = runProbe(ctx, from, proto, target.address, target.port);
  const what = `trace ${e.from} → ${e.to} (${proto})`;
  if (probe.packetId === undefined) {
    return { ok: false, message: `${what}: ${e.from} sent no packet`, detail: `${probe.argv.join(' ')}\n${probe.output}`.trimEnd() };
  }
  const v = verdictOf(probe.walk);
  const detail = renderWalk(probe.walk);
  const problems: string[] = [];
  const found = v.verdict === 'dropped' ? `dropped by ${v.by}` : v.verdict === 'delivered' ? 'delivered' : 'neither delivered nor dropped (lost)';
  if (v.verdict !== e.verdict) problems.push(`expected ${e.verdict}, but it was ${found}`);
  else if (e.by !== undefined && v.verdict === 'dropped' && v.by !== e.by) problems.push(`expected the drop by ${e.by}, but it was ${found}`);
  if (e.passes !== undefined) {
    const names = passedNames(probe.walk);
    const missing = e.passes.filter((p) => !names.has(p));
    if (missing.length > 0) problems.push(`the walk did not pass ${missing.join(', ')}`);
  }
  return problems.length === 0 ? { ok: true, message: `${what}: ${found}` } : { ok: false, message: `${what}: ${problems.join('; ')}`, detail };
}
