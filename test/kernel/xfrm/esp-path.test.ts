// The ESP packet path between two namespaces configured with `ip xfrm`: traffic flows, the wire
// carries only ESP (checked by tshark, which also decrypts it with the keys), and each failure
// is a drop with its xfrm reason: a wrong key, a missing state on either end, a plaintext packet
// where a policy requires IPsec, a blocking policy. `-m policy` tells the two passes apart.
// Requires tshark (`apt-get install -y tshark`); without it the capture tests fail and say so.
import { describe, expect, it } from 'vitest';
import { spawn } from '../../../src/kernel/index.js';
import { iptablesOf } from '../../../src/kernel/nfhooks/index.js';
import { runIptables, runIptablesSave, splitWords } from '../../../src/kernel/netfilter/index.js';
import { requireTshark, tempCaptureDir, tsharkFields } from '../../support/tshark.js';
import { A, B, KEY_AB, KEY_BA, capture, lab, policyLine, records, transportSas, type Lab } from './lab.js';

const WRONG_KEY = '0xffeeddccbbaa99887766554433221100deadbeef';

function ipt(l: Lab, ns: 'a' | 'b', line: string): void {
  const r = runIptables(iptablesOf(ns === 'a' ? l.a : l.b), splitWords(line));
  if (r.exitCode !== 0) throw new Error(`iptables ${line}: ${r.stderr}`);
}

/** `iptables-save -c` lines of one chain, without the `-A CHAIN ` part. */
function counted(l: Lab, ns: 'a' | 'b', table: string, chain: string): string[] {
  const out = runIptablesSave(iptablesOf(ns === 'a' ? l.a : l.b), ['-c', '-t', table]).stdout;
  return out
    .split('\n')
    .filter(line => line.includes(`-A ${chain} `))
    .map(line => line.replace(`-A ${chain} `, ''));
}

function dropsOf(l: Lab, reason: string): Readonly<Record<string, unknown>>[] {
  return records(l, 'drop').filter(d => d['reason'] === reason);
}

/** One row of Wireshark's `esp_sa` UAT (tshark 4.0): see test/packet/tshark.test.ts. */
function espSa(src: string, dst: string, spi: number, key: string): string[] {
  const row = ['IPv4', src, dst, `0x${spi.toString(16).padStart(8, '0')}`, 'AES-GCM with 16 octet ICV [RFC4106]', key, 'NULL', ''];
  return ['-o', `uat:esp_sa:${row.map(f => `"${f}"`).join(',')}`];
}

const DECRYPT = ['-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE', ...espSa(A, B, 0x100, KEY_AB), ...espSa(B, A, 0x200, KEY_BA)];

