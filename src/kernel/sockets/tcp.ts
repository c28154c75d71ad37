/**
 * A TCP socket: listen/accept, connect with a real three-way handshake, data with ACKs, FIN in
 * both directions, RST, and retransmission on the engine clock.
 *
 * Models: RFC 9293 section 3.10 (event processing, "SEGMENT ARRIVES" in the order the RFC gives:
 * sequence check, RST, SYN, ACK, data, FIN), RFC 5961 (challenge ACKs for an in-window RST or a
 * SYN on a synchronized connection), RFC 6298 / `net/ipv4/tcp_timer.c` (RTO starts at 1 s for a
 * SYN, 200 ms + 3 x the handshake RTT after it, doubles per expiry up to 120 s; the SYN is
 * retransmitted `tcp_syn_retries` times, a SYN-ACK `tcp_synack_retries`, data `tcp_retries2`),
 * `net/ipv4/tcp_ipv4.c` (`tcp_v4_conn_request`: a SYN to a listener creates a SYN_RECV child,
 * accepted once the final ACK arrives; `tcp_v4_err`: an ICMP error aborts a socket in SYN_SENT
 * and is only a soft error later), `tcp_output.c` (`tcp_connect`: the SYN carries MSS = route
 * MTU - 40; PSH on the last segment of a write).
 *
 *   CLOSED --connect/SYN--> SYN_SENT --SYN+ACK/ACK--> ESTABLISHED --close/FIN--> FIN_WAIT_1
 *   LISTEN --SYN/SYN+ACK--> (child) SYN_RECV --ACK--> ESTABLISHED --FIN/ACK--> CLOSE_WAIT
 *   FIN_WAIT_1 --ACK--> FIN_WAIT_2 --FIN/ACK--> TIME_WAIT --1 s--> CLOSED
 *   CLOSE_WAIT --close/FIN--> LAST_ACK --ACK--> CLOSED
 *
 * The ACK for received data or a FIN is sent after the application's callbacks ran, so a reply
 * written from `onData` carries it (what delayed ACKs achieve in Linux, without the timer).
 * Leaves out: congestion control and the peer's receive window (everything written is sent at
 * once, in MSS-sized segments), an out-of-order queue (a segment beyond `rcv_nxt` is dropped and
 * duplicate-ACKed), TCP options other than MSS (no SACK, timestamps or window scaling),
 * keepalive, urgent data, simultaneous close races beyond RFC 9293's CLOSING state, PMTU
 * discovery.
 */
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, payload as opaquePayload, type Ipv4, type TcpOption, type TcpRepr } from '../../packet/index.js';
import type { EventId } from '../../engine/index.js';
import { SOCK_OK, sockErr, type Errno, type IcmpSocketError, type SockResult } from './errno.js';
import { mssForMtu, routeFlow, sendDatagram } from './ip-seam.js';
import type { SocketFamily, SocketOwner, SocketTable } from './socket-table.js';
import {
  TCP_DEFAULT_MSS,
  TCP_RETRIES2,
  TCP_RTO_MAX,
  TCP_RTO_MIN,
  TCP_SYNACK_RETRIES,
  TCP_SYN_RETRIES,
  TCP_TIMEOUT_INIT,
  TCP_WINDOW,
  TIME_WAIT_NS,
  isSynchronized,
  seqAdd,
  seqDiff,
  seqLe,
  seqLt,
  type TcpState,
} from './tcp-state.js';

/** A segment sent and not yet acknowledged (the retransmission queue). */
interface SentSegment {
  readonly seq: number;
  readonly flags: number;
  readonly data: Uint8Array;
  /** Sequence space: data bytes, plus one for SYN and for FIN. */
  readonly length: number;
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

export class TcpSocket {
  readonly kind = 'tcp';
  readonly table: SocketTable;
  readonly owner: SocketOwner | undefined;
  readonly family: SocketFamily;
  readonly v6only: boolean;
  state: TcpState = 'CLOSED';
  localAddr: Ipv4 = 0;
  localPort = 0;
  remoteAddr: Ipv4 = 0;
  remotePort = 0;
  boundDev: string | undefined = undefined;
  mark = 0;
  ttl: number | undefined = undefined;
  reuseAddr = false;
  /** The listener a passively opened connection came from (until it is accepted). */
  parent: TcpSocket | undefined = undefined;
  /** `listen(fd, backlog)`; `ss` shows it as Send-Q of a listener. */
  backlog = 0;
  /** Children in SYN_RECV, not yet accepted (`ss` Recv-Q of a listener counts accepted-but-unclaimed ones; always 0 here). */
  readonly pendingChildren = new Set<TcpSocket>();

