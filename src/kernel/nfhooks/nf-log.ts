/**
 * The nf_log packet dump that `-j LOG` and `-j TRACE` print after their prefix, and the host's
 * kernel log (what `dmesg` shows) they print into.
 *
 * Models: `net/netfilter/nf_log_syslog.c` (`nf_log_dump_packet_common`: `IN=` `OUT=`, then
 * `PHYSIN=`/`PHYSOUT=` when they differ from in/out, then the MAC header only when there is an
 * input device (`MACSRC= MACDST= MACPROTO=` with the MAC-decode flag, else `MAC=` and the raw 14
 * header bytes), then `dump_ipv4_packet`: `SRC= DST= LEN= TOS= PREC= TTL= ID=`, `CE`/`DF`/`MF`,
 * `FRAG:`, the TCP/UDP/ICMP part (ICMP errors get the quoted datagram in brackets, once), and
 * `MARK=0x..` when the mark is set; `nf_log_allowed`: only the initial namespace logs unless
 * `net.netfilter.nf_log_all_netns=1`); `xt_TRACE.c` / `ip_tables.c` `trace_packet` use every
 * log flag (`NF_LOG_MASK`). Lines keep the kernel's trailing space.
 *
 *   TRACE: raw:PREROUTING:policy:2 IN=eth0 OUT= MACSRC=02:42:ac:11:00:02 MACDST=02:42:1e:00:00:01
 *     MACPROTO=0800 SRC=172.17.0.2 DST=8.8.8.8 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4242 DF
 *     PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1
 *
 * Leaves out: `UID=`/`GID=` (no socket owner is modelled), syslog levels in the stored lines.
 */
import { encodeIpv4, formatIpv4, formatMac, type EthernetRepr, type Ipv4Repr } from '../../packet/index.js';
import type { Host } from '../host.js';
import type { NetNamespace } from '../netns.js';

export const NF_LOG = {
  tcpSeq: 0x01,
  tcpOpt: 0x02,
  ipOpt: 0x04,
  uid: 0x08,
  macDecode: 0x20,
  /** `NF_LOG_MASK`: what TRACE uses. */
  all: 0x2f,
} as const;

export interface NfLogPacket {
  readonly inDev: string | undefined;
  readonly outDev: string | undefined;
  readonly physIn: string | undefined;
  readonly physOut: string | undefined;
  readonly frame: EthernetRepr;
  readonly ip: Ipv4Repr;
  readonly mark: number;
}

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function u32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hexBytes(b: Uint8Array): string {
  return [...b].map(x => hex2(x).toUpperCase()).join('');
}

