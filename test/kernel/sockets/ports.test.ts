import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../../src/engine/index.js';
import { pickEphemeralPort, type PortRange } from '../../../src/kernel/sockets/index.js';

const RANGE: PortRange = { low: 32768, high: 60999 };

function rng(seed = 1) {
  return new RngStreams(seed).stream('ephemeral-port');
}

describe('pickEphemeralPort', () => {
  it('TCP connect starts on an even port, TCP bind on an odd one (inet_csk_find_open_port)', () => {
    const r = rng();
    for (let i = 0; i < 50; i++) {
      expect(pickEphemeralPort(r, RANGE, 'tcp-connect', () => false)! % 2).toBe(0);
      expect(pickEphemeralPort(r, RANGE, 'tcp-bind', () => false)! % 2).toBe(1);
    }
  });

  it('stays inside the range and is reproducible from the seed', () => {
    const draw = (seed: number): number[] => {
      const r = rng(seed);
      return Array.from({ length: 20 }, () => pickEphemeralPort(r, RANGE, 'udp', () => false)!);
    };
    expect(draw(9)).toEqual(draw(9));
    for (const p of draw(9)) {
      expect(p).toBeGreaterThanOrEqual(RANGE.low);
      expect(p).toBeLessThanOrEqual(RANGE.high);
    }
  });

  it('scans on from the random start past ports in use, then gives up when all are taken', () => {
    const small: PortRange = { low: 1000, high: 1003 };
    const used = new Set([1000, 1001, 1002]);
    expect(pickEphemeralPort(rng(), small, 'udp', p => used.has(p))).toBe(1003);
    used.add(1003);
    expect(pickEphemeralPort(rng(), small, 'udp', p => used.has(p))).toBeUndefined();
    const tcpUsed = new Set([1000, 1002]);
    // Even ports are exhausted: connect() falls back to the odd ones.
    expect(pickEphemeralPort(rng(), small, 'tcp-connect', p => tcpUsed.has(p))! % 2).toBe(1);
  });
});
