// macvlan: bridge-mode siblings talk through the lower device, the parent cannot reach its
// children, frames from the wire are dispatched by MAC, broadcasts copied to every child, VEPA
// and private modes need the switch, children keep working after moving to other namespaces.
import { describe, expect, it } from 'vitest';
import { linkAdd, linkSetMaster, linkSetNs, type MacvlanDevice, type MacvlanMode, type PhysicalDevice } from '../../../src/kernel/devices/index.js';
import { connectHost, switchPortOf, underlay } from '../../../src/kernel/underlay/index.js';
import { MAC_BROADCAST } from '../../../src/packet/index.js';
import { add, capture, drops, mac, must, newHost, newWorld, send, settle, testFrame, up } from '../../support/topology.js';

/** host1's eth0 on a switch with a second machine `peer`; two macvlans in two containers. */
function lab(mode: MacvlanMode) {
  const world = newWorld();
  const host = newHost(world, 'host1');
  const other = newHost(world, 'peer');
  const sw = underlay(world).addSwitch('sw1');
  const eth0 = connectHost(sw, host, 'eth0', { mac: mac(100), up: true });
  const peerNic = connectHost(sw, other, 'eth0', { mac: mac(200), up: true });
  const root = host.rootNs;
  const c1 = host.addAnonymousNamespace('c1');
  const c2 = host.addAnonymousNamespace('c2');
  const m1 = add(root, { type: 'macvlan', name: 'mv1', link: 'eth0', mode, mac: mac(1) }) as MacvlanDevice;
  const m2 = add(root, { type: 'macvlan', name: 'mv2', link: 'eth0', mode, mac: mac(2) }) as MacvlanDevice;
  must(linkSetNs(m1, c1));
  must(linkSetNs(m2, c2));
  up(m1, m2);
  return { world, host, root, eth0, peerNic, other, c1, c2, m1, m2 };
}

describe('macvlan', () => {
  it('defaults to VEPA mode, as the kernel does', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    add(host.rootNs, { type: 'dummy', name: 'd0' });
    const r = linkAdd(host.rootNs, { type: 'macvlan', name: 'mv0', link: 'd0' });
    expect(r.ok && (r.value as MacvlanDevice).mode).toBe('vepa');
  });

  it('bridge mode: siblings in different namespaces talk directly, nothing reaches the wire', () => {
    const { world, c2, m1, other } = lab('bridge');
    const log = capture(c2, other.rootNs);
    send(m1, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log.map(d => `${d.ns}/${d.dev}:${d.pktType}`)).toEqual(['c2/mv2:host']);
  });

  it('bridge mode: a broadcast goes to the siblings and out the lower device, not to the lower stack', () => {
    const { world, root, c2, m1, other } = lab('bridge');
    const local = capture(root, c2);
    const wire = capture(other.rootNs);
    send(m1, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(local.map(d => `${d.ns}/${d.dev}`)).toEqual(['c2/mv2']);
    expect(wire.map(d => d.frame.src)).toEqual([mac(1)]);
  });

  it('the lower device never receives its children frames: a child to the parent MAC is dropped', () => {
    const { world, root, m1, eth0 } = lab('bridge');
    const log = capture(root);
    send(m1, testFrame(mac(1), eth0.mac));
    settle(world);
    expect(log).toHaveLength(0);
    expect(drops(world)).toEqual(['macvlan-isolation@mv1']);
  });

  it('the parent cannot reach a child: its frame goes to the wire and the switch will not reflect it', () => {
    const { world, root, c1, eth0 } = lab('bridge');
    const log = capture(c1);
    send(c1.device('mv1')!, testFrame(mac(1), MAC_BROADCAST)); // the switch learns mac(1) on host1's port
    settle(world);
    send(eth0, testFrame(mac(100), mac(1)));
    settle(world);
    expect(log).toHaveLength(0);
    expect(drops(world)).toContain('hairpin-off@port1');
    expect(root.drops.size).toBe(0);
  });

  it('dispatches frames from the wire by destination MAC; unknown MACs stay on the lower device', () => {
    const { world, root, c1, c2, peerNic } = lab('bridge');
    const log = capture(root, c1, c2);
    send(peerNic, testFrame(mac(200), mac(2)));
    send(peerNic, testFrame(mac(200), mac(100)));
    settle(world);
    expect(log.map(d => `${d.ns}/${d.dev}:${d.pktType}`)).toEqual(['c2/mv2:host', 'root/eth0:host']);
  });

  it('copies a broadcast from the wire to every child and to the lower stack', () => {
    const { world, root, c1, c2, peerNic } = lab('private');
    const log = capture(root, c1, c2);
    send(peerNic, testFrame(mac(200), MAC_BROADCAST));
    settle(world);
    expect(log.map(d => `${d.ns}/${d.dev}`).sort()).toEqual(['c1/mv1', 'c2/mv2', 'root/eth0']);
  });

  it('VEPA: siblings reach each other only when the switch port reflects (hairpin)', () => {
    const { world, c2, m1, eth0 } = lab('vepa');
    const log = capture(c2);
    send(c2.device('mv2')!, testFrame(mac(2), MAC_BROADCAST)); // switch learns mac(2) on host1's port
    settle(world);
    send(m1, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log).toHaveLength(0);
    const port = switchPortOf(eth0 as PhysicalDevice)!;
    port.hairpin = true;
    send(m1, testFrame(mac(1), mac(2)));
    settle(world);
    expect(log.map(d => d.dev)).toEqual(['mv2']);
  });

  it('private: a reflected broadcast from a sibling is not delivered to the others', () => {
    const { world, c1, c2, m1, eth0 } = lab('private');
    const port = switchPortOf(eth0 as PhysicalDevice)!;
    port.hairpin = true;
    const log = capture(c1, c2);
    send(m1, testFrame(mac(1), MAC_BROADCAST));
    settle(world);
    expect(log.map(d => d.ns)).toEqual(['c1']); // only back to its source
  });

  it('refuses a lower device that is a bridge port, and a second passthru', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    add(root, { type: 'dummy', name: 'd0' });
    add(root, { type: 'macvlan', name: 'pt', link: 'd0', mode: 'passthru' });
    expect(linkAdd(root, { type: 'macvlan', name: 'pt2', link: 'd0', mode: 'bridge' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: Invalid argument' });
    add(root, { type: 'bridge', name: 'br0' });
    add(root, { type: 'dummy', name: 'd1' });
    must(linkSetMaster(root, 'd1', 'br0'));
    expect(linkAdd(root, { type: 'macvlan', name: 'mv', link: 'd1' })).toMatchObject({ ok: false, error: 'RTNETLINK answers: Device or resource busy' });
  });
});
