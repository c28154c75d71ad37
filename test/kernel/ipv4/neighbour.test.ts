// The neighbour table and ARP: NUD timers under loss, the packet queue, probing a stale entry,
// `ip neigh` entries, gratuitous and proxy ARP (linux-primitives.md section 6).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MS, SECOND } from '../../../src/engine/index.js';
import { formatNeigh, ipOutput, ipv4Of, type Skb } from '../../../src/kernel/index.js';
import { arpReply, arpRequest, MAC_BROADCAST, type ArpRepr } from '../../../src/packet/index.js';
import { send } from '../../support/topology.js';
import { addr, ip, mac, must, sent, newHost, newWorld, ping, routed, sink, sysctl, udp, up, wire } from './fakes.js';

function lossyPair(seed: number) {
  const world = newWorld(seed);
  const host = newHost(world, 'h');
  const a = host.addAnonymousNamespace('a');
  const b = host.addAnonymousNamespace('b');
  const [wa, wb] = wire(a, 'eth0', mac(0xa), b, 'eth0', mac(0xb));
  up(a.device('lo')!, b.device('lo')!, wa, wb);
  addr(wa, '10.0.0.1/24');
  addr(wb, '10.0.0.2/24');
  return { world, a, b, wa, wb };
}

const isArp = (skb: Skb): skb is Skb & { frame: { payload: ArpRepr } } => skb.frame.payload.kind === 'arp';

