/**
 * The seam that lets a tunnel carry a whole Ethernet frame without an import cycle.
 *
 * VXLAN (RFC 7348) encapsulates an Ethernet frame inside UDP inside IPv4 inside Ethernet, so the
 * codecs are recursive: ethernet → ipv4 → udp → vxlan → ethernet. Rather than a module cycle,
 * `ethernet.ts` hands its own encoder and decoder to this leaf module when it loads, and
 * `vxlan.ts` calls them through here. The value is set once, at module load, to the same pure
 * functions every time: it is wiring, not simulation state.
 * Leaves out: nothing.
 */
import type { Decoded } from './decode-result.js';
import type { EthernetDecodeOptions, EthernetRepr } from './ethernet.js';

export interface InnerFrameCodec {
  encode(repr: EthernetRepr): Uint8Array;
  decode(bytes: Uint8Array, options: EthernetDecodeOptions): Decoded<EthernetRepr>;
}

let codec: InnerFrameCodec | undefined;

/** Called once by ethernet.ts at load. */
export function provideInnerFrameCodec(c: InnerFrameCodec): void {
  codec = c;
}

export function innerFrameCodec(): InnerFrameCodec {
  if (codec === undefined) throw new Error('inner frame codec used before ethernet.ts was loaded');
  return codec;
}
