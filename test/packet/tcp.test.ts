// TCP: fixtures both ways (checksums computed independently with Python over the RFC 9293
// pseudo-header), option parsing and padding, flag text, the decode checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTcp,
  decodeTcpOptions,
  encodeTcp,
  encodeTcpOptions,
  parseIpv4,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  tcpFlagsText,
  textPayload,
  type TcpRepr,
} from '../../src/packet/index.js';
import { arbIpv4 } from './arbitraries.js';
import { arbTcp } from './arbitraries-l4.js';
import { hex, toHex } from './link-fixtures.js';

const C2 = parseIpv4('172.17.0.2')!;
const C3 = parseIpv4('172.17.0.3')!;

/** Linux's SYN options (mss 1460, sackOK, TS val 1000 ecr 0, nop, wscale 7): 40-byte header, checksum 0x5023. */
const SYN = hex(`
  a028 0050 00000064 00000000 a002 faf0 5023 0000
  020405b4 0402 080a000003e800000000 01 030307`);
const synRepr: TcpRepr = {
  kind: 'tcp',
  srcPort: 41000,
  dstPort: 80,
  seq: 100,
  ack: 0,
  flags: TCP_SYN,
  window: 64240,
  urgent: 0,
  options: [
    { kind: 'mss', value: 1460 },
    { kind: 'sack-permitted' },
    { kind: 'timestamps', tsval: 1000, tsecr: 0 },
    { kind: 'nop' },
    { kind: 'wscale', shift: 7 },
  ],
  payload: textPayload(''),
};

/** PSH|ACK with an HTTP request and options [mss, nop] zero-padded to 8 bytes: checksum 0x99d5. */
const PSH = hex(`
  a028 0050 00000065 00001389 7018 01f6 99d5 0000
  020405b4 01 000000
  474554202f20485454502f312e310d0a0d0a`);

