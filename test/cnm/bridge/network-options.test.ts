// Bridge network options and errors: conflicts, IPAM data checks, internal networks, ICC off,
// SNAT instead of MASQUERADE, legacy links, and the rollback of a failed creation.
import { describe, expect, it } from 'vitest';
import { iptablesOf, runIptables } from '../../../src/kernel/index.js';
import { captureHost, createNetwork, endpointOptions, ipamData, iptablesSave, newId, netReq, runContainer, startDaemon, type CaptureHost } from './capture-host.js';
import type { BridgeDriver } from '../../../src/cnm/drivers/bridge/index.js';

function error(r: { ok: boolean; error?: { kind: string; message: string } }): string {
  return r.ok ? 'ok' : `${r.error!.kind}: ${r.error!.message}`;
}

/** The rule lines of one chain of `iptables-save`. */
function chain(h: CaptureHost, table: 'filter' | 'nat', name: string): string[] {
  const text = iptablesSave(h.ns).split(`*${table}\n`)[1]!.split('COMMIT')[0]!;
  return text.split('\n').filter(l => l.startsWith(`-A ${name} `));
}

function boot(): { h: CaptureHost; driver: BridgeDriver; bridgeId: string } {
  const h = captureHost();
  return { h, ...startDaemon(h) };
}

