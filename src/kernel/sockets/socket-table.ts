/**
 * The sockets of one network namespace: the UDP and TCP port tables, the TCP connection table,
 * raw ICMP sockets, and local delivery from the IP layer to them (the `sockets` ext slot that
 * `ipv4/input.ts` calls).
 *
 * Models:
 * - `net/ipv4/udp.c` `__udp4_lib_lookup` / `compute_score`: the best socket on the port wins; a
 *   bound address, a connected peer and a bound device each make a socket more specific, and a
 *   mismatch on any of them rules it out. Datagrams to 255.255.255.255 go to every match
 *   (`__udp4_lib_mcast_deliver`). Nobody there: the IP layer answers ICMP port unreachable.
 * - `net/ipv4/inet_hashtables.c` (`__inet_lookup_established`, then `__inet_lookup_listener`
 *   preferring a listener bound to the destination address over a wildcard one), and
 *   `tcp_v4_send_reset`: a segment for no socket is answered with RST (seq = its ACK, or
 *   RST+ACK with seq 0 and ack = its seq + length when it had no ACK), never to a RST.
 * - `net/ipv4/inet_connection_sock.c` `inet_csk_bind_conflict` (EADDRINUSE when the port is held
 *   by a socket whose address overlaps, unless both set SO_REUSEADDR and neither listens).
 * - `net/ipv4/icmp.c` `icmp_socket_deliver` / `raw_icmp_error`: an ICMP error is matched to
 *   the UDP or TCP socket named by the quoted header, and every raw ICMP socket gets a copy of
 *   every ICMP message (`raw_v4_input`).
 * Socket lists are kept in creation order, which `ss` and `netstat` listings follow.
 * Leaves out: SO_REUSEPORT, IPv6 (an inet6 socket here is only a wildcard listener that shows
 * as `*` or `[::]` in listings), socket memory accounting, early demux.
 */
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  decodeQuoted,
  formatIpv4,
  payload as opaquePayload,
  type IcmpRepr,
  type Ipv4,
  type Ipv4Repr,
  type TcpRepr,
  type UdpRepr,
} from '../../packet/index.js';
import type { Engine, Rng } from '../../engine/index.js';
import type { NetDevice } from '../device.js';
import type { DeliveryResult, SocketDelivery } from '../ipv4/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { SOCK_OK, icmpToErrno, sockErr, type SockResult } from './errno.js';
import { IcmpSocket } from './icmp-socket.js';
import { isLocalAddress, sendDatagram } from './ip-seam.js';
import { localPortRange, pickEphemeralPort, type PortPolicy } from './ports.js';
import { TcpSocket } from './tcp.js';
import { UdpSocket } from './udp.js';

/** Who holds a socket, for `ss -p` (`users:(("nginx",pid=1234,fd=6))`) and traces. */
export interface SocketOwner {
  readonly comm: string;
  readonly pid: number;
  readonly fd: number;
}

/** `inet` sockets carry IPv4; an `inet6` one is a dual-stack (`*`) or v6-only (`[::]`) wildcard. */
export type SocketFamily = 'inet' | 'inet6';

export interface SocketOptions {
  readonly owner?: SocketOwner;
  readonly family?: SocketFamily;
  /** IPV6_V6ONLY for an inet6 socket (then it receives nothing here). */
  readonly v6only?: boolean;
}

export type AnySocket = UdpSocket | TcpSocket | IcmpSocket;

const BROADCAST = 0xffffffff;

function connKey(localAddr: Ipv4, localPort: number, remoteAddr: Ipv4, remotePort: number): string {
  return `${localAddr}:${localPort}>${remoteAddr}:${remotePort}`;
}

export class SocketTable implements SocketDelivery {
  readonly ns: NetNamespace;
  /** Every open socket, in creation order. */
  private readonly all = new Set<AnySocket>();
  private readonly udpPorts = new Map<number, UdpSocket[]>();
  /** TCP sockets holding a local port (bound, listening, or connected without an explicit bind). */
  private readonly tcpPorts = new Map<number, TcpSocket[]>();
  /** TCP connections by 4-tuple (SYN_SENT onwards, passive children included). */
  private readonly tcpConns = new Map<string, TcpSocket>();
  private readonly raw = new Set<IcmpSocket>();
  private readonly portRng: Rng;
  private readonly isnRng: Rng;

  constructor(ns: NetNamespace) {
    this.ns = ns;
    this.portRng = ns.host.world.rng.stream('ephemeral-port');
    this.isnRng = ns.host.world.rng.stream('tcp-isn');
  }

  get engine(): Engine {
    return this.ns.host.world.engine;
  }

