// The conntrack hooks: NEW until a reply, confirmation, loose TCP pickup, the TCP state machine,
// RST before a reply, ICMP requests and RELATED errors, per-protocol timeouts on the engine clock.
import { describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../../src/engine/index.js';
import { conntrackConfirm, conntrackIn, conntrackList, ctAttachFrom, tcpTransition, type CtDir, type TcpCtState, type TcpIndex } from '../../../src/kernel/conntrack/index.js';
import { ACK, FIN, RST, SYN, ctNamespace, ping, pong, tcp, track, ttlExceeded, udp, unreachable } from './packets.js';

describe('conntrack: states a packet sees', () => {
  it('stays NEW in the original direction until a reply, then ESTABLISHED both ways', () => {
    const { table } = ctNamespace();
    const first = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    expect(first.state).toBe('NEW');
    expect(conntrackConfirm(table, first.skb)).toBe('confirmed');
    const again = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    expect(again.state).toBe('NEW');
    expect(again.ref?.entry).toBe(first.ref?.entry);
    const reply = track(table, udp('10.0.0.2:53', '10.0.0.1:4000'));
    expect(reply.state).toBe('ESTABLISHED');
    expect(reply.ref?.dir).toBe('reply');
    expect(track(table, udp('10.0.0.1:4000', '10.0.0.2:53')).state).toBe('ESTABLISHED');
  });

  it('leaves no entry when the first packet is dropped before confirmation', () => {
    const { table } = ctNamespace();
    const first = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    expect(first.state).toBe('NEW');
    // The packet dies here (a DROP in filter FORWARD): no confirm.
    expect(conntrackList(table)).toHaveLength(0);
    expect(track(table, udp('10.0.0.1:4000', '10.0.0.2:53')).ref?.entry).not.toBe(first.ref?.entry);
  });

  it('does not let a reply-direction packet confirm an entry', () => {
    const { table } = ctNamespace();
    const first = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    const attached = { ...first.skb, ct: ctAttachFrom(first.skb) };
    expect(conntrackConfirm(table, attached)).toBe('none');
    expect(conntrackList(table)).toHaveLength(0);
  });

  it('keeps a packet that already has an entry (looped back through lo) as it is', () => {
    const { table } = ctNamespace();
    const first = track(table, udp('127.0.0.1:4000', '127.0.0.1:53'), 'OUTPUT');
    conntrackConfirm(table, first.skb);
    const before = first.skb.ct;
    // Re-entering PREROUTING with the same skb: the reference is kept ("previously seen").
    expect(conntrackIn(table, first.skb, udp('127.0.0.1:4000', '127.0.0.1:53'), 'PREROUTING').kind).toBe('seen');
    expect(first.skb.ct).toBe(before);
  });
});

describe('conntrack: TCP', () => {
  it('follows a handshake and close: SYN_SENT, SYN_RECV, ESTABLISHED (ASSURED), FIN_WAIT ... TIME_WAIT', () => {
    const { table } = ctNamespace();
    const c = '10.0.0.1:40000';
    const s = '10.0.0.2:80';
    const syn = track(table, tcp(c, s, SYN, 100));
    expect(syn.state).toBe('NEW');
    conntrackConfirm(table, syn.skb);
    const e = syn.ref!.entry;
    expect(e.tcp?.state).toBe('SYN_SENT');
    expect(e.timeoutAt).toBe(120 * SECOND);
    expect(track(table, tcp(s, c, SYN | ACK, 500, 101)).state).toBe('ESTABLISHED');
    expect(e.tcp?.state).toBe('SYN_RECV');
    expect(e.assured).toBe(false);
    expect(track(table, tcp(c, s, ACK, 101, 501)).state).toBe('ESTABLISHED');
    expect(e.tcp?.state).toBe('ESTABLISHED');
    expect(e.assured).toBe(true);
    expect(e.timeoutAt).toBe(432000 * SECOND);
    track(table, tcp(c, s, FIN | ACK, 101, 501));
    expect(e.tcp?.state).toBe('FIN_WAIT');
    track(table, tcp(s, c, ACK, 501, 102));
    expect(e.tcp?.state).toBe('CLOSE_WAIT');
    track(table, tcp(s, c, FIN | ACK, 501, 102));
    expect(e.tcp?.state).toBe('LAST_ACK');
    track(table, tcp(c, s, ACK, 102, 502));
    expect(e.tcp?.state).toBe('TIME_WAIT');
    expect(e.timeoutAt).toBe(120 * SECOND);
  });

  it('picks up a lone ACK as NEW with internal state ESTABLISHED and the short UNACK timeout', () => {
    const { table } = ctNamespace();
    const r = track(table, tcp('10.0.0.1:40000', '10.0.0.2:80', ACK, 5000, 7000));
    expect(r.state).toBe('NEW');
    expect(r.ref?.entry.tcp?.state).toBe('ESTABLISHED');
    expect(r.ref?.entry.timeoutAt).toBe(300 * SECOND);
    conntrackConfirm(table, r.skb);
    // A valid answer for a picked-up connection makes it ASSURED on the next packet.
    track(table, tcp('10.0.0.2:80', '10.0.0.1:40000', ACK, 7000, 5000));
    track(table, tcp('10.0.0.1:40000', '10.0.0.2:80', ACK, 5000, 7000));
    expect(r.ref?.entry.assured).toBe(true);
  });

  it.each([
    ['SYN-ACK', SYN | ACK],
    ['FIN', FIN],
    ['FIN-ACK', FIN | ACK],
    ['RST', RST],
    ['no flags', 0],
  ])('finds a lone %s INVALID', (_name, flags) => {
    const { table } = ctNamespace();
    expect(track(table, tcp('10.0.0.1:40000', '10.0.0.2:80', flags)).state).toBe('INVALID');
  });

  it('does not pick up connections with nf_conntrack_tcp_loose=0', () => {
    const { table, ns } = ctNamespace();
    ns.sysctl.set('net.netfilter.nf_conntrack_tcp_loose', '0');
    expect(track(table, tcp('10.0.0.1:40000', '10.0.0.2:80', ACK)).state).toBe('INVALID');
    expect(track(table, tcp('10.0.0.1:40000', '10.0.0.2:80', SYN)).state).toBe('NEW');
  });

  it('removes the entry when the only reply is a RST (closed port)', () => {
    const { table } = ctNamespace();
    const syn = track(table, tcp('10.0.0.1:40000', '10.0.0.2:81', SYN));
    conntrackConfirm(table, syn.skb);
    const rst = track(table, tcp('10.0.0.2:81', '10.0.0.1:40000', RST | ACK, 0, 1001));
    expect(rst.state).toBe('ESTABLISHED');
    expect(conntrackList(table)).toHaveLength(0);
  });

  it('reopens a closed connection on a new SYN from TIME_WAIT', () => {
    const { table } = ctNamespace();
    const c = '10.0.0.1:40000';
    const s = '10.0.0.2:80';
    const syn = track(table, tcp(c, s, SYN));
    conntrackConfirm(table, syn.skb);
    for (const [from, to, flags] of [
      [s, c, SYN | ACK],
      [c, s, ACK],
      [c, s, FIN | ACK],
      [s, c, FIN | ACK],
      [c, s, ACK],
    ] as const) {
      track(table, tcp(from, to, flags));
    }
    expect(syn.ref!.entry.tcp?.state).toBe('TIME_WAIT');
    const again = track(table, tcp(c, s, SYN, 9000));
    expect(again.state).toBe('NEW');
    expect(again.ref!.entry).not.toBe(syn.ref!.entry);
    expect(again.ref!.entry.tcp?.state).toBe('SYN_SENT');
  });

  it('matches the kernel table tcp_conntracks cell by cell', () => {
    // nf_conntrack_proto_tcp.c, Linux 6.x: rows syn synack fin ack rst none; columns
    // sNO sSS sSR sES sFW sCW sLA sTW sCL sS2.
    const cols: TcpCtState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
    const abbrev: Record<string, string> = {
      sNO: 'NONE',
      sSS: 'SYN_SENT',
      sSR: 'SYN_RECV',
      sES: 'ESTABLISHED',
      sFW: 'FIN_WAIT',
      sCW: 'CLOSE_WAIT',
      sLA: 'LAST_ACK',
      sTW: 'TIME_WAIT',
      sCL: 'CLOSE',
      sS2: 'SYN_SENT2',
      sIV: 'INVALID',
      sIG: 'IGNORE',
    };
    const table: Record<CtDir, Record<TcpIndex, string>> = {
      original: {
        syn: 'sSS sSS sIG sIG sIG sIG sIG sSS sSS sS2',
        synack: 'sIV sIV sSR sIV sIV sIV sIV sIV sIV sSR',
        fin: 'sIV sIV sFW sFW sLA sLA sLA sTW sCL sIV',
        ack: 'sES sIV sES sES sCW sCW sTW sTW sCL sIV',
        rst: 'sIV sCL sCL sCL sCL sCL sCL sCL sCL sCL',
        none: 'sIV sIV sIV sIV sIV sIV sIV sIV sIV sIV',
      },
      reply: {
        syn: 'sIV sS2 sIV sIV sIV sIV sIV sSS sIV sS2',
        synack: 'sIV sSR sIG sIG sIG sIG sIG sIG sIG sSR',
        fin: 'sIV sIV sFW sFW sLA sLA sLA sTW sCL sIV',
        ack: 'sIV sIG sSR sES sCW sCW sTW sTW sCL sIG',
        rst: 'sIV sCL sCL sCL sCL sCL sCL sCL sCL sCL',
        none: 'sIV sIV sIV sIV sIV sIV sIV sIV sIV sIV',
      },
    };
    for (const dir of ['original', 'reply'] as const) {
      for (const [index, row] of Object.entries(table[dir]) as [TcpIndex, string][]) {
        const cells = row.split(' ');
        cols.forEach((state, i) => {
          expect(`${dir} ${index} ${state} -> ${tcpTransition(state, dir, index)}`).toBe(`${dir} ${index} ${state} -> ${abbrev[cells[i]!]}`);
        });
      }
    }
  });
});

describe('conntrack: ICMP', () => {
  it('tracks an echo request and its reply; a lone echo reply is INVALID', () => {
    const { table } = ctNamespace();
    const req = ping('10.0.0.1', '10.0.0.2', 7);
    const first = track(table, req);
    expect(first.state).toBe('NEW');
    conntrackConfirm(table, first.skb);
    expect(track(table, pong(req)).state).toBe('ESTABLISHED');
    expect(track(table, pong(ping('10.0.0.9', '10.0.0.2', 8))).state).toBe('INVALID');
  });

  it('finds an ICMP error RELATED when its quoted header matches an entry, INVALID otherwise', () => {
    const { table } = ctNamespace();
    const query = udp('10.0.0.1:4000', '10.0.0.2:53');
    const first = track(table, query);
    conntrackConfirm(table, first.skb);
    const err = track(table, unreachable('10.0.0.2', '10.0.0.1', query));
    expect(err.state).toBe('RELATED');
    expect(err.ref?.dir).toBe('reply');
    expect(err.ref?.entry).toBe(first.ref?.entry);
    // From a router on the way, with the usual 8-byte quote.
    expect(track(table, ttlExceeded('10.9.9.9', '10.0.0.1', query)).state).toBe('RELATED');
    // About a flow nobody sent, or to the wrong outer destination.
    expect(track(table, unreachable('10.0.0.2', '10.0.0.1', udp('10.0.0.1:4001', '10.0.0.2:53'))).state).toBe('INVALID');
    expect(track(table, unreachable('10.0.0.2', '10.0.0.7', query)).state).toBe('INVALID');
  });
});

describe('conntrack: timeouts on the engine clock', () => {
  it('expires an unreplied UDP flow after 30 s: listings hide it and a lookup starts over', () => {
    const { world, table } = ctNamespace();
    const first = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    conntrackConfirm(table, first.skb);
    world.engine.runFor(29 * SECOND);
    expect(conntrackList(table)).toHaveLength(1);
    world.engine.runFor(1 * SECOND);
    expect(conntrackList(table)).toHaveLength(0);
    const later = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    expect(later.ref?.entry).not.toBe(first.ref?.entry);
  });

  it('makes a UDP flow still active 2 s after it started a 120 s ASSURED stream', () => {
    const { world, table } = ctNamespace();
    const first = track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    conntrackConfirm(table, first.skb);
    track(table, udp('10.0.0.2:53', '10.0.0.1:4000'));
    track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    const e = first.ref!.entry;
    expect(e.assured).toBe(false);
    expect(e.timeoutAt).toBe(30 * SECOND);
    world.engine.runFor(3 * SECOND);
    track(table, udp('10.0.0.1:4000', '10.0.0.2:53'));
    expect(e.assured).toBe(true);
    expect(e.timeoutAt).toBe(3 * SECOND + 2 * MINUTE);
  });

  it('keeps ICMP entries 30 s and refreshes them with each packet', () => {
    const { world, table } = ctNamespace();
    const req = ping('10.0.0.1', '10.0.0.2');
    conntrackConfirm(table, track(table, req).skb);
    world.engine.runFor(20 * SECOND);
    track(table, pong(req));
    world.engine.runFor(20 * SECOND);
    expect(conntrackList(table)).toHaveLength(1);
    world.engine.runFor(10 * SECOND);
    expect(conntrackList(table)).toHaveLength(0);
  });
});
