/**
 * The trace: one record per decision a packet meets, in the order the simulation made them.
 *
 * Models: design.md section 8, after the record streams real tools print: iptables `TRACE`
 * (`net/netfilter/nf_log_syslog.c`, one line per rule hit), `perf trace` / `pwru` (one line per
 * kernel function a skb passes, keyed by skb address), and the kernel's drop reasons
 * (`include/net/dropreason-core.h`, `kfree_skb_reason`). ns-3's `AsciiTraceHelper` and gVisor's
 * drop counters are the simulator precedents.
 *
 *   seq  time         packet  host/netns/device      kind       detail
 *   17   0.000100000  4       host1/c1/eth0          transmit   {dst: 192.168.57.3, ...}
 *   18   0.000100000  4       host1/root/vethab12cd0 bridge     {decision: "forward", port: ...}
 *
 * Leaves out: rendering (learner, operator and kernel depths read these records elsewhere) and
 * storage beyond memory.
 *
 * Invariants:
 * - `seq` counts records made while enabled, from 0, without gaps among the stored records.
 * - The recorder stores at most `limit` records; later ones are counted in `truncated` and the
 *   digest says how many, so a truncated trace never compares equal to a complete one.
 * - `kind` and a drop's `reason` come from closed sets (`TRACE_KINDS`, `DROP_REASONS`).
 * - The recorder keeps the objects it is given: callers pass fresh detail objects and never
 *   mutate them afterwards (packets are immutable values, design.md section 4).
 * - Recording is cheap enough to leave on (npm-ecosystem.md 2d: record numbers, format later):
 *   the packet path records at an interned site (location, kind, detail builder) with the values
 *   the builder needs (`recordAt`); the detail is built, once, when the records are first read.
 *   A record reads the same whenever it is read, because builders are pure and their arguments
 *   immutable.
 * - `digest` is SHA-256 over the canonical JSON of each record, one per line, in seq order.
 */

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { Instant } from './time.js';

/** Where a record was made: the host, the network namespace, and the device if there is one. */
export interface TraceLocation {
  readonly host: string;
  readonly netns: string;
  readonly device?: string;
}

