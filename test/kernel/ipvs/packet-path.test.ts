// IPVS on the real packet path: the namespace's netfilter hooks (nfhooks) call IPVS at its
// priorities; mangle marks packets for a fwmark service; masquerading sends requests through
// LOCAL_OUT/POSTROUTING (not FORWARD) and un-NATs replies in FORWARD; direct routing changes only
// the destination MAC; no backend answers ICMP port unreachable; vs.conntrack=1 lets nat
// POSTROUTING masquerade IPVS traffic.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { conntrackOf } from '../../../src/kernel/conntrack/index.js';
import { ipv4Of } from '../../../src/kernel/index.js';
import { ipvsOf } from '../../../src/kernel/ipvs/index.js';
import { decodeIpv4, formatMac, mustParseCidr, mustParseIpv4 as ip, type Ipv4Repr } from '../../../src/packet/index.js';
import { ipt, ipvsLab, ipvsadm, tcpConnect, tcpServer, type Served } from './lab.js';

function records(world: ReturnType<typeof ipvsLab>['world'], kind: string, netns?: string): Record<string, unknown>[] {
  return world.trace.records
    .filter(r => r.kind === kind && (netns === undefined || r.location.netns === netns))
    .map(r => ({ ...r.detail, packet: r.packetId }));
}

describe('fwmark service over three backends (masquerading)', () => {
  it('marks in mangle PREROUTING, schedules in rr order, and the replies come back from the VIP', () => {
    const l = ipvsLab();
    ipt(l.director, '-t mangle -A PREROUTING -d 10.0.1.100/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x1/0xffffffff');
    ipvsadm(l.director, '-A -f 1 -s rr');
    for (const n of [2, 3, 4]) ipvsadm(l.director, `-a -f 1 -r 10.0.${n}.2:80 -m`);
    const served: Served[] = [];
    l.rs.forEach((ns, i) => tcpServer(ns, 80, `rs${i + 1}`, served));
    const conns = [0, 1, 2, 3, 4, 5].map(() => tcpConnect(l.client, '10.0.1.100:80'));
    l.world.engine.runFor(SECOND);
    // The list is rs3, rs2, rs1 (newest first), so rr starts with rs3.
    expect(conns.map(c => c.got.join(''))).toEqual(['rs3', 'rs2', 'rs1', 'rs3', 'rs2', 'rs1']);
    expect(conns.every(c => c.sock.state === 'ESTABLISHED' && c.errors.length === 0)).toBe(true);
    // The servers saw the real client address (no SNAT) and their own address (DNAT).
    expect(served.map(s => s.server).sort()).toEqual(['rs1', 'rs1', 'rs2', 'rs2', 'rs3', 'rs3']);
    expect(served.every(s => s.peer.startsWith('10.0.1.2:'))).toBe(true);
    expect(served.find(s => s.server === 'rs3')!.local).toBe('10.0.4.2:80');
    const ipvs = ipvsOf(l.director);
    expect(ipvs.conns.entries().every(c => c.state === 1)).toBe(true);
    expect(ipvsadm(l.director, '-Ln')).toContain('  -> 10.0.2.2:80                  Masq    1      2          0         \n');
    // One ipvs decision record per new connection, naming service, scheduler and server.
    const decisions = records(l.world, 'ipvs', 'director').filter(r => r['connection'] === 'new');
    expect(decisions.map(r => r['server'])).toEqual(['10.0.4.2:80', '10.0.3.2:80', '10.0.2.2:80', '10.0.4.2:80', '10.0.3.2:80', '10.0.2.2:80']);
    expect(decisions[0]).toMatchObject({ service: 'FWM 1', scheduler: 'rr', method: 'masq' });
  });

  it('sends the masqueraded request through OUTPUT and POSTROUTING, never FORWARD, with TTL - 1', () => {
    const l = ipvsLab();
    ipt(l.director, '-t mangle -A PREROUTING -d 10.0.1.100/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x1/0xffffffff');
    ipt(l.director, '-A FORWARD -d 10.0.2.0/24 -j DROP');
    ipvsadm(l.director, '-A -f 1 -s rr');
    ipvsadm(l.director, '-a -f 1 -r 10.0.2.2:80 -m');
    const served: Served[] = [];
    tcpServer(l.rs[0]!, 80, 'rs1', served);
    const c = tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    // filter FORWARD drops everything to 10.0.2.0/24, yet the connection works.
    expect(c.got).toEqual(['rs1']);
    const syn = records(l.world, 'rewrite', 'director').find(r => r['by'] === 'ipvs-masq')!;
    expect(syn['after']).toMatch(/^10\.0\.1\.2:\d+ > 10\.0\.2\.2:80$/);
    expect(syn['ttl']).toBe(63);
    const synRecords = l.world.trace.records.filter(r => r.packetId === syn['packet'] && r.location.netns === 'director');
    const chains = synRecords.filter(r => r.kind === 'netfilter').map(r => `${String(r.detail['table'])}/${String(r.detail['chain'])}`);
    expect(chains).toContain('mangle/PREROUTING');
    expect(chains).not.toContain('filter/FORWARD');
  });
});

