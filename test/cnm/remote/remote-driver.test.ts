// The remote network driver protocol (libnetwork drivers/remote): the JSON each driver call
// sends with libnetwork's field names, how answers are read back (MAC, names, gateway, routes),
// and how errors surface (`remote: <Err>`, `<Method>: <status body>`, missing optional methods).
import { describe, expect, it } from 'vitest';
import { World, formatRoute, ipv4Of } from '../../../src/kernel/index.js';
import { formatMac, mustParseMac } from '../../../src/packet/index.js';
import { Controller, type Network, type Result, type Sandbox } from '../../../src/cnm/index.js';
import { httpResponse, registerPlugin, type RemoteDriver } from '../../../src/cnm/drivers/remote/index.js';
import { machine, must } from '../dns/support.js';
import { recorder, type Answers, type Recorder } from './support.js';

function daemon(): Controller {
  const world = new World({ seed: 11 });
  const host = machine(world, 'vm', '192.0.2.2/24', '192.0.2.1');
  return new Controller(host);
}

function loaded(answers: Answers = {}): { c: Controller; p: Recorder; driver: RemoteDriver } {
  const c = daemon();
  const p = recorder('rec', answers);
  const r = must(registerPlugin(c, p));
  return { c, p, driver: r.driver! };
}

function net(c: Controller, name = 'n1', extra: { internal?: boolean; options?: Map<string, string> } = {}): Result<Network> {
  return c.newNetwork('rec', name, { ipamConfig: [{ subnet: '10.60.0.0/24' }], ...extra });
}

function errorOf<T>(r: Result<T>): string {
  if (r.ok) throw new Error('expected a failure');
  return r.error.message;
}

function sandbox(c: Controller, name: string): Sandbox {
  return must(c.newSandbox(`${name}${'0'.repeat(64)}`.slice(0, 64), { label: name }));
}

/** A Join that makes a veth pair through the kernel API and hands over its container end. */
function vethJoin(extra: Record<string, unknown>): Answers[string] {
  return (req, host) => {
    const eid = String(req['EndpointID']).slice(0, 6);
    host.kernel.linkAdd(host.hostNs, { type: 'veth', name: `h${eid}`, peer: `c${eid}` });
    host.kernel.linkSetUp(host.hostNs, `h${eid}`);
    return { InterfaceName: { SrcName: `c${eid}`, DstPrefix: 'eth' }, ...extra };
  };
}

describe('requests carry libnetwork JSON', () => {
  it('CreateNetwork: NetworkID, Options (sorted map keys), IPv4Data as strings, IPv6Data null', () => {
    const { c, p } = loaded();
    const n = must(net(c, 'n1', { internal: true, options: new Map([['zeta', '1'], ['alpha', 'x']]) }));
    const [req] = p.requests('NetworkDriver.CreateNetwork');
    expect(JSON.stringify(req)).toBe(
      JSON.stringify({
        NetworkID: n.id,
        Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': { alpha: 'x', zeta: '1' }, 'com.docker.network.internal': true },
        IPv4Data: [{ AddressSpace: 'LocalDefault', Gateway: '10.60.0.1/24', Pool: '10.60.0.0/24' }],
        IPv6Data: null,
      }),
    );
    expect(p.calls.map(x => x.method)).toEqual(['Plugin.Activate', 'NetworkDriver.GetCapabilities', 'NetworkDriver.CreateNetwork']);
  });

  it('CreateEndpoint, Join, ProgramExternalConnectivity, then Leave, DeleteEndpoint, DeleteNetwork', () => {
    const { c, p } = loaded({ 'NetworkDriver.Join': vethJoin({ Gateway: '10.60.0.1' }) });
    const n = must(net(c));
    const ep = must(n.createEndpoint('c1', { exposedPorts: [{ proto: 'tcp', port: 80 }], portBindings: [{ proto: 'tcp', containerPort: 80, hostIp: 0, hostPort: 8080, hostPortEnd: 8080 }] }));
    expect(p.requests('NetworkDriver.CreateEndpoint')).toEqual([
      {
        NetworkID: n.id,
        EndpointID: ep.id,
        Interface: { Address: '10.60.0.2/24', AddressIPv6: '', MacAddress: '' },
        Options: {
          'com.docker.network.endpoint.exposedports': [{ Proto: 6, Port: 80 }],
          'com.docker.network.portmap': [{ Proto: 6, IP: '', Port: 80, HostIP: '', HostPort: 8080, HostPortEnd: 8080 }],
        },
      },
    ]);
    const sb = sandbox(c, 'c1');
    must(ep.join(sb));
    expect(p.requests('NetworkDriver.Join')).toEqual([{ NetworkID: n.id, EndpointID: ep.id, SandboxKey: sb.key, Options: {} }]);
    expect(sb.key).toMatch(/^\/var\/run\/docker\/netns\/[0-9a-f]{12}$/);
    // The gateway endpoint's driver is asked to program external connectivity; this one has no
    // such method (404), which libnetwork accepts.
    expect(p.requests('NetworkDriver.ProgramExternalConnectivity')).toEqual([{ NetworkID: n.id, EndpointID: ep.id, Options: {} }]);
    must(sb.delete());
    must(n.delete());
    expect(p.calls.map(x => x.method).slice(-4)).toEqual([
      'NetworkDriver.RevokeExternalConnectivity',
      'NetworkDriver.Leave',
      'NetworkDriver.DeleteEndpoint',
      'NetworkDriver.DeleteNetwork',
    ]);
  });
});

