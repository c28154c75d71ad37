// Endpoint creation and deletion (libnetwork network.go createEndpoint, endpoint.go
// assignAddressVersion and Delete): addresses from the real default IPAM, Docker's error texts,
// and that a failed creation leaves no address taken.
import { describe, expect, it } from 'vitest';
import { formatCidr, formatMac, mustParseIpv4, mustParseMac } from '../../../src/packet/index.js';
import { daemon, failure, must } from './support.js';

const subnet = (s: string) => ({ ipamConfig: [{ subnet: s }] });

describe('Network.createEndpoint', () => {
  it('hands out .2, .3, ... and reuses the lowest freed address', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('172.18.0.0/16')));
    const [e1, e2, e3] = ['c1', 'c2', 'c3'].map(name => must(n.createEndpoint(name)));
    expect([e1, e2, e3].map(e => formatCidr(e!.address!))).toEqual(['172.18.0.2/16', '172.18.0.3/16', '172.18.0.4/16']);
    expect(formatMac(e1!.mac!)).toBe('02:42:ac:12:00:02');
    expect(e1!.id).toMatch(/^[0-9a-f]{64}$/);
    must(e2!.delete());
    expect(formatCidr(must(n.createEndpoint('c4')).address!)).toBe('172.18.0.3/16');
    expect(n.endpoints().map(e => e.name)).toEqual(['c1', 'c3', 'c4']);
  });

  it('keeps a user MAC address', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    const e = must(n.createEndpoint('c', { macAddress: mustParseMac('02:11:22:33:44:55') }));
    expect(formatMac(e.mac!)).toBe('02:11:22:33:44:55');
  });

  it('refuses a second endpoint with the same name', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'net57', subnet('10.1.0.0/24')));
    must(n.createEndpoint('a1'));
    expect(failure(n.createEndpoint('a1'))).toEqual({ kind: 'forbidden', message: 'endpoint with name a1 already exists in network net57' });
    expect(failure(n.createEndpoint(''))).toEqual({ kind: 'invalidParameter', message: 'invalid name: ' });
  });

  it('refuses a preferred address outside every pool or already taken', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    expect(failure(n.createEndpoint('x', { ip: mustParseIpv4('10.2.0.5') }))).toEqual({
      kind: 'invalidParameter',
      message: "Invalid address 10.2.0.5: It does not belong to any of this network's subnets",
    });
    must(n.createEndpoint('a', { ip: mustParseIpv4('10.1.0.9') }));
    expect(failure(n.createEndpoint('b', { ip: mustParseIpv4('10.1.0.9') }))).toEqual({ kind: 'forbidden', message: 'Address already in use' });
    expect(failure(n.createEndpoint('c', { ip: mustParseIpv4('10.1.0.1') })).message).toBe('Address already in use');
  });

  it('reports a full network by name and id', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'tiny', subnet('10.9.9.0/30')));
    expect(formatCidr(must(n.createEndpoint('a')).address!)).toBe('10.9.9.2/30');
    expect(failure(n.createEndpoint('b'))).toEqual({
      kind: 'system',
      message: `no available IPv4 addresses on this network's address pools: tiny (${n.id})`,
    });
  });

  it('moves on to the next pool when one is full', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'two', { ipamConfig: [{ subnet: '10.9.9.0/30' }, { subnet: '10.9.8.0/29' }] }));
    expect(['a', 'b', 'c'].map(x => formatCidr(must(n.createEndpoint(x)).address!))).toEqual(['10.9.9.2/30', '10.9.8.2/29', '10.9.8.3/29']);
  });

  it('wraps a driver failure and gives the address back', () => {
    const { controller, driver } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    driver.failOn('createEndpoint', 'no veth for you');
    expect(failure(n.createEndpoint('web'))).toEqual({ kind: 'system', message: 'failed to create endpoint web on network n: no veth for you' });
    expect(n.endpoints()).toEqual([]);
    driver.failures.clear();
    expect(formatCidr(must(n.createEndpoint('web')).address!)).toBe('10.1.0.2/24');
  });

  it('gives host and null endpoints no address', () => {
    const { controller } = daemon();
    const none = must(controller.newNetwork('null', 'none'));
    const e = must(none.createEndpoint('c1'));
    expect(e.address).toBeUndefined();
    expect(none.records.entries()).toEqual([]);
  });

  it('registers names, aliases and the short id as service records', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'net57', subnet('192.168.57.0/24')));
    const a1 = must(n.createEndpoint('a1', { aliases: ['svc', 'ba585608714d'] }));
    must(n.createEndpoint('a2', { aliases: ['svc', '0e354191f2e4'] }));
    expect(n.resolveName('A1').ips).toEqual([a1.address!.address]);
    expect(n.resolveName('svc.').ips.map(ip => ip & 0xff)).toEqual([2, 3]);
    expect(n.resolveName('ba585608714d').ips).toEqual([a1.address!.address]);
    expect(n.resolveName('nope').ips).toEqual([]);
    expect(n.resolveName('a1', 'ipv6')).toEqual({ ips: [], ipv6Miss: true });
    expect(n.resolveIp(a1.address!.address)).toBe('a1.net57');
    must(a1.delete());
    expect(n.resolveName('svc').ips.map(ip => ip & 0xff)).toEqual([3]);
    expect(n.resolveIp(mustParseIpv4('192.168.57.2'))).toBeUndefined();
  });

  it('registers an anonymous endpoint under its first alias only', () => {
    const { controller } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    const e = must(n.createEndpoint('gateway_x', { anonymous: true, aliases: ['first', 'second'] }));
    expect(n.resolveIp(e.address!.address)).toBe('first.n');
    expect(n.resolveName('gateway_x').ips).toEqual([]);
    expect(n.resolveName('second').ips).toEqual([e.address!.address]);
  });
});

