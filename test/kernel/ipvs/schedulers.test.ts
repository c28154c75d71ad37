// The list-walking schedulers as decision modules: rr, wrr, lc, wlc, with the exact orders of
// ip_vs_rr.c, ip_vs_wrr.c, ip_vs_lc.c and ip_vs_wlc.c, and the rr round property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/kernel/ipvs/index.js';
import { DestList, dest, type TestDest } from './helpers.js';

describe('rr (ip_vs_rr.c)', () => {
  it('starts from the most recently added server: add A, B, C picks C, B, A, C, B, A', () => {
    const l = new DestList('rr', [dest('A'), dest('B'), dest('C')]);
    expect(l.dests.map(d => d.name)).toEqual(['C', 'B', 'A']);
    expect(l.picks(7)).toEqual(['C', 'B', 'A', 'C', 'B', 'A', 'C']);
  });

  it('skips weight-0 (quiesced) and overloaded servers', () => {
    const l = new DestList('rr', [dest('A'), dest('B'), dest('C')]);
    l.update('B', { weight: 0 });
    expect(l.picks(4)).toEqual(['C', 'A', 'C', 'A']);
    l.update('B', { weight: 1 });
    l.update('C', { overloaded: true });
    // The cursor is at A: next comes C (overloaded, skipped), then B.
    expect(l.picks(3)).toEqual(['B', 'A', 'B']);
  });

  it('keeps the cursor when a server is added; a new head is reached after the wrap', () => {
    const l = new DestList('rr', [dest('A'), dest('B')]);
    expect(l.picks(1)).toEqual(['B']);
    l.add(dest('C'));
    // List C, B, A with the cursor on B: A, then the new head C.
    expect(l.picks(4)).toEqual(['A', 'C', 'B', 'A']);
  });

  it('moves the cursor back to the predecessor when its server is deleted', () => {
    const l = new DestList('rr', [dest('A'), dest('B'), dest('C')]);
    expect(l.picks(2)).toEqual(['C', 'B']);
    l.remove('B');
    // The cursor moved back to C, so A comes next (not C again).
    expect(l.picks(3)).toEqual(['A', 'C', 'A']);
  });

  it('moves the cursor to the head when the first server (the cursor) is deleted', () => {
    const l = new DestList('rr', [dest('A'), dest('B'), dest('C')]);
    expect(l.picks(1)).toEqual(['C']);
    l.remove('C');
    expect(l.picks(3)).toEqual(['B', 'A', 'B']);
  });

  it('returns nothing when every server is quiesced', () => {
    const l = new DestList('rr', [dest('A', 0), dest('B', 0)]);
    expect(l.picks(2)).toEqual(['-', '-']);
  });

  it('property: each round of n schedules hands out exactly one connection per server', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 11 }), (n, rounds, warmup) => {
        const l = new DestList('rr', Array.from({ length: n }, (_, i) => dest(String.fromCharCode(65 + i))));
        l.picks(warmup % n);
        for (let r = 0; r < rounds; r++) {
          const round = l.picks(n);
          expect(new Set(round).size).toBe(n);
        }
      }),
    );
  });
});

