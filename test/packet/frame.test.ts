// Whole frames: encodeFrame/decodeFrame, and summarizeFrame against lines printed by tcpdump 4.99.3
// (`tcpdump -n -t -S [-e] -r`) for the same bytes. The fixtures below were copied from its output;
// when tcpdump is installed, the last test re-runs it over random frames and compares every line.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arpReply,
  arpRequest,
  decodeFrame,
  destUnreachable,
  dnsQuery,
  echoReplyTo,
  echoRequest,
  encodeFrame,
  encodeIpv4,
  espEncrypt,
  ethernetFrame,
  fragmentIpv4,
  ipv4Packet,
  parseIpv4,
  parseMac,
  PcapWriter,
  quoteForIcmp,
  summarizeFrame,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  textPayload,
  timeExceeded,
  vlanTag,
  type DnsRecord,
  type DnsRepr,
  type EthernetPayload,
  type EthernetRepr,
  type Ipv4Payload,
  type Ipv4Repr,
  type TcpRepr,
  type UdpPayload,
  type VlanTag,
} from '../../src/packet/index.js';
import { tempCaptureDir } from '../support/tshark.js';
import { arbArp, arbEthernet, arbIcmp, arbIpv4Repr } from './arbitraries.js';
import { arbDns, arbEsp, arbTcp, arbUdp, arbVxlan } from './arbitraries-l4.js';

const ip = (s: string): number => parseIpv4(s)!;
const A = parseMac('02:42:ac:11:00:02')!;
const B = parseMac('02:42:ac:11:00:03')!;

function eth(payload: EthernetPayload, vlans: VlanTag[] = []): EthernetRepr {
  return ethernetFrame({ src: A, dst: B, payload, vlans });
}

function ipv4(src: string, dst: string, payload: Ipv4Payload, df = false): Ipv4Repr {
  return ipv4Packet({ src: ip(src), dst: ip(dst), payload, df });
}

function tcp(fields: Partial<TcpRepr>): TcpRepr {
  return { kind: 'tcp', srcPort: 41000, dstPort: 80, seq: 100, ack: 0, flags: TCP_SYN, window: 64240, urgent: 0, options: [], payload: textPayload(''), ...fields };
}

function udp(srcPort: number, dstPort: number, payload: UdpPayload): Ipv4Payload {
  return { kind: 'udp', srcPort, dstPort, payload };
}

function dnsResponse(rcode: number, answers: DnsRecord[], changes: Partial<DnsRepr> = {}): DnsRepr {
  return { ...dnsQuery(1234, 'web'), qr: true, ra: true, rcode, answers, ...changes };
}

const PING = echoRequest(1, 1, new Uint8Array(56));
const QUOTED_UDP = quoteForIcmp(encodeIpv4(ipv4('172.17.0.2', '172.17.0.3', udp(40000, 53, textPayload('x')))));
const QUOTED_TCP = quoteForIcmp(encodeIpv4(ipv4('172.17.0.2', '172.17.0.3', tcp({}))));
const ESP = espEncrypt({ spi: 0x100, seq: 1, key: new Uint8Array(16).fill(7), salt: new Uint8Array(4).fill(1), nextHeader: 6, plaintext: new Uint8Array(50) });

