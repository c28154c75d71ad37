/**
 * `-j REJECT`: the answer the kernel sends for a rejected packet before dropping it.
 *
 * Models: `net/ipv4/netfilter/ipt_REJECT.c` (`reject_tg`: the `--reject-with` type to an ICMP
 * destination-unreachable code, or a TCP RST) and `net/ipv4/netfilter/nf_reject_ipv4.c`:
 * - `nf_send_unreach`: `icmp_send(skb, ICMP_DEST_UNREACH, code)` (nothing for a non-first
 *   fragment); the ICMP module then applies its own rules (never about an ICMP error, nor a
 *   broadcast, rate limit) and sends it as local output; the error's source is the rejected
 *   packet's destination when that was this host (INPUT), else chosen by the route back;
 * - `nf_send_reset`: no RST for a RST; source and destination (addresses and ports) swapped; if
 *   the segment had ACK, `seq` = its ack and only RST set; else `ack` = its seq + SYN + FIN +
 *   payload length with RST|ACK; window 0, DF set; sent with `ip_local_out` (OUTPUT and
 *   POSTROUTING run for it).
 * Both answers are attached to the rejected packet's conntrack entry (`nf_ct_attach`) as RELATED
 * in the other direction; the caller arranges that (`NfHooks.withAttach`).
 * Leaves out: `icmp-echo-reply`, checksum verification of the rejected packet
 * (`nf_reject_verify_csum`), IP options.
 */
import { IPPROTO_TCP, payload, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Ipv4Repr, type TcpRepr } from '../../packet/index.js';
import type { NfHookName, RejectWith } from '../netfilter/index.js';
import type { NetNamespace } from '../netns.js';
import { cloneSkb, type Skb } from '../skb.js';
import { localOut, sendRejectIcmp } from './ipv4-access.js';

/** `--reject-with` to the ICMP destination-unreachable code (`reject_tg`). */
export function rejectCode(w: Exclude<RejectWith, 'tcp-reset'>): number {
  switch (w) {
    case 'icmp-net-unreachable':
      return 0;
    case 'icmp-host-unreachable':
      return 1;
    case 'icmp-proto-unreachable':
      return 2;
    case 'icmp-port-unreachable':
      return 3;
    case 'icmp-net-prohibited':
      return 9;
    case 'icmp-host-prohibited':
      return 10;
    case 'icmp-admin-prohibited':
      return 13;
  }
}

/** What REJECT sent, for the trace. */
export type RejectAnswer = { readonly sent: 'icmp'; readonly code: number } | { readonly sent: 'tcp-reset' } | { readonly sent: 'none'; readonly why: string };

/** The RST answering `tcp` (`nf_reject_ip_tcphdr_put`). */
export function resetFor(tcp: TcpRepr, payloadLength: number): TcpRepr {
  const had = tcp.flags;
  const base = { kind: 'tcp' as const, srcPort: tcp.dstPort, dstPort: tcp.srcPort, window: 0, urgent: 0, options: [], payload: payload(new Uint8Array(0)) };
  if ((had & TCP_ACK) !== 0) return { ...base, seq: tcp.ack, ack: 0, flags: TCP_RST };
  const ack = (tcp.seq + ((had & TCP_SYN) !== 0 ? 1 : 0) + ((had & TCP_FIN) !== 0 ? 1 : 0) + payloadLength) >>> 0;
  return { ...base, seq: 0, ack, flags: TCP_RST | TCP_ACK };
}

/** Sends REJECT's answer to `ip` (carried by `skb`) rejected at `hook`. */
export function sendReject(ns: NetNamespace, skb: Skb, ip: Ipv4Repr, w: RejectWith, hook: NfHookName): RejectAnswer {
  if (w === 'tcp-reset') {
    const tcp = ip.payload;
    if (ip.protocol !== IPPROTO_TCP || tcp.kind !== 'tcp') return { sent: 'none', why: 'not a TCP segment' };
    if (ip.fragmentOffset > 0) return { sent: 'none', why: 'not the first fragment' };
    if ((tcp.flags & TCP_RST) !== 0) return { sent: 'none', why: 'no RST in answer to a RST' };
    const r = localOut(ns, { dst: ip.src, src: ip.dst, payload: resetFor(tcp, tcp.payload.bytes.length), anySrc: true, df: true, mark: 0 });
    if (r === undefined) return { sent: 'none', why: 'no IPv4 stack' };
    return r.ok ? { sent: 'tcp-reset' } : { sent: 'none', why: r.errno };
  }
  const code = rejectCode(w);
  // br_netfilter presents bridged frames to iptables as PACKET_HOST, so icmp_send answers them.
  const view = cloneSkb(skb);
  view.pktType = 'host';
  if (!sendRejectIcmp(ns, view, ip, { type: 'dest-unreachable', code }, hook === 'INPUT')) return { sent: 'none', why: 'no IPv4 stack' };
  return { sent: 'icmp', code };
}
