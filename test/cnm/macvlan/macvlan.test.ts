// The macvlan driver through the controller on a host cabled to the underlay: option errors
// verbatim (facts 13), parents it makes and removes (VLAN sub-interfaces, dm-<id> dummies),
// containers on the physical segment with 02:42 MACs and the segment's router as gateway, and
// Linux macvlan semantics (siblings talk, the parent's own stack does not reach them).
import { describe, expect, it } from 'vitest';
import { formatRoute, iptablesOf, ipv4Of, linkAdd, linkSetUp, runIptablesSave, type Host, type NetNamespace } from '../../../src/kernel/index.js';
import { formatMac, mustParseCidr } from '../../../src/packet/index.js';
import { Controller, type Network, type NetworkCreateOptions, type Result } from '../../../src/cnm/index.js';
import { MacvlanDriver, macvlanDriverFactory } from '../../../src/cnm/drivers/macvlan/index.js';
import { embeddedResolverFactory } from '../../../src/cnm/dns/index.js';
import { World } from '../../../src/kernel/index.js';
import { exec, machine, must, type Container } from '../dns/support.js';

interface MvLab {
  readonly world: World;
  readonly host: Host;
  readonly router: Host;
  readonly outsider: Host;
  readonly controller: Controller;
}

function lab(): MvLab {
  const world = new World({ seed: 5 });
  const host = machine(world, 'vm', '192.0.2.2/24', '192.0.2.1');
  const router = machine(world, 'router', '192.0.2.1/24');
  const outsider = machine(world, 'outsider', '192.0.2.99/24');
  const controller = new Controller(host, { resolverFactory: embeddedResolverFactory() });
  controller.registerDriver('macvlan', macvlanDriverFactory);
  return { world, host, router, outsider, controller };
}

/** `docker network create -d macvlan -o ...`: the segment's subnet, or a fresh one with `other`. */
function create(l: MvLab, name: string, options: Record<string, string>, extra: NetworkCreateOptions & { other?: boolean } = {}): Result<Network> {
  const { other, ...rest } = extra;
  const ipam = other === true ? { subnet: `10.${20 + l.controller.networks().length}.0.0/24` } : { subnet: '192.0.2.0/24', ipRange: '192.0.2.128/25', gateway: '192.0.2.1' };
  return l.controller.newNetwork('macvlan', name, { ipamConfig: [ipam], options: new Map(Object.entries(options)), ...rest });
}

function errorOf<T>(r: Result<T>): string {
  if (r.ok) throw new Error('expected a failure');
  return r.error.message;
}

function driverOf(l: MvLab): MacvlanDriver {
  const d = l.controller.driver('macvlan');
  if (!d.ok || !(d.value instanceof MacvlanDriver)) throw new Error('no macvlan driver');
  return d.value;
}

const runs = new WeakMap<MvLab, number>();

function run(l: MvLab, n: Network, name: string): Container {
  const count = (runs.get(l) ?? 0) + 1;
  runs.set(l, count);
  const id = `${count.toString(16).padStart(2, '0')}${'ab'.repeat(31)}`;
  const sb = must(l.controller.newSandbox(id, { label: name, hostname: id.slice(0, 12) }));
  const ep = must(n.createEndpoint(name, { aliases: [id.slice(0, 12)] }));
  must(ep.join(sb));
  return { name, id, sb, ep, ns: sb.ns };
}

function ping(ns: NetNamespace, target: string, files: { resolvConf?: string } = {}): number {
  return exec(ns, ['ping', '-c', '1', '-W', '1', target], files).code;
}

function links(ns: NetNamespace): string[] {
  return [...ns.devices.keys()].sort();
}

