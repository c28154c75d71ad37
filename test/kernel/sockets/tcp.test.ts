import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import type { Errno, TcpSocket } from '../../../src/kernel/sockets/index.js';
import { TCP_ACK, TCP_PSH, TCP_RST, TCP_SYN, tcpFlagsText } from '../../../src/packet/index.js';
import { dropInput, sentFrames, sentSegments, settle, vethPair } from './net.js';

const decoder = new TextDecoder();

/** A listener on b:80 whose accepted connections echo what they get, upper-cased, then close. */
function upperServer(sb: ReturnType<typeof vethPair>['sb']): TcpSocket {
  const l = sb.tcp();
  expect(l.bind(0, 80).ok).toBe(true);
  expect(l.listen(16).ok).toBe(true);
  l.onAccept = c => {
    c.onData = d => c.send(decoder.decode(d).toUpperCase());
    c.onEnd = () => c.close();
  };
  return l;
}

describe('TCP three-way handshake', () => {
  it('SYN carries ISN and MSS = MTU - 40, SYN-ACK acks ISN+1, ACK acks the peer ISN+1', () => {
    const p = vethPair();
    const fromA = sentSegments(p.a);
    const fromB = sentSegments(p.b);
    upperServer(p.sb);
    const c = p.sa.tcp();
    let connected = false;
    c.onConnect = () => (connected = true);
    expect(c.connect(p.ipB, 80).ok).toBe(true);
    expect(c.state).toBe('SYN_SENT');
    settle(p.world);
    expect(connected).toBe(true);
    expect(c.state).toBe('ESTABLISHED');
    const [syn, ack] = fromA;
    const [synAck] = fromB;
    expect(syn!.flags).toBe(TCP_SYN);
    expect(syn!.options).toEqual([{ kind: 'mss', value: 1460 }]);
    expect(syn!.seq).toBe(c.iss);
    expect(synAck!.flags).toBe(TCP_SYN | TCP_ACK);
    expect(synAck!.ack).toBe((syn!.seq + 1) >>> 0);
    expect(synAck!.options).toEqual([{ kind: 'mss', value: 1460 }]);
    expect(ack!.flags).toBe(TCP_ACK);
    expect(ack!.seq).toBe((syn!.seq + 1) >>> 0);
    expect(ack!.ack).toBe((synAck!.seq + 1) >>> 0);
    expect(c.localPort).toBeGreaterThanOrEqual(32768);
    expect(c.localPort).toBeLessThanOrEqual(60999);
    expect(c.localPort % 2).toBe(0); // connect() prefers even ports
  });

  it('advertises MSS from the route MTU (9000 -> 8960; lo -> 65495)', () => {
    const p = vethPair({ mtu: 9000 });
    const fromA = sentSegments(p.a);
    upperServer(p.sb);
    p.sa.tcp().connect(p.ipB, 80);
    settle(p.world);
    expect(fromA[0]!.options).toEqual([{ kind: 'mss', value: 8960 }]);
    const local = sentSegments(p.b, 'lo');
    p.sb.tcp().connect(p.ipB, 80);
    settle(p.world);
    expect(local[0]!.options).toEqual([{ kind: 'mss', value: 65495 }]);
  });

  it('draws ISNs and ports from the seed: same seed, same values', () => {
    const isns = (seed: number): number[] => {
      const p = vethPair({ seed });
      upperServer(p.sb);
      const c = p.sa.tcp();
      c.connect(p.ipB, 80);
      settle(p.world);
      return [c.iss, c.localPort];
    };
    expect(isns(7)).toEqual(isns(7));
    expect(isns(7)).not.toEqual(isns(8));
  });
});

