// The connection table and the request-side decision (ip_vs_in_hook, ip_vs_schedule,
// ip_vs_sched_persist): entries bypass scheduling, states and timeouts on the engine clock,
// ActiveConn/InActConn, persistence templates, connection reuse, removed servers, fwmark services.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { IPPROTO_UDP, TCP_FIN, TCP_RST } from '../../../src/packet/index.js';
import { accountRequest, ipvsInDecision, stateName, SVC_F_ONEPACKET, SVC_F_PERSISTENT, type IpvsInDecision, type IpvsState } from '../../../src/kernel/ipvs/index.js';
import { ACK, SYN, ip, ipvsNs, must, server, tcp } from './helpers.js';

const VIP = '10.96.0.1';
const svcKey = { fwmark: 0, protocol: 6, addr: ip(VIP), port: 80 };

/** A TCP rr service on VIP:80 with masq servers .1, .2, .3 added in that order (list .3, .2, .1). */
function rrService(ipvs: IpvsState, extra: Partial<{ flags: number; timeout: number; netmask: number; schedName: string }> = {}): void {
  must(ipvs.addService({ ...svcKey, schedName: 'rr', ...extra }));
  for (const n of [1, 2, 3]) must(ipvs.addDest(svcKey, { addr: ip(`192.168.1.${n}`), port: 8080, fwd: 'masq' }));
}

/** ip_vs_in for one packet: the decision, then the state/counter update the hook makes. */
function inPacket(ipvs: IpvsState, pkt: ReturnType<typeof tcp>): IpvsInDecision {
  const d = ipvsInDecision(ipvs, pkt, false);
  if (d.kind === 'conn') {
    accountRequest(ipvs, d.conn, pkt, 60);
    ipvs.conns.put(d.conn);
  }
  return d;
}

describe('scheduling new connections', () => {
  it('schedules SYNs in rr order and creates one entry each', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs);
    const picks = [40001, 40002, 40003, 40004].map(p => server(inPacket(ipvs, tcp('10.0.0.9', p, VIP, 80))));
    expect(picks).toEqual(['192.168.1.3:8080', '192.168.1.2:8080', '192.168.1.1:8080', '192.168.1.3:8080']);
    expect(ipvs.conns.count).toBe(4);
  });

  it('lets later packets of a connection bypass the scheduler', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs);
    const first = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    const again = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    expect(again).toMatchObject({ kind: 'conn', created: false });
    expect(server(again)).toBe(server(first));
    // The rr cursor did not move: the next new connection goes to the next server.
    expect(server(inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80)))).toBe('192.168.1.2:8080');
  });

  it('does not create entries for non-SYN or RST segments, or packets of no service', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs);
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK))).toMatchObject({ kind: 'pass' });
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, SYN | TCP_RST))).toMatchObject({ kind: 'pass' });
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 81))).toMatchObject({ kind: 'pass', why: 'no virtual service' });
    expect(ipvs.conns.count).toBe(0);
  });

  it('reports no backend when every server is quiesced or the service has none', () => {
    const { ipvs } = ipvsNs();
    must(ipvs.addService({ ...svcKey, schedName: 'rr' }));
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80))).toMatchObject({ kind: 'no-backend', why: 'no destination available' });
    must(ipvs.addDest(svcKey, { addr: ip('192.168.1.1'), port: 80, weight: 0 }));
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80)).kind).toBe('no-backend');
  });

  it('a direct-routing destination keeps the service port', () => {
    const { ipvs } = ipvsNs();
    must(ipvs.addService({ ...svcKey, schedName: 'rr' }));
    must(ipvs.addDest(svcKey, { addr: ip('192.168.1.1'), port: 0 }));
    expect(server(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80)))).toBe('192.168.1.1:80');
  });
});

