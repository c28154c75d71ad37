// `cnmsim check`: one verdict line per file, exit codes over several files, JUnit XML, JSON, and
// --twice: the same digest twice for a deterministic scenario, and the first differing trace
// record named when two runs differ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { machinePrograms, type MachineServices } from '../../src/scenario/index.js';
import { cnmsim, FAILING, FIXTURES, DOCKER, HAND_BUILT, kernelOnly, plainCnmsim, tempDir, TEN_MISTAKES } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Machines with a program that records a different note on every run: not deterministic. */
function flakyServices(): MachineServices {
  let runs = 0;
  return {
    ...kernelOnly,
    programs: () => {
      const registry = machinePrograms();
      registry.register('flaky', (proc) => {
        runs += 1;
        proc.ns.trace(0, undefined, 'note', { what: `run ${runs}` });
        proc.exit(0);
      });
      return registry;
    },
  };
}

describe('cnmsim check', () => {
  it('prints one PASS line per good file and exits 0', async () => {
    const r = await plainCnmsim(['check', HAND_BUILT]);
    expect(r).toEqual({ exitCode: 0, stdout: `PASS ${HAND_BUILT}: hand-built bridge (2/2 expectations hold)\n`, stderr: '' });
  });

  it('lists the failed expectations and exits 1', async () => {
    const r = await plainCnmsim(['check', HAND_BUILT, FAILING]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`FAIL ${FAILING}: failing expectations (1/3 expectations hold)`);
    expect(r.stdout).toContain('  FAIL exec in host1: ip link show br0: expected the output to contain "state UP"');
  });

  it('exits 2 when one file is invalid, and still checks the others', async () => {
    const r = await plainCnmsim(['check', FAILING, TEN_MISTAKES]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain(`FAIL ${FAILING}`);
    expect(r.stdout).toContain(`INVALID ${TEN_MISTAKES}`);
    expect(r.stderr.split('\n').filter((l) => l.startsWith(`${TEN_MISTAKES}:`))).toHaveLength(10);
  });

  it('with --twice finds the same digest twice for a Docker scenario', async () => {
    const r = await cnmsim(['check', DOCKER, '--twice', '--json']);
    expect(r.exitCode).toBe(0);
    const [result] = JSON.parse(r.stdout) as { ok: boolean; digest: string; twice: { digests: string[]; same: boolean; difference: null } }[];
    expect(result!.ok).toBe(true);
    expect(result!.twice.same).toBe(true);
    expect(result!.twice.digests).toEqual([result!.digest, result!.digest]);
  });

  it('with --twice names the first differing record when two runs differ', async () => {
    const r = await cnmsim(['check', `${FIXTURES}/flaky.yaml`, '--twice'], { services: flakyServices() });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`FAIL ${FIXTURES}/flaky.yaml: flaky (0/0 expectations hold)`);
    expect(lines[1]).toMatch(/^ {2}NOT DETERMINISTIC digests [0-9a-f]{12} and [0-9a-f]{12} differ$/);
    expect(lines[2]).toBe('    first differing record at index 0:');
    expect(lines[3]).toBe('      run 1: #0 host1/root note what=run 1');
    expect(lines[4]).toBe('      run 2: #0 host1/root note what=run 2');
  });

  it('writes JUnit XML with one test case per expectation', async () => {
    const path = join(tmp.dir, 'reports', 'junit.xml');
    const r = await plainCnmsim(['check', HAND_BUILT, FAILING, TEN_MISTAKES, '--junit', path, '--twice']);
    expect(r.exitCode).toBe(2);
    const xml = readFileSync(path, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cnmsim" tests="8" failures="2" errors="1">')).toBe(true);
    expect(xml).toContain(`<testsuite name="hand-built bridge" file="${HAND_BUILT}" tests="3" failures="0" errors="0">`);
    expect(xml).toContain(`<testcase classname="${HAND_BUILT}" name="determinism"/>`);
    expect(xml).toContain('<failure message="exec in host1: ip link show br0: expected the output to contain &quot;state UP&quot;">');
    expect(xml).toContain(`<error message="${TEN_MISTAKES} is not a valid scenario">${TEN_MISTAKES}:4:1: missing required key &quot;name&quot;`);
    expect(xml).not.toMatch(/time=|timestamp=/);
  });

  it('prints JSON results with the expectations of each file', async () => {
    const r = await plainCnmsim(['check', HAND_BUILT, TEN_MISTAKES, '--json']);
    const results = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(results.map((x) => [x['file'], x['valid']])).toEqual([
      [HAND_BUILT, true],
      [TEN_MISTAKES, false],
    ]);
    expect(Object.keys(results[0]!)).toEqual(['file', 'valid', 'ok', 'scenario', 'seed', 'digest', 'expectations']);
    expect((results[1]!['issues'] as string[]).length).toBe(10);
  });
});
