/**
 * The conntrack hooks: lookup or creation of the entry for a packet at PREROUTING/OUTPUT
 * (`nf_conntrack_in`), the per-protocol trackers, ICMP errors related to an entry, and
 * confirmation at INPUT/POSTROUTING (`nf_conntrack_confirm`).
 *
 * Models: `net/netfilter/nf_conntrack_core.c`:
 * - `nf_conntrack_in`: a packet that already carries a conntrack reference (looped back through
 *   `lo`, marked NOTRACK in raw, or an ICMP error/RST attached by the kernel) is left alone
 *   ("previously seen"); ICMP errors go to `nf_conntrack_inet_error`; other packets are looked up
 *   by tuple (`resolve_normal_ct`: REPLY direction -> ESTABLISHED_REPLY; ORIGINAL -> ESTABLISHED
 *   once a reply was seen, else NEW), or a new unconfirmed entry is created (`init_conntrack`);
 *   then the protocol tracker runs; an invalid verdict leaves the packet without an entry
 *   (state INVALID) and lets it continue (`-NF_ACCEPT`); SEEN_REPLY is set after the tracker for
 *   the first reply.
 * - `nf_conntrack_inet_error` (`nf_conntrack_proto_icmp.c`): the quoted header's tuple is
 *   inverted and looked up; the error is RELATED (RELATED_REPLY when the hit is the reply
 *   direction) if the outer destination equals that direction's destination.
 * - `nf_conntrack_tcp_packet` / `tcp_new` (`nf_conntrack_proto_tcp.c`), `nf_conntrack_udp_packet`
 *   (`nf_conntrack_proto_udp.c`: 30 s unreplied; a flow still active 2 s after it started becomes
 *   a stream with 120 s and ASSURED), `nf_conntrack_icmp_packet` (30 s; only requests start an
 *   entry), the generic tracker (600 s).
 * - `__nf_conntrack_confirm`: only a packet in the ORIGINAL direction confirms; a clash drops it.
 * - `nf_ct_attach` (used by `icmp_send` and `nf_send_reset`): a packet the kernel builds in
 *   answer to another is attached to that packet's entry as RELATED, in the other direction.
 * Leaves out: helpers/expectations, zones, TCP window tracking (see tcp-state.ts), checksum
 * validation (`nf_conntrack_checksum`), fragments (not reassembled here: they are INVALID).
 */
import { SECOND, type Duration } from '../../engine/index.js';
import { decodeQuoted, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Ipv4Repr, type TcpRepr } from '../../packet/index.js';
import type { Skb } from '../skb.js';
import { CtRef, CtUntracked, ctOf, type CtEntry, type CtInfo, type TcpTrack } from './entry.js';
import type { ConntrackTable } from './table.js';
import { TCP_TIMEOUT_UNACK, tcpFlagsValid, tcpIndex, tcpTimeout, tcpTransition, type CtDir, type TcpCtState } from './tcp-state.js';
import { icmpStartsConnection, icmpType, invertTuple, packetTuple, tupleText, type CtTuple } from './tuple.js';

export const UDP_TIMEOUT_UNREPLIED: Duration = 30 * SECOND;
export const UDP_TIMEOUT_STREAM: Duration = 120 * SECOND;
export const UDP_STREAM_AFTER: Duration = 2 * SECOND;
export const ICMP_TIMEOUT: Duration = 30 * SECOND;
export const GENERIC_TIMEOUT: Duration = 600 * SECOND;

/** What the conntrack hook did with a packet. */
export type CtInResult =
  /** The packet already had a reference (loopback, NOTRACK, attached reply); nothing changed. */
  | { readonly kind: 'seen' }
  | {
      readonly kind: 'tracked';
      readonly ref: CtRef;
      readonly created: boolean;
      /** The TCP state before this packet (undefined for other protocols and new entries). */
      readonly tcpBefore?: TcpCtState | undefined;
    }
  /** No entry: the packet continues with state INVALID. */
  | { readonly kind: 'invalid'; readonly why: string }
  /** The table is full: the packet is dropped (`nf_conntrack_in` returns NF_DROP). */
  | { readonly kind: 'drop'; readonly why: string };

/** `nf_conntrack_in` for the IPv4 datagram `ip` carried by `skb`; sets `skb.ct`. */
export function conntrackIn(table: ConntrackTable, skb: Skb, ip: Ipv4Repr, hook: 'PREROUTING' | 'OUTPUT'): CtInResult {
  const existing = ctOf(skb);
  if (existing !== undefined) return { kind: 'seen' };
  const result = resolve(table, ip);
  if (result.kind === 'tracked') skb.ct = result.ref;
  else skb.ct = undefined;
  if (table.ns.host.world.trace.enabled) traceIn(table, skb, hook, result);
  return result;
}