  // Send and receive sequence variables (RFC 9293 section 3.3.1).
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  irs = 0;
  rcvNxt = 0;
  /** Our MSS (route MTU - 40) and the peer's (from its SYN). */
  mss = TCP_DEFAULT_MSS;
  peerMss = TCP_DEFAULT_MSS;

  /** Bytes written and acknowledged / received, for `ss -i`-like counters and tests. */
  bytesAcked = 0;
  bytesReceived = 0;

  onConnect: (() => void) | undefined = undefined;
  onAccept: ((child: TcpSocket) => void) | undefined = undefined;
  onData: ((bytes: Uint8Array) => void) | undefined = undefined;
  /** The peer sent FIN: a read would now return 0. */
  onEnd: (() => void) | undefined = undefined;
  /** The connection failed or was reset: ECONNREFUSED, ETIMEDOUT, ECONNRESET, EHOSTUNREACH... */
  onError: ((errno: Errno) => void) | undefined = undefined;
  /** The socket reached CLOSED (after the handshake of a close, a reset, or a failure). */
  onClose: (() => void) | undefined = undefined;

  private unacked: SentSegment[] = [];
  /** Written, not yet sent (waiting for the handshake). */
  private readonly pendingData: Uint8Array[] = [];
  private finQueued = false;
  private finSent = false;
  private rtxTimer: EventId | undefined = undefined;
  private twTimer: EventId | undefined = undefined;
  private rto = TCP_TIMEOUT_INIT;
  private retries = 0;
  private synSentAt = 0;
  private lastAckSent = 0;
  private unregistered = false;

  constructor(table: SocketTable, owner: SocketOwner | undefined, family: SocketFamily, v6only: boolean) {
    this.table = table;
    this.owner = owner;
    this.family = family;
    this.v6only = v6only;
  }

  /** Bytes sent and not yet acknowledged (`ss` Send-Q of a connection). */
  get sendQueue(): number {
    let n = 0;
    for (const s of this.unacked) n += s.data.length;
    return n;
  }

  // --- the socket calls ------------------------------------------------------------------

  bind(addr: Ipv4 = 0, port = 0): SockResult {
    if (this.state !== 'CLOSED' || this.localPort !== 0) return sockErr('EINVAL');
    return this.table.bindTcp(this, addr, port, 'tcp-bind');
  }

  /** `listen(fd, backlog)`: an unbound socket is first bound to an ephemeral port. */
  listen(backlog = 128): SockResult {
    if (this.state === 'LISTEN') {
      this.backlog = backlog;
      return SOCK_OK;
    }
    if (this.state !== 'CLOSED') return sockErr('EINVAL');
    if (this.localPort === 0) {
      const bound = this.table.bindTcp(this, 0, 0, 'tcp-bind');
      if (!bound.ok) return bound;
    }
    const free = this.table.canListen(this);
    if (!free.ok) return free;
    this.backlog = backlog;
    this.state = 'LISTEN';
    return SOCK_OK;
  }

  /**
   * `connect(addr, port)`: routes the flow (ENETUNREACH and friends come back at once), binds a
   * source address and an ephemeral port if needed, and sends the SYN. The outcome arrives as
   * `onConnect` or `onError`.
   */
  connect(addr: Ipv4, port: number): SockResult {
    if (this.state === 'SYN_SENT') return sockErr('EALREADY');
    if (this.state !== 'CLOSED') return sockErr('EISCONN');
    const route = routeFlow(this.table.ns, { dst: addr, src: this.localAddr, ...this.devOpt(), mark: this.mark });
    if (!route.ok) return route;
    const src = this.localAddr === 0 ? route.value.src : this.localAddr;
    if (this.localPort === 0) {
      const bound = this.table.bindTcp(this, src, 0, 'tcp-connect', { addr, port });
      if (!bound.ok) return bound;
    } else {
      this.localAddr = src;
    }
    this.remoteAddr = addr;
    this.remotePort = port;
    this.mss = mssForMtu(route.value.mtu);
    this.iss = this.table.isn();
    this.sndUna = this.iss;
    this.sndNxt = seqAdd(this.iss, 1);
    this.state = 'SYN_SENT';
    this.table.registerConnection(this);
    this.synSentAt = this.now();
    this.rto = TCP_TIMEOUT_INIT;
    this.queue({ seq: this.iss, flags: TCP_SYN, data: EMPTY, length: 1 });
    return SOCK_OK;
  }