describe('ESP in transport mode between two namespaces', () => {
  it('carries a ping both ways: each packet is sealed once and opened once, keeping its id', () => {
    const l = lab();
    transportSas(l);
    const r = l.sh(`ping -c 2 ${B}`, { ns: 'a' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
    const encap = records(l, 'encap').map(e => [e['netns'], e['spi'], e['seq'], e['inner'], e['packet']]);
    const decap = records(l, 'decap').map(e => [e['netns'] === 'a' ? 'b' : 'a', e['spi'], e['seq'], e['inner'], e['packet']]);
    expect(encap).toEqual(decap);
    expect(encap.map(([ns, spi, seq]) => `${String(ns)} ${String(spi)} ${String(seq)}`)).toEqual(['a 0x00000100 1', 'b 0x00000200 1', 'a 0x00000100 2', 'b 0x00000200 2']);
    expect(l.ip('a', 'xfrm state get dst 10.0.0.2 proto esp spi 0x100')).toContain('anti-replay context: seq 0x0, oseq 0x2, bitmap 0x00000000\n');
    expect(records(l, 'drop')).toEqual([]);
  });

  it('carries a TCP connection', () => {
    const l = lab();
    transportSas(l);
    spawn(l.registry, { ns: l.b, argv: ['nc', '-l', '-p', '8080'], userland: 'busybox' });
    const r = l.sh(`nc -z -v -w 2 ${B} 8080`, { ns: 'a', userland: 'busybox' });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '10.0.0.2 (10.0.0.2:8080) open\n' });
    // The SYN opened at b, the SYN-ACK at a: both TCP, both sealed.
    for (const ns of ['a', 'b']) {
      const opened = records(l, 'decap', ns);
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(opened.every(d => d['inner'] === 6)).toBe(true);
    }
  });

  it('puts only ESP on the wire, and tshark decrypts it with the keys, ICV good', () => {
    requireTshark();
    const l = lab();
    transportSas(l);
    const cap = capture(l.a.device('eth0')!);
    spawn(l.registry, { ns: l.b, argv: ['nc', '-l', '-p', '8080'], userland: 'busybox' });
    expect(l.sh(`ping -c 1 ${B}`, { ns: 'a' }).code).toBe(0);
    expect(l.sh(`nc -z -w 2 ${B} 8080`, { ns: 'a', userland: 'busybox' }).code).toBe(0);
    const files = tempCaptureDir('cnmsim-xfrm-');
    try {
      const path = files.write('esp.pcap', cap.bytes());
      const plain = tsharkFields(path, ['frame.protocols']).map(([p]) => p!);
      const ip = plain.filter(p => p.includes(':ip'));
      expect(ip.length).toBeGreaterThanOrEqual(5);
      expect(new Set(ip)).toEqual(new Set(['eth:ethertype:ip:esp']));
      expect(plain.filter(p => !p.includes(':ip'))).toEqual(plain.filter(p => p === 'eth:ethertype:arp'));
      const opened = tsharkFields(path, ['frame.protocols', 'esp.icv_good', '_ws.malformed'], [...DECRYPT, '-Y', 'esp']);
      expect(opened.map(([p]) => p)).toEqual(['eth:ethertype:ip:esp:icmp:data', 'eth:ethertype:ip:esp:icmp:data', ...opened.slice(2).map(() => 'eth:ethertype:ip:esp:tcp')]);
      expect(opened.every(([, good, malformed]) => good === '1' && malformed === '')).toBe(true);
    } finally {
      files.cleanup();
    }
  });
});

describe('xfrm drops', () => {
  it('drops with xfrm-auth-failed when the receiver holds another key', () => {
    const l = lab();
    transportSas(l, { keyAbAtB: WRONG_KEY });
    const r = l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' });
    expect(r.code).toBe(1);
    expect(dropsOf(l, 'xfrm-auth-failed')).toEqual([
      expect.objectContaining({ netns: 'b', by: 'xfrm/in', sa: '10.0.0.1 > 10.0.0.2 spi 0x00000100', seq: 1 }),
    ]);
    expect(l.b.drops.get('xfrm-auth-failed')).toBe(1);
    expect(records(l, 'decap')).toEqual([]);
  });

  it('drops with xfrm-no-state when the sender has a policy but no state: sendmsg says No such process', () => {
    const l = lab();
    transportSas(l, { skipStateAtA: true });
    const r = l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' });
    expect(r.stderr).toBe('ping: sendmsg: No such process\n');
    expect(dropsOf(l, 'xfrm-no-state')).toEqual([
      expect.objectContaining({
        netns: 'a',
        by: 'xfrm/out',
        policy: 'src 10.0.0.1/32 dst 10.0.0.2/32 dir out priority 0',
        template: 'tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 1 mode transport',
      }),
    ]);
    expect(records(l, 'encap')).toEqual([]);
  });

  it('drops with xfrm-no-state when the receiver does not know the SPI', () => {
    const l = lab();
    transportSas(l);
    l.ip('b', `xfrm state delete src ${A} dst ${B} proto esp spi 0x100`);
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(1);
    expect(dropsOf(l, 'xfrm-no-state')).toEqual([expect.objectContaining({ netns: 'b', by: 'xfrm/in', sa: '10.0.0.1 > 10.0.0.2 spi 0x00000100' })]);
  });

  it('drops a plaintext packet where the in policy requires ESP (xfrm-policy)', () => {
    const l = lab();
    transportSas(l);
    l.ip('a', `xfrm policy delete src ${A}/32 dst ${B}/32 dir out`);
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(1);
    expect(dropsOf(l, 'xfrm-policy')).toEqual([
      expect.objectContaining({
        netns: 'b',
        by: 'xfrm/in',
        policy: 'src 10.0.0.1/32 dst 10.0.0.2/32 dir in priority 0',
        why: 'a plaintext packet where the policy requires IPsec (XfrmInTmplMismatch)',
      }),
    ]);
  });

  it('refuses a flow an out policy blocks: EPERM and xfrm-policy', () => {
    const l = lab();
    l.ip('a', `xfrm policy add src ${A}/32 dst ${B}/32 proto icmp dir out action block`);
    const r = l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' });
    expect(r.stderr).toBe('ping: sendmsg: Operation not permitted\n');
    expect(dropsOf(l, 'xfrm-policy')).toEqual([expect.objectContaining({ netns: 'a', by: 'xfrm/out', policy: 'src 10.0.0.1/32 dst 10.0.0.2/32 dir out priority 0 action block' })]);
    // A lower priority number wins: an allow policy without templates lets the flow go plain.
    l.ip('a', `xfrm policy add src ${A}/32 dst ${B}/32 dir out priority 0`);
    l.ip('a', `xfrm policy update src ${A}/32 dst ${B}/32 proto icmp dir out priority 9 action block`);
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(0);
  });

  it('lets a `level use` template go without a state', () => {
    const l = lab();
    l.ip('a', policyLine(A, B, 'out', 1, ' level use'));
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(0);
    expect(records(l, 'encap')).toEqual([]);
  });
});