describe('wrr (ip_vs_wrr.c)', () => {
  it('A4, B3, C2 in list order cycles A, A, B, A, B, C, A, B, C', () => {
    // New servers go to the head, so adding C, B, A yields the list A, B, C. Each add runs
    // ip_vs_wrr_dest_changed, which leaves cw at 1 (it was set to mw=1 when C was alone), so the
    // first pass is the weight >= 1 pass: A, B, C. Then cw restarts at mw=4 and the steady cycle
    // follows.
    const l = new DestList('wrr', [dest('C', 2), dest('B', 3), dest('A', 4)]);
    expect(l.dests.map(d => d.name)).toEqual(['A', 'B', 'C']);
    const cycle = ['A', 'A', 'B', 'A', 'B', 'C', 'A', 'B', 'C'];
    expect(l.picks(3 + 18)).toEqual(['A', 'B', 'C', ...cycle, ...cycle]);
  });

  it('starts the cycle at once when bound to a service that already has the servers (-E -s wrr)', () => {
    const l = new DestList('rr', [dest('C', 2), dest('B', 3), dest('A', 4)]);
    const wrr = createScheduler<TestDest>('wrr', l.dests);
    const picks = Array.from({ length: 9 }, () => wrr.schedule(l.dests, { saddr: 1, sport: 1 }, 0)?.name);
    expect(picks).toEqual(['A', 'A', 'B', 'A', 'B', 'C', 'A', 'B', 'C']);
  });

  it('steps the current weight by the gcd: A4, B2 gives A, A, B (after the cw=1 pass A, B)', () => {
    const l = new DestList('wrr', [dest('B', 2), dest('A', 4)]);
    expect(l.picks(8)).toEqual(['A', 'B', 'A', 'A', 'B', 'A', 'A', 'B']);
  });

  it('resets the cursor to the head on any destination change', () => {
    const l = new DestList('wrr', [dest('C', 1), dest('B', 1), dest('A', 1)]);
    expect(l.picks(2)).toEqual(['A', 'B']);
    l.update('C', { weight: 1 });
    expect(l.picks(2)).toEqual(['A', 'B']);
  });

  it('skips weight 0 and overloaded servers; all quiesced means no server', () => {
    const l = new DestList('wrr', [dest('C', 2), dest('B', 3), dest('A', 4)]);
    l.update('A', { overloaded: true });
    // cw is 1 after the updates: B, C; then cw 4 (A overloaded, nobody), 3: B, 2: B, C.
    expect(l.picks(5)).toEqual(['B', 'C', 'B', 'B', 'C']);
    const q = new DestList('wrr', [dest('A', 0), dest('B', 0)]);
    expect(q.picks(1)).toEqual(['-']);
  });
});

describe('lc (ip_vs_lc.c)', () => {
  it('picks the least overhead (active * 256 + inactive); ties go to the earlier list entry', () => {
    const a = dest('A');
    const b = dest('B');
    const c = dest('C');
    const l = new DestList('lc', [a, b, c]);
    expect(l.picks(1)).toEqual(['C']);
    c.inactConns = 1;
    expect(l.picks(1)).toEqual(['B']);
    // One active connection outweighs 255 inactive ones.
    b.activeConns = 1;
    a.inactConns = 255;
    expect(l.picks(1)).toEqual(['C']);
    c.inactConns = 256;
    expect(l.picks(1)).toEqual(['A']);
  });

  it('ignores weights except 0, and overloaded servers', () => {
    const a = dest('A', 1);
    const b = dest('B', 100);
    const l = new DestList('lc', [a, b]);
    b.inactConns = 1;
    expect(l.picks(1)).toEqual(['A']);
    l.update('A', { weight: 0 });
    expect(l.picks(1)).toEqual(['B']);
    l.update('B', { overloaded: true });
    expect(l.picks(1)).toEqual(['-']);
  });
});

describe('wlc (ip_vs_wlc.c)', () => {
  it('compares overhead/weight by cross-multiplication; ties go to the earlier list entry', () => {
    const a = dest('A', 1);
    const b = dest('B', 2);
    const l = new DestList('wlc', [a, b]);
    // List B, A; both idle: the first usable (B) wins the tie.
    expect(l.picks(1)).toEqual(['B']);
    b.activeConns = 1;
    // B: 256/2 = 128 vs A: 0/1: A.
    expect(l.picks(1)).toEqual(['A']);
    a.activeConns = 1;
    // B: 256/2 < A: 256/1.
    expect(l.picks(1)).toEqual(['B']);
    b.activeConns = 2;
    // B: 512/2 == A: 256/1: the tie keeps B (earlier).
    expect(l.picks(1)).toEqual(['B']);
  });

  it('never picks a weight-0 server after the first usable one', () => {
    const a = dest('A', 0);
    const b = dest('B', 1);
    const l = new DestList('wlc', [a, b]);
    b.activeConns = 50;
    expect(l.picks(1)).toEqual(['B']);
  });
});
