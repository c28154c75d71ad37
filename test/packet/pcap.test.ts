// Byte-level fixtures for the pcap (nanosecond) and pcapng writers: header fields, block lengths,
// 32-bit alignment, timestamp splits. tshark.test.ts checks that a real reader agrees.
import { describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET,
  PCAP_DEFAULT_SNAPLEN,
  PCAP_MAGIC_NS,
  PCAPNG_BLOCK,
  PcapngWriter,
  PcapWriter,
  splitNanoseconds,
} from '../../src/packet/index.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

function ascii(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Block {
  readonly type: number;
  readonly offset: number;
  readonly length: number;
  readonly body: Uint8Array;
}

/** Walks a little-endian pcapng section, checking each block's framing as a reader would. */
function walkBlocks(bytes: Uint8Array): Block[] {
  const blocks: Block[] = [];
  const v = view(bytes);
  let offset = 0;
  while (offset < bytes.length) {
    expect(offset % 4).toBe(0);
    const type = v.getUint32(offset, true);
    const length = v.getUint32(offset + 4, true);
    expect(length % 4, `block at ${offset} length ${length}`).toBe(0);
    expect(length).toBeGreaterThanOrEqual(12);
    expect(offset + length).toBeLessThanOrEqual(bytes.length);
    expect(v.getUint32(offset + length - 4, true), `trailing length of block at ${offset}`).toBe(length);
    blocks.push({ type, offset, length, body: bytes.subarray(offset + 8, offset + length - 4) });
    offset += length;
  }
  expect(offset).toBe(bytes.length);
  return blocks;
}

/** Parses an option list (code, length, padded value) up to opt_endofopt. */
function readOptions(options: Uint8Array): Map<number, Uint8Array[]> {
  const v = view(options);
  const out = new Map<number, Uint8Array[]>();
  let offset = 0;
  for (;;) {
    const code = v.getUint16(offset, true);
    const length = v.getUint16(offset + 2, true);
    if (code === 0) {
      expect(length).toBe(0);
      expect(offset + 4).toBe(options.length);
      return out;
    }
    const value = options.subarray(offset + 4, offset + 4 + length);
    out.set(code, [...(out.get(code) ?? []), value]);
    const padded = (length + 3) & ~3;
    expect([...options.subarray(offset + 4 + length, offset + 4 + padded)].every((b) => b === 0)).toBe(true);
    offset += 4 + padded;
  }
}

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('utf8');

describe('splitNanoseconds', () => {
  it('splits integer ns into seconds and ns within the second', () => {
    expect(splitNanoseconds(0)).toEqual({ sec: 0, nsec: 0 });
    expect(splitNanoseconds(999_999_999)).toEqual({ sec: 0, nsec: 999_999_999 });
    expect(splitNanoseconds(1_000_000_000)).toEqual({ sec: 1, nsec: 0 });
    expect(splitNanoseconds(1_000_000_123)).toEqual({ sec: 1, nsec: 123 });
    expect(splitNanoseconds(Number.MAX_SAFE_INTEGER)).toEqual({ sec: 9_007_199, nsec: 254_740_991 });
  });

  it('stays exact just below a second boundary, for large times too', () => {
    expect(splitNanoseconds(7_199_999_999_999)).toEqual({ sec: 7_199, nsec: 999_999_999 });
    expect(splitNanoseconds(9_007_198_999_999_999)).toEqual({ sec: 9_007_198, nsec: 999_999_999 });
  });

  it('rejects negative, fractional and unsafe times', () => {
    expect(() => splitNanoseconds(-1)).toThrow(RangeError);
    expect(() => splitNanoseconds(1.5)).toThrow(RangeError);
    expect(() => splitNanoseconds(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => splitNanoseconds(Number.NaN)).toThrow(RangeError);
  });
});

describe('PcapWriter', () => {
  const globalHeader = '4d3cb2a1 0200 0400 00000000 00000000 00000400 01000000';

  it('writes the 24-byte nanosecond global header, little-endian', () => {
    const bytes = new PcapWriter().bytes();
    expect(bytes).toEqual(hex(globalHeader));
    const v = view(bytes);
    expect(v.getUint32(0, true)).toBe(PCAP_MAGIC_NS);
    expect(v.getUint16(4, true)).toBe(2);
    expect(v.getUint16(6, true)).toBe(4);
    expect(v.getUint32(16, true)).toBe(PCAP_DEFAULT_SNAPLEN);
    expect(v.getUint32(20, true)).toBe(LINKTYPE_ETHERNET);
  });

  it('writes a record header with the time split into sec and nsec', () => {
    const w = new PcapWriter();
    w.add(1_000_000_123, hex('deadbeef'));
    w.add(5_000_000_000_123, hex('01'));
    expect(w.count).toBe(2);
    expect(w.bytes()).toEqual(
      hex(
        globalHeader +
          '01000000 7b000000 04000000 04000000 deadbeef' +
          // 5000 s = 0x1388, 123 ns
          '88130000 7b000000 01000000 01000000 01',
      ),
    );
  });

  it('truncates frames to snaplen and keeps the original length', () => {
    const w = new PcapWriter({ snaplen: 3 });
    w.add(7, hex('0102030405'));
    const bytes = w.bytes();
    expect(view(bytes).getUint32(16, true)).toBe(3);
    expect(bytes.subarray(24)).toEqual(hex('00000000 07000000 03000000 05000000 010203'));
  });

  it('returns the same bytes on every call and keeps adding afterwards', () => {
    const w = new PcapWriter();
    w.add(1, hex('aa'));
    const first = w.bytes();
    expect(w.bytes()).toEqual(first);
    w.add(2, hex('bb'));
    expect(w.bytes().length).toBe(first.length + 17);
  });

  it('rejects invalid times and snaplens', () => {
    const w = new PcapWriter();
    expect(() => w.add(-1, hex('00'))).toThrow(RangeError);
    expect(() => w.add(0.5, hex('00'))).toThrow(RangeError);
    expect(() => new PcapWriter({ snaplen: 0 })).toThrow(RangeError);
    expect(() => new PcapWriter({ snaplen: 1.5 })).toThrow(RangeError);
  });
});

describe('PcapngWriter', () => {
  // SHB: type, total length 44, byte-order magic, version 1.0, section length -1,
  // shb_userappl "cnmsim" (6 bytes + 2 pad), opt_endofopt, total length again.
  const shb =
    '0a0d0d0a 2c000000 4d3c2b1a 0100 0000 ffffffffffffffff' +
    `0400 0600 ${ascii('cnmsim')}0000 00000000 2c000000`;

  it('writes the Section Header Block', () => {
    const bytes = new PcapngWriter().bytes();
    expect(bytes).toEqual(hex(shb));
    const [block] = walkBlocks(bytes);
    expect(block?.type).toBe(PCAPNG_BLOCK.sectionHeader);
  });

  it('adds shb_hardware and shb_os when given, before shb_userappl', () => {
    const bytes = new PcapngWriter({ hardware: 'sim', os: 'Linux', userAppl: 'x' }).bytes();
    const [block] = walkBlocks(bytes);
    const options = readOptions(block!.body.subarray(16));
    expect(text(options.get(2)?.[0])).toBe('sim');
    expect(text(options.get(3)?.[0])).toBe('Linux');
    expect(text(options.get(4)?.[0])).toBe('x');
    expect(bytes.subarray(24, 24 + 28)).toEqual(
      hex(`0200 0300 ${ascii('sim')}00 0300 0500 ${ascii('Linux')}000000 0400 0100 ${ascii('x')}000000`),
    );
  });

  it('writes an Interface Description Block with if_name and if_tsresol=9', () => {
    const w = new PcapngWriter();
    expect(w.addInterface('c1:eth0')).toBe(0);
    expect(w.bytes()).toEqual(
      hex(
        shb +
          // IDB: type 1, length 44, linktype 1, reserved, snaplen 262144
          '01000000 2c000000 0100 0000 00000400' +
          `0200 0700 ${ascii('c1:eth0')}00` + // if_name, 7 bytes + 1 pad
          '0900 0100 09000000' + // if_tsresol = 9 (ns), 1 byte + 3 pad
          '00000000 2c000000',
      ),
    );
  });

  it('writes an Enhanced Packet Block with the time in ns, padded data and opt_comment', () => {
    const w = new PcapngWriter();
    w.addInterface('c1:eth0');
    const before = w.bytes().length;
    w.add(0, 1_000_000_123, hex('0102030405'), 'hi');
    expect(w.count).toBe(1);
    expect(w.bytes().subarray(before)).toEqual(
      hex(
        // EPB: type 6, length 52, interface 0, ts high 0, ts low 1000000123 = 0x3b9aca7b
        '06000000 34000000 00000000 00000000 7bca9a3b 05000000 05000000' +
          '0102030405 000000' + // data, 5 bytes + 3 pad
          `0100 0200 ${ascii('hi')}0000` + // opt_comment
          '00000000 34000000',
      ),
    );
  });

  it('writes an EPB without options when there is no comment', () => {
    const w = new PcapngWriter();
    w.addInterface('a');
    const before = w.bytes().length;
    w.add(0, 0, hex('aabbccdd'));
    expect(w.bytes().subarray(before)).toEqual(
      hex('06000000 24000000 00000000 00000000 00000000 04000000 04000000 aabbccdd 24000000'),
    );
  });

  it('splits 64-bit timestamps into high and low words', () => {
    const w = new PcapngWriter();
    w.addInterface('a');
    const t = 5_000_000_000_123; // 0x48c_2739_507b
    w.add(0, t, new Uint8Array(0));
    const blocks = walkBlocks(w.bytes());
    const epb = view(blocks[2]!.body);
    expect(epb.getUint32(4, true)).toBe(0x48c);
    expect(epb.getUint32(8, true)).toBe(0x2739_507b);
    expect(epb.getUint32(4, true) * 2 ** 32 + epb.getUint32(8, true)).toBe(t);
  });

  it('keeps every block 32-bit aligned for all frame and comment lengths', () => {
    const w = new PcapngWriter({ hardware: 'h', os: 'os' });
    const ids = ['host1:eth0', 'c1:eth0', 'host1:docker0'].map((name, i) =>
      w.addInterface(name, { description: `capture point ${i}`.repeat(i) }),
    );
    for (let len = 0; len < 9; len++) {
      for (let clen = 0; clen < 6; clen++) {
        const comment = clen === 0 ? undefined : '→'.repeat(clen); // 3 UTF-8 bytes each
        w.add(ids[(len + clen) % 3]!, len * 1000 + clen, new Uint8Array(len).fill(len), comment);
      }
    }
    const blocks = walkBlocks(w.bytes());
    expect(blocks.map((b) => b.type).slice(0, 4)).toEqual([
      PCAPNG_BLOCK.sectionHeader,
      PCAPNG_BLOCK.interfaceDescription,
      PCAPNG_BLOCK.interfaceDescription,
      PCAPNG_BLOCK.interfaceDescription,
    ]);
    const idbNames = blocks.slice(1, 4).map((b) => text(readOptions(b.body.subarray(8)).get(2)?.[0]));
    expect(idbNames).toEqual(['host1:eth0', 'c1:eth0', 'host1:docker0']);
    expect(w.interfaceNames).toEqual(idbNames);
    const epbs = blocks.slice(4);
    expect(epbs).toHaveLength(54);
    for (const [i, block] of epbs.entries()) {
      const len = Math.floor(i / 6);
      const clen = i % 6;
      const v = view(block.body);
      expect(block.type).toBe(PCAPNG_BLOCK.enhancedPacket);
      expect(v.getUint32(0, true)).toBe((len + clen) % 3);
      expect(v.getUint32(8, true)).toBe(len * 1000 + clen);
      expect(v.getUint32(12, true)).toBe(len);
      expect(v.getUint32(16, true)).toBe(len);
      expect(block.body.subarray(20, 20 + len).every((b) => b === len)).toBe(true);
      const optionsStart = 20 + ((len + 3) & ~3);
      if (clen === 0) {
        expect(optionsStart).toBe(block.body.length);
      } else {
        expect(text(readOptions(block.body.subarray(optionsStart)).get(1)?.[0])).toBe('→'.repeat(clen));
      }
    }
  });

  it('writes if_description and per-interface link type and snaplen, and truncates to it', () => {
    const w = new PcapngWriter();
    const id = w.addInterface('c1:eth0', { description: 'veth in c1', linkType: 113, snaplen: 2 });
    w.add(id, 1, hex('010203'));
    const [, idb, epb] = walkBlocks(w.bytes());
    const idbView = view(idb!.body);
    expect(idbView.getUint16(0, true)).toBe(113);
    expect(idbView.getUint32(4, true)).toBe(2);
    const options = readOptions(idb!.body.subarray(8));
    expect(text(options.get(3)?.[0])).toBe('veth in c1');
    expect(options.get(9)?.[0]).toEqual(Uint8Array.of(9));
    const epbView = view(epb!.body);
    expect(epbView.getUint32(12, true)).toBe(2);
    expect(epbView.getUint32(16, true)).toBe(3);
    expect(epb!.body.subarray(20, 24)).toEqual(hex('01020000'));
  });

  it('rejects unknown interfaces, bad times and oversized options', () => {
    const w = new PcapngWriter();
    expect(() => w.add(0, 0, hex('00'))).toThrow(/unknown interface id 0/);
    w.addInterface('a');
    expect(() => w.add(1, 0, hex('00'))).toThrow(RangeError);
    expect(() => w.add(0, -5, hex('00'))).toThrow(RangeError);
    expect(() => w.add(0, 2.5, hex('00'))).toThrow(RangeError);
    expect(() => w.add(0, 0, hex('00'), 'x'.repeat(70_000))).toThrow(/limit 65535/);
    expect(() => w.addInterface('b', { snaplen: 0 })).toThrow(RangeError);
    expect(() => w.addInterface('b', { linkType: 70_000 })).toThrow(RangeError);
  });
});
