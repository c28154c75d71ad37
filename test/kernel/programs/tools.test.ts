import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { runToCompletion, spawn } from '../../../src/kernel/index.js';
import { capturedFiles, defaultPrograms, parseFilter } from '../../../src/kernel/programs/index.js';
import { getopt } from '../../../src/kernel/programs/args.js';
import { decodeFrame } from '../../../src/packet/index.js';
import { dropInput, routedTopology, vethPair } from '../sockets/net.js';
import { run, start, words } from './run.js';

describe('small utilities', () => {
  it('cat prints files of the process file system, with busybox and coreutils errors', () => {
    const p = vethPair();
    const fs = new Map([['/etc/hosts', '127.0.0.1\tlocalhost\n']]);
    expect(run(p.a, words('cat /etc/hosts'), { fs })).toMatchObject({ code: 0, stdout: '127.0.0.1\tlocalhost\n' });
    expect(run(p.a, words('cat /nope'), { fs })).toMatchObject({ code: 1, stderr: "cat: can't open '/nope': No such file or directory\n" });
    expect(run(p.a, words('cat /nope'), { fs, userland: 'host' })).toMatchObject({ code: 1, stderr: 'cat: /nope: No such file or directory\n' });
  });

  it('hostname, echo, true/false', () => {
    const p = vethPair();
    expect(run(p.a, ['hostname'], { hostname: '0e354191f2e4' }).stdout).toBe('0e354191f2e4\n');
    expect(run(p.a, ['echo', '-n', 'a', 'b']).stdout).toBe('a b');
    expect(run(p.a, ['false']).code).toBe(1);
  });

  it('sleep waits on the virtual clock', () => {
    const p = vethPair();
    const t0 = p.world.engine.now;
    expect(run(p.a, ['sleep', '1.5']).code).toBe(0);
    expect(p.world.engine.now - t0).toBe(1.5 * SECOND);
  });

  it('busybox is a multiplexer; unknown programs and applets fail like a shell', () => {
    const p = vethPair();
    expect(run(p.a, ['busybox', 'echo', 'hi']).stdout).toBe('hi\n');
    expect(run(p.a, ['busybox', 'nope'])).toMatchObject({ code: 127, stderr: 'nope: applet not found\n' });
    expect(run(p.a, ['nope'])).toMatchObject({ code: 127, stderr: 'sh: nope: not found\n' });
    expect(run(p.a, ['nope'], { userland: 'host' })).toMatchObject({ code: 127, stderr: 'bash: nope: command not found\n' });
  });

  it('busybox httpd shows up in ss with comm busybox', () => {
    const p = vethPair();
    run(p.b, words('busybox httpd -p 80 -h /www'));
    const ss = run(p.b, words('ss -lntup'), { userland: 'host' });
    expect(ss.stdout).toMatch(/tcp {3}LISTEN 0 {6}9 {18}\*:80 {14}\*:\* {4}users:\(\("busybox",pid=\d+,fd=3\)\)\n$/);
    expect(run(p.b, words('netstat -ltn')).stdout).toContain('tcp        0      9 :::80                   :::*                    LISTEN      \n');
  });
});

describe('runToCompletion', () => {
  it('never runs events past the deadline, and leaves the clock on it', () => {
    const p = vethPair();
    const engine = p.world.engine;
    let late = false;
    engine.scheduleIn(5 * SECOND, () => (late = true));
    const proc = spawn(defaultPrograms(), { ns: p.a, argv: ['sleep', '10'] });
    const t0 = engine.now;
    expect(runToCompletion(proc, 2 * SECOND)).toBe(143);
    expect(engine.now - t0).toBe(2 * SECOND);
    expect(late).toBe(false);
  });
});

