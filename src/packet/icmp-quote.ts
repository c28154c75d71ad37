/**
 * The datagram an ICMP error quotes (original IPv4 header + leading transport bytes): a lenient
 * decoder, and the rewrite NAT applies to it.
 *
 * Models: RFC 792 / RFC 1812 4.3.2.3 (what is quoted); Linux conntrack's lookup of the quoted
 * tuple (`nf_conntrack_inet_error` / `icmp_error_message` in `net/netfilter/
 * nf_conntrack_proto_icmp.c`) and `nf_nat_icmp_reply_translation` (`net/netfilter/nf_nat_proto.c`),
 * which rewrites the quoted addresses and ports and fixes the quoted checksums incrementally
 * (RFC 1624). A TCP checksum (bytes 16-17) is fixed only when quoted; with the usual 8 bytes only
 * the UDP and ICMP checksums are there, as in `tcp_manip_pkt`'s "hdrsize = 8" case.
 * Leaves out: quoted IP options beyond keeping them; quoted non-first fragments get no ports.
 * Lenient by design: the quoted header's checksum and total length are not checked (the quote
 * is usually cut short), only that a version-4 header of the stated length is present.
 *
 *   quoted: | IPv4 header (ihl*4) | UDP/TCP: sport dport [len/seq ...] | ICMP: type code csum id seq |
 */

import { checksumAdjust } from './checksum.js';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';
import { ICMP_TYPE } from './icmp.js';
import { ipv4FromBytes, writeIpv4, type Ipv4 } from './ipv4-address.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from './ip-protocol.js';
import { IPV4_HEADER, IP_DF, IP_MF, IP_OFFSET_MASK } from './ipv4.js';

/** Offsets inside the quoted transport bytes. */
const QUOTED_L4 = {
  srcPort: 0,
  dstPort: 2,
  udpChecksum: 6,
  tcpChecksum: 16,
  icmpType: 0,
  icmpChecksum: 2,
  icmpId: 4,
  icmpSeq: 6,
  echoLength: 8,
} as const;

export interface QuotedIpv4 {
  readonly headerLength: number;
  /** As written in the quoted header (the quote itself is usually shorter). */
  readonly totalLength: number;
  readonly id: number;
  readonly df: boolean;
  readonly mf: boolean;
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  /** UDP or TCP ports, when the quote is of a first fragment and holds 4 transport bytes. */
  readonly ports?: { readonly srcPort: number; readonly dstPort: number };
  /** The quoted ICMP echo's id and seq, when it holds 8 ICMP bytes of type 8 or 0. */
  readonly echo?: { readonly type: 'echo-request' | 'echo-reply'; readonly id: number; readonly seq: number };
  /** The quoted bytes after the IP header. */
  readonly transport: Uint8Array;
}

export function decodeQuoted(quoted: Uint8Array): Decoded<QuotedIpv4> {
  const min = IPV4_HEADER.minLength;
  if (quoted.length < min) return truncated('icmp-quote', 0, min, quoted.length);
  const version = quoted[IPV4_HEADER.versionIhl]! >>> 4;
  if (version !== 4) return decodeIssue('icmp-quote', IPV4_HEADER.versionIhl, `bad version ${version}`);
  const hlen = (quoted[IPV4_HEADER.versionIhl]! & 0x0f) * 4;
  if (hlen < min) return decodeIssue('icmp-quote', IPV4_HEADER.versionIhl, `bad header length ${hlen}`);
  if (quoted.length < hlen) return truncated('icmp-quote', 0, hlen, quoted.length);
  const flags = u16(quoted, IPV4_HEADER.flagsFragment);
  const protocol = quoted[IPV4_HEADER.protocol]!;
  const fragmentOffset = (flags & IP_OFFSET_MASK) * 8;
  const transport = quoted.slice(hlen);
  const base = {
    headerLength: hlen,
    totalLength: u16(quoted, IPV4_HEADER.totalLength),
    id: u16(quoted, IPV4_HEADER.id),
    df: (flags & IP_DF) !== 0,
    mf: (flags & IP_MF) !== 0,
    fragmentOffset,
    ttl: quoted[IPV4_HEADER.ttl]!,
    protocol,
    src: ipv4FromBytes(quoted, IPV4_HEADER.src),
    dst: ipv4FromBytes(quoted, IPV4_HEADER.dst),
    transport,
  };
  if (fragmentOffset > 0) return decoded(base);
  if ((protocol === IPPROTO_UDP || protocol === IPPROTO_TCP) && transport.length >= 4) {
    return decoded({
      ...base,
      ports: { srcPort: u16(transport, QUOTED_L4.srcPort), dstPort: u16(transport, QUOTED_L4.dstPort) },
    });
  }
  const icmpType = transport[QUOTED_L4.icmpType];
  if (
    protocol === IPPROTO_ICMP &&
    transport.length >= QUOTED_L4.echoLength &&
    (icmpType === ICMP_TYPE.echoRequest || icmpType === ICMP_TYPE.echoReply)
  ) {
    return decoded({
      ...base,
      echo: {
        type: icmpType === ICMP_TYPE.echoRequest ? 'echo-request' : 'echo-reply',
        id: u16(transport, QUOTED_L4.icmpId),
        seq: u16(transport, QUOTED_L4.icmpSeq),
      },
    });
  }
  return decoded(base);
}