describe('options and their errors (libnetwork macvlan_network.go, verbatim)', () => {
  it('refuses an unknown mode and the loopback parent', () => {
    const l = lab();
    expect(errorOf(create(l, 'm', { parent: 'eth0', macvlan_mode: 'bogus' }))).toBe("requested macvlan mode 'bogus' is not valid, 'bridge' mode is the macvlan driver default");
    expect(errorOf(create(l, 'm', { parent: 'lo' }))).toBe('loopback interface is not a valid macvlan parent link');
  });

  it('allows one network per parent, naming the other network dm-<its id>', () => {
    const l = lab();
    const first = must(create(l, 'm1', { parent: 'eth0' }));
    expect(errorOf(create(l, 'm2', { parent: 'eth0' }, { other: true }))).toBe(`network dm-${first.id.slice(0, 12)} is already using parent interface eth0`);
  });

  it('checks a missing parent as a VLAN sub-interface name', () => {
    const l = lab();
    expect(errorOf(create(l, 'm', { parent: 'eth7' }))).toBe('invalid subinterface vlan name eth7, example formatting is eth0.10');
    expect(errorOf(create(l, 'm', { parent: 'eth9.10' }))).toBe('-o parent interface does was not found on the host: eth9');
    expect(errorOf(create(l, 'm', { parent: 'eth0.5000' }))).toBe('vlan id must be between 1-4094, received: 5000');
    expect(errorOf(create(l, 'm', { parent: 'eth0.0' }))).toBe('vlan id must be between 1-4094, received: 0');
    expect(errorOf(create(l, 'm', { parent: 'eth0.x' }))).toBe('unable to parse a valid vlan id from: x (ex. eth0.10 for vlan 10)');
    expect(errorOf(create(l, 'm', { parent: 'eth0.1.2' }))).toBe('required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received eth0.1.2');
    // Nothing was left behind by the failures.
    expect(links(l.host.rootNs)).toEqual(['eth0', 'lo']);
    expect(l.controller.networks().filter(n => n.type === 'macvlan')).toEqual([]);
  });

  it('has local data scope and global connectivity scope', () => {
    expect(driverOf(lab()).capability).toEqual({ dataScope: 'local', connectivityScope: 'global' });
  });
});

describe('parents the driver makes', () => {
  it('creates eth0.10 as an 802.1Q link on eth0, up, and removes it with the network', () => {
    const l = lab();
    const n = must(create(l, 'vlan10', { parent: 'eth0.10' }));
    const vlan = l.host.rootNs.device('eth0.10');
    expect(vlan?.kind).toBe('vlan');
    expect(vlan?.adminUp).toBe(true);
    expect(driverOf(l).networkConfig(n.id)).toMatchObject({ parent: 'eth0.10', mode: 'bridge', createdSlaveLink: true, internal: false });
    must(n.delete());
    expect(l.host.rootNs.device('eth0.10')).toBeUndefined();
  });

  it('leaves a sub-interface it did not create', () => {
    const l = lab();
    expect(linkAdd(l.host.rootNs, { type: 'vlan', name: 'eth0.20', link: 'eth0', id: 20 }).ok).toBe(true);
    const n = must(create(l, 'vlan20', { parent: 'eth0.20' }));
    expect(driverOf(l).networkConfig(n.id)?.createdSlaveLink).toBe(false);
    must(n.delete());
    expect(l.host.rootNs.device('eth0.20')).toBeDefined();
  });

  it('uses a dm-<id12> dummy without -o parent, or with --internal, and deletes it', () => {
    const l = lab();
    const plain = must(create(l, 'isolated', {}));
    const dm = `dm-${plain.id.slice(0, 12)}`;
    expect(l.host.rootNs.device(dm)?.kind).toBe('dummy');
    expect(driverOf(l).networkConfig(plain.id)).toMatchObject({ parent: dm, internal: true, createdSlaveLink: true });
    const internal = must(create(l, 'internal', { parent: 'eth0' }, { internal: true, other: true }));
    expect(driverOf(l).networkConfig(internal.id)?.parent).toBe(`dm-${internal.id.slice(0, 12)}`);
    must(plain.delete());
    must(internal.delete());
    expect(links(l.host.rootNs)).toEqual(['eth0', 'lo']);
  });
});