  // --- opening ---------------------------------------------------------------------------

  udp(options: SocketOptions = {}): UdpSocket {
    const s = new UdpSocket(this, options.owner, options.family ?? 'inet', options.v6only ?? false);
    this.all.add(s);
    return s;
  }

  tcp(options: SocketOptions = {}): TcpSocket {
    const s = new TcpSocket(this, options.owner, options.family ?? 'inet', options.v6only ?? false);
    this.all.add(s);
    return s;
  }

  /** A raw ICMP socket (`socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`), as ping and traceroute open. */
  icmp(options: SocketOptions = {}): IcmpSocket {
    const s = new IcmpSocket(this, options.owner);
    this.all.add(s);
    this.raw.add(s);
    return s;
  }

  /** Open sockets in creation order (accepted connections after their listener's). */
  sockets(): AnySocket[] {
    return [...this.all];
  }

  /** Closes everything (the namespace is going away). */
  closeAll(): void {
    for (const s of [...this.all]) {
      if (s.kind === 'tcp') s.abort();
      else s.close();
    }
  }

  // --- binding ---------------------------------------------------------------------------

  /** `inet_bind` + `udp_lib_get_port`. */
  bindUdp(s: UdpSocket, addr: Ipv4, port: number): SockResult {
    if (addr !== 0 && addr !== BROADCAST && !isLocalAddress(this.ns, addr)) return sockErr('EADDRNOTAVAIL');
    const conflicts = (p: number): boolean =>
      (this.udpPorts.get(p) ?? []).some(o => o !== s && sameSpace(o, s) && overlaps(o.localAddr, addr) && !(o.reuseAddr && s.reuseAddr));
    let chosen = port;
    if (chosen === 0) {
      const picked = pickEphemeralPort(this.portRng, localPortRange(this.ns), 'udp', p => conflicts(p));
      if (picked === undefined) return sockErr('EADDRINUSE');
      chosen = picked;
    } else if (conflicts(chosen)) {
      return sockErr('EADDRINUSE');
    }
    s.localAddr = addr;
    s.localPort = chosen;
    push(this.udpPorts, chosen, s);
    return SOCK_OK;
  }

  /** A connect() on a wildcard-bound UDP socket fixes its address (`ip4_datagram_connect`). */
  rehashUdp(s: UdpSocket, addr: Ipv4): void {
    s.localAddr = addr;
  }

  /** `inet_csk_get_port`; for connect the port must also leave the 4-tuple unique. */
  bindTcp(s: TcpSocket, addr: Ipv4, port: number, policy: PortPolicy, peer?: { readonly addr: Ipv4; readonly port: number }): SockResult {
    if (policy === 'tcp-bind' && addr !== 0 && !isLocalAddress(this.ns, addr)) return sockErr('EADDRNOTAVAIL');
    const conflicts = (p: number): boolean => {
      const holders = this.tcpPorts.get(p) ?? [];
      if (policy === 'tcp-connect') {
        // __inet_hash_connect skips ports a bind() holds and 4-tuples already in use.
        return holders.length > 0 || (peer !== undefined && this.tcpConns.has(connKey(addr, p, peer.addr, peer.port)));
      }
      return holders.some(o => o !== s && sameSpace(o, s) && overlaps(o.localAddr, addr) && !(o.reuseAddr && s.reuseAddr && o.state !== 'LISTEN'));
    };
    let chosen = port;
    if (chosen === 0) {
      const picked = pickEphemeralPort(this.portRng, localPortRange(this.ns), policy, conflicts);
      if (picked === undefined) return sockErr(policy === 'tcp-connect' ? 'EADDRNOTAVAIL' : 'EADDRINUSE');
      chosen = picked;
    } else if (conflicts(chosen)) {
      return sockErr('EADDRINUSE');
    }
    s.localAddr = addr;
    s.localPort = chosen;
    push(this.tcpPorts, chosen, s);
    return SOCK_OK;
  }

  /** `inet_csk_listen_start` re-checks the port (a SO_REUSEADDR socket may not listen beside another listener). */
  canListen(s: TcpSocket): SockResult {
    const clash = (this.tcpPorts.get(s.localPort) ?? []).some(o => o !== s && o.state === 'LISTEN' && sameSpace(o, s) && overlaps(o.localAddr, s.localAddr));
    return clash ? sockErr('EADDRINUSE') : SOCK_OK;
  }

  registerConnection(s: TcpSocket): void {
    this.tcpConns.set(connKey(s.localAddr, s.localPort, s.remoteAddr, s.remotePort), s);
    this.all.add(s);
  }

