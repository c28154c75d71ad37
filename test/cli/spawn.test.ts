// The built command as a user runs it: `npm run build`, then `node bin/cnmsim.mjs ...` in a child
// process: the real exit codes, stdout and stderr of the bundle, with no colours off a terminal.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCKER, ROOT, TEN_MISTAKES } from './support.js';

function node(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/cnmsim.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/cnmsim.mjs', () => {
  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
  }, 120_000);

  it('runs a Docker scenario and prints the JSON report, exit 0', () => {
    const r = node(['run', DOCKER, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { scenario: string; expectations: { ok: boolean }[] };
    expect(report.scenario).toBe('user-defined bridge');
    expect(report.expectations.every((e) => e.ok)).toBe(true);
  });

  it('exits 2 with every issue for the ten-mistakes file, and plain text when not on a terminal', () => {
    const r = node(['check', TEN_MISTAKES]);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter((l) => /^test\/fixtures\/scenarios\/ten-mistakes\.yaml:\d+:\d+: /.test(l))).toHaveLength(10);
    expect(r.stdout).toBe(`INVALID ${TEN_MISTAKES}\n`);
  });
});
