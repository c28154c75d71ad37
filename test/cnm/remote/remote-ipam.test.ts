// The remote IPAM protocol (libnetwork ipams/remote): address spaces, pools and addresses asked
// of a plugin as `IpamDriver.*` JSON, and released again when endpoints and networks go.
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/kernel/index.js';
import { formatCidr } from '../../../src/packet/index.js';
import { Controller, type Result } from '../../../src/cnm/index.js';
import { registerPlugin } from '../../../src/cnm/drivers/remote/index.js';
import { machine, must } from '../dns/support.js';
import { recorder, type Answers, type Recorder } from './support.js';

/** An IPAM plugin handing out 10.70.0.0/16 in order, the gateway first. */
function ipamAnswers(overrides: Answers = {}): Answers {
  let next = 1;
  return {
    'IpamDriver.GetCapabilities': () => ({ RequiresMACAddress: true }),
    'IpamDriver.GetDefaultAddressSpaces': () => ({ LocalDefaultAddressSpace: 'PluginLocal', GlobalDefaultAddressSpace: 'PluginGlobal' }),
    'IpamDriver.RequestPool': () => ({ PoolID: 'pool-1', Pool: '10.70.0.0/16', Data: {} }),
    'IpamDriver.RequestAddress': req => {
      const preferred = String(req['Address']);
      if (preferred !== '') return { Address: `${preferred}/16` };
      return { Address: `10.70.0.${next++}/16` };
    },
    ...overrides,
  };
}

function daemon(answers: Answers): { c: Controller; p: Recorder } {
  const world = new World({ seed: 3 });
  const c = new Controller(machine(world, 'vm', '192.0.2.2/24'));
  const p = recorder('ipamrec', answers, ['NetworkDriver', 'IpamDriver']);
  must(registerPlugin(c, p));
  return { c, p };
}

function net(c: Controller, subnet?: string): ReturnType<Controller['newNetwork']> {
  return c.newNetwork('ipamrec', 'n1', { ipamDriver: 'ipamrec', ...(subnet === undefined ? {} : { ipamConfig: [{ subnet }] }) });
}

function errorOf<T>(r: Result<T>): string {
  if (r.ok) throw new Error('expected a failure');
  return r.error.message;
}

describe('remote IPAM', () => {
  it('asks for the address space, a pool and the gateway, then endpoint addresses, as JSON', () => {
    const { c, p } = daemon(ipamAnswers());
    const n = must(net(c));
    expect(p.requests('IpamDriver.RequestPool')).toEqual([{ AddressSpace: 'PluginLocal', Pool: '', SubPool: '', Options: {}, V6: false }]);
    expect(p.requests('IpamDriver.RequestAddress')).toEqual([{ PoolID: 'pool-1', Address: '', Options: { RequestAddressType: 'com.docker.network.gateway' } }]);
    expect(n.ipamV4Info.map(i => [i.poolId, formatCidr(i.pool), i.gateway === undefined ? '' : formatCidr(i.gateway)])).toEqual([['pool-1', '10.70.0.0/16', '10.70.0.1/16']]);
    const [data] = p.requests('NetworkDriver.CreateNetwork') as { IPv4Data: unknown[] }[];
    expect(data?.IPv4Data).toEqual([{ AddressSpace: 'PluginLocal', Gateway: '10.70.0.1/16', Pool: '10.70.0.0/16' }]);
    const e1 = must(n.createEndpoint('c1'));
    const e2 = must(n.createEndpoint('c2', { ip: 0x0a46_0009 }));
    expect([e1.address, e2.address].map(a => (a === undefined ? '' : formatCidr(a)))).toEqual(['10.70.0.2/16', '10.70.0.9/16']);
    expect(p.requests('IpamDriver.RequestAddress').slice(1)).toEqual([
      { PoolID: 'pool-1', Address: '', Options: {} },
      { PoolID: 'pool-1', Address: '10.70.0.9', Options: {} },
    ]);
  });

  it('releases the endpoint address, then the gateway and the pool', () => {
    const { c, p } = daemon(ipamAnswers());
    const n = must(net(c, '10.70.0.0/16'));
    expect(p.requests('IpamDriver.RequestPool')[0]).toMatchObject({ Pool: '10.70.0.0/16' });
    must(must(n.createEndpoint('c1')).delete());
    must(n.delete());
    expect(p.calls.filter(x => x.method.startsWith('IpamDriver.Release'))).toEqual([
      { method: 'IpamDriver.ReleaseAddress', request: { PoolID: 'pool-1', Address: '10.70.0.2' } },
      { method: 'IpamDriver.ReleaseAddress', request: { PoolID: 'pool-1', Address: '10.70.0.1' } },
      { method: 'IpamDriver.ReleasePool', request: { PoolID: 'pool-1' } },
    ]);
  });

  it('reports the plugin capabilities and is not built in', () => {
    const { c } = daemon(ipamAnswers());
    const n = must(net(c));
    expect(n.ipamDriver).toBe('ipamrec');
    const r = registerPlugin(new Controller(machine(new World({ seed: 4 }), 'h', '192.0.2.3/24')), recorder('x', ipamAnswers(), ['IpamDriver']));
    expect(r.ok && [r.value.ipam?.capabilities(), r.value.ipam?.isBuiltIn(), r.value.driver]).toEqual([{ requiresMacAddress: true, requiresRequestReplay: false }, false, undefined]);
  });

  it('surfaces errors: remote Err, a bad pool, no address returned', () => {
    expect(errorOf(net(daemon(ipamAnswers({ 'IpamDriver.RequestPool': () => ({ Err: 'no pools here' }) })).c))).toBe('remote: no pools here');
    expect(errorOf(net(daemon(ipamAnswers({ 'IpamDriver.RequestPool': () => ({ PoolID: 'x', Pool: '10.70.0.0' }) })).c))).toBe('invalid CIDR address: 10.70.0.0');
    const { c } = daemon(ipamAnswers({ 'IpamDriver.RequestAddress': req => (req['Options'] && Object.keys(req['Options']).length > 0 ? { Address: '10.70.0.1/16' } : { Address: '' }) }));
    const n = must(net(c));
    expect(errorOf(n.createEndpoint('c1'))).toContain('No address returned');
  });
});
