// The vxlan device end to end, built from `ip` and `bridge` commands alone on two hosts of one
// underlay switch: namespace-to-namespace ping through the tunnel, the capture an independent
// dissector (tshark) reads as outer and inner headers, learning into the vxlan FDB, static
// entries with `nolearning`, and the drops when no entry answers.
import { afterAll, describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { VxlanDevice } from '../../../src/kernel/index.js';
import { runTshark, tempCaptureDir, tsharkFields } from '../../support/tshark.js';
import { capture, configureHost, nsMac, overlayIp, remoteLab, twoHosts, underlayIp, type Lab } from './lab.js';

const tmp = tempCaptureDir('cnmsim-vxlan-');
afterAll(() => tmp.cleanup());

const ping = (lab: Lab, from: 1 | 2, to: 1 | 2): number => (from === 1 ? lab.h1 : lab.h2).sh(`ip netns exec ns1 ping -c 1 -W 1 ${overlayIp(to)}`).code;

const records = (lab: Lab, kind: string) => lab.world.trace.records.filter(r => r.kind === kind);

/** The vxlan device's own (`self ... dst`) lines of a `bridge fdb show` output. */
const vxlanLines = (out: string): string[] => out.split('\n').filter(l => l.includes(' dst '));

describe('vxlan between two hosts (remote, learning)', () => {
  it('carries a namespace-to-namespace ping; encap and decap keep the inner packet id', () => {
    const lab = remoteLab();
    expect(ping(lab, 1, 2)).toBe(0);
    const encaps = records(lab, 'encap').map(r => `${r.location.host}:${r.packetId}:${String(r.detail['outerSrc'])}>${String(r.detail['outerDst'])}:${String(r.detail['dstPort'])}:vni${String(r.detail['vni'])}`);
    const decaps = records(lab, 'decap').map(r => `${r.location.host}:${r.packetId}:${String(r.detail['outerSrc'])}>${String(r.detail['outerDst'])}:${String(r.detail['dstPort'])}:vni${String(r.detail['vni'])}`);
    // ARP request, ARP reply, echo request, echo reply: each encapsulated once, decapsulated once.
    expect(encaps).toHaveLength(4);
    expect(decaps.map(d => d.replace(/^host\d/, ''))).toEqual(encaps.map(e => e.replace(/^host\d/, '')));
    expect(encaps[0]).toMatch(/^host1:\d+:10\.0\.0\.11>10\.0\.0\.12:4789:vni42$/);
    expect(records(lab, 'drop')).toEqual([]);
    for (const r of records(lab, 'encap')) {
      const port = r.detail['srcPort'] as number;
      expect(port).toBeGreaterThanOrEqual(32768);
      expect(port).toBeLessThan(60999);
    }
  });

  it('host1 eth0 capture: tshark decodes outer Ethernet/IPv4/UDP/VXLAN and the inner frame, nothing malformed', () => {
    const lab = remoteLab();
    const cap = capture(lab.world, lab.h1.host.rootNs.device('eth0')!);
    expect(ping(lab, 1, 2)).toBe(0);
    const file = tmp.write('host1-eth0.pcapng', cap.bytes());
    const rows = tsharkFields(
      file,
      ['frame.protocols', 'ip.src', 'ip.dst', 'udp.dstport', 'udp.checksum.status', 'vxlan.vni', 'icmp.type', '_ws.malformed', 'ip.ttl', 'ip.flags.df'],
      ['-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'],
    );
    const tunnelled = rows.filter(r => r[0]!.includes(':vxlan:'));
    expect(tunnelled).toHaveLength(4);
    const icmp = tunnelled.filter(r => r[0]!.includes('eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp'));
    expect(icmp.map(r => [r[1], r[2], r[3], r[4], r[5], r[6]])).toEqual([
      ['10.0.0.11,192.168.42.1', '10.0.0.12,192.168.42.2', '4789', '1', '42', '8'],
      ['10.0.0.12,192.168.42.2', '10.0.0.11,192.168.42.1', '4789', '1', '42', '0'],
    ].map(r => r.map(c => c.replace(/,/g, '|'))));
    expect(rows.every(r => r[7] === '')).toBe(true);
    // Outer header: TTL 64 (`ttl auto`), DF not set (`df unset`).
    for (const r of tunnelled) expect([r[8]!.split('|')[0], r[9]!.split('|')[0]]).toEqual(['64', '0']);
    const expert = runTshark(['-r', file, '-o', 'udp.check_checksum:TRUE', '-z', 'expert,error', '-q']);
    expect(expert.stdout).not.toMatch(/Malformed|Bad checksum/i);
  });

  it('learning puts the peer namespace MAC behind the peer VTEP; ageing removes it 300 s after the last frame', () => {
    const lab = remoteLab();
    expect(ping(lab, 1, 2)).toBe(0);
    expect(vxlanLines(lab.h1.ok('bridge fdb show dev vxlan0'))).toEqual([
      `${nsMac(2)} dst 10.0.0.12 self `,
      '00:00:00:00:00:00 dst 10.0.0.12 via eth0 self permanent',
    ]);
    expect(lab.h2.ok('bridge fdb show dev vxlan0')).toContain(`${nsMac(1)} dst 10.0.0.11 self \n`);
    const learned = records(lab, 'decap').map(r => r.detail['learned']);
    expect(learned.slice(0, 2)).toEqual(['new', 'new']);
    // The neighbour probes 5 s later are the last frames through the tunnel (learning refreshes).
    lab.world.engine.runFor(300 * SECOND);
    expect(lab.h1.ok('bridge fdb show dev vxlan0')).toContain(`${nsMac(2)} dst 10.0.0.12 self \n`);
    lab.world.engine.runFor(10 * SECOND);
    expect(vxlanLines(lab.h1.ok('bridge fdb show dev vxlan0'))).toEqual(['00:00:00:00:00:00 dst 10.0.0.12 via eth0 self permanent']);
  });

  it('ip -d link shows the vxlan line; the MTU is the lower MTU minus 50 and cannot exceed it', () => {
    const lab = remoteLab();
    const out = lab.h1.ok('ip -d link show vxlan0');
    expect(out).toContain('mtu 1450 qdisc noqueue master br0 state UNKNOWN mode DEFAULT group default qlen 1000\n');
    expect(out).toContain('\n    vxlan id 42 remote 10.0.0.12 dev eth0 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx \n');
    expect(lab.h1.sh('ip link set vxlan0 mtu 1451')).toEqual({ code: 2, stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n' });
    lab.h1.ok('ip link set vxlan0 mtu 1400');
    lab.h1.ok('ip link add vx9 type vxlan id 9 dstport 4789 local 10.0.0.11 ttl 10 nolearning proxy l2miss l3miss ageing 100');
    const vx9 = lab.h1.ok('ip -d link show vx9');
    expect(vx9).toContain(' mtu 1500 ');
    expect(vx9).toContain('\n    vxlan id 9 local 10.0.0.11 srcport 0 0 dstport 4789 nolearning proxy l2miss l3miss ttl 10 ageing 100 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode ');
    expect(lab.h1.host.rootNs.device('vx9')).toBeInstanceOf(VxlanDevice);
  });

  it('a VNI the receiver has no device for is dropped there', () => {
    const lab = twoHosts();
    configureHost(lab.h1, 1, `id 42 dstport 4789 remote ${underlayIp(2)} dev eth0`);
    configureHost(lab.h2, 2, `id 43 dstport 4789 remote ${underlayIp(1)} dev eth0`);
    expect(ping(lab, 1, 2)).not.toBe(0);
    const drop = lab.world.trace.records.find(r => r.kind === 'drop' && r.location.host === 'host2' && r.detail['reason'] === 'not-for-us' && r.detail['vni'] === 42);
    expect(drop).toBeDefined();
  });
});

describe('vxlan with static FDB entries and nolearning', () => {
  const staticHost = (lab: Lab, n: 1 | 2): void => {
    const peer = n === 1 ? 2 : 1;
    const h = n === 1 ? lab.h1 : lab.h2;
    configureHost(h, n, `id 42 dstport 4789 local ${underlayIp(n)} dev eth0 nolearning`);
    h.ok(`bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst ${underlayIp(peer)}`);
    h.ok(`bridge fdb add ${nsMac(peer)} dev vxlan0 dst ${underlayIp(peer)} static`);
  };

  it('pings through the static entries and learns nothing', () => {
    const lab = twoHosts();
    staticHost(lab, 1);
    staticHost(lab, 2);
    expect(ping(lab, 1, 2)).toBe(0);
    expect(vxlanLines(lab.h1.ok('bridge fdb show dev vxlan0'))).toEqual([
      `${nsMac(2)} dst 10.0.0.12 self static`,
      '00:00:00:00:00:00 dst 10.0.0.12 self permanent',
    ]);
    expect(records(lab, 'decap').every(r => r.detail['learned'] === 'off')).toBe(true);
  });

  it('nolearning without any entry: the frame is dropped at the vxlan device (fdb-no-port)', () => {
    const lab = twoHosts();
    configureHost(lab.h1, 1, 'id 42 dstport 4789 dev eth0 nolearning l2miss');
    configureHost(lab.h2, 2, `id 42 dstport 4789 remote ${underlayIp(1)} dev eth0`);
    lab.h1.ok(`ip -n ns1 neigh add ${overlayIp(2)} lladdr ${nsMac(2)} dev eth0`);
    expect(ping(lab, 1, 2)).not.toBe(0);
    const drop = lab.world.trace.records.find(r => r.kind === 'drop' && r.location.device === 'vxlan0');
    expect(drop?.detail).toMatchObject({ reason: 'fdb-no-port', device: 'vxlan0', dst: nsMac(2) });
    expect(records(lab, 'note').some(r => r.detail['what'] === 'l2miss' && r.detail['mac'] === nsMac(2))).toBe(true);
    expect(records(lab, 'encap')).toHaveLength(0);
    expect(lab.h1.host.rootNs.drops.get('fdb-no-port')).toBeGreaterThan(0);
  });

  it('several all-zeros remotes replicate a broadcast to each, with the same packet id', () => {
    const lab = remoteLab();
    lab.h1.ok('bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.99');
    expect(vxlanLines(lab.h1.ok('bridge fdb show dev vxlan0'))).toEqual(['00:00:00:00:00:00 dst 10.0.0.12 via eth0 self permanent', '00:00:00:00:00:00 dst 10.0.0.99 self permanent']);
    expect(ping(lab, 1, 2)).toBe(0);
    const arp = records(lab, 'encap').filter(r => r.location.host === 'host1').slice(0, 2);
    expect(arp.map(r => r.detail['outerDst'])).toEqual(['10.0.0.99', '10.0.0.12']);
    expect(arp[0]!.packetId).toBe(arp[1]!.packetId);
  });
});