describe('fwmark services', () => {
  it('spreads new connections carrying the mark over three real servers in rr order', () => {
    const { ipvs } = ipvsNs();
    const fwm = { fwmark: 1, protocol: 6, addr: 0, port: 0 };
    must(ipvs.addService({ ...fwm, schedName: 'rr' }));
    for (const n of [2, 3, 4]) must(ipvs.addDest(fwm, { addr: ip(`10.0.${n}.2`), port: 0, fwd: 'masq' }));
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) picks.push(server(inPacket(ipvs, tcp('10.0.1.2', 50000 + i, '10.0.1.100', 80, SYN, 1))));
    expect(picks).toEqual(['10.0.4.2:80', '10.0.3.2:80', '10.0.2.2:80', '10.0.4.2:80', '10.0.3.2:80', '10.0.2.2:80']);
    // Without the mark the packet belongs to no service.
    expect(inPacket(ipvs, tcp('10.0.1.2', 50100, '10.0.1.100', 80, SYN, 0)).kind).toBe('pass');
  });
});

describe('states, timeouts and counters', () => {
  it('moves a connection SYN_RECV -> ESTABLISHED and between InActConn and ActiveConn', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs);
    const d = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    if (d.kind !== 'conn') throw new Error(d.kind);
    const c = d.conn;
    expect(stateName(c.protocol, c.state, false)).toBe('SYN_RECV');
    expect([c.dest.activeConns, c.dest.inactConns]).toEqual([0, 1]);
    // The real server's SYN-ACK (output direction) keeps SYN_RECV; the client's ACK establishes.
    ipvs.conns.setState(c, 'output', SYN | ACK);
    expect(stateName(c.protocol, c.state, false)).toBe('SYN_RECV');
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    expect(stateName(c.protocol, c.state, false)).toBe('ESTABLISHED');
    expect([c.dest.activeConns, c.dest.inactConns]).toEqual([1, 0]);
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, TCP_FIN | ACK));
    expect(stateName(c.protocol, c.state, false)).toBe('CLOSE_WAIT');
    expect([c.dest.activeConns, c.dest.inactConns]).toEqual([0, 1]);
  });

  it('expires entries on the engine clock with the timeout of their state', () => {
    const { world, ipvs } = ipvsNs();
    rrService(ipvs);
    const syn = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    if (syn.kind !== 'conn') throw new Error(syn.kind);
    const dest = syn.conn.dest;
    world.engine.runUntil(59 * SECOND);
    expect(ipvs.conns.count).toBe(1);
    world.engine.runUntil(61 * SECOND);
    expect(ipvs.conns.count).toBe(0);
    expect(dest.inactConns).toBe(0);
    // ESTABLISHED: 900 s from the last packet.
    inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80));
    inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80, ACK));
    world.engine.runUntil(61 * SECOND + 899 * SECOND);
    expect(ipvs.conns.count).toBe(1);
    world.engine.runUntil(61 * SECOND + 901 * SECOND);
    expect(ipvs.conns.count).toBe(0);
  });

  it('gives UDP entries 300 s and counts them inactive', () => {
    const { world, ipvs } = ipvsNs();
    const udpKey = { fwmark: 0, protocol: IPPROTO_UDP, addr: ip(VIP), port: 53 };
    must(ipvs.addService({ ...udpKey, schedName: 'rr' }));
    const dest = must(ipvs.addDest(udpKey, { addr: ip('192.168.1.1'), port: 53, fwd: 'masq' }));
    const pkt = { protocol: IPPROTO_UDP, saddr: ip('10.0.0.9'), sport: 5353, daddr: ip(VIP), dport: 53, mark: 0, tcpFlags: 0 };
    const d = ipvsInDecision(ipvs, pkt, false);
    if (d.kind !== 'conn') throw new Error(d.kind);
    accountRequest(ipvs, d.conn, pkt, 40);
    ipvs.conns.put(d.conn);
    expect(stateName(d.conn.protocol, d.conn.state, false)).toBe('UDP');
    expect([dest.activeConns, dest.inactConns]).toEqual([0, 1]);
    world.engine.runUntil(299 * SECOND);
    expect(ipvs.conns.count).toBe(1);
    world.engine.runUntil(301 * SECOND);
    expect(ipvs.conns.count).toBe(0);
  });

  it('forgets one-packet (--ops) UDP entries right after their packet', () => {
    const { ipvs } = ipvsNs();
    const udpKey = { fwmark: 0, protocol: IPPROTO_UDP, addr: ip(VIP), port: 53 };
    must(ipvs.addService({ ...udpKey, schedName: 'rr', flags: SVC_F_ONEPACKET }));
    must(ipvs.addDest(udpKey, { addr: ip('192.168.1.1'), port: 53, fwd: 'masq' }));
    must(ipvs.addDest(udpKey, { addr: ip('192.168.1.2'), port: 53, fwd: 'masq' }));
    const pkt = { protocol: IPPROTO_UDP, saddr: ip('10.0.0.9'), sport: 5353, daddr: ip(VIP), dport: 53, mark: 0, tcpFlags: 0 };
    const picks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = ipvsInDecision(ipvs, pkt, false);
      picks.push(server(d));
      if (d.kind === 'conn') ipvs.conns.put(d.conn);
    }
    // The same flow is scheduled anew for every datagram.
    expect(picks).toEqual(['192.168.1.2:53', '192.168.1.1:53', '192.168.1.2:53']);
    expect(ipvs.conns.count).toBe(0);
  });

  it('honours ipvsadm --set for the ESTABLISHED, FIN_WAIT and UDP timeouts', () => {
    const { world, ipvs } = ipvsNs();
    rrService(ipvs);
    ipvs.timeouts.set(30, 0, 0);
    expect(ipvs.timeouts.get()).toEqual({ tcp: 30, tcpFin: 120, udp: 300 });
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    world.engine.runUntil(31 * SECOND);
    expect(ipvs.conns.count).toBe(0);
  });

  it('sets OVERLOAD at the upper threshold and clears it below 3/4 of it', () => {
    const { world, ipvs } = ipvsNs();
    must(ipvs.addService({ ...svcKey, schedName: 'rr' }));
    const a = must(ipvs.addDest(svcKey, { addr: ip('192.168.1.1'), port: 80, uThreshold: 2 }));
    must(ipvs.addDest(svcKey, { addr: ip('192.168.1.2'), port: 80 }));
    const picks = [1, 2, 3, 4, 5].map(p => server(inPacket(ipvs, tcp('10.0.0.9', 41000 + p, VIP, 80))));
    // .2 (head), .1, .2, .1 (now 2 connections: overloaded), .2, then .1 is skipped.
    expect(picks).toEqual(['192.168.1.2:80', '192.168.1.1:80', '192.168.1.2:80', '192.168.1.1:80', '192.168.1.2:80']);
    expect(a.overloaded).toBe(true);
    world.engine.runUntil(61 * SECOND);
    expect(a.overloaded).toBe(false);
  });
});

