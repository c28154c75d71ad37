// ESP with AES-GCM (RFC 4303 + RFC 4106): the header codec, known answers computed independently
// with Python's `cryptography` AESGCM (nonce = salt || IV, AAD = SPI || seq, RFC 4303 padding
// 1, 2, 3, ...), the round trip, and tamper detection.
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEsp, encodeEsp, espDecrypt, espEncrypt, espKeyString, espSeqIv, type EspRepr } from '../../src/packet/index.js';
import { arbEsp } from './arbitraries-l4.js';
import { hex, toHex } from './link-fixtures.js';

const KEY_128 = hex('000102030405060708090a0b0c0d0e0f');
const KEY_256 = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const SALT = hex('deadbeef');

/** A 13-byte UDP datagram: with pad length and next header 15 bytes, so one pad byte (0x01). */
const UDP_PLAINTEXT = hex('9c40 0035 0015 0000 68656c6c6f');
/** Python: AESGCM(KEY_128).encrypt(SALT + iv, plaintext || 01 || 01 || 11, spi || seq), iv = seq as u64. */
const ESP_128 = hex(`
  00000100 00000001
  0000000000000001
  425d37686f9d1f09ccb68690441a6900
  128c01267ca20da81aab99ec4e47021b`);
/** Python, AES-256, SPI 0xc0ffee, seq 0xfffffffe, explicit IV 0102..08, 20 bytes of 0x01, TCP: two pad bytes. */
const ESP_256 = hex(`
  00c0ffee fffffffe
  0102030405060708
  5cc6693f592fd7917b495e5915c491224b00d0b8
  939fea109d32d74e4811cb9585b411d21b793b55`);

function espOf(bytes: Uint8Array): EspRepr {
  const d = decodeEsp(bytes);
  if (!d.ok) throw new Error(d.issue.message);
  return d.value;
}

