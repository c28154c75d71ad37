// The trace recorder (seq, limit, per-packet view, digest) and canonical JSON / firstDifference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DROP_REASONS,
  InvariantError,
  TRACE_KINDS,
  TraceRecorder,
  canonicalJson,
  firstDifference,
  isDropReason,
  isTraceKind,
  numericTraceArgs,
  traceSite,
  type TraceDetail,
  type TraceKind,
  type TraceLocation,
  type TraceRecord,
  type TraceValue,
} from '../../src/engine/index.js';

const c1: TraceLocation = { host: 'host1', netns: 'c1', device: 'eth0' };
const root: TraceLocation = { host: 'host1', netns: 'root' };

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), value => {
        // -0 has no JSON form of its own; JSON.parse gives 0 back.
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuses values JSON would silently change', () => {
    for (const bad of [Number.NaN, Infinity, undefined, 1n, () => 1, [undefined], { a: Number.NaN }]) {
      expect(() => canonicalJson(bad)).toThrow(InvariantError);
    }
  });
});

describe('closed sets', () => {
  it('lists every kind and drop reason once', () => {
    expect(new Set(TRACE_KINDS).size).toBe(TRACE_KINDS.length);
    expect(TRACE_KINDS).toHaveLength(17);
    expect(new Set(DROP_REASONS).size).toBe(DROP_REASONS.length);
    expect(DROP_REASONS).toHaveLength(26);
    expect(isTraceKind('netfilter')).toBe(true);
    expect(isTraceKind('firewall')).toBe(false);
    expect(isDropReason('rp-filter')).toBe(true);
    expect(isDropReason('dropped')).toBe(false);
  });
});