function resolve(table: ConntrackTable, ip: Ipv4Repr): CtInResult {
  const pt = packetTuple(ip);
  switch (pt.kind) {
    case 'untrackable':
      return { kind: 'invalid', why: pt.why };
    case 'icmp-error':
      return icmpError(table, ip, pt.quoted);
    case 'tuple':
      break;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const tuple = pt.tuple;
    const hit = table.find(tuple);
    let entry: CtEntry;
    let info: CtInfo;
    let created = false;
    if (hit !== undefined) {
      entry = hit.entry;
      info = hit.dir === 'reply' ? 'established-reply' : entry.seenReply ? 'established' : 'new';
    } else {
      const why = newEntryRefused(table, ip, tuple);
      if (why !== undefined) return why === 'full' ? { kind: 'drop', why: 'nf_conntrack: table full, dropping packet' } : { kind: 'invalid', why };
      entry = table.create(tuple, tuple.proto === IPPROTO_TCP ? newTcpTrack() : undefined);
      info = 'new';
      created = true;
    }
    const dir: CtDir = info === 'established-reply' ? 'reply' : 'original';
    const tcpBefore = created ? undefined : entry.tcp?.state;
    const verdict = protocolPacket(table, entry, dir, ip);
    if (verdict === 'repeat') {
      // An attempt to reopen a closed connection: the old entry goes, the lookup starts over.
      table.kill(entry);
      continue;
    }
    if (verdict !== 'ok') return { kind: 'invalid', why: verdict.invalid };
    if (dir === 'reply' && !entry.seenReply) entry.seenReply = true;
    return { kind: 'tracked', ref: new CtRef(entry, info), created, tcpBefore };
  }
  return { kind: 'invalid', why: 'reopen loop' };
}

/** Why no new entry may be created for this packet (`init_conntrack` and the `*_new` checks). */
function newEntryRefused(table: ConntrackTable, ip: Ipv4Repr, tuple: CtTuple): string | undefined {
  if (tuple.proto === IPPROTO_ICMP && !icmpStartsConnection(icmpType(tuple))) return `ICMP type ${icmpType(tuple)} cannot start a connection`;
  if (tuple.proto === IPPROTO_TCP && ip.payload.kind === 'tcp') {
    const flags = ip.payload.flags;
    if (!tcpFlagsValid(flags)) return 'invalid tcp flag combination';
    const first = tcpTransition('NONE', 'original', tcpIndex(flags));
    if (first === 'INVALID' || first === 'IGNORE') return 'invalid new: TCP segment cannot start a connection';
    if (first !== 'SYN_SENT' && table.ns.sysctl.number('net.netfilter.nf_conntrack_tcp_loose') === 0) {
      return 'no pickup of established connections (nf_conntrack_tcp_loose=0)';
    }
  }
  if (table.full()) return 'full';
  return undefined;
}

function newTcpTrack(): TcpTrack {
  return {
    state: 'NONE',
    lastIndex: 'none',
    lastDir: 'original',
    lastEnd: 0,
    lastWin: 0,
    closeInit: { original: false, reply: false },
    simultaneousOpen: false,
    expectChallengeAck: false,
  };
}

type TrackerVerdict = 'ok' | 'repeat' | { readonly invalid: string };

function protocolPacket(table: ConntrackTable, entry: CtEntry, dir: CtDir, ip: Ipv4Repr): TrackerVerdict {
  const now = table.now;
  switch (ip.protocol) {
    case IPPROTO_TCP:
      return ip.payload.kind === 'tcp' && entry.tcp !== undefined ? tcpPacket(table, entry, dir, ip.payload) : { invalid: 'truncated TCP header' };
    case IPPROTO_UDP: {
      // stream_ts is set while the entry is unconfirmed, i.e. by the packets of its first instant.
      if (!entry.confirmed) entry.udpStreamAt = now + UDP_STREAM_AFTER;
      if (entry.seenReply) {
        const stream = now > entry.udpStreamAt;
        entry.timeoutAt = now + (stream ? UDP_TIMEOUT_STREAM : UDP_TIMEOUT_UNREPLIED);
        if (stream) entry.assured = true;
      } else {
        entry.timeoutAt = now + UDP_TIMEOUT_UNREPLIED;
      }
      return 'ok';
    }
    case IPPROTO_ICMP:
      entry.timeoutAt = now + ICMP_TIMEOUT;
      return 'ok';
    default:
      entry.timeoutAt = now + GENERIC_TIMEOUT;
      return 'ok';
  }
}

const STATE_ORDER: readonly TcpCtState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];

/** `tcp_conntracks` order, for the kernel's `old_state < TCP_CONNTRACK_TIME_WAIT` test. */
function before(a: TcpCtState, b: TcpCtState): boolean {
  return STATE_ORDER.indexOf(a) < STATE_ORDER.indexOf(b);
}

