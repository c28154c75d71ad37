/**
 * What the socket layer asks of IPv4: route a flow (egress device, source address, path MTU),
 * send a datagram as local output, and whether an address is one of ours.
 *
 * Models: the calls `net/ipv4/udp.c`, `tcp_ipv4.c`, `raw.c` and `ping.c` make into the IP
 * layer: `ip_route_connect` / `ip_route_output_flow` (source selection, `EADDRNOTAVAIL` on a
 * bind to a foreign address via `inet_addr_type`), `ip_queue_xmit` / `ip_send_skb`.
 * Errnos coming back from the route lookup, xfrm and netfilter keep their meaning; the few
 * iproute2-only errnos are folded into EINVAL.
 * Leaves out: the route cache and `IP_PMTUDISC` modes other than the default ("want").
 */
import { ipOutput, ipv4Of, routeOutput, type IpOutputErrno } from '../ipv4/index.js';
import type { Ipv4, Ipv4Payload } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { sockErr, sockOk, type Errno, type SockResult } from './errno.js';

/** The largest IPv4 datagram: MSS on `lo` is 65535 - 40, not 65536 - 40. */
const IP_MAX_MTU = 0xffff;
const TCPIP_HEADERS = 40;

export interface FlowRoute {
  readonly src: Ipv4;
  readonly dev: NetDevice;
  /** The route's MTU (`ip route ... mtu`), else the egress device's. */
  readonly mtu: number;
}

export interface FlowQuery {
  readonly dst: Ipv4;
  readonly src?: Ipv4;
  /** SO_BINDTODEVICE. */
  readonly dev?: string;
  readonly mark?: number;
}

function deviceOf(ns: NetNamespace, name: string | undefined): NetDevice | undefined {
  return name === undefined ? undefined : ns.device(name);
}

export function ipErrno(errno: IpOutputErrno): Errno {
  switch (errno) {
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EACCES':
    case 'EINVAL':
    case 'EPERM':
    case 'EMSGSIZE':
    case 'EADDRNOTAVAIL':
    case 'ENODEV':
    // An xfrm policy whose state is missing, with no key manager to ask (`xfrm_state_find`).
    case 'ESRCH':
      return errno;
    case 'ENETDOWN':
      return 'ENETUNREACH';
    case 'EEXIST':
    case 'ENOENT':
    case 'EXDEV':
      return 'EINVAL';
  }
}

/** `ip_route_output_flow` for a socket: where a flow to `dst` leaves and from which address. */
export function routeFlow(ns: NetNamespace, q: FlowQuery): SockResult<FlowRoute> {
  const oif = deviceOf(ns, q.dev);
  if (q.dev !== undefined && oif === undefined) return sockErr('ENODEV');
  const src = q.src === 0 ? undefined : q.src;
  const d = routeOutput(ipv4Of(ns), { dst: q.dst, src, oif, mark: q.mark ?? 0 });
  if (!d.ok) return sockErr(ipErrno(d.errno));
  return sockOk({ src: d.src, dev: d.dev, mtu: d.route?.mtu ?? d.dev.mtu });
}

/** The MSS a SYN advertises for a route of this MTU (`tcp_mss_clamp` of `dst_mtu - 40`). */
export function mssForMtu(mtu: number): number {
  return Math.min(mtu, IP_MAX_MTU) - TCPIP_HEADERS;
}

/**
 * `inet_addr_type(...) == RTN_LOCAL`: may a socket bind to this address? Any address a `local`
 * route covers qualifies, so all of 127.0.0.0/8 does (Docker's resolver binds 127.0.0.11).
 */
export function isLocalAddress(ns: NetNamespace, ip: Ipv4): boolean {
  const st = ipv4Of(ns);
  if (st.addrs.isLocal(ip)) return true;
  const r = st.fib.lookup({ dst: ip, src: 0, iif: 'lo', mark: 0 });
  return r.ok && r.route.type === 'local';
}

export interface DatagramRequest {
  readonly dst: Ipv4;
  readonly src?: Ipv4;
  readonly payload: Ipv4Payload;
  readonly ttl?: number;
  readonly tos?: number;
  readonly dev?: string;
  readonly mark?: number;
}

/** `ip_queue_xmit`: sends one datagram; the packet id (for traces) or the errno sendmsg returns. */
export function sendDatagram(ns: NetNamespace, req: DatagramRequest): SockResult<{ readonly packetId: number; readonly src: Ipv4 }> {
  const oif = deviceOf(ns, req.dev);
  if (req.dev !== undefined && oif === undefined) return sockErr('ENODEV');
  const src = req.src === 0 ? undefined : req.src;
  const result = ipOutput(ns, {
    dst: req.dst,
    ...(src === undefined ? {} : { src }),
    payload: req.payload,
    ...(req.ttl === undefined ? {} : { ttl: req.ttl }),
    ...(req.tos === undefined ? {} : { tos: req.tos }),
    ...(oif === undefined ? {} : { oif }),
    ...(req.mark === undefined ? {} : { mark: req.mark }),
  });
  if (!result.ok) return sockErr(ipErrno(result.errno));
  return sockOk({ packetId: result.packetId, src: result.src });
}
