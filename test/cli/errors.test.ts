// Bad input never produces a stack trace: a bad file lists every issue as file:line:col and exits
// 2; bad arguments print the usage and one line, exit 2; an internal error prints one line and
// exits 70; --help prints the usage and exits 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cnmsim, HAND_BUILT, kernelOnly, noStackTrace, plainCnmsim, ROOT, TEN_MISTAKES } from './support.js';

describe('a scenario file with mistakes', () => {
  it('lists all ten mistakes of the fixture with their positions and exits 2', async () => {
    const r = await cnmsim(['run', TEN_MISTAKES]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    const issues = lines.filter((l) => l.startsWith(`${TEN_MISTAKES}:`));
    expect(issues).toHaveLength(10);
    const marked = readFileSync(join(ROOT, TEN_MISTAKES), 'utf8')
      .split('\n')
      .flatMap((l, i) => (/# \d+:/.test(l) ? [i + 1] : []));
    expect(issues.map((l) => Number(l.split(':')[1]))).toEqual(marked);
    for (const l of issues) expect(l).toMatch(/^[^:]+:\d+:\d+: \S/);
    expect(lines.pop()).toBe(`cnmsim: ${TEN_MISTAKES} is not a valid scenario (10 issues); nothing was run`);
    expect(noStackTrace(r)).toBe(true);
  });

  it.each([['run'], ['trace', '--from', 'c1', '--to', 'web'], ['pcap'], ['inspect'], ['check']])('is refused the same way by %s', async (command, ...rest) => {
    const r = await cnmsim([command, TEN_MISTAKES, ...rest]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith(`${TEN_MISTAKES}:`))).toHaveLength(10);
  });

  it('says in one line when the file cannot be read', async () => {
    const r = await cnmsim(['run', 'no/such/file.yaml']);
    expect(r).toEqual({ exitCode: 2, stdout: '', stderr: 'cnmsim: cannot read no/such/file.yaml: no such file or directory\n' });
  });
});

describe('bad arguments', () => {
  it.each([
    [['bogus'], 'cnmsim: Unknown argument: bogus'],
    [[], 'cnmsim: Name a command (see --help).'],
    [['run'], 'cnmsim: Not enough non-option arguments: got 0, need at least 1'],
    [['run', HAND_BUILT, '--nope'], 'cnmsim: Unknown argument: nope'],
    [['trace', HAND_BUILT, '--from', 'client'], 'cnmsim: Missing required argument: to'],
    [['trace', HAND_BUILT, '--from', 'client', '--to', 'host1', '--proto', 'sctp'], 'cnmsim: Invalid values: Argument: proto, Given: "sctp", Choices: "tcp", "udp", "icmp"'],
    [['trace', HAND_BUILT, '--from', 'client', '--to', 'host1', '--depth', 'deep'], 'cnmsim: Invalid values: Argument: depth, Given: "deep", Choices: "learner", "operator", "kernel"'],
    [['trace', HAND_BUILT, '--from', 'client', '--to', 'host1', '--port', '70000'], 'cnmsim: --port expects 1 to 65535, got 70000'],
  ])('%j prints the usage and one line, exit 2', async (args, last) => {
    const r = await plainCnmsim(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cnmsim /);
    expect(r.stderr.trimEnd().split('\n').pop()).toBe(last);
    expect(noStackTrace(r)).toBe(true);
  });

  it('names unknown --from and --to names with the names it knows', async () => {
    const from = await plainCnmsim(['trace', HAND_BUILT, '--from', 'c9', '--to', 'host1']);
    expect(from.exitCode).toBe(2);
    expect(from.stderr).toBe('cnmsim: --from c9: no container, host or external of that name (known: host1, client)\n');
    const to = await plainCnmsim(['trace', HAND_BUILT, '--from', 'client', '--to', 'nowhere:80']);
    expect(to.exitCode).toBe(2);
    expect(to.stderr).toBe('cnmsim: --to nowhere:80 has no address (is it running?) (known: host1, client)\n');
  });
});

describe('help and internal errors', () => {
  it('prints the usage with every command for --help, exit 0', async () => {
    const r = await cnmsim(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['run', 'check', 'trace', 'pcap', 'inspect', 'list', 'demo', 'diff']) expect(r.stdout).toContain(`cnmsim ${c}`);
    expect(r.stderr).toBe('');
  });

  it('turns an exception inside the simulator into one line and exit 70', async () => {
    const broken = { ...kernelOnly, programs: () => { throw new TypeError('the kernel fell over'); } };
    const r = await cnmsim(['run', HAND_BUILT], { services: broken });
    expect(r).toEqual({ exitCode: 70, stdout: '', stderr: 'cnmsim: internal error: the kernel fell over\n' });
  });
});