/** `dump_ipv4_packet` over the datagram bytes starting at `off`; `inner` for a quoted one. */
function dumpIpv4(b: Uint8Array, off: number, flags: number, inner: boolean): string {
  if (b.length - off < 20) return 'TRUNCATED';
  let s = `SRC=${formatIpv4(u32(b, off + 12))} DST=${formatIpv4(u32(b, off + 16))} `;
  const tos = b[off + 1]!;
  s += `LEN=${u16(b, off + 2)} TOS=0x${hex2(tos & 0x1e).toUpperCase()} PREC=0x${hex2(tos & 0xe0).toUpperCase()} TTL=${b[off + 8]!} ID=${u16(b, off + 4)} `;
  const frag = u16(b, off + 6);
  if ((frag & 0x8000) !== 0) s += 'CE ';
  if ((frag & 0x4000) !== 0) s += 'DF ';
  if ((frag & 0x2000) !== 0) s += 'MF ';
  const fragOff = frag & 0x1fff;
  if (fragOff !== 0) s += `FRAG:${fragOff} `;
  const ihl = (b[off]! & 0x0f) * 4;
  if ((flags & NF_LOG.ipOpt) !== 0 && ihl > 20) s += `OPT (${hexBytes(b.subarray(off + 20, off + ihl))}) `;
  const l4 = off + ihl;
  const avail = b.length - l4;
  const protocol = b[off + 9]!;
  switch (protocol) {
    case 6: {
      s += 'PROTO=TCP ';
      if (fragOff !== 0) break;
      if (avail < 20) {
        s += `INCOMPLETE [${avail} bytes] `;
        break;
      }
      s += `SPT=${u16(b, l4)} DPT=${u16(b, l4 + 2)} `;
      if ((flags & NF_LOG.tcpSeq) !== 0) s += `SEQ=${u32(b, l4 + 4)} ACK=${u32(b, l4 + 8)} `;
      s += `WINDOW=${u16(b, l4 + 14)} `;
      // `(ntohl(tcp_flag_word(th) & TCP_RESERVED_BITS) >> 22)`: the 4 reserved bits, shifted by 2.
      s += `RES=0x${hex2((b[l4 + 12]! & 0x0f) << 2)} `;
      const f = b[l4 + 13]!;
      for (const [bit, name] of [
        [0x80, 'CWR'],
        [0x40, 'ECE'],
        [0x20, 'URG'],
        [0x10, 'ACK'],
        [0x08, 'PSH'],
        [0x04, 'RST'],
        [0x02, 'SYN'],
        [0x01, 'FIN'],
      ] as const) {
        if ((f & bit) !== 0) s += `${name} `;
      }
      s += `URGP=${u16(b, l4 + 18)} `;
      const doff = (b[l4 + 12]! >> 4) * 4;
      if ((flags & NF_LOG.tcpOpt) !== 0 && doff > 20 && avail >= doff) s += `OPT (${hexBytes(b.subarray(l4 + 20, l4 + doff))}) `;
      break;
    }
    case 17:
    case 136: {
      s += protocol === 17 ? 'PROTO=UDP ' : 'PROTO=UDPLITE ';
      if (fragOff !== 0) break;
      if (avail < 8) {
        s += `INCOMPLETE [${avail} bytes] `;
        break;
      }
      s += `SPT=${u16(b, l4)} DPT=${u16(b, l4 + 2)} LEN=${u16(b, l4 + 4)} `;
      break;
    }
    case 1: {
      s += 'PROTO=ICMP ';
      if (fragOff !== 0) break;
      if (avail < 4) {
        s += `INCOMPLETE [${avail} bytes] `;
        break;
      }
      const type = b[l4]!;
      const code = b[l4 + 1]!;
      s += `TYPE=${type} CODE=${code} `;
      switch (type) {
        case 0:
        case 8:
          if (avail >= 8) s += `ID=${u16(b, l4 + 4)} SEQ=${u16(b, l4 + 6)} `;
          break;
        case 12:
          if (avail >= 8) s += `PARAMETER=${b[l4 + 4]!} `;
          break;
        case 3:
        case 4:
        case 5:
        case 11:
          // A redirect names its gateway, then quotes the datagram like the other errors.
          if (type === 5 && avail >= 8) s += `GATEWAY=${formatIpv4(u32(b, l4 + 4))} `;
          if (!inner) s += `[${dumpIpv4(b, l4 + 8, flags, true)}] `;
          if (type === 3 && code === 4) s += `MTU=${u16(b, l4 + 6)} `;
          break;
      }
      break;
    }
    case 50:
      s += avail >= 4 ? `PROTO=ESP SPI=0x${u32(b, l4).toString(16)} ` : 'PROTO=ESP ';
      break;
    default:
      s += `PROTO=${protocol} `;
  }
  return s;
}

/** The dump after a LOG/TRACE prefix. */
export function nfLogDump(p: NfLogPacket, flags: number): string {
  let s = `IN=${p.inDev ?? ''} OUT=${p.outDev ?? ''} `;
  if (p.physIn !== undefined && p.physIn !== p.inDev) s += `PHYSIN=${p.physIn} `;
  if (p.physOut !== undefined && p.physOut !== p.outDev) s += `PHYSOUT=${p.physOut} `;
  if (p.inDev !== undefined) {
    const f = p.frame;
    if ((flags & NF_LOG.macDecode) !== 0) {
      s += `MACSRC=${formatMac(f.src)} MACDST=${formatMac(f.dst)} `;
      const tag = f.vlans[0];
      if (tag !== undefined) s += `VPROTO=${tag.tpid.toString(16).padStart(4, '0')} VID=${tag.vid} `;
      s += `MACPROTO=${f.etherType.toString(16).padStart(4, '0')} `;
    } else {
      s += `MAC=${formatMac(f.dst)}:${formatMac(f.src)}:${hex2(f.etherType >> 8)}:${hex2(f.etherType & 0xff)} `;
    }
  }
  s += dumpIpv4(encodeIpv4(p.ip), 0, flags, false);
  if (p.mark !== 0) s += `MARK=0x${(p.mark >>> 0).toString(16)} `;
  return s;
}

const KMSG_EXT_KEY = 'kmsg';

/** The host's kernel log ring (`dmesg`), oldest first. */
export function kernelLog(host: Host): string[] {
  let log = host.ext.get(KMSG_EXT_KEY) as string[] | undefined;
  if (log === undefined) host.ext.set(KMSG_EXT_KEY, (log = []));
  return log;
}

/** `nf_log_allowed`: the initial namespace, or any with `nf_log_all_netns=1`. */
export function nfLogAllowed(ns: NetNamespace): boolean {
  return ns.isRoot || ns.host.rootNs.sysctl.number('net.netfilter.nf_log_all_netns') !== 0;
}
