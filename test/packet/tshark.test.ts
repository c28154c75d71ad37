// The real-client check of the packet layer: every wire format the simulator emits is encoded with
// the codecs of src/packet, written to pcapng and classic pcap, and read back by tshark with
// checksum validation on. tshark must decode every layer (frame.protocols), flag no malformed
// packet, no bad checksum, no warning or error expert item, and, given the SA, decrypt ESP.
// Requires tshark (`apt-get install -y tshark`); without it these tests fail and say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DNS_CLASS,
  DNS_OPCODE,
  DNS_RCODE,
  DNS_TYPE,
  ICMP_LINUX_QUOTE_MAX,
  ICMP_UNREACH,
  IPPROTO_UDP,
  PcapngWriter,
  PcapWriter,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
  VXLAN_PORT,
  arpReply,
  arpRequest,
  destUnreachable,
  dnsQuery,
  dockerMacForIpv4,
  echoReplyTo,
  echoRequest,
  encodeEthernet,
  encodeIpv4,
  encodeUdp,
  espEncrypt,
  espKeyString,
  ethernetFrame,
  fragmentIpv4,
  ipv4Packet,
  parseIpv4,
  parseMac,
  quoteForIcmp,
  textPayload,
  timeExceeded,
  vlanTag,
  type DnsRecord,
  type DnsRepr,
  type EthernetRepr,
  type Ipv4,
  type Ipv4Payload,
  type Ipv4Repr,
  type Mac,
  type TcpOption,
  type TcpRepr,
  type UdpRepr,
} from '../../src/packet/index.js';
import { requireTshark, tempCaptureDir, tsharkFields, tsharkVersion, TSHARK_INSTALL_HINT, tsharkAvailable } from '../support/tshark.js';

// ---------------------------------------------------------------------------------------------
// A small two-host world: host1 runs c1 and c2 on docker0 and an overlay peer on host2.

function ip(text: string): Ipv4 {
  const value = parseIpv4(text);
  if (value === undefined) throw new Error(`bad IPv4 literal ${text}`);
  return value;
}

function mac(text: string): Mac {
  const value = parseMac(text);
  if (value === undefined) throw new Error(`bad MAC literal ${text}`);
  return value;
}

const C1 = ip('172.17.0.2');
const C2 = ip('172.17.0.3');
const GATEWAY = ip('172.17.0.1');
const REMOTE = ip('203.0.113.5');
const HOST1 = ip('192.168.1.10');
const HOST2 = ip('192.168.1.11');
const LOOPBACK = ip('127.0.0.1');
const DOCKER_DNS = ip('127.0.0.11');
const OVERLAY_C1 = ip('10.0.1.2');
const OVERLAY_C3 = ip('10.0.1.3');

const C1_MAC = dockerMacForIpv4(C1);
const C2_MAC = dockerMacForIpv4(C2);
const DOCKER0_MAC = mac('02:42:5e:6b:1f:01');
const HOST1_MAC = mac('52:54:00:12:34:56');
const HOST2_MAC = mac('52:54:00:12:34:57');
const VLAN_PEER_MAC = mac('52:54:00:12:34:58');
const OVERLAY_C1_MAC = dockerMacForIpv4(OVERLAY_C1);
const OVERLAY_C3_MAC = dockerMacForIpv4(OVERLAY_C3);

/** Key material of the overlay's ESP SA: `ip xfrm state ... aead 'rfc4106(gcm(aes))' key||salt 128`. */
const ESP_SPI = 0x0c0ffee1;
const ESP_KEY = Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'));
const ESP_SALT = Uint8Array.from(Buffer.from('cafebabe', 'hex'));

function frame(src: Mac, dst: Mac, packet: Ipv4Repr, vid?: number): EthernetRepr {
  return ethernetFrame({ src, dst, payload: packet, ...(vid === undefined ? {} : { vlans: [vlanTag(vid)] }) });
}

function packet(src: Ipv4, dst: Ipv4, payload: Ipv4Payload, extra: { id?: number; df?: boolean; ttl?: number; dscp?: number } = {}): Ipv4Repr {
  return ipv4Packet({ src, dst, payload, df: extra.df ?? true, ...extra });
}

function udp(srcPort: number, dstPort: number, payload: UdpRepr['payload']): UdpRepr {
  return { kind: 'udp', srcPort, dstPort, payload };
}

