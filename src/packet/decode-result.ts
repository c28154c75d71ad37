/**
 * The result of decoding bytes off the wire: either the typed representation or a precise issue.
 *
 * Models: the split smoltcp (`src/wire/`) and gVisor (`pkg/tcpip/header/`) make between bytes and
 * meaning. A decoder never throws on bad input; it returns `{ ok: false, issue }` naming the
 * format, the byte offset and what was wrong, so a malformed frame can be reported, not crash.
 * Leaves out: nothing; this is the shared vocabulary of every codec in this folder.
 */

/** Why some bytes could not be decoded as the named format. */
export interface DecodeIssue {
  /** The format that was being decoded, e.g. `ipv4`, `tcp`, `dns`. */
  readonly format: string;
  /** Byte offset, relative to the start of that format's bytes, where the problem was found. */
  readonly offset: number;
  /** What was wrong, in words: `truncated: need 20 bytes, have 7`, `bad header checksum 0x1234`. */
  readonly message: string;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: DecodeIssue };

export function decoded<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function decodeIssue<T>(format: string, offset: number, message: string): Decoded<T> {
  return { ok: false, issue: { format, offset, message } };
}

/** The common truncation issue: `need` bytes were required from `offset`, only `have` remain. */
export function truncated<T>(format: string, offset: number, need: number, have: number): Decoded<T> {
  return decodeIssue(format, offset, `truncated: need ${need} bytes, have ${have}`);
}