describe('tcp', () => {
  it('encodes and decodes a Linux SYN with its options', () => {
    expect(toHex(encodeTcp(synRepr, C2, C3))).toBe(toHex(SYN));
    expect(decodeTcp(SYN, C2, C3)).toEqual({ ok: true, value: synRepr });
  });

  it('pads options with zeros, which decode as EOL', () => {
    const repr: TcpRepr = {
      ...synRepr,
      seq: 101,
      ack: 5001,
      flags: TCP_PSH | TCP_ACK,
      window: 502,
      options: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }],
      payload: textPayload('GET / HTTP/1.1\r\n\r\n'),
    };
    expect(toHex(encodeTcp(repr, C2, C3))).toBe(toHex(PSH));
    // The padding is on the wire, so decode reports it as tcpdump does: [mss 1460,nop,eol].
    expect(decodeTcp(PSH, C2, C3)).toEqual({ ok: true, value: { ...repr, options: [...repr.options, { kind: 'eol' }] } });
    const explicit = { ...repr, options: [...repr.options, { kind: 'eol' } as const] };
    expect(toHex(encodeTcp(explicit, C2, C3))).toBe(toHex(PSH));
  });

  it('stops parsing options at EOL, like tcp_parse_options', () => {
    expect(decodeTcpOptions(hex('00 020405b4 000000'))).toEqual({ ok: true, value: [{ kind: 'eol' }] });
  });

  it('keeps unknown options and known kinds with a wrong length as unknown', () => {
    const options = [
      { kind: 'unknown', type: 5, data: hex('0000000100000009') },
      { kind: 'unknown', type: 2, data: hex('05') },
      { kind: 'unknown', type: 99, data: new Uint8Array(0) },
    ] as const;
    const bytes = encodeTcpOptions(options);
    expect(toHex(bytes)).toBe('050a0000000100000009' + '020305' + '6302' + '00');
    expect(decodeTcpOptions(bytes)).toEqual({ ok: true, value: [...options, { kind: 'eol' }] });
  });

  it('reports options that overrun the header or have no room for a length', () => {
    expect(decodeTcpOptions(hex('02'))).toEqual({
      ok: false,
      issue: { format: 'tcp-options', offset: 0, message: 'option 2 has no length byte' },
    });
    expect(decodeTcpOptions(hex('0201'))).toEqual({
      ok: false,
      issue: { format: 'tcp-options', offset: 1, message: 'option 2 has bad length 1' },
    });
    expect(decodeTcpOptions(hex('01 0206 00'))).toEqual({
      ok: false,
      issue: { format: 'tcp-options', offset: 2, message: 'option 2 of length 6 overruns the header' },
    });
    // In a whole segment the offset is relative to the TCP header.
    const bad = SYN.slice();
    bad[21] = 40;
    expect(decodeTcp(bad, C2, C3)).toMatchObject({ ok: false, issue: { format: 'tcp' } });
  });

  it('refuses more than 40 bytes of options and kinds 0/1 with data', () => {
    expect(() => encodeTcpOptions(Array.from({ length: 11 }, () => ({ kind: 'mss', value: 1 }) as const))).toThrow(RangeError);
    expect(() => encodeTcpOptions([{ kind: 'unknown', type: 1, data: hex('00') }])).toThrow(RangeError);
  });

  it('checks the data offset, truncation and checksum', () => {
    expect(decodeTcp(SYN.subarray(0, 19), C2, C3)).toEqual({
      ok: false,
      issue: { format: 'tcp', offset: 0, message: 'truncated: need 20 bytes, have 19' },
    });
    expect(decodeTcp(SYN.subarray(0, 30), C2, C3)).toEqual({
      ok: false,
      issue: { format: 'tcp', offset: 0, message: 'truncated: need 40 bytes, have 30' },
    });
    const offset4 = SYN.slice();
    offset4[12] = 0x40;
    expect(decodeTcp(offset4, C2, C3)).toEqual({ ok: false, issue: { format: 'tcp', offset: 12, message: 'bad data offset 16' } });
    expect(decodeTcp(SYN, C3, C2)).toEqual({ ok: true, value: synRepr }); // the sum is symmetric in src/dst
    expect(decodeTcp(SYN, C2, parseIpv4('172.17.0.4')!)).toEqual({
      ok: false,
      issue: { format: 'tcp', offset: 16, message: 'bad checksum 0x5023' },
    });
  });

  it('prints flags like tcpdump', () => {
    expect(tcpFlagsText(TCP_SYN)).toBe('[S]');
    expect(tcpFlagsText(TCP_SYN | TCP_ACK)).toBe('[S.]');
    expect(tcpFlagsText(TCP_PSH | TCP_ACK)).toBe('[P.]');
    expect(tcpFlagsText(TCP_FIN | TCP_ACK)).toBe('[F.]');
    expect(tcpFlagsText(TCP_RST)).toBe('[R]');
    expect(tcpFlagsText(TCP_RST | TCP_ACK)).toBe('[R.]');
    expect(tcpFlagsText(TCP_FIN | TCP_PSH | TCP_ACK)).toBe('[FP.]');
    expect(tcpFlagsText(TCP_SYN | TCP_ECE | TCP_CWR)).toBe('[SEW]');
    expect(tcpFlagsText(TCP_URG | TCP_ACK)).toBe('[.U]');
    expect(tcpFlagsText(0)).toBe('[none]');
  });

  it('round-trips: decode(encode(r)) = r', () => {
    fc.assert(
      fc.property(arbTcp, arbIpv4, arbIpv4, (repr, src, dst) => {
        expect(decodeTcp(encodeTcp(repr, src, dst), src, dst)).toEqual({ ok: true, value: repr });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), arbIpv4, arbIpv4, (bytes, src, dst) => {
        decodeTcp(bytes, src, dst);
        decodeTcpOptions(bytes);
      }),
    );
  });
});
