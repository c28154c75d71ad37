/**
 * IPsec ESP (IP protocol 50) with AES-GCM, as `ip xfrm state ... aead 'rfc4106(gcm(aes))' 0x... 128`
 * sets it up for Docker's encrypted overlay networks (transport mode).
 *
 * Models: RFC 4303 (ESP header, trailer, padding 1, 2, 3, ...), RFC 4106 (AES-GCM in ESP: 4-byte
 * salt from the key material, 8-byte explicit IV, nonce = salt || IV, AAD = SPI || sequence,
 * 16-byte ICV). Linux: `net/ipv4/esp4.c` (`esp_output_tail`, `esp_input_done2`), `crypto/seqiv.c`.
 *
 *    0       4       8         16                               len-16          len
 *   +-------+-------+---------+----------------------------------+---------------+
 *   |  SPI  |  seq  | IV (8)  | ciphertext of: payload | padding | ICV (16)      |
 *   |       |       |         |   | pad length (1) | next header (1)              |
 *   +-------+-------+---------+----------------------------------+---------------+
 *   EspRepr.data = IV + ciphertext + ICV (everything after the sequence number)
 *
 * The IV defaults to the 64-bit big-endian sequence number. Linux's seqiv XORs that with a random
 * per-SA salt; a deterministic simulator uses a zero salt, so IVs are unique per SA as required.
 * Leaves out: extended sequence numbers (ESN, 12-byte AAD), ICVs of 8 or 12 bytes, other
 * algorithms (CBC + HMAC), TFC padding, checking the pad bytes' values on decrypt (Linux does not).
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { decodeIssue, decoded, truncated, type Decoded } from './decode-result.js';

/** Field offsets of the ESP header, and of the AES-GCM layout inside `data`. */
const ESP = {
  spi: 0,
  seq: 4,
  data: 8,
  headerLength: 8,
  /** Inside `data`: explicit IV, then ciphertext, then ICV. */
  ivLength: 8,
  icvLength: 16,
  saltLength: 4,
  /** Pad length and next header, the last two plaintext bytes. */
  trailerLength: 2,
  /** RFC 4303 2.4: ciphertext ending with pad length and next header is aligned to 4 bytes. */
  alignment: 4,
} as const;

export const ESP_HEADER_LENGTH = ESP.headerLength;
/** IV + ICV + pad length + next header: the fixed overhead after the 8-byte header. */
export const ESP_GCM_OVERHEAD = ESP.ivLength + ESP.icvLength + ESP.trailerLength;

export interface EspRepr {
  readonly kind: 'esp';
  readonly spi: number;
  readonly seq: number;
  /** IV (8) + ciphertext + ICV (16) for AES-GCM; opaque bytes for the codec. */
  readonly data: Uint8Array;
}

