// ipvsadm 1.31 as a program: golden listings (byte for byte, trailing blanks of `%-10u`
// included), the save format, its errors and exit statuses.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { accountRequest, ipvsInDecision, runIpvsadm, type IpvsadmResult } from '../../../src/kernel/ipvs/index.js';
import type { NetNamespace } from '../../../src/kernel/index.js';
import { ACK, ipvsNs, tcp } from './helpers.js';

function sh(ns: NetNamespace, line: string): IpvsadmResult {
  return runIpvsadm(ns, ['ipvsadm', ...line.split(' ').filter(w => w !== '')]);
}

function ok(ns: NetNamespace, ...lines: string[]): void {
  for (const line of lines) {
    const r = sh(ns, line);
    if (r.exitCode !== 0) throw new Error(`ipvsadm ${line}: ${r.exitCode} ${r.stderr}`);
  }
}

const lines = (...l: string[]): string => l.map(x => `${x}\n`).join('');

describe('ipvsadm -L', () => {
  it('prints the table as ipvsadm 1.31 does', () => {
    const { ns } = ipvsNs();
    ok(
      ns,
      '-A -t 10.96.0.1:443 -s rr',
      '-a -t 10.96.0.1:443 -r 192.168.1.10:6443 -m',
      '-a -t 10.96.0.1:443 -r 192.168.1.11:6443 -m -w 2',
      '-A -f 1 -s rr',
      '-a -f 1 -r 10.0.2.2 -m',
      '-A -u 10.96.0.10:53 -s wlc -p',
      '-A -t 10.0.0.1:80 -s sh -b sh-port -p 600 -M 255.255.255.0',
      '-a -t 10.0.0.1:80 -r 172.17.0.2',
    );
    expect(sh(ns, '-Ln')).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: lines(
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  10.0.0.1:80 sh (sh-port) persistent 600 mask 255.255.255.0',
        '  -> 172.17.0.2:80                Route   1      0          0         ',
        'TCP  10.96.0.1:443 rr',
        '  -> 192.168.1.10:6443            Masq    1      0          0         ',
        '  -> 192.168.1.11:6443            Masq    2      0          0         ',
        'UDP  10.96.0.10:53 wlc persistent 300',
        'FWM  1 rr',
        '  -> 10.0.2.2:0                   Masq    1      0          0         ',
      ),
    });
    // Without -n, ports are shown by their /etc/services names.
    expect(sh(ns, '-L').stdout).toContain('TCP  10.96.0.1:https rr\n');
    expect(sh(ns, '-L').stdout).toContain('UDP  10.96.0.10:domain wlc persistent 300\n');
    // No argument at all lists the table too.
    expect(runIpvsadm(ns, ['ipvsadm']).stdout).toBe(sh(ns, '-L').stdout);
  });

  it('lists one service without the version line', () => {
    const { ns } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:443 -s rr', '-a -t 10.96.0.1:443 -r 192.168.1.10:6443 -m');
    expect(sh(ns, '-L -n -t 10.96.0.1:443').stdout).toBe(
      lines(
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  10.96.0.1:443 rr',
        '  -> 192.168.1.10:6443            Masq    1      0          0         ',
      ),
    );
  });

  it('sorts services and destinations as libipvs does (signed differences: 10.x after 192.x)', () => {
    const { ns } = ipvsNs();
    ok(ns, '-A -t 192.168.0.1:80 -s rr', '-A -t 10.0.0.1:80 -s rr', '-A -t 10.0.0.1:22 -s rr');
    ok(ns, '-a -t 10.0.0.1:22 -r 10.1.1.1 -m', '-a -t 10.0.0.1:22 -r 10.1.1.2 -m', '-a -t 10.0.0.1:22 -r 192.168.5.5 -m');
    const out = sh(ns, '-Ln').stdout.split('\n');
    expect(out.filter(l => l.startsWith('TCP'))).toEqual(['TCP  192.168.0.1:80 rr', 'TCP  10.0.0.1:22 rr', 'TCP  10.0.0.1:80 rr']);
    expect(out.filter(l => l.startsWith('  -> 1')).map(l => l.slice(5, 16).trim())).toEqual(['192.168.5.5', '10.1.1.1:22', '10.1.1.2:22']);
    // --nosort: creation order, destinations in list order (newest first).
    const raw = sh(ns, '-Ln --nosort').stdout.split('\n');
    expect(raw.filter(l => l.startsWith('TCP'))).toEqual(['TCP  192.168.0.1:80 rr', 'TCP  10.0.0.1:80 rr', 'TCP  10.0.0.1:22 rr']);
  });

  it('prints --stats, --thresholds and --persistent-conn columns', () => {
    const { ns, ipvs } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:80 -s rr -p', '-a -t 10.96.0.1:80 -r 192.168.1.10:8080 -m -x 100 -y 50');
    const pkt = tcp('10.0.0.9', 40001, '10.96.0.1', 80);
    const d = ipvsInDecision(ipvs, pkt, false);
    if (d.kind !== 'conn') throw new Error(d.kind);
    accountRequest(ipvs, d.conn, pkt, 60);
    accountRequest(ipvs, d.conn, tcp('10.0.0.9', 40001, '10.96.0.1', 80, ACK), 52);
    expect(sh(ns, '-Ln --stats').stdout).toBe(
      lines(
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
        '  -> RemoteAddress:Port',
        'TCP  10.96.0.1:80                        1        2        0      112        0',
        '  -> 192.168.1.10:8080                   1        2        0      112        0',
      ),
    );
    expect(sh(ns, '-Ln --thresholds').stdout.split('\n').slice(1, 5)).toEqual([
      'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ',
      '  -> RemoteAddress:Port',
      'TCP  10.96.0.1:80 rr persistent 300',
      '  -> 192.168.1.10:8080            100        50         1          0         ',
    ]);
    expect(sh(ns, '-Ln --persistent-conn').stdout.split('\n').slice(1, 5)).toEqual([
      'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ',
      '  -> RemoteAddress:Port',
      'TCP  10.96.0.1:80 rr persistent 300',
      '  -> 192.168.1.10:8080            1         1           1          0         ',
    ]);
  });

  it('estimates --rate every 2 seconds from the counters', () => {
    const { world, ns, ipvs } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:80 -s rr', '-a -t 10.96.0.1:80 -r 192.168.1.10:8080 -m');
    for (let i = 0; i < 10; i++) {
      const pkt = tcp('10.0.0.9', 40000 + i, '10.96.0.1', 80);
      const d = ipvsInDecision(ipvs, pkt, false);
      if (d.kind === 'conn') accountRequest(ipvs, d.conn, pkt, 100);
    }
    world.engine.runUntil(2 * SECOND);
    // One tick: 10 connections in 2 s is 5/s, moved a quarter of the way: cps = 1.25 -> 1.
    const row = sh(ns, '-Ln --rate').stdout.split('\n')[3]!;
    expect(row).toBe('TCP  10.96.0.1:80                        1        1        0      125        0');
  });

  it('prints the connection table (-Lnc) with expiry, state and the three endpoints', () => {
    const { world, ns, ipvs } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:80 -s rr -p 60', '-a -t 10.96.0.1:80 -r 192.168.1.10:8080 -m', '-A -f 7 -s rr -p', '-a -f 7 -r 192.168.1.20 -m');
    for (const pkt of [tcp('10.0.0.9', 40001, '10.96.0.1', 80), tcp('10.0.0.9', 40001, '10.96.0.1', 80, ACK), tcp('10.0.0.8', 5000, '10.1.1.1', 443, 2, 7)]) {
      const d = ipvsInDecision(ipvs, pkt, false);
      if (d.kind !== 'conn') throw new Error(d.kind);
      accountRequest(ipvs, d.conn, pkt, 60);
      ipvs.conns.put(d.conn);
    }
    world.engine.runUntil(SECOND / 2);
    expect(sh(ns, '-Lnc').stdout).toBe(
      lines(
        'IPVS connection entries',
        'pro expire state       source             virtual            destination',
        'TCP 00:59  NONE        10.0.0.9:0         10.96.0.1:80       192.168.1.10:8080',
        'TCP 14:59  ESTABLISHED 10.0.0.9:40001     10.96.0.1:80       192.168.1.10:8080',
        'IP  04:59  NONE        10.0.0.8:0         0.0.0.7:0          192.168.1.20:0',
        'TCP 00:59  SYN_RECV    10.0.0.8:5000      10.1.1.1:443       192.168.1.20:443',
      ),
    );
  });

  it('prints the timeouts and changes them with --set', () => {
    const { ns } = ipvsNs();
    expect(sh(ns, '-L --timeout').stdout).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
    ok(ns, '--set 3600 0 60');
    expect(sh(ns, '-L --timeout').stdout).toBe('Timeout (tcp tcpfin udp): 3600 120 60\n');
  });
});

