// `cnmsim diff`: two fabricated run reports or trace dumps, the first difference named; exit 0
// when they agree, 1 when they differ, 2 for files that cannot be compared.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/engine/index.js';
import { cnmsim, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function file(name: string, data: unknown): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
}

const step = (index: number, stdout: string) => ({ index, kind: 'exec', target: 'host1', command: `echo ${index}`, exitCode: 0, stdout, stderr: '' });
const report = (digest: string, stdout2: string) => ({
  scenario: 's',
  seed: 1,
  digest,
  steps: [step(0, 'zero\n'), step(1, 'one\n'), step(2, stdout2)],
  expectations: [{ index: 0, kind: 'reach', ok: true, message: 'c1 reaches web' }],
});
const record = (seq: number, dst: string): TraceRecord => ({ seq, time: seq * 10, packetId: 3, location: { host: 'host1', netns: 'root', device: 'eth0' }, kind: 'route', detail: { dst, stage: 'output' } });

describe('cnmsim diff', () => {
  it('names the first differing step of two run reports', async () => {
    const a = file('a.json', report('aaaa', 'two\n'));
    const b = file('b.json', report('bbbb', 'TWO\n'));
    const r = await cnmsim(['diff', a, b]);
    expect(r).toEqual({ exitCode: 1, stdout: `${a} and ${b} differ\nsteps[2].stdout, step 3 (echo 2):\n  A: "two\\n"\n  B: "TWO\\n"\n`, stderr: '' });
  });

  it('falls back to the digests when the reports read the same', async () => {
    const r = await cnmsim(['diff', file('c.json', report('aaaa', 'two\n')), file('d.json', report('bbbb', 'two\n'))]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('digest: A aaaa, B bbbb: the steps and expectations read the same, but the trace differs');
  });

  it('names the first differing record of two trace dumps', async () => {
    const a = file('ta.json', { records: [record(0, '10.0.0.1'), record(1, '10.0.0.2'), record(2, '10.0.0.3')] });
    const b = file('tb.json', { records: [record(0, '10.0.0.1'), record(1, '10.0.0.9'), record(2, '10.0.0.3')] });
    const r = await cnmsim(['diff', a, b]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`${a} and ${b} differ\nfirst differing record: index 1\n  A: #1 host1/root/eth0 route dst=10.0.0.2 stage=output\n  B: #1 host1/root/eth0 route dst=10.0.0.9 stage=output\n`);
    const shorter = file('tc.json', [record(0, '10.0.0.1')]);
    expect((await cnmsim(['diff', a, shorter])).stdout).toContain('  B: (no record: the trace ends here)');
  });

  it('exits 0 for two equal files', async () => {
    const a = file('e.json', report('aaaa', 'two\n'));
    expect(await cnmsim(['diff', a, a])).toEqual({ exitCode: 0, stdout: `same: ${a} and ${a} agree\n`, stderr: '' });
  });

  it('refuses what it cannot compare, exit 2', async () => {
    const rep = file('f.json', report('aaaa', 'two\n'));
    const trace = file('g.json', { records: [record(0, '10.0.0.1')] });
    expect((await cnmsim(['diff', rep, trace])).stderr).toBe(`cnmsim: ${rep} is a run report and ${trace} is a trace dump: compare two of one kind\n`);
    const notJson = await cnmsim(['diff', rep, file('h.json', '{nope')]);
    expect(notJson.exitCode).toBe(2);
    expect(notJson.stderr).toMatch(/^cnmsim: .*h\.json is not JSON: /);
    const other = await cnmsim(['diff', rep, file('i.json', { hello: 1 })]);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('is neither a run report (cnmsim run --json) nor a trace dump (cnmsim trace --json)');
  });
});
