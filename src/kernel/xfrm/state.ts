/**
 * An xfrm state: one IPsec security association (SA) of a namespace, as `ip xfrm state add`
 * creates it, with its anti-replay context.
 *
 * Models: `include/net/xfrm.h` (`struct xfrm_state`: `id` = daddr, SPI, proto; `props` = mode,
 * reqid, saddr, replay window; `sel`; `replay` = seq, oseq, bitmap), `net/xfrm/xfrm_user.c`
 * (`verify_newsa_info`, `attach_aead`), `net/ipv4/esp4.c` `esp_init_aead` (the key material of
 * `rfc4106(gcm(aes))` is the AES key followed by a 4-byte salt, so 20, 28 or 36 bytes; the ICV is
 * 64, 96 or 128 bits, else EINVAL), `net/xfrm/xfrm_replay.c` (the legacy replay functions for
 * windows of up to 32 packets):
 *
 *   check    window 0: nothing is checked; seq 0: refused; above the highest seen: fine;
 *            further back than the window, or its bit already set: refused
 *   advance  window 0: nothing is recorded (so `ip xfrm state` shows `seq 0x0`); a newer seq
 *            shifts the bitmap, an older one sets its bit
 *   output   `oseq` counts up from 0, so the first packet carries 1 (RFC 4303 3.3.3)
 *
 * Leaves out: algorithms other than AES-GCM with a 128-bit ICV (the packet layer's ESP codec
 * implements that one), ESN and replay windows above 32 (`replay_esn`), lifetimes and expiry,
 * marks, `if_id`, offload, NAT-T encapsulation, sequence number overflow, what the state flags
 * do (they are kept and listed).
 */
import type { Ipv4 } from '../../packet/index.js';
import type { NfXfrmState } from '../netfilter/index.js';
import type { IprouteError } from '../ipv4/index.js';
import { XFRM_ERRORS } from './errors.js';
import type { XfrmSelector } from './selector.js';

export const IPPROTO_AH = 51;
export const IPPROTO_COMP = 108;
/** The one AEAD this model implements (Docker's encrypted overlay uses it). */
export const AEAD_RFC4106_GCM_AES = 'rfc4106(gcm(aes))';
export const SALT_BYTES = 4;
/** The largest window the legacy replay state (`struct xfrm_replay_state`, a u32 bitmap) holds. */
export const REPLAY_LEGACY_MAX = 32;

export type XfrmMode = 'transport' | 'tunnel';

export interface XfrmAead {
  /** `alg_name`, e.g. `rfc4106(gcm(aes))`. */
  readonly name: string;
  /** The key material as given: the AES key followed by the salt. */
  readonly keymat: Uint8Array;
  /** `alg_icv_len` in bits. */
  readonly icvBits: number;
}

export interface XfrmStateSpec {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: number;
  readonly spi: number;
  readonly mode: XfrmMode;
  readonly reqid: number;
  readonly aead: XfrmAead;
  readonly replayWindow: number;
  readonly sel: XfrmSelector;
  /** `replay-seq` / `replay-oseq`: where the counters start. */
  readonly seq?: number;
  readonly oseq?: number;
  /** `flag noecn ...`: kept and listed; the model's packet path does not read them. */
  readonly flags?: readonly XfrmStateFlag[];
}

/** The state flags of ip-xfrm(8), in the order iproute2 prints them. */
export const XFRM_STATE_FLAGS = ['noecn', 'decap-dscp', 'nopmtudisc', 'wildrecv', 'icmp', 'af-unspec', 'align4', 'esn'] as const;
export type XfrmStateFlag = (typeof XFRM_STATE_FLAGS)[number];

/** An SPI as iproute2 and the trace print it: `0x00000100`. */
export function spiText(spi: number): string {
  return `0x${(spi >>> 0).toString(16).padStart(8, '0')}`;
}

/** What a replay check decided (`xfrm_replay_check`). */
export type ReplayVerdict = 'ok' | 'zero' | 'outside-window' | 'replayed';