/** Sequence number after the segment (`segment_seq_plus_len`). */
function segmentEnd(tcp: TcpRepr): number {
  const flags = tcp.flags;
  return (tcp.seq + tcp.payload.bytes.length + ((flags & 0x02) !== 0 ? 1 : 0) + ((flags & 0x01) !== 0 ? 1 : 0)) >>> 0;
}

/** `nf_conntrack_tcp_packet`, without window tracking. */
function tcpPacket(table: ConntrackTable, entry: CtEntry, dir: CtDir, tcp: TcpRepr): TrackerVerdict {
  const track = entry.tcp!;
  if (!tcpFlagsValid(tcp.flags)) return { invalid: 'invalid tcp flag combination' };
  const index = tcpIndex(tcp.flags);
  if (!entry.confirmed && track.state === 'NONE') {
    // tcp_new: a picked-up connection (lone ACK) is tracked liberally.
    entry.pickedUp = index !== 'syn';
  }
  let oldState = track.state;
  let newState = tcpTransition(oldState, dir, index);
  switch (newState) {
    case 'SYN_SENT':
      if (before(oldState, 'TIME_WAIT')) break;
      // RFC 1122 reopen from TIME_WAIT/CLOSE: "Delete this connection and look up again" when
      // the old one was closed (a FIN was seen) or aborted by this side's RST.
      if (track.closeInit.original || track.closeInit.reply || (track.lastDir === dir && track.lastIndex === 'rst')) return 'repeat';
      return ignore(track, dir, index, tcp, oldState);
    case 'IGNORE': {
      if (index === 'synack' && track.lastIndex === 'syn' && track.lastDir !== dir && tcp.ack === track.lastEnd) {
        // "This SYN/ACK acknowledges a SYN that we earlier ignored as invalid": get in sync.
        oldState = 'SYN_SENT';
        newState = 'SYN_RECV';
        break;
      }
      return ignore(track, dir, index, tcp, oldState);
    }
    case 'INVALID':
      return { invalid: `invalid state: ${index} in ${dir} direction in ${oldState}` };
    case 'TIME_WAIT':
      if (oldState === 'LAST_ACK' && index === 'ack' && track.lastDir !== dir && track.lastIndex === 'syn' && track.expectChallengeAck) {
        // RFC 5961 challenge ACK answering an ignored SYN: it does not ACK the last FIN.
        track.expectChallengeAck = false;
        return 'ok';
      }
      break;
    case 'SYN_SENT2':
      track.simultaneousOpen = true;
      break;
    case 'SYN_RECV':
      if (dir === 'reply' && index === 'ack' && track.simultaneousOpen) newState = 'ESTABLISHED';
      break;
    case 'NONE':
    case 'ESTABLISHED':
    case 'FIN_WAIT':
    case 'CLOSE_WAIT':
    case 'LAST_ACK':
    case 'CLOSE':
      break;
  }
  const next: TcpCtState = newState;
  track.lastIndex = index;
  track.lastDir = dir;
  track.state = next;
  if (oldState !== next && next === 'FIN_WAIT') track.closeInit[dir] = true;
  let timeout = index === 'rst' ? tcpTimeout('CLOSE') : tcpTimeout(next);
  const now = table.now;
  if (!entry.seenReply) {
    if (index === 'rst') {
      // "If only reply is a RST, we can consider ourselves not to have an established
      // connection": the entry goes at once; this packet is still accepted.
      entry.timeoutAt = now + timeout;
      table.kill(entry);
      return 'ok';
    }
    // ESTABLISHED without a reply is a loose pickup: it gets the short UNACK timeout.
    if (next === 'ESTABLISHED' && timeout > TCP_TIMEOUT_UNACK) timeout = TCP_TIMEOUT_UNACK;
  } else if (!entry.assured && (oldState === 'SYN_RECV' || oldState === 'ESTABLISHED') && next === 'ESTABLISHED') {
    // "Set ASSURED if we see valid ack in ESTABLISHED after SYN_RECV or a valid answer for a
    // picked up connection."
    entry.assured = true;
  }
  entry.timeoutAt = now + timeout;
  return 'ok';
}

/** The IGNORE branch: remember the segment (to resync on its answer) and let it through unchanged. */
function ignore(track: TcpTrack, dir: CtDir, index: ReturnType<typeof tcpIndex>, tcp: TcpRepr, oldState: TcpCtState): TrackerVerdict {
  track.lastIndex = index;
  track.lastDir = dir;
  track.lastEnd = segmentEnd(tcp);
  track.lastWin = tcp.window;
  if (index === 'syn' && dir === 'original') track.expectChallengeAck = oldState === 'LAST_ACK';
  return 'ok';
}