describe('ipvsadm -S and -R', () => {
  it('saves rules and restores them into another namespace', () => {
    const { ns } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:443 -s rr', '-a -t 10.96.0.1:443 -r 192.168.1.10:6443 -m -w 3', '-A -f 1 -s wrr -p 120', '-a -f 1 -r 10.0.2.2 -g');
    const saved = sh(ns, '-S -n').stdout;
    expect(saved).toBe(
      lines(
        '-A -t 10.96.0.1:443 -s rr',
        '-a -t 10.96.0.1:443 -r 192.168.1.10:6443 -m -w 3',
        '-A -f 1 -s wrr -p 120',
        '-a -f 1 -r 10.0.2.2:0 -g -w 1',
      ),
    );
    expect(sh(ns, '-S').stdout).toContain('-A -t 10.96.0.1:https -s rr\n');
    const other = ipvsNs().ns;
    expect(runIpvsadm(other, ['ipvsadm', '-R'], saved).exitCode).toBe(0);
    expect(sh(other, '-Ln').stdout).toBe(sh(ns, '-Ln').stdout);
  });
});

describe('ipvsadm errors', () => {
  const cases: [string, number, string][] = [
    ['-a -t 10.9.9.9:80 -r 1.2.3.4', 255, 'Service not defined\n'],
    ['-A -t 10.96.0.1:80', 255, 'Service already exists\n'],
    ['-a -t 10.96.0.1:80 -r 192.168.1.10', 255, 'Destination already exists\n'],
    ['-e -t 10.96.0.1:80 -r 192.168.1.99', 255, 'No such destination\n'],
    ['-d -t 10.96.0.1:80 -r 192.168.1.99', 255, 'No such destination\n'],
    ['-D -t 10.9.9.9:80', 255, 'No such service\n'],
    ['-E -t 10.9.9.9:80', 255, 'No such service\n'],
    ['-A -t 10.96.0.2:80 -s nope', 255, 'Scheduler or persistence engine not found\n'],
    ['-a -t 10.96.0.1:80 -r 224.0.0.1', 255, 'Invalid operation.  Possibly wrong module version, address not unicast, ...\n'],
    ['-a -t 10.96.0.1:80 -r 192.168.1.11 -x 5 -y 10', 255, 'Numerical result out of range\n'],
    ['-L -t 10.9.9.9:80', 1, 'No such service\n'],
    ['-A -t 10.96.0.3', 2, 'Zero port specified for non-persistent service\n'],
    ['-A -u 10.96.0.3:53 -s rr -p -o', 0, ''],
    ['-A -t 10.96.0.4:80 -o', 2, 'One-Packet Scheduling is only for UDP virtual services\n'],
    ['-a -t 10.96.0.1:80', 2, "You need to supply the 'real-server' option for the 'add-server' command\n"],
    ['-A -t 10.96.0.5:80 -r 1.2.3.4', 2, "Illegal 'real-server' option with the 'add-service' command\n"],
    ['-L -c --timeout', 2, "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n"],
    ['-A -t 10.96.0.6:80 -t 10.96.0.7:80', 2, "multiple 'service-address' options specified\n"],
    ['-a -t 10.96.0.1:80 -r 1.2.3.4 -m -g', 2, "multiple 'forwarding-method' options specified\n"],
    ['-A -t nowhere:80', 2, 'illegal virtual server address[:port] specified\n'],
    ['-a -t 10.96.0.1:80 -r 1.2.3.4 -w 70000', 2, 'illegal weight specified\n'],
    ['-A -t 10.96.0.8:80 -p abc', 2, "invalid timeout value `abc' specified\n"],
    ['-A -f 0', 2, "invalid fwmark value `0' specified\n"],
    ['-A -t 10.96.0.9:80 -b sh-port', 2, "incompatible scheduler flag `sh-port'\n"],
    ['--set 1 2', 2, '--set option requires 3 timeout values\n'],
    ['-L extra', 2, 'unexpected argument extra\n'],
    ['-A -A -t 10.96.0.9:80', 2, "invalid option `-A'\n"],
    ['-n -L', 255, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"],
    ['-Lx', 255, '-Lx: missing argument\n'],
    ['-Lq', 255, '-Lq: unknown option\n'],
    ['--frobnicate', 255, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"],
  ];
  it.each(cases)('ipvsadm %s -> exit %i', (line, code, stderr) => {
    const { ns } = ipvsNs();
    ok(ns, '-A -t 10.96.0.1:80 -s rr', '-a -t 10.96.0.1:80 -r 192.168.1.10 -m');
    const r = sh(ns, line);
    expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code, stderr });
  });

  it('prints its version and help on stdout', () => {
    const { ns } = ipvsNs();
    expect(sh(ns, '-v').stdout).toBe('ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n');
    const help = sh(ns, '--help');
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('  --add-service     -A        add virtual service with options\n');
  });

  it('registers the net.ipv4.vs sysctls on first use', () => {
    const { ns } = ipvsNs();
    expect(ns.sysctl.get('net.ipv4.vs.conn_reuse_mode')).toEqual({ ok: true, value: '1' });
    expect(ns.sysctl.get('net.ipv4.vs.expire_nodest_conn')).toEqual({ ok: true, value: '0' });
    expect(ns.sysctl.get('net.ipv4.vs.expire_quiescent_template')).toEqual({ ok: true, value: '0' });
    expect(ns.sysctl.get('net.ipv4.vs.conntrack')).toEqual({ ok: true, value: '0' });
  });
});