  /** `send`/`write`: queued and sent at once in MSS-sized segments (before ESTABLISHED: after the handshake). */
  send(data: Uint8Array | string): SockResult {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    switch (this.state) {
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
      case 'SYN_SENT':
      case 'SYN_RECV':
        if (this.finQueued) return sockErr('EPIPE');
        break;
      case 'CLOSED':
      case 'LISTEN':
        return sockErr('ENOTCONN');
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        return sockErr('EPIPE');
    }
    if (bytes.length === 0) return SOCK_OK;
    this.pendingData.push(bytes);
    this.flush();
    return SOCK_OK;
  }

  /** `close()`: a graceful close (FIN after the queued data). */
  close(): void {
    switch (this.state) {
      case 'CLOSED':
        this.finish();
        return;
      case 'LISTEN':
        // inet_csk_listen_stop: connections still in the handshake are dropped.
        for (const child of this.pendingChildren) child.destroy();
        this.pendingChildren.clear();
        this.finish();
        return;
      case 'SYN_SENT':
        this.finish();
        return;
      case 'SYN_RECV':
      case 'ESTABLISHED':
        this.finQueued = true;
        this.setState('FIN_WAIT_1');
        this.flush();
        return;
      case 'CLOSE_WAIT':
        this.finQueued = true;
        this.setState('LAST_ACK');
        this.flush();
        return;
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        return;
    }
  }

  /**
   * `shutdown(SHUT_WR)`: FIN after the queued data; reading goes on (a half-close). Before the
   * handshake completes the FIN waits for it.
   */
  shutdownWrite(): void {
    switch (this.state) {
      case 'SYN_SENT':
      case 'SYN_RECV':
        this.finQueued = true;
        return;
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
        this.close();
        return;
      case 'CLOSED':
      case 'LISTEN':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        return;
    }
  }

  /** `close()` with SO_LINGER 0: a synchronized connection is reset (RST), then forgotten. */
  abort(): void {
    if (isSynchronized(this.state) && this.state !== 'TIME_WAIT') {
      this.output(TCP_RST | TCP_ACK, this.sndNxt, EMPTY);
    }
    if (this.state === 'LISTEN') {
      this.close();
      return;
    }
    this.finish();
  }

  // --- segment arrival (called by the socket table) ---------------------------------------

  /** RFC 9293 3.10.7: a segment for this socket arrived. Returns false when the table should answer with a reset. */
  segmentArrives(seg: TcpRepr, src: Ipv4, dst: Ipv4): boolean {
    switch (this.state) {
      case 'CLOSED':
        // 3.10.7.1: a closed socket answers everything but a RST with a RST.
        return false;
      case 'LISTEN':
        this.listenArrives(seg, src, dst);
        return true;
      case 'SYN_SENT':
        this.synSentArrives(seg);
        return true;
      case 'SYN_RECV':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        this.synchronizedArrives(seg);
        return true;
    }
  }

  /** `tcp_v4_err`: an ICMP error about a segment we sent. */
  icmpError(err: IcmpSocketError, quotedSeq: number | undefined): void {
    if (quotedSeq !== undefined && (seqLt(quotedSeq, this.sndUna) || seqLt(this.sndNxt, quotedSeq))) return;
    if (err.errno === 'EMSGSIZE') return; // PMTU: no socket error (the PMTU cache is not modelled).
    switch (this.state) {
      case 'SYN_SENT':
        // Any error aborts a connection attempt (tcp_done), whatever icmp_err_convert's "fatal" says.
        this.fail(err.errno);
        return;
      case 'SYN_RECV':
        // tcp_req_err: an embryonic passive connection is simply dropped.
        if (this.parent !== undefined) this.destroy();
        return;
      case 'CLOSED':
      case 'LISTEN':
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        // Soft error (sk_err_soft): reported only if the connection later times out.
        return;
    }
  }

  // --- LISTEN ---------------------------------------------------------------------------

