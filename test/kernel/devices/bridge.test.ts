// The Linux bridge: learning then forwarding, flooding, local delivery to the bridge device,
// hairpin, ageing on the engine clock, the bridge's MAC and carrier, ports leaving, and the
// br_netfilter hooks including bridged DNAT.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import type { NfHookContext, NetfilterHooks } from '../../../src/kernel/index.js';
import { BridgeDevice, IPV4_EXT_KEY, linkSetAddress, linkSetDown, linkSetMaster, type Ipv4DeviceSeam, type VethDevice } from '../../../src/kernel/devices/index.js';
import { MAC_BROADCAST, ethernetFrame, ipv4Packet, mustParseIpv4, payload, type Mac } from '../../../src/packet/index.js';
import { add, bridgeTopology, capture, drops, mac, must, newHost, newWorld, send, settle, testFrame, up } from '../../support/topology.js';

const BR_MAC = 0x0242_0000_0001;

describe('bridge forwarding', () => {
  it('floods an unknown unicast, learns the reply, then forwards without flooding', () => {
    const { world, containers } = bridgeTopology(3);
    const [c1, c2, c3] = containers as [(typeof containers)[0], (typeof containers)[0], (typeof containers)[0]];
    const log = capture(c1.ns, c2.ns, c3.ns);
    send(c1.eth0, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log.map(d => d.ns).sort()).toEqual(['c2', 'c3']); // flooded; c3 sees it as otherhost
    expect(log.find(d => d.ns === 'c3')!.pktType).toBe('otherhost');
    log.length = 0;
    send(c2.eth0, testFrame(mac(2), mac(1)));
    settle(world);
    expect(log.map(d => d.ns)).toEqual(['c1']); // mac(1) was learned on veth1
    log.length = 0;
    send(c1.eth0, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log.map(d => d.ns)).toEqual(['c2']);
    const decisions = world.trace.records.filter(r => r.kind === 'bridge').map(r => r.detail['decision']);
    expect(decisions).toEqual(['flood', 'forward', 'forward']);
  });

  it('lists local permanent entries for the bridge and every port, and learned ones without flags', () => {
    const { world, br, containers } = bridgeTopology(2);
    send(containers[0]!.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    const entries = br.fdb.entries(world.engine.now).map(e => `${e.mac.toString(16)} ${e.port.name} ${e.state}`);
    expect(entries).toEqual([
      `${mac(1).toString(16)} veth1 dynamic`,
      `${containers[1]!.hostVeth.mac.toString(16)} veth2 local`,
      `${containers[0]!.hostVeth.mac.toString(16)} veth1 local`,
      `${BR_MAC.toString(16)} br0 local`,
    ]);
  });

  it('delivers frames for the bridge MAC and for port MACs up to the bridge device', () => {
    const { world, host, containers } = bridgeTopology(2);
    const log = capture(host.rootNs, containers[1]!.ns);
    send(containers[0]!.eth0, testFrame(mac(1), BR_MAC));
    send(containers[0]!.eth0, testFrame(mac(1), containers[0]!.hostVeth.mac));
    settle(world);
    expect(log.map(d => [d.ns, d.dev, d.pktType, d.inDev])).toEqual([
      ['root', 'br0', 'host', 'br0'],
      ['root', 'br0', 'host', 'br0'],
    ]);
  });

  it('floods broadcast to every other port and up to the bridge; unknown unicast not up unless promiscuous', () => {
    const { world, host, br, containers } = bridgeTopology(3);
    const log = capture(host.rootNs, ...containers.map(c => c.ns));
    send(containers[0]!.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(log.map(d => `${d.ns}:${d.pktType}`).sort()).toEqual(['c2:broadcast', 'c3:broadcast', 'root:broadcast']);
    log.length = 0;
    send(containers[0]!.eth0, testFrame(mac(1), mac(77)));
    settle(world);
    expect(log.map(d => d.ns).sort()).toEqual(['c2', 'c3']);
    log.length = 0;
    br.promiscuity++;
    send(containers[0]!.eth0, testFrame(mac(1), mac(77)));
    settle(world);
    expect(log.map(d => `${d.ns}:${d.pktType}`).sort()).toEqual(['c2:otherhost', 'c3:otherhost', 'root:otherhost']);
  });

  it('never sends a frame back out its ingress port unless the port is in hairpin mode', () => {
    const { world, br, containers } = bridgeTopology(2);
    const c1 = containers[0]!;
    const log = capture(c1.ns);
    // A second MAC behind veth1 (say a macvlan inside c1) is learned on veth1.
    send(c1.eth0, testFrame(mac(51), MAC_BROADCAST));
    settle(world);
    send(c1.eth0, testFrame(mac(1), mac(51)));
    settle(world);
    expect(log.filter(d => d.frame.dst === mac(51))).toHaveLength(0);
    expect(drops(world)).toContain('hairpin-off@br0');
    br.port(c1.hostVeth)!.hairpin = true;
    send(c1.eth0, testFrame(mac(1), mac(51)));
    settle(world);
    expect(log.filter(d => d.frame.dst === mac(51))).toHaveLength(1);
  });

  it('hairpin ports also get their own broadcasts back', () => {
    const { world, br, containers } = bridgeTopology(2);
    const c1 = containers[0]!;
    br.port(c1.hostVeth)!.hairpin = true;
    const log = capture(c1.ns);
    send(c1.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(log).toHaveLength(1);
  });

  it('ages learned entries out after 300 s of engine time', () => {
    const { world, br, containers } = bridgeTopology(3);
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    send(c2.eth0, testFrame(mac(2), MAC_BROADCAST));
    settle(world);
    expect(br.fdb.lookup(mac(2), world.engine.now)?.port).toBe(c2.hostVeth);
    world.engine.runUntil(299 * SECOND);
    expect(br.fdb.entries(world.engine.now).some(e => e.mac === mac(2))).toBe(true);
    world.engine.runUntil(300 * SECOND);
    expect(br.fdb.entries(world.engine.now).some(e => e.mac === mac(2))).toBe(false);
    const log = capture(...containers.map(c => c.ns));
    send(c1.eth0, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log.map(d => d.ns).sort()).toEqual(['c2', 'c3']); // flooded again
  });

  it('drops frames on a port while the bridge is down', () => {
    const { world, host, br, containers } = bridgeTopology(2);
    must(linkSetDown(host.rootNs, br));
    send(containers[0]!.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(drops(world)).toEqual(['link-down@veth1']);
  });

  it('forgets what a port learned when it loses carrier or leaves the bridge', () => {
    const { world, host, br, containers } = bridgeTopology(2);
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    send(c1.eth0, testFrame(mac(1), MAC_BROADCAST));
    send(c2.eth0, testFrame(mac(2), MAC_BROADCAST));
    settle(world);
    must(linkSetDown(c1.ns, c1.eth0)); // veth1 loses carrier
    expect(br.fdb.lookup(mac(1), world.engine.now)).toBeUndefined();
    expect(br.fdb.lookup(c1.hostVeth.mac, world.engine.now)?.state).toBe('local');
    must(linkSetMaster(host.rootNs, c2.hostVeth, undefined));
    expect(br.fdb.lookup(mac(2), world.engine.now)).toBeUndefined();
    expect(br.fdb.lookup(c2.hostVeth.mac, world.engine.now)).toBeUndefined();
    expect(c2.hostVeth.master).toBeUndefined();
    expect(c2.hostVeth.promiscuity).toBe(0);
  });

  it('host transmit through the bridge: one port for a known MAC, flood otherwise, never back up', () => {
    const { world, host, br, containers } = bridgeTopology(3);
    const log = capture(host.rootNs, ...containers.map(c => c.ns));
    send(containers[1]!.eth0, testFrame(mac(2), BR_MAC));
    settle(world);
    log.length = 0;
    send(br, testFrame(BR_MAC, mac(2)));
    send(br, testFrame(BR_MAC, MAC_BROADCAST));
    settle(world);
    expect(log.map(d => d.ns)).toEqual(['c2', 'c3', 'c2', 'c1']);
  });
});

describe('bridge device', () => {
  it('takes the lowest port MAC unless its address was set explicitly', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const docker0 = add(root, { type: 'bridge', name: 'docker0', mac: BR_MAC }) as BridgeDevice;
    const a = add(root, { type: 'veth', name: 'va', peer: 'pa', mac: mac(9), peerMac: mac(10) });
    const b = add(root, { type: 'veth', name: 'vb', peer: 'pb', mac: mac(5), peerMac: mac(11) });
    must(linkSetMaster(root, a, br));
    expect(br.mac).toBe(mac(9));
    must(linkSetMaster(root, b, br));
    expect(br.mac).toBe(mac(5));
    must(linkSetMaster(root, b, undefined));
    expect(br.mac).toBe(mac(9));
    must(linkSetMaster(root, b, docker0));
    expect(docker0.mac).toBe(BR_MAC);
    expect(docker0.bridgeId()).toBe('8000.024200000001');
  });

  it('has no carrier without a forwarding port (docker0 shows NO-CARRIER)', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const br = add(root, { type: 'bridge', name: 'docker0', mac: BR_MAC }) as BridgeDevice;
    up(br);
    expect(br.flags()).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    const v = add(root, { type: 'veth', name: 'v', peer: 'p' }) as VethDevice;
    must(linkSetMaster(root, v, br));
    up(v);
    expect(br.carrier()).toBe(false); // the peer is still down
    up(v.peer);
    expect(br.flags()).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
  });

  it('keeps its first carrier until a state selection, then has carrier only while a port forwards (Linux 6.18)', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    up(br);
    // Never selected: LOWER_UP with no port (ip link: state UNKNOWN), a bridge id of zeros.
    expect(br.flags()).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(br.carrierSelected).toBe(false);
    expect(br.bridgeId()).toBe('8000.000000000000');
    const v = add(root, { type: 'veth', name: 'v', peer: 'p', mac: mac(7) }) as VethDevice;
    must(linkSetMaster(root, v, br));
    // The id changed to the port's address, so the selection ran: no port forwards yet.
    expect(br.mac).toBe(mac(7));
    expect(br.bridgeId()).toBe('8000.020000000007');
    expect(br.flags()).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    up(v, v.peer);
    expect(br.flags()).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    // The last port leaves: no carrier any more, and the address becomes all zeros, with no
    // local FDB entry for it.
    must(linkSetMaster(root, v, undefined));
    expect(br.flags()).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    expect(br.mac).toBe(0);
    expect(br.bridgeId()).toBe('8000.000000000000');
    expect(br.fdb.entries(world.engine.now).map(e => e.mac)).toEqual([]);
    must(linkSetDown(root, br));
    up(br);
    expect(br.carrier()).toBe(false);
    // An address set explicitly (at creation, as Docker does) runs the selection at once.
    const docker0 = add(root, { type: 'bridge', name: 'docker0', mac: BR_MAC }) as BridgeDevice;
    up(docker0);
    expect(docker0.flags()).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    const fresh = add(root, { type: 'bridge', name: 'br1' }) as BridgeDevice;
    up(fresh);
    must(linkSetAddress(root, fresh, mac(3)));
    expect(fresh.flags()).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    must(linkSetMaster(root, v, docker0));
    must(linkSetMaster(root, v, undefined));
    expect(docker0.mac).toBe(BR_MAC);
  });

  it('does not show PROMISC on its ports, although they are promiscuous (dev_get_flags)', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const v = add(root, { type: 'veth', name: 'v', peer: 'p' }) as VethDevice;
    must(linkSetMaster(root, v, br));
    up(br, v, v.peer);
    expect(v.promiscuity).toBe(1);
    expect(v.flags()).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    v.promiscByUser = true;
    expect(v.flags()).toContain('PROMISC');
  });

  it('takes the smallest port MTU unless one was set', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const v = add(root, { type: 'veth', name: 'v', peer: 'p', mtu: 1450 });
    must(linkSetMaster(root, v, br));
    expect(br.mtu).toBe(1450);
  });
});