describe('TCP service by VIP', () => {
  it('answers a VIP without backends with ICMP port unreachable and drops ipvs-no-backend', () => {
    const l = ipvsLab();
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    const c = tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    expect(l.director.drops.get('ipvs-no-backend')).toBe(1);
    expect(c.errors).toEqual(['ECONNREFUSED']);
    const drop = records(l.world, 'drop', 'director').find(r => r['reason'] === 'ipvs-no-backend')!;
    expect(drop).toMatchObject({ service: 'TCP 10.0.1.100:80', scheduler: 'rr' });
  });

  it('direct routing leaves the IP header alone and sends the frame to the real server MAC', () => {
    const l = ipvsLab();
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.2.2 -g');
    // The real server owns the VIP on lo (arp_ignore would keep it quiet on eth0).
    const lo = l.rs[0]!.device('lo')!;
    const r = ipv4Of(l.rs[0]!).addrAdd(lo, mustParseCidr('10.0.1.100/32'));
    if (!r.ok) throw new Error(r.error);
    const served: Served[] = [];
    const listener = tcpServer(l.rs[0]!, 80, 'rs1', served);
    tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    // The SYN reached the real server addressed to the VIP: a child waits in SYN_RECV.
    expect([...listener.pendingChildren].map(c => c.state)).toEqual(['SYN_RECV']);
    expect([...listener.pendingChildren][0]!.localAddr).toBe(ip('10.0.1.100'));
    const tx = l.world.trace.records.find(
      x => x.kind === 'transmit' && x.location.netns === 'director' && x.location.device === 'eth1' && x.detail['etherType'] === 0x0800,
    )!;
    expect(tx.detail['dst']).toBe(formatMac(l.rsEth0[0]!.mac));
    expect(records(l.world, 'rewrite', 'director')[0]).toMatchObject({ by: 'ipvs-dr', nexthop: '10.0.2.2', ttl: 63 });
    // DR sees only the inbound direction: the SYN-ACK from the VIP, routed back through the
    // director, is a martian there (its source is a local address of the director).
    expect(l.director.drops.get('martian')).toBeGreaterThan(0);
    expect(ipvsOf(l.director).conns.entries()[0]!.noOutput).toBe(true);
  });

  it('IPIP tunnelling wraps the request in an outer header from the director to the real server', () => {
    const l = ipvsLab();
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.2.2 -i');
    const seen: Ipv4Repr[] = [];
    l.rsEth0[0]!.taps.add((_dev, skb, dir) => {
      if (dir === 'rx' && skb.frame.payload.kind === 'ipv4') seen.push(skb.frame.payload);
    });
    tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND / 10);
    const outer = seen.find(x => x.protocol === 4)!;
    expect(outer).toMatchObject({ src: ip('10.0.2.1'), dst: ip('10.0.2.2'), ttl: 63 });
    if (outer.payload.kind !== 'payload') throw new Error(outer.payload.kind);
    const inner = decodeIpv4(outer.payload.bytes);
    if (!inner.ok) throw new Error(inner.issue.message);
    expect(inner.value).toMatchObject({ src: ip('10.0.1.2'), dst: ip('10.0.1.100'), ttl: 63, protocol: 6 });
    expect(records(l.world, 'encap', 'director')[0]).toMatchObject({ by: 'ipvs-ipip', outerDst: '10.0.2.2' });
  });

  it('with vs.conntrack=1 nat POSTROUTING can MASQUERADE IPVS traffic (-m ipvs), and the reply is un-NATed', () => {
    const l = ipvsLab();
    l.director.sysctl.set('net.ipv4.vs.conntrack', '1');
    ipt(l.director, '-t nat -A POSTROUTING -m ipvs --vaddr 10.0.1.100/32 --vport 80 -j MASQUERADE');
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.2.2 -m');
    const served: Served[] = [];
    tcpServer(l.rs[0]!, 80, 'rs1', served);
    const c = tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    expect(c.got).toEqual(['rs1']);
    // The real server saw the director's address on its link, not the client.
    expect(served[0]!.peer.startsWith('10.0.2.1:')).toBe(true);
    const entry = conntrackOf(l.director).entries()[0]!;
    expect(entry.srcNat).toBe(true);
  });

  it('without vs.conntrack the IPVS traffic is untracked, so the same MASQUERADE rule does nothing', () => {
    const l = ipvsLab();
    ipt(l.director, '-t nat -A POSTROUTING -m ipvs --vaddr 10.0.1.100/32 --vport 80 -j MASQUERADE');
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.2.2 -m');
    const served: Served[] = [];
    tcpServer(l.rs[0]!, 80, 'rs1', served);
    const c = tcpConnect(l.client, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    expect(c.got).toEqual(['rs1']);
    expect(served[0]!.peer.startsWith('10.0.1.2:')).toBe(true);
    expect(conntrackOf(l.director).entries()).toEqual([]);
  });

  it('schedules connections of a local client in OUTPUT', () => {
    const l = ipvsLab();
    ipvsadm(l.director, '-A -t 10.0.1.100:80 -s rr');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.2.2 -m');
    ipvsadm(l.director, '-a -t 10.0.1.100:80 -r 10.0.3.2 -m');
    const served: Served[] = [];
    l.rs.forEach((ns, i) => tcpServer(ns, 80, `rs${i + 1}`, served));
    const a = tcpConnect(l.director, '10.0.1.100:80');
    const b = tcpConnect(l.director, '10.0.1.100:80');
    l.world.engine.runFor(SECOND);
    expect([a.got.join(''), b.got.join('')]).toEqual(['rs2', 'rs1']);
  });
});
