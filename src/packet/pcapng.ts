/**
 * pcapng writer: one file for a whole simulated capture, with one interface per capture point
 * (`host1:eth0`, `c1:eth0`, `host1:docker0`) and the teaching trace as a per-packet comment that
 * Wireshark shows (`pkt.comment`) and `tshark -T fields -e frame.comment` prints.
 *
 * Models: draft-ietf-opsawg-pcapng (pcapng.github.io/pcapng), section 3 (block layout), 4.1 (SHB),
 * 4.2 (IDB), 4.3 (EPB), 3.5 (options).
 *
 *   every block                                        option (TLV), padded to 32 bits
 *   +------+-----------+------ ... ------+-----------+  +------+--------+------- ... ---+
 *   | type | total len | body + options  | total len |  | code | length | value + pad   |
 *   +------+-----------+------ ... ------+-----------+  +------+--------+------- ... ---+
 *
 *   SHB 0x0A0D0D0A: byte-order magic 0x1A2B3C4D, version 1.0, section length -1 (not computed),
 *                   options shb_hardware(2), shb_os(3), shb_userappl(4)
 *   IDB 1:          link type(2), reserved(2), snaplen(4), options if_name(2), if_description(3),
 *                   if_tsresol(9) = 9, so EPB timestamps count nanoseconds
 *   EPB 6:          interface id(4), timestamp high(4), low(4), captured len(4), original len(4),
 *                   packet data padded to 4, options opt_comment(1)
 *
 * The section is little-endian (the byte-order magic lets readers detect it). Block total lengths
 * are multiples of 4 and repeated at both ends, so a reader can walk the file backwards too.
 * Leaves out: reading; Simple Packet, Name Resolution and Interface Statistics blocks; multiple
 * sections; epb_flags (direction) and other options not listed above.
 * Invariants: an EPB names an interface already described in this section; timestamps are
 * non-negative safe integers of nanoseconds; option values fit in 65535 bytes.
 */

import { LINKTYPE_ETHERNET, PCAP_DEFAULT_SNAPLEN } from './pcap.js';

/** Block type codes and the byte-order magic (pcapng section 11.1, 4.1). */
export const PCAPNG_BLOCK = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  enhancedPacket: 0x00000006,
  byteOrderMagic: 0x1a2b3c4d,
} as const;

/** Option codes used here (pcapng sections 3.5, 4.1, 4.2, 4.3). */
export const PCAPNG_OPTION = {
  endOfOpt: 0,
  comment: 1,
  shbHardware: 2,
  shbOs: 3,
  shbUserAppl: 4,
  ifName: 2,
  ifDescription: 3,
  ifTsresol: 9,
} as const;

/** Field offsets within each block, from the block's first byte. */
const PCAPNG = {
  blockType: 0,
  blockTotalLength: 4,
  blockHeaderLength: 8,
  blockTrailerLength: 4,
  shbByteOrderMagic: 8,
  shbMajor: 12,
  shbMinor: 14,
  shbSectionLength: 16,
  shbOptions: 24,
  idbLinkType: 8,
  idbReserved: 10,
  idbSnaplen: 12,
  idbOptions: 16,
  epbInterfaceId: 8,
  epbTimestampHigh: 12,
  epbTimestampLow: 16,
  epbCapturedLength: 20,
  epbOriginalLength: 24,
  epbData: 28,
  optionHeaderLength: 4,
} as const;

/** if_tsresol value 9: timestamps are in units of 10^-9 s. */
const TSRESOL_NANOSECONDS = 9;
const TWO_POW_32 = 0x1_0000_0000;

export interface PcapngWriterOptions {
  /** shb_userappl; defaults to `cnmsim`. */
  readonly userAppl?: string;
  /** shb_hardware, e.g. `simulated`. Omitted when absent. */
  readonly hardware?: string;
  /** shb_os, e.g. `Linux 6.1 (simulated)`. Omitted when absent. */
  readonly os?: string;
}

export interface PcapngInterfaceOptions {
  /** if_description, e.g. `veth peer of c1:eth0, master docker0`. */
  readonly description?: string;
  /** LINKTYPE_* of this interface; defaults to Ethernet. */
  readonly linkType?: number;
  /** Bytes kept per frame on this interface; defaults to 262144. */
  readonly snaplen?: number;
}

interface InterfaceInfo {
  readonly name: string;
  readonly snaplen: number;
}

interface PcapngOption {
  readonly code: number;
  readonly value: Uint8Array;
}

const utf8 = new TextEncoder();