  /** 3.10.7.2 / `tcp_v4_conn_request`. */
  private listenArrives(seg: TcpRepr, src: Ipv4, dst: Ipv4): void {
    if (seg.flags & TCP_RST) return;
    if (seg.flags & TCP_ACK) {
      this.table.sendReset(seg, src, dst, this.boundDev);
      return;
    }
    if (!(seg.flags & TCP_SYN)) return;
    if (this.pendingChildren.size >= Math.max(this.backlog, 1)) return; // SYN queue full: the SYN is dropped.
    const child = new TcpSocket(this.table, this.owner, this.family, this.v6only);
    child.parent = this;
    child.localAddr = dst;
    child.localPort = this.localPort;
    child.remoteAddr = src;
    child.remotePort = seg.srcPort;
    child.boundDev = this.boundDev;
    child.mark = this.mark;
    child.ttl = this.ttl;
    const route = routeFlow(this.table.ns, { dst: src, src: dst, ...this.devOpt(), mark: this.mark });
    child.mss = route.ok ? mssForMtu(route.value.mtu) : TCP_DEFAULT_MSS;
    child.peerMss = peerMssOf(seg.options);
    child.irs = seg.seq;
    child.rcvNxt = seqAdd(seg.seq, 1);
    child.iss = this.table.isn();
    child.sndUna = child.iss;
    child.sndNxt = seqAdd(child.iss, 1);
    child.state = 'SYN_RECV';
    child.synSentAt = child.now();
    this.pendingChildren.add(child);
    this.table.registerConnection(child);
    child.queue({ seq: child.iss, flags: TCP_SYN | TCP_ACK, data: EMPTY, length: 1 });
  }

  // --- SYN_SENT -------------------------------------------------------------------------

  /** 3.10.7.3. */
  private synSentArrives(seg: TcpRepr): void {
    const ackOk = (seg.flags & TCP_ACK) !== 0 && seg.ack === this.sndNxt;
    if (seg.flags & TCP_ACK && !ackOk) {
      if (!(seg.flags & TCP_RST)) this.table.sendReset(seg, this.remoteAddr, this.localAddr, this.boundDev);
      return;
    }
    if (seg.flags & TCP_RST) {
      // A RST acknowledging our SYN: nobody listens there.
      if (ackOk) this.fail('ECONNREFUSED');
      return;
    }
    if (!(seg.flags & TCP_SYN)) return;
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.peerMss = peerMssOf(seg.options);
    if (!ackOk) {
      // Simultaneous open: our SYN crossed theirs.
      this.setState('SYN_RECV');
      this.unacked = [];
      this.queue({ seq: this.iss, flags: TCP_SYN | TCP_ACK, data: EMPTY, length: 1 });
      return;
    }
    this.acknowledge(seg.ack);
    this.setState(this.finQueued ? 'FIN_WAIT_1' : 'ESTABLISHED');
    this.output(TCP_ACK, this.sndNxt, EMPTY);
    this.onConnect?.();
    this.flush();
  }

  // --- synchronized states --------------------------------------------------------------

  /** 3.10.7.4: sequence check, RST, SYN, ACK, data, FIN, in that order. */
  private synchronizedArrives(seg: TcpRepr): void {
    const data = seg.payload.bytes;
    const fin = (seg.flags & TCP_FIN) !== 0;
    const segLen = data.length + (seg.flags & TCP_SYN ? 1 : 0) + (fin ? 1 : 0);
    if (!this.acceptable(seg.seq, segLen)) {
      if (this.state === 'SYN_RECV' && seg.flags & TCP_SYN && seg.seq === this.irs) {
        this.retransmitAll(); // A retransmitted SYN: our SYN-ACK was lost.
        return;
      }
      if (!(seg.flags & TCP_RST)) this.output(TCP_ACK, this.sndNxt, EMPTY);
      return;
    }
    if (seg.flags & TCP_RST) {
      if (seg.seq !== this.rcvNxt) {
        this.output(TCP_ACK, this.sndNxt, EMPTY); // RFC 5961 challenge ACK
        return;
      }
      this.resetArrives();
      return;
    }
    if (seg.flags & TCP_SYN) {
      this.output(TCP_ACK, this.sndNxt, EMPTY); // RFC 5961 4.2
      return;
    }
    if (!(seg.flags & TCP_ACK)) return;
    if (!this.ackArrives(seg)) return;

    let delivered = false;
    let offset = 0;
    if (data.length > 0 && (this.state === 'ESTABLISHED' || this.state === 'FIN_WAIT_1' || this.state === 'FIN_WAIT_2')) {
      offset = Math.max(0, seqDiff(this.rcvNxt, seg.seq));
      if (offset < data.length) {
        const fresh = offset === 0 ? data : data.subarray(offset);
        this.rcvNxt = seqAdd(this.rcvNxt, fresh.length);
        this.bytesReceived += fresh.length;
        delivered = true;
        this.onData?.(fresh);
      }
    }
    const finInOrder = fin && seqAdd(seg.seq, data.length) === this.rcvNxt;
    if (finInOrder) this.finArrives();
    // Anything occupying sequence space is acknowledged, unless a reply written from a callback
    // already carried the ACK; a duplicate or out-of-order segment gets a duplicate ACK.
    if (segLen > 0 && this.state !== 'CLOSED' && (this.lastAckSent !== this.rcvNxt || (!delivered && !finInOrder))) {
      this.output(TCP_ACK, this.sndNxt, EMPTY);
    }
  }

