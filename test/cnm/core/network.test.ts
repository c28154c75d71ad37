// Network life cycle through the controller (libnetwork controller.go NewNetwork, network.go
// delete), with the real default IPAM and a recording fake driver: pools, gateways, aux
// addresses, Docker's error texts, and that every failure gives back what IPAM handed out.
import { describe, expect, it } from 'vitest';
import { formatCidr, formatIpv4, mustParseIpv4 } from '../../../src/packet/index.js';
import { dockerTime } from '../../../src/cnm/index.js';
import { daemon, failure, must } from './support.js';

const cfg = (subnet: string, extra: { ipRange?: string; gateway?: string; aux?: [string, string][] } = {}) => ({
  ipamConfig: [
    {
      subnet,
      ...(extra.ipRange === undefined ? {} : { ipRange: extra.ipRange }),
      ...(extra.gateway === undefined ? {} : { gateway: extra.gateway }),
      ...(extra.aux === undefined ? {} : { auxAddresses: new Map(extra.aux) }),
    },
  ],
});

describe('Controller.newNetwork', () => {
  it('takes the next default pool and its first address as gateway', () => {
    const { controller, driver } = daemon();
    const n1 = must(controller.newNetwork('fake', 'n1'));
    const n2 = must(controller.newNetwork('fake', 'n2'));
    expect(n1.ipamV4Info.map(i => [formatCidr(i.pool), i.gateway && formatCidr(i.gateway), i.poolId])).toEqual([
      ['172.17.0.0/16', '172.17.0.1/16', 'LocalDefault/172.17.0.0/16'],
    ]);
    expect(formatCidr(n2.ipamV4Info[0]!.pool)).toBe('172.18.0.0/16');
    expect(n1.id).toMatch(/^[0-9a-f]{64}$/);
    expect(n1.scope).toBe('local');
    expect(n1.createdText()).toBe('2026-11-22T13:34:55Z');
    expect(driver.calls).toEqual(['createNetwork n1', 'createNetwork n2']);
    expect(controller.networks().map(n => n.name)).toEqual(['n1', 'n2']);
  });

  it('skips default pools that overlap the host nameservers or link routes', () => {
    const { controller } = daemon({ nameservers: ['172.17.0.53'] });
    const n = must(controller.newNetwork('fake', 'n1'));
    expect(formatCidr(n.ipamV4Info[0]!.pool)).toBe('172.18.0.0/16');
  });

  it('uses subnet, ip-range and gateway as given (capture 02: net57)', () => {
    const { controller } = daemon();
    const net57 = must(controller.newNetwork('fake', 'net57', cfg('192.168.57.0/24', { ipRange: '192.168.57.32/28', gateway: '192.168.57.11' })));
    const info = net57.ipamV4Info[0]!;
    expect(info.poolId).toBe('LocalDefault/192.168.57.0/24/192.168.57.32/28');
    expect(formatCidr(info.gateway!)).toBe('192.168.57.11/24');
    const a1 = must(net57.createEndpoint('a1'));
    const a2 = must(net57.createEndpoint('a2', { ip: mustParseIpv4('192.168.57.100') }));
    const a3 = must(net57.createEndpoint('a3'));
    expect([a1, a2, a3].map(e => formatCidr(e.address!))).toEqual(['192.168.57.32/24', '192.168.57.100/24', '192.168.57.33/24']);
  });

  it('reserves aux addresses so no endpoint gets them', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'aux', cfg('10.5.0.0/24', { aux: [['router', '10.5.0.2']] })));
    expect(formatCidr(n.ipamV4Info[0]!.auxAddresses.get('router')!)).toBe('10.5.0.2/24');
    expect(formatCidr(must(n.createEndpoint('e')).address!)).toBe('10.5.0.3/24');
  });

  it('refuses overlapping subnets and keeps nothing of the failed network', () => {
    const { controller, driver } = daemon();
    must(controller.newNetwork('fake', 'a', cfg('192.168.57.0/24')));
    const e = failure(controller.newNetwork('fake', 'b', cfg('192.168.57.128/25')));
    expect(e).toEqual({ kind: 'forbidden', message: 'Pool overlaps with other one on this address space' });
    expect(controller.networks().map(n => n.name)).toEqual(['a']);
    expect(driver.calls).toEqual(['createNetwork a']);
  });

  it('wraps gateway failures and releases the pool', () => {
    const { controller } = daemon();
    expect(failure(controller.newNetwork('fake', 'g', cfg('10.1.0.0/16', { gateway: '10.2.0.1' })))).toEqual({
      kind: 'system',
      message: 'failed to allocate gateway (10.2.0.1): Requested address is out of range',
    });
    expect(failure(controller.newNetwork('fake', 'g', cfg('10.1.0.0/16', { gateway: 'nonsense' })))).toEqual({
      kind: 'invalidParameter',
      message: 'invalid gateway address nonsense in Ipam configuration',
    });
    // The pool was given back: the same subnet is free.
    must(controller.newNetwork('fake', 'g', cfg('10.1.0.0/16')));
  });

  it('checks aux addresses against the master pool and undoes the gateway and pool', () => {
    const { controller } = daemon();
    expect(failure(controller.newNetwork('fake', 'x', cfg('192.168.57.0/24', { aux: [['a', '10.0.0.5']] })))).toEqual({
      kind: 'forbidden',
      message: 'auxiliary address: (a:10.0.0.5) must belong to the master pool: 192.168.57.0/24',
    });
    expect(failure(controller.newNetwork('fake', 'x', cfg('192.168.57.0/24', { aux: [['a', 'zz']] })))).toEqual({
      kind: 'invalidParameter',
      message: 'non parsable secondary ip address (a:zz) passed for network x',
    });
    const n = must(controller.newNetwork('fake', 'x', cfg('192.168.57.0/24')));
    expect(formatCidr(n.ipamV4Info[0]!.gateway!)).toBe('192.168.57.1/24');
  });

  it('releases every config entry when a later one fails', () => {
    const { controller } = daemon();
    const two = { ipamConfig: [{ subnet: '10.7.0.0/24' }, { subnet: '10.7.0.0/25' }] };
    expect(failure(controller.newNetwork('fake', 'two', two)).message).toBe('Pool overlaps with other one on this address space');
    must(controller.newNetwork('fake', 'one', { ipamConfig: [{ subnet: '10.7.0.0/24' }] }));
  });

  it('releases IPAM when the driver refuses the network', () => {
    const { controller, driver } = daemon();
    driver.failOn('createNetwork', 'cannot create network');
    expect(failure(controller.newNetwork('fake', 'n', cfg('10.9.0.0/16')))).toEqual({ kind: 'system', message: 'cannot create network' });
    driver.failures.clear();
    must(controller.newNetwork('fake', 'n', cfg('10.9.0.0/16')));
    const steps = controller.journal.of('create network n').map(r => `${r.step}: ${r.outcome}`);
    expect(steps).toEqual([
      'allocate IPv4 pool 0: applied',
      'driver createNetwork: failed',
      'allocate IPv4 pool 0: undone',
      'allocate IPv4 pool 0: applied',
      'driver createNetwork: applied',
      'register network: applied',
    ]);
  });

  it('answers Docker texts for bad names, drivers, ids and IPv6', () => {
    const { controller } = daemon();
    expect(failure(controller.newNetwork('fake', '  '))).toEqual({ kind: 'invalidParameter', message: 'invalid name:   ' });
    expect(failure(controller.newNetwork('overlay2', 'o'))).toEqual({ kind: 'notFound', message: 'plugin "overlay2" not found' });
    expect(failure(controller.newNetwork('fake', 'i', { ipamDriver: 'infoblox' }))).toEqual({ kind: 'notFound', message: 'plugin "infoblox" not found' });
    const n = must(controller.newNetwork('fake', 'n'));
    expect(failure(controller.newNetwork('fake', 'm', { id: n.id })).message).toBe(`network with name ${n.id} already exists`);
    expect(failure(controller.newNetwork('fake', 'v6', { enableIPv6: true })).kind).toBe('invalidParameter');
    expect(failure(controller.newNetwork('fake', 's', { scope: 'swarm' })).message).toBe('cannot create a swarm scoped network when swarm is not active');
    expect(failure(controller.newNetwork('fake', 'in', { ingress: true })).message).toBe('Ingress network can only be global scope network');
  });

  it('creates host and null networks without IPAM, once each', () => {
    const { controller } = daemon();
    const host = must(controller.newNetwork('host', 'host'));
    const none = must(controller.newNetwork('null', 'none'));
    expect(host.ipamV4Info).toEqual([]);
    expect(none.ipamV4Info).toEqual([]);
    expect(failure(controller.newNetwork('host', 'host2'))).toEqual({ kind: 'forbidden', message: 'only one instance of "host" network is allowed' });
    expect(failure(none.delete())).toEqual({ kind: 'forbidden', message: 'network of type "null" cannot be deleted' });
    expect(controller.networks().map(n => n.name)).toEqual(['host', 'none']);
    expect(controller.driverTypes()).toEqual(['fake', 'host', 'null']);
  });

  it('takes the created time from virtual time', () => {
    const { controller, world } = daemon();
    world.engine.runUntil(43_226_117_523);
    expect(must(controller.newNetwork('fake', 'late')).createdText()).toBe('2026-11-22T13:35:38.226117523Z');
    expect(dockerTime(1_000)).toBe('2026-11-22T13:34:55.000001Z');
  });
});

