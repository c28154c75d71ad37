// Join and leave (libnetwork endpoint.go sbJoin/sbLeave, sandbox.go populateNetworkResources,
// osl AddInterface): interface names, addresses and routes inside the container namespace,
// gateway endpoint election and who gets ProgramExternalConnectivity, and rollback.
import { describe, expect, it } from 'vitest';
import { formatMac, formatIpv4, mustParseMac } from '../../../src/packet/index.js';
import { formatInet, formatRoute, ipv4Of, type NetNamespace } from '../../../src/kernel/index.js';
import type { Endpoint, Network, Sandbox } from '../../../src/cnm/index.js';
import { capturedOutput, daemon, failure, must, type Daemon } from './support.js';

/** `ip route` of a namespace's main table, in the kernel's dump order (destination, then length). */
function routes(ns: NetNamespace): string[] {
  const main = ipv4Of(ns).fib.tables.get(254)?.all() ?? [];
  return [...main].sort((a, b) => a.dst - b.dst || a.prefix - b.prefix).map(r => formatRoute(r));
}

function captureLines(file: string): string[] {
  return capturedOutput(file)
    .split('\n')
    .map(l => l.trimEnd())
    .filter(l => l !== '');
}

function net(d: Daemon, name: string, subnet: string, extra: { internal?: boolean } = {}): Network {
  return must(d.controller.newNetwork('fake', name, { ipamConfig: [{ subnet }], ...extra }));
}

/** What the daemon does for `docker run`/`network connect`: create the endpoint, join it. */
function attach(n: Network, sb: Sandbox, name: string, priority?: number): Endpoint {
  const ep = must(n.createEndpoint(name));
  must(ep.join(sb, priority === undefined ? {} : { priority }));
  return ep;
}

describe('join', () => {
  it('moves the device in as eth0, eth1 in join order and never reuses a suffix', () => {
    const d = daemon();
    const [n1, n2, n3] = [net(d, 'n1', '10.1.0.0/24'), net(d, 'n2', '10.2.0.0/24'), net(d, 'n3', '10.3.0.0/24')];
    const sb = must(d.controller.newSandbox('c0ffee00', { label: 'c1', hostname: 'c0ffee00' }));
    const e2 = attach(n2, sb, 'c1');
    const e1 = attach(n1, sb, 'c1');
    expect([e2.iface?.dstName, e1.iface?.dstName]).toEqual(['eth0', 'eth1']);
    const eth0 = sb.ns.device('eth0')!;
    expect(formatMac(eth0.mac)).toBe('02:42:0a:02:00:02');
    expect(eth0.adminUp).toBe(true);
    expect(ipv4Of(sb.ns).addrs.of(eth0).map(formatInet)[0]).toBe('    inet 10.2.0.2/24 brd 10.2.0.255 scope global eth0\n       valid_lft forever preferred_lft forever');
    expect(d.host.rootNs.device('vc1')).toBeUndefined();
    must(e1.leave(sb));
    expect(sb.ns.device('eth1')).toBeUndefined();
    expect(d.host.rootNs.device('vc2')).toBeDefined();
    const e3 = attach(n3, sb, 'c1');
    expect(e3.iface?.dstName).toBe('eth2');
    expect([...sb.ns.devices.keys()].sort()).toEqual(['eth0', 'eth2', 'lo']);
  });

  it('moves the default route to the network that sorts first (capture 03: connect n1 to bx)', () => {
    const d = daemon({ type: 'fake' });
    const n1 = net(d, 'n1', '172.18.0.0/16');
    const n2 = net(d, 'n2', '172.19.0.0/16');
    must(n1.createEndpoint('b1'));
    must(n2.createEndpoint('b2'));
    const sb = must(d.controller.newSandbox('e74439350b327ccb', { label: 'bx', hostname: 'e74439350b32', dns: ['127.0.0.1'] }));
    attach(n2, sb, 'bx');
    expect(routes(sb.ns)).toEqual(captureLines('03-two-bridges-connect/bx-before-connect-ip-route.txt'));
    const onN1 = attach(n1, sb, 'bx');
    expect(routes(sb.ns)).toEqual(captureLines('03-two-bridges-connect/bx-after-connect-ip-route.txt'));
    expect(routes(sb.ns)).toEqual(captureLines('03-two-bridges-connect/ctr-bx-ns-ip-route.txt'));
    expect(sb.hosts()).toBe(capturedOutput('03-two-bridges-connect/ctr-bx-hosts.txt'));
    expect(sb.resolvConf()).toBe(capturedOutput('03-two-bridges-connect/ctr-bx-resolv.conf.txt'));
    must(onN1.leave(sb));
    must(onN1.delete());
    expect(routes(sb.ns)).toEqual(captureLines('03-two-bridges-connect/bx-after-disconnect-ip-route.txt'));
  });

  it('programs external connectivity only on the gateway endpoint and moves it on join and leave', () => {
    const d = daemon();
    const n1 = net(d, 'n1', '10.1.0.0/24');
    const n2 = net(d, 'n2', '10.2.0.0/24');
    const sb = must(d.controller.newSandbox('c0ffee01'));
    d.driver.calls.length = 0;
    const on2 = attach(n2, sb, 'c');
    const on1 = attach(n1, sb, 'c');
    const id1 = on1.id.slice(0, 6);
    const id2 = on2.id.slice(0, 6);
    must(on1.leave(sb));
    expect(d.driver.calls).toEqual([
      `createEndpoint n2/${id2}`,
      `join n2/${id2}`,
      `programExternalConnectivity n2/${id2}`,
      `createEndpoint n1/${id1}`,
      `join n1/${id1}`,
      `revokeExternalConnectivity n2/${id2}`,
      `programExternalConnectivity n1/${id1}`,
      `revokeExternalConnectivity n1/${id1}`,
      `leave n1/${id1}`,
      `programExternalConnectivity n2/${id2}`,
    ]);
  });

  it('does not move the gateway for a later network that sorts after, nor program it', () => {
    const d = daemon();
    const a = net(d, 'a', '10.1.0.0/24');
    const b = net(d, 'b', '10.2.0.0/24');
    const sb = must(d.controller.newSandbox('c0ffee02'));
    attach(a, sb, 'c');
    d.driver.calls.length = 0;
    const onB = attach(b, sb, 'c');
    expect(d.driver.calls).toEqual([`createEndpoint b/${onB.id.slice(0, 6)}`, `join b/${onB.id.slice(0, 6)}`]);
    expect(routes(sb.ns)[0]).toBe('default via 10.1.0.1 dev eth0');
    d.driver.calls.length = 0;
    must(onB.leave(sb));
    expect(d.driver.calls).toEqual([`leave b/${onB.id.slice(0, 6)}`]);
  });

  it('gives an internal network neither a default route nor external connectivity', () => {
    const d = daemon();
    const inner = net(d, 'inner', '10.8.0.0/24', { internal: true });
    const sb = must(d.controller.newSandbox('c0ffee03'));
    const ep = attach(inner, sb, 'c');
    expect(sb.gatewayEndpoint()).toBeUndefined();
    expect(routes(sb.ns)).toEqual(['10.8.0.0/24 dev eth0 proto kernel scope link src 10.8.0.2']);
    expect(d.driver.calls.filter(c => c.startsWith('program'))).toEqual([]);
    expect(ep.gateway()).toBeUndefined();
  });

  it('refuses a second join and a leave from the wrong sandbox', () => {
    const d = daemon();
    const n = net(d, 'n', '10.1.0.0/24');
    const sb1 = must(d.controller.newSandbox('aaaa'));
    const sb2 = must(d.controller.newSandbox('bbbb'));
    const ep = attach(n, sb1, 'c');
    expect(failure(ep.join(sb2))).toEqual({ kind: 'forbidden', message: 'another container is attached to the same network endpoint' });
    expect(failure(ep.leave(sb2))).toEqual({
      kind: 'forbidden',
      message: `unexpected sandbox ID in leave request. Expected ${sb1.id}. Got ${sb2.id}`,
    });
    must(ep.leave(sb1));
    expect(failure(ep.leave(sb1))).toEqual({ kind: 'forbidden', message: 'cannot leave endpoint with no attached sandbox' });
  });
});

