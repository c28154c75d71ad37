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
 *   the packet path records with `recordWith`, giving a detail builder and the values it needs;
 *   the detail is built, once, when the records are first read. A record reads the same whenever
 *   it is read, because builders are pure and their arguments immutable.
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
 * a device's name at that moment) and immutable values (frames, headers, routes). It takes at
 * most six arguments.
 */
export type TraceDetailBuilder = (...args: never[]) => TraceDetail;

/** What `materialise` calls a builder as. */
type AnyBuilder = (...args: unknown[]) => TraceDetail;

const NO_DETAIL: TraceDetail = Object.freeze({});

/** The builder of records given a ready detail: the detail itself. */
const asGiven = (detail: TraceDetail): TraceDetail => detail;

/** `recordDrop`: `reason` first, then the given detail. */
const dropDetail = (reason: DropReason, detail: TraceDetail): TraceDetail => ({ reason, ...detail });

/**
 * Slots per storage chunk (a chunk this large is allocated outside the young generation, so the
 * garbage collector never copies it) and the most one record takes: packetId, location, kind,
 * builder, argument count, six arguments.
 */
const CHUNK_SLOTS = 48 * 1024;
const MAX_RECORD_SLOTS = 11;

/** One storage chunk: records one after the other, their times beside them. */
interface Chunk {
  readonly slots: unknown[];
  readonly times: Float64Array;
  /** Records in the chunk. */
  records: number;
  /** Next free slot. */
  end: number;
}

/**
 * Records are stored compactly until read, in chunks allocated once each: for each record its
 * time (in a typed array), packet id, location (callers pass interned location objects), kind,
 * detail builder and the builder's arguments up to the last one given. Nothing is allocated per
 * record beyond what the caller already had, and no string is formatted on the packet path. The
 * first read (`records`, `forPacket`, `digest`) materialises the pending records into
 * `TraceRecord` objects, in seq order, and releases the chunks.
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

  constructor(options: TraceRecorderOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.limit = options.limit ?? DEFAULT_TRACE_LIMIT;
  }

  /** Adds a record stamped `now` (no-op when disabled). */
  record(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, detail: TraceDetail = NO_DETAIL): void {
    if (!this.enabled) {
      return;
    }
    this.recordWith(now, packetId, location, kind, asGiven, detail);
  }

  /**
   * Adds a record whose detail `build(a, b, ...)` makes when the trace is read (see
   * `TraceDetailBuilder` for what the arguments may be). The packet path uses this so that
   * recording costs no formatting and no allocation.
   */
  recordWith<A>(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: (a: A) => TraceDetail, a: A): void;
  recordWith<A, B>(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: (a: A, b: B) => TraceDetail, a: A, b: B): void;
  recordWith<A, B, C>(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: (a: A, b: B, c: C) => TraceDetail, a: A, b: B, c: C): void;
  recordWith<A, B, C, D>(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: (a: A, b: B, c: C, d: D) => TraceDetail, a: A, b: B, c: C, d: D): void;
  recordWith<A, B, C, D, E>(
    now: Instant,
    packetId: number,
    location: TraceLocation,
    kind: TraceKind,
    build: (a: A, b: B, c: C, d: D, e: E) => TraceDetail,
    a: A,
    b: B,
    c: C,
    d: D,
    e: E,
  ): void;
  recordWith<A, B, C, D, E, F>(
    now: Instant,
    packetId: number,
    location: TraceLocation,
    kind: TraceKind,
    build: (a: A, b: B, c: C, d: D, e: E, f: F) => TraceDetail,
    a: A,
    b: B,
    c: C,
    d: D,
    e: E,
    f: F,
  ): void;
  recordWith(now: Instant, packetId: number, location: TraceLocation, kind: TraceKind, build: TraceDetailBuilder, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown): void {
    if (!this.enabled) {
      return;
    }
    this.nextSeq++;
    if (this.count >= this.limit) {
      this.dropped++;
      return;
    }
    this.count++;
    // Trailing undefined arguments are not kept: the builder gets undefined for them anyway.
    const n = f !== undefined ? 6 : e !== undefined ? 5 : d !== undefined ? 4 : c !== undefined ? 3 : b !== undefined ? 2 : a !== undefined ? 1 : 0;
    let chunk = this.chunk;
    if (chunk === undefined || chunk.end + MAX_RECORD_SLOTS > CHUNK_SLOTS) chunk = this.newChunk();
    chunk.times[chunk.records++] = now;
    const s = chunk.slots;
    let o = chunk.end;
    s[o++] = packetId;
    s[o++] = location;
    s[o++] = kind;
    s[o++] = build;
    s[o++] = n;
    if (n > 0) s[o++] = a;
    if (n > 1) s[o++] = b;
    if (n > 2) s[o++] = c;
    if (n > 3) s[o++] = d;
    if (n > 4) s[o++] = e;
    if (n > 5) s[o++] = f;
    chunk.end = o;
  }

  /** Records a drop: kind `drop` with `reason` first in the detail. */
  recordDrop(now: Instant, packetId: number, location: TraceLocation, reason: DropReason, detail: TraceDetail = NO_DETAIL): void {
    if (this.enabled) {
      this.recordWith(now, packetId, location, 'drop', dropDetail, reason, detail);
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
      slots: new Array<unknown>(CHUNK_SLOTS).fill(undefined),
      times: new Float64Array(Math.ceil(CHUNK_SLOTS / 5)),
      records: 0,
      end: 0,
    };
    this.chunks.push(chunk);
    this.chunk = chunk;
    return chunk;
  }

  private releaseChunks(): void {
    this.chunks = [];
    this.chunk = undefined;
  }

  /** Builds the `TraceRecord` of every pending record, in seq order, and frees the chunks. */
  private materialise(): void {
    const stored = this.stored;
    let seq = stored.length;
    for (const chunk of this.chunks) {
      const s = chunk.slots;
      let o = 0;
      for (let i = 0; i < chunk.records; i++) {
        const packetId = s[o] as number;
        const location = s[o + 1] as TraceLocation;
        const kind = s[o + 2] as TraceKind;
        const build = s[o + 3] as AnyBuilder;
        const n = s[o + 4] as number;
        o += 5;
        const detail = build(
          n > 0 ? s[o] : undefined,
          n > 1 ? s[o + 1] : undefined,
          n > 2 ? s[o + 2] : undefined,
          n > 3 ? s[o + 3] : undefined,
          n > 4 ? s[o + 4] : undefined,
          n > 5 ? s[o + 5] : undefined,
        );
        o += n;
        stored.push({ seq, time: chunk.times[i]!, packetId, location, kind, detail });
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