/** [frame, tcpdump -n line] pairs. */
const PLAIN: readonly (readonly [EthernetRepr, string])[] = [
  [eth(ipv4('172.17.0.2', '172.17.0.3', PING)), 'IP 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1, seq 1, length 64'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', echoReplyTo(PING))), 'IP 172.17.0.3 > 172.17.0.2: ICMP echo reply, id 1, seq 1, length 64'],
  [eth(arpRequest(A, ip('172.17.0.2'), ip('172.17.0.3'))), 'ARP, Request who-has 172.17.0.3 tell 172.17.0.2, length 28'],
  [eth(arpReply(B, ip('172.17.0.3'), A, ip('172.17.0.2'))), 'ARP, Reply 172.17.0.3 is-at 02:42:ac:11:00:03, length 28'],
  [
    eth({ kind: 'arp', op: 1, senderMac: A, senderIp: ip('10.0.0.1'), targetMac: B, targetIp: ip('10.0.0.2') }),
    'ARP, Request who-has 10.0.0.2 (02:42:ac:11:00:03) tell 10.0.0.1, length 28',
  ],
  [
    eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ options: [{ kind: 'mss', value: 1460 }] }))),
    'IP 10.0.0.1.41000 > 10.0.0.2.80: Flags [S], seq 100, win 64240, options [mss 1460], length 0',
  ],
  [
    eth(
      ipv4(
        '10.0.0.1',
        '10.0.0.2',
        tcp({
          options: [
            { kind: 'mss', value: 1460 },
            { kind: 'sack-permitted' },
            { kind: 'timestamps', tsval: 12345, tsecr: 0 },
            { kind: 'nop' },
            { kind: 'wscale', shift: 7 },
          ],
        }),
      ),
    ),
    'IP 10.0.0.1.41000 > 10.0.0.2.80: Flags [S], seq 100, win 64240, options [mss 1460,sackOK,TS val 12345 ecr 0,nop,wscale 7], length 0',
  ],
  [
    eth(ipv4('10.0.0.2', '10.0.0.1', tcp({ srcPort: 80, dstPort: 41000, flags: TCP_SYN | TCP_ACK, seq: 5000, ack: 101, window: 65160 }))),
    'IP 10.0.0.2.80 > 10.0.0.1.41000: Flags [S.], seq 5000, ack 101, win 65160, length 0',
  ],
  [eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ flags: TCP_ACK, seq: 101, ack: 5001, window: 502 }))), 'IP 10.0.0.1.41000 > 10.0.0.2.80: Flags [.], ack 5001, win 502, length 0'],
  [
    eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ flags: TCP_ACK | TCP_PSH, seq: 101, ack: 5001, window: 502, payload: textPayload('GET / HTTP/1.1\r\nHost: web\r\n\r\n') }))),
    'IP 10.0.0.1.41000 > 10.0.0.2.80: Flags [P.], seq 101:130, ack 5001, win 502, length 29: HTTP: GET / HTTP/1.1',
  ],
  [
    eth(ipv4('10.0.0.2', '10.0.0.1', tcp({ srcPort: 80, dstPort: 41000, flags: TCP_ACK | TCP_PSH, seq: 5001, ack: 130, window: 509, payload: textPayload('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi') }))),
    'IP 10.0.0.2.80 > 10.0.0.1.41000: Flags [P.], seq 5001:5041, ack 130, win 509, length 40: HTTP: HTTP/1.1 200 OK',
  ],
  [
    eth(ipv4('10.0.0.2', '10.0.0.1', tcp({ srcPort: 80, dstPort: 41000, flags: TCP_ACK | TCP_PSH, seq: 5001, ack: 130, window: 509, payload: textPayload('body continues\r\n') }))),
    'IP 10.0.0.2.80 > 10.0.0.1.41000: Flags [P.], seq 5001:5017, ack 130, win 509, length 16: HTTP',
  ],
  [eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ flags: TCP_ACK | TCP_FIN, seq: 130, ack: 5040 }))), 'IP 10.0.0.1.41000 > 10.0.0.2.80: Flags [F.], seq 130, ack 5040, win 64240, length 0'],
  [
    eth(ipv4('10.0.0.2', '10.0.0.1', tcp({ srcPort: 80, dstPort: 41000, flags: TCP_RST | TCP_ACK, seq: 0, ack: 101, window: 0 }))),
    'IP 10.0.0.2.80 > 10.0.0.1.41000: Flags [R.], seq 0, ack 101, win 0, length 0',
  ],
  [
    eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ srcPort: 40000, dstPort: 9999, flags: 0xff, urgent: 3, payload: textPayload('xyz') }))),
    'IP 10.0.0.1.40000 > 10.0.0.2.9999: Flags [FSRP.UEW], seq 100:103, ack 0, win 64240, urg 3, length 3',
  ],
  [
    eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ srcPort: 40000, dstPort: 9999, flags: 0, options: [{ kind: 'nop' }, { kind: 'unknown', type: 5, data: Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 9]) }, { kind: 'nop' }, { kind: 'eol' }] }))),
    'IP 10.0.0.1.40000 > 10.0.0.2.9999: Flags [none], win 64240, options [nop,sack 1 {1:9},nop,eol], length 0',
  ],
  [
    // 6 bytes of options are padded with two zeros, which tcpdump shows as eol.
    eth(ipv4('10.0.0.1', '10.0.0.2', tcp({ srcPort: 40000, dstPort: 9999, flags: TCP_ACK, options: [{ kind: 'unknown', type: 99, data: Uint8Array.from([1, 2]) }, { kind: 'unknown', type: 77, data: new Uint8Array(0) }] }))),
    'IP 10.0.0.1.40000 > 10.0.0.2.9999: Flags [.], ack 0, win 64240, options [unknown-99 0x0102,unknown-77,eol], length 0',
  ],
  [eth(ipv4('10.0.0.1', '10.0.0.2', udp(40000, 9999, textPayload('hello')))), 'IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 5'],
  [eth(ipv4('172.18.0.2', '127.0.0.11', udp(40000, 53, dnsQuery(1234, 'web')))), 'IP 172.18.0.2.40000 > 127.0.0.11.53: 1234+ A? web. (21)'],
  [
    eth(ipv4('127.0.0.11', '172.18.0.2', udp(53, 40000, dnsResponse(0, [{ name: 'web', type: 1, class: 1, ttl: 600, data: { kind: 'A', address: ip('172.18.0.3') } }])))),
    'IP 127.0.0.11.53 > 172.18.0.2.40000: 1234 1/0/0 A 172.18.0.3 (37)',
  ],
  [eth(ipv4('127.0.0.11', '172.18.0.2', udp(53, 40000, dnsResponse(3, [])))), 'IP 127.0.0.11.53 > 172.18.0.2.40000: 1234 NXDomain 0/0/0 (21)'],
  [eth(ipv4('127.0.0.11', '172.18.0.2', udp(53, 40000, dnsResponse(2, [], { ra: false, aa: true, tc: true })))), 'IP 127.0.0.11.53 > 172.18.0.2.40000: 1234 ServFail*-| 0/0/0 (21)'],
  [
    eth(
      ipv4(
        '127.0.0.11',
        '172.18.0.2',
        udp(
          53,
          40000,
          dnsResponse(
            0,
            [
              { name: 'web', type: 5, class: 1, ttl: 600, data: { kind: 'CNAME', name: 'tasks.web' } },
              { name: 'tasks.web', type: 1, class: 1, ttl: 600, data: { kind: 'A', address: ip('10.0.1.5') } },
              { name: 'tasks.web', type: 28, class: 1, ttl: 600, data: { kind: 'AAAA', address: Uint8Array.from(Buffer.from('fd000000000000000000000000000001', 'hex')) } },
              { name: 'tasks.web', type: 28, class: 1, ttl: 600, data: { kind: 'AAAA', address: Uint8Array.from(Buffer.from('00000000000000000000ffff0a000001', 'hex')) } },
              { name: 'tasks.web', type: 28, class: 1, ttl: 600, data: { kind: 'AAAA', address: Uint8Array.from(Buffer.from('20010db8000000010000000000000000', 'hex')) } },
              { name: '_http._tcp.web', type: 33, class: 1, ttl: 600, data: { kind: 'SRV', priority: 10, weight: 20, port: 8080, target: 'web.example' } },
              { name: '5.1.0.10.in-addr.arpa', type: 12, class: 1, ttl: 600, data: { kind: 'PTR', name: 'web.1.abc.net' } },
              { name: 'x', type: 16, class: 1, ttl: 600, data: { kind: 'raw', bytes: Uint8Array.from([3, 0x61, 0x62, 0x63, 1, 0x64]) } },
              { name: 'x', type: 15, class: 1, ttl: 600, data: { kind: 'raw', bytes: Uint8Array.from([0, 10, 2, 0x6d, 0x78, 0]) } },
              { name: 'x', type: 2, class: 3, ttl: 600, data: { kind: 'NS', name: 'ns1' } },
              { name: 'x', type: 999, class: 1, ttl: 600, data: { kind: 'raw', bytes: Uint8Array.from([1]) } },
            ],
            { additionals: [{ name: '', type: 41, class: 1232, ttl: 0x8000, data: { kind: 'raw', bytes: new Uint8Array(0) } }] },
          ),
        ),
      ),
    ),
    'IP 127.0.0.11.53 > 172.18.0.2.40000: 1234 11/0/1 CNAME tasks.web., A 10.0.1.5, AAAA fd00::1, AAAA ::ffff:10.0.0.1, AAAA 2001:db8:0:1::, SRV web.example.:8080 10 20, PTR web.1.abc.net., TXT "abc" "d", MX mx. 10, CHAOS NS ns1., Type999 (309)',
  ],
  [
    eth(
      ipv4(
        '172.18.0.2',
        '127.0.0.11',
        udp(40000, 53, {
          ...dnsQuery(77, 'web', 28),
          questions: [
            { name: 'web', type: 28, class: 1 },
            { name: '', type: 2, class: 3 },
          ],
          additionals: [{ name: '', type: 41, class: 1232, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array(0) } }],
        }),
      ),
    ),
    'IP 172.18.0.2.40000 > 127.0.0.11.53: 77+ [2q] [1au] AAAA? web. NS CHAOS? . (37)',
  ],
  [
    eth(ipv4('172.18.0.2', '127.0.0.11', udp(40000, 53, { ...dnsQuery(78, 'Web.Example', 255), rd: false, aa: true, opcode: 4 }))),
    'IP 172.18.0.2.40000 > 127.0.0.11.53: 78 notify [b2&3=0x2400] ANY? Web.Example. (29)',
  ],
  [
    eth(ipv4('192.168.1.10', '192.168.1.11', udp(51234, 4789, { kind: 'vxlan', vni: 4097, payload: eth(ipv4('10.0.1.2', '10.0.1.3', echoRequest(5, 2, new Uint8Array(56)))) }))),
    'IP 192.168.1.10.51234 > 192.168.1.11.4789: VXLAN, flags [I] (0x08), vni 4097\nIP 10.0.1.2 > 10.0.1.3: ICMP echo request, id 5, seq 2, length 64',
  ],
  [eth(ipv4('10.0.0.1', '10.0.0.2', ESP)), 'IP 10.0.0.1 > 10.0.0.2: ESP(spi=0x00000100,seq=0x1), length 84'],
  [eth(ipv4('10.0.0.1', '10.0.0.2', { ...ESP, spi: 0xdeadbeef, seq: 0x12345 })), 'IP 10.0.0.1 > 10.0.0.2: ESP(spi=0xdeadbeef,seq=0x12345), length 84'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', destUnreachable(3, QUOTED_UDP))), 'IP 172.17.0.3 > 172.17.0.2: ICMP 172.17.0.3 udp port 53 unreachable, length 36'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', destUnreachable(3, QUOTED_TCP))), 'IP 172.17.0.3 > 172.17.0.2: ICMP 172.17.0.3 tcp port 80 unreachable, length 36'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', destUnreachable(1, QUOTED_UDP))), 'IP 172.17.0.3 > 172.17.0.2: ICMP host 172.17.0.3 unreachable, length 36'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', destUnreachable(4, QUOTED_UDP, 1450))), 'IP 172.17.0.3 > 172.17.0.2: ICMP 172.17.0.3 unreachable - need to frag (mtu 1450), length 36'],
  [eth(ipv4('172.17.0.3', '172.17.0.2', destUnreachable(13, QUOTED_UDP))), 'IP 172.17.0.3 > 172.17.0.2: ICMP host 172.17.0.3 unreachable - admin prohibited filter, length 36'],
  [eth(ipv4('172.17.0.1', '172.17.0.2', timeExceeded(QUOTED_UDP))), 'IP 172.17.0.1 > 172.17.0.2: ICMP time exceeded in-transit, length 36'],
  [eth(ipv4('172.17.0.1', '172.17.0.2', destUnreachable(1, new Uint8Array(0)))), 'IP 172.17.0.1 > 172.17.0.2:  [|icmp]'],
  [eth(ipv4Packet({ src: ip('10.0.0.1'), dst: ip('10.0.0.2'), protocol: 253, payload: textPayload('abcd') })), 'IP 10.0.0.1 > 10.0.0.2:  ip-proto-253 4'],
  [eth(ipv4('172.17.0.2', '172.17.0.3', PING), [vlanTag(10)]), 'IP 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1, seq 1, length 64'],
  [ethernetFrame({ src: A, dst: B, etherType: 0x1234, payload: textPayload('zzzz') }), '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype Unknown (0x1234), length 18:'],
];