function tcp(srcPort: number, dstPort: number, seq: number, ack: number, flags: number, options: readonly TcpOption[] = [], data = ''): TcpRepr {
  return { kind: 'tcp', srcPort, dstPort, seq, ack, flags, window: flags & TCP_SYN ? 64240 : 502, urgent: 0, options, payload: textPayload(data) };
}

/** The SYN options Linux sends: MSS, SACK permitted, timestamps, NOP, window scale 7. */
function synOptions(tsval: number, tsecr: number): TcpOption[] {
  return [
    { kind: 'mss', value: 1460 },
    { kind: 'sack-permitted' },
    { kind: 'timestamps', tsval, tsecr },
    { kind: 'nop' },
    { kind: 'wscale', shift: 7 },
  ];
}

function dnsResponse(query: DnsRepr, answers: readonly DnsRecord[], rcode: number = DNS_RCODE.NOERROR): DnsRepr {
  return { ...query, qr: true, ra: true, rcode, answers, opcode: DNS_OPCODE.QUERY };
}

function record(name: string, type: number, data: DnsRecord['data']): DnsRecord {
  return { name, type, class: DNS_CLASS.IN, ttl: 600, data };
}

interface Capture {
  readonly iface: string;
  readonly eth: EthernetRepr;
  /** frame.protocols as tshark 4.x prints it. */
  readonly protocols: string;
  readonly comment: string;
  /**
   * The frame is an ICMP error quoting only the first 548 bytes of a longer TCP segment, as
   * Linux does. tshark 4.0 dissects the quote as if it were the whole segment and reports its TCP
   * checksum as bad; the original segment's checksum is checked where it is captured itself.
   */
  readonly truncatedTcpQuote?: true;
}

