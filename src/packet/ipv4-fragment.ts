/**
 * IPv4 fragmentation and reassembly.
 *
 * Models: RFC 791 section 3.2; Linux `net/ipv4/ip_output.c` (`ip_do_fragment`: data split in
 * 8-byte multiples of (MTU - header length), id kept, MF on all but the last, every fragment keeps
 * the header length with non-copied options overwritten by NOOP as `ip_options_fragment` in
 * `net/ipv4/ip_options.c` does) and `net/ipv4/ip_fragment.c` (`ip_defrag`: exact duplicates are
 * ignored, any other overlap drops the whole datagram, as Linux does since 4.19).
 * Leaves out: timers (the caller owns the reassembly queue and its 30 s timeout), the
 * `ipfrag_high_thresh` memory limits, the fast path that reuses an skb frag list.
 * Invariant: fragments never carry DF; the caller decides beforehand whether DF forbids
 * fragmenting (`ip_forward` answers ICMP 3/4 instead).
 *
 *   original  | hdr | data .............................................. |
 *   fragments | hdr | data[0, n)  MF |  | hdr' | data[n, 2n) MF | | hdr' | data[2n, end) |
 *             n = floor((mtu - header length) / 8) * 8; hdr' = hdr with non-copied options NOOPed
 */

import type { DecodeIssue } from './decode-result.js';
import {
  IPV4_MAX_LENGTH,
  decodeIpv4Payload,
  encodeIpv4Payload,
  ipv4HeaderLength,
  isFragment,
  type Ipv4DecodeOptions,
  type Ipv4Repr,
} from './ipv4.js';

/** Option-type fields (RFC 791 3.1): the copied flag, and the two one-byte options. */
const IPOPT = {
  copied: 0x80,
  end: 0,
  noop: 1,
  /** Offset of the length byte inside an option. */
  length: 1,
} as const;

/**
 * Splits `repr` into fragments whose encoded size is at most `mtu` bytes. A packet that fits is
 * returned as is. A fragment given as input is split further (offsets added, last MF kept).
 * Throws when `mtu` leaves no room for 8 bytes of data (a broken invariant: Linux's minimum
 * IPv4 MTU is 68).
 */
export function fragmentIpv4(repr: Ipv4Repr, mtu: number): Ipv4Repr[] {
  const hlen = ipv4HeaderLength(repr);
  const data = encodeIpv4Payload(repr);
  if (hlen + data.length <= mtu) return [repr];
  const chunk = Math.floor((mtu - hlen) / 8) * 8;
  if (chunk < 8) throw new RangeError(`MTU ${mtu} leaves no room for fragment data after a ${hlen}-byte header`);
  const laterOptions = optionsForLaterFragments(repr.options);
  const fragments: Ipv4Repr[] = [];
  for (let offset = 0; offset < data.length; offset += chunk) {
    const end = Math.min(offset + chunk, data.length);
    const last = end === data.length;
    fragments.push({
      ...repr,
      df: false,
      mf: last ? repr.mf : true,
      fragmentOffset: repr.fragmentOffset + offset,
      options: offset === 0 ? repr.options : laterOptions,
      payload: { kind: 'payload', bytes: data.slice(offset, end) },
    });
  }
  return fragments;
}

/** `ip_options_fragment`: options without the copied flag become NOOPs; the length stays. */
export function optionsForLaterFragments(options: Uint8Array): Uint8Array {
  const out = options.slice();
  let i = 0;
  while (i < out.length) {
    const type = out[i]!;
    if (type === IPOPT.end) break;
    if (type === IPOPT.noop) {
      i += 1;
      continue;
    }
    const length = out[i + IPOPT.length];
    if (length === undefined || length < 2 || i + length > out.length) break;
    if ((type & IPOPT.copied) === 0) out.fill(IPOPT.noop, i, i + length);
    i += length;
  }
  return out;
}

export type Ipv4Reassembly =
  | { readonly kind: 'complete'; readonly packet: Ipv4Repr }
  /** Some data is still missing: keep the fragments queued. */
  | { readonly kind: 'incomplete' }
  /** The datagram can never be rebuilt (overlap, oversize, mismatch, bad transport header). */
  | { readonly kind: 'invalid'; readonly issue: DecodeIssue };

/**
 * Rebuilds one datagram from its fragments (any order, all with the same src, dst, protocol and
 * id). The result takes its header from the first fragment, with MF and offset cleared, and its
 * payload decoded by protocol.
 */
export function reassembleIpv4(fragments: readonly Ipv4Repr[], options: Ipv4DecodeOptions = {}): Ipv4Reassembly {
  const first = fragments.find((f) => f.fragmentOffset === 0);
  const pieces: { readonly offset: number; readonly bytes: Uint8Array }[] = [];
  let totalLength: number | undefined;
  for (const f of fragments) {
    if (f.payload.kind !== 'payload' || !isFragment(f)) return invalid('not a fragment');
    if (first !== undefined && (f.src !== first.src || f.dst !== first.dst || f.protocol !== first.protocol || f.id !== first.id)) {
      return invalid('fragments of different datagrams');
    }
    const end = f.fragmentOffset + f.payload.bytes.length;
    if (!f.mf) {
      if (totalLength !== undefined && totalLength !== end) return invalid('two different last fragments');
      totalLength = end;
    }
    pieces.push({ offset: f.fragmentOffset, bytes: f.payload.bytes });
  }
  if (first === undefined || totalLength === undefined) return { kind: 'incomplete' };
  if (ipv4HeaderLength(first) + totalLength > IPV4_MAX_LENGTH) return invalid(`reassembled length ${totalLength} too big`);
  pieces.sort((a, b) => a.offset - b.offset || a.bytes.length - b.bytes.length);
  const data = new Uint8Array(totalLength);
  let covered = 0;
  let previous: { readonly offset: number; readonly bytes: Uint8Array } | undefined;
  for (const piece of pieces) {
    const duplicate = previous !== undefined && previous.offset === piece.offset && previous.bytes.length === piece.bytes.length;
    if (duplicate) continue;
    if (piece.offset > covered) return { kind: 'incomplete' };
    if (piece.offset < covered || piece.offset + piece.bytes.length > totalLength) return invalid('overlapping fragments');
    data.set(piece.bytes, piece.offset);
    covered = piece.offset + piece.bytes.length;
    previous = piece;
  }
  if (covered < totalLength) return { kind: 'incomplete' };
  const payload = decodeIpv4Payload(first.protocol, data, first.src, first.dst, options);
  if (!payload.ok) return { kind: 'invalid', issue: payload.issue };
  return { kind: 'complete', packet: { ...first, mf: false, fragmentOffset: 0, payload: payload.value } };
}

function invalid(message: string): Ipv4Reassembly {
  return { kind: 'invalid', issue: { format: 'ipv4', offset: 0, message: `reassembly: ${message}` } };
}