describe('containers on the segment', () => {
  it('moves a macvlan child in as eth0 with MAC 02:42+IPv4 and the router as default gateway', () => {
    const l = lab();
    const n = must(create(l, 'mv', { parent: 'eth0' }));
    const c1 = run(l, n, 'c1');
    const eth0 = c1.ns.device('eth0')!;
    expect(eth0.kind).toBe('macvlan');
    expect(formatMac(eth0.mac)).toBe('02:42:c0:00:02:80');
    const routes = (ipv4Of(c1.ns).fib.tables.get(254)?.all() ?? []).map(r => formatRoute(r)).sort();
    expect(routes).toEqual(['192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.128', 'default via 192.0.2.1 dev eth0']);
    // The child was created in the host namespace under a veth name and moved: nothing is left.
    expect(links(l.host.rootNs)).toEqual(['eth0', 'lo']);
  });

  it('lets siblings talk and reaches other machines, but not the parent host (bridge mode)', () => {
    const l = lab();
    const n = must(create(l, 'mv', { parent: 'eth0' }));
    const c1 = run(l, n, 'c1');
    const c2 = run(l, n, 'c2');
    expect(ping(c1.ns, '192.0.2.129')).toBe(0);
    expect(ping(c2.ns, '192.0.2.128')).toBe(0);
    expect(ping(c1.ns, '192.0.2.99')).toBe(0);
    expect(ping(l.outsider.rootNs, '192.0.2.129')).toBe(0);
    expect(ping(l.host.rootNs, '192.0.2.128')).toBe(1);
    expect(ping(c1.ns, '192.0.2.2')).toBe(1);
  });

  it('keeps children apart in private mode', () => {
    const l = lab();
    const n = must(create(l, 'mv', { parent: 'eth0', macvlan_mode: 'private' }));
    const c1 = run(l, n, 'c1');
    run(l, n, 'c2');
    expect(ping(c1.ns, '192.0.2.129')).toBe(1);
    expect(ping(c1.ns, '192.0.2.99')).toBe(0);
  });

  it('answers container names through the embedded DNS', () => {
    const l = lab();
    const n = must(create(l, 'mv', { parent: 'eth0' }));
    const c1 = run(l, n, 'c1');
    run(l, n, 'c2');
    expect(ping(c1.ns, 'c2', { resolvConf: c1.sb.resolvConf() })).toBe(0);
  });

  it('talks over a VLAN parent to a machine on the same VLAN', () => {
    const l = lab();
    const n = must(l.controller.newNetwork('macvlan', 'v10', { ipamConfig: [{ subnet: '10.10.0.0/24', gateway: '10.10.0.1' }], options: new Map([['parent', 'eth0.10']]) }));
    const out = l.outsider.rootNs;
    const vlan = linkAdd(out, { type: 'vlan', name: 'eth0.10', link: 'eth0', id: 10 });
    if (!vlan.ok) throw new Error(vlan.error);
    expect(ipv4Of(out).addrAdd(vlan.value, mustParseCidr('10.10.0.50/24'), {}).ok).toBe(true);
    expect(linkSetUp(out, vlan.value).ok).toBe(true);
    const c = run(l, n, 'c');
    expect(ping(c.ns, '10.10.0.50')).toBe(0);
  });

  it('installs no iptables rules on the host, and removes the child with the container', () => {
    const l = lab();
    const n = must(create(l, 'mv', { parent: 'eth0' }));
    const c1 = run(l, n, 'c1');
    expect(runIptablesSave(iptablesOf(l.host.rootNs), []).stdout).toBe('');
    must(c1.sb.delete());
    expect(links(l.host.rootNs)).toEqual(['eth0', 'lo']);
    must(n.delete());
  });
});
