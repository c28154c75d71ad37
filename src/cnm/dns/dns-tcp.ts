/**
 * DNS over TCP: the two-byte length prefix before each message, and a reader that cuts a byte
 * stream back into messages however the segments split it.
 *
 * Models: RFC 1035 section 4.2.2 ("the message is prefixed with a two byte length field"),
 * RFC 7766 (several queries may share one connection, and their replies may come in any order),
 * as miekg/dns `Conn.ReadMsg`/`WriteMsg` frame them for libnetwork's TCP listener and for its
 * TCP forwarding to external servers.
 * Leaves out: pipelining limits and the server's idle timeout (a connection lasts until the peer
 * closes it).
 * Invariant: `FrameReader` never drops bytes: a partial frame waits for the rest.
 */
import { decodeDns, encodeDns, type DecodeIssue, type DnsRepr } from '../../packet/index.js';

const LENGTH_BYTES = 2;

/** The bytes `WriteMsg` puts on a TCP connection for `message`. */
export function frameDns(message: DnsRepr): Uint8Array {
  const body = encodeDns(message);
  const out = new Uint8Array(LENGTH_BYTES + body.length);
  out[0] = (body.length >>> 8) & 0xff;
  out[1] = body.length & 0xff;
  out.set(body, LENGTH_BYTES);
  return out;
}

export type FramedMessage = { readonly ok: true; readonly message: DnsRepr } | { readonly ok: false; readonly issue: DecodeIssue };

/** Splits a TCP byte stream into DNS messages. */
export class FrameReader {
  #buffer = new Uint8Array(0);

  /** Adds received bytes; returns every message now complete, in order. */
  push(bytes: Uint8Array): FramedMessage[] {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer, 0);
    joined.set(bytes, this.#buffer.length);
    const out: FramedMessage[] = [];
    let at = 0;
    while (joined.length - at >= LENGTH_BYTES) {
      const length = (joined[at]! << 8) | joined[at + 1]!;
      if (joined.length - at - LENGTH_BYTES < length) break;
      const body = joined.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length);
      const d = decodeDns(body);
      out.push(d.ok ? { ok: true, message: d.value } : { ok: false, issue: d.issue });
      at += LENGTH_BYTES + length;
    }
    this.#buffer = joined.slice(at);
    return out;
  }

  /** Bytes of a frame not yet complete. */
  get pending(): number {
    return this.#buffer.length;
  }
}
