// Tunnel mode (subnets behind two gateways, the outer header between them) and the anti-replay
// window (a captured ESP frame sent again is refused only when the SA has a window).
import { describe, expect, it } from 'vitest';
import type { EthernetRepr } from '../../../src/packet/index.js';
import { requireTshark, tempCaptureDir, tsharkFields } from '../../support/tshark.js';
import { send } from '../../support/topology.js';
import { A, B, KEY_AB, KEY_BA, capture, lab, records, transportSas, type Lab } from './lab.js';

/** 192.168.1.1 behind a and 192.168.2.1 behind b (on `lo`), joined by an ESP tunnel a <-> b. */
function tunnelLab(): Lab {
  const l = lab();
  l.ip('a', 'addr add 192.168.1.1/32 dev lo');
  l.ip('b', 'addr add 192.168.2.1/32 dev lo');
  l.ip('a', `route add 192.168.2.0/24 via ${B} src 192.168.1.1`);
  l.ip('b', `route add 192.168.1.0/24 via ${A} src 192.168.2.1`);
  for (const ns of ['a', 'b'] as const) {
    l.ip(ns, `xfrm state add src ${A} dst ${B} proto esp spi 0x300 reqid 3 mode tunnel aead rfc4106(gcm(aes)) ${KEY_AB} 128`);
    l.ip(ns, `xfrm state add src ${B} dst ${A} proto esp spi 0x400 reqid 4 mode tunnel aead rfc4106(gcm(aes)) ${KEY_BA} 128`);
  }
  const [ab, ba] = [`tmpl src ${A} dst ${B} proto esp reqid 3 mode tunnel`, `tmpl src ${B} dst ${A} proto esp reqid 4 mode tunnel`];
  l.ip('a', `xfrm policy add src 192.168.1.0/24 dst 192.168.2.0/24 dir out ${ab}`);
  l.ip('a', `xfrm policy add src 192.168.2.0/24 dst 192.168.1.0/24 dir in ${ba}`);
  l.ip('b', `xfrm policy add src 192.168.2.0/24 dst 192.168.1.0/24 dir out ${ba}`);
  l.ip('b', `xfrm policy add src 192.168.1.0/24 dst 192.168.2.0/24 dir in ${ab}`);
  return l;
}

describe('tunnel mode', () => {
  it('carries the inner datagram between the subnets inside ESP between the gateways', () => {
    requireTshark();
    const l = tunnelLab();
    const cap = capture(l.a.device('eth0')!);
    const r = l.sh('ping -c 1 192.168.2.1', { ns: 'a' });
    expect(r.code).toBe(0);
    expect(records(l, 'encap').map(e => [e['netns'], e['mode'], e['src'], e['dst'], e['inner']])).toEqual([
      ['a', 'tunnel', A, B, 'ipv4'],
      ['b', 'tunnel', B, A, 'ipv4'],
    ]);
    const files = tempCaptureDir('cnmsim-xfrm-');
    try {
      const path = files.write('tunnel.pcap', cap.bytes());
      const sa = (src: string, dst: string, spi: string, key: string): string[] => [
        '-o',
        `uat:esp_sa:"IPv4","${src}","${dst}","${spi}","AES-GCM with 16 octet ICV [RFC4106]","${key}","NULL",""`,
      ];
      const rows = tsharkFields(path, ['frame.protocols', 'ip.src', 'ip.dst', 'esp.icv_good'], [
        '-o',
        'esp.enable_encryption_decode:TRUE',
        '-o',
        'esp.enable_authentication_check:TRUE',
        ...sa(A, B, '0x00000300', KEY_AB),
        ...sa(B, A, '0x00000400', KEY_BA),
        '-Y',
        'esp',
      ]);
      expect(rows).toEqual([
        ['eth:ethertype:ip:esp:ip:icmp:data', `${A}|192.168.1.1`, `${B}|192.168.2.1`, '1'],
        ['eth:ethertype:ip:esp:ip:icmp:data', `${B}|192.168.2.1`, `${A}|192.168.1.1`, '1'],
      ]);
    } finally {
      files.cleanup();
    }
  });

  it('drops inner traffic that arrives in plaintext where the in policy wants the tunnel', () => {
    const l = tunnelLab();
    l.ip('a', 'xfrm policy flush');
    expect(l.sh('ping -c 1 -W 1 192.168.2.1', { ns: 'a' }).code).toBe(1);
    expect(records(l, 'drop').map(d => [d['netns'], d['reason'], d['by']])).toEqual([['b', 'xfrm-policy', 'xfrm/in']]);
  });
});

/** The first ESP frame `ns` sends on its eth0 during `action`. */
function firstEspFrame(l: Lab, action: () => void): EthernetRepr {
  let frame: EthernetRepr | undefined;
  l.a.device('eth0')!.taps.add((_d, skb, dir) => {
    const ip = skb.frame.payload;
    if (frame === undefined && dir === 'tx' && ip.kind === 'ipv4' && ip.protocol === 50) frame = skb.frame;
  });
  action();
  if (frame === undefined) throw new Error('no ESP frame was sent');
  return frame;
}

describe('anti-replay', () => {
  it('with a window, records the sequence numbers it saw and refuses one seen before', () => {
    const l = lab();
    l.ip('b', `xfrm state add src ${A} dst ${B} proto esp spi 0x100 reqid 1 mode transport replay-window 32 aead rfc4106(gcm(aes)) ${KEY_AB} 128`);
    transportSas(l, { skipStateAtB: true });
    const frame = firstEspFrame(l, () => expect(l.sh(`ping -c 2 ${B}`, { ns: 'a' }).code).toBe(0));
    expect(l.ip('b', 'xfrm state get dst 10.0.0.2 proto esp spi 0x100')).toContain('\treplay-window 32 \n');
    expect(l.ip('b', 'xfrm state get dst 10.0.0.2 proto esp spi 0x100')).toContain('\tanti-replay context: seq 0x2, oseq 0x0, bitmap 0x00000003\n');
    send(l.a.device('eth0')!, frame);
    l.world.engine.runUntilIdle();
    expect(records(l, 'drop').map(d => [d['netns'], d['reason'], d['seq'], d['why']])).toEqual([
      ['b', 'xfrm-auth-failed', 1, 'replay check failed: replayed (XfrmInStateSeqError)'],
    ]);
  });

  it('without one (ip-xfrm default 0), opens the same frame again', () => {
    const l = lab();
    transportSas(l);
    const frame = firstEspFrame(l, () => expect(l.sh(`ping -c 1 ${B}`, { ns: 'a' }).code).toBe(0));
    send(l.a.device('eth0')!, frame);
    l.world.engine.runUntilIdle();
    expect(records(l, 'decap', 'b').map(d => d['seq'])).toEqual([1, 1]);
    // b answers the duplicate too (its reply finds no ping socket left at a).
    expect(records(l, 'encap', 'b').map(d => d['seq'])).toEqual([1, 2]);
    expect(records(l, 'drop').map(d => [d['netns'], d['reason']])).toEqual([['a', 'no-socket']]);
  });
});
