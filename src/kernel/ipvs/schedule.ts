/**
 * The request-side decision of IPVS: does a packet belong to a connection, does it start one,
 * and which real server gets it. Decisions are data: the caller (hooks.ts) applies them.
 *
 * Models: net/netfilter/ipvs/ip_vs_core.c, in order:
 * - `ip_vs_in_hook`: only TCP and UDP are handled; look the packet up (`conn_in_get`); with
 *   `conn_reuse_mode` a SYN that hits an entry in TIME_WAIT or CLOSE (or FIN_WAIT of a DR/TUN
 *   entry with mode bit 2), that is not controlled by a template, expires the old entry and is
 *   scheduled afresh (with `expire_nodest_conn`, also an entry whose server has weight 0); an
 *   entry whose server was removed drops the packet, or is expired and rescheduled with
 *   `expire_nodest_conn`. When the old entry used a confirmed conntrack entry, the SYN is dropped.
 * - `tcp_conn_schedule` / `udp_conn_schedule`: only a TCP SYN without RST may create an entry;
 *   the service is `ip_vs_service_find(skb->mark, protocol, daddr, dport)`.
 * - `ip_vs_schedule`: never from source port 20 (FTP data); in LOCAL_OUT, never for a reply of
 *   an existing entry (a local real server answering); a non-persistent service whose port is 0
 *   or differs from the packet's (port-zero catch-all) cannot schedule; then the scheduler picks
 *   a server and the entry is created (destination port 0 means "the packet's port").
 * - `ip_vs_sched_persist`: the template <protocol, saddr & netmask, 0, vaddr, vport> (for fwmark
 *   services <IPPROTO_IP, net, 0, fwmark, 0>) names the server for the client; a missing or
 *   invalid template (server unavailable, or weight 0 with `expire_quiescent_template`) makes the
 *   scheduler choose and a new template with the service's timeout; the connection is created
 *   under the template's control, and using the template restarts its timer.
 * - No server (`ip_vs_leave`): ICMP port unreachable to the client and NF_DROP.
 * Leaves out: ICMP handling (`ip_vs_in_icmp`), FTP helpers, `cache_bypass`, `sloppy_tcp`,
 * `sloppy_sctp`, the `ip_vs_todrop` defense, persistence engines (`--pe sip`).
 */
import { IPPROTO_TCP, IPPROTO_UDP, TCP_RST, TCP_SYN, type Ipv4 } from '../../packet/index.js';
import type { IpvsConn } from './conn-table.js';
import { ipvsProtocol, TCP_S_CLOSE, TCP_S_FIN_WAIT, TCP_S_TIME_WAIT } from './proto.js';
import { IPPROTO_IP, SVC_F_ONEPACKET, type RealServer, type VirtualService } from './service.js';
import type { IpvsState } from './state.js';

/** What IPVS reads of a packet (`struct ip_vs_iphdr` plus the transport ports and TCP flags). */
export interface IpvsPacket {
  readonly protocol: number;
  readonly saddr: Ipv4;
  readonly sport: number;
  readonly daddr: Ipv4;
  readonly dport: number;
  /** `skb->mark`, for fwmark services. */
  readonly mark: number;
  /** TCP flags byte; 0 for UDP. */
  readonly tcpFlags: number;
  /** The packet holds a confirmed conntrack entry (`ip_vs_conn_uses_old_conntrack`). */
  readonly ctConfirmed?: boolean;
}

export type IpvsInDecision =
  /** Not IPVS's business: the packet continues its traversal. */
  | { readonly kind: 'pass'; readonly why: string }
  /** The packet belongs to `conn` (found, or created now with a server chosen by the scheduler). */
  | {
      readonly kind: 'conn';
      readonly conn: IpvsConn;
      readonly created: boolean;
      /** Persistence: the template was created now, or an existing one chose the server. */
      readonly template?: 'new' | 'reused';
    }
  /** A service matched but no server is available: ICMP port unreachable, then drop. */
  | { readonly kind: 'no-backend'; readonly svc: VirtualService; readonly why: string }
  /** NF_DROP without a reply. */
  | { readonly kind: 'drop'; readonly why: string };

