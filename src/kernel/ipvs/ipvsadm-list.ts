/**
 * ipvsadm's listings: `-L/-l` (with `-n`, `--stats`, `--rate`, `--thresholds`,
 * `--persistent-conn`, `--exact`, `--nosort`), `-L -t|-u|-f service`, `-Lc` (connections),
 * `-L --timeout` and `-S` (save as rules), byte for byte as ipvsadm 1.31 prints them.
 *
 * Models: ipvsadm.c `list_all`, `list_service`, `print_title`, `print_service_entry`,
 * `print_sched_flags`, `print_largenum`, `fwd_name`, `fwd_switch`, `list_conn`/`print_conn` over
 * `/proc/net/ip_vs_conn` (ip_vs_conn.c `ip_vs_conn_seq_show`: expiry in whole seconds, rounded
 * down), `list_timeout`; libipvs `ipvs_cmp_services` / `ipvs_cmp_dests` (sort keys subtracted
 * as unsigned and read as int, so 10.x sorts after 192.x: kept).
 *
 *   IP Virtual Server version 1.2.1 (size=4096)
 *   Prot LocalAddress:Port Scheduler Flags
 *     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
 *   TCP  10.96.0.1:443 rr
 *     -> 192.168.1.10:6443            Masq    1      0          0
 *
 * The destination lines keep the trailing blanks of `%-10u`. Without `--nosort`, services sort by
 * (fwmark, protocol, address, port) and destinations by (address, port); with it, services come
 * in creation order and destinations in list order (head first). Connections are listed in
 * creation order (the kernel walks its hash buckets).
 * Leaves out: host names (addresses always numeric), IPv6, persistence-engine columns, the sync
 * daemon listing (`--daemon` prints nothing).
 */
import { IPPROTO_TCP, formatIpv4 } from '../../packet/index.js';
import type { IpvsConn } from './conn-table.js';
import { portName } from './ipvsadm-ports.js';
import { protoName, stateName } from './proto.js';
import { SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3 } from './sched-dest.js';
import { SVC_F_ONEPACKET, type RealServer, type VirtualService } from './service.js';
import { IPVS_CONN_TAB_SIZE, type IpvsState } from './state.js';

export interface ListFormat {
  readonly numeric: boolean;
  readonly stats?: boolean;
  readonly rate?: boolean;
  readonly thresholds?: boolean;
  readonly persistentConn?: boolean;
  readonly nosort?: boolean;
  readonly exact?: boolean;
  /** `-S`: print as ipvsadm rules. */
  readonly rule?: boolean;
}

export const IPVS_VERSION = '1.2.1';

function addrPort(addr: number, port: number, protocol: number, f: ListFormat): string {
  return `${formatIpv4(addr)}:${f.numeric ? String(port) : portName(port, protocol)}`;
}

/** `int r = ntohl(a) - ntohl(b)`: the unsigned difference read as a signed int. */
function cmp32(a: number, b: number): number {
  return (a - b) | 0;
}

export function sortServices(list: readonly VirtualService[]): VirtualService[] {
  return [...list].sort((a, b) => cmp32(a.fwmark, b.fwmark) || a.protocol - b.protocol || cmp32(a.addr, b.addr) || a.port - b.port);
}

export function sortDests(list: readonly RealServer[]): RealServer[] {
  return [...list].sort((a, b) => cmp32(a.addr, b.addr) || a.port - b.port);
}

/** `print_largenum`. */
function largenum(i: number, f: ListFormat): string {
  if (f.exact === true) {
    const s = String(i);
    return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  }
  if (i < 100000000) return String(i).padStart(9);
  if (i < 1000000000) return `${String(Math.floor(i / 1000)).padStart(8)}K`;
  if (i < 100000000000) return `${String(Math.floor(i / 1000000)).padStart(8)}M`;
  if (i < 100000000000000) return `${String(Math.floor(i / 1000000000)).padStart(8)}G`;
  return `${String(Math.floor(i / 1000000000000)).padStart(8)}T`;
}