describe('netfilter and -m policy', () => {
  it('shows the plaintext and the ESP packet each passing OUTPUT and POSTROUTING, and INPUT twice on receipt', () => {
    const l = lab();
    transportSas(l);
    for (const rule of [
      '-A OUTPUT -p icmp -m policy --dir out --pol ipsec -j ACCEPT',
      '-A OUTPUT -p esp -m policy --dir out --pol none -j ACCEPT',
      '-A INPUT -p esp -m policy --dir in --pol none -j ACCEPT',
      '-A INPUT -p icmp -m policy --dir in --pol ipsec -j ACCEPT',
      '-A INPUT -j DROP',
      '-t mangle -A POSTROUTING -p icmp -m policy --dir out --pol ipsec',
      '-t mangle -A POSTROUTING -p esp',
      '-t mangle -A PREROUTING -p esp',
      '-t mangle -A PREROUTING -p icmp',
    ]) {
      ipt(l, 'a', rule);
      ipt(l, 'b', rule);
    }
    expect(l.sh(`ping -c 2 ${B}`, { ns: 'a' }).code).toBe(0);
    for (const ns of ['a', 'b'] as const) {
      expect(counted(l, ns, 'filter', 'OUTPUT')).toEqual([
        '[2:168] -p icmp -m policy --dir out --pol ipsec -j ACCEPT',
        '[2:240] -p esp -m policy --dir out --pol none -j ACCEPT',
      ]);
      expect(counted(l, ns, 'filter', 'INPUT')).toEqual([
        '[2:240] -p esp -m policy --dir in --pol none -j ACCEPT',
        '[2:168] -p icmp -m policy --dir in --pol ipsec -j ACCEPT',
        '[0:0] -j DROP',
      ]);
      expect(counted(l, ns, 'mangle', 'POSTROUTING')).toEqual(['[2:168] -p icmp -m policy --dir out --pol ipsec', '[2:240] -p esp']);
      expect(counted(l, ns, 'mangle', 'PREROUTING')).toEqual(['[2:240] -p esp', '[2:168] -p icmp']);
    }
  });

  it('lets `--pol none -j DROP` stop plaintext while ESP traffic passes', () => {
    const l = lab();
    transportSas(l);
    l.ip('b', `xfrm policy delete src ${A}/32 dst ${B}/32 dir in`);
    ipt(l, 'b', '-A INPUT -p icmp -m policy --dir in --pol none -j DROP');
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(0);
    l.ip('a', `xfrm policy delete src ${A}/32 dst ${B}/32 dir out`);
    expect(l.sh(`ping -c 1 -W 1 ${B}`, { ns: 'a' }).code).toBe(1);
    expect(dropsOf(l, 'netfilter')).toEqual([expect.objectContaining({ netns: 'b', by: 'filter/INPUT', text: '-A INPUT -p icmp -m policy --dir in --pol none -j DROP' })]);
  });
});