describe('errors as Docker shows them', () => {
  it('an Err in a 200 answer is `remote: <err>`', () => {
    const { c } = loaded({ 'NetworkDriver.CreateNetwork': () => ({ Err: 'no bridges left' }) });
    expect(errorOf(net(c))).toBe('remote: no bridges left');
    expect(c.networks().map(n => n.name)).not.toContain('n1');
  });

  it('a non-200 answer is `<Endpoint.Method>: <Err or body>`', () => {
    expect(errorOf(net(loaded({ 'NetworkDriver.CreateNetwork': () => httpResponse(500, { Err: 'kaboom' }) }).c))).toBe('NetworkDriver.CreateNetwork: kaboom');
    expect(errorOf(net(loaded({ 'NetworkDriver.CreateNetwork': () => httpResponse(503, 'busy') }).c))).toBe('NetworkDriver.CreateNetwork: busy');
    expect(errorOf(net(loaded({ 'NetworkDriver.CreateNetwork': () => undefined }).c))).toBe('NetworkDriver.CreateNetwork: 404 page not found\n');
  });

  it('a plugin that throws answers like a failing handler', () => {
    const { c } = loaded({
      'NetworkDriver.CreateNetwork': () => {
        throw new Error('plugin crashed');
      },
    });
    expect(errorOf(net(c))).toBe('NetworkDriver.CreateNetwork: plugin crashed');
  });

  it('a field of the wrong JSON type is a decode error', () => {
    const { c } = loaded({ 'NetworkDriver.Join': () => ({ Gateway: 42 }) });
    const ep = must(must(net(c)).createEndpoint('c1'));
    expect(errorOf(ep.join(sandbox(c, 'c1')))).toBe('json: cannot unmarshal number into Go struct field JoinResponse.Gateway of type string');
  });

  it('refuses a gateway it cannot parse (no Leave: upstream returns before its rollback is armed)', () => {
    const { c, p } = loaded({ 'NetworkDriver.Join': () => ({ Gateway: 'nope' }) });
    const ep = must(must(net(c)).createEndpoint('c1'));
    expect(errorOf(ep.join(sandbox(c, 'c1')))).toBe('unable to parse Gateway "nope"');
    expect(p.calls.at(-1)?.method).toBe('NetworkDriver.Join');
    expect(ep.sandboxId).toBeUndefined();
  });

  it('unknown drivers are `plugin "<name>" not found`', () => {
    const c = daemon();
    expect(errorOf(c.newNetwork('nosuch', 'n1'))).toBe('plugin "nosuch" not found');
  });
});