/** Stub netfilter: records every hook call; `rewrite` may change the packet at PREROUTING. */
function stubNetfilter(rewrite?: (ctx: NfHookContext) => ((dst: number) => number) | undefined) {
  const calls: string[] = [];
  const hooks: NetfilterHooks = {
    bridgeCallIptables: () => true,
    hook(skb, ctx) {
      calls.push(`${ctx.hook} in=${ctx.inDev?.name ?? ''} out=${ctx.outDev?.name ?? ''} physin=${ctx.bridged?.physIn?.name ?? ''} physout=${ctx.bridged?.physOut?.name ?? ''}`);
      const change = rewrite?.(ctx);
      const p = skb.frame.payload;
      if (change !== undefined && p.kind === 'ipv4') skb.frame = { ...skb.frame, payload: { ...p, dst: change(p.dst) } };
      return 'accept';
    },
  };
  return { calls, hooks };
}

const IP = (s: string) => mustParseIpv4(s);

function ipFrame(src: Mac, dst: Mac, ipDst: string) {
  return ethernetFrame({ src, dst, payload: ipv4Packet({ src: IP('172.17.0.2'), dst: IP(ipDst), protocol: 253, payload: payload(new Uint8Array(4)) }) });
}

describe('br_netfilter', () => {
  it('runs PREROUTING once, then FORWARD and POSTROUTING per port, for bridged IPv4', () => {
    const { world, host, containers } = bridgeTopology(3);
    const nf = stubNetfilter();
    host.rootNs.netfilter = nf.hooks;
    send(containers[1]!.eth0, testFrame(mac(2), MAC_BROADCAST)); // learn mac(2); not IPv4: no hooks
    settle(world);
    expect(nf.calls).toEqual([]);
    send(containers[0]!.eth0, ipFrame(mac(1), mac(2), '172.17.0.3'));
    settle(world);
    expect(nf.calls).toEqual([
      'PREROUTING in=br0 out= physin=veth1 physout=',
      'FORWARD in=br0 out=br0 physin=veth1 physout=veth2',
      'POSTROUTING in= out=br0 physin=veth1 physout=veth2',
    ]);
  });

  it('frames going up get PREROUTING only, and are marked so the IP layer skips it', () => {
    const { world, host, containers } = bridgeTopology(1);
    const nf = stubNetfilter();
    host.rootNs.netfilter = nf.hooks;
    let brNetfilter: boolean | undefined;
    host.rootNs.protocols.set(0x0800, skb => (brNetfilter = skb.brNetfilter));
    send(containers[0]!.eth0, ipFrame(mac(1), BR_MAC, '172.17.0.1'));
    settle(world);
    expect(nf.calls).toEqual(['PREROUTING in=br0 out= physin=veth1 physout=']);
    expect(brNetfilter).toBe(true);
  });

  it('the host sending through the bridge runs no bridge hooks', () => {
    const { world, host, br } = bridgeTopology(2);
    const nf = stubNetfilter();
    host.rootNs.netfilter = nf.hooks;
    send(br, ipFrame(BR_MAC, MAC_BROADCAST, '172.17.255.255'));
    settle(world);
    expect(nf.calls).toEqual([]);
  });

  it('bridged DNAT: a new destination on the same bridge gets its neighbour MAC and stays bridged', () => {
    const { world, host, br, containers } = bridgeTopology(3);
    const [c1, c2, c3] = containers as [(typeof containers)[0], (typeof containers)[0], (typeof containers)[0]];
    const nf = stubNetfilter(ctx => (ctx.hook === 'PREROUTING' ? () => IP('172.17.0.4') : undefined));
    host.rootNs.netfilter = nf.hooks;
    const seam: Ipv4DeviceSeam = {
      routeLookup: dst => (dst === IP('172.17.0.4') ? { dev: br, gateway: undefined } : undefined),
      neighbourMac: (_dev, ip) => (ip === IP('172.17.0.4') ? mac(3) : undefined),
    };
    host.rootNs.ext.set(IPV4_EXT_KEY, seam);
    send(c3.eth0, testFrame(mac(3), MAC_BROADCAST));
    settle(world);
    const got: { ns: string; dst: Mac }[] = [];
    for (const c of [c1, c2, c3]) c.ns.protocols.set(0x0800, skb => got.push({ ns: c.ns.name, dst: skb.frame.dst }));
    send(c1.eth0, ipFrame(mac(1), BR_MAC, '10.0.0.1')); // to the host's "published port"
    settle(world);
    expect(got).toEqual([{ ns: 'c3', dst: mac(3) }]);
    expect(nf.calls.map(c => c.split(' ')[0])).toEqual(['PREROUTING', 'FORWARD', 'POSTROUTING']);
  });

  it('DNAT to a destination elsewhere sends the frame up with the bridge MAC', () => {
    const { world, host, containers } = bridgeTopology(2);
    const nf = stubNetfilter(ctx => (ctx.hook === 'PREROUTING' ? () => IP('10.9.9.9') : undefined));
    host.rootNs.netfilter = nf.hooks;
    const up: { dev: string; dst: Mac; pktType: string }[] = [];
    host.rootNs.protocols.set(0x0800, (skb, dev) => up.push({ dev: dev.name, dst: skb.frame.dst, pktType: skb.pktType }));
    send(containers[0]!.eth0, ipFrame(mac(1), mac(2), '172.17.0.3'));
    settle(world);
    expect(up).toEqual([{ dev: 'br0', dst: BR_MAC, pktType: 'host' }]);
  });
});
