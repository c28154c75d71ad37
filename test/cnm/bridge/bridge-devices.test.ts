// What the bridge driver builds in the kernel: the bridge device, veth pairs, MACs, addresses,
// hairpin and sysctls, compared with the captures where they show it.
import { describe, expect, it } from 'vitest';
import { BridgeDevice, bridgeLinkList, ipv4Of, linkDetailLines, type NetDevice } from '../../../src/kernel/index.js';
import { formatIpv4, formatMac, mustParseMac } from '../../../src/packet/index.js';
import { capturedLines, captureHost, createNetwork, endpointOptions, iptablesSave, newId, netReq, removeContainer, runContainer, startDaemon } from './capture-host.js';

function addresses(dev: NetDevice): string[] {
  return ipv4Of(dev.netns)
    .addrs.of(dev)
    .map(a => `${formatIpv4(a.address)}/${a.prefix}${a.broadcast === undefined ? '' : ` brd ${formatIpv4(a.broadcast)}`}`);
}

describe('bridge driver devices', () => {
  it('01: docker0 is a 02:42 bridge with 172.17.0.1/16, up', () => {
    const h = captureHost();
    startDaemon(h);
    const br = h.ns.device('docker0');
    expect(br).toBeInstanceOf(BridgeDevice);
    expect(formatMac(br!.mac)).toMatch(/^02:42:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(addresses(br!)).toEqual(['172.17.0.1/16 brd 172.17.255.255']);
    expect(br!.adminUp).toBe(true);
    expect(br!.mtu).toBe(1500);
  });

  it('01: containers get veth pairs, eth0 with 02:42 + IPv4 MACs and the gateway route', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    const c1 = runContainer(h, driver, bridgeId, '172.17.0.2/16');
    const c2 = runContainer(h, driver, bridgeId, '172.17.0.3/16');
    expect(formatMac(c1.iface.mac!)).toBe('02:42:ac:11:00:02');
    expect(formatMac(c2.iface.mac!)).toBe('02:42:ac:11:00:03');
    expect(formatMac(c1.ns.device('eth0')!.mac)).toBe('02:42:ac:11:00:02');
    expect(c1.info.srcName).toMatch(/^veth[0-9a-f]{7}$/);
    expect(c1.info.dstPrefix).toBe('eth');
    expect(c1.info.gateway).toBe(0xac110001);
    // Host ends: veth + 7 hex, ports of docker0, up, hairpin off (userland proxy on).
    const ports = [...h.ns.devices.values()].filter(d => d.kind === 'veth');
    expect(ports.map(d => d.name).every(n => /^veth[0-9a-f]{7}$/.test(n))).toBe(true);
    expect(ports.every(d => d.master?.name === 'docker0' && d.adminUp)).toBe(true);
    for (const d of ports) expect(linkDetailLines(d).join(' ')).toContain('hairpin off');
    // `ip -d link`: the bridge_slave line of the first port, up to its designated bridge (random MAC).
    const slave = (l: string) => l.slice(l.indexOf('bridge_slave'), l.indexOf(' designated_bridge'));
    const capturedSlave = capturedLines('01-default-bridge/host-2ctr-ip-d-link.txt').find(l => l.includes('bridge_slave'))!;
    expect(slave(linkDetailLines(ports[0]!).join(' '))).toBe(slave(capturedSlave));
    // `bridge link` has the capture's shape (indexes and names are random there).
    const shape = (l: string) => l.replace(/^\d+: veth[0-9a-f]{7}@if\d+:/, 'N: vethX@ifN:');
    expect(bridgeLinkList(h.ns, []).split('\n').filter(l => l !== '').map(shape)).toEqual(capturedLines('01-default-bridge/host-2ctr-bridge-link.txt').map(shape));
  });

  it('02: user network bridge br-<id12> with the gateway address; MACs follow the addresses', () => {
    const h = captureHost();
    const { driver } = startDaemon(h);
    const net57 = createNetwork(h, driver, '192.168.57.0/24', '192.168.57.11/24');
    const br = h.ns.device(`br-${net57.slice(0, 12)}`)!;
    expect(addresses(br)).toEqual(['192.168.57.11/24 brd 192.168.57.255']);
    const a2 = runContainer(h, driver, net57, '192.168.57.100/24');
    expect(formatMac(a2.iface.mac!)).toBe('02:42:c0:a8:39:64');
    expect(formatIpv4(a2.info.gateway!)).toBe('192.168.57.11');
  });

  it('keeps a MAC the user gave', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    const mac = mustParseMac('02:00:00:aa:bb:cc');
    const c = runContainer(h, driver, bridgeId, '172.17.0.2/16', { ...endpointOptions(), macAddress: mac });
    expect(c.iface.mac).toBe(mac);
    expect(driver.endpointInfo(bridgeId, c.eid)?.macAddress).toBe('02:00:00:aa:bb:cc');
  });

  it('sets the network MTU on both veth ends and honours the interface prefix and gateway aux address', () => {
    const h = captureHost();
    const { driver } = startDaemon(h);
    const id = newId(h);
    const req = netReq(id, 'mtu', '10.9.0.0/24', '10.9.0.1/24', { 'com.docker.network.driver.mtu': '1400', 'com.docker.network.container_iface_prefix': 'en' });
    expect(driver.createNetwork({ ...req, ipv4: [{ ...req.ipv4[0]!, auxAddresses: new Map([['DefaultGatewayIPv4', { address: 0x0a090001 + 253, prefix: 24 }]]) }] }).ok).toBe(true);
    const c = runContainer(h, driver, id, '10.9.0.2/24');
    expect(c.ns.device('en0')!.mtu).toBe(1400);
    expect([...h.ns.devices.values()].find(d => d.master?.name === `br-${id.slice(0, 12)}`)!.mtu).toBe(1400);
    expect(formatIpv4(c.info.gateway!)).toBe('10.9.0.254');
  });

  it('deletes a user bridge with its network but keeps docker0', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    const id = createNetwork(h, driver, '172.18.0.0/16', '172.18.0.1/16');
    removeContainer(h, driver, id, runContainer(h, driver, id, '172.18.0.2/16'));
    expect(driver.deleteNetwork(id).ok).toBe(true);
    expect(h.ns.device(`br-${id.slice(0, 12)}`)).toBeUndefined();
    expect([...h.ns.devices.values()].filter(d => d.kind === 'veth')).toEqual([]);
    expect(driver.deleteNetwork(bridgeId).ok).toBe(true);
    expect(h.ns.device('docker0')).toBeInstanceOf(BridgeDevice);
    expect(driver.deleteNetwork(bridgeId)).toEqual({ ok: false, error: { kind: 'system', message: `network ${bridgeId} does not exist` } });
  });

  it('without the userland proxy: hairpin on, route_localnet, hairpin MASQUERADE and DNAT from the bridge too', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h, { enableUserlandProxy: false });
    const c = runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([{ proto: 'tcp', containerPort: 80, hostIp: 0, hostPort: 8080, hostPortEnd: 0 }]));
    const hostEnd = h.ns.device(c.info.srcName!) ?? [...h.ns.devices.values()].find(d => d.kind === 'veth')!;
    expect(linkDetailLines(hostEnd).join(' ')).toContain('hairpin on');
    expect(h.ns.sysctl.get('net.ipv4.conf.docker0.route_localnet')).toEqual({ ok: true, value: '1' });
    const nat = iptablesSave(h.ns).split('*nat')[1]!;
    expect(nat).toContain('-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER\n');
    expect(nat).toContain('-A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE\n');
    expect(nat).not.toContain('-A DOCKER -i docker0 -j RETURN');
    expect(nat).toContain('-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n');
    // No docker-proxy: dockerd holds the port with a plain listener; no `::` twin without an IPv6 address.
    expect(driver.proxies().map(p => [p.spec.hostIp, p.process])).toEqual([['0.0.0.0', undefined]]);
  });
});
