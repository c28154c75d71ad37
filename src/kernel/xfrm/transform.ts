/**
 * The ESP transformation of one packet by one state, both ways, as values: `seal` builds the
 * packet esp4 would send, `open` decides what becomes of a received one. The packet path
 * (output.ts, input.ts) applies the result and records it.
 *
 * Models: `net/ipv4/esp4.c` (`esp_output` / `esp_output_tail`, `esp_input` / `esp_input_done2`),
 * `net/ipv4/xfrm4_transport.c` and `xfrm4_tunnel`/`xfrm_output.c` `xfrm4_tunnel_encap_add`,
 * `net/xfrm/xfrm_input.c` (`xfrm_input`: replay check before decryption, the replay window
 * advanced after it), with the byte work in the packet layer's `esp.ts` (AES-GCM, RFC 4106):
 *
 *   transport  [IP hdr, proto P] [L4 ...]  ->  [IP hdr, proto 50] [ESP: L4 ... | pad | P]
 *              (the header is kept: addresses, id, TTL, DF; length and checksum follow on encode)
 *   tunnel     [IP hdr] [L4 ...]           ->  [new IP hdr state src > dst, proto 50]
 *                                                [ESP: whole inner datagram | pad | 4]
 *              (the outer header copies DF, DSCP and ECN from the inner one)
 *
 * Decryption is real: a wrong key fails the ICV check. A packet opened with the right key gives
 * back exactly the bytes that were sealed; when it is the very ESP value this simulation sealed,
 * the sender's header values are reused instead of decoding those bytes again, so payload kinds
 * the sender chose (an opaque UDP payload on port 53, say) come back unchanged.
 * Leaves out: TFC padding, ESN, other algorithms, IPv6, BEET mode, `decap-dscp` and the ECN
 * rules of tunnel decapsulation (the inner header is taken as it was sent).
 */
import {
  decodeEsp,
  decodeIpv4,
  decodeIpv4Payload,
  encodeIpv4,
  encodeIpv4Payload,
  espDecrypt,
  espEncrypt,
  IPPROTO_ESP,
  ipv4Packet,
  type EspRepr,
  type Ipv4Payload,
  type Ipv4Repr,
} from '../../packet/index.js';
import type { ReplayVerdict, XfrmState } from './state.js';

/** IP protocol 4: what an ESP trailer names for a tunnelled IPv4 datagram. */
export const IPPROTO_IPIP = 4;

/** What was sealed into an ESP value, for a receiver of that same value. */
interface Sealed {
  readonly plaintext: Uint8Array;
  readonly inner: Ipv4Payload | Ipv4Repr;
}

const sealedValues = new WeakMap<EspRepr, Sealed>();

/** The header fields of a tunnel's outer header that the output path chooses. */
export interface OuterHeader {
  readonly ttl: number;
  readonly id: number;
}

/** `esp_output` on `ip` with `state`; `outer` is needed in tunnel mode. */
export function sealEsp(state: XfrmState, ip: Ipv4Repr, outer: OuterHeader | undefined): Ipv4Repr {
  const seq = state.nextOutputSeq();
  if (state.mode === 'transport') {
    const plaintext = encodeIpv4Payload(ip);
    const esp = espEncrypt({ spi: state.spi, seq, key: state.key, salt: state.salt, nextHeader: ip.protocol, plaintext });
    sealedValues.set(esp, { plaintext, inner: ip.payload });
    return { ...ip, protocol: IPPROTO_ESP, payload: esp };
  }
  const plaintext = encodeIpv4(ip);
  const esp = espEncrypt({ spi: state.spi, seq, key: state.key, salt: state.salt, nextHeader: IPPROTO_IPIP, plaintext });
  sealedValues.set(esp, { plaintext, inner: ip });
  return ipv4Packet({
    src: state.src,
    dst: state.dst,
    payload: esp,
    ttl: outer?.ttl ?? 64,
    id: outer?.id ?? 0,
    df: ip.df,
    dscp: ip.dscp,
    ecn: ip.ecn,
  });
}

/** What `xfrm_input` made of an ESP packet for a state. */
export type OpenResult =
  | { readonly kind: 'ok'; readonly ip: Ipv4Repr; readonly seq: number; readonly nextHeader: number }
  | { readonly kind: 'replay'; readonly seq: number; readonly verdict: Exclude<ReplayVerdict, 'ok'> }
  | { readonly kind: 'auth-failed'; readonly seq: number }
  | { readonly kind: 'malformed'; readonly why: string };

/** The ESP header of a datagram with protocol 50 (decoded already, or from its bytes). */
export function espOf(ip: Ipv4Repr): EspRepr | string {
  const p = ip.payload;
  if (p.kind === 'esp') return p;
  if (p.kind !== 'payload') return `protocol 50 with a ${p.kind} payload`;
  const d = decodeEsp(p.bytes);
  return d.ok ? d.value : d.issue.message;
}

/** `xfrm_input` + `esp_input` for `esp` (the payload of `ip`) with `state`. */
export function openEsp(state: XfrmState, ip: Ipv4Repr, esp: EspRepr): OpenResult {
  const replay = state.replayCheck(esp.seq);
  if (replay !== 'ok') {
    state.replayed++;
    return { kind: 'replay', seq: esp.seq, verdict: replay };
  }
  const d = espDecrypt(esp, state.key, state.salt);
  if (!d.ok) {
    if (d.issue.message !== 'ICV mismatch') return { kind: 'malformed', why: d.issue.message };
    state.integrityFailed++;
    return { kind: 'auth-failed', seq: esp.seq };
  }
  state.replayAdvance(esp.seq);
  const { nextHeader, plaintext } = d.value;
  const sealed = sealedValues.get(esp);
  const same = sealed !== undefined && Buffer.compare(sealed.plaintext, plaintext) === 0 ? sealed.inner : undefined;
  if (state.mode === 'tunnel' || nextHeader === IPPROTO_IPIP) {
    if (same?.kind === 'ipv4') return { kind: 'ok', ip: same, seq: esp.seq, nextHeader };
    const inner = decodeIpv4(plaintext);
    if (!inner.ok) return { kind: 'malformed', why: `inner datagram: ${inner.issue.message}` };
    return { kind: 'ok', ip: inner.value, seq: esp.seq, nextHeader };
  }
  let payload: Ipv4Payload;
  if (same !== undefined && same.kind !== 'ipv4') payload = same;
  else {
    const p = decodeIpv4Payload(nextHeader, plaintext, ip.src, ip.dst);
    if (!p.ok) return { kind: 'malformed', why: `decrypted payload: ${p.issue.message}` };
    payload = p.value;
  }
  // xfrm4_transport_finish: the header gets the inner protocol back (length and checksum on encode).
  return { kind: 'ok', ip: { ...ip, protocol: nextHeader, payload }, seq: esp.seq, nextHeader };
}
