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

const NO_DETAIL: Readonly<Record<string, TraceValue>> = Object.freeze({});

export class TraceRecorder {
  /** When false, `record` does nothing. */
  enabled: boolean;
  readonly limit: number;
  private stored: TraceRecord[] = [];
  private nextSeq = 0;
  private dropped = 0;

  constructor(options: TraceRecorderOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.limit = options.limit ?? DEFAULT_TRACE_LIMIT;
  }

  /** Adds a record stamped `now` (no-op when disabled). */
  record(
    now: Instant,
    packetId: number,
    location: TraceLocation,
    kind: TraceKind,
    detail: Readonly<Record<string, TraceValue>> = NO_DETAIL,
  ): void {
    if (!this.enabled) {
      return;
    }
    const seq = this.nextSeq++;
    if (this.stored.length < this.limit) {
      this.stored.push({ seq, time: now, packetId, location, kind, detail });
    } else {
      this.dropped++;
    }
  }

  /** Records a drop: kind `drop` with `reason` first in the detail. */
  recordDrop(
    now: Instant,
    packetId: number,
    location: TraceLocation,
    reason: DropReason,
    detail: Readonly<Record<string, TraceValue>> = NO_DETAIL,
  ): void {
    if (this.enabled) {
      this.record(now, packetId, location, 'drop', { reason, ...detail });
    }
  }

  /** The stored records in seq order. */
  get records(): readonly TraceRecord[] {
    return this.stored;
  }

  /** Records made after the limit was reached and therefore not stored. */
  get truncated(): number {
    return this.dropped;
  }

  /** The stored records of one packet, in seq order. */
  forPacket(packetId: number): TraceRecord[] {
    return this.stored.filter(record => record.packetId === packetId);
  }

  /** SHA-256 (hex) of the stored records as canonical JSON lines, plus the truncation count. */
  digest(): string {
    const hash = createHash('sha256');
    for (const record of this.stored) {
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
    this.nextSeq = 0;
    this.dropped = 0;
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
