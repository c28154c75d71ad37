/**
 * A UDP socket (`SOCK_DGRAM`, `IPPROTO_UDP`): bind, connect, sendto, receive callbacks, and the
 * errors a connected socket learns from ICMP.
 *
 * Models: `net/ipv4/udp.c` (`udp_lib_get_port` for bind/autobind through `ports.ts`,
 * `udp_sendmsg`: an unbound socket is autobound to an ephemeral port on its first send, and an
 * unconnected one picks its source address per datagram from the route; `__udp4_lib_err`: only
 * a *connected* socket is told about a hard ICMP error such as port unreachable, which its next
 * call returns as ECONNREFUSED, unless IP_RECVERR is set), `net/ipv4/datagram.c`
 * (`ip4_datagram_connect`: connect chooses and fixes the source address by a route lookup).
 * Receive demultiplexing (`compute_score`) lives in `socket-table.ts`.
 * Leaves out: receive buffers (datagrams go straight to `onMessage`), SO_REUSEPORT groups,
 * corking, multicast membership, checksum errors.
 */
import { textPayload, payload as opaquePayload, type Ipv4, type UdpPayload, type UdpRepr } from '../../packet/index.js';
import { SOCK_OK, sockErr, sockOk, type Errno, type IcmpSocketError, type SockResult } from './errno.js';
import { routeFlow, sendDatagram } from './ip-seam.js';
import type { SocketFamily, SocketOwner, SocketTable } from './socket-table.js';

/** A datagram as `recvmsg` returns it, with the ancillary data programs use (TTL, ingress). */
export interface UdpDatagram {
  readonly payload: UdpPayload;
  readonly src: Ipv4;
  readonly srcPort: number;
  readonly dst: Ipv4;
  readonly dstPort: number;
  readonly ttl: number;
  /** The device the datagram came in on (`IP_PKTINFO`). */
  readonly dev: string;
  readonly packetId: number;
}

/** What `send` accepts: text, bytes, or a decoded payload (a DNS message). */
export type UdpData = string | Uint8Array | UdpPayload;

export function toUdpPayload(data: UdpData): UdpPayload {
  if (typeof data === 'string') return textPayload(data);
  if (data instanceof Uint8Array) return opaquePayload(data);
  return data;
}

export class UdpSocket {
  readonly kind = 'udp';
  readonly table: SocketTable;
  readonly owner: SocketOwner | undefined;
  readonly family: SocketFamily;
  /** IPV6_V6ONLY on an inet6 socket: it receives no IPv4 at all here. */
  readonly v6only: boolean;
  /** `inet_rcv_saddr`: 0 for INADDR_ANY. */
  localAddr: Ipv4 = 0;
  localPort = 0;
  remoteAddr: Ipv4 = 0;
  remotePort = 0;
  /** SO_BINDTODEVICE. */
  boundDev: string | undefined = undefined;
  /** IP_TTL; undefined means `ip_default_ttl`. */
  ttl: number | undefined = undefined;
  tos: number | undefined = undefined;
  mark = 0;
  /** SO_BROADCAST (needed to send to a broadcast address). */
  broadcast = false;
  reuseAddr = false;
  closed = false;
  /** `sk->sk_err`: a hard error waiting to be returned by the next send. */
  pendingError: Errno | undefined = undefined;
  onMessage: ((d: UdpDatagram) => void) | undefined = undefined;
  /** A hard ICMP error on a connected socket (what a blocked recv would return). */
  onError: ((errno: Errno) => void) | undefined = undefined;

  constructor(table: SocketTable, owner: SocketOwner | undefined, family: SocketFamily, v6only: boolean) {
    this.table = table;
    this.owner = owner;
    this.family = family;
    this.v6only = v6only;
  }

  get bound(): boolean {
    return this.localPort !== 0;
  }

  get connected(): boolean {
    return this.remotePort !== 0;
  }

  /** `bind(addr, port)`; port 0 picks an ephemeral port. */
  bind(addr: Ipv4 = 0, port = 0): SockResult {
    if (this.closed) return sockErr('EINVAL');
    if (this.bound) return sockErr('EINVAL');
    return this.table.bindUdp(this, addr, port);
  }

  /** `connect(addr, port)`: fixes the peer, and the source address from the route. */
  connect(addr: Ipv4, port: number): SockResult {
    if (this.closed) return sockErr('EINVAL');
    const route = routeFlow(this.table.ns, { dst: addr, src: this.localAddr, ...this.devOpt(), mark: this.mark });
    if (!route.ok) return route;
    if (!this.bound) {
      const bound = this.table.bindUdp(this, 0, 0);
      if (!bound.ok) return bound;
    }
    if (this.localAddr === 0) this.table.rehashUdp(this, route.value.src);
    this.remoteAddr = addr;
    this.remotePort = port;
    this.pendingError = undefined;
    return SOCK_OK;
  }

  /**
   * `sendto`: to `to`, or to the connected peer. Returns the packet id, or the errno sendmsg
   * gives (a pending ICMP error first, then routing and netfilter errors).
   */
  send(data: UdpData, to?: { readonly addr: Ipv4; readonly port: number }): SockResult<number> {
    if (this.closed) return sockErr('EINVAL');
    if (this.pendingError !== undefined) {
      const errno = this.pendingError;
      this.pendingError = undefined;
      return sockErr(errno);
    }
    const dst = to?.addr ?? this.remoteAddr;
    const dstPort = to?.port ?? this.remotePort;
    if (dstPort === 0) return sockErr(to === undefined ? 'ENOTCONN' : 'EINVAL');
    if (dst === 0xffffffff && !this.broadcast) return sockErr('EACCES');
    if (!this.bound) {
      const bound = this.table.bindUdp(this, 0, 0);
      if (!bound.ok) return bound;
    }
    const udp: UdpRepr = { kind: 'udp', srcPort: this.localPort, dstPort, payload: toUdpPayload(data) };
    const sent = sendDatagram(this.table.ns, {
      dst,
      src: this.localAddr,
      payload: udp,
      ...(this.ttl === undefined ? {} : { ttl: this.ttl }),
      ...(this.tos === undefined ? {} : { tos: this.tos }),
      ...this.devOpt(),
      mark: this.mark,
    });
    return sent.ok ? sockOk(sent.value.packetId) : sent;
  }

  /** `connect(AF_UNSPEC)`: forget the peer (the source address stays as bound). */
  disconnect(): void {
    this.remoteAddr = 0;
    this.remotePort = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.table.unregister(this);
  }

  /** Called by the table for a received datagram addressed to this socket. */
  receive(d: UdpDatagram): void {
    this.onMessage?.(d);
  }

  /** `__udp4_lib_err`: a connected socket records a hard error; others ignore ICMP. */
  icmpError(err: IcmpSocketError): void {
    if (!err.fatal || !this.connected) return;
    this.pendingError = err.errno;
    this.onError?.(err.errno);
  }

  private devOpt(): { dev?: string } {
    return this.boundDev === undefined ? {} : { dev: this.boundDev };
  }
}