describe('traceroute', () => {
  it('lists the router, then the target, in busybox format', () => {
    const t = routedTopology();
    const r = run(t.a, words('traceroute 10.0.2.2'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 46 byte packets\n' +
        ' 1  10.0.1.1 (10.0.1.1)  0.000 ms  0.000 ms  0.000 ms\n' +
        ' 2  10.0.2.2 (10.0.2.2)  0.000 ms  0.000 ms  0.000 ms\n',
    );
  });

  it('prints * * * for hops that do not answer', () => {
    const t = routedTopology();
    dropInput(t.b, x => x.payload.kind === 'udp');
    const r = run(t.a, words('traceroute -n -m 3 -w 1 10.0.2.2'));
    expect(r.stdout).toBe(
      'traceroute to 10.0.2.2 (10.0.2.2), 3 hops max, 46 byte packets\n 1  10.0.1.1  0.000 ms  0.000 ms  0.000 ms\n 2  *  *  *\n 3  *  *  *\n',
    );
  });
});

describe('nc', () => {
  it('a client sends stdin to a listener, which prints it', () => {
    const p = vethPair();
    const server = start(p.b, words('nc -l -p 9000'));
    const client = run(p.a, words('nc 10.0.0.2 9000'), { stdin: 'hello nc\n' });
    expect(client.code).toBe(0);
    p.world.engine.runUntilIdle();
    expect(server.stdout).toBe('hello nc\n');
    expect(server.exitCode).toBe(0);
  });

  it('-zv reports open and refused ports', () => {
    const p = vethPair();
    start(p.b, words('nc -lk -p 80'));
    expect(run(p.a, words('nc -zv 10.0.0.2 80'))).toMatchObject({ code: 0, stderr: '10.0.0.2 (10.0.0.2:80) open\n' });
    expect(run(p.a, words('nc -zv 10.0.0.2 81'))).toMatchObject({ code: 1, stderr: 'nc: 10.0.0.2 (10.0.0.2:81): Connection refused\n' });
    expect(run(p.a, words('nc 10.0.0.2 81'))).toMatchObject({ code: 1, stderr: "nc: can't connect to remote host (10.0.0.2): Connection refused\n" });
  });

  it('-u sends a datagram; -w ends the wait for an answer', () => {
    const p = vethPair();
    const server = start(p.b, words('nc -lu -p 5353'), { stdin: 'echo:ping\n' });
    const client = run(p.a, words('nc -u -w 1 10.0.0.2 5353'), { stdin: 'ping\n' });
    expect(client).toMatchObject({ code: 0, stdout: 'echo:ping\n' });
    expect(server.stdout).toBe('ping\n');
  });
});

describe('tcpdump', () => {
  it('prints one line per frame with virtual timestamps and stops after -c', () => {
    const p = vethPair();
    p.world.engine.runFor(3 * SECOND + 250_000);
    const td = start(p.a, words('tcpdump -n -c 4 -i eth0 icmp'));
    run(p.a, words('ping -c 2 10.0.0.2'));
    expect(td.exitCode).toBe(0);
    const id = (td.pid + 1) & 0xffff;
    expect(td.stdout).toBe(
      `00:00:03.000250 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id ${id}, seq 0, length 64\n` +
        `00:00:03.000250 IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id ${id}, seq 0, length 64\n` +
        `00:00:04.000250 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id ${id}, seq 1, length 64\n` +
        `00:00:04.000250 IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id ${id}, seq 1, length 64\n`,
    );
    expect(td.stderr).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n4 packets captured\n4 packets received by filter\n0 packets dropped by kernel\n',
    );
  });

  it('-w writes a pcap into the capture registry when the capture is stopped', () => {
    const p = vethPair();
    const td = start(p.a, words('tcpdump -i eth0 -w /tmp/a.pcap'));
    run(p.a, words('ping -c 1 10.0.0.2'));
    td.kill();
    expect(td.exitCode).toBe(0);
    const bytes = capturedFiles(p.world).get('host1:a:/tmp/a.pcap')!;
    expect([...bytes.subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    // ARP request and reply, then the echo request and reply.
    const first = decodeFrame(bytes.subarray(24 + 16, 24 + 16 + 42));
    expect(first.ok && first.value.payload.kind).toBe('arp');
    expect(td.stderr).toContain('tcpdump: listening on eth0');
    expect(td.stderr).toContain('\n4 packets captured\n');
  });

  it('parses filter expressions', () => {
    expect(typeof parseFilter(['tcp', 'port', '80', 'and', 'not', 'host', '10.0.0.1'])).toBe('function');
    expect(typeof parseFilter(['(', 'udp', 'or', 'arp', ')'])).toBe('function');
    expect(parseFilter(['port'])).toBe('syntax error in filter expression: port');
  });
});

describe('getopt', () => {
  it('handles clusters, attached and separate arguments, long options and --', () => {
    const a = getopt(['-qO-', 'http://x/', '-T', '5', '--header=X: y'], 'qO:T:', { header: { key: 'header', hasArg: true } });
    expect(a.get('O')).toBe('-');
    expect(a.has('q')).toBe(true);
    expect(a.get('T')).toBe('5');
    expect(a.get('header')).toBe('X: y');
    expect(a.operands).toEqual(['http://x/']);
    expect(getopt(['-c1', '--', '-x'], 'c:').operands).toEqual(['-x']);
    expect(getopt(['-z'], 'c:').error).toBe("invalid option -- 'z'");
    expect(getopt(['-c'], 'c:').error).toBe("option requires an argument -- 'c'");
  });
});