/** Every kind of trace record (design.md section 8). */
export const TRACE_KINDS = [
  'receive',
  'transmit',
  'bridge',
  'route',
  'neighbour',
  'netfilter',
  'conntrack',
  'rewrite',
  'ipvs',
  'encap',
  'decap',
  'socket',
  'dns',
  'icmp',
  'drop',
  'ttl',
  'note',
] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** Why a packet was dropped; every drop site uses one of these. */
export const DROP_REASONS = [
  'no-route',
  'ttl-exceeded',
  'netfilter',
  'rp-filter',
  'martian',
  'fdb-no-port',
  'mtu-exceeded',
  'ipvs-no-backend',
  'neigh-failed',
  'forwarding-disabled',
  'link-down',
  'no-socket',
  'port-unreachable',
  'xfrm-no-state',
  'xfrm-auth-failed',
  'xfrm-policy',
  'malformed',
  'not-for-us',
  'hairpin-off',
  'loss',
  'no-carrier',
  'queue-full',
  'vlan-mismatch',
  'macvlan-isolation',
  'conntrack-invalid',
  'rst-sent',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export function isTraceKind(text: string): text is TraceKind {
  return (TRACE_KINDS as readonly string[]).includes(text);
}

export function isDropReason(text: string): text is DropReason {
  return (DROP_REASONS as readonly string[]).includes(text);
}

/** A value in a record's detail: JSON without objects, so every renderer can print it. */
export type TraceValue = string | number | boolean | null | readonly TraceValue[];

export interface TraceRecord {
  readonly seq: number;
  readonly time: Instant;
  readonly packetId: number;
  readonly location: TraceLocation;
  readonly kind: TraceKind;
  readonly detail: Readonly<Record<string, TraceValue>>;
}

export interface TraceRecorderOptions {
  /** Record at all (default true). Benchmarks turn it off. */
  readonly enabled?: boolean;
  /** Most records kept in memory (default 1,000,000). */
  readonly limit?: number;
}

export const DEFAULT_TRACE_LIMIT = 1_000_000;

/** A record's detail, as renderers read it. */
export type TraceDetail = Readonly<Record<string, TraceValue>>;

/**
 * Builds a record's detail from the values captured when the record was made (`recordWith`).
 * It runs later, when the records are first read, so it must be a pure function of its
 * arguments and the arguments must never change: primitives (numbers, interned strings such as
 * a device's name at that moment) and immutable values (frames, headers, routes). Its
 * parameters are plain ones, at most eight (no defaults, no rest): `length` says how many
 * values a record keeps.
 */
export type TraceDetailBuilder = (...args: never[]) => TraceDetail;

/** What `materialise` calls a builder as. */
type AnyBuilder = (...args: unknown[]) => TraceDetail;

/**
 * Where a record is made and what it is, with the builder of its detail: the part that
 * repeats from one record to the next, kept once (callers on the packet path intern their
 * sites, see `NetNamespace.traceWith`).
 */
export interface TraceSite {
  readonly location: TraceLocation;
  readonly kind: TraceKind;
  readonly build: TraceDetailBuilder;
  /** How many values a record of this site keeps: `build.length`. */
  readonly arity: number;
  /** Bit i set: argument i is always a number (`numericTraceArgs`), kept in a typed array. */
  readonly numeric: number;
}

/** A new site; callers that make many records at one place keep it. */
export function traceSite(location: TraceLocation, kind: TraceKind, build: TraceDetailBuilder): TraceSite {
  if (build.length > MAX_ARITY) throw new RangeError(`a trace detail builder takes at most ${MAX_ARITY} arguments`);
  return { location, kind, build, arity: build.length, numeric: NUMERIC_ARGS.get(build) ?? 0 };
}

const MAX_ARITY = 8;

/** Builders whose arguments include numbers (see `numericTraceArgs`). */
const NUMERIC_ARGS = new WeakMap<TraceDetailBuilder, number>();

/**
 * Declares which arguments of `build` are always numbers (bit i for argument i; the types must
 * say `number`, never `number | undefined`). Records keep those in a typed array: a MAC or an
 * address is stored without boxing, and a record needs no object of the packet path (a frame,
 * a header) kept alive for it. Returns `build`.
 */
export function numericTraceArgs<F extends TraceDetailBuilder>(build: F, mask: number): F {
  NUMERIC_ARGS.set(build, mask);
  return build;
}

const NO_DETAIL: TraceDetail = Object.freeze({});

/** The builder of records given a ready detail: the detail itself. */
const asGiven = (detail: TraceDetail): TraceDetail => detail;

/** `recordDrop`: `reason` first, then the given detail. */
const dropDetail = (reason: DropReason, detail: TraceDetail): TraceDetail => ({ reason, ...detail });

/**
 * Slots per storage chunk (a chunk this large is allocated outside the young generation, so the
 * garbage collector never copies it), numeric values per chunk, and the runs a chunk can note:
 * a run is a stretch of records with the same packet id (or the same time), kept once at its
 * start. Typed arrays cost memory only where written.
 */
const CHUNK_SLOTS = 32 * 1024;
const CHUNK_NUMS = 32 * 1024;
const CHUNK_RUNS = 8 * 1024;
const CHUNK_TIMES = 8 * 1024;

/** One storage chunk: each record's site and values one after the other, and the runs. */
interface Chunk {
  readonly slots: unknown[];
  /** The numeric values, in record order. */
  readonly nums: Float64Array;
  numEnd: number;
  /** (first record index in the chunk, packet id) per run of records of one packet. */
  readonly runs: Float64Array;
  runCount: number;
  /** (first record index in the chunk, time) per change of time: far rarer than packet runs. */
  readonly times: Float64Array;
  timeCount: number;
  /** Records in the chunk. */
  records: number;
  /** Next free slot. */
  end: number;
}

/**
 * Records are stored compactly until read, in chunks allocated once each: per record its site
 * (location, kind, detail builder) and the builder's values, the numeric ones in a typed array;
 * packet id and time once per run of records that share them. Nothing is allocated per record on the packet path (its sites are
 * interned) and no string is formatted there. The first read (`records`, `forPacket`, `digest`)
 * materialises the pending records into `TraceRecord` objects, in seq order, and releases the
 * chunks.
 */
export class TraceRecorder {
  /** When false, `record` does nothing. */
  enabled: boolean;
  readonly limit: number;
  private stored: TraceRecord[] = [];
  /** Records made and stored (materialised or pending). */
  private count = 0;
  private nextSeq = 0;
  private dropped = 0;
  /** Pending records; the first is the record `stored.length`. */
  private chunks: Chunk[] = [];
  private chunk: Chunk | undefined = undefined;
  /** Packet id and time of the current run (NaN: none yet in this chunk). */
  private runPacketId = Number.NaN;
  private runTime = Number.NaN;

  constructor(options: TraceRecorderOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.limit = options.limit ?? DEFAULT_TRACE_LIMIT;
  }

  /** Adds a record stamped `now` (no-op when disabled). */
  record(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, detail: TraceDetail = NO_DETAIL): void {
    if (!this.enabled) {
      return;
    }
    this.recordAt(now, packetId, traceSite(location, kind, asGiven), detail);
  }

  /**
   * Adds a record whose detail `build(a, b, ...)` makes when the trace is read (see
   * `TraceDetailBuilder` for what the arguments may be).
   */
  recordWith<A extends unknown[]>(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: (...args: A) => TraceDetail, ...args: A): void;
  recordWith(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: TraceDetailBuilder, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown): void {
    if (!this.enabled) {
      return;
    }
    this.recordAt(now, packetId, traceSite(location, kind, build), a, b, c, d, e, f, g, h);
  }

  /**
   * `recordWith` at an interned site: the packet path's form, which allocates nothing. The
   * values are the builder's arguments, in order.
   */
  recordAt(now: Instant, packetId: number, site: TraceSite, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown): void {
    if (!this.enabled) {
      return;
    }
    this.nextSeq++;
    if (this.count >= this.limit) {
      this.dropped++;
      return;
    }
    this.count++;
    const n = site.arity;
    let chunk = this.chunk;
    if (chunk === undefined || chunk.end + 1 + n > CHUNK_SLOTS || chunk.numEnd + n > CHUNK_NUMS || chunk.runCount === CHUNK_RUNS || chunk.timeCount === CHUNK_TIMES) {
      chunk = this.newChunk();
    }
    if (packetId !== this.runPacketId) {
      const r = chunk.runCount++ * 2;
      chunk.runs[r] = chunk.records;
      chunk.runs[r + 1] = packetId;
      this.runPacketId = packetId;
    }
    if (now !== this.runTime) {
      const t = chunk.timeCount++ * 2;
      chunk.times[t] = chunk.records;
      chunk.times[t + 1] = now;
      this.runTime = now;
    }
    chunk.records++;
    const s = chunk.slots;
    let o = chunk.end;
    s[o++] = site;
    const m = site.numeric;
    if (m === 0) {
      if (n > 0) s[o++] = a;
      if (n > 1) s[o++] = b;
      if (n > 2) s[o++] = c;
      if (n > 3) s[o++] = d;
      if (n > 4) s[o++] = e;
      if (n > 5) s[o++] = f;
      if (n > 6) s[o++] = g;
      if (n > 7) s[o++] = h;
    } else {
      const v = chunk.nums;
      let x = chunk.numEnd;
      if (n > 0) if (m & 1) v[x++] = a as number; else s[o++] = a;
      if (n > 1) if (m & 2) v[x++] = b as number; else s[o++] = b;
      if (n > 2) if (m & 4) v[x++] = c as number; else s[o++] = c;
      if (n > 3) if (m & 8) v[x++] = d as number; else s[o++] = d;
      if (n > 4) if (m & 16) v[x++] = e as number; else s[o++] = e;
      if (n > 5) if (m & 32) v[x++] = f as number; else s[o++] = f;
      if (n > 6) if (m & 64) v[x++] = g as number; else s[o++] = g;
      if (n > 7) if (m & 128) v[x++] = h as number; else s[o++] = h;
      chunk.numEnd = x;
    }
    chunk.end = o;
  }

  /** Records a drop: kind `drop` with `reason` first in the detail. */
  recordDrop(now: Instant, packetId: number, location: TraceLocation, reason: DropReason, detail: TraceDetail = NO_DETAIL): void {
    if (this.enabled) {
      this.recordAt(now, packetId, traceSite(location, 'drop', dropDetail), reason, detail);
    }
  }

  /** The stored records in seq order. */
  get records(): readonly TraceRecord[] {
    if (this.count !== this.stored.length) this.materialise();
    return this.stored;
  }

  /** How many records are stored, without materialising them. */
  get size(): number {
    return this.count;
  }

  /** Records made after the limit was reached and therefore not stored. */
  get truncated(): number {
    return this.dropped;
  }

  /** The stored records of one packet, in seq order. */
  forPacket(packetId: number): TraceRecord[] {
    return this.records.filter(record => record.packetId === packetId);
  }

  /** SHA-256 (hex) of the stored records as canonical JSON lines, plus the truncation count. */
  digest(): string {
    const hash = createHash('sha256');
    for (const record of this.records) {
      hash.update(canonicalJson(record));
      hash.update('\n');
    }
    if (this.dropped > 0) {
      hash.update(canonicalJson({ truncated: this.dropped }));
      hash.update('\n');
    }
    return hash.digest('hex');
  }

  /** Forgets every record and restarts seq at 0. */
  clear(): void {
    this.stored = [];
    this.count = 0;
    this.nextSeq = 0;
    this.dropped = 0;
    this.releaseChunks();
  }

  private newChunk(): Chunk {
    const chunk: Chunk = {
      slots: new Array<unknown>(CHUNK_SLOTS),
      nums: new Float64Array(CHUNK_NUMS),
      numEnd: 0,
      runs: new Float64Array(CHUNK_RUNS * 2),
      runCount: 0,
      times: new Float64Array(CHUNK_TIMES * 2),
      timeCount: 0,
      records: 0,
      end: 0,
    };
    this.chunks.push(chunk);
    this.chunk = chunk;
    this.runPacketId = Number.NaN;
    this.runTime = Number.NaN;
    return chunk;
  }

  private releaseChunks(): void {
    this.chunks = [];
    this.chunk = undefined;
    this.runPacketId = Number.NaN;
    this.runTime = Number.NaN;
  }

  /** Builds the `TraceRecord` of every pending record, in seq order, and frees the chunks. */
  private materialise(): void {
    const stored = this.stored;
    let seq = stored.length;
    const args: unknown[] = [];
    for (const chunk of this.chunks) {
      const s = chunk.slots;
      const v = chunk.nums;
      const runs = chunk.runs;
      const times = chunk.times;
      let run = 0;
      let change = 0;
      let packetId = 0;
      let time = 0;
      let o = 0;
      let x = 0;
      for (let i = 0; i < chunk.records; i++) {
        if (run < chunk.runCount && runs[run * 2] === i) {
          packetId = runs[run * 2 + 1]!;
          run++;
        }
        if (change < chunk.timeCount && times[change * 2] === i) {
          time = times[change * 2 + 1]!;
          change++;
        }
        const site = s[o++] as TraceSite;
        const n = site.arity;
        const m = site.numeric;
        args.length = 0;
        for (let k = 0; k < n; k++) args.push((m & (1 << k)) !== 0 ? v[x++] : s[o++]);
        const detail = (site.build as AnyBuilder)(...args);
        stored.push({ seq, time, packetId, location: site.location, kind: site.kind, detail });
        seq++;
      }
    }
    this.releaseChunks();
  }
}

/**
 * The first index at which two traces differ (compared as canonical JSON), with the record each
 * has there (undefined past its end); undefined when they are identical.
 */
export function firstDifference(
  a: readonly TraceRecord[],
  b: readonly TraceRecord[],
): { index: number; a: TraceRecord | undefined; b: TraceRecord | undefined } | undefined {
  const length = Math.max(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a[index];
    const right = b[index];
    if (left === undefined || right === undefined || canonicalJson(left) !== canonicalJson(right)) {
      return { index, a: left, b: right };
    }
  }
  return undefined;
}