describe('ARP resolution under loss', () => {
  it('ends REACHABLE or FAILED within 3 retransmits of 1 s, as the losses decide', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 1000 }), (losses, seed) => {
        const t = lossyPair(seed);
        const queue = [...losses];
        const frames: string[] = [];
        const lossOf = (skb: Skb): boolean => {
          if (!isArp(skb)) return false;
          frames.push(skb.frame.payload.op === 1 ? 'request' : 'reply');
          return queue.shift() ?? false;
        };
        t.wa.loss = lossOf;
        t.wb.loss = lossOf;
        const aSock = sink(t.a);
        sink(t.b);
        sent(ping(t.a, '10.0.0.2'));
        t.world.engine.runUntil(3 * SECOND + 10 * MS);
        // What the losses say: the first request that gets through and whose reply gets through wins.
        let expected: 'reachable' | 'failed' = 'failed';
        let expectedRequests = 0;
        const l = [...losses];
        for (let i = 0; i < 3; i++) {
          expectedRequests++;
          if (l.shift()!) continue;
          if (!l.shift()!) {
            expected = 'reachable';
            break;
          }
        }
        const entry = ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!;
        expect(entry.state).toBe(expected);
        expect(frames.filter(s => s === 'request')).toHaveLength(expectedRequests);
        const icmp = aSock.map(d => d.ip.payload).filter(p => p.kind === 'icmp');
        if (expected === 'reachable') {
          expect(icmp.map(p => p.type)).toEqual(['echo-reply']);
        } else {
          expect(icmp).toMatchObject([{ type: 'dest-unreachable', code: 1 }]);
          expect(aSock[0]!.ip.src).toBe(ip('10.0.0.1'));
          expect(t.a.drops.get('neigh-failed')).toBe(1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('fails at exactly 3 s with three broadcast requests when nobody answers', () => {
    const t = lossyPair(1);
    t.wb.adminUp = false;
    sink(t.a);
    sent(ping(t.a, '10.0.0.2'));
    t.world.engine.runUntil(3 * SECOND - 1);
    expect(ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!.state).toBe('incomplete');
    t.world.engine.runUntil(3 * SECOND + 1);
    expect(ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!.state).toBe('failed');
    const requests = t.world.trace.records.filter(r => r.kind === 'neighbour' && r.detail['arp'] === 'request');
    expect(requests.map(r => [r.time, r.detail['to']])).toEqual([
      [0, 'ff:ff:ff:ff:ff:ff'],
      [SECOND, 'ff:ff:ff:ff:ff:ff'],
      [2 * SECOND, 'ff:ff:ff:ff:ff:ff'],
    ]);
    expect(formatNeigh(ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!)).toBe('10.0.0.2 dev eth0 FAILED');
  });
});

describe('the neighbour queue and the NUD machine', () => {
  it('sends every packet queued while INCOMPLETE once the reply arrives, in order', () => {
    const t = lossyPair(3);
    const bSock = sink(t.b);
    for (let seq = 1; seq <= 3; seq++) sent(ipOutput(t.a, { dst: ip('10.0.0.2'), payload: udp(1000, 2000 + seq, `n${seq}`) }));
    expect(ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!.queue).toHaveLength(3);
    t.world.engine.runUntil(10 * MS);
    expect(bSock.map(d => (d.ip.payload.kind === 'udp' ? d.ip.payload.dstPort : 0))).toEqual([2001, 2002, 2003]);
    const entry = ipv4Of(t.a).neigh.get(t.wa, ip('10.0.0.2'))!;
    expect(formatNeigh(entry)).toBe('10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE');
  });

  it('goes REACHABLE -> STALE -> DELAY -> PROBE (unicast) -> REACHABLE', () => {
    const t = lossyPair(4);
    sink(t.a);
    sink(t.b);
    sent(ping(t.a, '10.0.0.2'));
    t.world.engine.runUntil(10 * MS);
    const st = ipv4Of(t.a);
    const entry = st.neigh.get(t.wa, ip('10.0.0.2'))!;
    expect(entry.state).toBe('reachable');
    const reach = st.neigh.reachableTime(t.wa);
    expect(reach).toBeGreaterThanOrEqual(15 * SECOND);
    expect(reach).toBeLessThan(45 * SECOND);
    t.world.engine.runUntil(46 * SECOND);
    expect(entry.state).toBe('stale');
    sent(ping(t.a, '10.0.0.2', { seq: 2 }));
    expect(entry.state).toBe('delay');
    t.world.engine.runUntil(46 * SECOND + 5 * SECOND + 10 * MS);
    const probes = t.world.trace.records.filter(r => r.kind === 'neighbour' && r.detail['arp'] === 'request' && r.location.netns === 'a');
    expect(probes.at(-1)!.detail['to']).toBe('02:00:00:00:00:0b');
    expect(entry.state).toBe('reachable');
  });

  it('keeps PERMANENT entries and answers ip neigh with its errors', () => {
    const t = lossyPair(5);
    const st = ipv4Of(t.a);
    must(st.neighAdd(t.wa, ip('10.0.0.9'), mac(0x99)));
    expect(st.neighAdd(t.wa, ip('10.0.0.9'), mac(0x98))).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists', exitCode: 2 });
    expect(st.neighDel(t.wa, ip('10.0.0.10'))).toMatchObject({ ok: false, error: 'RTNETLINK answers: No such file or directory' });
    expect(st.neigh.list().map(e => formatNeigh(e))).toEqual(['10.0.0.9 dev eth0 lladdr 02:00:00:00:00:99 PERMANENT']);
    expect(st.neighFlush(t.wa)).toBe(0);
    must(st.neighReplace(t.wa, ip('10.0.0.9'), mac(0x97), 'stale'));
    expect(st.neigh.list().map(e => formatNeigh(e, false))).toEqual(['10.0.0.9 lladdr 02:00:00:00:00:97 STALE']);
    expect(st.neighFlush(t.wa)).toBe(1);
    // A permanent entry is used without any ARP.
    must(st.neighAdd(t.wa, ip('10.0.0.2'), mac(0xb)));
    sink(t.b);
    sent(ping(t.a, '10.0.0.2'));
    t.world.engine.runUntil(10 * MS);
    expect(t.world.trace.records.filter(r => r.location.netns === 'a' && r.detail['arp'] === 'request')).toHaveLength(0);
  });
});

describe('ARP receive', () => {
  it('answers for any local address on any interface, with the ingress MAC (arp_ignore=0)', () => {
    const t = routed();
    const replies: ArpRepr[] = [];
    t.a.protocols.set(0x0806, skb => void (skb.frame.payload.kind === 'arp' && replies.push(skb.frame.payload)));
    send(t.aEth0, { kind: 'ethernet', dst: MAC_BROADCAST, src: t.aEth0.mac, vlans: [], etherType: 0x0806, payload: arpRequest(t.aEth0.mac, ip('10.0.1.2'), ip('10.0.2.1')) });
    t.world.engine.runUntil(10 * MS);
    expect(replies).toEqual([arpReply(t.rEth0.mac, ip('10.0.2.1'), t.aEth0.mac, ip('10.0.1.2'))]);
    sysctl(t.r, 'net.ipv4.conf.eth0.arp_ignore', '1');
    send(t.aEth0, { kind: 'ethernet', dst: MAC_BROADCAST, src: t.aEth0.mac, vlans: [], etherType: 0x0806, payload: arpRequest(t.aEth0.mac, ip('10.0.1.2'), ip('10.0.2.1')) });
    t.world.engine.runUntil(20 * MS);
    expect(replies).toHaveLength(1);
  });

  it('creates no entry from gratuitous ARP unless arp_accept, and refreshes an existing one', () => {
    const t = lossyPair(6);
    const st = ipv4Of(t.b);
    const garp = (m: number) => ({ kind: 'ethernet' as const, dst: MAC_BROADCAST, src: m, vlans: [], etherType: 0x0806, payload: arpRequest(m, ip('10.0.0.50'), ip('10.0.0.50')) });
    send(t.wa, garp(mac(0x50)));
    t.world.engine.runUntil(10 * MS);
    expect(st.neigh.get(t.wb, ip('10.0.0.50'))).toBeUndefined();
    sysctl(t.b, 'net.ipv4.conf.eth0.arp_accept', '1');
    send(t.wa, garp(mac(0x50)));
    t.world.engine.runUntil(20 * MS);
    expect(st.neigh.get(t.wb, ip('10.0.0.50'))).toMatchObject({ state: 'stale', mac: mac(0x50) });
    // Gratuitous ARP overrides the address even within locktime.
    send(t.wa, garp(mac(0x51)));
    t.world.engine.runUntil(30 * MS);
    expect(st.neigh.get(t.wb, ip('10.0.0.50'))!.mac).toBe(mac(0x51));
  });

  it('proxies ARP for a destination routed through another device, when proxy_arp and forwarding are on', () => {
    const t = routed({ seed: 9 });
    const replies: { at: number; arp: ArpRepr }[] = [];
    t.a.protocols.set(0x0806, skb => void (skb.frame.payload.kind === 'arp' && replies.push({ at: t.world.engine.now, arp: skb.frame.payload })));
    const ask = () =>
      send(t.aEth0, { kind: 'ethernet', dst: MAC_BROADCAST, src: t.aEth0.mac, vlans: [], etherType: 0x0806, payload: arpRequest(t.aEth0.mac, ip('10.0.1.2'), ip('10.0.2.2')) });
    ask();
    t.world.engine.runUntil(SECOND);
    expect(replies).toHaveLength(0);
    sysctl(t.r, 'net.ipv4.conf.eth0.proxy_arp', '1');
    ask();
    t.world.engine.runUntil(2 * SECOND);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.arp).toEqual(arpReply(t.rEth0.mac, ip('10.0.2.2'), t.aEth0.mac, ip('10.0.1.2')));
    expect(replies[0]!.at - SECOND).toBeLessThan(800 * MS);
    // Without forwarding there is no proxying; an explicit `ip neigh add proxy` entry also works.
    sysctl(t.r, 'net.ipv4.conf.eth0.proxy_arp', '0');
    must(ipv4Of(t.r).neigh.proxyAdd(t.rEth0, ip('10.0.2.2')));
    ask();
    t.world.engine.runUntil(3 * SECOND);
    expect(replies).toHaveLength(2);
    sysctl(t.r, 'net.ipv4.ip_forward', '0');
    ask();
    t.world.engine.runUntil(4 * SECOND);
    expect(replies).toHaveLength(2);
  });

  it('answers a forwarded packet whose next hop never resolves with ICMP host unreachable', () => {
    const t = routed();
    const aSock = sink(t.a);
    t.bEth0.adminUp = false;
    sent(ping(t.a, '10.0.2.2'));
    t.world.engine.runUntil(4 * SECOND);
    expect(aSock.map(d => [d.ip.src, d.ip.payload.kind === 'icmp' ? d.ip.payload.type : '', d.ip.payload.kind === 'icmp' && 'code' in d.ip.payload ? d.ip.payload.code : -1])).toEqual([
      [ip('10.0.1.1'), 'dest-unreachable', 1],
    ]);
    expect(t.r.drops.get('neigh-failed')).toBe(1);
  });
});

