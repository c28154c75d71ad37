// fast-check arbitraries for the transport and application reprs (UDP, TCP, VXLAN, ESP, DNS).
// Each one generates only values that survive decode(encode(r)) unchanged; the comments say
// which corner of the codec that rules out and why.
import fc from 'fast-check';
import type {
  DnsQuestion,
  DnsRecord,
  DnsRecordData,
  DnsRepr,
  EspRepr,
  EthernetRepr,
  TcpOption,
  TcpRepr,
  UdpPayload,
  UdpRepr,
  VxlanRepr,
} from '../../src/packet/index.js';
import { arbBytes, arbEthernet, arbIpv4, arbPayload } from './arbitraries.js';

export { arbPayload };

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

// ---------------------------------------------------------------------------------------------
// DNS

/** Presentation form of one label, written independently of src/packet/dns.ts. */
export function labelText(bytes: readonly number[]): string {
  return bytes
    .map((b) =>
      b === 0x2e || b === 0x5c ? `\\${String.fromCharCode(b)}` : b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`,
    )
    .join('');
}

const hostnameByte = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.split('').map((c) => c.charCodeAt(0)));
/** Mostly hostname characters, sometimes a byte that needs escaping. */
const labelByte = fc.oneof({ arbitrary: hostnameByte, weight: 9 }, { arbitrary: u8, weight: 1 });
const arbLabel = fc.array(labelByte, { minLength: 1, maxLength: 12 }).map(labelText);

/** Names of 0-4 labels (root = ''), at most 4 * 13 + 1 bytes on the wire. */
export const arbDnsName: fc.Arbitrary<string> = fc.array(arbLabel, { maxLength: 4 }).map((labels) => labels.join('.'));

/** A few shared names, so that compression pointers get exercised. */
const arbMessageName = (pool: readonly string[]): fc.Arbitrary<string> =>
  pool.length === 0 ? arbDnsName : fc.oneof(fc.constantFrom(...pool), arbDnsName);

const arbQuestion = (name: fc.Arbitrary<string>): fc.Arbitrary<DnsQuestion> => fc.record({ name, type: u16, class: u16 });

/** Types whose data is decoded (A 1, NS 2, CNAME 5, PTR 12, AAAA 28, SRV 33): raw data must avoid them. */
const DECODED_TYPES = new Set([1, 2, 5, 12, 28, 33]);

const arbTypedData = (name: fc.Arbitrary<string>): fc.Arbitrary<{ type: number; data: DnsRecordData }> =>
  fc.oneof(
    arbIpv4.map((address) => ({ type: 1, data: { kind: 'A', address } as const })),
    arbBytes(16, 16).map((address) => ({ type: 28, data: { kind: 'AAAA', address } as const })),
    name.map((n) => ({ type: 2, data: { kind: 'NS', name: n } as const })),
    name.map((n) => ({ type: 5, data: { kind: 'CNAME', name: n } as const })),
    name.map((n) => ({ type: 12, data: { kind: 'PTR', name: n } as const })),
    fc
      .record({ priority: u16, weight: u16, port: u16, target: name })
      .map((srv) => ({ type: 33, data: { kind: 'SRV', ...srv } as const })),
    fc
      .record({ type: u16.filter((t) => !DECODED_TYPES.has(t)), bytes: arbBytes(24) })
      .map(({ type, bytes }) => ({ type, data: { kind: 'raw', bytes } as const })),
  );

const arbRecord = (name: fc.Arbitrary<string>): fc.Arbitrary<DnsRecord> =>
  fc
    .record({ name, class: u16, ttl: u32, typed: arbTypedData(name) })
    .map(({ typed, ...r }) => ({ ...r, type: typed.type, data: typed.data }));

export const arbDns: fc.Arbitrary<DnsRepr> = fc.array(arbDnsName, { maxLength: 3 }).chain((pool) => {
  const name = arbMessageName(pool);
  return fc.record({
    kind: fc.constant('dns' as const),
    id: u16,
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 15 }),
    questions: fc.array(arbQuestion(name), { maxLength: 3 }),
    answers: fc.array(arbRecord(name), { maxLength: 3 }),
    authorities: fc.array(arbRecord(name), { maxLength: 2 }),
    additionals: fc.array(arbRecord(name), { maxLength: 2 }),
  });
});

// ---------------------------------------------------------------------------------------------
// TCP

/** Encoded length of one option, as tcp.ts writes it. */
function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sack-permitted':
      return 2;
    case 'timestamps':
      return 10;
    case 'nop':
    case 'eol':
      return 1;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/** Known kinds with exactly their known length would decode as the known kind, not `unknown`. */
const KNOWN_DATA_LENGTH = new Map([
  [2, 2],
  [3, 1],
  [4, 0],
  [8, 8],
]);

const arbOptionNoEol: fc.Arbitrary<TcpOption> = fc.oneof(
  u16.map((value) => ({ kind: 'mss', value }) as const),
  u8.map((shift) => ({ kind: 'wscale', shift }) as const),
  fc.constant({ kind: 'sack-permitted' } as const),
  fc.record({ tsval: u32, tsecr: u32 }).map((t) => ({ kind: 'timestamps', ...t }) as const),
  fc.constant({ kind: 'nop' } as const),
  fc
    .record({ type: fc.integer({ min: 2, max: 255 }), data: arbBytes(8) })
    .filter(({ type, data }) => KNOWN_DATA_LENGTH.get(type) !== data.length)
    .map(({ type, data }) => ({ kind: 'unknown', type, data }) as const),
);

/**
 * Option lists that round-trip: no `eol` inside (decode stops there), and a list whose length is
 * not a multiple of 4 ends with `eol` (encode's zero padding decodes as one). At most 40 bytes.
 */
export const arbTcpOptions: fc.Arbitrary<readonly TcpOption[]> = fc
  .tuple(fc.array(arbOptionNoEol, { maxLength: 6 }), fc.boolean())
  .map(([options, explicitEol]) => {
    const length = options.reduce((n, o) => n + optionLength(o), 0);
    return length % 4 !== 0 || explicitEol ? [...options, { kind: 'eol' } as const] : options;
  })
  .filter((options) => Math.ceil(options.reduce((n, o) => n + optionLength(o), 0) / 4) * 4 <= 40);

export const arbTcp: fc.Arbitrary<TcpRepr> = fc.record({
  kind: fc.constant('tcp' as const),
  srcPort: u16,
  dstPort: u16,
  seq: u32,
  ack: u32,
  flags: fc.integer({ min: 0, max: 0x0fff }),
  window: u16,
  urgent: u16,
  options: arbTcpOptions,
  payload: arbPayload(64),
});

// ---------------------------------------------------------------------------------------------
// VXLAN, UDP, ESP

/** VXLAN around `inner` (default: the link-layer arbitraries' frames: ARP, IPv4/ICMP, opaque). */
export function arbVxlan(inner: fc.Arbitrary<EthernetRepr> = arbEthernet()): fc.Arbitrary<VxlanRepr> {
  return fc.record({ kind: fc.constant('vxlan' as const), vni: fc.integer({ min: 0, max: 0xffffff }), payload: inner });
}

const notVxlanOrDns = u16.filter((p) => p !== 53 && p !== 4789);

/**
 * UDP datagrams whose ports select their payload's decoder: VXLAN to port 4789, DNS with port 53
 * on one side (and not to 4789, which is tried first), opaque bytes on any other ports.
 */
export function arbUdp(payloadArb?: fc.Arbitrary<UdpPayload>): fc.Arbitrary<UdpRepr> {
  const withPorts = (payload: fc.Arbitrary<UdpPayload>): fc.Arbitrary<UdpRepr> =>
    payload.chain((p) => {
      const ports: fc.Arbitrary<{ srcPort: number; dstPort: number }> =
        p.kind === 'vxlan'
          ? fc.record({ srcPort: u16, dstPort: fc.constant(4789) })
          : p.kind === 'dns'
            ? fc.oneof(
                fc.record({ srcPort: fc.constant(53), dstPort: u16.filter((d) => d !== 4789) }),
                fc.record({ srcPort: u16, dstPort: fc.constant(53) }),
              )
            : fc.record({ srcPort: notVxlanOrDns, dstPort: notVxlanOrDns });
      return ports.map((ports): UdpRepr => ({ kind: 'udp', ...ports, payload: p }));
    });
  return withPorts(payloadArb ?? fc.oneof<fc.Arbitrary<UdpPayload>[]>(arbPayload(64), arbDns, arbVxlan()));
}

export const arbEsp: fc.Arbitrary<EspRepr> = fc.record({
  kind: fc.constant('esp' as const),
  spi: u32,
  seq: u32,
  data: arbBytes(64),
});