describe('TCP data and close', () => {
  it('moves data both ways, ACKs it, and closes with FIN in both directions', () => {
    const p = vethPair();
    const fromA = sentSegments(p.a);
    const fromB = sentSegments(p.b);
    upperServer(p.sb);
    const c = p.sa.tcp();
    let reply = '';
    let ended = false;
    let closed = false;
    c.onConnect = () => {
      c.send('hello');
      c.shutdownWrite();
    };
    c.onData = d => (reply += decoder.decode(d));
    c.onEnd = () => (ended = true);
    c.onClose = () => (closed = true);
    c.connect(p.ipB, 80);
    settle(p.world);
    expect(reply).toBe('HELLO');
    expect(ended).toBe(true);
    expect(closed).toBe(true);
    expect(c.state).toBe('CLOSED');
    expect(fromA.map(s => tcpFlagsText(s.flags))).toEqual(['[S]', '[.]', '[P.]', '[F.]', '[.]', '[.]']);
    // The reply written from onData carries the ACK of the data (no separate pure ACK).
    expect(fromB.map(s => tcpFlagsText(s.flags))).toEqual(['[S.]', '[P.]', '[.]', '[F.]']);
    const data = fromA[2]!;
    expect(decoder.decode(data.payload.bytes)).toBe('hello');
    expect(fromB[1]!.ack).toBe((data.seq + 5) >>> 0);
    expect(fromB[2]!.ack).toBe((data.seq + 6) >>> 0); // the client's FIN counts one
    // The server's FIN is acknowledged with its sequence number + 1.
    const serverFin = fromB[3]!;
    expect(fromA[fromA.length - 1]!.ack).toBe((serverFin.seq + 1) >>> 0);
    expect(p.sa.sockets()).toEqual([]);
    expect(p.sb.sockets().length).toBe(1); // only the listener is left
  });

  it('the active closer passes TIME_WAIT (1 s here) before CLOSED', () => {
    const p = vethPair();
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    let server: TcpSocket | undefined;
    l.onAccept = s => {
      server = s;
      s.onEnd = () => s.close();
    };
    const c = p.sa.tcp();
    c.connect(p.ipB, 80);
    p.world.engine.runFor(SECOND / 10);
    c.close();
    p.world.engine.runFor(SECOND / 10);
    expect(c.state).toBe('TIME_WAIT');
    expect(server!.state).toBe('CLOSED');
    p.world.engine.runFor(SECOND);
    expect(c.state).toBe('CLOSED');
  });

  it('a simultaneous close goes through CLOSING to TIME_WAIT on both sides', () => {
    const p = vethPair();
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    let server: TcpSocket | undefined;
    l.onAccept = s => (server = s);
    const c = p.sa.tcp();
    c.connect(p.ipB, 80);
    p.world.engine.runFor(SECOND / 10);
    const states: string[] = [];
    c.close();
    server!.close();
    states.push(c.state, server!.state);
    p.world.engine.runFor(SECOND / 10);
    states.push(c.state, server!.state);
    expect(states).toEqual(['FIN_WAIT_1', 'FIN_WAIT_1', 'TIME_WAIT', 'TIME_WAIT']);
  });

  it('after a half-close the peer can still send, and the data arrives', () => {
    const p = vethPair();
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    l.onAccept = s => {
      s.onEnd = () => {
        s.send('late reply');
        s.close();
      };
    };
    const c = p.sa.tcp();
    let got = '';
    c.onConnect = () => c.shutdownWrite();
    c.onData = d => (got += decoder.decode(d));
    c.connect(p.ipB, 80);
    p.world.engine.runFor(SECOND / 10);
    expect(got).toBe('late reply');
    expect(c.state).toBe('TIME_WAIT');
  });

  it('splits a write into MSS-sized segments with PSH on the last', () => {
    const p = vethPair();
    const fromA = sentSegments(p.a);
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    let got = 0;
    l.onAccept = s => (s.onData = d => (got += d.length));
    const c = p.sa.tcp();
    c.onConnect = () => c.send(new Uint8Array(3000));
    c.connect(p.ipB, 80);
    settle(p.world);
    const data = fromA.filter(s => s.payload.bytes.length > 0);
    expect(data.map(s => s.payload.bytes.length)).toEqual([1460, 1460, 80]);
    expect(data.map(s => (s.flags & TCP_PSH) !== 0)).toEqual([false, false, true]);
    expect(got).toBe(3000);
    expect(c.bytesAcked).toBe(3000);
  });

  it('a reset from the peer reports ECONNRESET', () => {
    const p = vethPair();
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    l.onAccept = s => s.abort();
    const c = p.sa.tcp();
    const errors: Errno[] = [];
    c.onError = e => errors.push(e);
    c.connect(p.ipB, 80);
    settle(p.world);
    expect(errors).toEqual(['ECONNRESET']);
    expect(c.state).toBe('CLOSED');
  });
});

describe('TCP to a closed port', () => {
  it('is answered with RST+ACK, seq 0, ack ISN+1, and connect fails with ECONNREFUSED', () => {
    const p = vethPair();
    const fromB = sentSegments(p.b);
    const c = p.sa.tcp();
    const errors: Errno[] = [];
    c.onError = e => errors.push(e);
    c.connect(p.ipB, 81);
    settle(p.world);
    expect(fromB).toHaveLength(1);
    expect(fromB[0]!.flags).toBe(TCP_RST | TCP_ACK);
    expect(fromB[0]!.seq).toBe(0);
    expect(fromB[0]!.ack).toBe((c.iss + 1) >>> 0);
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(p.b.drops.get('rst-sent')).toBe(1);
  });

  it('answers a stray ACK with a bare RST whose seq is the ACK number', () => {
    const p = vethPair();
    const fromB = sentSegments(p.b);
    p.sb.sendReset(
      { kind: 'tcp', srcPort: 1234, dstPort: 80, seq: 5, ack: 77, flags: TCP_ACK, window: 0, urgent: 0, options: [], payload: { kind: 'payload', bytes: new Uint8Array(0) } },
      p.ipA,
      p.ipB,
      undefined,
    );
    settle(p.world);
    expect(fromB[0]!.flags).toBe(TCP_RST);
    expect(fromB[0]!.seq).toBe(77);
  });
});