/** Accumulates blocks in memory and returns the whole section from `bytes()`. */
export class PcapngWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly interfaces: InterfaceInfo[] = [];
  private packetCount = 0;

  constructor(options: PcapngWriterOptions = {}) {
    const shbOptions: PcapngOption[] = [];
    if (options.hardware !== undefined) shbOptions.push(textOption(PCAPNG_OPTION.shbHardware, options.hardware));
    if (options.os !== undefined) shbOptions.push(textOption(PCAPNG_OPTION.shbOs, options.os));
    shbOptions.push(textOption(PCAPNG_OPTION.shbUserAppl, options.userAppl ?? 'cnmsim'));
    const block = newBlock(PCAPNG_BLOCK.sectionHeader, PCAPNG.shbOptions, shbOptions);
    const view = viewOf(block);
    view.setUint32(PCAPNG.shbByteOrderMagic, PCAPNG_BLOCK.byteOrderMagic, true);
    view.setUint16(PCAPNG.shbMajor, 1, true);
    view.setUint16(PCAPNG.shbMinor, 0, true);
    // -1: section length not specified, so readers walk blocks instead of seeking.
    view.setBigInt64(PCAPNG.shbSectionLength, -1n, true);
    this.push(block);
  }

  /** Number of packets added so far. */
  get count(): number {
    return this.packetCount;
  }

  /** Names of the interfaces described so far; index = interface id. */
  get interfaceNames(): readonly string[] {
    return this.interfaces.map((i) => i.name);
  }

  /** Describes a capture point (an IDB) and returns its interface id for `add`. */
  addInterface(name: string, options: PcapngInterfaceOptions = {}): number {
    const snaplen = options.snaplen ?? PCAP_DEFAULT_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) {
      throw new RangeError(`snaplen must be an integer in 1..2^32-1, got ${snaplen}`);
    }
    const linkType = options.linkType ?? LINKTYPE_ETHERNET;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
      throw new RangeError(`link type must be a 16-bit integer, got ${linkType}`);
    }
    const idbOptions: PcapngOption[] = [textOption(PCAPNG_OPTION.ifName, name)];
    if (options.description !== undefined) {
      idbOptions.push(textOption(PCAPNG_OPTION.ifDescription, options.description));
    }
    idbOptions.push({ code: PCAPNG_OPTION.ifTsresol, value: Uint8Array.of(TSRESOL_NANOSECONDS) });
    const block = newBlock(PCAPNG_BLOCK.interfaceDescription, PCAPNG.idbOptions, idbOptions);
    const view = viewOf(block);
    view.setUint16(PCAPNG.idbLinkType, linkType, true);
    view.setUint16(PCAPNG.idbReserved, 0, true);
    view.setUint32(PCAPNG.idbSnaplen, snaplen, true);
    this.push(block);
    this.interfaces.push({ name, snaplen });
    return this.interfaces.length - 1;
  }

  /**
   * Appends one frame seen on `interfaceId` at virtual time `timeNs` (integer nanoseconds), with
   * an optional comment such as the trace link `pkt 12 rec 40: host1 docker0 forward to veth1a2b3c4`.
   */
  add(interfaceId: number, timeNs: number, frame: Uint8Array, comment?: string): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined || !Number.isInteger(interfaceId)) {
      throw new RangeError(`pcapng: unknown interface id ${interfaceId} (${this.interfaces.length} described)`);
    }
    if (!Number.isSafeInteger(timeNs) || timeNs < 0) {
      throw new RangeError(`pcapng timestamp must be a non-negative integer number of ns, got ${timeNs}`);
    }
    const captured = Math.min(frame.length, iface.snaplen);
    const epbOptions = comment === undefined ? [] : [textOption(PCAPNG_OPTION.comment, comment)];
    const block = newBlock(PCAPNG_BLOCK.enhancedPacket, PCAPNG.epbData + pad4(captured), epbOptions);
    const view = viewOf(block);
    view.setUint32(PCAPNG.epbInterfaceId, interfaceId, true);
    // Dividing by 2^32 is exact in binary floating point, so the split is exact for safe integers.
    view.setUint32(PCAPNG.epbTimestampHigh, Math.floor(timeNs / TWO_POW_32), true);
    view.setUint32(PCAPNG.epbTimestampLow, timeNs % TWO_POW_32, true);
    view.setUint32(PCAPNG.epbCapturedLength, captured, true);
    view.setUint32(PCAPNG.epbOriginalLength, frame.length, true);
    block.set(frame.subarray(0, captured), PCAPNG.epbData);
    this.push(block);
    this.packetCount += 1;
  }

  /** The section so far: SHB, then IDBs and EPBs in the order added. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function textOption(code: number, text: string): PcapngOption {
  return { code, value: utf8.encode(text) };
}

function viewOf(block: Uint8Array): DataView {
  return new DataView(block.buffer, block.byteOffset, block.byteLength);
}

/**
 * Allocates a block whose fixed body ends at `optionsOffset` (already padded to 4), writes type,
 * both total lengths and the options (ended by opt_endofopt when there are any); the caller
 * fills in the fixed body.
 */
function newBlock(type: number, optionsOffset: number, options: readonly PcapngOption[]): Uint8Array {
  let optionsLength = 0;
  for (const option of options) {
    if (option.value.length > 0xffff) {
      throw new RangeError(`pcapng option ${option.code} is ${option.value.length} bytes, limit 65535`);
    }
    optionsLength += PCAPNG.optionHeaderLength + pad4(option.value.length);
  }
  if (options.length > 0) optionsLength += PCAPNG.optionHeaderLength;
  const total = optionsOffset + optionsLength + PCAPNG.blockTrailerLength;
  const block = new Uint8Array(total);
  const view = viewOf(block);
  view.setUint32(PCAPNG.blockType, type, true);
  view.setUint32(PCAPNG.blockTotalLength, total, true);
  let offset = optionsOffset;
  for (const option of options) {
    view.setUint16(offset, option.code, true);
    view.setUint16(offset + 2, option.value.length, true);
    block.set(option.value, offset + PCAPNG.optionHeaderLength);
    offset += PCAPNG.optionHeaderLength + pad4(option.value.length);
  }
  // opt_endofopt is code 0, length 0: the zero-filled bytes already say so.
  view.setUint32(total - PCAPNG.blockTrailerLength, total, true);
  return block;
}