describe('loading (Plugin.Activate, GetCapabilities)', () => {
  it('takes the scopes from GetCapabilities; an empty ConnectivityScope is the data scope', () => {
    const c = daemon();
    const r = must(registerPlugin(c, recorder('g', { 'NetworkDriver.GetCapabilities': () => ({ Scope: 'global', ConnectivityScope: 'local' }) })));
    expect(r.driver?.capability).toEqual({ dataScope: 'global', connectivityScope: 'local' });
    expect(must(registerPlugin(c, recorder('l'))).driver?.capability).toEqual({ dataScope: 'local', connectivityScope: 'local' });
    expect(c.driverTypes()).toEqual(expect.arrayContaining(['g', 'l']));
  });

  it('refuses bad capabilities, a second registration, and plugins of another kind', () => {
    const c = daemon();
    expect(errorOf(registerPlugin(c, recorder('bad', { 'NetworkDriver.GetCapabilities': () => ({ Scope: 'weird' }) })))).toBe(
      "error getting capability for bad due to invalid capability: expecting 'local' or 'global', got weird",
    );
    expect(errorOf(c.newNetwork('bad', 'n1'))).toBe('plugin "bad" not found');
    must(registerPlugin(c, recorder('twice')));
    expect(errorOf(registerPlugin(c, recorder('twice')))).toBe('Driver already registered for type "twice"');
    expect(errorOf(registerPlugin(c, recorder('vol', {}, ['VolumeDriver'])))).toBe('Plugin does not implement the requested driver');
  });
});

describe('answers read back', () => {
  it('takes the MAC the driver picked, and refuses one when libnetwork already has a MAC (rolled back)', () => {
    const { c, p } = loaded({ 'NetworkDriver.CreateEndpoint': () => ({ Interface: { MacAddress: '0a:58:0a:3c:00:02' } }) });
    const n = must(net(c));
    const ep = must(n.createEndpoint('c1'));
    expect(formatMac(ep.mac!)).toBe('0a:58:0a:3c:00:02');
    expect(errorOf(n.createEndpoint('c2', { macAddress: mustParseMac('02:00:00:00:00:09') }))).toBe(
      'failed to create endpoint c2 on network n1: driver modified interface MAC address: endpoint interface MAC address present (02:00:00:00:00:09). Cannot be modified with 0a:58:0a:3c:00:02.; rolled back',
    );
    expect(p.calls.at(-1)?.method).toBe('NetworkDriver.DeleteEndpoint');
  });

  it('applies InterfaceName, Gateway, StaticRoutes and DisableGatewayService in the container', () => {
    const { c } = loaded({
      'NetworkDriver.Join': (req, host) => {
        const eid = String(req['EndpointID']).slice(0, 6);
        host.kernel.linkAdd(host.hostNs, { type: 'veth', name: `h${eid}`, peer: `c${eid}` });
        host.kernel.linkSetUp(host.hostNs, `h${eid}`);
        return {
          InterfaceName: { SrcName: `c${eid}`, DstPrefix: 'net' },
          Gateway: '10.60.0.1',
          StaticRoutes: [
            { Destination: '10.99.0.0/16', RouteType: 0, NextHop: '10.60.0.254' },
            { Destination: '10.98.0.0/16', RouteType: 1, NextHop: '' },
          ],
          DisableGatewayService: true,
        };
      },
    });
    const ep = must(must(net(c)).createEndpoint('c1'));
    const sb = sandbox(c, 'c1');
    must(ep.join(sb));
    expect(ep.joinInfo?.disableGatewayService).toBe(true);
    expect(sb.ns.device('net0')).toBeDefined();
    const routes = (ipv4Of(sb.ns).fib.tables.get(254)?.all() ?? []).map(r => formatRoute(r)).sort();
    expect(routes).toEqual([
      '10.60.0.0/24 dev net0 proto kernel scope link src 10.60.0.2',
      '10.98.0.0/16 dev net0',
      '10.99.0.0/16 via 10.60.0.254 dev net0',
      'default via 10.60.0.1 dev net0',
    ]);
  });

  it('returns EndpointOperInfo Value', () => {
    const { c, driver } = loaded({ 'NetworkDriver.EndpointOperInfo': () => ({ Value: { bridge: 'br0', n: 1 } }) });
    const n = must(net(c));
    const ep = must(n.createEndpoint('c1'));
    expect(must(driver.endpointOperInfo(n.id, ep.id))).toEqual({ bridge: 'br0', n: 1 });
  });
});