  /** RFC 9293: a segment is acceptable if any of it falls in the receive window. */
  private acceptable(seq: number, segLen: number): boolean {
    const inWindow = (s: number): boolean => seqLe(this.rcvNxt, s) && seqLt(s, seqAdd(this.rcvNxt, TCP_WINDOW));
    if (segLen === 0) return inWindow(seq);
    return inWindow(seq) || inWindow(seqAdd(seq, segLen - 1));
  }

  private resetArrives(): void {
    switch (this.state) {
      case 'SYN_RECV':
        // Passive open: back to LISTEN, i.e. the child goes away; active (simultaneous): refused.
        if (this.parent !== undefined) this.destroy();
        else this.fail('ECONNREFUSED');
        return;
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
        this.fail('ECONNRESET');
        return;
      case 'CLOSING':
      case 'LAST_ACK':
      case 'TIME_WAIT':
        this.finish();
        return;
      case 'CLOSED':
      case 'LISTEN':
      case 'SYN_SENT':
        return;
    }
  }

  /** The ACK field of an acceptable segment; false when processing stops. */
  private ackArrives(seg: TcpRepr): boolean {
    const ack = seg.ack;
    if (seqLt(this.sndNxt, ack)) {
      // ACK of something not yet sent.
      if (this.state === 'SYN_RECV') this.table.sendReset(seg, this.remoteAddr, this.localAddr, this.boundDev);
      else this.output(TCP_ACK, this.sndNxt, EMPTY);
      return false;
    }
    switch (this.state) {
      case 'SYN_RECV': {
        if (!seqLt(this.sndUna, ack)) {
          this.table.sendReset(seg, this.remoteAddr, this.localAddr, this.boundDev);
          return false;
        }
        this.acknowledge(ack);
        this.setState('ESTABLISHED');
        const parent = this.parent;
        if (parent !== undefined) {
          parent.pendingChildren.delete(this);
          this.parent = undefined;
          if (parent.state === 'LISTEN') parent.onAccept?.(this);
          else this.abort();
        } else {
          this.onConnect?.();
        }
        this.flush();
        return !this.isClosed();
      }
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
        this.acknowledge(ack);
        return true;
      case 'FIN_WAIT_1':
        this.acknowledge(ack);
        if (this.finAcked()) this.setState('FIN_WAIT_2');
        return true;
      case 'FIN_WAIT_2':
        this.acknowledge(ack);
        return true;
      case 'CLOSING':
        this.acknowledge(ack);
        if (this.finAcked()) this.enterTimeWait();
        return true;
      case 'LAST_ACK':
        this.acknowledge(ack);
        if (this.finAcked()) this.finish();
        return false;
      case 'TIME_WAIT':
        return true;
      case 'CLOSED':
      case 'LISTEN':
      case 'SYN_SENT':
        return false;
    }
  }

