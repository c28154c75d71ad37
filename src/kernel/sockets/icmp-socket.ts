/**
 * A raw ICMP socket (`socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`): it sends ICMP messages it
 * builds (echo requests) and receives a copy of every ICMP message delivered to this namespace,
 * with its IP header: echo replies for ping (which matches them by identifier itself), time
 * exceeded and port unreachable for traceroute.
 *
 * Models: `net/ipv4/raw.c` (`raw_v4_input`: every matching raw socket gets a clone before the
 * protocol handler; a socket bound to an address or a device sees only what matches them;
 * `raw_sendmsg` with the IP header built by the kernel). Echo requests addressed to us are
 * answered by the kernel (`ipv4/input.ts`) and are not shown to raw sockets here.
 * Leaves out: ICMP_FILTER, IP_HDRINCL, unprivileged ping sockets (`SOCK_DGRAM` + IPPROTO_ICMP,
 * where the kernel rewrites the identifier).
 */
import type { IcmpRepr, Ipv4, Ipv4Repr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { sockErr, sockOk, type SockResult } from './errno.js';
import { sendDatagram } from './ip-seam.js';
import type { SocketOwner, SocketTable } from './socket-table.js';

export interface IcmpMessage {
  readonly ip: Ipv4Repr;
  readonly icmp: IcmpRepr;
  /** The ingress device. */
  readonly dev: string;
  readonly packetId: number;
}

export interface IcmpSendOptions {
  readonly ttl?: number;
  readonly tos?: number;
}

export class IcmpSocket {
  readonly kind = 'icmp';
  readonly table: SocketTable;
  readonly owner: SocketOwner | undefined;
  /** `bind()`: the source address of what it sends, and the only destination it receives. */
  localAddr: Ipv4 = 0;
  boundDev: string | undefined = undefined;
  ttl: number | undefined = undefined;
  mark = 0;
  closed = false;
  onMessage: ((m: IcmpMessage) => void) | undefined = undefined;

  constructor(table: SocketTable, owner: SocketOwner | undefined) {
    this.table = table;
    this.owner = owner;
  }

  /** Sends `icmp` to `dst`; the packet id, or the errno of `sendto`. */
  send(dst: Ipv4, icmp: IcmpRepr, options: IcmpSendOptions = {}): SockResult<number> {
    if (this.closed) return sockErr('EINVAL');
    const ttl = options.ttl ?? this.ttl;
    const sent = sendDatagram(this.table.ns, {
      dst,
      src: this.localAddr,
      payload: icmp,
      ...(ttl === undefined ? {} : { ttl }),
      ...(options.tos === undefined ? {} : { tos: options.tos }),
      ...(this.boundDev === undefined ? {} : { dev: this.boundDev }),
      mark: this.mark,
    });
    return sent.ok ? sockOk(sent.value.packetId) : sent;
  }

  /** `raw_v4_input`'s match: bound address and device, when set, must fit. */
  accepts(ip: Ipv4Repr, dev: NetDevice): boolean {
    if (this.closed) return false;
    if (this.localAddr !== 0 && this.localAddr !== ip.dst) return false;
    return this.boundDev === undefined || this.boundDev === dev.name;
  }

  receive(m: IcmpMessage): void {
    this.onMessage?.(m);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.table.unregister(this);
  }
}
