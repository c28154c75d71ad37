import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { startDnsServer, staticZone } from '../../../src/kernel/programs/index.js';
import { dropInput, ip, routedTopology, vethPair } from '../sockets/net.js';
import { run, words } from './run.js';

describe('busybox ping', () => {
  it('prints the 1.35 format and exits 0 when replies come back', () => {
    const p = vethPair();
    const r = run(p.a, words('ping -c 2 10.0.0.2'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'PING 10.0.0.2 (10.0.0.2): 56 data bytes\n' +
        '64 bytes from 10.0.0.2: seq=0 ttl=64 time=0.000 ms\n' +
        '64 bytes from 10.0.0.2: seq=1 ttl=64 time=0.000 ms\n' +
        '\n--- 10.0.0.2 ping statistics ---\n' +
        '2 packets transmitted, 2 packets received, 0% packet loss\n' +
        'round-trip min/avg/max = 0.000/0.000/0.000 ms\n',
    );
    expect(r.stderr).toBe('');
  });

  it('reports 100% packet loss with exit 1 after -W seconds', () => {
    const p = vethPair();
    dropInput(p.b, x => x.payload.kind === 'icmp');
    const t0 = p.world.engine.now;
    const r = run(p.a, words('ping -c 1 -W 1 10.0.0.2'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'PING 10.0.0.2 (10.0.0.2): 56 data bytes\n\n--- 10.0.0.2 ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n',
    );
    expect(p.world.engine.now - t0).toBe(1 * SECOND);
  });

  it('counts TTL down through a router and uses -s for the size', () => {
    const t = routedTopology();
    const r = run(t.a, words('ping -c 1 -s 100 10.0.2.2'));
    expect(r.stdout).toContain('PING 10.0.2.2 (10.0.2.2): 100 data bytes\n108 bytes from 10.0.2.2: seq=0 ttl=63 time=');
  });

  it('stops at the -w deadline and fails when fewer than -c replies came', () => {
    const p = vethPair();
    dropInput(p.b, x => x.payload.kind === 'icmp');
    const t0 = p.world.engine.now;
    const r = run(p.a, words('ping -c 5 -w 2 10.0.0.2'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 packets transmitted, 0 packets received, 100% packet loss');
    expect(p.world.engine.now - t0).toBe(2 * SECOND);
  });

  it("says bad address for a name nobody knows, and sendto errors after the header", () => {
    const p = vethPair();
    const bad = run(p.a, words('ping -c 1 nosuch'), { fs: new Map([['/etc/resolv.conf', 'nameserver 10.0.0.2\n']]) });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("ping: bad address 'nosuch'\n");
    const unroutable = run(p.a, words('ping -c 1 192.0.2.1'));
    expect(unroutable.code).toBe(1);
    expect(unroutable.stdout).toBe('PING 192.0.2.1 (192.0.2.1): 56 data bytes\n');
    expect(unroutable.stderr).toBe('ping: sendto: Network is unreachable\n');
  });

  it('resolves through /etc/hosts, then DNS with the resolv.conf search list', () => {
    const p = vethPair();
    startDnsServer(p.b, 0, 53, staticZone(new Map([['web.net57', [ip('10.0.0.2')]]])));
    const fs = new Map([
      ['/etc/hosts', '127.0.0.1\tlocalhost\n10.0.0.1\tself me\n'],
      ['/etc/resolv.conf', 'search net57\nnameserver 10.0.0.2\noptions ndots:0\n'],
    ]);
    expect(run(p.a, words('ping -c 1 me'), { fs }).stdout).toContain('PING me (10.0.0.1): 56 data bytes\n64 bytes from 10.0.0.1: seq=0 ttl=64');
    expect(run(p.a, words('ping -c 1 web'), { fs }).stdout).toContain('PING web (10.0.0.2): 56 data bytes\n64 bytes from 10.0.0.2:');
  });
});

describe('iputils ping (host userland)', () => {
  it('prints the iputils format with icmp_seq from 1 and the rtt summary', () => {
    const p = vethPair();
    const r = run(p.a, words('ping -c 2 10.0.0.2'), { userland: 'host' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n' +
        '64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.000 ms\n' +
        '64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.000 ms\n' +
        '\n--- 10.0.0.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n' +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
    );
  });

  it('shows Destination Host Unreachable from the router, with +errors', () => {
    const t = routedTopology();
    const r = run(t.a, words('ping -c 2 10.0.2.9'), { userland: 'host' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'PING 10.0.2.9 (10.0.2.9) 56(84) bytes of data.\n' +
        'From 10.0.1.1 icmp_seq=1 Destination Host Unreachable\n' +
        'From 10.0.1.1 icmp_seq=2 Destination Host Unreachable\n' +
        '\n--- 10.0.2.9 ping statistics ---\n' +
        '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms\n\n',
    );
  });

  it('fails with exit 2 when there is no route', () => {
    const p = vethPair();
    const r = run(p.a, words('ping -c 1 192.0.2.1'), { userland: 'host' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ping: connect: Network is unreachable\n');
  });
});
