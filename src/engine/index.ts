/**
 * The engine's front door: virtual time, the event queue, seeded RNG streams, ids and the trace.
 *
 * Models: the core of a discrete-event simulator (ns-3 `src/core/model/`); see each file's header.
 * Leaves out: everything about networks; this layer imports nothing from the others.
 * Invariants: this file is the only module other layers import from `src/engine`.
 */

export { assert, fail, InvariantError } from './assert.js';
export {
  NS,
  US,
  MS,
  SECOND,
  MINUTE,
  HOUR,
  assertTime,
  parseDuration,
  formatDuration,
  formatInstant,
  type Instant,
  type Duration,
} from './time.js';
export {
  Engine,
  EngineRunawayError,
  DEFAULT_MAX_EVENTS_PER_RUN,
  type EngineOptions,
  type EventHandler,
  type EventId,
} from './engine.js';
export { RngStreams, type Rng } from './rng.js';
export { randomId64, shortId, randomMac, vethName, Sequence } from './ids.js';
export { canonicalJson } from './canonical-json.js';
export {
  TraceRecorder,
  traceSite,
  numericTraceArgs,
  firstDifference,
  isTraceKind,
  isDropReason,
  TRACE_KINDS,
  DROP_REASONS,
  DEFAULT_TRACE_LIMIT,
  type TraceLocation,
  type TraceKind,
  type TraceValue,
  type TraceRecord,
  type TraceDetail,
  type TraceDetailBuilder,
  type TraceSite,
  type TraceRecorderOptions,
  type DropReason,
} from './trace.js';
export * from './wall-clock.js';
