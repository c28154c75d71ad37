// The iproute2-style link API: error texts and exit codes as values, and the cascades (a veth
// end takes its peer, a bridge releases its ports, namespace moves and namespace deletion).
import { describe, expect, it } from 'vitest';
import type { NetdevEvent } from '../../../src/kernel/index.js';
import {
  BridgeDevice,
  IPV4_EXT_KEY,
  bridgeLinkSet,
  bridgeLinks,
  bridgeSet,
  createPhysical,
  fdbAdd,
  fdbDel,
  fdbShow,
  linkAdd,
  linkDel,
  linkSetAddress,
  linkSetMaster,
  linkSetMtu,
  linkSetName,
  linkSetNs,
  linkSetUp,
  type VethDevice,
} from '../../../src/kernel/devices/index.js';
import { SECOND } from '../../../src/engine/index.js';
import { World } from '../../../src/kernel/index.js';
import { MAC_BROADCAST } from '../../../src/packet/index.js';
import { add, bridgeTopology, capture, mac, must, newHost, newWorld, send, settle, testFrame, up } from '../../support/topology.js';

function host() {
  const world = newWorld();
  const h = newHost(world, 'h');
  return { world, h, root: h.rootNs };
}

describe('link errors', () => {
  it('prints iproute2 texts with its exit codes', () => {
    const { root } = host();
    add(root, { type: 'dummy', name: 'd0' });
    add(root, { type: 'veth', name: 'v0', peer: 'v1' });
    expect(linkAdd(root, { type: 'dummy', name: 'd0' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists', exitCode: 2 });
    expect(linkDel(root, 'nope')).toMatchObject({ ok: false, error: 'Cannot find device "nope"', exitCode: 1 });
    expect(linkSetMaster(root, 'd0', 'br9')).toMatchObject({ ok: false, error: 'Error: argument "br9" is wrong: Device does not exist', exitCode: 1 });
    expect(linkSetMaster(root, 'd0', 'lo')).toMatchObject({ ok: false, error: 'RTNETLINK answers: Operation not supported' });
    expect(linkAdd(root, { type: 'vlan', name: 'x.10', link: 'eth9', id: 10 })).toMatchObject({ ok: false, error: 'Cannot find device "eth9"', exitCode: 1 });
    expect(linkAdd(root, { type: 'dummy', name: 'a-name-that-is-too-long' })).toMatchObject({
      ok: false,
      error: 'Error: argument "a-name-that-is-too-long" is wrong: "name" not a valid ifname',
      exitCode: 1,
    });
    expect(linkDel(root, 'lo')).toMatchObject({ ok: false, error: 'RTNETLINK answers: Operation not supported', exitCode: 2 });
    expect(linkSetMtu(root, 'v0', 10)).toMatchObject({ ok: false, error: 'Error: mtu less than device minimum.' });
    expect(linkSetAddress(root, 'd0', 0x0100_5e00_0001)).toMatchObject({ ok: false, error: 'RTNETLINK answers: Cannot assign requested address' });
  });

  it('refuses to enslave a bridge to a bridge; renames an up device (Linux 6.2 and later)', () => {
    const { root } = host();
    add(root, { type: 'bridge', name: 'br0' });
    add(root, { type: 'bridge', name: 'br1' });
    expect(linkSetMaster(root, 'br1', 'br0')).toMatchObject({ ok: false, error: 'Error: Can not enslave a bridge to a bridge.' });
    const d = add(root, { type: 'dummy', name: 'd0' });
    up(d);
    expect(linkSetName(root, 'd0', 'd1')).toEqual({ ok: true });
    expect(root.device('d1')).toBe(d);
    expect(root.device('d0')).toBeUndefined();
    expect(d.adminUp).toBe(true);
    expect(root.sysctl.get('net.ipv4.conf.d1.forwarding').ok).toBe(true);
    expect(root.sysctl.get('net.ipv4.conf.d0.forwarding').ok).toBe(false);
    add(root, { type: 'dummy', name: 'd2' });
    expect(linkSetName(root, 'd1', 'd2')).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists' });
  });

  it('lo and bridges cannot change namespace; a taken name in the target is EEXIST', () => {
    const { h, root } = host();
    const ns = h.addNamedNamespace('blue')!;
    const br = add(root, { type: 'bridge', name: 'br0' });
    expect(linkSetNs(root.device('lo')!, ns)).toMatchObject({ ok: false, error: 'RTNETLINK answers: Invalid argument', exitCode: 2 });
    expect(linkSetNs(br, ns)).toMatchObject({ ok: false, error: 'RTNETLINK answers: Invalid argument' });
    add(ns, { type: 'dummy', name: 'd0' });
    const d = add(root, { type: 'dummy', name: 'd0' });
    expect(linkSetNs(d, ns)).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists' });
  });
});

describe('link cascades', () => {
  it('deleting one veth end deletes its peer in the other namespace', () => {
    const { h, root } = host();
    const ns = h.addAnonymousNamespace('c1');
    const v = add(root, { type: 'veth', name: 'veth0', peer: 'eth0', peerNs: ns }) as VethDevice;
    expect(ns.device('eth0')).toBe(v.peer);
    must(linkDel(ns, 'eth0'));
    expect(root.device('veth0')).toBeUndefined();
    expect(ns.device('eth0')).toBeUndefined();
  });

  it('deleting a bridge releases its ports', () => {
    const { host: h, br, containers } = bridgeTopology(2);
    must(linkDel(h.rootNs, br));
    for (const c of containers) {
      expect(c.hostVeth.master).toBeUndefined();
      expect(c.hostVeth.rxHandler).toBeUndefined();
    }
  });

  it('moving a device takes it down, releases it from its bridge, keeps its ifindex and tells IPv4', () => {
    const { h, root } = host();
    const ns = h.addAnonymousNamespace('c1');
    const removed: string[] = [];
    root.ext.set(IPV4_EXT_KEY, { onDeviceRemoved: (dev: { name: string }) => removed.push(dev.name) });
    const events: NetdevEvent[] = [];
    root.onNetdevEvent(e => events.push(e));
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const v = add(root, { type: 'veth', name: 'v0', peer: 'v1' }) as VethDevice;
    must(linkSetMaster(root, v, br));
    up(v);
    const index = v.ifindex;
    must(linkSetNs(v, ns));
    expect(v.adminUp).toBe(false);
    expect(v.master).toBeUndefined();
    expect(br.ports()).toHaveLength(0);
    expect(v.ifindex).toBe(index);
    expect(ns.device('v0')).toBe(v);
    expect(removed).toEqual(['v0']);
    expect(events.indexOf('down')).toBeLessThan(events.lastIndexOf('unregister'));
    expect(events.at(-1)).toBe('unregister');
    expect(root.sysctl.has('net.ipv4.conf.v0.forwarding')).toBe(false);
    expect(ns.sysctl.has('net.ipv4.conf.v0.forwarding')).toBe(true);
  });

  it('a deleted namespace takes its virtual devices (and veth peers) and returns NICs to the root', () => {
    const { h, root } = host();
    const ns = h.addNamedNamespace('blue')!;
    add(root, { type: 'veth', name: 'v0', peer: 'v1', peerNs: ns });
    const nic = createPhysical(root, 'eth1');
    must(linkSetNs(nic, ns));
    h.deleteNamedNamespace('blue');
    expect(root.device('v0')).toBeUndefined();
    expect(root.device('eth1')).toBe(nic);
    expect(ns.devices.size).toBe(0);
  });

  it('MTU changes shrink VLAN children and follow into the bridge', () => {
    const { root } = host();
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const d = add(root, { type: 'dummy', name: 'd0' });
    const vl = add(root, { type: 'vlan', name: 'd0.5', link: 'd0', id: 5 });
    must(linkSetMaster(root, 'd0.5', br));
    must(linkSetMtu(root, d, 1400));
    expect(vl.mtu).toBe(1400);
    expect(br.mtu).toBe(1400);
    expect(linkSetMtu(root, vl, 1500)).toMatchObject({ ok: false, error: 'RTNETLINK answers: Numerical result out of range' });
  });

  it('changing a port MAC moves its local FDB entry and may change the bridge MAC', () => {
    const { root } = host();
    const br = add(root, { type: 'bridge', name: 'br0' }) as BridgeDevice;
    const d = add(root, { type: 'dummy', name: 'd0', mac: mac(9) });
    must(linkSetMaster(root, d, br));
    must(linkSetAddress(root, d, mac(3)));
    expect(br.mac).toBe(mac(3));
    expect(br.fdb.peek(mac(9))).toBeUndefined();
    expect(br.fdb.peek(mac(3))?.state).toBe('local');
  });
});

describe('bridge fdb', () => {
  it('shows entries per device in index order, with permanent, static and learned states', () => {
    const { world, host: h, br, containers } = bridgeTopology(1);
    const root = h.rootNs;
    must(fdbAdd(root, { mac: mac(50), dev: 'veth1', target: 'master', state: 'static' }));
    expect(fdbAdd(root, { mac: mac(50), dev: 'veth1', target: 'master' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: File exists' });
    const rows = fdbShow(root).map(r => `${r.mac.toString(16)} dev ${r.dev} master ${r.master ?? ''} ${r.state ?? ''}`.trim());
    expect(rows).toEqual([
      `${br.mac.toString(16)} dev br0 master br0 permanent`,
      `${mac(50).toString(16)} dev veth1 master br0 static`,
      `${containers[0]!.hostVeth.mac.toString(16)} dev veth1 master br0 permanent`,
    ]);
    must(fdbDel(root, { mac: mac(50), dev: 'veth1', target: 'master' }));
    expect(fdbDel(root, { mac: mac(50), dev: 'veth1', target: 'master' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: No such file or directory' });
    expect(world.engine.now).toBe(0);
  });

  it('`self` on a plain device is not supported', () => {
    const { root } = host();
    add(root, { type: 'dummy', name: 'd0' });
    expect(fdbAdd(root, { mac: mac(1), dev: 'd0', target: 'self', state: 'permanent' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: Operation not supported' });
    expect(linkSetUp(root, 'd0').ok).toBe(true);
  });

  it('bridge link set changes port flags; turning learning off forgets what the port learned', () => {
    const { world, host: h, br, containers } = bridgeTopology(2);
    const root = h.rootNs;
    send(containers[0]!.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(bridgeLinks(root).map(p => p.dev.name)).toEqual(['veth1', 'veth2']);
    must(bridgeLinkSet(root, 'veth1', { hairpin: true, learning: false }));
    expect(br.port(containers[0]!.hostVeth)).toMatchObject({ hairpin: true, learning: false });
    expect(br.fdb.lookup(mac(1), world.engine.now)).toBeUndefined();
    expect(bridgeLinkSet(root, 'br0', { hairpin: true })).toMatchObject({ ok: false, error: 'RTNETLINK answers: Operation not supported' });
    must(bridgeSet(root, 'br0', { ageingTime: 10 * SECOND }));
    expect(br.ageingTime).toBe(10 * SECOND);
    expect(bridgeSet(root, 'br0', { stpState: 1 }).ok).toBe(false);
  });
});

describe('namespace teardown', () => {
  it('a container namespace going away deletes its veth and releases the host side from the bridge', () => {
    const { host: h, br, containers } = bridgeTopology(2);
    h.deleteAnonymousNamespace('c1');
    expect(h.rootNs.device('veth1')).toBeUndefined();
    expect(br.ports().map(p => p.dev.name)).toEqual(['veth2']);
    expect(containers[0]!.ns.devices.size).toBe(0);
  });

  it('works with tracing off and records nothing', () => {
    const world = new World({ trace: false });
    const { containers } = bridgeTopology(2, { world });
    const log = capture(containers[1]!.ns);
    send(containers[0]!.eth0, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(log).toHaveLength(1);
    expect(world.trace.records).toHaveLength(0);
  });
});
