/**
 * IPv4 prefixes in CIDR notation (`172.17.0.0/16`, or `172.17.0.2/16` for an interface address).
 *
 * Models: RFC 4632; Go's `net.ParseCIDR`, whose error text Docker returns verbatim
 * (`invalid CIDR address: 10.0.0.0/33`); `ip addr`, which keeps the host bits of an address.
 * Leaves out: IPv6; address ranges that are not prefixes.
 * Invariants: `prefix` is an integer in 0..32; `address` is a normalised `Ipv4` and may carry
 * host bits (use `networkOf` to clear them). All arithmetic is on integers.
 *
 *   text:  a.b.c.d "/" prefix        prefix: decimal digits as Go's dtoi reads them (leading zeros allowed), 0..32
 */

import { formatIpv4, maskOf, parseIpv4, type Ipv4 } from './ipv4-address.js';

export interface Cidr {
  readonly address: Ipv4;
  readonly prefix: number;
}

/** Field positions in the text form (there is no wire form). */
const CIDR_TEXT = {
  separator: '/',
  maxPrefix: 32,
} as const;

const PREFIX_DIGITS = /^[0-9]+$/;

/** Parses `a.b.c.d/n`; on failure returns Docker's (Go's) message. Host bits are kept. */
export function parseCidr(text: string): Cidr | { readonly error: string } {
  const slash = text.indexOf(CIDR_TEXT.separator);
  const invalid = { error: `invalid CIDR address: ${text}` } as const;
  if (slash < 0) return invalid;
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !PREFIX_DIGITS.test(prefixText)) return invalid;
  const prefix = Number(prefixText);
  if (prefix > CIDR_TEXT.maxPrefix) return invalid;
  return { address, prefix };
}

/** `parseCidr` for trusted literals (tests, built-in defaults): throws on bad text. */
export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('error' in parsed) throw new RangeError(parsed.error);
  return parsed;
}

export function isCidr(value: Cidr | { readonly error: string }): value is Cidr {
  return !('error' in value);
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.address)}/${c.prefix}`;
}

/** The same prefix with the host bits cleared: 172.17.0.2/16 gives 172.17.0.0/16. */
export function networkOf(c: Cidr): Cidr {
  return { address: (c.address & maskOf(c.prefix)) >>> 0, prefix: c.prefix };
}

/** The all-ones host address: 172.17.255.255 for 172.17.0.0/16 (the address itself for /32). */
export function broadcastOf(c: Cidr): Ipv4 {
  return (c.address | ~maskOf(c.prefix)) >>> 0;
}

export function cidrContains(c: Cidr, ip: Ipv4): boolean {
  const mask = maskOf(c.prefix);
  return ((ip & mask) >>> 0) === ((c.address & mask) >>> 0);
}

/** Every address of `inner` is in `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.prefix <= inner.prefix && cidrContains(outer, inner.address);
}

/** The two prefixes share at least one address (one then contains the other). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContains(a, b.address) : cidrContains(b, a.address);
}

/** Number of addresses, 2^(32-prefix): 256 for a /24, 2^32 for /0. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/**
 * The first usable host: network + 1; for /31 (RFC 3021 point-to-point) and /32 there is no
 * network/broadcast reservation, so the network address itself.
 */
export function firstHost(c: Cidr): Ipv4 {
  const network = networkOf(c).address;
  return c.prefix >= 31 ? network : (network + 1) >>> 0;
}

/** The last usable host: broadcast - 1; for /31 and /32 the last address itself. */
export function lastHost(c: Cidr): Ipv4 {
  const broadcast = broadcastOf(c);
  return c.prefix >= 31 ? broadcast : (broadcast - 1) >>> 0;
}
