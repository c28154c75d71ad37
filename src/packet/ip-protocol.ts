/**
 * IP protocol numbers (the IPv4 `protocol` field), in a leaf file so that transport codecs
 * (udp.ts, tcp.ts, esp.ts) can use them without importing ipv4.ts, which imports them.
 *
 * Models: IANA "Assigned Internet Protocol Numbers"; Linux `include/uapi/linux/in.h` (`IPPROTO_*`).
 * Leaves out: every protocol this simulator does not carry.
 *
 * Field offsets: none; these are values of the one-byte field at offset 9 of the IPv4 header.
 */

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ESP = 50;
