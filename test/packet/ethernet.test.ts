// Ethernet: fixtures both ways (ARP, ping, a VLAN-tagged reply), QinQ, padding, round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arpRequest,
  decodeEthernet,
  destUnreachable,
  echoRequest,
  encodeEthernet,
  ethernetFrame,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ICMP_UNREACH,
  ipv4Packet,
  MAC_BROADCAST,
  parseIpv4,
  parseMac,
  quoteForIcmp,
  vlanTag,
  type EthernetRepr,
} from '../../src/packet/index.js';
import { arbEthernet } from './arbitraries.js';
import { ARP_REQUEST_FRAME, ECHO_DATA, ECHO_REQUEST_FRAME, FRAG_NEEDED_FRAME, hex, toHex, VLAN_ECHO_REPLY_FRAME } from './link-fixtures.js';

const mac2 = parseMac('02:42:ac:11:00:02')!;
const mac3 = parseMac('02:42:ac:11:00:03')!;
const ip1 = parseIpv4('172.17.0.1')!;
const ip2 = parseIpv4('172.17.0.2')!;
const ip3 = parseIpv4('172.17.0.3')!;

const arpFrame = ethernetFrame({ dst: MAC_BROADCAST, src: mac2, payload: arpRequest(mac2, ip2, ip3) });
const pingFrame = ethernetFrame({
  dst: mac3,
  src: mac2,
  payload: ipv4Packet({ src: ip2, dst: ip3, id: 0x1234, df: true, payload: echoRequest(7, 1, ECHO_DATA) }),
});

function bothWays(repr: EthernetRepr, bytes: Uint8Array): void {
  expect(toHex(encodeEthernet(repr))).toBe(toHex(bytes));
  expect(decodeEthernet(bytes)).toEqual({ ok: true, value: repr });
}

describe('ethernet', () => {
  it('carries an ARP request (42 bytes, unpadded)', () => {
    expect(arpFrame.etherType).toBe(ETHERTYPE_ARP);
    bothWays(arpFrame, ARP_REQUEST_FRAME);
  });

  it('carries an ICMP echo request (98 bytes)', () => {
    expect(pingFrame.etherType).toBe(ETHERTYPE_IPV4);
    bothWays(pingFrame, ECHO_REQUEST_FRAME);
  });

  it('carries an ICMP fragmentation-needed error quoting the ping', () => {
    const quoted = quoteForIcmp(ECHO_REQUEST_FRAME.subarray(14));
    const repr = ethernetFrame({
      dst: mac2,
      src: parseMac('02:42:c0:a8:00:01')!,
      payload: ipv4Packet({ src: ip1, dst: ip2, payload: destUnreachable(ICMP_UNREACH.fragNeeded, quoted, 1400) }),
    });
    bothWays(repr, FRAG_NEEDED_FRAME);
  });

  it('carries an 802.1Q tag', () => {
    const repr = ethernetFrame({
      dst: mac2,
      src: mac3,
      vlans: [vlanTag(100, 5)],
      payload: ipv4Packet({
        src: ip3,
        dst: ip2,
        id: 0xbeef,
        ttl: 63,
        payload: { kind: 'icmp', type: 'echo-reply', id: 7, seq: 1, data: ECHO_DATA.slice(0, 8) },
      }),
    });
    bothWays(repr, VLAN_ECHO_REPLY_FRAME);
  });

  it('reads 802.1ad outer and 802.1Q inner tags', () => {
    const bytes = hex(`ffffffffffff 0242ac110002 88a8 2064 8100 0005 1234 c0ffee`);
    expect(decodeEthernet(bytes)).toEqual({
      ok: true,
      value: {
        kind: 'ethernet',
        dst: MAC_BROADCAST,
        src: mac2,
        vlans: [
          { tpid: 0x88a8, pcp: 1, dei: false, vid: 100 },
          { tpid: 0x8100, pcp: 0, dei: false, vid: 5 },
        ],
        etherType: 0x1234,
        payload: { kind: 'payload', bytes: hex('c0ffee') },
      },
    });
  });

  it('tolerates padding to 60 bytes after ARP and IPv4', () => {
    const pad = (b: Uint8Array): Uint8Array => {
      const out = new Uint8Array(60);
      out.set(b);
      return out;
    };
    expect(decodeEthernet(pad(ARP_REQUEST_FRAME))).toEqual({ ok: true, value: arpFrame });
    const smallPing = ethernetFrame({ dst: mac3, src: mac2, payload: ipv4Packet({ src: ip2, dst: ip3, payload: echoRequest(1, 1) }) });
    expect(encodeEthernet(smallPing)).toHaveLength(42);
    expect(decodeEthernet(pad(encodeEthernet(smallPing)))).toEqual({ ok: true, value: smallPing });
  });

  it('reports truncation of the header and of a tag', () => {
    expect(decodeEthernet(ARP_REQUEST_FRAME.subarray(0, 13))).toEqual({
      ok: false,
      issue: { format: 'ethernet', offset: 0, message: 'truncated: need 14 bytes, have 13' },
    });
    expect(decodeEthernet(VLAN_ECHO_REPLY_FRAME.subarray(0, 17))).toMatchObject({ ok: false, issue: { message: 'truncated: need 18 bytes, have 17' } });
    expect(decodeEthernet(ARP_REQUEST_FRAME.subarray(0, 30))).toMatchObject({ ok: false, issue: { format: 'arp' } });
  });

  it('refuses a payload that contradicts the EtherType', () => {
    expect(() => encodeEthernet({ ...arpFrame, etherType: ETHERTYPE_IPV4 })).toThrow(RangeError);
    expect(() => ethernetFrame({ dst: mac2, src: mac3, payload: { kind: 'payload', bytes: new Uint8Array(1) } })).toThrow(RangeError);
  });

  it('round-trips every repr', () => {
    fc.assert(
      fc.property(arbEthernet(), (r) => {
        expect(decodeEthernet(encodeEthernet(r))).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('never throws on random bytes, nor on random bytes behind a valid header', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => typeof decodeEthernet(b).ok === 'boolean'));
    fc.assert(
      fc.property(fc.constantFrom('0800', '0806', '8100', '88a8'), fc.uint8Array({ maxLength: 80 }), (type, body) => {
        const bytes = new Uint8Array([...hex(`ffffffffffff 0242ac110002 ${type}`), ...body]);
        return typeof decodeEthernet(bytes).ok === 'boolean';
      }),
    );
  });
});
