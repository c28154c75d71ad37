import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatNetstat, formatSs, type SocketOwner } from '../../../src/kernel/sockets/index.js';
import { vethPair } from './net.js';

const REF = '/work/shared/reference/docker-20.10';
const SS_LNTUP = { tcp: true, udp: true, listening: true, all: false, processes: true };

/** The output block of the first `$ ...ss -lntup` command in a reference capture. */
function referenceBlock(file: string): string {
  const text = readFileSync(`${REF}/${file}`, 'utf8');
  const start = text.indexOf('\n') + 1;
  return text.slice(start, text.indexOf('[exit=', start));
}

function owner(comm: string, pid: number, fd: number): SocketOwner {
  return { comm, pid, fd };
}

describe('ss -lntup (golden against Docker 20.10 captures)', () => {
  it('an empty namespace', () => {
    const p = vethPair();
    expect(formatSs(p.sb, SS_LNTUP)).toBe(referenceBlock('01-default-bridge/ctr-c1-ns-ss-listen.txt'));
  });

  it("the embedded DNS resolver's sockets on 127.0.0.11", () => {
    const p = vethPair();
    const udp = p.sb.udp({ owner: owner('dockerd', 12053, 31) });
    expect(udp.bind(0x7f00000b, 53267).ok).toBe(true);
    const tcp = p.sb.tcp({ owner: owner('dockerd', 12053, 33) });
    expect(tcp.bind(0x7f00000b, 43497).ok).toBe(true);
    expect(tcp.listen(4096).ok).toBe(true);
    expect(formatSs(p.sb, SS_LNTUP)).toBe(referenceBlock('02-user-bridge/ctr-a1-ns-ss-listen.txt'));
  });

  it('busybox httpd on the dual-stack wildcard prints as *:80', () => {
    const p = vethPair();
    const s = p.sb.tcp({ owner: owner('busybox', 31682, 3), family: 'inet6' });
    s.bind(0, 80);
    s.listen(9);
    expect(formatSs(p.sb, SS_LNTUP)).toBe(referenceBlock('04-port-publishing/ctr-h1-ns-ss-listen.txt'));
  });

  it("a host with docker-proxy listeners, UDP first, IPv4 before IPv6", () => {
    const p = vethPair();
    const t = p.sa;
    const listen = (addr: number, port: number, backlog: number, o?: SocketOwner, v6 = false): void => {
      const s = t.tcp({ ...(o === undefined ? {} : { owner: o }), ...(v6 ? { family: 'inet6' as const, v6only: true } : {}) });
      expect(s.bind(addr, port).ok).toBe(true);
      expect(s.listen(backlog).ok).toBe(true);
    };
    t.udp({ owner: owner('docker-proxy', 31851, 4) }).bind(0, 5353);
    t.udp({ owner: owner('docker-proxy', 31857, 4), family: 'inet6', v6only: true }).bind(0, 5353);
    listen(0x7f000001, 42589, 4096, owner('containerd', 11379, 12));
    listen(0, 2024, 128);
    listen(0, 32769, 4096, owner('docker-proxy', 31982, 4));
    listen(0x7f000001, 8081, 4096, owner('docker-proxy', 31749, 4));
    listen(0, 8082, 4096, owner('docker-proxy', 32179, 4));
    listen(0, 8080, 4096, owner('docker-proxy', 31640, 4));
    listen(0, 32769, 4096, owner('docker-proxy', 31988, 4), true);
    listen(0, 8082, 4096, owner('docker-proxy', 32185, 4), true);
    listen(0, 8080, 4096, owner('docker-proxy', 31646, 4), true);
    expect(formatSs(t, SS_LNTUP)).toBe(referenceBlock('04-port-publishing/host-ss-listen.txt'));
  });

  it('hides Netid when one protocol is asked for, and shows connections without -l', () => {
    const p = vethPair();
    const s = p.sb.tcp();
    s.bind(0, 80);
    s.listen(128);
    expect(formatSs(p.sb, { tcp: true, udp: false, listening: true, all: false, processes: false })).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      128          0.0.0.0:80        0.0.0.0:*   \n',
    );
    const c = p.sa.tcp();
    c.connect(p.ipB, 80);
    p.world.engine.runUntilIdle();
    expect(formatSs(p.sa, { tcp: true, udp: false, listening: false, all: false, processes: false })).toContain(`ESTAB 0      0           10.0.0.1:${c.localPort}`);
  });
});

describe('busybox netstat', () => {
  it('lists servers with -lntup in the 1.35 layout', () => {
    const p = vethPair();
    const h = p.sb.tcp({ owner: owner('httpd', 7, 3), family: 'inet6' });
    h.bind(0, 80);
    h.listen(9);
    p.sb.udp({ owner: owner('dockerd', 12053, 31) }).bind(0x7f00000b, 53267);
    expect(formatNetstat(p.sb, { tcp: true, udp: true, listening: true, all: false, numeric: true, processes: true })).toBe(
      'Active Internet connections (only servers)\n' +
        'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n' +
        'tcp        0      9 :::80                   :::*                    LISTEN      7/httpd\n' +
        'udp        0      0 127.0.0.11:53267        0.0.0.0:*                           12053/dockerd\n',
    );
  });
});