describe('Endpoint.delete', () => {
  it('refuses while joined, and with force leaves and deletes', () => {
    const { controller, driver, host } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    const sb = must(controller.newSandbox('c0ffee', { label: 'c1' }));
    const e = must(n.createEndpoint('c1'));
    must(e.join(sb));
    expect(failure(e.delete())).toEqual({ kind: 'forbidden', message: `endpoint with name c1 id ${e.id} has active containers` });
    must(e.delete(true));
    expect(n.endpoints()).toEqual([]);
    expect(sb.endpoints()).toEqual([]);
    const id = e.id.slice(0, 6);
    expect(driver.calls).toEqual([
      'createNetwork n',
      `createEndpoint n/${id}`,
      `join n/${id}`,
      `programExternalConnectivity n/${id}`,
      `revokeExternalConnectivity n/${id}`,
      `leave n/${id}`,
      `deleteEndpoint n/${id}`,
    ]);
    expect(host.rootNs.device('veth1')).toBeUndefined();
    expect(sb.ns.device('eth0')).toBeUndefined();
  });

  it('stops on a Forbidden driver refusal but not on other driver errors', () => {
    const { controller, driver } = daemon();
    const n = must(controller.newNetwork('fake', 'n', subnet('10.1.0.0/24')));
    const e = must(n.createEndpoint('c1'));
    driver.failOn('deleteEndpoint', 'still plumbed', 'forbidden');
    expect(failure(e.delete())).toEqual({ kind: 'forbidden', message: 'still plumbed' });
    expect(n.endpoints()).toEqual([e]);
    expect(n.resolveName('c1').ips).toEqual([e.address!.address]);
    driver.failOn('deleteEndpoint', 'netlink hiccup', 'system');
    must(e.delete());
    expect(n.endpoints()).toEqual([]);
    expect(formatCidr(must(n.createEndpoint('c2')).address!)).toBe('10.1.0.2/24');
  });
});