describe('TraceRecorder', () => {
  it('numbers records from 0 and keeps what it was given', () => {
    const trace = new TraceRecorder();
    trace.record(100, 1, c1, 'transmit', { dst: '192.168.57.3', len: 84 });
    trace.record(150, 1, root, 'bridge', { decision: 'forward' });
    trace.record(150, 2, root, 'note');
    expect(trace.records).toEqual([
      { seq: 0, time: 100, packetId: 1, location: c1, kind: 'transmit', detail: { dst: '192.168.57.3', len: 84 } },
      { seq: 1, time: 150, packetId: 1, location: root, kind: 'bridge', detail: { decision: 'forward' } },
      { seq: 2, time: 150, packetId: 2, location: root, kind: 'note', detail: {} },
    ]);
    expect(trace.forPacket(1).map(r => r.seq)).toEqual([0, 1]);
    expect(trace.forPacket(3)).toEqual([]);
  });

  it('records drops with their reason', () => {
    const trace = new TraceRecorder();
    trace.recordDrop(5, 9, root, 'netfilter', { table: 'filter', chain: 'DOCKER-ISOLATION-STAGE-2', rule: 1 });
    expect(trace.records[0]).toMatchObject({ kind: 'drop', detail: { reason: 'netfilter', chain: 'DOCKER-ISOLATION-STAGE-2' } });
  });

  it('does nothing while disabled', () => {
    const trace = new TraceRecorder({ enabled: false });
    trace.record(1, 1, root, 'note', { a: 1 });
    trace.recordDrop(1, 1, root, 'loss');
    expect(trace.records).toEqual([]);
    trace.enabled = true;
    trace.record(2, 1, root, 'note');
    expect(trace.records.map(r => r.seq)).toEqual([0]);
  });

  it('stops storing at the limit but counts, and the digest says so', () => {
    const full = new TraceRecorder();
    const limited = new TraceRecorder({ limit: 2 });
    for (let i = 0; i < 5; i++) {
      full.record(i, i, root, 'note');
      limited.record(i, i, root, 'note');
    }
    expect(limited.records).toHaveLength(2);
    expect(limited.truncated).toBe(3);
    const firstTwo = new TraceRecorder();
    firstTwo.record(0, 0, root, 'note');
    firstTwo.record(1, 1, root, 'note');
    expect(limited.digest()).not.toBe(firstTwo.digest());
    expect(limited.digest()).not.toBe(full.digest());
  });

  it('digest is SHA-256 of canonical JSON lines: key order does not matter, content does', () => {
    const empty = new TraceRecorder();
    expect(empty.digest()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const one = new TraceRecorder();
    one.record(1, 7, { netns: 'root', host: 'h' }, 'route', { table: 'main', dev: 'eth0' });
    const same = new TraceRecorder();
    same.record(1, 7, { host: 'h', netns: 'root' }, 'route', { dev: 'eth0', table: 'main' });
    expect(one.digest()).toBe(same.digest());
    // sha256 of the line {"detail":{"dev":"eth0","table":"main"},"kind":"route","location":{"host":"h","netns":"root"},"packetId":7,"seq":0,"time":1}
    expect(one.digest()).toBe('e200d09a66866f04da666db5aa57383b3166ceb5d9ba9e247618c592472f0f63');
    const other = new TraceRecorder();
    other.record(1, 7, { host: 'h', netns: 'root' }, 'route', { dev: 'eth1', table: 'main' });
    expect(other.digest()).not.toBe(one.digest());
    one.clear();
    expect(one.digest()).toBe(empty.digest());
    one.record(3, 1, root, 'note');
    expect(one.records[0]!.seq).toBe(0);
  });
});

describe('TraceRecorder: details built when read', () => {
  it('builds each detail once, from the values given, when the records are first read', () => {
    const trace = new TraceRecorder();
    let built = 0;
    const hop = (dev: string, ttl: number, extra: string | undefined): TraceDetail => {
      built++;
      return extra === undefined ? { dev, ttl } : { dev, ttl, extra };
    };
    trace.recordWith(5, 1, c1, 'ttl', hop, 'eth0', 64, undefined);
    trace.recordWith(5, 1, c1, 'ttl', hop, 'eth1', 63, 'x');
    expect(built).toBe(0);
    expect(trace.size).toBe(2);
    expect(trace.records.map(r => r.detail)).toEqual([{ dev: 'eth0', ttl: 64 }, { dev: 'eth1', ttl: 63, extra: 'x' }]);
    expect(built).toBe(2);
    // Reading again builds nothing; records made later are added behind.
    trace.record(6, 2, root, 'note', { n: 1 });
    expect(trace.records.map(r => [r.seq, r.time, r.packetId, r.kind])).toEqual([
      [0, 5, 1, 'ttl'],
      [1, 5, 1, 'ttl'],
      [2, 6, 2, 'note'],
    ]);
    expect(built).toBe(2);
  });

  it('keeps seq, time, packet id, location and values across many storage chunks', () => {
    const trace = new TraceRecorder();
    const eight = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number): TraceDetail => ({ sum: a + b + c + d + e + f + g + h });
    const one = (a: number): TraceDetail => ({ a });
    const site = traceSite(c1, 'note', eight);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      // Runs of three records share a packet id and a time; times past 2^31 ns stay exact.
      const packet = Math.floor(i / 3);
      const time = 3_000_000_000 + Math.floor(i / 6);
      if (i % 2 === 0) trace.recordAt(time, packet, site, i, 1, 1, 1, 1, 1, 1, 1);
      else trace.recordWith(time, packet, root, 'route', one, i);
    }
    const records = trace.records;
    expect(records).toHaveLength(n);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 4095, 4096, 32767, 32768, 65537, n - 1]) {
      const r = records[i]!;
      expect(r.seq).toBe(i);
      expect(r.packetId).toBe(Math.floor(i / 3));
      expect(r.time).toBe(3_000_000_000 + Math.floor(i / 6));
      expect(r.detail).toEqual(i % 2 === 0 ? { sum: i + 7 } : { a: i });
      expect(r.location).toBe(i % 2 === 0 ? c1 : root);
    }
  });

  it('counts records past the limit whatever form they were made in', () => {
    const trace = new TraceRecorder({ limit: 3 });
    const one = (a: number): TraceDetail => ({ a });
    for (let i = 0; i < 5; i++) trace.recordWith(i, i, root, 'note', one, i);
    trace.recordDrop(9, 9, root, 'loss');
    expect(trace.records.map(r => r.detail)).toEqual([{ a: 0 }, { a: 1 }, { a: 2 }]);
    expect(trace.truncated).toBe(3);
  });

  it('keeps numeric arguments exactly, beside the others, in the order given', () => {
    const trace = new TraceRecorder();
    const hop = numericTraceArgs(
      (mac: number, name: string, ip: number, tags: readonly number[] | undefined, ttl: number): TraceDetail => ({ mac, name, ip, tags: tags === undefined ? null : [...tags], ttl }),
      0b10101,
    );
    const site = traceSite(c1, 'transmit', hop);
    expect(site.numeric).toBe(0b10101);
    for (let i = 0; i < 40_000; i++) trace.recordAt(i, i, site, 0x0242_ac11_0002 + i, `veth${i}`, 0xc0a8_3964, i % 2 === 0 ? undefined : [i], 64 - (i % 64));
    const r = trace.records;
    for (const i of [0, 1, 39_999]) {
      expect(r[i]!.detail).toEqual({ mac: 0x0242_ac11_0002 + i, name: `veth${i}`, ip: 0xc0a8_3964, tags: i % 2 === 0 ? null : [i], ttl: 64 - (i % 64) });
    }
  });

  it('refuses a builder with more than eight parameters', () => {
    const nine = (_a: number, _b: number, _c: number, _d: number, _e: number, _f: number, _g: number, _h: number, _i: number): TraceDetail => ({});
    expect(() => traceSite(root, 'note', nine)).toThrow(RangeError);
  });
});

