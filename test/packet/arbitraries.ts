// fast-check arbitraries for the link and network layer reprs (Ethernet, ARP, IPv4, ICMP) and
// their value types. The L4 codecs' tests nest their own arbitraries through the `payloadArb`
// parameters: arbIpv4Repr(arbUdp(...)), arbEthernet(arbIpv4Repr(...)).
import fc from 'fast-check';
import {
  type ArpRepr,
  type Cidr,
  type EthernetPayload,
  type EthernetRepr,
  type IcmpRepr,
  type Ipv4,
  type Ipv4Payload,
  type Ipv4Repr,
  type Mac,
  type PayloadRepr,
  type VlanTag,
  protocolOfPayload,
  etherTypeOfPayload,
} from '../../src/packet/index.js';

export const arbMac: fc.Arbitrary<Mac> = fc.integer({ min: 0, max: 2 ** 48 - 1 });
export const arbIpv4: fc.Arbitrary<Ipv4> = fc.integer({ min: 0, max: 0xffff_ffff });
export const arbCidr: fc.Arbitrary<Cidr> = fc.record({ address: arbIpv4, prefix: fc.integer({ min: 0, max: 32 }) });

export function arbBytes(maxLength = 64, minLength = 0): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength, maxLength });
}

export function arbPayload(maxLength = 64): fc.Arbitrary<PayloadRepr> {
  return arbBytes(maxLength).map((bytes) => ({ kind: 'payload', bytes }) as const);
}

export const arbVlanTag: fc.Arbitrary<VlanTag> = fc.record({
  tpid: fc.constantFrom(0x8100, 0x88a8),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});

export const arbArp: fc.Arbitrary<ArpRepr> = fc.record({
  kind: fc.constant('arp'),
  op: fc.constantFrom(1, 2),
  senderMac: arbMac,
  senderIp: arbIpv4,
  targetMac: arbMac,
  targetIp: arbIpv4,
});

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });

export const arbIcmp: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({
    kind: fc.constant('icmp'),
    type: fc.constantFrom('echo-request', 'echo-reply'),
    id: u16,
    seq: u16,
    data: arbBytes(64),
  }),
  fc.record({
    kind: fc.constant('icmp'),
    type: fc.constant('dest-unreachable'),
    code: u8,
    nextHopMtu: u16,
    quoted: arbBytes(48),
  }),
  fc.record({ kind: fc.constant('icmp'), type: fc.constant('time-exceeded'), code: u8, quoted: arbBytes(48) }),
  fc.record({
    kind: fc.constant('icmp'),
    type: fc.constant('other'),
    icmpType: u8.filter((t) => t !== 0 && t !== 3 && t !== 8 && t !== 11),
    code: u8,
    rest: arbBytes(32, 4),
  }),
) as fc.Arbitrary<IcmpRepr>;

/** Protocol numbers this folder decodes; an opaque payload must use another one to round-trip. */
const DECODED_PROTOCOLS = new Set([1, 6, 17, 50]);

const arbOptions: fc.Arbitrary<Uint8Array> = fc
  .integer({ min: 0, max: 10 })
  .chain((words) => arbBytes(words * 4, words * 4));

const arbIpv4Header = fc.record({
  dscp: fc.integer({ min: 0, max: 63 }),
  ecn: fc.integer({ min: 0, max: 3 }),
  id: u16,
  df: fc.boolean(),
  ttl: u8,
  src: arbIpv4,
  dst: arbIpv4,
  options: fc.oneof(fc.constant(new Uint8Array(0)), arbOptions),
});

/**
 * IPv4 packets: whole datagrams carrying `payloadArb` (default: ICMP or an opaque payload under an
 * undecoded protocol number), and fragments carrying opaque bytes.
 */
export function arbIpv4Repr(payloadArb?: fc.Arbitrary<Ipv4Payload>): fc.Arbitrary<Ipv4Repr> {
  const opaque = fc.record({
    protocol: u8.filter((p) => !DECODED_PROTOCOLS.has(p)),
    payload: arbPayload(),
  });
  const known = (payloadArb ?? arbIcmp).map((payload) => ({ protocol: protocolOfPayload(payload) ?? 0, payload }));
  const whole = fc
    .tuple(arbIpv4Header, payloadArb === undefined ? fc.oneof(known, opaque) : known)
    .map(([h, p]): Ipv4Repr => ({ kind: 'ipv4', ...h, mf: false, fragmentOffset: 0, ...p }));
  const fragment = fc
    .tuple(arbIpv4Header, u8, fc.boolean(), fc.integer({ min: 0, max: 1000 }), arbPayload())
    .filter(([, , mf, units]) => mf || units > 0)
    .map(
      ([h, protocol, mf, units, payload]): Ipv4Repr => ({
        kind: 'ipv4',
        ...h,
        protocol,
        mf,
        fragmentOffset: units * 8,
        payload,
      }),
    );
  return fc.oneof({ arbitrary: whole, weight: 4 }, { arbitrary: fragment, weight: 1 });
}

/** Ethernet frames with 0-2 VLAN tags carrying `payloadArb` (default: ARP, IPv4 or opaque bytes). */
export function arbEthernet(payloadArb?: fc.Arbitrary<EthernetPayload>): fc.Arbitrary<EthernetRepr> {
  const opaque = fc.record({
    etherType: u16.filter((t) => t !== 0x0800 && t !== 0x0806 && t !== 0x8100 && t !== 0x88a8),
    payload: arbPayload(),
  });
  const known = (payloadArb ?? fc.oneof(arbArp, arbIpv4Repr())).map((payload) => ({
    etherType: etherTypeOfPayload(payload) ?? 0,
    payload,
  }));
  return fc
    .tuple(arbMac, arbMac, fc.array(arbVlanTag, { maxLength: 2 }), payloadArb === undefined ? fc.oneof(known, opaque) : known)
    .map(([dst, src, vlans, p]): EthernetRepr => ({ kind: 'ethernet', dst, src, vlans, ...p }));
}