function buildCaptures(): Capture[] {
  const out: Capture[] = [];
  const add = (iface: string, eth: EthernetRepr, protocols: string, comment: string, truncatedTcpQuote = false): void => {
    out.push({ iface, eth, protocols, comment: `pkt ${out.length + 1}: ${comment}`, ...(truncatedTcpQuote ? { truncatedTcpQuote } : {}) });
  };

  // ARP on the bridge: c1 resolves c2.
  add('c1:eth0', ethernetFrame({ src: C1_MAC, dst: mac('ff:ff:ff:ff:ff:ff'), payload: arpRequest(C1_MAC, C1, C2) }), 'eth:ethertype:arp', 'c1 eth0 arp who-has 172.17.0.3');
  add('c1:eth0', ethernetFrame({ src: C2_MAC, dst: C1_MAC, payload: arpReply(C2_MAC, C2, C1_MAC, C1) }), 'eth:ethertype:arp', 'c1 eth0 arp reply from c2');

  // ping c1 -> c2 with Linux ping's 56 data bytes.
  const pingData = Uint8Array.from({ length: 56 }, (_, i) => i);
  const ping = echoRequest(0x1c2b, 1, pingData);
  add('host1:docker0', frame(C1_MAC, C2_MAC, packet(C1, C2, ping, { id: 0x4a01 })), 'eth:ethertype:ip:icmp:data', 'host1 docker0 forward to c2');
  add('host1:docker0', frame(C2_MAC, C1_MAC, packet(C2, C1, echoReplyTo(ping), { id: 0x77f0 })), 'eth:ethertype:ip:icmp:data', 'host1 docker0 forward to c1');

  // An 802.1Q-tagged ping on the host's uplink (a macvlan/ipvlan parent with VLAN 100).
  const vlanPing = echoRequest(0x0101, 7, pingData);
  const vlanA = ip('192.168.100.10');
  const vlanB = ip('192.168.100.11');
  add('host1:eth0', frame(HOST1_MAC, VLAN_PEER_MAC, packet(vlanA, vlanB, vlanPing, { id: 1 }), 100), 'eth:ethertype:vlan:ethertype:ip:icmp:data', 'host1 eth0 vlan 100 tx');
  add('host1:eth0', frame(VLAN_PEER_MAC, HOST1_MAC, packet(vlanB, vlanA, echoReplyTo(vlanPing), { id: 2 }), 100), 'eth:ethertype:vlan:ethertype:ip:icmp:data', 'host1 eth0 vlan 100 rx');

  // UDP to a closed port on c2, answered by port unreachable quoting it.
  const probe = packet(C1, C2, udp(41000, 9999, textPayload('probe')), { id: 0x5000 });
  add('host1:docker0', frame(C1_MAC, C2_MAC, probe), 'eth:ethertype:ip:udp:data', 'host1 docker0 forward udp to c2');
  const portUnreach = destUnreachable(ICMP_UNREACH.port, quoteForIcmp(encodeIpv4(probe), ICMP_LINUX_QUOTE_MAX));
  add('host1:docker0', frame(C2_MAC, C1_MAC, packet(C2, C1, portUnreach, { id: 0x5001, df: false, dscp: 48 })), 'eth:ethertype:ip:icmp:ip:udp:data', 'c2 port unreachable');

  // A DF segment too big for the next hop: fragmentation needed, MTU 1450.
  const big = packet(C1, REMOTE, tcp(45000, 443, 1000, 2000, TCP_ACK | TCP_PSH, [], 'x'.repeat(1460)), { id: 0x6000 });
  add('host1:docker0', frame(C1_MAC, DOCKER0_MAC, big), 'eth:ethertype:ip:tcp:data', 'host1 docker0 rx 1500 bytes df');
  const fragNeeded = destUnreachable(ICMP_UNREACH.fragNeeded, quoteForIcmp(encodeIpv4(big), ICMP_LINUX_QUOTE_MAX), 1450);
  const fragNeededPacket = packet(GATEWAY, C1, fragNeeded, { id: 0x6001, df: false, dscp: 48 });
  add('host1:docker0', frame(DOCKER0_MAC, C1_MAC, fragNeededPacket), 'eth:ethertype:ip:icmp:ip:tcp:data', 'host1 fragmentation needed mtu 1450', true);

  // A traceroute probe with TTL 1 and the gateway's time exceeded.
  const traceProbe = packet(C1, REMOTE, udp(42000, 33434, textPayload('@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_')), { id: 0x7000, ttl: 1, df: false });
  add('host1:docker0', frame(C1_MAC, DOCKER0_MAC, traceProbe), 'eth:ethertype:ip:udp:data', 'host1 docker0 rx ttl 1');
  const exceeded = timeExceeded(quoteForIcmp(encodeIpv4(traceProbe), ICMP_LINUX_QUOTE_MAX));
  add('host1:docker0', frame(DOCKER0_MAC, C1_MAC, packet(GATEWAY, C1, exceeded, { id: 0x7001, df: false, dscp: 48 })), 'eth:ethertype:ip:icmp:ip:udp:data', 'host1 ttl exceeded');

  // A 2000-byte UDP datagram fragmented at MTU 1500: two fragments, reassembled by tshark.
  const datagram = ipv4Packet({ src: C1, dst: C2, id: 0x8000, payload: udp(43000, 7000, textPayload('F'.repeat(2000))) });
  const fragments = fragmentIpv4(datagram, 1500);
  expect(fragments).toHaveLength(2);
  add('host1:docker0', frame(C1_MAC, C2_MAC, fragments[0]!), 'eth:ethertype:ip:data', 'host1 docker0 fragment 1');
  add('host1:docker0', frame(C1_MAC, C2_MAC, fragments[1]!), 'eth:ethertype:ip:udp:data', 'host1 docker0 fragment 2');

  // An HTTP request over TCP: handshake with MSS, the request, the client's FIN.
  const cisn = 0x1a2b3c4d;
  const sisn = 0x5e6f7081;
  const request = 'GET /index.html HTTP/1.1\r\nHost: web\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
  const seg = (from: 'c' | 's', t: TcpRepr): EthernetRepr =>
    from === 'c' ? frame(C1_MAC, C2_MAC, packet(C1, C2, t, { id: 0x9000 + out.length })) : frame(C2_MAC, C1_MAC, packet(C2, C1, t, { id: 0xa000 + out.length }));
  add('c1:eth0', seg('c', tcp(51000, 80, cisn, 0, TCP_SYN, synOptions(1000, 0))), 'eth:ethertype:ip:tcp', 'c1 eth0 tx syn');
  add('c1:eth0', seg('s', tcp(80, 51000, sisn, cisn + 1, TCP_SYN | TCP_ACK, synOptions(2000, 1000))), 'eth:ethertype:ip:tcp', 'c1 eth0 rx syn-ack');
  add('c1:eth0', seg('c', tcp(51000, 80, cisn + 1, sisn + 1, TCP_ACK)), 'eth:ethertype:ip:tcp', 'c1 eth0 tx ack');
  add('c1:eth0', seg('c', tcp(51000, 80, cisn + 1, sisn + 1, TCP_ACK | TCP_PSH, [], request)), 'eth:ethertype:ip:tcp:http', 'c1 eth0 tx http request');
  add('c1:eth0', seg('c', tcp(51000, 80, cisn + 1 + request.length, sisn + 1, TCP_FIN | TCP_ACK)), 'eth:ethertype:ip:tcp', 'c1 eth0 tx fin');

  // DNS through Docker's embedded resolver, seen on c1's loopback (zero MACs, Ethernet link type).
  const dns = (id: number, name: string, type: number, answers: readonly DnsRecord[], rcode?: number): void => {
    const query = dnsQuery(id, name, type);
    const port = 50000 + id;
    add('c1:lo', frame(0, 0, packet(LOOPBACK, DOCKER_DNS, udp(port, 53, query))), 'eth:ethertype:ip:udp:dns', `c1 lo dns query ${name}`);
    add('c1:lo', frame(0, 0, packet(DOCKER_DNS, LOOPBACK, udp(53, port, dnsResponse(query, answers, rcode)))), 'eth:ethertype:ip:udp:dns', `c1 lo dns response ${name}`);
  };
  dns(1, 'web', DNS_TYPE.A, [record('web', DNS_TYPE.A, { kind: 'A', address: ip('172.18.0.2') })]);
  const v6 = Uint8Array.from(Buffer.from('fd00000000000000000000000000000a', 'hex'));
  dns(2, 'web', DNS_TYPE.AAAA, [record('web', DNS_TYPE.AAAA, { kind: 'AAAA', address: v6 })]);
  dns(3, '2.0.18.172.in-addr.arpa', DNS_TYPE.PTR, [record('2.0.18.172.in-addr.arpa', DNS_TYPE.PTR, { kind: 'PTR', name: 'web.mynet' })]);
  dns(4, '_http._tcp.web', DNS_TYPE.SRV, [
    record('_http._tcp.web', DNS_TYPE.SRV, { kind: 'SRV', priority: 0, weight: 0, port: 80, target: 'web.mynet' }),
  ]);
  dns(5, 'nosuch', DNS_TYPE.A, [], DNS_RCODE.NXDOMAIN);

  // The overlay: c1 pings c3 on host2 through VXLAN (VNI 4096, UDP 4789).
  const overlayPing = echoRequest(0x0b0b, 1, pingData);
  const inner = frame(OVERLAY_C1_MAC, OVERLAY_C3_MAC, packet(OVERLAY_C1, OVERLAY_C3, overlayPing, { id: 0xb000 }));
  const vxlanUdp = udp(37291, VXLAN_PORT, { kind: 'vxlan', vni: 4096, payload: inner });
  add('host1:eth0', frame(HOST1_MAC, HOST2_MAC, packet(HOST1, HOST2, vxlanUdp, { id: 0xb001, df: false })), 'eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data', 'host1 eth0 vxlan tx vni 4096');

  // The same, on an encrypted overlay: ESP (AES-GCM-128, transport mode) protects the VXLAN datagram.
  const esp = espEncrypt({ spi: ESP_SPI, seq: 1, key: ESP_KEY, salt: ESP_SALT, nextHeader: IPPROTO_UDP, plaintext: encodeUdp(vxlanUdp, HOST1, HOST2) });
  add('host1:eth0', frame(HOST1_MAC, HOST2_MAC, packet(HOST1, HOST2, esp, { id: 0xb002, df: false })), 'eth:ethertype:ip:esp', 'host1 eth0 esp tx spi 0x0c0ffee1');
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Virtual time of capture i: ns digits that a µs-resolution reader would lose. */
function timeOf(i: number): number {
  return 1_000_000_123 + i * 250_000_007;
}

function epochText(ns: number): string {
  return `${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}`;
}

const CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

/**
 * Options that make tshark decrypt and authenticate our ESP SA. One row of Wireshark's `esp_sa`
 * UAT (tshark 4.0, epan/dissectors/packet-ipsec.c `esp_uat_flds`): protocol, source, destination,
 * SPI, encryption algorithm, key, authentication algorithm, authentication key. AES-GCM
 * authenticates by itself, so the authentication algorithm is NULL with an empty key.
 */
function espDecrypt(key: Uint8Array): string[] {
  const sa = [
    'IPv4',
    '192.168.1.10',
    '192.168.1.11',
    `0x${ESP_SPI.toString(16).padStart(8, '0')}`,
    'AES-GCM with 16 octet ICV [RFC4106]',
    espKeyString(key, ESP_SALT),
    'NULL',
    '',
  ];
  return [
    '-o',
    'esp.enable_encryption_decode:TRUE',
    '-o',
    'esp.enable_authentication_check:TRUE',
    '-o',
    `uat:esp_sa:${sa.map((field) => `"${field}"`).join(',')}`,
  ];
}

/** Expert severities from epan/proto.h: PI_CHAT 0x00200000, PI_NOTE 0x00400000, PI_WARN 0x00600000, PI_ERROR 0x00800000. */
const PI_WARN = 0x00600000;

function severities(cell: string): number[] {
  return cell === '' ? [] : cell.split('|').map((s) => Number(s));
}

describe('tshark reads what the codecs and capture writers produce', () => {
  const captures = buildCaptures();
  const files = tempCaptureDir();
  let pcapngPath = '';
  let pcapPath = '';

  beforeAll(() => {
    const ng = new PcapngWriter({ hardware: 'cnmsim virtual host', os: 'Linux (simulated)' });
    const ids = new Map<string, number>();
    for (const name of ['host1:eth0', 'host1:docker0', 'c1:eth0', 'c1:lo']) {
      ids.set(name, ng.addInterface(name, { description: `cnmsim capture point ${name}` }));
    }
    const classic = new PcapWriter();
    captures.forEach((c, i) => {
      const bytes = encodeEthernet(c.eth);
      ng.add(ids.get(c.iface)!, timeOf(i), bytes, c.comment);
      classic.add(timeOf(i), bytes);
    });
    pcapngPath = files.write('all-formats.pcapng', ng.bytes());
    pcapPath = files.write('all-formats.pcap', classic.bytes());
  });

  afterAll(() => files.cleanup());

  it('has tshark installed', () => {
    expect(tsharkAvailable(), TSHARK_INSTALL_HINT).toBe(true);
    expect(tsharkVersion()).toMatch(/^TShark \(Wireshark\) \d+\.\d+/);
  });

  it('decodes every layer of every frame in the pcapng, with comments, interfaces and ns times', () => {
    requireTshark();
    const rows = tsharkFields(pcapngPath, ['frame.protocols', 'frame.interface_name', 'frame.comment', 'frame.time_epoch', 'frame.len', 'frame.cap_len'], CHECKSUMS);
    expect(rows).toHaveLength(captures.length);
    const seen = rows.map(([protocols, iface, comment, epoch, len, capLen], i) => ({ protocols, iface, comment, epoch, len, capLen, i }));
    const wanted = captures.map((c, i) => {
      const len = String(encodeEthernet(c.eth).length);
      return { protocols: c.protocols, iface: c.iface, comment: c.comment, epoch: epochText(timeOf(i)), len, capLen: len, i };
    });
    expect(seen).toEqual(wanted);
  });

  it('reports no malformed packet, bad checksum, warning or error', () => {
    requireTshark();
    const fields = ['_ws.malformed', '_ws.expert.severity', '_ws.expert.message', 'ip.checksum.status', 'icmp.checksum.status', 'udp.checksum.status', 'tcp.checksum.status'];
    const rows = tsharkFields(pcapngPath, fields, CHECKSUMS);
    expect(rows).toHaveLength(captures.length);
    const problems: string[] = [];
    rows.forEach((row, i) => {
      const [malformed, severity, messages, ...statuses] = row;
      const quirk = captures[i]!.truncatedTcpQuote === true;
      if (malformed !== '') problems.push(`frame ${i + 1}: malformed ${malformed}`);
      const msgs = messages === undefined || messages === '' ? [] : messages.split('|');
      severities(severity ?? '').forEach((s, k) => {
        const message = msgs[k] ?? '';
        if (quirk && message.startsWith('Bad checksum')) return;
        if (s >= PI_WARN) problems.push(`frame ${i + 1}: expert 0x${s.toString(16)} ${message}`);
      });
      // Checksum status: 0 bad, 1 good, 2 unverified, 3 not present (epan/proto.h proto_checksum_enum_e).
      statuses.forEach((cell, k) => {
        const field = fields[3 + k]!;
        if (quirk && field === 'tcp.checksum.status') return;
        if (cell.split('|').includes('0')) problems.push(`frame ${i + 1}: bad ${field}`);
      });
    });
    expect(problems).toEqual([]);
    // Every outermost IPv4 header checksum was verified and found good.
    rows.forEach((row, i) => {
      const ipStatus = row[3] ?? '';
      if (captures[i]!.protocols.includes(':ip')) expect(ipStatus.split('|')[0], `frame ${i + 1}`).toBe('1');
    });
  });

  it('decodes the fields that matter: ICMP errors, fragments, TCP options, HTTP, DNS, VXLAN', () => {
    requireTshark();
    const fields = ['icmp.type', 'icmp.code', 'icmp.mtu', 'ip.flags.mf', 'ip.frag_offset', 'tcp.options.mss_val', 'http.request.method', 'dns.flags.rcode', 'dns.a', 'dns.aaaa', 'dns.ptr.domain_name', 'dns.srv.target', 'dns.srv.port', 'vxlan.vni', 'esp.spi'];
    const rows = tsharkFields(pcapngPath, fields, CHECKSUMS);
    const column = (name: string): string[] => rows.map((r) => r[fields.indexOf(name)] ?? '');
    const types = column('icmp.type');
    expect(types.filter((t) => t !== '')).toEqual(['8', '0', '8', '0', '3', '3', '11', '8']);
    expect(column('icmp.code').filter((t) => t !== '')).toEqual(['0', '0', '0', '0', '3', '4', '0', '0']);
    expect(column('icmp.mtu').filter((t) => t !== '')).toEqual(['1450']);
    // tshark 4.0 prints the offset field as sent, in 8-byte units: 1480 / 8 = 185.
    const fragmentRows = captures.flatMap((c, i) => (c.comment.includes('docker0 fragment') ? [i] : []));
    expect(fragmentRows.map((i) => [column('ip.flags.mf')[i], column('ip.frag_offset')[i]])).toEqual([
      ['1', '0'],
      ['0', '185'],
    ]);
    expect(column('tcp.options.mss_val').filter((t) => t !== '')).toEqual(['1460', '1460']);
    expect(column('http.request.method').filter((t) => t !== '')).toEqual(['GET']);
    expect(column('dns.a').filter((t) => t !== '')).toEqual(['172.18.0.2']);
    expect(column('dns.aaaa').filter((t) => t !== '')).toEqual(['fd00::a']);
    expect(column('dns.ptr.domain_name').filter((t) => t !== '')).toEqual(['web.mynet']);
    expect(column('dns.srv.target').filter((t) => t !== '')).toEqual(['web.mynet']);
    expect(column('dns.srv.port').filter((t) => t !== '')).toEqual(['80']);
    expect(column('dns.flags.rcode').filter((t) => t !== '')).toEqual(['0', '0', '0', '0', '3']);
    expect(column('vxlan.vni').filter((t) => t !== '')).toEqual(['4096']);
    expect(column('esp.spi').filter((t) => t !== '')).toEqual([`0x${ESP_SPI.toString(16).padStart(8, '0')}`]);
  });

  it('decrypts the ESP packet with the SA configured and finds the VXLAN/ICMP inside, ICV good', () => {
    requireTshark();
    const fields = ['frame.protocols', 'esp.icv_good', 'esp.protocol', 'vxlan.vni', 'icmp.type', '_ws.malformed', 'ip.checksum.status', 'udp.checksum.status', 'icmp.checksum.status', '_ws.expert.severity'];
    const rows = tsharkFields(pcapngPath, fields, [...CHECKSUMS, ...espDecrypt(ESP_KEY), '-Y', 'esp']);
    expect(rows).toHaveLength(1);
    const [protocols, icvGood, nextHeader, vni, icmpType, malformed, ipStatus, udpStatus, icmpStatus, severity] = rows[0]!;
    expect({ protocols, icvGood, nextHeader, vni, icmpType, malformed, ipStatus, udpStatus, icmpStatus }).toEqual({
      protocols: 'eth:ethertype:ip:esp:udp:vxlan:eth:ethertype:ip:icmp:data',
      icvGood: '1',
      nextHeader: '0x11',
      vni: '4096',
      icmpType: '8',
      malformed: '',
      ipStatus: '1|1',
      udpStatus: '1',
      icmpStatus: '1',
    });
    expect(severities(severity ?? '').filter((s) => s >= PI_WARN)).toEqual([]);
  });

  it('sees the ICV fail with a wrong key, so the ICV check above is real', () => {
    requireTshark();
    const wrongKey = ESP_KEY.map((b) => b ^ 0xff);
    const rows = tsharkFields(pcapngPath, ['esp.icv_good', 'esp.icv_bad'], [...espDecrypt(wrongKey), '-Y', 'esp']);
    expect(rows).toEqual([['0', '1']]);
  });

  it('reads the classic pcap too, with nanosecond timestamps', () => {
    requireTshark();
    const rows = tsharkFields(pcapPath, ['frame.protocols', 'frame.time_epoch', '_ws.malformed'], CHECKSUMS);
    expect(rows).toEqual(captures.map((c, i) => [c.protocols, epochText(timeOf(i)), '']));
  });
});
