// The hook glue's other duties: hook order with IPVS-style functions registered at their
// priorities, br_netfilter (bridged DNAT with the reply un-NATed, or not without it), marks and
// connmarks, NOTRACK, LOG lines and their namespace rule, counters, MASQUERADE flushes, a full
// table, and the nf_log dump format.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { conntrackCommand, conntrackOf } from '../../../src/kernel/conntrack/index.js';
import { linkSetDown } from '../../../src/kernel/devices/index.js';
import { runIptablesSave } from '../../../src/kernel/netfilter/index.js';
import { iptablesOf, kernelLog, nfHooksOf, nfLogDump, registerIpvsSlot, type NfHookOp } from '../../../src/kernel/nfhooks/index.js';
import { echoRequest, ipv4Packet, ethernetFrame, mustParseIpv4 } from '../../../src/packet/index.js';
import { must, settle } from '../../support/topology.js';
import { dockerRules, ipt, lab, records, udpClient, udpServer } from './lab.js';

describe('hook order', () => {
  it('runs the tables in priority order and places registered functions by priority', () => {
    const l = lab();
    const hooks = nfHooksOf(l.root);
    const noop: NfHookOp['fn'] = () => 'accept';
    registerIpvsSlot(l.root, {
      ops: [
        { hook: 'INPUT', priority: 98, name: 'ip_vs_out_hook', fn: noop },
        { hook: 'INPUT', priority: 99, name: 'ip_vs_in_hook', fn: noop },
        { hook: 'OUTPUT', priority: -99, name: 'ip_vs_out_hook', fn: noop },
        { hook: 'OUTPUT', priority: -98, name: 'ip_vs_in_hook', fn: noop },
        { hook: 'FORWARD', priority: 100, name: 'ip_vs_out_hook', fn: noop },
      ],
    });
    const names = (hook: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING') => hooks.pipeline(hook).map(s => s.name);
    expect(names('PREROUTING')).toEqual(['raw', 'conntrack', 'mangle', 'nat']);
    expect(names('INPUT')).toEqual(['mangle', 'filter', 'security', 'ip_vs_out_hook', 'ip_vs_in_hook', 'nat', 'confirm']);
    expect(names('FORWARD')).toEqual(['mangle', 'filter', 'security', 'ip_vs_out_hook']);
    expect(names('OUTPUT')).toEqual(['raw', 'conntrack', 'mangle', 'nat', 'ip_vs_out_hook', 'ip_vs_in_hook', 'filter', 'security']);
    expect(names('POSTROUTING')).toEqual(['mangle', 'nat', 'confirm']);
  });

  it('lets a registered function steal a packet: nothing after it runs, nothing is confirmed', () => {
    const l = lab();
    const stolen: number[] = [];
    registerIpvsSlot(l.root, {
      ops: [{ hook: 'INPUT', priority: 99, name: 'ip_vs_in_hook', fn: (_ns, skb) => (stolen.push(skb.id), 'stolen') }],
    });
    const local = udpServer(l.root, 7);
    udpClient(l.client, 40000).send('10.0.0.11:7', 'x');
    settle(l.world);
    expect(stolen).toHaveLength(1);
    expect(local.got).toHaveLength(0);
    expect(conntrackOf(l.root).entries()).toHaveLength(0);
  });
});

describe('br_netfilter', () => {
  function bridgedDnat(brNetfilter: boolean): string[] {
    const l = lab({ brNetfilter });
    iptablesOf(l.root);
    ipt(l.root, '-t nat -A PREROUTING -d 172.17.0.1/32 -p udp -m udp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    udpServer(l.web, 80, { echo: true });
    const c = udpClient(l.c2, 40000);
    c.send('172.17.0.1:8080', 'hi');
    l.world.engine.runFor(SECOND);
    return c.got.map(g => g.from);
  }

  it('un-DNATs the bridged reply between two containers of one bridge', () => {
    expect(bridgedDnat(true)).toEqual(['172.17.0.1:8080']);
  });

  it('lets the reply bypass iptables without it, so it comes from the container address', () => {
    expect(bridgedDnat(false)).toEqual(['172.17.0.2:80']);
  });

  it('shows bridged frames to iptables with the bridge as -i/-o and the ports as physdev', () => {
    const l = lab({ brNetfilter: true });
    ipt(l.root, '-A FORWARD -i docker0 -o docker0 -m physdev --physdev-in veth1 --physdev-out veth2 -j DROP');
    udpServer(l.c2, 80);
    udpClient(l.web, 40000).send('172.17.0.3:80', 'x');
    l.world.engine.runFor(SECOND);
    expect(records(l.world, 'drop', 'root')).toContainEqual(expect.objectContaining({ by: 'filter/FORWARD', rule: 1, hook: 'FORWARD' }));
  });

  it('reads bridge-nf-call-iptables at every frame', () => {
    const l = lab({ brNetfilter: true });
    expect(nfHooksOf(l.root).bridgeCallIptables()).toBe(true);
    must2(l.root.sysctl.set('net.bridge.bridge-nf-call-iptables', '0'));
    expect(nfHooksOf(l.root).bridgeCallIptables()).toBe(false);
  });
});

function must2(r: { ok: boolean }): void {
  if (!r.ok) throw new Error('sysctl failed');
}

describe('marks, NOTRACK, LOG and counters', () => {
  it('saves the packet mark into the connection and restores it on the reply', () => {
    const l = lab();
    dockerRules(l.root);
    ipt(l.root, '-t mangle -A PREROUTING -i docker0 -j MARK --set-mark 0x5');
    ipt(l.root, '-t mangle -A PREROUTING -i docker0 -j CONNMARK --save-mark');
    ipt(l.root, '-t mangle -A PREROUTING -i eth0 -j CONNMARK --restore-mark');
    ipt(l.root, '-I FORWARD 1 -i eth0 -m mark --mark 0x5 -j LOG --log-prefix "restored: "');
    udpServer(l.client, 53, { echo: true });
    udpClient(l.web, 41000).send('10.0.0.100:53', 'q');
    l.world.engine.runFor(SECOND);
    expect(conntrackCommand(conntrackOf(l.root), ['-L']).stdout).toContain('mark=5 use=1');
    expect(kernelLog(l.root.host).some(line => line.startsWith('restored: IN=eth0 OUT=docker0 MAC='))).toBe(true);
  });

  it('leaves NOTRACK packets without an entry, as UNTRACKED', () => {
    const l = lab();
    ipt(l.root, '-t raw -A PREROUTING -p udp -j NOTRACK');
    ipt(l.root, '-A INPUT -m state --state UNTRACKED -j ACCEPT');
    udpServer(l.root, 7);
    udpClient(l.client, 40000).send('10.0.0.11:7', 'x');
    l.world.engine.runFor(SECOND);
    expect(conntrackOf(l.root).entries()).toHaveLength(0);
    expect(runIptablesSave(iptablesOf(l.root), ['-c', '-t', 'filter']).stdout).toContain('[1:29] -A INPUT -m state --state UNTRACKED -j ACCEPT');
  });

  it('writes LOG lines only from the initial namespace unless nf_log_all_netns=1', () => {
    const l = lab();
    ipt(l.web, '-A INPUT -p udp -j LOG --log-prefix "web: "');
    udpServer(l.web, 80);
    const c = udpClient(l.c2, 40000);
    c.send('172.17.0.2:80', 'x');
    l.world.engine.runFor(SECOND);
    expect(kernelLog(l.root.host)).toEqual([]);
    must2(l.root.sysctl.set('net.netfilter.nf_log_all_netns', '1'));
    c.send('172.17.0.2:80', 'y');
    l.world.engine.runFor(SECOND);
    expect(kernelLog(l.root.host)).toHaveLength(1);
    expect(kernelLog(l.root.host)[0]).toMatch(/^web: IN=eth0 OUT= MAC=02:42:ac:11:00:02:02:42:ac:11:00:03:08:00 SRC=172\.17\.0\.3 DST=172\.17\.0\.2 /);
  });
});

describe('conntrack housekeeping driven by the glue', () => {
  it('flushes MASQUERADEd entries when their device goes down', () => {
    const l = lab();
    dockerRules(l.root);
    udpServer(l.client, 53);
    udpClient(l.web, 41000).send('10.0.0.100:53', 'q');
    l.world.engine.runFor(SECOND);
    expect(conntrackOf(l.root).entries()).toHaveLength(1);
    must(linkSetDown(l.root, l.hostEth0));
    expect(conntrackOf(l.root).entries()).toHaveLength(0);
  });

  it('drops new connections when the table is full (nf_conntrack_max)', () => {
    const l = lab();
    iptablesOf(l.root);
    must2(l.root.sysctl.set('net.netfilter.nf_conntrack_max', '1'));
    const local = udpServer(l.root, 7);
    udpClient(l.client, 40000).send('10.0.0.11:7', 'a');
    udpClient(l.client, 40001).send('10.0.0.11:7', 'b');
    l.world.engine.runFor(SECOND);
    expect(local.got.map(g => g.text)).toEqual(['a']);
    expect(records(l.world, 'drop', 'root')).toContainEqual(expect.objectContaining({ reason: 'conntrack-invalid', by: 'conntrack' }));
  });
});

describe('nf_log dump', () => {
  it('prints the TRACE example of linux-primitives 1.7', () => {
    const ip = { ...ipv4Packet({ src: mustParseIpv4('172.17.0.2'), dst: mustParseIpv4('8.8.8.8'), id: 4242, df: true, payload: echoRequest(7, 1, new Uint8Array(56)) }) };
    const frame = ethernetFrame({ src: 0x0242_ac11_0002, dst: 0x0242_1e00_0001, payload: ip });
    const dump = nfLogDump({ inDev: 'eth0', outDev: undefined, physIn: undefined, physOut: undefined, frame, ip, mark: 0 }, 0x2f);
    expect(`TRACE: raw:PREROUTING:policy:2 ${dump}`).toBe(
      'TRACE: raw:PREROUTING:policy:2 IN=eth0 OUT= MACSRC=02:42:ac:11:00:02 MACDST=02:42:1e:00:00:01 MACPROTO=0800 SRC=172.17.0.2 DST=8.8.8.8 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4242 DF PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ',
    );
  });
});