export function encodeEsp(repr: EspRepr): Uint8Array {
  const bytes = new Uint8Array(ESP.headerLength + repr.data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(ESP.spi, repr.spi >>> 0);
  view.setUint32(ESP.seq, repr.seq >>> 0);
  bytes.set(repr.data, ESP.data);
  return bytes;
}

export function decodeEsp(bytes: Uint8Array): Decoded<EspRepr> {
  if (bytes.length < ESP.headerLength) return truncated('esp', 0, ESP.headerLength, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decoded({ kind: 'esp', spi: view.getUint32(ESP.spi), seq: view.getUint32(ESP.seq), data: bytes.slice(ESP.data) });
}

export interface EspEncryptParams {
  readonly spi: number;
  readonly seq: number;
  /** AES key: 16, 24 or 32 bytes. */
  readonly key: Uint8Array;
  /** The 4 trailing bytes of the xfrm key material (RFC 4106 section 8.1). */
  readonly salt: Uint8Array;
  /** IP protocol of the plaintext (6 TCP, 17 UDP, 1 ICMP in transport mode; 4 in tunnel mode). */
  readonly nextHeader: number;
  readonly plaintext: Uint8Array;
  /** Explicit 8-byte IV; default: `seq` as a 64-bit big-endian number. */
  readonly iv?: Uint8Array;
}

function gcmCipher(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new RangeError(`AES-GCM key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}

function checkSalt(salt: Uint8Array): void {
  if (salt.length !== ESP.saltLength) throw new RangeError(`RFC 4106 salt must be 4 bytes, got ${salt.length}`);
}

/** SPI || sequence: the 8 bytes of the ESP header, authenticated but not encrypted. */
function aad(spi: number, seq: number): Uint8Array {
  const header = new Uint8Array(ESP.headerLength);
  const view = new DataView(header.buffer);
  view.setUint32(ESP.spi, spi >>> 0);
  view.setUint32(ESP.seq, seq >>> 0);
  return header;
}

function nonce(salt: Uint8Array, iv: Uint8Array): Uint8Array {
  const n = new Uint8Array(ESP.saltLength + ESP.ivLength);
  n.set(salt, 0);
  n.set(iv, ESP.saltLength);
  return n;
}

/** The default explicit IV: the sequence number as a 64-bit big-endian integer (seqiv input). */
export function espSeqIv(seq: number): Uint8Array {
  const iv = new Uint8Array(ESP.ivLength);
  new DataView(iv.buffer).setUint32(4, seq >>> 0);
  return iv;
}

/** Builds the ESP packet Linux's esp4 output would send for `plaintext` (an L4 segment). */
export function espEncrypt(params: EspEncryptParams): EspRepr {
  const cipherName = gcmCipher(params.key);
  checkSalt(params.salt);
  const iv = params.iv ?? espSeqIv(params.seq);
  if (iv.length !== ESP.ivLength) throw new RangeError(`ESP GCM IV must be 8 bytes, got ${iv.length}`);
  const unpadded = params.plaintext.length + ESP.trailerLength;
  const padLength = (ESP.alignment - (unpadded % ESP.alignment)) % ESP.alignment;
  const inner = new Uint8Array(unpadded + padLength);
  inner.set(params.plaintext, 0);
  for (let i = 0; i < padLength; i++) inner[params.plaintext.length + i] = i + 1;
  inner[inner.length - 2] = padLength;
  inner[inner.length - 1] = params.nextHeader;

  const cipher = createCipheriv(cipherName, params.key, nonce(params.salt, iv), { authTagLength: ESP.icvLength });
  cipher.setAAD(aad(params.spi, params.seq));
  const ciphertext = Buffer.concat([cipher.update(inner), cipher.final()]);
  const icv = cipher.getAuthTag();

  const data = new Uint8Array(ESP.ivLength + ciphertext.length + ESP.icvLength);
  data.set(iv, 0);
  data.set(ciphertext, ESP.ivLength);
  data.set(icv, ESP.ivLength + ciphertext.length);
  return { kind: 'esp', spi: params.spi >>> 0, seq: params.seq >>> 0, data };
}

export interface EspPlaintext {
  readonly nextHeader: number;
  readonly plaintext: Uint8Array;
}

/**
 * Verifies the ICV and decrypts. Offsets in issues are relative to the start of the ESP header.
 * An authentication failure is the issue `ICV mismatch` (Linux counts it in XfrmInStateProtoError).
 */
export function espDecrypt(repr: EspRepr, key: Uint8Array, salt: Uint8Array): Decoded<EspPlaintext> {
  const cipherName = gcmCipher(key);
  checkSalt(salt);
  const minimum = ESP.ivLength + ESP.trailerLength + ESP.icvLength;
  if (repr.data.length < minimum) return truncated('esp', ESP.data, minimum, repr.data.length);
  const iv = repr.data.subarray(0, ESP.ivLength);
  const ciphertext = repr.data.subarray(ESP.ivLength, repr.data.length - ESP.icvLength);
  const icv = repr.data.subarray(repr.data.length - ESP.icvLength);

  let inner: Buffer;
  try {
    const decipher = createDecipheriv(cipherName, key, nonce(salt, iv), { authTagLength: ESP.icvLength });
    decipher.setAAD(aad(repr.spi, repr.seq));
    decipher.setAuthTag(icv);
    inner = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // node:crypto reports a failed GCM tag check by throwing from final(); nothing else can throw
    // here once the key, nonce and tag lengths are checked.
    return decodeIssue('esp', ESP.data + repr.data.length - ESP.icvLength, 'ICV mismatch');
  }
  const padLength = inner[inner.length - 2]!;
  const nextHeader = inner[inner.length - 1]!;
  if (padLength + ESP.trailerLength > inner.length) {
    return decodeIssue('esp', ESP.data + ESP.ivLength + inner.length - 2, `pad length ${padLength} exceeds the ${inner.length}-byte plaintext`);
  }
  return decoded({ nextHeader, plaintext: Uint8Array.from(inner.subarray(0, inner.length - ESP.trailerLength - padLength)) });
}

/**
 * The key material as `ip xfrm state` prints it and Wireshark's ESP SA table takes it for
 * AES-GCM with 16-octet ICV [RFC 4106]: `0x` followed by key || salt in lowercase hex.
 */
export function espKeyString(key: Uint8Array, salt: Uint8Array): string {
  return `0x${Buffer.from(key).toString('hex')}${Buffer.from(salt).toString('hex')}`;
}
