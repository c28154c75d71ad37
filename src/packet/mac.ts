/**
 * 48-bit Ethernet (EUI-48) MAC addresses as plain numbers.
 *
 * Models: IEEE 802 addresses as `ip link` prints them; Go's `net.ParseMAC` for the text forms
 * Docker accepts (`--mac-address`); libnetwork `netutils.GenerateMACFromIP` for the addresses
 * Docker gives containers (02:42 followed by the four IPv4 bytes).
 * Leaves out: EUI-64 and InfiniBand addresses, the dotted `0242.ac11.0002` form.
 * Invariant: a `Mac` is an integer in 0 .. 2^48-1 (exact in a float64), byte 0 most significant.
 *
 *   byte:   0    1    2    3    4    5
 *          +----+----+----+----+----+----+
 *          | 02 | 42 | ac | 11 | 00 | 02 |   bit 0x01 of byte 0: group (multicast)
 *          +----+----+----+----+----+----+   bit 0x02 of byte 0: locally administered
 */

/** A MAC address: 48-bit unsigned integer, most significant byte first on the wire. */
export type Mac = number;

/** Field offsets: a MAC is 6 bytes, split as a 16-bit high part and a 32-bit low part. */
const MAC = {
  high: 0,
  low: 2,
  length: 6,
} as const;

export const MAC_LENGTH = MAC.length;
const TWO_32 = 0x1_0000_0000;
const TWO_40 = 0x100_0000_0000;

export const MAC_BROADCAST: Mac = 0xffff_ffff_ffff;
export const MAC_ZERO: Mac = 0;

const MAC_TEXT = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/;

/** Parses `02:42:ac:11:00:02` (either case, `:` or `-` separators, two hex digits per byte). */
export function parseMac(text: string): Mac | undefined {
  const m = MAC_TEXT.exec(text);
  if (m === null) return undefined;
  let mac = 0;
  for (const i of [1, 3, 4, 5, 6, 7]) mac = mac * 256 + parseInt(m[i]!, 16);
  return mac;
}

/** `parseMac` for trusted literals (tests, built-in defaults): throws on bad text. */
export function mustParseMac(text: string): Mac {
  const mac = parseMac(text);
  if (mac === undefined) throw new RangeError(`invalid MAC address: ${text}`);
  return mac;
}

/** Lowercase colon form, as `ip link` and Docker print it: `02:42:ac:11:00:02`. */
export function formatMac(mac: Mac): string {
  const parts: string[] = [];
  for (let i = 0; i < MAC.length; i++) parts.push(octet(mac, i).toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Byte `index` (0 = first on the wire) of a MAC. */
function octet(mac: Mac, index: number): number {
  return Math.floor(mac / 256 ** (5 - index)) % 256;
}

/** Group bit set (I/G bit, 0x01 of the first byte): multicast, including broadcast. */
export function isMulticastMac(mac: Mac): boolean {
  return (Math.floor(mac / TWO_40) & 0x01) !== 0;
}

export function isBroadcastMac(mac: Mac): boolean {
  return mac === MAC_BROADCAST;
}

/** Reads the 6 bytes at `offset`. The caller checks the length. */
export function macFromBytes(bytes: Uint8Array, offset: number): Mac {
  const high = (bytes[offset + MAC.high]! << 8) | bytes[offset + MAC.high + 1]!;
  const low =
    ((bytes[offset + MAC.low]! << 24) |
      (bytes[offset + MAC.low + 1]! << 16) |
      (bytes[offset + MAC.low + 2]! << 8) |
      bytes[offset + MAC.low + 3]!) >>>
    0;
  return high * TWO_32 + low;
}

/** Writes the 6 bytes of `mac` at `offset`. */
export function writeMac(bytes: Uint8Array, offset: number, mac: Mac): void {
  const high = Math.floor(mac / TWO_32);
  const low = mac % TWO_32;
  bytes[offset + MAC.high] = high >>> 8;
  bytes[offset + MAC.high + 1] = high & 0xff;
  bytes[offset + MAC.low] = low >>> 24;
  bytes[offset + MAC.low + 1] = (low >>> 16) & 0xff;
  bytes[offset + MAC.low + 2] = (low >>> 8) & 0xff;
  bytes[offset + MAC.low + 3] = low & 0xff;
}

/**
 * The MAC Docker derives from a container's IPv4 address: 02:42 then the four address bytes
 * (libnetwork `netutils.GenerateMACFromIP`; e.g. 172.17.0.2 gives 02:42:ac:11:00:02).
 */
export function dockerMacForIpv4(ip: number): Mac {
  return 0x0242 * TWO_32 + (ip >>> 0);
}
