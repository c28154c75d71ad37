/**
 * A compact text rendering of a packet walk (trace records), used where a failed expectation
 * shows "the relevant part of the trace". The full teaching renderer, at three depths, is
 * `cnmsim trace`'s (teaching-trace.ts).
 * Leaves out: colours.
 */
import type { TraceRecord, TraceValue } from '../engine/index.js';

function value(v: TraceValue): string {
  return Array.isArray(v) ? `[${v.map(value).join(',')}]` : String(v);
}

export function recordLine(r: TraceRecord): string {
  const where = `${r.location.host}/${r.location.netns}${r.location.device === undefined ? '' : `/${r.location.device}`}`;
  const detail = Object.keys(r.detail)
    .sort()
    .map((k) => `${k}=${value(r.detail[k]!)}`)
    .join(' ');
  return `#${r.seq} ${where} ${r.kind} ${detail}`;
}

export function renderWalk(walk: readonly TraceRecord[], limit = 40): string {
  const lines = walk.slice(0, limit).map(recordLine);
  if (walk.length > limit) lines.push(`... ${walk.length - limit} more records`);
  return lines.join('\n');
}