describe('gateway endpoint election (libnetwork sandbox_test.go)', () => {
  it('TestSandboxAddMultiPrio: priority beats IPv6 and internal', () => {
    const d = daemon();
    const nws = [net(d, 'test_nw_0', '10.0.0.0/24'), net(d, 'test_nw_1', '10.0.1.0/24', { internal: true }), net(d, 'test_nw_2', '10.0.2.0/24')];
    d.driver.ipv6Gateways.add('test_nw_0');
    const sb = must(d.controller.newSandbox('sandbox1'));
    const [ep1, ep2, ep3] = nws.map((n, i) => must(n.createEndpoint(`ep${i + 1}`)));
    must(ep1!.join(sb, { priority: 1 }));
    must(ep2!.join(sb, { priority: 2 }));
    must(ep3!.join(sb, { priority: 3 }));
    expect(sb.endpoints()[0]).toBe(ep3);
    expect(sb.endpoints()).toHaveLength(3);
    must(ep3!.leave(sb));
    expect(sb.endpoints()[0]).toBe(ep2);
    must(ep2!.leave(sb));
    expect(sb.endpoints()[0]).toBe(ep1);
    must(ep3!.join(sb, { priority: 3 }));
    expect(sb.endpoints()[0]).toBe(ep3);
    must(sb.delete());
    expect(d.controller.sandboxes()).toEqual([]);
  });

  it('TestSandboxAddSamePrio: IPv6 gateway first, then by name, internal last', () => {
    const d = daemon();
    const nws = [
      net(d, 'test_nw_0', '10.0.0.0/24'),
      net(d, 'test_nw_1', '10.0.1.0/24'),
      net(d, 'test_nw_2', '10.0.2.0/24'),
      net(d, 'test_nw_3', '10.0.3.0/24', { internal: true }),
    ];
    d.driver.ipv6Gateways.add('test_nw_2');
    const sb = must(d.controller.newSandbox('sandbox1'));
    const epNw1 = must(nws[1]!.createEndpoint('ep1'));
    const epIPv6 = must(nws[2]!.createEndpoint('ep2'));
    const epInternal = must(nws[3]!.createEndpoint('ep3'));
    const epNw0 = must(nws[0]!.createEndpoint('ep4'));
    for (const ep of [epNw1, epIPv6, epInternal, epNw0]) must(ep.join(sb));
    expect(sb.endpoints()).toEqual([epIPv6, epNw0, epNw1, epInternal]);
    expect(sb.gatewayEndpoint()).toBe(epIPv6);
    must(epIPv6.leave(sb));
    expect(sb.endpoints()[0]).toBe(epNw0);
    expect(routes(sb.ns)[0]).toBe('default via 10.0.0.1 dev eth3');
    must(epNw1.leave(sb));
    must(sb.delete());
    expect(d.controller.sandboxes()).toEqual([]);
  });

  it('skips host and null networks when electing the gateway endpoint', () => {
    const d = daemon();
    const none = must(d.controller.newNetwork('null', 'none'));
    const sb = must(d.controller.newSandbox('c0ffee04'));
    const ep = must(none.createEndpoint('c'));
    must(ep.join(sb, { priority: 10 }));
    expect(sb.endpoints()).toEqual([ep]);
    expect(sb.gatewayEndpoint()).toBeUndefined();
    expect([...sb.ns.devices.keys()]).toEqual(['lo']);
    expect(sb.ns.device('lo')!.adminUp).toBe(true);
  });
});

