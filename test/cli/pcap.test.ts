// `cnmsim pcap`: one pcapng per capture point (plus all.pcapng), named after its owner and device,
// --at to pick points, packets commented `pkt N rec M`, and files tshark reads without malformed
// frames.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tsharkFields } from '../support/tshark.js';
import { cnmsim, DOCKER, HAND_BUILT, plainCnmsim, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('cnmsim pcap', () => {
  it('writes a file per capture point and one with all of them', async () => {
    const out = join(tmp.dir, 'all');
    const r = await plainCnmsim(['pcap', HAND_BUILT, '--out', out]);
    expect(r.exitCode).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(expect.arrayContaining(['all.pcapng', 'client_eth0.pcapng', 'host1_eth0.pcapng', 'host1_br0.pcapng', 'host1_vb.pcapng', 'host1_b_eth0.pcapng']));
    expect(r.stdout).toContain(`wrote ${join(out, 'host1_b_eth0.pcapng')} (`);
    const one = tsharkFields(join(out, 'host1_b_eth0.pcapng'), ['frame.interface_name', 'frame.comment']);
    expect(new Set(one.map((row) => row[0]))).toEqual(new Set(['host1/b:eth0']));
    for (const [, comment] of one) expect(comment).toMatch(/^pkt \d+ rec \d+$/);
    const all = tsharkFields(join(out, 'all.pcapng'), ['frame.interface_name']);
    expect(new Set(all.map((row) => row[0])).size).toBe(files.length - 1);
  });

  it('captures only the points --at names, a container by name', async () => {
    const out = join(tmp.dir, 'at');
    const r = await cnmsim(['pcap', DOCKER, '--out', out, '--at', 'c1', '--at', 'host1:eth0']);
    expect(r.exitCode).toBe(0);
    const written = [...r.stdout.matchAll(/^wrote .*\/([^/]+\.pcapng) \(/gm)].map((m) => m[1]).sort();
    expect(readdirSync(out).sort()).toEqual(written);
    // Nothing outside the host talks in this scenario: host1:eth0 gets an empty file of its own.
    expect(written).toEqual(['c1_eth0.pcapng', 'host1_eth0.pcapng']);
    expect(r.stdout).toContain(`wrote ${join(out, 'host1_eth0.pcapng')} (0 packets)`);
    expect(tsharkFields(join(out, 'host1_eth0.pcapng'), ['frame.number'])).toEqual([]);
    const rows = tsharkFields(join(out, 'c1_eth0.pcapng'), ['frame.protocols', '_ws.malformed', 'tcp.checksum.status'], ['-o', 'tcp.check_checksum:TRUE']);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter(([, malformed, status]) => malformed !== '' || status === '0')).toEqual([]);
    expect(rows.some(([protocols]) => protocols === 'eth:ethertype:ip:tcp')).toBe(true);
  });

  it('refuses an --at that names nothing, exit 2', async () => {
    const r = await plainCnmsim(['pcap', HAND_BUILT, '--out', join(tmp.dir, 'none'), '--at', 'c9']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^cnmsim: --at c9: no such capture point \(points with traffic: .*client:eth0.*\)\n$/);
  });
});