export class XfrmState implements NfXfrmState {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: number;
  readonly spi: number;
  readonly mode: XfrmMode;
  readonly reqid: number;
  readonly aead: XfrmAead;
  readonly replayWindow: number;
  readonly sel: XfrmSelector;
  readonly flags: readonly XfrmStateFlag[];
  /** The AES key and the RFC 4106 salt, split from the key material. */
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
  /** `-m policy --tunnel-src/--tunnel-dst` see the endpoints of tunnel-mode states only. */
  readonly tunnelSrc: Ipv4 | undefined;
  readonly tunnelDst: Ipv4 | undefined;
  /** Insertion order in the namespace (`curlft.add_time`: the newest matching state wins). */
  readonly serial: number;
  /** `replay.oseq`: the last sequence number sent. */
  oseq: number;
  /** `replay.seq`: the highest sequence number accepted (advanced only with a window). */
  seq: number;
  /** `replay.bitmap`: bit i set = `seq - i` was accepted. */
  bitmap = 0;
  /** `stats.replay`, `stats.integrity_failed`. */
  replayed = 0;
  integrityFailed = 0;

  constructor(spec: XfrmStateSpec, serial: number) {
    this.src = spec.src;
    this.dst = spec.dst;
    this.proto = spec.proto;
    this.spi = spec.spi >>> 0;
    this.mode = spec.mode;
    this.reqid = spec.reqid >>> 0;
    this.aead = spec.aead;
    this.replayWindow = spec.replayWindow;
    this.sel = spec.sel;
    this.flags = spec.flags ?? [];
    this.key = spec.aead.keymat.slice(0, spec.aead.keymat.length - SALT_BYTES);
    this.salt = spec.aead.keymat.slice(spec.aead.keymat.length - SALT_BYTES);
    this.tunnelSrc = spec.mode === 'tunnel' ? spec.src : undefined;
    this.tunnelDst = spec.mode === 'tunnel' ? spec.dst : undefined;
    this.serial = serial;
    this.seq = spec.seq ?? 0;
    this.oseq = spec.oseq ?? 0;
  }

  /** `xfrm_replay_overflow`: the sequence number of the next packet sent. */
  nextOutputSeq(): number {
    this.oseq = (this.oseq + 1) >>> 0;
    return this.oseq;
  }

  /** `xfrm_replay_check`. */
  replayCheck(seq: number): ReplayVerdict {
    if (this.replayWindow === 0) return 'ok';
    if (seq === 0) return 'zero';
    if (seq > this.seq) return 'ok';
    const diff = this.seq - seq;
    if (diff >= this.replayWindow) return 'outside-window';
    return (this.bitmap & (1 << diff)) !== 0 ? 'replayed' : 'ok';
  }

  /** `xfrm_replay_advance`, after the ICV was verified. */
  replayAdvance(seq: number): void {
    if (this.replayWindow === 0) return;
    if (seq > this.seq) {
      const diff = seq - this.seq;
      this.bitmap = diff < this.replayWindow ? ((this.bitmap << diff) | 1) >>> 0 : 1;
      this.seq = seq;
    } else {
      this.bitmap = (this.bitmap | (1 << (this.seq - seq))) >>> 0;
    }
  }
}

/**
 * `verify_newsa_info` / `esp_init_aead` for the parts this model checks; undefined when the
 * state can be built.
 */
export function checkStateSpec(spec: XfrmStateSpec): IprouteError | undefined {
  if (spec.proto !== 50) return XFRM_ERRORS.notModelled(`an xfrm state of protocol ${spec.proto} (only esp)`);
  if (spec.aead.name !== AEAD_RFC4106_GCM_AES) return XFRM_ERRORS.notModelled(`algorithm "${spec.aead.name}" (only aead ${AEAD_RFC4106_GCM_AES})`);
  const keyBytes = spec.aead.keymat.length - SALT_BYTES;
  if (keyBytes !== 16 && keyBytes !== 24 && keyBytes !== 32) return XFRM_ERRORS.invalidArgument();
  if (spec.aead.icvBits !== 64 && spec.aead.icvBits !== 96 && spec.aead.icvBits !== 128) return XFRM_ERRORS.invalidArgument();
  if (spec.aead.icvBits !== 128) return XFRM_ERRORS.notModelled(`an ICV of ${spec.aead.icvBits} bits (only 128)`);
  if (spec.replayWindow > REPLAY_LEGACY_MAX) return XFRM_ERRORS.notModelled(`a replay window above ${REPLAY_LEGACY_MAX} (ESN replay state)`);
  return undefined;
}
