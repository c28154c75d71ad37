// `cnmsim run`: the transcript, the JSON report's exact shape, exit codes 0/1/2, --seed, --depth
// traces, and colours only when asked for (never with --json).
import { describe, expect, it } from 'vitest';
import { cnmsim, FAILING, DOCKER, HAND_BUILT, noStackTrace, plainCnmsim } from './support.js';

describe('cnmsim run', () => {
  it('prints the transcript and exits 0 when every expectation holds', async () => {
    const r = await plainCnmsim(['run', HAND_BUILT]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('# hand-built bridge (seed 1)');
    expect(r.stdout).toContain('host1$ sysctl -w net.ipv4.ip_forward=1\nnet.ipv4.ip_forward = 1\n');
    expect(r.stdout).toContain('client$ ip route add 10.10.0.0/24 via 192.0.2.2');
    expect(r.stdout).toContain('2 passed, 0 failed');
    expect(r.stdout).toMatch(/digest [0-9a-f]{64}\n$/);
  });

  it('prints the JSON report in the contract shape', async () => {
    const r = await plainCnmsim(['run', HAND_BUILT, '--json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['scenario', 'seed', 'digest', 'steps', 'expectations']);
    expect(report['scenario']).toBe('hand-built bridge');
    expect(report['seed']).toBe(1);
    expect(report['digest']).toMatch(/^[0-9a-f]{64}$/);
    const steps = report['steps'] as Record<string, unknown>[];
    expect(steps).toHaveLength(18);
    for (const s of steps) expect(Object.keys(s)).toEqual(['index', 'kind', 'target', 'command', 'exitCode', 'stdout', 'stderr']);
    expect(steps[0]).toEqual({ index: 0, kind: 'exec', target: 'host1', command: 'ip netns add b', exitCode: 0, stdout: '', stderr: '' });
    const expectations = report['expectations'] as Record<string, unknown>[];
    for (const e of expectations) expect(Object.keys(e)).toEqual(['index', 'kind', 'ok', 'message']);
    expect(expectations.map((e) => [e['index'], e['kind'], e['ok']])).toEqual([
      [0, 'reach', true],
      [1, 'trace', true],
    ]);
  });

  it('is deterministic: the same file and seed print the same bytes', async () => {
    const a = await cnmsim(['run', DOCKER, '--json']);
    const b = await cnmsim(['run', DOCKER, '--json']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('lets --seed override the file and change the digest', async () => {
    const one = JSON.parse((await plainCnmsim(['run', HAND_BUILT, '--json'])).stdout) as { seed: number; digest: string };
    const seven = JSON.parse((await plainCnmsim(['run', HAND_BUILT, '--json', '--seed', '7'])).stdout) as { seed: number; digest: string };
    expect(seven.seed).toBe(7);
    expect(seven.digest).not.toBe(one.digest);
  });

  it('exits 1 when an expectation fails, naming it', async () => {
    const r = await plainCnmsim(['run', FAILING]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('  FAIL step 2 (ip link add br0 type bridge): expected exit code 0');
    expect(r.stdout).toContain('  ok   exec in host1: ip link show br0');
    expect(r.stdout).toContain('1 passed, 2 failed');
  });

  it('appends the teaching trace of each trace expectation with --depth', async () => {
    const r = await plainCnmsim(['run', HAND_BUILT, '--depth', 'operator']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Traces (operator):');
    expect(r.stdout).toContain('client → 10.10.0.2:81 (tcp)');
    expect(r.stdout).toContain('filter/DOCKER-USER rule 1: -A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP → DROP');
  });

  it('colours only on a terminal, and never with --json', async () => {
    const plain = await plainCnmsim(['run', FAILING]);
    expect(plain.stdout).not.toContain('\u001b[');
    const tty = await plainCnmsim(['run', FAILING], { color: true });
    expect(tty.stdout).toContain('\u001b[');
    expect(tty.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain.stdout);
    const json = await plainCnmsim(['run', FAILING, '--json'], { color: true });
    expect(json.stdout).not.toContain('\u001b[');
  });

  it('refuses a bad seed with the usage and one line, exit 2', async () => {
    const r = await plainCnmsim(['run', HAND_BUILT, '--seed', 'seven']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cnmsim run <file>');
    expect(r.stderr.trimEnd().split('\n').pop()).toBe('cnmsim: --seed expects a whole number of at least 0, got "seven"');
    expect(noStackTrace(r)).toBe(true);
  });
});