  /** The peer's FIN, in order: it takes one sequence number and moves the state on. */
  private finArrives(): void {
    switch (this.state) {
      case 'SYN_RECV':
      case 'ESTABLISHED':
        this.rcvNxt = seqAdd(this.rcvNxt, 1);
        this.setState('CLOSE_WAIT');
        break;
      case 'FIN_WAIT_1':
        this.rcvNxt = seqAdd(this.rcvNxt, 1);
        if (this.finAcked()) this.enterTimeWait();
        else this.setState('CLOSING');
        break;
      case 'FIN_WAIT_2':
        this.rcvNxt = seqAdd(this.rcvNxt, 1);
        this.enterTimeWait();
        break;
      case 'TIME_WAIT':
        this.enterTimeWait();
        return;
      case 'CLOSE_WAIT':
      case 'CLOSING':
      case 'LAST_ACK':
      case 'CLOSED':
      case 'LISTEN':
      case 'SYN_SENT':
        // The FIN was counted already (or cannot come here): nothing changes.
        return;
    }
    this.output(TCP_ACK, this.sndNxt, EMPTY);
    this.onEnd?.();
  }

  // --- sending --------------------------------------------------------------------------

  /** Sends queued data and a queued FIN, when the state allows. */
  private flush(): void {
    switch (this.state) {
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
      case 'FIN_WAIT_1':
      case 'LAST_ACK':
        break;
      case 'CLOSED':
      case 'LISTEN':
      case 'SYN_SENT':
      case 'SYN_RECV':
      case 'FIN_WAIT_2':
      case 'CLOSING':
      case 'TIME_WAIT':
        return;
    }
    const mss = Math.max(1, Math.min(this.mss, this.peerMss));
    while (this.pendingData.length > 0) {
      const chunk = this.pendingData.shift()!;
      for (let off = 0; off < chunk.length; off += mss) {
        const piece = chunk.subarray(off, Math.min(chunk.length, off + mss));
        const last = off + mss >= chunk.length && this.pendingData.length === 0;
        this.queue({ seq: this.sndNxt, flags: TCP_ACK | (last ? TCP_PSH : 0), data: piece, length: piece.length });
      }
    }
    if (this.finQueued && !this.finSent) {
      this.finSent = true;
      this.queue({ seq: this.sndNxt, flags: TCP_FIN | TCP_ACK, data: EMPTY, length: 1 });
    }
  }

  /** Sends a new segment and keeps it for retransmission. */
  private queue(seg: SentSegment): void {
    this.unacked.push(seg);
    if (seg.seq === this.sndNxt || seqLt(this.sndNxt, seqAdd(seg.seq, seg.length))) this.sndNxt = seqAdd(seg.seq, seg.length);
    this.transmit(seg);
    this.armRetransmit();
  }

  private transmit(seg: SentSegment): void {
    const options: TcpOption[] = seg.flags & TCP_SYN ? [{ kind: 'mss', value: this.mss }] : [];
    this.output(seg.flags, seg.seq, seg.data, options);
  }

  /** Builds and sends one segment; ACK segments carry `rcv_nxt`. */
  private output(flags: number, seq: number, data: Uint8Array, options: readonly TcpOption[] = []): void {
    const ack = flags & TCP_ACK ? this.rcvNxt : 0;
    if (flags & TCP_ACK) this.lastAckSent = this.rcvNxt;
    const tcp: TcpRepr = {
      kind: 'tcp',
      srcPort: this.localPort,
      dstPort: this.remotePort,
      seq,
      ack,
      flags,
      window: TCP_WINDOW,
      urgent: 0,
      options,
      payload: opaquePayload(data),
    };
    sendDatagram(this.table.ns, {
      dst: this.remoteAddr,
      src: this.localAddr,
      payload: tcp,
      ...(this.ttl === undefined ? {} : { ttl: this.ttl }),
      ...this.devOpt(),
      mark: this.mark,
    });
  }

  /** Advances `snd_una`, dropping what `ack` covers from the retransmission queue. */
  private acknowledge(ack: number): void {
    if (!seqLt(this.sndUna, ack)) return;
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECV') {
      // The handshake's RTT sets the first data RTO (RFC 6298 2.2: srtt + 4 x rttvar = 3 x RTT).
      this.rto = Math.min(TCP_RTO_MAX, TCP_RTO_MIN + 3 * Math.max(0, this.now() - this.synSentAt));
    }
    this.sndUna = ack;
    const kept: SentSegment[] = [];
    for (const seg of this.unacked) {
      const end = seqAdd(seg.seq, seg.length);
      if (seqLe(end, ack)) {
        this.bytesAcked += seg.data.length;
        continue;
      }
      if (seqLt(seg.seq, ack)) {
        const cut = seqDiff(ack, seg.seq);
        this.bytesAcked += cut;
        kept.push({ seq: ack, flags: seg.flags & ~TCP_SYN, data: seg.data.subarray(cut), length: seg.length - cut });
      } else {
        kept.push(seg);
      }
    }
    this.unacked = kept;
    this.retries = 0;
    this.cancelRetransmit();
    if (this.unacked.length > 0) this.armRetransmit();
  }

