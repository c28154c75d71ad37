// The host's iptables after the reference captures' commands, driven through the bridge driver,
// compared byte for byte with the real `iptables-save` (comment lines dropped; bridge names of
// user networks, random in real Docker, mapped onto the captured ones by subnet).
import { describe, expect, it } from 'vitest';
import { iptablesSave, capturedSave, captureHost, createNetwork, endpointOptions, publish, removeContainer, runContainer, startDaemon } from './capture-host.js';

function rename(text: string, names: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(names)) out = out.split(from).join(to);
  return out;
}

describe('bridge driver rules against the Docker 20.10 captures', () => {
  it('00: nothing is programmed before the daemon starts', () => {
    const h = captureHost();
    expect(iptablesSave(h.ns)).toBe('');
    expect(capturedSave('00-host-baseline/host-before-dockerd-iptables-save.txt')).toBe('\n');
    expect(h.ns.sysctl.get('net.ipv4.ip_forward')).toEqual({ ok: true, value: '0' });
  });

  it('01: default bridge and two containers give the captured rules', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-fresh-iptables-save.txt'));
    runContainer(h, driver, bridgeId, '172.17.0.2/16');
    runContainer(h, driver, bridgeId, '172.17.0.3/16');
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-2ctr-iptables-save.txt'));
    expect(h.ns.sysctl.get('net.ipv4.ip_forward')).toEqual({ ok: true, value: '1' });
    expect(h.ns.sysctl.get('net.bridge.bridge-nf-call-iptables')).toEqual({ ok: true, value: '1' });
    expect(driver.forwardingEnabledByDocker).toBe(true);
  });

  it('leaves the FORWARD policy alone when forwarding was already on, and programs nothing with --iptables=false', () => {
    const h = captureHost();
    h.ns.sysctl.set('net.ipv4.ip_forward', '1');
    const { driver } = startDaemon(h);
    expect(driver.forwardingEnabledByDocker).toBe(false);
    expect(iptablesSave(h.ns)).toContain(':FORWARD ACCEPT [0:0]');
    const h2 = captureHost();
    const off = startDaemon(h2, { enableIpTables: false });
    expect(off.driver.iptables).toBeUndefined();
    expect(iptablesSave(h2.ns)).toBe('');
    expect(h2.ns.sysctl.get('net.ipv4.ip_forward')).toEqual({ ok: true, value: '1' });
    expect(h2.ns.device('docker0')?.adminUp).toBe(true);
  });

  it('01: removing the containers changes no rule', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    const c1 = runContainer(h, driver, bridgeId, '172.17.0.2/16');
    const c2 = runContainer(h, driver, bridgeId, '172.17.0.3/16');
    removeContainer(h, driver, bridgeId, c1);
    removeContainer(h, driver, bridgeId, c2);
    expect(iptablesSave(h.ns)).toBe(capturedSave('01-default-bridge/host-after-cleanup-iptables-save.txt'));
  });

  it('02: a user network with subnet, ip-range and gateway', () => {
    const h = captureHost();
    const { driver } = startDaemon(h);
    const net57 = createNetwork(h, driver, '192.168.57.0/24', '192.168.57.11/24');
    const br = driver.bridgeName(net57)!;
    expect(br).toBe(`br-${net57.slice(0, 12)}`);
    for (const ip of ['192.168.57.32', '192.168.57.100', '192.168.57.33', '192.168.57.34', '192.168.57.35']) runContainer(h, driver, net57, `${ip}/24`);
    expect(rename(iptablesSave(h.ns), { [br]: 'br-858d56e68084' })).toBe(capturedSave('02-user-bridge/host-iptables-save.txt'));
    // docker network rm: the daemon's rules are back as they were.
    expect(driver.deleteNetwork(net57).ok).toBe(true);
    expect(iptablesSave(h.ns)).toBe(capturedSave('02-user-bridge/host-after-cleanup-iptables-save.txt'));
  });

  it('03: three user networks are stacked newest first, with their isolation rules', () => {
    const h = captureHost();
    const { driver } = startDaemon(h);
    const n1 = createNetwork(h, driver, '172.18.0.0/16', '172.18.0.1/16');
    const n2 = createNetwork(h, driver, '172.19.0.0/16', '172.19.0.1/16');
    const n3 = createNetwork(h, driver, '172.20.0.0/16', '172.20.0.1/16');
    runContainer(h, driver, n1, '172.18.0.2/16');
    runContainer(h, driver, n2, '172.19.0.2/16');
    runContainer(h, driver, n2, '172.19.0.3/16');
    const names = {
      [driver.bridgeName(n1)!]: 'br-e976242d7be6',
      [driver.bridgeName(n2)!]: 'br-6399a108790b',
      [driver.bridgeName(n3)!]: 'br-022398476e7e',
    };
    expect(rename(iptablesSave(h.ns), names)).toBe(capturedSave('03-two-bridges-connect/host-iptables-save.txt'));
  });

  it('04: published ports give the captured DNAT, ACCEPT and MASQUERADE rules', () => {
    const h = captureHost();
    const { driver, bridgeId } = startDaemon(h);
    // The discarded first run of the capture script had taken (and released) 32768.
    const discarded = runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([publish('80')]));
    removeContainer(h, driver, bridgeId, discarded);
    runContainer(h, driver, bridgeId, '172.17.0.2/16', endpointOptions([publish('8080:80')]));
    runContainer(h, driver, bridgeId, '172.17.0.3/16', endpointOptions([publish('127.0.0.1:8081:80')]));
    runContainer(h, driver, bridgeId, '172.17.0.4/16', endpointOptions([publish('5353:5353/udp')]));
    const h4 = runContainer(h, driver, bridgeId, '172.17.0.5/16', endpointOptions([publish('80')]));
    runContainer(h, driver, bridgeId, '172.17.0.6/16');
    const pubnet = createNetwork(h, driver, '172.24.0.0/16', '172.24.0.1/16');
    runContainer(h, driver, pubnet, '172.24.0.2/16', endpointOptions([publish('8082:80')]));
    runContainer(h, driver, pubnet, '172.24.0.3/16');
    expect(driver.endpointInfo(bridgeId, h4.eid)?.portMapping.map(p => `${p.hostIp}:${p.hostPort}`)).toEqual(['0.0.0.0:32769', ':::32769']);
    expect(rename(iptablesSave(h.ns), { [driver.bridgeName(pubnet)!]: 'br-ef3c0431cf63' })).toBe(capturedSave('04-port-publishing/host-iptables-save.txt'));
  });
});
