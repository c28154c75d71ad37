// `ip link` / `ip -d link` data: operstate, `@ifN` and link-netnsid, and detail lines matching a
// real Docker 20.10 host's output (reference/docker-20.10/01-default-bridge).
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { BridgeDevice, linkAddVeth, linkDetailLines, linkSuffix, operState, type MacvlanDevice, type VlanDevice } from '../../../src/kernel/devices/index.js';
import { add, bridgeTopology, must, newHost, newWorld, up } from '../../support/topology.js';

describe('link details', () => {
  it('docker0 with no ports is DOWN with NO-CARRIER; lo and dummies are UNKNOWN once up', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    const docker0 = add(root, { type: 'bridge', name: 'docker0', mac: 0x0242_8526_8920 }) as BridgeDevice;
    up(docker0, root.device('lo')!);
    const d = add(root, { type: 'dummy', name: 'd0' });
    expect(operState(docker0)).toBe('DOWN');
    expect(operState(root.device('lo')!)).toBe('UNKNOWN');
    expect(operState(d)).toBe('DOWN');
    up(d);
    expect(operState(d)).toBe('UNKNOWN');
  });

  it('prints the bridge line as a Docker host does', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const docker0 = add(host.rootNs, { type: 'bridge', name: 'docker0', mac: 0x0242_8526_8920 }) as BridgeDevice;
    const line = linkDetailLines(docker0)[0]!;
    expect(line.startsWith('bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.2:42:85:26:89:20 designated_root 8000.2:42:85:26:89:20 root_port 0')).toBe(true);
    expect(line.endsWith('nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0')).toBe(true);
    docker0.ageingTime = 10 * SECOND;
    expect(linkDetailLines(docker0)[0]).toContain('ageing_time 1000 ');
  });

  it('shows veth ports as `veth` plus a bridge_slave line, and @ifN with link-netnsid across namespaces', () => {
    const { br, containers } = bridgeTopology(2, { bridgeMac: 0x0242_8526_8920 });
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    const lines = linkDetailLines(c1.hostVeth);
    expect(lines[0]).toBe('veth');
    expect(lines[1]).toMatch(/^bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000\.2:42:85:26:89:20 /);
    expect(linkSuffix(c1.hostVeth)).toEqual({ suffix: `@if${c1.eth0.ifindex}`, netnsId: 0 });
    expect(linkSuffix(c2.hostVeth)).toEqual({ suffix: `@if${c2.eth0.ifindex}`, netnsId: 1 });
    expect(linkSuffix(c1.eth0)).toEqual({ suffix: `@if${c1.hostVeth.ifindex}`, netnsId: 0 });
    expect(linkDetailLines(br)).toHaveLength(1);
  });

  it('VLAN and macvlan lines, and @parent in the same namespace', () => {
    const world = newWorld();
    const host = newHost(world, 'h');
    const root = host.rootNs;
    must(linkAddVeth(root, 'eth0', 'peer0'));
    const v = add(root, { type: 'vlan', name: 'eth0.10', link: 'eth0', id: 10 }) as VlanDevice;
    const m = add(root, { type: 'macvlan', name: 'mv0', link: 'eth0.10', mode: 'bridge' }) as MacvlanDevice;
    expect(linkDetailLines(v)).toEqual(['vlan protocol 802.1Q id 10 <REORDER_HDR>']);
    expect(linkDetailLines(m)).toEqual(['macvlan mode bridge bcqueuelen 1000 usedbcqueuelen 1000']);
    expect(linkSuffix(v).suffix).toBe('@eth0');
    up(m);
    expect(operState(m)).toBe('LOWERLAYERDOWN');
  });
});