const kind = fc.constantFrom<TraceKind>(...TRACE_KINDS);
const value: fc.Arbitrary<TraceValue> = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null));
const record = (seq: number): fc.Arbitrary<TraceRecord> =>
  fc.record({
    seq: fc.constant(seq),
    time: fc.nat(),
    packetId: fc.nat(20),
    location: fc.record({ host: fc.constantFrom('host1', 'host2'), netns: fc.constantFrom('root', 'c1') }),
    kind,
    detail: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), value, { maxKeys: 3 }),
  });
const trace: fc.Arbitrary<TraceRecord[]> = fc
  .nat(30)
  .chain(n => (n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => record(i)))));

describe('firstDifference', () => {
  it('is undefined for equal traces, even with keys in another order', () => {
    fc.assert(
      fc.property(trace, records => {
        const reordered = records.map(r => ({ detail: { ...r.detail }, kind: r.kind, location: { netns: r.location.netns, host: r.location.host }, packetId: r.packetId, time: r.time, seq: r.seq }));
        expect(firstDifference(records, reordered)).toBeUndefined();
      }),
    );
  });

  it('finds the first record that differs', () => {
    fc.assert(
      fc.property(trace.filter(r => r.length > 0), fc.nat(), fc.nat(), (records, pick, later) => {
        const index = pick % records.length;
        const changed = records.map((r, i) => (i === index || (i > index && later % 2 === 1) ? { ...r, time: r.time + 1 } : r));
        const found = firstDifference(records, changed);
        expect(found?.index).toBe(index);
        expect(found?.a).toBe(records[index]);
        expect(found?.b).toBe(changed[index]);
      }),
    );
  });

  it('reports where the shorter trace ends', () => {
    fc.assert(
      fc.property(trace.filter(r => r.length > 0), fc.nat(), (records, cut) => {
        const prefix = records.slice(0, cut % records.length);
        expect(firstDifference(prefix, records)).toEqual({ index: prefix.length, a: undefined, b: records[prefix.length] });
        expect(firstDifference(records, prefix)?.index).toBe(prefix.length);
      }),
    );
  });
});