/** `print_title`. */
function title(f: ListFormat): string {
  const head = 'Prot LocalAddress:Port'.padEnd(33);
  const cols = (names: string[], width: number, left: boolean): string => names.map(n => (left ? n.padEnd(width) : n.padStart(width))).join(' ');
  if (f.stats === true) return `${head} ${cols(['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'], 8, false)}\n  -> RemoteAddress:Port\n`;
  if (f.rate === true) return `${head} ${cols(['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'], 8, false)}\n  -> RemoteAddress:Port\n`;
  if (f.thresholds === true) return `${head} ${cols(['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'], 10, true)}\n  -> RemoteAddress:Port\n`;
  if (f.persistentConn === true) {
    return `${head} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n  -> RemoteAddress:Port\n`;
  }
  if (f.rule === true) return '';
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

/** `print_sched_flags`. */
function schedFlags(svc: VirtualService): string {
  const flags: string[] = [];
  const has = (bit: number): boolean => (svc.flags & bit) !== 0;
  if (svc.schedName === 'sh' || svc.schedName === 'mh') {
    if (has(SVC_F_SCHED1)) flags.push(`${svc.schedName}-fallback`);
    if (has(SVC_F_SCHED2)) flags.push(`${svc.schedName}-port`);
  } else {
    if (has(SVC_F_SCHED1)) flags.push('flag-1');
    if (has(SVC_F_SCHED2)) flags.push('flag-2');
  }
  if (has(SVC_F_SCHED3)) flags.push('flag-3');
  return flags.join(',');
}

function fwdName(d: RealServer): string {
  return d.fwd === 'masq' ? 'Masq' : d.fwd === 'gate' ? 'Route' : 'Tunnel';
}

function fwdSwitch(d: RealServer): string {
  return d.fwd === 'masq' ? '-m' : d.fwd === 'gate' ? '-g' : '-i';
}

/** `print_service_entry`. */
function serviceEntry(svc: VirtualService, f: ListFormat, now: number): string {
  let svcName: string;
  if (svc.fwmark !== 0) svcName = f.rule === true ? `-f ${svc.fwmark}` : `FWM  ${svc.fwmark}`;
  else {
    const vname = addrPort(svc.addr, svc.port, svc.protocol, f);
    const tcp = svc.protocol === IPPROTO_TCP;
    svcName = f.rule === true ? `${tcp ? '-t' : '-u'} ${vname}` : `${tcp ? 'TCP' : 'UDP'}  ${vname}`.slice(0, 33);
  }
  const sf = schedFlags(svc);
  let out: string;
  if (f.rule === true) {
    out = `-A ${svcName} -s ${svc.schedName}`;
    if (sf !== '') out += ` -b ${sf}`;
    if (svc.persistent) {
      out += ` -p ${svc.timeout}`;
      if (svc.netmask !== 0xffffffff) out += ` -M ${formatIpv4(svc.netmask)}`;
    }
    if ((svc.flags & SVC_F_ONEPACKET) !== 0) out += ' -o';
  } else if (f.stats === true) {
    const c = svc.stats.counters;
    svc.stats.advance(now);
    out = svcName.padEnd(33) + [c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes].map(n => largenum(n, f)).join('');
  } else if (f.rate === true) {
    const r = svc.stats.rates(now);
    out = svcName.padEnd(33) + [r.cps, r.inpps, r.outpps, r.inbps, r.outbps].map(n => largenum(n, f)).join('');
  } else {
    out = `${svcName} ${svc.schedName}`;
    if (sf !== '') out += ` (${sf})`;
    if (svc.persistent) {
      out += ` persistent ${svc.timeout}`;
      if (svc.netmask !== 0xffffffff) out += ` mask ${formatIpv4(svc.netmask)}`;
    }
    if ((svc.flags & SVC_F_ONEPACKET) !== 0) out += ' ops';
  }
  out += '\n';
  const dests = f.nosort === true ? svc.dests : sortDests(svc.dests);
  for (const d of dests) {
    const full = addrPort(d.addr, d.port, svc.protocol, f);
    const dname = f.rule === true ? full : full.slice(0, 28);
    if (f.rule === true) out += `-a ${svcName} -r ${dname} ${fwdSwitch(d)} -w ${d.weight}\n`;
    else if (f.stats === true) {
      const c = d.stats.counters;
      out += `  -> ${dname.padEnd(28)}${[c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes].map(n => largenum(n, f)).join('')}\n`;
    } else if (f.rate === true) {
      const r = d.stats.rates(now);
      out += `  -> ${dname.padEnd(28)} ${String(r.cps).padStart(8)} ${String(r.inpps).padStart(8)} ${String(r.outpps).padStart(8)}`;
      out += `${largenum(r.inbps, f)}${largenum(r.outbps, f)}\n`;
    } else if (f.thresholds === true) {
      out += `  -> ${dname.padEnd(28)} ${[d.uThreshold, d.lThreshold, d.activeConns, d.inactConns].map(n => String(n).padEnd(10)).join(' ')}\n`;
    } else if (f.persistentConn === true) {
      out += `  -> ${dname.padEnd(28)} ${String(d.weight).padEnd(9)} ${String(d.persistConns).padEnd(11)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}\n`;
    } else {
      out += `  -> ${dname.padEnd(28)} ${fwdName(d).padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}\n`;
    }
  }
  return out;
}

/** `list_all` (and `-S` with `rule`). */
export function listAll(ipvs: IpvsState, f: ListFormat): string {
  let out = f.rule === true ? '' : `IP Virtual Server version ${IPVS_VERSION} (size=${IPVS_CONN_TAB_SIZE})\n`;
  const services = f.nosort === true ? ipvs.serviceList() : sortServices(ipvs.serviceList());
  out += title(f);
  const now = ipvs.clock.now;
  for (const svc of services) out += serviceEntry(svc, f, now);
  return out;
}

/** `list_service`: one service, without the version line. */
export function listService(ipvs: IpvsState, svc: VirtualService, f: ListFormat): string {
  return title(f) + serviceEntry(svc, f, ipvs.clock.now);
}

/** One line of `print_conn`. */
function connLine(c: IpvsConn, now: number, f: ListFormat): string {
  const left = Math.max(0, Math.floor((c.expiresAt - now) / 1_000_000_000));
  const expire = `${String(Math.floor(left / 60)).padStart(2, '0')}:${String(left % 60).padStart(2, '0')}`;
  const cname = addrPort(c.caddr, c.cport, c.protocol, f);
  const vname = addrPort(c.vaddr, c.vport, c.protocol, f);
  const dname = addrPort(c.daddr, c.dport, c.protocol, f);
  return `${protoName(c.protocol).padEnd(3)} ${expire.padEnd(6)} ${stateName(c.protocol, c.state, c.template).padEnd(11)} ${cname.padEnd(18)} ${vname.padEnd(18)} ${dname}\n`;
}

/** `list_conn` (`ipvsadm -Lc`, `-Lnc`). */
export function listConnections(ipvs: IpvsState, f: ListFormat): string {
  const now = ipvs.clock.now;
  let out = 'IPVS connection entries\n';
  out += `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`;
  for (const c of ipvs.conns.entries()) out += connLine(c, now, f);
  return out;
}

/** `list_timeout`. */
export function listTimeout(ipvs: IpvsState): string {
  const t = ipvs.timeouts.get();
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`;
}
