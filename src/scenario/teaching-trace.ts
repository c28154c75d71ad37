/**
 * The teaching trace: one packet's walk (and its reply's), read from the trace records at one of
 * three depths (design.md section 8), with each namespace the packet passes drawn as an indented
 * block under a header line:
 *
 *   request, packet 12: delivered
 *   ── host1 / c1 (netns) ──
 *     c1 sends to 172.18.0.3 (web) through eth0
 *   ── host1 (root netns) ──
 *     the bridge br-1a2b3c4d5e6f forwards it to vethabc1234 (learned port)
 *   ── host1 / web (netns) ──
 *     web's kernel delivers it to nginx on port 80
 *
 * Models: what a person draws on a whiteboard when explaining a packet's path through Docker's
 * bridge networking; the per-record wording is trace-lines.ts's, the drop advice
 * trace-advice.ts's.
 * Leaves out: terminal concerns. Colours come in through `TraceStyle` (the CLI passes chalk's on
 * a terminal); the default style adds nothing, so the output is plain text.
 * Invariants: pure (records and names in, text out); the same records give the same text.
 */
import type { TraceRecord } from '../engine/index.js';
import type { ProbeHint } from './trace-advice.js';
import { nsKey, text } from './trace-detail.js';
import { kernelLines, learnerLines, operatorLines, type Line, type LineContext, type Tone } from './trace-lines.js';
import { NO_NAMES, namespaceName, type TraceNames } from './trace-names.js';

export const TRACE_DEPTHS = ['learner', 'operator', 'kernel'] as const;
export type TraceDepth = (typeof TRACE_DEPTHS)[number];

export function isTraceDepth(s: string): s is TraceDepth {
  return (TRACE_DEPTHS as readonly string[]).includes(s);
}

/** How each kind of text is drawn; identity functions for plain text. */
export interface TraceStyle {
  readonly title: (s: string) => string;
  readonly header: (s: string) => string;
  readonly ok: (s: string) => string;
  readonly drop: (s: string) => string;
  readonly rewrite: (s: string) => string;
  readonly rule: (s: string) => string;
  readonly detail: (s: string) => string;
}

const same = (s: string): string => s;
export const PLAIN_STYLE: TraceStyle = { title: same, header: same, ok: same, drop: same, rewrite: same, rule: same, detail: same };

export interface TeachingTraceOptions {
  readonly depth: TraceDepth;
  readonly names?: TraceNames;
  readonly style?: TraceStyle;
  readonly hint?: ProbeHint;
}

export interface TeachingTraceInput {
  /** First line, e.g. `c1 → web:80 (tcp)`. */
  readonly title: string;
  readonly request: readonly TraceRecord[];
  readonly reply: readonly TraceRecord[];
}

export type WalkVerdict = { readonly kind: 'delivered'; readonly at: TraceRecord } | { readonly kind: 'dropped'; readonly at: TraceRecord } | { readonly kind: 'lost' };

/** Delivered to a local stack, dropped, or neither, as the records say. */
export function walkVerdict(walk: readonly TraceRecord[]): WalkVerdict {
  const drop = walk.find((r) => r.kind === 'drop');
  if (drop !== undefined) return { kind: 'dropped', at: drop };
  const delivered = walk.find((r) => r.kind === 'receive' && text(r, 'stage') === 'local');
  return delivered === undefined ? { kind: 'lost' } : { kind: 'delivered', at: delivered };
}

/** The whole teaching trace: title, the request's walk, then the reply's. */
export function renderTeachingTrace(input: TeachingTraceInput, options: TeachingTraceOptions): string {
  const style = options.style ?? PLAIN_STYLE;
  const out: string[] = [style.title(input.title), ''];
  if (input.request.length === 0) {
    out.push('no packet: the source sent nothing (see the program output above)');
    return `${out.join('\n')}\n`;
  }
  out.push(...renderWalkBlock('request', input.request, options));
  if (input.reply.length > 0) out.push('', ...renderWalkBlock('reply', input.reply, options));
  else if (walkVerdict(input.request).kind === 'delivered') out.push('', style.detail('no reply was sent'));
  return `${out.join('\n')}\n`;
}

/** One walk: a verdict line, then its records grouped by namespace. */
export function renderWalkBlock(label: string, walk: readonly TraceRecord[], options: TeachingTraceOptions): string[] {
  const style = options.style ?? PLAIN_STYLE;
  const names = options.names ?? NO_NAMES;
  const v = walkVerdict(walk);
  const verdictText =
    v.kind === 'delivered'
      ? style.ok(`delivered in ${namespaceName(names, v.at.location.host, v.at.location.netns).label}`)
      : v.kind === 'dropped'
        ? style.drop(`dropped in ${namespaceName(names, v.at.location.host, v.at.location.netns).label} (${text(v.at, 'reason') ?? '?'})`)
        : style.drop('lost: neither delivered nor dropped in the records');
  const first = walk[0];
  const out = [`${label}, packet ${first?.packetId ?? '?'}: ${verdictText}`];
  const ctx: LineContext = { names, walk, hint: options.hint ?? {} };
  let current: string | undefined;
  for (const r of walk) {
    const lines = linesAt(options.depth, r, ctx);
    if (lines.length === 0) continue;
    const key = nsKey(r);
    if (key !== current) {
      out.push(style.header(namespaceHeader(r, names)));
      current = key;
    }
    lines.forEach((l, i) => {
      const seq = options.depth === 'kernel' ? (i === 0 ? `#${r.seq} `.padEnd(7) : ' '.repeat(7)) : '';
      out.push(`  ${seq}${paint(style, l.tone, l.text)}`);
    });
  }
  return out;
}

function linesAt(depth: TraceDepth, r: TraceRecord, ctx: LineContext): Line[] {
  switch (depth) {
    case 'learner':
      return learnerLines(r, ctx);
    case 'operator':
      return [...learnerLines(r, ctx), ...operatorLines(r, ctx)];
    case 'kernel':
      return kernelLines(r, ctx);
  }
}

/** `── host1 / c1 (netns) ──`, `── host1 (root netns) ──`, `── underlay switch ──`. */
export function namespaceHeader(r: TraceRecord, names: TraceNames): string {
  const n = namespaceName(names, r.location.host, r.location.netns);
  switch (n.kind) {
    case 'root':
      return `── ${n.label} (root netns) ──`;
    case 'underlay':
      return '── underlay switch ──';
    case 'netns':
    case 'container':
      return `── ${n.host} / ${n.label} (netns) ──`;
  }
}

function paint(style: TraceStyle, tone: Tone, s: string): string {
  switch (tone) {
    case 'plain':
      return s;
    case 'drop':
      return style.drop(s);
    case 'rewrite':
      return style.rewrite(s);
    case 'rule':
      return style.rule(s);
    case 'detail':
      return style.detail(s);
  }
}