describe('TCP retransmission on the engine clock', () => {
  it('retransmits a SYN at 1, 3, 7, 15, 31, 63 s and fails with ETIMEDOUT at 127 s', () => {
    const p = vethPair();
    dropInput(p.b, ip => ip.payload.kind === 'tcp');
    const frames = sentFrames(p.a);
    const c = p.sa.tcp();
    let failedAt = -1;
    let error: Errno | undefined;
    c.onError = e => {
      error = e;
      failedAt = p.world.engine.now / SECOND;
    };
    const t0 = p.world.engine.now;
    c.connect(p.ipB, 80);
    p.world.engine.runFor(200 * SECOND);
    const synTimes = frames
      .filter(f => f.frame.payload.kind === 'ipv4' && f.frame.payload.payload.kind === 'tcp')
      .map(f => (f.ms - t0 / 1e6) / 1000);
    expect(synTimes).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(error).toBe('ETIMEDOUT');
    expect(failedAt - t0 / SECOND).toBe(127);
  });

  it('retransmits lost data after the RTO (200 ms + 3 RTT) and delivers it once', () => {
    const p = vethPair();
    let dropped = 0;
    dropInput(p.b, ip => ip.payload.kind === 'tcp' && ip.payload.payload.bytes.length > 0 && dropped++ === 0);
    const fromA = sentSegments(p.a);
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    let got = '';
    l.onAccept = s => (s.onData = d => (got += decoder.decode(d)));
    const c = p.sa.tcp();
    c.onConnect = () => c.send('data');
    c.connect(p.ipB, 80);
    p.world.engine.runFor(SECOND / 100);
    expect(got).toBe('');
    p.world.engine.runFor(SECOND);
    expect(got).toBe('data');
    const data = fromA.filter(s => s.payload.bytes.length > 0);
    expect(data).toHaveLength(2);
    expect(data[0]!.seq).toBe(data[1]!.seq);
  });

  it('an ICMP host unreachable (no ARP answer) aborts a connect with EHOSTUNREACH', () => {
    const p = vethPair();
    const c = p.sa.tcp();
    let error: Errno | undefined;
    c.onError = e => (error = e);
    c.connect(0x0a000009, 80); // 10.0.0.9: nobody answers ARP
    p.world.engine.runFor(10 * SECOND);
    expect(error).toBe('EHOSTUNREACH');
  });
});

describe('TCP listening and binding', () => {
  it('refuses a second listener on the same port with EADDRINUSE', () => {
    const p = vethPair();
    upperServer(p.sb);
    const other = p.sb.tcp();
    expect(other.bind(0, 80)).toEqual({ ok: false, errno: 'EADDRINUSE' });
    const specific = p.sb.tcp();
    expect(specific.bind(p.ipB, 80)).toEqual({ ok: false, errno: 'EADDRINUSE' });
    expect(p.sb.tcp().bind(0x0a000063, 81)).toEqual({ ok: false, errno: 'EADDRNOTAVAIL' });
  });

  it('prefers a listener bound to the destination address over a wildcard one', () => {
    const p = vethPair();
    const wild = p.sb.tcp();
    wild.reuseAddr = true;
    wild.bind(0, 8080);
    const exact = p.sb.tcp();
    exact.reuseAddr = true;
    expect(exact.bind(0x7f000001, 8080).ok).toBe(true);
    expect(wild.listen().ok).toBe(true);
    expect(exact.listen()).toEqual({ ok: false, errno: 'EADDRINUSE' });
  });

  it('answers a SYN to an unaccepting address with the listener of that address', () => {
    const p = vethPair();
    const lo = p.sb.tcp();
    lo.bind(0x7f000001, 80);
    lo.listen();
    let acceptedOnLo = 0;
    lo.onAccept = () => acceptedOnLo++;
    const c = p.sa.tcp();
    let error: Errno | undefined;
    c.onError = e => (error = e);
    c.connect(p.ipB, 80);
    settle(p.world);
    expect(error).toBe('ECONNREFUSED');
    expect(acceptedOnLo).toBe(0);
    const local = p.sb.tcp();
    local.connect(0x7f000001, 80);
    settle(p.world);
    expect(acceptedOnLo).toBe(1);
    expect(local.localAddr).toBe(0x7f000001);
  });

  it('keeps SYN_RECV children out of the application until the final ACK', () => {
    const p = vethPair();
    dropInput(p.b, ip => ip.payload.kind === 'tcp' && ip.payload.flags === TCP_ACK);
    const l = p.sb.tcp();
    l.bind(0, 80);
    l.listen();
    let accepted = 0;
    l.onAccept = () => accepted++;
    p.sa.tcp().connect(p.ipB, 80);
    p.world.engine.runFor(SECOND / 2);
    expect(accepted).toBe(0);
    expect(l.pendingChildren.size).toBe(1);
    expect([...l.pendingChildren][0]!.state).toBe('SYN_RECV');
  });
});