describe('bridge network options', () => {
  it('refuses empty and multiple IPv4 pools, and overlapping or same-named bridges', () => {
    const { h, driver, bridgeId } = boot();
    const id = newId(h);
    expect(error(driver.createNetwork({ ...netReq(id, 'x', '10.1.0.0/24', '10.1.0.1/24'), ipv4: [] }))).toBe('invalidParameter: ipv4 pool is empty');
    const two = { ...netReq(id, 'x', '10.1.0.0/24', '10.1.0.1/24') };
    expect(error(driver.createNetwork({ ...two, ipv4: [ipamData('10.1.0.0/24', '10.1.0.1/24'), ipamData('10.2.0.0/24', '10.2.0.1/24')] }))).toBe(
      "forbidden: bridge driver doesn't support multiple subnets",
    );
    const user = createNetwork(h, driver, '10.20.0.0/16', '10.20.0.1/16');
    expect(error(driver.createNetwork(netReq(id, 'x', '10.20.5.0/24', '10.20.5.1/24')))).toBe(
      `forbidden: cannot create network ${id} (br-${id.slice(0, 12)}): conflicts with network ${user} (br-${user.slice(0, 12)}): networks have overlapping IPv4`,
    );
    const named = createNetwork(h, driver, '10.3.0.0/24', '10.3.0.1/24', { 'com.docker.network.bridge.name': 'mybr' });
    const id2 = newId(h);
    expect(error(driver.createNetwork(netReq(id2, 'y', '10.4.0.0/24', '10.4.0.1/24', { 'com.docker.network.bridge.name': 'mybr' })))).toBe(
      `forbidden: cannot create network ${id2} (mybr): conflicts with network ${named} (mybr): networks have same bridge name`,
    );
    expect(error(driver.createNetwork(netReq(id2, 'y', '10.4.0.0/24', '10.4.0.1/24', { 'com.docker.network.bridge.enable_icc': 'maybe' })))).toBe(
      'invalidParameter: failed to parse com.docker.network.bridge.enable_icc value: maybe (strconv.ParseBool: parsing "maybe": invalid syntax)',
    );
    expect(error(driver.createNetwork(netReq(id2, 'y', '10.4.0.0/24', '10.4.0.1/24', { 'com.docker.network.bridge.name': 'eth0' })))).toBe(
      'system: existing interface eth0 is not a bridge',
    );
    expect(error(driver.createNetwork(netReq(named, 'z', '10.5.0.0/24', '10.5.0.1/24')))).toBe(`forbidden: network ${named} exists`);
    // Overlapping the default bridge marks it stale: it is deleted and the new network created
    // (upstream; IPAM's "Pool overlaps" normally stops such a request before the driver).
    expect(error(driver.createNetwork(netReq(id, 'x', '172.17.5.0/24', '172.17.5.1/24')))).toBe('ok');
    expect(driver.networkIds()).not.toContain(bridgeId);
    expect(iptablesSave(h.ns)).not.toContain('docker0');
  });

  it('an internal network drops what would leave or enter its subnet, and gets no NAT', () => {
    const { h, driver } = boot();
    const id = newId(h);
    expect(driver.createNetwork(netReq(id, 'int', '10.10.0.0/24', '10.10.0.1/24', {}, true)).ok).toBe(true);
    expect(driver.arrangeUserFilterRule().ok).toBe(true);
    const br = `br-${id.slice(0, 12)}`;
    expect(chain(h, 'filter', 'DOCKER-ISOLATION-STAGE-1')).toEqual([
      `-A DOCKER-ISOLATION-STAGE-1 ! -s 10.10.0.0/24 -o ${br} -j DROP`,
      `-A DOCKER-ISOLATION-STAGE-1 ! -d 10.10.0.0/24 -i ${br} -j DROP`,
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ]);
    expect(chain(h, 'filter', 'FORWARD').slice(0, 4)).toEqual([
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      `-A FORWARD -i ${br} -o ${br} -j ACCEPT`,
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ]);
    expect(iptablesSave(h.ns)).not.toMatch(new RegExp(`-s 10\\.10\\.0\\.0/24 ! -o ${br} -j MASQUERADE`));
    expect(driver.deleteNetwork(id).ok).toBe(true);
    expect(iptablesSave(h.ns)).not.toContain(br);
  });

  it('ICC off appends the DROP at the end of FORWARD and turns bridge-nf-call-iptables on', () => {
    const { h, driver } = boot();
    h.ns.sysctl.set('net.bridge.bridge-nf-call-iptables', '0');
    const id = createNetwork(h, driver, '10.11.0.0/24', '10.11.0.1/24', { 'com.docker.network.bridge.enable_icc': 'false' });
    const br = `br-${id.slice(0, 12)}`;
    const forward = chain(h, 'filter', 'FORWARD');
    expect(forward.at(-1)).toBe(`-A FORWARD -i ${br} -o ${br} -j DROP`);
    expect(forward).not.toContain(`-A FORWARD -i ${br} -o ${br} -j ACCEPT`);
    expect(h.ns.sysctl.get('net.bridge.bridge-nf-call-iptables')).toEqual({ ok: true, value: '1' });
  });

  it('masquerade off leaves out the NAT and SKIP DNAT rules; host_ipv4 makes it SNAT', () => {
    const { h, driver } = boot();
    const off = createNetwork(h, driver, '10.12.0.0/24', '10.12.0.1/24', { 'com.docker.network.bridge.enable_ip_masquerade': 'false' });
    const snat = createNetwork(h, driver, '10.13.0.0/24', '10.13.0.1/24', { 'com.docker.network.host_ipv4': '192.0.2.2' });
    const nat = [...chain(h, 'nat', 'POSTROUTING'), ...chain(h, 'nat', 'DOCKER')].join('\n');
    expect(nat).not.toContain(`br-${off.slice(0, 12)}`);
    expect(nat).toContain(`-A POSTROUTING -s 10.13.0.0/24 ! -o br-${snat.slice(0, 12)} -j SNAT --to-source 192.0.2.2`);
    expect(nat).toContain(`-A DOCKER -i br-${snat.slice(0, 12)} -j RETURN`);
  });

  it('legacy links open the linked ports between two containers with ICC off', () => {
    const h = captureHost();
    const { driver } = startDaemon(h);
    const id = createNetwork(h, driver, '10.14.0.0/24', '10.14.0.1/24', { 'com.docker.network.bridge.enable_icc': 'false' });
    const br = `br-${id.slice(0, 12)}`;
    const child = runContainer(h, driver, id, '10.14.0.2/24', { ...endpointOptions(), exposedPorts: [{ proto: 'tcp', port: 80 }] });
    const parent = runContainer(h, driver, id, '10.14.0.3/24', { ...endpointOptions(), generic: new Map([['ChildEndpoints', child.eid]]) });
    expect(chain(h, 'filter', 'DOCKER')).toEqual([
      `-A DOCKER -s 10.14.0.3/32 -d 10.14.0.2/32 -i ${br} -o ${br} -p tcp -m tcp --dport 80 -j ACCEPT`,
      `-A DOCKER -s 10.14.0.2/32 -d 10.14.0.3/32 -i ${br} -o ${br} -p tcp -m tcp --sport 80 -j ACCEPT`,
    ]);
    // The parent leaving takes the pair back out.
    expect(driver.leave(id, parent.eid).ok).toBe(true);
    expect(chain(h, 'filter', 'DOCKER')).toEqual([]);
  });

  it('a failed creation is undone: no bridge, no rules, the network unknown', () => {
    const { h, driver } = boot();
    // `iptables -F; iptables -X`: Docker's filter chains are gone until the daemon restarts.
    runIptables(iptablesOf(h.ns), ['-F']);
    runIptables(iptablesOf(h.ns), ['-X']);
    const before = iptablesSave(h.ns);
    const id = newId(h);
    const br = `br-${id.slice(0, 12)}`;
    const r = driver.createNetwork(netReq(id, 'broken', '10.15.0.0/24', '10.15.0.1/24'));
    expect(error(r)).toMatch(new RegExp(`^system: Failed to program FILTER chain: iptables failed: iptables --wait -t filter -I FORWARD -o ${br} -j DOCKER: .*\\(exit status \\d\\)$`, 's'));
    expect(iptablesSave(h.ns)).toBe(before);
    expect(h.ns.device(br)).toBeUndefined();
    expect(driver.networkIds()).not.toContain(id);
    expect(driver.log.lines(`create network ${id.slice(0, 12)}`)).toEqual([
      'setupDevice: applied',
      'setupDefaultSysctl: applied',
      'setupBridgeIPv4: applied',
      'setupIPTables: failed',
      'setupBridgeIPv4: undone',
      'setupDevice: undone',
    ]);
  });

  it('a failed endpoint creation leaves no veth behind', () => {
    const { h, driver } = boot();
    const id = createNetwork(h, driver, '10.16.0.0/24', '10.16.0.1/24', { 'com.docker.network.driver.mtu': '70000' });
    const eid = newId(h);
    const r = driver.createEndpoint(id, eid, { address: { address: 0x0a100002, prefix: 24 }, mac: undefined }, endpointOptions());
    expect(error(r)).toMatch(/^system: failed to set MTU on host interface veth[0-9a-f]{7}: mtu greater than device maximum\.$/);
    expect([...h.ns.devices.values()].filter(d => d.kind === 'veth')).toEqual([]);
    expect(driver.endpointInfo(id, eid)).toBeUndefined();
  });
});