describe('rollback', () => {
  it('a driver that fails at join leaves no endpoint in the sandbox, and delete frees address and device', () => {
    const d = daemon();
    const n = net(d, 'n', '10.1.0.0/24');
    const sb = must(d.controller.newSandbox('c0ffee05', { hostname: 'c0ffee05' }));
    const hostsBefore = sb.hosts();
    d.driver.failOn('join', 'driver says no');
    const ep = must(n.createEndpoint('c'));
    expect(failure(ep.join(sb))).toEqual({ kind: 'system', message: 'driver says no' });
    expect(sb.endpoints()).toEqual([]);
    expect(ep.sandboxId).toBeUndefined();
    expect(sb.hosts()).toBe(hostsBefore);
    expect([...sb.ns.devices.keys()]).toEqual(['lo']);
    // The daemon then deletes the endpoint it created: the address and the veth go too.
    must(ep.delete());
    expect(d.host.rootNs.device('veth1')).toBeUndefined();
    d.driver.failures.clear();
    expect(formatIpv4(must(n.createEndpoint('c')).address!.address)).toBe('10.1.0.2');
  });

  it('a failure at the last step undoes interface, files, DNS and the driver join', () => {
    const d = daemon();
    const n = net(d, 'n', '10.1.0.0/24');
    const sb = must(d.controller.newSandbox('c0ffee06', { hostname: 'c0ffee06' }));
    const before = { hosts: sb.hosts(), resolv: sb.resolvConf() };
    d.driver.failOn('programExternalConnectivity', 'Bind for 0.0.0.0:8080 failed: port is already allocated');
    const ep = must(n.createEndpoint('web'));
    expect(failure(ep.join(sb))).toEqual({
      kind: 'system',
      message: `driver failed programming external connectivity on endpoint web (${ep.id}): Bind for 0.0.0.0:8080 failed: port is already allocated`,
    });
    expect(sb.endpoints()).toEqual([]);
    expect([...sb.ns.devices.keys()]).toEqual(['lo']);
    expect(d.host.rootNs.device('vc1')).toBeDefined();
    expect(routes(sb.ns)).toEqual([]);
    expect({ hosts: sb.hosts(), resolv: sb.resolvConf() }).toEqual(before);
    expect(sb.resolver).toBeUndefined();
    expect(d.driver.calls.slice(-2)).toEqual([`programExternalConnectivity n/${ep.id.slice(0, 6)}`, `leave n/${ep.id.slice(0, 6)}`]);
    // A later join works from scratch: eth1, since the counter never goes back.
    d.driver.failures.clear();
    must(ep.join(sb));
    expect(ep.iface?.dstName).toBe('eth1');
    expect(sb.resolvConf()).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
  });

  it('an interface that cannot be configured goes back to the host under its own name', () => {
    const d = daemon();
    const n = net(d, 'n', '10.1.0.0/24');
    const sb = must(d.controller.newSandbox('c0ffee07'));
    // A multicast MAC makes `ip link set address` fail inside the namespace.
    const ep = must(n.createEndpoint('c', { macAddress: mustParseMac('01:00:5e:00:00:01') }));
    expect(failure(ep.join(sb))).toEqual({
      kind: 'system',
      message: 'failed to add interface vc1 to sandbox: error setting interface "vc1" MAC to "01:00:5e:00:00:01": cannot assign requested address',
    });
    expect(d.host.rootNs.device('vc1')).toBeDefined();
    expect(sb.ns.device('eth0')).toBeUndefined();
    expect(ep.iface).toBeUndefined();
    expect(sb.endpoints()).toEqual([]);
  });
});