const FTPDATA = 20;
const FTPPORT = 21;

function isSyn(pkt: IpvsPacket): boolean {
  return pkt.protocol === IPPROTO_TCP && (pkt.tcpFlags & TCP_SYN) !== 0;
}

/** `is_new_conn_expected`. */
function newConnExpected(conn: IpvsConn, reuseMode: number): boolean {
  if (conn.control !== undefined || conn.protocol !== IPPROTO_TCP) return false;
  return (
    conn.state === TCP_S_TIME_WAIT || conn.state === TCP_S_CLOSE || ((reuseMode & 2) !== 0 && conn.state === TCP_S_FIN_WAIT && conn.noOutput)
  );
}

/** `ip_vs_in_hook` from the lookup to the entry (see the header). `localOut`: called in LOCAL_OUT. */
export function ipvsInDecision(ipvs: IpvsState, pkt: IpvsPacket, localOut: boolean): IpvsInDecision {
  if (!ipvsProtocol(pkt.protocol)) return { kind: 'pass', why: 'protocol not handled by IPVS' };
  const table = ipvs.conns;
  let conn = table.inGet(pkt.protocol, pkt.saddr, pkt.sport, pkt.daddr, pkt.dport);
  const reuseMode = ipvs.sysctl('conn_reuse_mode');
  const expireNodest = ipvs.sysctl('expire_nodest_conn') !== 0;
  if (conn !== undefined && reuseMode !== 0 && isSyn(pkt)) {
    let resched = false;
    const oldCt = pkt.ctConfirmed === true;
    if (expireNodest && conn.dest.weight === 0) resched = true;
    else if (newConnExpected(conn, reuseMode)) resched = conn.nControl === 0 ? true : !oldCt;
    if (resched) {
      if (conn.nControl === 0) table.expireNow(conn);
      if (oldCt) return { kind: 'drop', why: 'connection reuse with an old conntrack entry' };
      conn = undefined;
    }
  }
  if (conn !== undefined && !conn.dest.available) {
    if (!expireNodest) return { kind: 'drop', why: 'the real server of this connection was removed' };
    const oldCt = pkt.ctConfirmed === true;
    table.expireNow(conn);
    if (oldCt) return { kind: 'drop', why: 'connection to a removed server with an old conntrack entry' };
    conn = undefined;
  }
  if (conn !== undefined) return { kind: 'conn', conn, created: false };

  if (pkt.protocol === IPPROTO_TCP && ((pkt.tcpFlags & TCP_RST) !== 0 || (pkt.tcpFlags & TCP_SYN) === 0)) {
    return { kind: 'pass', why: 'no connection entry and not a SYN' };
  }
  const svc = ipvs.findService(pkt.mark, pkt.protocol, pkt.daddr, pkt.dport);
  if (svc === undefined) return { kind: 'pass', why: 'no virtual service' };
  return schedule(ipvs, svc, pkt, localOut);
}

/** `ip_vs_schedule`. */
function schedule(ipvs: IpvsState, svc: VirtualService, pkt: IpvsPacket, localOut: boolean): IpvsInDecision {
  if (pkt.sport === FTPDATA) return { kind: 'pass', why: 'not scheduling FTPDATA' };
  if (localOut && ipvs.conns.inGet(pkt.protocol, pkt.daddr, pkt.dport, pkt.saddr, pkt.sport) !== undefined) {
    return { kind: 'pass', why: 'reply of a local real server' };
  }
  if (svc.persistent) return schedPersist(ipvs, svc, pkt);
  if (svc.fwmark === 0 && pkt.dport !== svc.port) {
    return { kind: 'no-backend', svc, why: 'port zero only supported in persistent services' };
  }
  const dest = svc.scheduler.schedule(svc.dests, { saddr: pkt.saddr, sport: pkt.sport }, svc.flags);
  if (dest === undefined) return { kind: 'no-backend', svc, why: 'no destination available' };
  const conn = createConn(ipvs, svc, dest, pkt, dest.port !== 0 ? dest.port : pkt.dport);
  return { kind: 'conn', conn, created: true };
}

