/**
 * The Internet checksum: 16-bit one's complement of the one's complement sum.
 *
 * Models: RFC 1071 (computation), RFC 1624 (incremental update, used when NAT rewrites a header),
 * RFC 768 / RFC 793 pseudo-header for UDP and TCP. Linux: `include/net/checksum.h`,
 * `lib/checksum.c`, `csum_tcpudp_magic`.
 * Leaves out: hardware offload (CHECKSUM_PARTIAL); every checksum is computed in full.
 */

/** One's complement sum of `bytes[start, end)` folded to 16 bits, added to `initial` (not complemented). */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum of `bytes[start, end)`: the value to store in a header's checksum field. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (RFC 768, RFC 793): source, destination, zero, protocol, length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  let sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * RFC 1624 equation 3: the new checksum after a 16-bit field of the covered data changes from
 * `oldWord` to `newWord`, without recomputing over the whole packet (what NAT does in Linux,
 * `inet_proto_csum_replace4`).
 */
export function checksumAdjust(checksum: number, oldWord: number, newWord: number): number {
  let sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