/** What NAT changes in a quoted datagram; absent fields stay as they are. */
export interface QuotedRewrite {
  readonly src?: Ipv4;
  readonly dst?: Ipv4;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** The quoted ICMP echo id (conntrack treats it as the port of an echo "connection"). */
  readonly echoId?: number;
}

/**
 * A copy of `quoted` with addresses, ports or echo id replaced and every checksum inside the
 * quote adjusted incrementally (a bad checksum stays exactly as bad, as in Linux).
 */
export function rewriteQuoted(quoted: Uint8Array, change: QuotedRewrite): Decoded<Uint8Array> {
  const parsed = decodeQuoted(quoted);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  const out = quoted.slice();
  const hlen = q.headerLength;
  // 16-bit words that change: [old, new] pairs, split into those the pseudo-header covers too.
  const addressWords: (readonly [number, number])[] = [];
  const newSrc = change.src ?? q.src;
  const newDst = change.dst ?? q.dst;
  addressWords.push([q.src >>> 16, newSrc >>> 16], [q.src & 0xffff, newSrc & 0xffff]);
  addressWords.push([q.dst >>> 16, newDst >>> 16], [q.dst & 0xffff, newDst & 0xffff]);
  writeIpv4(out, IPV4_HEADER.src, newSrc);
  writeIpv4(out, IPV4_HEADER.dst, newDst);
  adjust(out, IPV4_HEADER.checksum, addressWords, false);

  const l4 = hlen;
  const available = out.length - l4;
  if (q.ports !== undefined) {
    const portWords: (readonly [number, number])[] = [
      [q.ports.srcPort, change.srcPort ?? q.ports.srcPort],
      [q.ports.dstPort, change.dstPort ?? q.ports.dstPort],
    ];
    setU16(out, l4 + QUOTED_L4.srcPort, portWords[0]![1]);
    setU16(out, l4 + QUOTED_L4.dstPort, portWords[1]![1]);
    const isUdp = q.protocol === IPPROTO_UDP;
    const at = isUdp ? QUOTED_L4.udpChecksum : QUOTED_L4.tcpChecksum;
    // UDP checksum 0 means "none" and stays 0 (RFC 768).
    if (available >= at + 2 && !(isUdp && u16(out, l4 + at) === 0)) {
      adjust(out, l4 + at, [...addressWords, ...portWords], isUdp);
    }
  } else if (q.echo !== undefined && change.echoId !== undefined) {
    setU16(out, l4 + QUOTED_L4.icmpId, change.echoId);
    adjust(out, l4 + QUOTED_L4.icmpChecksum, [[q.echo.id, change.echoId]], false);
  }
  return decoded(out);
}

function adjust(bytes: Uint8Array, at: number, words: readonly (readonly [number, number])[], udp: boolean): void {
  let checksum = u16(bytes, at);
  for (const [before, after] of words) if (before !== after) checksum = checksumAdjust(checksum, before, after);
  // Linux's CSUM_MANGLED_0: a UDP checksum that comes out 0 is sent as 0xffff.
  setU16(bytes, at, udp && checksum === 0 ? 0xffff : checksum);
}

function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function setU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}