/** `ip_vs_check_template`. */
function templateValid(ipvs: IpvsState, tpl: IpvsConn): boolean {
  const dest = tpl.dest;
  if (!dest.available || (ipvs.sysctl('expire_quiescent_template') !== 0 && dest.weight === 0)) {
    ipvs.conns.invalidateTemplate(tpl);
    return false;
  }
  return true;
}

/** `ip_vs_sched_persist`. */
function schedPersist(ipvs: IpvsState, svc: VirtualService, pkt: IpvsPacket): IpvsInDecision {
  const table = ipvs.conns;
  const snet = (pkt.saddr & svc.netmask) >>> 0;
  let protocol = pkt.protocol;
  let vaddr = pkt.daddr;
  let vport = 0;
  if (pkt.dport === svc.port) {
    if (svc.port !== FTPPORT) vport = pkt.dport;
  } else if (svc.fwmark !== 0) {
    protocol = IPPROTO_IP;
    vaddr = svc.fwmark >>> 0;
  }
  let tpl = table.templateGet(protocol, snet, vaddr, vport);
  let dest: RealServer;
  let fresh = false;
  if (tpl === undefined || !templateValid(ipvs, tpl)) {
    const chosen = svc.scheduler.schedule(svc.dests, { saddr: pkt.saddr, sport: pkt.sport }, svc.flags);
    if (chosen === undefined) return { kind: 'no-backend', svc, why: 'no destination available' };
    dest = chosen;
    const tplDport = pkt.dport === svc.port && svc.port !== FTPPORT ? dest.port : 0;
    tpl = table.create({
      protocol,
      caddr: snet,
      cport: 0,
      vaddr,
      vport,
      daddr: dest.addr,
      dport: tplDport,
      dest,
      svc,
      template: true,
      nfct: false,
      onePacket: false,
      fwmark: pkt.mark,
    });
    tpl.timeout = svc.timeout * 1_000_000_000;
    fresh = true;
  } else {
    dest = tpl.dest;
  }
  const dport = pkt.dport === svc.port && dest.port !== 0 ? dest.port : pkt.dport;
  const conn = createConn(ipvs, svc, dest, pkt, dport);
  table.addControl(conn, tpl);
  table.put(tpl);
  return { kind: 'conn', conn, created: true, template: fresh ? 'new' : 'reused' };
}

function createConn(ipvs: IpvsState, svc: VirtualService, dest: RealServer, pkt: IpvsPacket, dport: number): IpvsConn {
  const now = ipvs.clock.now;
  const conn = ipvs.conns.create({
    protocol: pkt.protocol,
    caddr: pkt.saddr,
    cport: pkt.sport,
    vaddr: pkt.daddr,
    vport: pkt.dport,
    daddr: dest.addr,
    dport,
    dest,
    svc,
    template: false,
    nfct: ipvs.sysctl('conntrack') !== 0,
    onePacket: (svc.flags & SVC_F_ONEPACKET) !== 0 && pkt.protocol === IPPROTO_UDP,
    fwmark: pkt.mark,
  });
  dest.stats.conn(now);
  svc.stats.conn(now);
  return conn;
}

/** `ip_vs_in_stats` + `ip_vs_set_state(IP_VS_DIR_INPUT)` for a request packet of `conn`. */
export function accountRequest(ipvs: IpvsState, conn: IpvsConn, pkt: IpvsPacket, bytes: number): void {
  const now = ipvs.clock.now;
  conn.dest.stats.packet(now, 'in', bytes);
  conn.svc.stats.packet(now, 'in', bytes);
  ipvs.conns.setState(conn, 'input', pkt.tcpFlags);
}

/** `ip_vs_out_stats` + `ip_vs_set_state(IP_VS_DIR_OUTPUT)` for a reply packet of `conn`. */
export function accountReply(ipvs: IpvsState, conn: IpvsConn, pkt: IpvsPacket, bytes: number): void {
  const now = ipvs.clock.now;
  conn.dest.stats.packet(now, 'out', bytes);
  conn.svc.stats.packet(now, 'out', bytes);
  ipvs.conns.setState(conn, 'output', pkt.tcpFlags);
}
