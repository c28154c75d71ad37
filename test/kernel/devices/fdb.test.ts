// The forwarding database on its own: learning, roaming, own addresses, ageing, static entries,
// listing order; and a model-based property over random learn/lookup sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { DEFAULT_AGEING_TIME, Fdb } from '../../../src/kernel/devices/index.js';

describe('Fdb', () => {
  it('learns, refreshes, and moves a roaming address', () => {
    const fdb = new Fdb<string>();
    expect(fdb.learn(1, 'p1', 0)).toEqual({ kind: 'new' });
    expect(fdb.learn(1, 'p1', 10)).toEqual({ kind: 'refreshed' });
    expect(fdb.learn(1, 'p2', 20)).toEqual({ kind: 'moved', from: 'p1' });
    expect(fdb.lookup(1, 20)?.port).toBe('p2');
  });

  it('never learns over a local entry', () => {
    const fdb = new Fdb<string>();
    fdb.add(1, 'br', 'local', 0, { byUser: false });
    expect(fdb.learn(1, 'p1', 5)).toEqual({ kind: 'own-address' });
    expect(fdb.lookup(1, 5)?.port).toBe('br');
  });

  it('moves static entries like the kernel does (only local ones stay), but never ages them', () => {
    const fdb = new Fdb<string>();
    fdb.add(1, 'p1', 'static', 0);
    expect(fdb.learn(1, 'p2', 1)).toEqual({ kind: 'moved', from: 'p1' });
    expect(fdb.lookup(1, 10 * DEFAULT_AGEING_TIME)?.state).toBe('static');
  });

  it('expires dynamic entries at updated + ageing_time and hides them from listings', () => {
    const fdb = new Fdb<string>(300 * SECOND);
    fdb.learn(1, 'p1', 0);
    fdb.learn(2, 'p1', 100 * SECOND);
    expect(fdb.entries(299 * SECOND).map(e => e.mac)).toEqual([2, 1]);
    expect(fdb.entries(300 * SECOND).map(e => e.mac)).toEqual([2]);
    expect(fdb.lookup(1, 300 * SECOND)).toBeUndefined();
    expect(fdb.sweep(400 * SECOND)).toBe(1);
    expect(fdb.size).toBe(0);
  });

  it('add reports an existing entry unless replacing; delete by port only matches that port', () => {
    const fdb = new Fdb<string>();
    expect(fdb.add(1, 'p1', 'static', 0)).toBe('added');
    expect(fdb.add(1, 'p2', 'static', 0)).toBe('exists');
    expect(fdb.add(1, 'p2', 'dynamic', 0, { replace: true })).toBe('replaced');
    expect(fdb.delete(1, 'p1')).toBe(false);
    expect(fdb.delete(1, 'p2')).toBe(true);
  });

  it('deletePort keeps permanent entries unless asked', () => {
    const fdb = new Fdb<string>();
    fdb.add(1, 'p1', 'local', 0);
    fdb.add(2, 'p1', 'static', 0);
    fdb.learn(3, 'p1', 0);
    expect(fdb.deletePort('p1', false)).toBe(1);
    expect(fdb.deletePort('p1', true)).toBe(2);
  });

  it('property: behaves like "last port seen, within the ageing time" and maps each MAC to one port', () => {
    const op = fc.record({ mac: fc.integer({ min: 1, max: 6 }), port: fc.constantFrom('a', 'b', 'c'), dt: fc.integer({ min: 0, max: 200 }), learn: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), ops => {
        const ageing = 300;
        const fdb = new Fdb<string>(ageing);
        const model = new Map<number, { port: string; seen: number }>();
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.learn) {
            fdb.learn(o.mac, o.port, now);
            model.set(o.mac, { port: o.port, seen: now });
          } else {
            const m = model.get(o.mac);
            const expected = m !== undefined && m.seen + ageing > now ? m.port : undefined;
            expect(fdb.lookup(o.mac, now)?.port).toBe(expected);
            if (expected === undefined) model.delete(o.mac);
          }
          const macs = fdb.entries(now).map(e => e.mac);
          expect(new Set(macs).size).toBe(macs.length);
        }
      }),
    );
  });
});
