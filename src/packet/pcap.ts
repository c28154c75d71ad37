/**
 * Classic pcap savefile writer, nanosecond variant: what `tcpdump -w --time-stamp-precision=nano`
 * writes, readable by tcpdump (`--nano`), tshark and Wireshark.
 *
 * Models: man pcap-savefile(5); IETF draft-ietf-opsawg-pcap; tcpdump.org/linktypes.html.
 *
 *   global header (24 bytes)                  record header (16 bytes) + incl_len bytes, repeated
 *   +-------+-----+-----+------+-------+-------+-------+       +--------+---------+----------+----------+
 *   | magic | maj | min | zone | sigfg | snap  | link  |       | ts_sec | ts_nsec | incl_len | orig_len |
 *   +-------+-----+-----+------+-------+-------+-------+       +--------+---------+----------+----------+
 *
 * Everything is little-endian, as libpcap writes it on x86 (a reader detects the order from the
 * magic). The magic 0xa1b23c4d says the second timestamp word counts nanoseconds, so the
 * simulator's virtual time in integer nanoseconds maps 1:1, with no rounding.
 * Leaves out: reading savefiles; link types other than the one given (one link type per file is
 * the format's limit: use pcapng.ts to mix capture points); the FCS-length bits of the link field.
 * Invariants: timestamps are non-negative safe integers below 2^32 seconds; a frame longer than
 * the snaplen is cut to snaplen bytes and its original length kept in orig_len.
 */

/** Magic of a nanosecond-resolution pcap file (the microsecond variant is 0xa1b2c3d4). */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** LINKTYPE_ETHERNET (DLT_EN10MB): frames start at the destination MAC, without the FCS. */
export const LINKTYPE_ETHERNET = 1;
/** tcpdump's default snapshot length since 4.0 (MAXIMUM_SNAPLEN in libpcap). */
export const PCAP_DEFAULT_SNAPLEN = 262144;

const NS_PER_SEC = 1_000_000_000n;

/** Field offsets of the global header and of each record header. */
const PCAP = {
  magic: 0,
  versionMajor: 4,
  versionMinor: 6,
  thiszone: 8,
  sigfigs: 12,
  snaplen: 16,
  network: 20,
  headerLength: 24,
  tsSec: 0,
  tsNsec: 4,
  inclLen: 8,
  origLen: 12,
  recordHeaderLength: 16,
} as const;

/**
 * Splits integer nanoseconds of virtual time into whole seconds and the nanoseconds within them.
 * BigInt keeps the split exact by construction for every safe integer, with no reasoning about
 * floating-point rounding near second boundaries.
 */
export function splitNanoseconds(timeNs: number): { readonly sec: number; readonly nsec: number } {
  if (!Number.isSafeInteger(timeNs) || timeNs < 0) {
    throw new RangeError(`pcap timestamp must be a non-negative integer number of ns, got ${timeNs}`);
  }
  const ns = BigInt(timeNs);
  return { sec: Number(ns / NS_PER_SEC), nsec: Number(ns % NS_PER_SEC) };
}

function checkSnaplen(snaplen: number): number {
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) {
    throw new RangeError(`snaplen must be an integer in 1..2^32-1, got ${snaplen}`);
  }
  return snaplen;
}

export interface PcapWriterOptions {
  /** Bytes kept per frame; longer frames are truncated (orig_len keeps the true length). */
  readonly snaplen?: number;
  /** LINKTYPE_* of every frame in the file; defaults to Ethernet. */
  readonly linkType?: number;
}

/** Accumulates frames in memory and returns the whole savefile from `bytes()`. */
export class PcapWriter {
  readonly snaplen: number;
  readonly linkType: number;
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private frameCount = 0;

  constructor(options: PcapWriterOptions = {}) {
    this.snaplen = checkSnaplen(options.snaplen ?? PCAP_DEFAULT_SNAPLEN);
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    const header = new Uint8Array(PCAP.headerLength);
    const view = new DataView(header.buffer);
    view.setUint32(PCAP.magic, PCAP_MAGIC_NS, true);
    view.setUint16(PCAP.versionMajor, 2, true);
    view.setUint16(PCAP.versionMinor, 4, true);
    view.setInt32(PCAP.thiszone, 0, true);
    view.setUint32(PCAP.sigfigs, 0, true);
    view.setUint32(PCAP.snaplen, this.snaplen, true);
    view.setUint32(PCAP.network, this.linkType, true);
    this.push(header);
  }

  /** Number of frames added so far. */
  get count(): number {
    return this.frameCount;
  }

  /** Appends one frame captured at virtual time `timeNs` (integer nanoseconds since time 0). */
  add(timeNs: number, frame: Uint8Array): void {
    const { sec, nsec } = splitNanoseconds(timeNs);
    if (sec > 0xffffffff) throw new RangeError(`pcap timestamp ${timeNs} ns overflows 32-bit seconds`);
    const included = Math.min(frame.length, this.snaplen);
    const record = new Uint8Array(PCAP.recordHeaderLength + included);
    const view = new DataView(record.buffer);
    view.setUint32(PCAP.tsSec, sec, true);
    view.setUint32(PCAP.tsNsec, nsec, true);
    view.setUint32(PCAP.inclLen, included, true);
    view.setUint32(PCAP.origLen, frame.length, true);
    record.set(frame.subarray(0, included), PCAP.recordHeaderLength);
    this.push(record);
    this.frameCount += 1;
  }

  /** The savefile so far: global header then every record, in the order added. */
  bytes(): Uint8Array {
    return concat(this.chunks, this.length);
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