  private finAcked(): boolean {
    return this.finSent && this.sndUna === this.sndNxt;
  }

  // --- timers ---------------------------------------------------------------------------

  private armRetransmit(): void {
    if (this.rtxTimer !== undefined || this.unacked.length === 0) return;
    this.rtxTimer = this.table.engine.scheduleIn(this.rto, () => this.retransmitTimeout());
  }

  private cancelRetransmit(): void {
    if (this.rtxTimer !== undefined) this.table.engine.cancel(this.rtxTimer);
    this.rtxTimer = undefined;
  }

  /** `tcp_retransmit_timer`: give up after the state's retry budget, else back off and resend. */
  private retransmitTimeout(): void {
    this.rtxTimer = undefined;
    if (this.unacked.length === 0) return;
    const limit = this.state === 'SYN_SENT' ? TCP_SYN_RETRIES : this.state === 'SYN_RECV' ? TCP_SYNACK_RETRIES : TCP_RETRIES2;
    if (this.retries >= limit) {
      if (this.parent !== undefined) this.destroy();
      else this.fail('ETIMEDOUT');
      return;
    }
    this.retries++;
    this.rto = Math.min(this.rto * 2, TCP_RTO_MAX);
    if (this.table.ns.host.world.trace.enabled) {
      this.table.ns.trace(0, undefined, 'socket', { action: 'retransmit', socket: this.describe(), attempt: this.retries, state: this.state });
    }
    this.retransmitAll();
    this.armRetransmit();
  }

  private retransmitAll(): void {
    for (const seg of this.unacked) this.transmit(seg);
  }

  private enterTimeWait(): void {
    this.setState('TIME_WAIT');
    this.cancelRetransmit();
    if (this.twTimer !== undefined) this.table.engine.cancel(this.twTimer);
    this.twTimer = this.table.engine.scheduleIn(TIME_WAIT_NS, () => {
      this.twTimer = undefined;
      this.finish();
    });
  }

  // --- endings --------------------------------------------------------------------------

  /** The connection failed: close without sending anything, report `errno`, then `onClose`. */
  private fail(errno: Errno): void {
    this.finish(errno);
  }

  /** Forgets a passive child that never reached the application. */
  private destroy(): void {
    this.parent?.pendingChildren.delete(this);
    this.parent = undefined;
    this.finish();
  }

  /** Reaches CLOSED: timers stop, the table forgets the socket, `onError` (if failed) and `onClose` run once. */
  private finish(errno?: Errno): void {
    const wasOpen = !this.unregistered;
    this.cancelRetransmit();
    if (this.twTimer !== undefined) this.table.engine.cancel(this.twTimer);
    this.twTimer = undefined;
    this.setState('CLOSED');
    this.unacked = [];
    this.pendingData.length = 0;
    if (!wasOpen) return;
    this.unregistered = true;
    this.table.unregister(this);
    if (errno !== undefined) this.onError?.(errno);
    this.onClose?.();
  }

  private setState(next: TcpState): void {
    if (next === this.state) return;
    const ns = this.table.ns;
    if (ns.host.world.trace.enabled) ns.trace(0, undefined, 'socket', { action: 'state', socket: this.describe(), from: this.state, to: next });
    this.state = next;
  }

  /** Read through a method so control-flow narrowing does not assume callbacks left the state alone. */
  private isClosed(): boolean {
    return this.state === 'CLOSED';
  }

  private now(): number {
    return this.table.engine.now;
  }

  private devOpt(): { dev?: string } {
    return this.boundDev === undefined ? {} : { dev: this.boundDev };
  }

  /** `tcp 10.0.0.1:80 > 10.0.0.2:41234`, for traces. */
  describe(): string {
    return this.table.describe(this);
  }
}

/** The MSS option of a SYN, or RFC 9293's default. */
function peerMssOf(options: readonly TcpOption[]): number {
  for (const o of options) if (o.kind === 'mss') return o.value;
  return TCP_DEFAULT_MSS;
}
