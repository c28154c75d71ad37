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

  it('counts packets and frame bytes (Ethernet header, tags and payload, no FCS) at both ends', () => {
    const { world, a, b } = pair();
    send(a, testFrame(mac(1), mac(2), { text: 'x'.repeat(50) }));
    send(a, testFrame(mac(1), mac(2), { text: 'x'.repeat(50), vid: 7 }));
    settle(world);
    expect(a.stats).toMatchObject({ txPackets: 2, txBytes: 64 + 68 });
    // The tagged frame is dropped at the peer (no VLAN device for 7), after being counted.
    expect(b.stats).toMatchObject({ rxPackets: 2, rxBytes: 64 + 68, rxDropped: 1 });
  });

  it('scrubs across namespaces: mark and conntrack cleared', () => {
    const { world, ns, a } = pair();
    const log = capture(ns);
    send(a, testFrame(mac(1), mac(2)), { mark: 0x4000, ct: { entry: 1 } });
    settle(world);
    expect(log[0]).toMatchObject({ mark: 0, ct: undefined });
  });

  it('keeps the mark between two ends in one namespace, still drops conntrack', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const a = add(host.rootNs, { type: 'veth', name: 'v0', peer: 'v1', mac: mac(1), peerMac: mac(2) }) as VethDevice;
    up(a, a.peer);
    const log = capture(host.rootNs);
    send(a, testFrame(mac(1), mac(2)), { mark: 7, ct: { entry: 1 } });
    settle(world);
    expect(log[0]).toMatchObject({ dev: 'v1', mark: 7, ct: undefined });
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
    const { world, ns, root, a, b } = pair();
    const log = capture(ns);
    must(linkSetDown(ns, b));
    expect(a.carrier()).toBe(false);
    expect(a.flags()).toContain('NO-CARRIER');
    send(a, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log).toHaveLength(0);
    expect(drops(world)).toEqual(['no-carrier@vethA']);
    expect(root.drops.get('no-carrier')).toBe(1);
  });

  it('records receive and transmit trace records for each hop', () => {
    const { world, a } = pair();
    const pkt = send(a, testFrame(mac(1), mac(2)));
    settle(world);
    const hops = world.trace.forPacket(pkt.id).map(r => `${r.kind}@${r.location.netns}/${r.location.device ?? ''}`);
    expect(hops).toEqual(['transmit@root/vethA', 'receive@c1/eth0', 'drop@c1/eth0']); // no handler: not-for-us
  });

  it('registers the peer first (lower ifindex) and keeps its index when moved', () => {
    const { a, b, ns } = pair();
    expect(b.ifindex).toBe(a.ifindex - 1);
    expect(ns.device('eth0')).toBe(b);
    expect(a.peer).toBe(b); // listings print `vethA@if<b.ifindex>`
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

  it('what lo transmits comes back in on lo, with mark and conntrack kept', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const lo = host.rootNs.device('lo')!;
    up(lo);
    const log = capture(host.rootNs);
    const ct = { entry: 1 };
    send(lo, testFrame(0, 0), { mark: 3, ct });
    settle(world);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'lo', mark: 3, ct, pktType: 'host' });
  });
});
