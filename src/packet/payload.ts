/**
 * Opaque application data: the bytes a carrier (Ethernet, IPv4, UDP, TCP) holds when no decoder
 * in this folder understands them, e.g. HTTP text, an unknown EtherType, an IP fragment.
 *
 * Models: nothing on the wire beyond "these bytes"; tshark's `data` dissector.
 * Leaves out: any interpretation. `textPayload` / `payloadText` are UTF-8 helpers for scenarios
 * that send text (HTTP requests, echo servers).
 *
 * Field offsets: none; the whole span is the payload.
 */

export interface PayloadRepr {
  readonly kind: 'payload';
  readonly bytes: Uint8Array;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** Wraps raw bytes as a payload (no copy: callers hand over ownership). */
export function payload(bytes: Uint8Array): PayloadRepr {
  return { kind: 'payload', bytes };
}

/** A payload holding the UTF-8 encoding of `text`. */
export function textPayload(text: string): PayloadRepr {
  return { kind: 'payload', bytes: utf8Encoder.encode(text) };
}

/** The payload's bytes read as UTF-8 (invalid sequences become U+FFFD, never an exception). */
export function payloadText(p: PayloadRepr): string {
  return utf8Decoder.decode(p.bytes);
}