describe('Network.delete', () => {
  it('refuses while endpoints exist, then releases gateway and pool and calls the driver', () => {
    const { controller, driver } = daemon();
    const n = must(controller.newNetwork('fake', 'n1', cfg('10.3.0.0/24')));
    const ep = must(n.createEndpoint('e1'));
    expect(failure(n.delete())).toEqual({ kind: 'forbidden', message: `network n1 id ${n.id} has active endpoints` });
    must(ep.delete());
    must(n.delete());
    expect(controller.networks()).toEqual([]);
    expect(driver.calls.at(-1)).toBe('deleteNetwork n1');
    // Gateway and pool are free again: the same subnet gets the same gateway.
    const again = must(controller.newNetwork('fake', 'n1', cfg('10.3.0.0/24')));
    expect(formatIpv4(again.ipamV4Info[0]!.gateway!.address)).toBe('10.3.0.1');
  });

  it('takes IPAM back when the driver refuses the delete', () => {
    const { controller, driver } = daemon();
    const n = must(controller.newNetwork('fake', 'n1', cfg('10.3.0.0/24')));
    driver.failOn('deleteNetwork', 'bridge busy', 'forbidden');
    expect(failure(n.delete())).toEqual({ kind: 'forbidden', message: 'bridge busy' });
    expect(controller.networks()).toEqual([n]);
    expect(n.ipamV4Info).toHaveLength(1);
    expect(failure(controller.newNetwork('fake', 'clash', cfg('10.3.0.0/24'))).message).toBe('Pool overlaps with other one on this address space');
    expect(formatCidr(must(n.createEndpoint('e')).address!)).toBe('10.3.0.2/24');
  });
});

describe('Controller.findNetwork', () => {
  it('resolves a full id, then a name, then a unique id prefix', () => {
    const { controller } = daemon();
    const a = must(controller.newNetwork('fake', 'alpha'));
    const b = must(controller.newNetwork('fake', 'beta'));
    expect(must(controller.findNetwork(a.id))).toBe(a);
    expect(must(controller.findNetwork('beta'))).toBe(b);
    expect(must(controller.findNetwork(b.id.slice(0, 5)))).toBe(b);
    expect(failure(controller.findNetwork('nope'))).toEqual({ kind: 'notFound', message: 'network nope not found' });
    expect(failure(controller.findNetwork('')).message).toBe('network  is ambiguous (2 matches found based on ID prefix)');
    expect(failure(controller.networkByName('gamma'))).toEqual({ kind: 'notFound', message: 'network gamma not found' });
    expect(must(controller.networkById(a.id))).toBe(a);
  });
});
