// The bridge driver under the CNM core's Controller, as dockerd 20.10 drives it: the `none`,
// `host` and `bridge` networks at start, containers as sandboxes joined to endpoints with
// IPAM-given addresses, published ports on the gateway endpoint; compared with captures 01 and 04.
import { describe, expect, it } from 'vitest';
import { Controller, type Network, type Sandbox } from '../../../src/cnm/core/index.js';
import type { DriverContext, PortBinding } from '../../../src/cnm/driver-api.js';
import { BridgeDriver } from '../../../src/cnm/drivers/bridge/index.js';
import { ipv4Of } from '../../../src/kernel/index.js';
import { formatCidr, formatMac } from '../../../src/packet/index.js';
import { capturedSave, captureHost, iptablesSave, must, publish, type CaptureHost } from './capture-host.js';

interface Daemon {
  readonly controller: Controller;
  readonly driver: BridgeDriver;
  readonly bridge: Network;
}

/** The controller's `arrangeUserFilterRule` after a network creation (firewall_linux.go). */
function newNetwork(d: { controller: Controller; driver: BridgeDriver }, type: string, name: string, opts: Parameters<Controller['newNetwork']>[2] = {}): Network {
  const n = must(d.controller.newNetwork(type, name, opts));
  must(d.driver.arrangeUserFilterRule());
  return n;
}

function startDockerd(h: CaptureHost): Daemon {
  const controller = new Controller(h.host);
  let driver: BridgeDriver | undefined;
  controller.registerDriver('bridge', (ctx: DriverContext) => {
    driver = must(BridgeDriver.init(ctx));
    return driver;
  });
  const d = { controller, driver: driver! };
  newNetwork(d, 'null', 'none');
  newNetwork(d, 'host', 'host');
  const bridge = newNetwork(d, 'bridge', 'bridge', {
    ipamConfig: [{ subnet: '172.17.0.0/16' }],
    options: new Map([
      ['com.docker.network.bridge.default_bridge', 'true'],
      ['com.docker.network.bridge.enable_icc', 'true'],
      ['com.docker.network.bridge.enable_ip_masquerade', 'true'],
      ['com.docker.network.bridge.host_binding_ipv4', '0.0.0.0'],
      ['com.docker.network.bridge.name', 'docker0'],
      ['com.docker.network.driver.mtu', '1500'],
    ]),
  });
  return { ...d, bridge };
}

let containers = 0;

/** `docker run --network <n> [-p ...]`: a sandbox, an endpoint, the join. */
function run(h: CaptureHost, n: Network, name: string, ports: PortBinding[] = []): Sandbox {
  const cid = `${(++containers).toString(16).padStart(2, '0')}${'c'.repeat(62)}`;
  const sb = must(daemonOf(h).controller.newSandbox(cid, { label: name, portBindings: ports, exposedPorts: ports.map(p => ({ proto: p.proto, port: p.containerPort })) }));
  const ep = must(n.createEndpoint(name, { disableResolution: n.name === 'bridge', portBindings: ports, exposedPorts: ports.map(p => ({ proto: p.proto, port: p.containerPort })) }));
  must(ep.join(sb));
  return sb;
}

const daemons = new Map<CaptureHost, Daemon>();
function daemonOf(h: CaptureHost): Daemon {
  return daemons.get(h)!;
}

function boot(): { h: CaptureHost; d: Daemon } {
  const h = captureHost();
  const d = startDockerd(h);
  daemons.set(h, d);
  return { h, d };
}

describe('bridge driver under the CNM controller', () => {
  it('01: dockerd start and two containers on the default bridge', () => {
    const { h, d } = boot();
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-fresh-iptables-save.txt'));
    const c1 = run(h, d.bridge, 'c1');
    const c2 = run(h, d.bridge, 'c2');
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-2ctr-iptables-save.txt'));
    const eth0 = c1.ns.device('eth0')!;
    expect(formatMac(eth0.mac)).toBe('02:42:ac:11:00:02');
    expect(ipv4Of(c1.ns).addrs.of(eth0).map(a => formatCidr(a))).toEqual(['172.17.0.2/16']);
    expect(formatMac(c2.ns.device('eth0')!.mac)).toBe('02:42:ac:11:00:03');
    const hostEnds = [...h.ns.devices.values()].filter(dev => dev.kind === 'veth');
    expect(hostEnds.map(dev => dev.master?.name)).toEqual(['docker0', 'docker0']);
    must(c1.delete());
    must(c2.delete());
    expect([...h.ns.devices.values()].filter(dev => dev.kind === 'veth')).toEqual([]);
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-after-cleanup-iptables-save.txt'));
  });

  it('04: published ports through sandboxes give the captured rules', () => {
    const { h, d } = boot();
    must(run(h, d.bridge, 'discarded', [publish('80')]).delete());
    run(h, d.bridge, 'h1', [publish('8080:80')]);
    run(h, d.bridge, 'h2', [publish('127.0.0.1:8081:80')]);
    run(h, d.bridge, 'u1', [publish('5353:5353/udp')]);
    run(h, d.bridge, 'h4', [publish('80')]);
    run(h, d.bridge, 'cl');
    const pubnet = newNetwork(d, 'bridge', 'pubnet', { ipamConfig: [{ subnet: '172.24.0.0/16' }] });
    run(h, pubnet, 'h3', [publish('8082:80')]);
    run(h, pubnet, 'cl2');
    const br = d.driver.bridgeName(pubnet.id)!;
    expect(iptablesSave(h.ns).split(br).join('br-ef3c0431cf63')).toBe(capturedSave('04-port-publishing/host-iptables-save.txt'));
  });

  it('02: a user network is removed with its bridge and rules', () => {
    const { h, d } = boot();
    const net57 = newNetwork(d, 'bridge', 'net57', { ipamConfig: [{ subnet: '192.168.57.0/24', ipRange: '192.168.57.32/28', gateway: '192.168.57.11' }] });
    const a1 = run(h, net57, 'a1');
    expect(ipv4Of(a1.ns).addrs.of(a1.ns.device('eth0')!).map(a => formatCidr(a))).toEqual(['192.168.57.32/24']);
    const br = d.driver.bridgeName(net57.id)!;
    expect(iptablesSave(h.ns).split(br).join('br-858d56e68084')).toContain('-A FORWARD -i br-858d56e68084 -o br-858d56e68084 -j ACCEPT');
    must(a1.delete());
    must(net57.delete());
    expect(h.ns.device(br)).toBeUndefined();
    expect(iptablesSave(h.ns)).toBe(capturedSave('02-user-bridge/host-after-cleanup-iptables-save.txt'));
  });
});