/** `nf_conntrack_inet_error`: is this ICMP error about one of our connections? */
function icmpError(table: ConntrackTable, outer: Ipv4Repr, quoted: Uint8Array): CtInResult {
  const q = decodeQuoted(quoted);
  if (!q.ok) return { kind: 'invalid', why: 'ICMP error with an unreadable quoted header' };
  const inner = q.value;
  let tuple: CtTuple;
  if (inner.protocol === IPPROTO_TCP || inner.protocol === IPPROTO_UDP) {
    if (inner.ports === undefined) return { kind: 'invalid', why: 'ICMP error quoting too little of the transport header' };
    tuple = { src: inner.src, dst: inner.dst, proto: inner.protocol, sport: inner.ports.srcPort, dport: inner.ports.dstPort };
  } else if (inner.protocol === IPPROTO_ICMP) {
    if (inner.echo === undefined) return { kind: 'invalid', why: 'ICMP error about an ICMP message that is not an echo' };
    tuple = { src: inner.src, dst: inner.dst, proto: IPPROTO_ICMP, sport: inner.echo.id, dport: inner.echo.type === 'echo-request' ? 8 << 8 : 0 };
  } else {
    tuple = { src: inner.src, dst: inner.dst, proto: inner.protocol, sport: 0, dport: 0 };
  }
  // "Ordinarily, we'd expect the inverted tupleproto, but it's been preserved inside the ICMP."
  const inverted = invertTuple(tuple);
  if (inverted === undefined) return { kind: 'invalid', why: 'ICMP error about a message without a reply type' };
  const hit = table.find(inverted);
  if (hit === undefined) return { kind: 'invalid', why: `ICMP error about no known connection (${tupleText(tuple)})` };
  if (hit.entry.tuple(hit.dir).dst !== outer.dst) return { kind: 'invalid', why: 'ICMP error whose outer destination does not match the connection' };
  return { kind: 'tracked', ref: new CtRef(hit.entry, hit.dir === 'reply' ? 'related-reply' : 'related'), created: false };
}

/** What confirmation did. */
export type ConfirmResult = 'none' | 'confirmed' | 'already' | 'clash';

/** `nf_conntrack_confirm` at the end of INPUT/POSTROUTING. */
export function conntrackConfirm(table: ConntrackTable, skb: Skb): ConfirmResult {
  const ct = ctOf(skb);
  if (!(ct instanceof CtRef)) return 'none';
  const entry = ct.entry;
  if (entry.confirmed) return 'already';
  // "ipt_REJECT uses nf_conntrack_attach to attach related ICMP/TCP RST packets in other
  // direction": only the packet that created the entry inserts it.
  if (ct.dir !== 'original') return 'none';
  if (entry.dying) return 'none';
  if (!table.confirm(entry)) return 'clash';
  if (table.ns.host.world.trace.enabled) {
    table.ns.trace(skb, undefined, 'conntrack', { event: 'confirm', orig: tupleText(entry.orig), reply: tupleText(entry.reply) });
  }
  return 'confirmed';
}

/**
 * `nf_ct_attach(new, cause)`: the reference a packet built in answer to `cause` gets (an ICMP
 * error, a TCP RST): the same entry, RELATED, in the other direction.
 */
export function ctAttachFrom(cause: Skb): CtRef | undefined {
  const ct = ctOf(cause);
  return ct instanceof CtRef ? relatedAnswer(ct) : undefined;
}

/** "This ICMP is in reverse direction to the packet which caused it" (`nf_conntrack_attach`). */
export function relatedAnswer(ref: CtRef): CtRef {
  return new CtRef(ref.entry, ref.dir === 'original' ? 'related-reply' : 'related');
}

/** Marks a packet untracked (`-j CT --notrack` / `NOTRACK` in raw). */
export function setUntracked(skb: Skb, untracked: CtUntracked): void {
  skb.ct = untracked;
}

function traceIn(table: ConntrackTable, skb: Skb, hook: string, r: CtInResult): void {
  switch (r.kind) {
    case 'seen':
      return;
    case 'invalid':
      table.ns.trace(skb, undefined, 'conntrack', { event: 'invalid', hook, ctstate: 'INVALID', why: r.why });
      return;
    case 'drop':
      return;
    case 'tracked': {
      const e = r.ref.entry;
      table.ns.trace(skb, undefined, 'conntrack', {
        event: r.created ? 'new' : r.ref.state === 'RELATED' ? 'related' : 'lookup',
        hook,
        ctstate: r.ref.state,
        dir: r.ref.dir,
        orig: tupleText(e.orig),
        reply: tupleText(e.reply),
        tcp: e.tcp === undefined ? null : r.tcpBefore === undefined || r.tcpBefore === e.tcp.state ? e.tcp.state : `${r.tcpBefore} -> ${e.tcp.state}`,
        flags: [...(e.seenReply ? [] : ['UNREPLIED']), ...(e.assured ? ['ASSURED'] : [])],
      });
      return;
    }
  }
}