  /** Forgets a closed socket. */
  unregister(s: AnySocket): void {
    this.all.delete(s);
    switch (s.kind) {
      case 'udp':
        remove(this.udpPorts, s.localPort, s);
        return;
      case 'tcp': {
        remove(this.tcpPorts, s.localPort, s);
        const key = connKey(s.localAddr, s.localPort, s.remoteAddr, s.remotePort);
        if (this.tcpConns.get(key) === s) this.tcpConns.delete(key);
        return;
      }
      case 'icmp':
        this.raw.delete(s);
        return;
    }
  }

  /** An initial sequence number (RFC 6528 would hash the 4-tuple with a secret; here a seeded draw). */
  isn(): number {
    return this.isnRng.uint32();
  }

  // --- local delivery (ipv4/input.ts calls this) --------------------------------------------

  deliver(skb: Skb, ip: Ipv4Repr, dev: NetDevice): DeliveryResult {
    const p = ip.payload;
    switch (p.kind) {
      case 'udp':
        return this.udpRcv(skb, ip, p, dev);
      case 'tcp':
        return this.tcpRcv(skb, ip, p, dev);
      case 'icmp':
        return this.icmpRcv(skb, ip, p, dev);
      case 'esp':
      case 'payload':
        return 'no-socket';
    }
  }

