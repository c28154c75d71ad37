/**
 * The iptables commands on a ruleset: lazy tables, append/insert order, address lists, delete,
 * replace, check, chain management, policies, counters, and the -L / -S / iptables-save formats.
 */
import { describe, expect, it } from 'vitest';
import { Ruleset, runIptablesSave } from '../../../src/kernel/netfilter/index.js';
import { ipt, setup } from './support.js';

const rulesOf = (rs: Ruleset, chain: string, table = 'filter') =>
  ipt(rs, `-t ${table} -S ${chain}`).stdout.split('\n').filter((l) => l.startsWith('-A'));

describe('iptables commands on a ruleset', () => {
  it('creates tables lazily: a fresh namespace saves nothing', () => {
    const rs = new Ruleset();
    expect(runIptablesSave(rs, []).stdout).toBe('');
    expect(ipt(rs, '-L -n').exitCode).toBe(0);
    expect(ipt(rs, '-F').exitCode).toBe(0);
    expect(ipt(rs, '-C INPUT -j ACCEPT').exitCode).toBe(1);
    expect(runIptablesSave(rs, []).stdout).toBe('');
    setup(['-t nat -N DOCKER_OUTPUT'], rs);
    expect(rs.tableNames()).toEqual(['nat']);
  });

  it('appends, inserts above, and -I N+1 appends', () => {
    const rs = setup(['-A INPUT -s 1.1.1.1 -j ACCEPT', '-A INPUT -s 2.2.2.2 -j ACCEPT', '-I INPUT -s 3.3.3.3 -j ACCEPT', '-I INPUT 2 -s 4.4.4.4 -j ACCEPT', '-I INPUT 5 -s 5.5.5.5 -j ACCEPT']);
    expect(rulesOf(rs, 'INPUT')).toEqual([
      '-A INPUT -s 3.3.3.3/32 -j ACCEPT',
      '-A INPUT -s 4.4.4.4/32 -j ACCEPT',
      '-A INPUT -s 1.1.1.1/32 -j ACCEPT',
      '-A INPUT -s 2.2.2.2/32 -j ACCEPT',
      '-A INPUT -s 5.5.5.5/32 -j ACCEPT',
    ]);
  });

  it('expands address lists; insert puts later pairs above earlier ones', () => {
    const rs = setup(['-A INPUT -s 1.1.1.1,2.2.2.2 -d 9.9.9.9 -j ACCEPT', '-I FORWARD -s 1.1.1.1,2.2.2.2 -j DROP']);
    expect(rulesOf(rs, 'INPUT')).toEqual(['-A INPUT -s 1.1.1.1/32 -d 9.9.9.9/32 -j ACCEPT', '-A INPUT -s 2.2.2.2/32 -d 9.9.9.9/32 -j ACCEPT']);
    expect(rulesOf(rs, 'FORWARD')).toEqual(['-A FORWARD -s 2.2.2.2/32 -j DROP', '-A FORWARD -s 1.1.1.1/32 -j DROP']);
  });

  it('deletes by specification (first equal rule) and by number, replaces, checks', () => {
    const rs = setup(['-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']);
    expect(ipt(rs, '-C INPUT -p tcp -m tcp --dport 22 -j ACCEPT').exitCode).toBe(0);
    expect(ipt(rs, '-D INPUT -p tcp --dport 22 -j ACCEPT').exitCode).toBe(0);
    expect(rulesOf(rs, 'INPUT')).toEqual(['-A INPUT -j DROP', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']);
    expect(ipt(rs, '-R INPUT 1 -j REJECT').exitCode).toBe(0);
    expect(ipt(rs, '-D INPUT 2').exitCode).toBe(0);
    expect(rulesOf(rs, 'INPUT')).toEqual(['-A INPUT -j REJECT --reject-with icmp-port-unreachable']);
  });

  it('new, rename (references follow), flush, delete chains', () => {
    const rs = setup(['-N A', '-N B', '-A FORWARD -j A', '-A A -g B', '-A B -j RETURN']);
    expect(ipt(rs, '-E B C').exitCode).toBe(0);
    expect(rulesOf(rs, 'A')).toEqual(['-A A -g C']);
    const busy = ipt(rs, '-X C');
    expect(busy).toEqual({ exitCode: 4, stdout: '', stderr: 'iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain C\n' });
    expect(ipt(rs, '-X').exitCode).toBe(4);
    expect(ipt(rs, '-F').exitCode).toBe(0);
    expect(ipt(rs, '-X').exitCode).toBe(0);
    expect(ipt(rs, '-S').stdout).toBe('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n');
  });

  it('sets policies and zeroes counters', () => {
    const rs = setup(['-P FORWARD DROP', '-A INPUT -j ACCEPT -c 5 500', '-N X', '-A X -j RETURN -c 1 10']);
    expect(ipt(rs, '-S -v').stdout).toBe(
      '-P INPUT ACCEPT -c 0 0\n-P FORWARD DROP -c 0 0\n-P OUTPUT ACCEPT -c 0 0\n-N X\n-A INPUT -c 5 500 -j ACCEPT\n-A X -c 1 10 -j RETURN\n',
    );
    expect(ipt(rs, '-Z X').exitCode).toBe(0);
    expect(ipt(rs, '-S X -v').stdout).toBe('-N X\n-A X -c 0 0 -j RETURN\n');
    expect(ipt(rs, '-L INPUT -v -Z').stdout).toContain('    5   500 ACCEPT');
    expect(ipt(rs, '-S INPUT 1 -v').stdout).toBe('-A INPUT -c 0 0 -j ACCEPT\n');
  });

  it('lists in iptables -L column format', () => {
    const rs = setup([
      '-N DOCKER',
      '-P FORWARD DROP',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT -c 123456 9876543',
    ]);
    expect(ipt(rs, '-L -n').stdout).toBe(
      [
        'Chain INPUT (policy ACCEPT)',
        'target     prot opt source               destination         ',
        '',
        'Chain FORWARD (policy DROP)',
        'target     prot opt source               destination         ',
        'ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED',
        'DOCKER     0    --  0.0.0.0/0            0.0.0.0/0           ',
        '',
        'Chain OUTPUT (policy ACCEPT)',
        'target     prot opt source               destination         ',
        '',
        'Chain DOCKER (1 references)',
        'target     prot opt source               destination         ',
        'ACCEPT     6    --  0.0.0.0/0            172.17.0.2           tcp dpt:80',
        '',
      ].join('\n'),
    );
    expect(ipt(rs, '-L DOCKER -v --line-numbers').stdout).toBe(
      [
        'Chain DOCKER (1 references)',
        'num   pkts bytes target     prot opt in     out     source               destination         ',
        '1     123K 9877K ACCEPT     tcp  --  !docker0 docker0  anywhere             172.17.0.2           tcp dpt:http',
        '',
      ].join('\n'),
    );
    expect(ipt(rs, '-L DOCKER -v -x -n').stdout.split('\n')[2]).toBe(
      '  123456  9876543 ACCEPT     6    --  !docker0 docker0  0.0.0.0/0            172.17.0.2           tcp dpt:80',
    );
    expect(ipt(rs, '-L FORWARD 2 -n').stdout).toBe('DOCKER     0    --  0.0.0.0/0            0.0.0.0/0           \n');
  });

  it('prints -L extension texts', () => {
    const rs = setup([
      '-A INPUT -p icmp --icmp-type 3/4 -j ACCEPT',
      '-A INPUT -p udp -m multiport --dports 53,5353 -m comment --comment dns -j ACCEPT',
      '-A INPUT -m mark --mark 0x1/0xff -j LOG --log-prefix "in: "',
      '-A INPUT -g X -m addrtype --src-type LOCAL',
      '-N X',
    ].slice(0, 3));
    const out = ipt(rs, '-L INPUT -n').stdout.split('\n');
    expect(out[2]).toBe('ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 3 code 4');
    expect(out[3]).toBe('ACCEPT     17   --  0.0.0.0/0            0.0.0.0/0            multiport dports 53,5353 /* dns */');
    expect(out[4]).toBe('LOG        0    --  0.0.0.0/0            0.0.0.0/0            mark match 0x1/0xff LOG flags 0 level 4 prefix "in: "');
  });

  it('iptables-save -t prints one table, with counters under -c', () => {
    const rs = setup(['-A INPUT -j ACCEPT -c 3 180']);
    const out = runIptablesSave(rs, ['-c', '-t', 'filter'], { date: 'D' }).stdout;
    expect(out).toBe(
      '# Generated by iptables-save v1.8.9 (nf_tables) on D\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[3:180] -A INPUT -j ACCEPT\nCOMMIT\n# Completed on D\n',
    );
    expect(runIptablesSave(rs, ['-t', 'foo'])).toEqual({ exitCode: 1, stdout: '', stderr: "Table `foo' does not exist\n" });
  });
});