describe('esp', () => {
  it('encodes and decodes SPI, sequence and the opaque rest', () => {
    const repr = espOf(ESP_128);
    expect(repr).toEqual({ kind: 'esp', spi: 0x100, seq: 1, data: ESP_128.slice(8) });
    expect(toHex(encodeEsp(repr))).toBe(toHex(ESP_128));
    expect(decodeEsp(hex('00000100 000000'))).toEqual({ ok: false, issue: { format: 'esp', offset: 0, message: 'truncated: need 8 bytes, have 7' } });
  });

  it('encrypts like an independent AES-GCM implementation (AES-128, IV from the sequence number)', () => {
    const repr = espEncrypt({ spi: 0x100, seq: 1, key: KEY_128, salt: SALT, nextHeader: 17, plaintext: UDP_PLAINTEXT });
    expect(toHex(encodeEsp(repr))).toBe(toHex(ESP_128));
    expect(toHex(espSeqIv(1))).toBe('0000000000000001');
  });

  it('encrypts like an independent AES-GCM implementation (AES-256, explicit IV)', () => {
    const repr = espEncrypt({
      spi: 0xc0ffee,
      seq: 0xfffffffe,
      key: KEY_256,
      salt: SALT,
      nextHeader: 6,
      plaintext: new Uint8Array(20).fill(1),
      iv: hex('0102030405060708'),
    });
    expect(toHex(encodeEsp(repr))).toBe(toHex(ESP_256));
    expect(espDecrypt(repr, KEY_256, SALT)).toEqual({ ok: true, value: { nextHeader: 6, plaintext: new Uint8Array(20).fill(1) } });
  });

  it('decrypts the known answers', () => {
    expect(espDecrypt(espOf(ESP_128), KEY_128, SALT)).toEqual({ ok: true, value: { nextHeader: 17, plaintext: UDP_PLAINTEXT } });
  });

  it('aligns the ciphertext to 4 bytes: 34 to 37 bytes of overhead after the header', () => {
    for (let n = 0; n < 12; n++) {
      const repr = espEncrypt({ spi: 1000, seq: n + 1, key: KEY_128, salt: SALT, nextHeader: 1, plaintext: new Uint8Array(n) });
      const ciphertextLength = repr.data.length - 8 - 16;
      expect(ciphertextLength % 4).toBe(0);
      expect(ciphertextLength - n - 2).toBeLessThanOrEqual(3);
      expect(8 + repr.data.length - n).toBeGreaterThanOrEqual(34);
      expect(8 + repr.data.length - n).toBeLessThanOrEqual(37);
    }
  });

  it('detects any change to header, IV, ciphertext or ICV, and a wrong key or salt', () => {
    const repr = espOf(ESP_128);
    const mismatch = { ok: false, issue: { format: 'esp', offset: 8 + repr.data.length - 16, message: 'ICV mismatch' } };
    expect(espDecrypt({ ...repr, spi: 0x101 }, KEY_128, SALT)).toEqual(mismatch);
    expect(espDecrypt({ ...repr, seq: 2 }, KEY_128, SALT)).toEqual(mismatch);
    for (let i = 0; i < repr.data.length; i++) {
      const data = repr.data.slice();
      data[i] = data[i]! ^ 0x80;
      expect(espDecrypt({ ...repr, data }, KEY_128, SALT)).toEqual(mismatch);
    }
    expect(espDecrypt(repr, KEY_128.map((b) => b ^ 1), SALT)).toEqual(mismatch);
    expect(espDecrypt(repr, KEY_128, hex('deadbeee'))).toEqual(mismatch);
  });

  it('reports data too short for IV, trailer and ICV', () => {
    expect(espDecrypt({ kind: 'esp', spi: 1, seq: 1, data: new Uint8Array(25) }, KEY_128, SALT)).toEqual({
      ok: false,
      issue: { format: 'esp', offset: 8, message: 'truncated: need 26 bytes, have 25' },
    });
  });

  it('reports a pad length longer than the plaintext (authentic but malformed)', () => {
    // Encrypted directly with node:crypto: the whole plaintext is a trailer claiming 200 pad bytes.
    const iv = espSeqIv(6);
    const cipher = createCipheriv('aes-128-gcm', KEY_128, Buffer.concat([SALT, iv]), { authTagLength: 16 });
    cipher.setAAD(hex('00000005 00000006'));
    const ciphertext = Buffer.concat([cipher.update(hex('c811')), cipher.final()]);
    const data = Uint8Array.from(Buffer.concat([iv, ciphertext, cipher.getAuthTag()]));
    expect(espDecrypt({ kind: 'esp', spi: 5, seq: 6, data }, KEY_128, SALT)).toEqual({
      ok: false,
      issue: { format: 'esp', offset: 16, message: 'pad length 200 exceeds the 2-byte plaintext' },
    });
  });

  it('refuses bad key, salt and IV sizes', () => {
    const base = { spi: 1, seq: 1, key: KEY_128, salt: SALT, nextHeader: 17, plaintext: new Uint8Array(4) };
    expect(() => espEncrypt({ ...base, key: new Uint8Array(20) })).toThrow(/16, 24 or 32/);
    expect(() => espEncrypt({ ...base, salt: new Uint8Array(3) })).toThrow(/salt/);
    expect(() => espEncrypt({ ...base, iv: new Uint8Array(12) })).toThrow(/IV/);
    expect(espDecrypt(espEncrypt({ ...base, key: new Uint8Array(24).fill(9) }), new Uint8Array(24).fill(9), SALT).ok).toBe(true);
  });

  it('prints the key material as ip xfrm and Wireshark take it', () => {
    expect(espKeyString(KEY_128, SALT)).toBe('0x000102030405060708090a0b0c0d0e0fdeadbeef');
  });

  it('round-trips random plaintexts and the header codec', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 255 }), (plaintext, seq, nextHeader) => {
        const repr = espEncrypt({ spi: 0x200, seq, key: KEY_128, salt: SALT, nextHeader, plaintext });
        expect(espDecrypt(repr, KEY_128, SALT)).toEqual({ ok: true, value: { nextHeader, plaintext } });
        expect(decodeEsp(encodeEsp(repr))).toEqual({ ok: true, value: repr });
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(arbEsp, (repr) => {
        expect(decodeEsp(encodeEsp(repr))).toEqual({ ok: true, value: repr });
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const d = decodeEsp(bytes);
        if (d.ok) espDecrypt(d.value, KEY_128, SALT);
      }),
    );
  });
});
