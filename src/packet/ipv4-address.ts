/**
 * IPv4 addresses as unsigned 32-bit numbers, and their masks.
 *
 * Models: RFC 791 addresses; RFC 1122 / RFC 5735 special blocks (loopback 127/8, link-local
 * 169.254/16 from RFC 3927, multicast 224/4); Go's `net.ParseIP` for the accepted text, which is
 * what Docker uses: a strict dotted quad, and since Go 1.17 no leading zeros (`01.2.3.4` is
 * rejected rather than read as octal the way inet_aton would).
 * Leaves out: IPv6 and IPv4-mapped IPv6 text (`::ffff:1.2.3.4`), inet_aton shorthands (`10.1`).
 * Invariant: an `Ipv4` is always normalised with `>>> 0` (0 .. 2^32-1, never negative).
 *
 *   byte:   0    1    2    3          172.17.0.2 = 0xac110002
 *          +----+----+----+----+
 *          | ac | 11 | 00 | 02 |     most significant byte first on the wire
 *          +----+----+----+----+
 */

/** An IPv4 address: unsigned 32-bit integer, `a.b.c.d` = a<<24 | b<<16 | c<<8 | d. */
export type Ipv4 = number;

/** Field offsets of an address in its 4 wire bytes. */
const IPV4_ADDRESS = {
  octet0: 0,
  octet3: 3,
  length: 4,
} as const;

export const IPV4_ADDRESS_LENGTH = IPV4_ADDRESS.length;
export const IPV4_BROADCAST: Ipv4 = 0xffff_ffff;
export const IPV4_ANY: Ipv4 = 0;

const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses a strict dotted quad (`172.17.0.2`); `undefined` for anything Go's net.ParseIP rejects as IPv4. */
export function parseIpv4(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let ip = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    ip = ip * 256 + value;
  }
  return ip;
}

/** `parseIpv4` for trusted literals (tests, built-in defaults): throws on bad text. */
export function mustParseIpv4(text: string): Ipv4 {
  const ip = parseIpv4(text);
  if (ip === undefined) throw new RangeError(`invalid IPv4 address: ${text}`);
  return ip;
}

export function formatIpv4(ip: Ipv4): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** Reads 4 bytes at `offset` (the caller checks the length). */
export function ipv4FromBytes(bytes: Uint8Array, offset: number): Ipv4 {
  return (
    ((bytes[offset + IPV4_ADDRESS.octet0]! << 24) |
      (bytes[offset + 1]! << 16) |
      (bytes[offset + 2]! << 8) |
      bytes[offset + IPV4_ADDRESS.octet3]!) >>>
    0
  );
}

export function writeIpv4(bytes: Uint8Array, offset: number, ip: Ipv4): void {
  bytes[offset + IPV4_ADDRESS.octet0] = ip >>> 24;
  bytes[offset + 1] = (ip >>> 16) & 0xff;
  bytes[offset + 2] = (ip >>> 8) & 0xff;
  bytes[offset + IPV4_ADDRESS.octet3] = ip & 0xff;
}

/** The netmask of a prefix length: 24 gives 255.255.255.0. Throws outside 0..32 (a broken invariant). */
export function maskOf(prefix: number): Ipv4 {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new RangeError(`IPv4 prefix length must be an integer in 0..32, got ${prefix}`);
  }
  // A shift by 32 is a shift by 0 in JavaScript, hence the special case.
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

/** The prefix length of a contiguous netmask, or `undefined` for one like 255.0.255.0. */
export function prefixOfMask(mask: Ipv4): number | undefined {
  const m = mask >>> 0;
  const inverted = ~m >>> 0;
  // Contiguous iff the host part is 2^k - 1.
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return Math.clz32(inverted);
}

/** 224.0.0.0/4 (RFC 5771). */
export function isMulticastIpv4(ip: Ipv4): boolean {
  return ip >>> 28 === 0xe;
}

/** 127.0.0.0/8 (RFC 1122 3.2.1.3). */
export function isLoopbackIpv4(ip: Ipv4): boolean {
  return ip >>> 24 === 127;
}

/** 169.254.0.0/16 (RFC 3927). */
export function isLinkLocalIpv4(ip: Ipv4): boolean {
  return ip >>> 16 === 0xa9fe;
}