const FRAGMENTS = [
  ...fragmentIpv4(ipv4('10.0.0.1', '10.0.0.2', echoRequest(1, 1, new Uint8Array(3000))), 1500),
  ...fragmentIpv4(ipv4('10.0.0.1', '10.0.0.2', udp(40000, 9999, { kind: 'payload', bytes: new Uint8Array(2000) })), 1500),
  ...fragmentIpv4(ipv4('10.0.0.1', '10.0.0.2', ESP), 48),
].map((f) => eth(f));

/** [frame, tcpdump -n -e line] pairs. */
const LINK: readonly (readonly [EthernetRepr, string])[] = [
  [
    eth(ipv4('172.17.0.2', '172.17.0.3', PING)),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype IPv4 (0x0800), length 98: 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1, seq 1, length 64',
  ],
  [
    eth(arpRequest(A, ip('172.17.0.2'), ip('172.17.0.3'))),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype ARP (0x0806), length 42: Request who-has 172.17.0.3 tell 172.17.0.2, length 28',
  ],
  [
    eth(ipv4('172.17.0.2', '172.17.0.3', PING), [vlanTag(10)]),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype 802.1Q (0x8100), length 102: vlan 10, p 0, ethertype IPv4 (0x0800), 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1, seq 1, length 64',
  ],
  [
    eth(ipv4('172.17.0.2', '172.17.0.3', PING), [vlanTag(100, 0, false, 0x88a8), vlanTag(10, 5, true)]),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype 802.1Q-QinQ (0x88a8), length 106: vlan 100, p 0, ethertype 802.1Q (0x8100), vlan 10, p 5, DEI, ethertype IPv4 (0x0800), 172.17.0.2 > 172.17.0.3: ICMP echo request, id 1, seq 1, length 64',
  ],
  [
    eth(arpRequest(A, ip('172.17.0.2'), ip('172.17.0.3')), [vlanTag(20, 3)]),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype 802.1Q (0x8100), length 46: vlan 20, p 3, ethertype ARP (0x0806), Request who-has 172.17.0.3 tell 172.17.0.2, length 28',
  ],
  [
    eth(ipv4('192.168.1.10', '192.168.1.11', udp(51234, 4789, { kind: 'vxlan', vni: 42, payload: eth(arpRequest(A, ip('10.0.1.2'), ip('10.0.1.3'))) }))),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype IPv4 (0x0800), length 92: 192.168.1.10.51234 > 192.168.1.11.4789: VXLAN, flags [I] (0x08), vni 42\n' +
      '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype ARP (0x0806), length 42: Request who-has 10.0.1.3 tell 10.0.1.2, length 28',
  ],
  [ethernetFrame({ src: A, dst: B, etherType: 0x1234, payload: textPayload('zzzz') }), '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype Unknown (0x1234), length 18:'],
  [
    ethernetFrame({ src: A, dst: B, etherType: 0x1234, payload: textPayload('zzzz'), vlans: [vlanTag(5)] }),
    '02:42:ac:11:00:02 > 02:42:ac:11:00:03, ethertype 802.1Q (0x8100), length 22: vlan 5, p 0, ethertype Unknown (0x1234),',
  ],
];