describe('persistence (-p)', () => {
  it('sends a client to the same server within the timeout, whatever its source port', () => {
    const { world, ipvs } = ipvsNs();
    rrService(ipvs, { flags: SVC_F_PERSISTENT, timeout: 300 });
    const a = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    expect(a).toMatchObject({ kind: 'conn', template: 'new' });
    const b = inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80));
    expect(b).toMatchObject({ kind: 'conn', template: 'reused' });
    expect(server(b)).toBe(server(a));
    // Another client gets the next rr server.
    expect(server(inPacket(ipvs, tcp('10.0.0.8', 40001, VIP, 80)))).toBe('192.168.1.2:8080');
    // 200 s later (connections gone after 60 s, template refreshed at t=0): still the same server.
    world.engine.runUntil(200 * SECOND);
    expect(server(inPacket(ipvs, tcp('10.0.0.9', 40003, VIP, 80)))).toBe(server(a));
  });

  it('forgets the client once the template expires (after its connections)', () => {
    const { world, ipvs } = ipvsNs();
    rrService(ipvs, { flags: SVC_F_PERSISTENT, timeout: 300 });
    const a = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    world.engine.runUntil(299 * SECOND);
    expect(ipvs.conns.entries().filter(c => c.template)).toHaveLength(1);
    world.engine.runUntil(301 * SECOND);
    expect(ipvs.conns.count).toBe(0);
    const b = inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80));
    expect(b).toMatchObject({ template: 'new' });
    expect(server(b)).not.toBe(server(a));
  });

  it('keeps a template alive while it controls connections (re-armed every 60 s)', () => {
    const { world, ipvs } = ipvsNs();
    rrService(ipvs, { flags: SVC_F_PERSISTENT, timeout: 300 });
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    world.engine.runUntil(400 * SECOND);
    const tpl = ipvs.conns.entries().find(c => c.template)!;
    expect(tpl.nControl).toBe(1);
    expect(tpl.expiresAt).toBe(420 * SECOND);
  });

  it('groups clients by the -M netmask', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs, { flags: SVC_F_PERSISTENT, timeout: 300, netmask: ip('255.255.255.0') });
    const a = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    const b = inPacket(ipvs, tcp('10.0.0.77', 40001, VIP, 80));
    expect(server(b)).toBe(server(a));
    const tpl = ipvs.conns.entries().find(c => c.template)!;
    expect(tpl.caddr).toBe(ip('10.0.0.0'));
  });

  it('does not use a template whose server was removed, and invalidates it (ports 65535)', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs, { flags: SVC_F_PERSISTENT, timeout: 300 });
    const a = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    if (a.kind !== 'conn') throw new Error(a.kind);
    must(ipvs.delDest(svcKey, a.conn.daddr, a.conn.dport));
    const b = inPacket(ipvs, tcp('10.0.0.9', 40002, VIP, 80));
    expect(b).toMatchObject({ template: 'new' });
    expect(server(b)).not.toBe(server(a));
    const old = ipvs.conns.entries().find(c => c.template && c.dest === a.conn.dest)!;
    expect([old.vport, old.dport]).toEqual([65535, 65535]);
  });
});

