// 802.1Q sub-interfaces: tags pushed on transmit, demultiplexed by VID on receive, VIDs isolate,
// unknown VIDs dropped as vlan-mismatch, VLANs follow their real device up and down.
import { describe, expect, it } from 'vitest';
import type { NetNamespace } from '../../../src/kernel/index.js';
import { linkAdd, linkDel, linkSetDown, linkSetName, linkSetNs, linkSetUp, type VethDevice, type VlanDevice } from '../../../src/kernel/devices/index.js';
import { MAC_BROADCAST } from '../../../src/packet/index.js';
import { add, capture, drops, mac, must, newHost, newWorld, send, settle, testFrame, up } from '../../support/topology.js';

/** Two namespaces joined by a veth "trunk", with VLANs 10 and 20 on each side. */
function trunk() {
  const world = newWorld();
  const host = newHost(world, 'h');
  const left = host.addNamedNamespace('left')!;
  const right = host.addNamedNamespace('right')!;
  const a = add(left, { type: 'veth', name: 'eth0', peer: 'tmp', mac: mac(1), peerMac: mac(2) }) as VethDevice;
  must(linkSetNs(a.peer, right));
  must(linkSetName(right, a.peer, 'eth0'));
  const b = a.peer;
  const l10 = add(left, { type: 'vlan', name: 'eth0.10', link: 'eth0', id: 10 }) as VlanDevice;
  const l20 = add(left, { type: 'vlan', name: 'eth0.20', link: 'eth0', id: 20 }) as VlanDevice;
  const r10 = add(right, { type: 'vlan', name: 'eth0.10', link: 'eth0', id: 10 }) as VlanDevice;
  const r20 = add(right, { type: 'vlan', name: 'eth0.20', link: 'eth0', id: 20 }) as VlanDevice;
  up(a, b);
  return { world, host, left, right, a, b, l10, l20, r10, r20 };
}

describe('vlan', () => {
  it('inherits the parent MAC and MTU and starts up with its parent', () => {
    const { l10, a } = trunk();
    expect(l10.mac).toBe(a.mac);
    expect(l10.mtu).toBe(a.mtu);
    expect(l10.adminUp).toBe(true); // NETDEV_UP on eth0 brought its VLANs up
    expect(l10.operUp).toBe(true);
  });

  it('tags on transmit and delivers untagged to the VLAN with the same VID only', () => {
    const { world, right, l10 } = trunk();
    const log = capture(right);
    const parentTaps: number[][] = [];
    right.device('eth0')!.taps.add((_dev, skb, dir) => dir === 'rx' && parentTaps.push(skb.frame.vlans.map(t => t.vid)));
    send(l10, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(parentTaps).toEqual([[10]]); // a capture on the parent shows the tag
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'eth0.10', pktType: 'broadcast' });
    expect(log[0]!.frame.vlans).toEqual([]);
  });

  it('isolates VIDs: a frame on VLAN 20 never reaches VLAN 10', () => {
    const { world, right, l20 } = trunk();
    const log = capture(right);
    send(l20, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(log.map(d => d.dev)).toEqual(['eth0.20']);
  });

  it('drops a VID with no VLAN device as vlan-mismatch, and untagged frames stay on the parent', () => {
    const { world, right, a } = trunk();
    const log = capture(right);
    send(a, testFrame(mac(1), MAC_BROADCAST, { vid: 30 }));
    send(a, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(drops(world)).toEqual(['vlan-mismatch@eth0']);
    expect(log.map(d => d.dev)).toEqual(['eth0']);
  });

  it('makes a frame to the VLAN device own MAC HOST even when the parent said OTHERHOST', () => {
    const { world, right, l10, r10 } = trunk();
    r10.mac = mac(42);
    const log = capture(right);
    send(l10, testFrame(mac(1), mac(42)));
    settle(world);
    expect(log[0]).toMatchObject({ dev: 'eth0.10', pktType: 'host' });
  });

  it('goes down with its parent, refuses to come up while the parent is down, and is deleted with it', () => {
    const { left, a, l10 } = trunk();
    must(linkSetDown(left, a));
    expect(l10.adminUp).toBe(false);
    const res = linkSetUp(left, l10);
    expect(res).toMatchObject({ ok: false, error: 'RTNETLINK answers: Network is down', exitCode: 2 });
    must(linkDel(left, 'eth0'));
    expect(left.device('eth0.10')).toBeUndefined();
    expect(left.device('eth0.20')).toBeUndefined();
  });

  it('rejects a second device for the same VID and out-of-range ids', () => {
    const { left } = trunk();
    const r1 = tryAdd(left, 10, 'x10');
    expect(r1).toMatchObject({ ok: false, error: 'Error: 8021q: VLAN device already exists.', exitCode: 2 });
    const r2 = tryAdd(left, 4095, 'x4095');
    expect(r2).toMatchObject({ ok: false, error: 'Error: 8021q: Invalid VLAN id.', exitCode: 2 });
  });
});

function tryAdd(ns: NetNamespace, id: number, name: string) {
  return linkAdd(ns, { type: 'vlan', name, link: 'eth0', id });
}
