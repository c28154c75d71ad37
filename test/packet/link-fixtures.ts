// Known frames for the Ethernet/ARP/IPv4/ICMP codecs. Each was built by hand (Python struct +
// RFC 1071 checksums) and checked with `tshark -o ip.check_checksum:TRUE -V`: every IPv4 header
// and ICMP checksum shows "[correct]".

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** ARP request: who-has 172.17.0.3 tell 172.17.0.2, from 02:42:ac:11:00:02 to broadcast. 42 bytes. */
export const ARP_REQUEST_FRAME = hex(`
  ffffffffffff 0242ac110002 0806
  0001 0800 06 04 0001 0242ac110002 ac110002 000000000000 ac110003`);

/** ARP reply: 172.17.0.3 is-at 02:42:ac:11:00:03, to 02:42:ac:11:00:02. */
export const ARP_REPLY_FRAME = hex(`
  0242ac110002 0242ac110003 0806
  0001 0800 06 04 0002 0242ac110003 ac110003 0242ac110002 ac110002`);

/** 56 data bytes 0x00..0x37, like ping's pattern without the timeval. */
export const ECHO_DATA = Uint8Array.from({ length: 56 }, (_, i) => i);

/**
 * ICMP echo request 172.17.0.2 -> 172.17.0.3, id 7 seq 1, IP id 0x1234, DF, TTL 64: 98 bytes.
 * IP header checksum 0xd04d, ICMP checksum 0x00e5.
 */
export const ECHO_REQUEST_FRAME = hex(`
  0242ac110003 0242ac110002 0800
  4500 0054 1234 4000 40 01 d04d ac110002 ac110003
  08 00 00e5 0007 0001
  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
  202122232425262728292a2b2c2d2e2f3031323334353637`);

/**
 * ICMP 3/4 fragmentation needed, next-hop MTU 1400, from 172.17.0.1 to 172.17.0.2, quoting the
 * echo request's header and first 8 bytes. IP checksum 0x22a0, ICMP checksum 0xee96.
 */
export const FRAG_NEEDED_FRAME = hex(`
  0242ac110002 0242c0a80001 0800
  4500 0038 0000 0000 40 01 22a0 ac110001 ac110002
  03 04 ee96 0000 0578
  4500 0054 1234 4000 40 01 d04d ac110002 ac110003 08 00 00e5 0007 0001`);

/**
 * Echo reply 172.17.0.3 -> 172.17.0.2 in an 802.1Q tag (PCP 5, VID 100), id 7 seq 1, 8 data
 * bytes, IP id 0xbeef, TTL 63, no DF. IP checksum 0x64c2, ICMP checksum 0xf3e7.
 */
export const VLAN_ECHO_REPLY_FRAME = hex(`
  0242ac110002 0242ac110003 8100 a064 0800
  4500 0024 beef 0000 3f 01 64c2 ac110003 ac110002
  00 00 f3e7 0007 0001 0001020304050607`);