describe('connection reuse and removed servers', () => {
  it('reschedules a SYN that hits an entry in TIME_WAIT or CLOSE (conn_reuse_mode 1)', () => {
    const { ipvs } = ipvsNs();
    rrService(ipvs);
    const first = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    // A client RST: ESTABLISHED -> CLOSE (an RST in SYN_RECV would keep SYN_RECV).
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, TCP_RST));
    if (first.kind !== 'conn') throw new Error(first.kind);
    expect(stateName(6, first.conn.state, false)).toBe('CLOSE');
    const again = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    expect(again).toMatchObject({ kind: 'conn', created: true });
    expect(server(again)).toBe('192.168.1.2:8080');
    expect(first.conn.linked).toBe(false);
  });

  it('keeps using an entry in TIME_WAIT with conn_reuse_mode 0', () => {
    const { ns, ipvs } = ipvsNs();
    ns.sysctl.set('net.ipv4.vs.conn_reuse_mode', '0');
    rrService(ipvs);
    const first = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK));
    // A client RST: ESTABLISHED -> CLOSE (an RST in SYN_RECV would keep SYN_RECV).
    inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, TCP_RST));
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80))).toMatchObject({ kind: 'conn', created: false });
    expect(server(first)).toBe('192.168.1.3:8080');
  });

  it('drops packets of a connection whose server was removed, unless expire_nodest_conn', () => {
    const { ns, ipvs } = ipvsNs();
    rrService(ipvs);
    const first = inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80));
    if (first.kind !== 'conn') throw new Error(first.kind);
    must(ipvs.delDest(svcKey, first.conn.daddr, first.conn.dport));
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK))).toMatchObject({ kind: 'drop' });
    ns.sysctl.set('net.ipv4.vs.expire_nodest_conn', '1');
    // The entry is expired; a non-SYN then finds no entry and passes, a SYN is rescheduled.
    expect(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80, ACK))).toMatchObject({ kind: 'pass' });
    expect(server(inPacket(ipvs, tcp('10.0.0.9', 40001, VIP, 80)))).toBe('192.168.1.2:8080');
  });
});
