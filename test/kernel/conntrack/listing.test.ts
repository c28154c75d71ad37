// `conntrack -L / -D / -F / -C` in conntrack-tools 1.4.7's format, checked against lines of the
// reference captures (docker-20.10/04-port-publishing/conntrack-*.txt).
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { conntrackCommand, conntrackConfirm, formatCtEntry, setupNat } from '../../../src/kernel/conntrack/index.js';
import { mustParseIpv4 } from '../../../src/packet/index.js';
import { ACK, FIN, SYN, ctNamespace, ping, pong, tcp, track, udp } from './packets.js';
import type { ConntrackTable } from '../../../src/kernel/conntrack/index.js';

/** A full TCP connection through DNAT 192.0.2.2:8080 -> 172.17.0.2:80, ending in TIME_WAIT. */
function publishedFetch(table: ConntrackTable, clientPort: number): void {
  const c = `192.0.2.2:${clientPort}`;
  const syn = track(table, tcp(c, '192.0.2.2:8080', SYN), 'OUTPUT');
  const ip = mustParseIpv4('172.17.0.2');
  setupNat(table, syn.ref!.entry, { ips: { min: ip, max: ip }, ports: { min: 80, max: 80 } }, 'DST');
  setupNat(table, syn.ref!.entry, undefined, 'SRC');
  conntrackConfirm(table, syn.skb);
  // The client keeps writing to the published address; the server answers from its own.
  const pub = '192.0.2.2:8080';
  const s = '172.17.0.2:80';
  track(table, tcp(s, c, SYN | ACK));
  track(table, tcp(c, pub, ACK), 'OUTPUT');
  track(table, tcp(c, pub, FIN | ACK), 'OUTPUT');
  track(table, tcp(s, c, FIN | ACK));
  track(table, tcp(c, pub, ACK), 'OUTPUT');
}

describe('conntrack -L', () => {
  it('prints a NATed TCP flow in TIME_WAIT like the reference', () => {
    const { world, table } = ctNamespace();
    publishedFetch(table, 53692);
    world.engine.runFor(10 * SECOND + 1);
    const [e] = table.entries();
    expect(formatCtEntry(e!, world.engine.now)).toBe(
      'tcp      6 109 TIME_WAIT src=192.0.2.2 dst=192.0.2.2 sport=53692 dport=8080 src=172.17.0.2 dst=192.0.2.2 sport=80 dport=53692 [ASSURED] mark=0 use=1',
    );
  });

  it('prints UDP without a state, and [UNREPLIED] between the tuples while no reply was seen', () => {
    const { world, table } = ctNamespace();
    const q = track(table, udp('127.0.0.1:57182', '127.0.0.1:5353'), 'OUTPUT');
    conntrackConfirm(table, q.skb);
    world.engine.runFor(2 * SECOND);
    const [e] = table.entries();
    expect(formatCtEntry(e!, world.engine.now)).toBe(
      'udp      17 28 src=127.0.0.1 dst=127.0.0.1 sport=57182 dport=5353 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=57182 mark=0 use=1',
    );
    track(table, udp('127.0.0.1:5353', '127.0.0.1:57182'));
    world.engine.runFor(3 * SECOND);
    expect(formatCtEntry(e!, world.engine.now)).toBe(
      'udp      17 27 src=127.0.0.1 dst=127.0.0.1 sport=57182 dport=5353 src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=57182 mark=0 use=1',
    );
  });

  it('prints ICMP with type, code and id, unknown protocols by number, and the extended prefix', () => {
    const { table } = ctNamespace();
    const req = ping('172.17.0.2', '8.8.8.8', 7);
    conntrackConfirm(table, track(table, req).skb);
    track(table, pong(req));
    const igmp = track(table, { ...udp('172.23.0.1:1', '224.0.0.22:1'), protocol: 2, payload: { kind: 'payload', bytes: new Uint8Array(8) } });
    conntrackConfirm(table, igmp.skb);
    const [icmp, other] = table.entries();
    expect(formatCtEntry(icmp!, 0)).toBe('icmp     1 30 src=172.17.0.2 dst=8.8.8.8 type=8 code=0 id=7 src=8.8.8.8 dst=172.17.0.2 type=0 code=0 id=7 mark=0 use=1');
    expect(formatCtEntry(other!, 0)).toBe('unknown  2 600 src=172.23.0.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=172.23.0.1 mark=0 use=1');
    expect(formatCtEntry(other!, 0, true)).toMatch(/^ipv4     2 unknown  2 600 /);
  });

  it('lists with filters and reports the count on stderr', () => {
    const { table } = ctNamespace();
    publishedFetch(table, 40000);
    conntrackConfirm(table, track(table, udp('172.17.0.3:5000', '10.0.0.53:53')).skb);
    const all = conntrackCommand(table, ['-L']);
    expect(all.exitCode).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(all.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.\n');
    const udpOnly = conntrackCommand(table, ['-L', '-p', 'udp']);
    expect(udpOnly.stdout).toMatch(/^udp {6}17 30 src=172.17.0.3 /);
    expect(udpOnly.stderr).toContain(' 1 flow entries have been shown.');
    expect(conntrackCommand(table, ['-L', '-p', 'tcp', '--dport', '8080']).stdout).toContain('dport=8080');
    expect(conntrackCommand(table, ['-L', '--dst-nat']).stdout).toContain('TIME_WAIT');
    expect(conntrackCommand(table, ['-L', '-r', '172.17.0.2']).stdout).toContain('sport=80');
    expect(conntrackCommand(table, ['-C']).stdout).toBe('2\n');
  });
});

describe('conntrack -D / -F', () => {
  it('deletes matching entries, prints them, and fails when nothing matched', () => {
    const { table } = ctNamespace();
    conntrackConfirm(table, track(table, udp('172.17.0.3:5000', '10.0.0.53:53')).skb);
    conntrackConfirm(table, track(table, udp('172.17.0.4:5000', '10.0.0.53:53')).skb);
    const del = conntrackCommand(table, ['-D', '-s', '172.17.0.3']);
    expect(del.exitCode).toBe(0);
    expect(del.stdout).toMatch(/^udp {6}17 30 src=172\.17\.0\.3 dst=10\.0\.0\.53 sport=5000 dport=53 \[UNREPLIED\]/);
    expect(del.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n');
    const none = conntrackCommand(table, ['-D', '-s', '172.17.0.3']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n');
    expect(table.count).toBe(1);
  });

  it('flushes the table', () => {
    const { table } = ctNamespace();
    conntrackConfirm(table, track(table, udp('172.17.0.3:5000', '10.0.0.53:53')).skb);
    const r = conntrackCommand(table, ['-F']);
    expect(r).toEqual({ exitCode: 0, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n' });
    expect(table.count).toBe(0);
  });

  it('answers parameter problems with exit status 2', () => {
    const { table } = ctNamespace();
    const r = conntrackCommand(table, ['-L', '--dport', '80']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Try `conntrack -h' or 'conntrack --help' for more information.");
    expect(conntrackCommand(table, ['-D']).exitCode).toBe(2);
    expect(conntrackCommand(table, ['-L', '-s', 'nope']).stderr).toContain("Invalid IP address `nope'.");
  });
});