describe('frame', () => {
  it('encodes and decodes whole frames, passing the UDP options down', () => {
    const frame = eth(ipv4('172.18.0.2', '127.0.0.11', udp(40000, 53, dnsQuery(1234, 'web'))));
    const bytes = encodeFrame(frame);
    expect(decodeFrame(bytes)).toEqual({ ok: true, value: frame });
    const opaque = decodeFrame(bytes, { dnsPorts: new Set([5353]) });
    expect(opaque).toMatchObject({ ok: true, value: { payload: { payload: { payload: { kind: 'payload' } } } } });
    expect(decodeFrame(bytes.subarray(0, 10))).toMatchObject({ ok: false, issue: { format: 'ethernet' } });
  });

  it('summarizes like tcpdump -n', () => {
    for (const [frame, line] of PLAIN) expect(summarizeFrame(frame)).toBe(line);
  });

  it('summarizes fragments: the first like tcpdump dissects it, the rest as ip-proto-N', () => {
    expect(FRAGMENTS.map((f) => summarizeFrame(f))).toEqual([
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 1480',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-1',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-1',
      'IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 2000',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-17',
      'IP 10.0.0.1 > 10.0.0.2: ESP(spi=0x00000100,seq=0x1), length 24',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-50',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-50',
      'IP 10.0.0.1 > 10.0.0.2: ip-proto-50',
    ]);
  });

  it('names DNS types as tcpdump does', () => {
    const line = (type: number): string => summarizeFrame(eth(ipv4('10.0.0.1', '10.0.0.2', udp(30000, 53, dnsQuery(1, 'a', type)))));
    expect([19, 104, 255, 256, 300, 65535].map(line)).toEqual(
      ['X25', 'UNSPECA', 'ANY', 'URI', 'Type300', 'Type65535'].map((name) => `IP 10.0.0.1.30000 > 10.0.0.2.53: 1+ ${name}? a. (19)`),
    );
  });

  it('summarizes like tcpdump -n -e with link: true', () => {
    for (const [frame, line] of LINK) expect(summarizeFrame(frame, { link: true })).toBe(line);
  });

  it('never throws on random frames', () => {
    fc.assert(
      fc.property(randomFrames, fc.boolean(), (frame, link) => {
        expect(summarizeFrame(frame, { link }).length).toBeGreaterThan(0);
      }),
    );
  });

  it.skipIf(!tcpdumpAvailable())('prints what tcpdump 4.99 prints for random frames (needs tcpdump)', () => {
    // Random frames, then one DNS question per record type 0..300 (tcpdump's type-name table).
    const typeSweep = Array.from({ length: 301 }, (_, type) => eth(ipv4('10.0.0.1', '10.0.0.2', udp(30000, 53, dnsQuery(1, 'a', type)))));
    const frames = [...fc.sample(randomFrames, { numRuns: 300, seed: 4242 }), ...typeSweep];
    const pcap = new PcapWriter();
    frames.forEach((frame, i) => pcap.add(i * 1000, encodeFrame(frame)));
    const dir = tempCaptureDir('cnmsim-tcpdump-');
    try {
      const file = dir.write('random.pcap', pcap.bytes());
      for (const link of [false, true]) {
        const run = spawnSync('tcpdump', ['-n', '-t', '-S', ...(link ? ['-e'] : []), '-r', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
        // Hex dumps of unknown EtherTypes are continuation lines starting with a tab.
        const lines = run.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('\t')).map((line) => line.trimEnd());
        expect(lines).toEqual(frames.flatMap((frame) => summarizeFrame(frame, { link }).split('\n')));
      }
    } finally {
      dir.cleanup();
    }
  });
});

function tcpdumpAvailable(): boolean {
  const probe = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

/** TCP option kinds that tcpdump prints with dedicated formats (its misparses are not imitated). */
const SPECIAL_OPTION_KINDS = new Set([2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 19, 20, 27, 28, 29, 30, 34, 253, 254]);
/** Ports tcpdump leaves to the generic UDP/TCP printers, plus 80 for its HTTP printer. */
const plainPort = fc.integer({ min: 30000, max: 30100 });
const plainTcp = arbTcp
  .filter((t) => t.options.every((o) => o.kind !== 'unknown' || !SPECIAL_OPTION_KINDS.has(o.type)))
  .chain((t) => fc.record({ srcPort: plainPort, dstPort: fc.oneof(plainPort, fc.constant(80)) }).map((ports) => ({ ...t, ...ports })));
const plainUdp = fc.record({ srcPort: plainPort, dstPort: plainPort, bytes: fc.uint8Array({ maxLength: 40 }) }).map(
  ({ srcPort, dstPort, bytes }): Ipv4Payload => udp(srcPort, dstPort, { kind: 'payload', bytes }),
);
const dnsUdp = fc.tuple(plainPort, arbDns).map(([srcPort, dns]) => udp(srcPort, 53, dns));
/**
 * IPv4 payloads tcpdump prints the way summarizeFrame does: an opaque payload (a first fragment,
 * which tcpdump still dissects, or an unknown protocol) only under ICMP, UDP or ESP for a first
 * fragment, or under an unassigned protocol number (144-252) that tcpdump has no printer for.
 */
function printableIpv4(p: EthernetPayload): boolean {
  if (p.kind !== 'ipv4' || p.fragmentOffset !== 0 || p.payload.kind !== 'payload') return true;
  return (p.mf && (p.protocol === 1 || p.protocol === 17 || p.protocol === 50)) || (p.protocol >= 144 && p.protocol <= 252);
}
/** Inner frames: no 802.3 length field (EtherType < 0x600), whose LLC printing is not imitated. */
const innerFrames = arbEthernet().filter((f) => f.etherType >= 0x600 && printableIpv4(f.payload));
const vxlanUdp = arbUdp(arbVxlan(innerFrames)).map((u) => ({ ...u, srcPort: 30000 }));
const randomFrames: fc.Arbitrary<EthernetRepr> = arbEthernet(
  fc.oneof(arbArp, arbIpv4Repr(fc.oneof<fc.Arbitrary<Ipv4Payload>[]>(plainTcp, plainUdp, dnsUdp, vxlanUdp, arbEsp, arbIcmp))).filter(printableIpv4),
);
