/**
 * The packet layer's front door: addresses, wire formats, checksums, pcap and pcapng writers.
 * Pure code: nothing here reads time, randomness or other layers. See docs/packet-conventions.md.
 */
export * from './decode-result.js';
export * from './checksum.js';
export * from './payload.js';
export * from './pcap.js';
export * from './pcapng.js';
export * from './mac.js';
export * from './ipv4-address.js';
export * from './cidr.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './ipv4-fragment.js';
export * from './icmp.js';
export * from './icmp-quote.js';
export * from './udp.js';
export * from './tcp.js';
export * from './vxlan.js';
export * from './esp.js';
export * from './dns.js';
export * from './frame.js';
