// The example plugin (examples/plugins/simple-bridge-plugin.ts) loaded into a daemon: a network
// made by a third-party driver through the remote API, two containers on it pinging each other
// by address and by name (embedded DNS), the host reaching them on the bridge, and a clean
// teardown.
import { describe, expect, it } from 'vitest';
import { World, type NetNamespace } from '../../../src/kernel/index.js';
import { formatMac, mustParseIpv4 } from '../../../src/packet/index.js';
import { Controller, type Network } from '../../../src/cnm/index.js';
import { embeddedResolverFactory } from '../../../src/cnm/dns/index.js';
import { RemoteDriver, registerPlugin } from '../../../src/cnm/drivers/remote/index.js';
import { simpleBridgePlugin } from '../../../examples/plugins/simple-bridge-plugin.js';
import { exec, machine, must, type Container } from '../dns/support.js';

function setup(): { c: Controller; n: Network; world: World } {
  const world = new World({ seed: 21 });
  const host = machine(world, 'vm', '192.0.2.2/24', '192.0.2.1');
  const c = new Controller(host, { resolverFactory: embeddedResolverFactory() });
  must(registerPlugin(c, simpleBridgePlugin()));
  const n = must(c.newNetwork('simple-bridge', 'plugnet', { ipamConfig: [{ subnet: '10.50.0.0/24' }] }));
  return { c, n, world };
}

function run(c: Controller, n: Network, name: string): Container {
  const id = `${name}${'e'.repeat(64)}`.slice(0, 64);
  const sb = must(c.newSandbox(id, { label: name, hostname: id.slice(0, 12) }));
  const ep = must(n.createEndpoint(name, { aliases: [id.slice(0, 12)] }));
  must(ep.join(sb));
  return { name, id, sb, ep, ns: sb.ns };
}

function ping(ns: NetNamespace, target: string, resolvConf?: string): number {
  return exec(ns, ['ping', '-c', '1', '-W', '1', target], resolvConf === undefined ? {} : { resolvConf }).code;
}

describe('simple-bridge example plugin', () => {
  it('creates its bridge with the gateway address and is listed as a driver', () => {
    const { c, n } = setup();
    expect(c.driverTypes()).toContain('simple-bridge');
    const br = c.host.rootNs.device(`sb-${n.id.slice(0, 12)}`);
    expect(br?.kind).toBe('bridge');
    expect(br?.adminUp).toBe(true);
  });

  it('puts containers on it (MAC from the plugin) that ping each other by address and by name', () => {
    const { c, n } = setup();
    const c1 = run(c, n, 'c1');
    const c2 = run(c, n, 'c2');
    expect(formatMac(c1.ns.device('eth0')!.mac)).toBe('0a:58:0a:32:00:02');
    expect(ping(c1.ns, '10.50.0.3')).toBe(0);
    expect(ping(c2.ns, '10.50.0.2')).toBe(0);
    expect(ping(c1.ns, 'c2', c1.sb.resolvConf())).toBe(0);
    expect(ping(c.host.rootNs, '10.50.0.3')).toBe(0);
    expect(c1.ep.gateway()).toBe(mustParseIpv4('10.50.0.1'));
  });

  it('reports operational info and removes veths and bridge on teardown', () => {
    const { c, n } = setup();
    const c1 = run(c, n, 'c1');
    const d = c.driver('simple-bridge');
    if (!d.ok || !(d.value instanceof RemoteDriver)) throw new Error('not a remote driver');
    expect(must(d.value.endpointOperInfo(n.id, c1.ep.id))).toEqual({ bridge: `sb-${n.id.slice(0, 12)}`, veth: `sbh-${c1.ep.id.slice(0, 8)}` });
    must(c1.sb.delete());
    must(n.delete());
    expect([...c.host.rootNs.devices.keys()].sort()).toEqual(['eth0', 'lo']);
  });
});
