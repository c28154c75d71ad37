// `cnmsim trace`: the probe and its teaching trace at each depth, the raw records with --json,
// and Docker's isolation drop explained in Docker terms.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/engine/index.js';
import { cnmsim, DOCKER, HAND_BUILT, plainCnmsim } from './support.js';

describe('cnmsim trace', () => {
  it('runs the steps, probes, and prints the learner trace of the packet and its reply', async () => {
    const r = await cnmsim(['trace', DOCKER, '--from', 'c1', '--to', 'web:80']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('c1$ nc -z -w 2 172.18.0.3 80');
    expect(r.stdout).toContain('c1 → web:80 (tcp)\n\nrequest, packet ');
    expect(r.stdout).toContain('── host1 / c1 (netns) ──\n  c1 sends to 172.18.0.3 (web) through eth0\n');
    expect(r.stdout).toMatch(/── host1 \(root netns\) ──\n {2}the bridge br-[0-9a-f]{12} forwards it to veth[0-9a-f]{7} \(learned port\)\n/);
    expect(r.stdout).toContain("── host1 / web (netns) ──\n  web's kernel delivers it to nginx on port 80 (listening)\n");
    expect(r.stdout).toMatch(/reply, packet \d+: delivered in c1/);
  });

  it('goes deeper with --depth operator and kernel', async () => {
    const operator = await cnmsim(['trace', DOCKER, '--from', 'client', '--to', 'host1:8080', '--depth', 'operator']);
    expect(operator.stdout).toContain('host1 rewrites the destination 192.0.2.2:8080 → 172.18.0.3:80 (DNAT)');
    expect(operator.stdout).toContain('    before: tcp 192.0.2.100:');
    expect(operator.stdout).toMatch(/nat\/DOCKER rule \d+: -A DOCKER ! -i br-[0-9a-f]{12} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.3:80 → DNAT/);
    const kernel = await cnmsim(['trace', DOCKER, '--from', 'c1', '--to', 'web:80', '--depth', 'kernel']);
    expect(kernel.stdout).toMatch(/#\d+ +FORWARD filter\/DOCKER-USER #1 -A DOCKER-USER -j RETURN → return/);
    expect(kernel.stdout).toMatch(/#\d+ +tx eth0: 02:42:ac:12:00:02 > 02:42:ac:12:00:03 IPv4/);
  });

  it('explains a drop between networks in Docker terms', async () => {
    const yaml = [DOCKER];
    const r = await cnmsim(['trace', ...yaml, '--from', 'client', '--to', 'host1:9999']);
    expect(r.stdout).toContain('why: nothing listens on host1:9999/tcp, and no DNAT rule in nat/DOCKER matched it: the port is not published');
  });

  it('prints the raw records of both walks with --json', async () => {
    const r = await plainCnmsim(['trace', HAND_BUILT, '--from', 'client', '--to', '10.10.0.2', '--port', '81', '--json']);
    expect(r.exitCode).toBe(0);
    const dump = JSON.parse(r.stdout) as { verdict: string; packetId: number; records: TraceRecord[]; probe: { command: string } };
    expect(Object.keys(dump)).toEqual(['scenario', 'seed', 'from', 'to', 'proto', 'port', 'probe', 'packetId', 'replyId', 'verdict', 'records']);
    expect(dump.verdict).toBe('dropped');
    expect(dump.probe.command).toBe('nc -z -w 2 10.10.0.2 81');
    expect(dump.records.every((rec) => rec.packetId === dump.packetId)).toBe(true);
    expect(dump.records.at(-1)).toMatchObject({ kind: 'drop', location: { host: 'host1', netns: 'root' }, detail: { reason: 'netfilter', by: 'filter/DOCKER-USER' } });
    const seqs = dump.records.map((rec) => rec.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('says so when the source sends nothing', async () => {
    const r = await plainCnmsim(['trace', HAND_BUILT, '--from', 'host1', '--to', '203.0.113.9', '--proto', 'udp', '--port', '53']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('no packet: the source sent nothing');
  });
});
