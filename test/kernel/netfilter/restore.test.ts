/**
 * iptables-restore: flush vs --noflush, --test, per-section atomicity, line-numbered errors,
 * counters and quoting.
 */
import { describe, expect, it } from 'vitest';
import { Ruleset, runIptablesRestore, runIptablesSave } from '../../../src/kernel/netfilter/index.js';
import { ipt, setup } from './support.js';

const save = (rs: Ruleset) => runIptablesSave(rs, [], { date: 'D' }).stdout.replace(/^#.*\n/gm, '');

const NAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -i docker0 -j RETURN
COMMIT
`;

describe('iptables-restore', () => {
  it('replaces a table unless --noflush, where declared user chains are flushed', () => {
    const rs = setup(['-t nat -N OLD', '-t nat -A OLD -j RETURN', '-A INPUT -j ACCEPT']);
    expect(runIptablesRestore(rs, NAT).exitCode).toBe(0);
    expect(save(rs)).toContain(':DOCKER - [0:0]\n-A PREROUTING');
    expect(save(rs)).not.toContain('OLD');
    expect(save(rs)).toContain('-A INPUT -j ACCEPT');
    setup(['-t nat -A DOCKER -j RETURN', '-t nat -N KEEP'], rs);
    const more = '*nat\n:DOCKER - [0:0]\n-A DOCKER -i docker1 -j RETURN\nCOMMIT\n';
    expect(runIptablesRestore(rs, more, ['--noflush']).exitCode).toBe(0);
    expect(ipt(rs, '-t nat -S DOCKER').stdout).toBe('-N DOCKER\n-A DOCKER -i docker1 -j RETURN\n');
    expect(ipt(rs, '-t nat -S KEEP').exitCode).toBe(0);
  });

  it('--test checks everything and changes nothing', () => {
    const rs = new Ruleset();
    expect(runIptablesRestore(rs, NAT, ['--test'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(rs.tableNames()).toEqual([]);
    const bad = '*nat\n-A POSTROUTING -j DNAT --to-destination 1.2.3.4\nCOMMIT\n';
    expect(runIptablesRestore(rs, bad, ['--test']).exitCode).toBe(4);
  });

  it('applies nothing of a failing section and reports the line', () => {
    const rs = setup(['-t nat -N KEEP']);
    const input = `${NAT.replace('COMMIT\n', '')}-A DOCKER -p tcp --dport 80 -j DNAT --to-destination 1.2.3.4:8080\n-A POSTROUTING -j DNAT --to-destination 1.2.3.4\nCOMMIT\n`;
    expect(runIptablesRestore(rs, input)).toEqual({
      exitCode: 4,
      stdout: '',
      stderr: 'iptables-restore v1.8.9 (nf_tables): \nline 10: RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING\n',
    });
    expect(ipt(rs, '-t nat -S KEEP').exitCode).toBe(0);
  });

  it('reports parse errors with the line, and commit-time failures as "line N failed"', () => {
    const rs = new Ruleset();
    expect(runIptablesRestore(rs, '*filter\n-A INPUT -m nosuch\nCOMMIT\n')).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        "iptables-restore v1.8.9 (nf_tables): Couldn't load match `nosuch':No such file or directory\n\nError occurred at line: 2\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
    });
    expect(runIptablesRestore(rs, '*filter\n-A INPUT -j NOWHERE\nCOMMIT\n').stderr).toBe(
      "iptables-restore v1.8.9 (nf_tables): Chain 'NOWHERE' does not exist\nError occurred at line: 3\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
    );
    expect(runIptablesRestore(rs, '*filter\n-D INPUT -j ACCEPT\nCOMMIT\n')).toEqual({ exitCode: 1, stdout: '', stderr: 'iptables-restore: line 3 failed\n' });
    expect(runIptablesRestore(rs, '*filter\n-A INPUT -j ACCEPT\n')).toEqual({ exitCode: 1, stdout: '', stderr: 'iptables-restore: COMMIT expected at line 3\n' });
    expect(runIptablesRestore(rs, '-A INPUT -j ACCEPT\n')).toEqual({ exitCode: 1, stdout: '', stderr: 'iptables-restore: line 1 failed\n' });
    expect(runIptablesRestore(rs, '*bogus\nCOMMIT\n').stderr).toBe(
      "iptables-restore v1.8.9 (nf_tables): iptables-restore: line 1 table name 'bogus' invalid\n\nError occurred at line: 1\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
    );
    expect(runIptablesRestore(rs, '*filter\n-t nat -A INPUT\nCOMMIT\n').stderr).toContain('The -t option cannot be used in iptables-restore.\n');
    expect(rs.tableNames()).toEqual([]);
  });

  it('keeps counters only with -c, and quoted comments', () => {
    const rs = new Ruleset();
    const input = '*filter\n:INPUT DROP [7:700]\n[3:120] -A INPUT -m comment --comment "a \\"quoted\\" text" -j ACCEPT\nCOMMIT\n';
    expect(runIptablesRestore(rs, input, ['-c']).exitCode).toBe(0);
    const withCounters = runIptablesSave(rs, ['-c'], { date: 'D' }).stdout;
    expect(withCounters).toContain(':INPUT DROP [7:700]\n');
    expect(withCounters).toContain('\n[3:120] -A INPUT -m comment --comment "a \\"quoted\\" text" -j ACCEPT\n');
    expect(runIptablesRestore(rs, input).exitCode).toBe(0);
    const without = runIptablesSave(rs, ['-c'], { date: 'D' }).stdout;
    expect(without).toContain(':INPUT DROP [0:0]\n');
    expect(without).toContain('\n[0:0] -A INPUT');
  });
});