  private udpRcv(skb: Skb, ip: Ipv4Repr, udp: UdpRepr, dev: NetDevice): DeliveryResult {
    const candidates = this.udpPorts.get(udp.dstPort);
    if (candidates === undefined) return 'no-socket';
    const datagram = {
      payload: udp.payload,
      src: ip.src,
      srcPort: udp.srcPort,
      dst: ip.dst,
      dstPort: udp.dstPort,
      ttl: ip.ttl,
      dev: dev.name,
      packetId: skb.id,
    };
    if (ip.dst === BROADCAST) {
      const all = candidates.filter(s => udpScore(s, ip, udp, dev) > 0);
      for (const s of all) {
        this.traceDelivery(skb, dev, s);
        s.receive(datagram);
      }
      return all.length > 0 ? 'delivered' : 'no-socket';
    }
    let best: UdpSocket | undefined;
    let bestScore = 0;
    for (const s of candidates) {
      const score = udpScore(s, ip, udp, dev);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    if (best === undefined) return 'no-socket';
    this.traceDelivery(skb, dev, best);
    best.receive(datagram);
    return 'delivered';
  }

  private tcpRcv(skb: Skb, ip: Ipv4Repr, tcp: TcpRepr, dev: NetDevice): DeliveryResult {
    const conn = this.tcpConns.get(connKey(ip.dst, tcp.dstPort, ip.src, tcp.srcPort));
    const sock = conn ?? this.listenerFor(ip.dst, tcp.dstPort, dev);
    if (sock !== undefined) {
      this.traceDelivery(skb, dev, sock, tcp);
      if (sock.segmentArrives(tcp, ip.src, ip.dst)) return 'delivered';
    }
    if (tcp.flags & TCP_RST) return 'no-socket';
    this.sendReset(tcp, ip.src, ip.dst, undefined);
    return 'rst-sent';
  }

  /** `__inet_lookup_listener`: a listener on the exact address beats a wildcard one. */
  private listenerFor(dst: Ipv4, port: number, dev: NetDevice): TcpSocket | undefined {
    let best: TcpSocket | undefined;
    let bestScore = 0;
    for (const s of this.tcpPorts.get(port) ?? []) {
      if (s.state !== 'LISTEN' || s.v6only) continue;
      if (s.boundDev !== undefined && s.boundDev !== dev.name) continue;
      if (s.localAddr !== 0 && s.localAddr !== dst) continue;
      const score = 1 + (s.localAddr !== 0 ? 4 : 0) + (s.boundDev !== undefined ? 4 : 0) + (s.family === 'inet' ? 1 : 0);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  /** `tcp_v4_send_reset`: the answer to a segment nobody wants. `src`/`dst` are the offending segment's. */
  sendReset(seg: TcpRepr, src: Ipv4, dst: Ipv4, dev: string | undefined): void {
    if (seg.flags & TCP_RST) return;
    const len = seg.payload.bytes.length + (seg.flags & TCP_SYN ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0);
    const hasAck = (seg.flags & TCP_ACK) !== 0;
    const rst: TcpRepr = {
      kind: 'tcp',
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq: hasAck ? seg.ack : 0,
      ack: hasAck ? 0 : (seg.seq + len) >>> 0,
      flags: hasAck ? TCP_RST : TCP_RST | TCP_ACK,
      window: 0,
      urgent: 0,
      options: [],
      payload: opaquePayload(new Uint8Array(0)),
    };
    if (this.ns.host.world.trace.enabled) {
      this.ns.trace(0, dev, 'socket', { action: 'reset', to: `${formatIpv4(src)}:${seg.srcPort}`, from: `${formatIpv4(dst)}:${seg.dstPort}` });
    }
    sendDatagram(this.ns, { dst: src, src: dst, payload: rst, ...(dev === undefined ? {} : { dev }) });
  }

  private icmpRcv(skb: Skb, ip: Ipv4Repr, icmp: IcmpRepr, dev: NetDevice): DeliveryResult {
    let taken = false;
    if (icmp.type === 'dest-unreachable' || icmp.type === 'time-exceeded') taken = this.icmpError(icmp);
    for (const s of this.raw) {
      if (s.accepts(ip, dev)) {
        s.receive({ ip, icmp, dev: dev.name, packetId: skb.id });
        taken = true;
      }
    }
    return taken ? 'delivered' : 'no-socket';
  }

  /** `icmp_unreach` -> `udp_err` / `tcp_v4_err` for the socket named by the quoted header. */
  private icmpError(icmp: IcmpRepr & { readonly quoted: Uint8Array }): boolean {
    const err = icmpToErrno(icmp);
    const q = decodeQuoted(icmp.quoted);
    if (err === undefined || !q.ok || q.value.ports === undefined) return false;
    const { src, dst, protocol } = q.value;
    const { srcPort, dstPort } = q.value.ports;
    if (protocol === IPPROTO_TCP) {
      const conn = this.tcpConns.get(connKey(src, srcPort, dst, dstPort));
      if (conn === undefined) return false;
      const t = q.value.transport;
      const seq = t.length >= 8 ? ((t[4]! << 24) | (t[5]! << 16) | (t[6]! << 8) | t[7]!) >>> 0 : undefined;
      conn.icmpError(err, seq);
      return true;
    }
    if (protocol === IPPROTO_UDP) {
      const s = (this.udpPorts.get(srcPort) ?? []).find(
        u => (u.localAddr === 0 || u.localAddr === src) && (!u.connected || (u.remoteAddr === dst && u.remotePort === dstPort)),
      );
      if (s === undefined) return false;
      s.icmpError(err);
      return true;
    }
    return false;
  }

  private traceDelivery(skb: Skb, dev: NetDevice, s: UdpSocket | TcpSocket, tcp?: TcpRepr): void {
    if (!this.ns.host.world.trace.enabled) return;
    const detail: Record<string, string> = { action: 'deliver', socket: this.describe(s) };
    if (s.owner !== undefined) detail['owner'] = `${s.owner.comm}/${s.owner.pid}`;
    if (tcp !== undefined) detail['state'] = s.kind === 'tcp' ? s.state : '';
    this.ns.trace(skb, dev, 'socket', detail);
  }

  /** `udp 0.0.0.0:53`, `tcp 10.0.0.1:80 > 10.0.0.2:41234`. */
  describe(s: UdpSocket | TcpSocket): string {
    const local = `${s.kind} ${formatIpv4(s.localAddr)}:${s.localPort}`;
    return s.remotePort === 0 ? local : `${local} > ${formatIpv4(s.remoteAddr)}:${s.remotePort}`;
  }
}

/**
 * Whether two sockets compete for the same IPv4 ports: a v6-only inet6 socket never competes
 * with an inet one (`[::]:80` beside `0.0.0.0:80`), a dual-stack one does.
 */
function sameSpace(a: { readonly family: SocketFamily; readonly v6only: boolean }, b: { readonly family: SocketFamily; readonly v6only: boolean }): boolean {
  if (a.family === b.family) return true;
  return !(a.v6only || b.v6only);
}

/** Two bound addresses collide when either is the wildcard or they are equal. */
function overlaps(a: Ipv4, b: Ipv4): boolean {
  return a === 0 || b === 0 || a === b;
}

/** `compute_score`: 0 means "not this socket". */
function udpScore(s: UdpSocket, ip: Ipv4Repr, udp: UdpRepr, dev: NetDevice): number {
  if (s.closed || s.v6only) return 0;
  let score = s.family === 'inet' ? 2 : 1;
  if (s.localAddr !== 0) {
    if (s.localAddr !== ip.dst) return 0;
    score += 4;
  }
  if (s.remotePort !== 0) {
    if (s.remoteAddr !== ip.src || s.remotePort !== udp.srcPort) return 0;
    score += 4;
  }
  if (s.boundDev !== undefined) {
    if (s.boundDev !== dev.name) return 0;
    score += 4;
  }
  return score;
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function remove<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) return;
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}
