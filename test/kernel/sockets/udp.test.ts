import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import type { Errno, UdpDatagram } from '../../../src/kernel/sockets/index.js';
import { payloadText, type PayloadRepr } from '../../../src/packet/index.js';
import { sentFrames, settle, vethPair } from './net.js';

function textOf(d: UdpDatagram): string {
  return payloadText(d.payload as PayloadRepr);
}

describe('UDP send and receive', () => {
  it('delivers a datagram to the bound socket and the reply to the ephemeral port', () => {
    const p = vethPair();
    const server = p.sb.udp();
    expect(server.bind(0, 5353).ok).toBe(true);
    const seen: string[] = [];
    server.onMessage = d => {
      seen.push(`${textOf(d)} from ${d.src.toString(16)}:${d.srcPort} ttl ${d.ttl} on ${d.dev}`);
      server.send(`echo:${textOf(d)}`, { addr: d.src, port: d.srcPort });
    };
    const client = p.sa.udp();
    let reply = '';
    client.onMessage = d => (reply = textOf(d));
    expect(client.send('ping', { addr: p.ipB, port: 5353 }).ok).toBe(true);
    settle(p.world);
    expect(client.localPort).toBeGreaterThanOrEqual(32768);
    expect(client.localPort).toBeLessThanOrEqual(60999);
    expect(seen).toEqual([`ping from a000001:${client.localPort} ttl 64 on eth0`]);
    expect(reply).toBe('echo:ping');
  });

  it('binds: EADDRINUSE for a taken port, EADDRNOTAVAIL for a foreign address, 127/8 is local', () => {
    const p = vethPair();
    expect(p.sb.udp().bind(0, 53).ok).toBe(true);
    expect(p.sb.udp().bind(p.ipB, 53)).toEqual({ ok: false, errno: 'EADDRINUSE' });
    expect(p.sb.udp().bind(0x0a000063, 54)).toEqual({ ok: false, errno: 'EADDRNOTAVAIL' });
    expect(p.sb.udp().bind(0x7f00000b, 53).ok).toBe(false); // overlaps the wildcard on 53
    expect(p.sb.udp().bind(0x7f00000b, 0).ok).toBe(true); // 127.0.0.11, as Docker's resolver binds
  });

  it('chooses the most specific socket: bound address and connected peer beat the wildcard', () => {
    const p = vethPair();
    const wild = p.sb.udp();
    wild.reuseAddr = true;
    wild.bind(0, 7000);
    const exact = p.sb.udp();
    exact.reuseAddr = true;
    exact.bind(p.ipB, 7000);
    const got: string[] = [];
    wild.onMessage = d => got.push(`wild got ${textOf(d)}`);
    exact.onMessage = d => got.push(`exact got ${textOf(d)}`);
    p.sa.udp().send('x', { addr: p.ipB, port: 7000 });
    const local = p.sb.udp();
    local.send('y', { addr: 0x7f000001, port: 7000 });
    settle(p.world);
    expect(got.sort()).toEqual(['exact got x', 'wild got y']);
  });

  it('connect() fixes the source address from the route and filters other senders', () => {
    const p = vethPair();
    const s = p.sa.udp();
    expect(s.connect(p.ipB, 9).ok).toBe(true);
    expect(s.localAddr).toBe(p.ipA);
    expect(s.connected).toBe(true);
    const u = p.sa.udp();
    expect(u.connect(0x08080808, 53)).toEqual({ ok: false, errno: 'ENETUNREACH' });
  });
});

describe('UDP and ICMP errors', () => {
  it('nobody listening: the peer answers ICMP port unreachable', () => {
    const p = vethPair();
    const fromB = sentFrames(p.b);
    p.sa.udp().send('x', { addr: p.ipB, port: 9999 });
    settle(p.world);
    const icmp = fromB.map(f => f.frame.payload).find(x => x.kind === 'ipv4' && x.payload.kind === 'icmp');
    expect(icmp?.kind === 'ipv4' && icmp.payload.kind === 'icmp' && icmp.payload.type).toBe('dest-unreachable');
    expect(p.b.drops.get('port-unreachable')).toBe(1);
  });

  it('a connected socket gets ECONNREFUSED, reported and returned by the next send', () => {
    const p = vethPair();
    const s = p.sa.udp();
    s.connect(p.ipB, 9999);
    const errors: Errno[] = [];
    s.onError = e => errors.push(e);
    s.send('x');
    settle(p.world);
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(s.send('y')).toEqual({ ok: false, errno: 'ECONNREFUSED' });
    expect(s.send('z').ok).toBe(true);
  });

  it('an unconnected socket is not told about the error', () => {
    const p = vethPair();
    const s = p.sa.udp();
    const errors: Errno[] = [];
    s.onError = e => errors.push(e);
    s.send('x', { addr: p.ipB, port: 9999 });
    settle(p.world);
    expect(errors).toEqual([]);
    expect(s.send('y', { addr: p.ipB, port: 9999 }).ok).toBe(true);
  });

  it('a send without a route fails at once with ENETUNREACH; to a broadcast needs SO_BROADCAST', () => {
    const p = vethPair();
    const s = p.sa.udp();
    expect(s.send('x', { addr: 0x08080808, port: 53 })).toEqual({ ok: false, errno: 'ENETUNREACH' });
    expect(s.send('x', { addr: 0xffffffff, port: 67 })).toEqual({ ok: false, errno: 'EACCES' });
    expect(s.send('x')).toEqual({ ok: false, errno: 'ENOTCONN' });
  });
});

describe('ephemeral ports', () => {
  it('are drawn from the seeded ephemeral-port stream: same seed, same ports', () => {
    const ports = (seed: number): number[] => {
      const p = vethPair({ seed });
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = p.sa.udp();
        s.bind(0, 0);
        out.push(s.localPort);
      }
      return out;
    };
    expect(ports(3)).toEqual(ports(3));
    expect(ports(3)).not.toEqual(ports(4));
    for (const port of ports(3)) {
      expect(port).toBeGreaterThanOrEqual(32768);
      expect(port).toBeLessThanOrEqual(60999);
    }
  });

  it('follow net.ipv4.ip_local_port_range', () => {
    const p = vethPair();
    expect(p.a.sysctl.set('net.ipv4.ip_local_port_range', '40000 40001').ok).toBe(true);
    const taken = [p.sa.udp(), p.sa.udp()].map(s => (s.bind(0, 0), s.localPort)).sort();
    expect(taken).toEqual([40000, 40001]);
    expect(p.sa.udp().bind(0, 0)).toEqual({ ok: false, errno: 'EADDRINUSE' });
  });

  it('a closed socket frees its port', () => {
    const p = vethPair();
    const s = p.sb.udp();
    s.bind(0, 53);
    s.close();
    expect(p.sb.udp().bind(0, 53).ok).toBe(true);
    p.world.engine.runFor(SECOND);
  });
});
