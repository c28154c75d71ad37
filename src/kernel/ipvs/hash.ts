/**
 * The kernel hash functions the IPVS hashing schedulers use, bit for bit.
 *
 * Models:
 * - `include/linux/hash.h` `hash_32(val, bits)`: `(val * GOLDEN_RATIO_32) >> (32 - bits)` in
 *   32-bit arithmetic (the `sh` scheduler, net/netfilter/ipvs/ip_vs_sh.c).
 * - `lib/siphash.c` `hsiphash` on a 64-bit kernel, which is SipHash-1-3 with two 64-bit key words
 *   truncated to 32 bits ("on 64-bit, we make HalfSipHash1-3 actually be SipHash1-3"), used by the
 *   `mh` scheduler (net/netfilter/ipvs/ip_vs_mh.c) on a 4-byte input. `siphash` below is the
 *   general SipHash-c-d over bytes, so the SipHash-2-4 reference vectors can check the rounds.
 * Leaves out: the 32-bit kernels' real HalfSipHash (the model is an x86_64 host).
 * Invariants: every function returns an unsigned 32-bit integer (or a 64-bit bigint for
 * `siphash`); inputs are taken modulo 2^32 first, as the C `unsigned int` arithmetic does.
 */

/** `GOLDEN_RATIO_32` of include/linux/hash.h. */
export const GOLDEN_RATIO_32 = 0x61c88647;

/** `hash_32(val, bits)`: the top `bits` bits of `val * GOLDEN_RATIO_32 mod 2^32`. */
export function hash32(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

const MASK64 = (1n << 64n) - 1n;

function rotl64(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK64;
}

/** SipHash's state: v0..v3. */
type SipState = [bigint, bigint, bigint, bigint];

function sipRound(v: SipState): void {
  v[0] = (v[0] + v[1]) & MASK64;
  v[1] = rotl64(v[1], 13n);
  v[1] ^= v[0];
  v[0] = rotl64(v[0], 32n);
  v[2] = (v[2] + v[3]) & MASK64;
  v[3] = rotl64(v[3], 16n);
  v[3] ^= v[2];
  v[0] = (v[0] + v[3]) & MASK64;
  v[3] = rotl64(v[3], 21n);
  v[3] ^= v[0];
  v[2] = (v[2] + v[1]) & MASK64;
  v[1] = rotl64(v[1], 17n);
  v[1] ^= v[2];
  v[2] = rotl64(v[2], 32n);
}

/** The 128-bit key as the kernel's `siphash_key_t`/`hsiphash_key_t` on 64-bit: two u64 words. */
export interface SipKey {
  readonly k0: bigint;
  readonly k1: bigint;
}

/**
 * SipHash-c-d of `data` (little-endian words, length byte in the top of the last block), as
 * `lib/siphash.c` PREAMBLE/POSTAMBLE compute it. Returns the 64-bit result.
 */
export function siphash(data: Uint8Array, key: SipKey, cRounds: number, dRounds: number): bigint {
  const v: SipState = [0x736f6d6570736575n ^ key.k0, 0x646f72616e646f6dn ^ key.k1, 0x6c7967656e657261n ^ key.k0, 0x7465646279746573n ^ key.k1];
  const len = data.length;
  const whole = len - (len % 8);
  for (let off = 0; off < whole; off += 8) {
    let m = 0n;
    for (let i = 7; i >= 0; i--) m = (m << 8n) | BigInt(data[off + i]!);
    v[3] ^= m;
    for (let r = 0; r < cRounds; r++) sipRound(v);
    v[0] ^= m;
  }
  let b = BigInt(len & 0xff) << 56n;
  for (let i = len - 1; i >= whole; i--) b |= BigInt(data[i]!) << BigInt(8 * (i - whole));
  v[3] ^= b;
  for (let r = 0; r < cRounds; r++) sipRound(v);
  v[0] ^= b;
  v[2] ^= 0xffn;
  for (let r = 0; r < dRounds; r++) sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/**
 * `hsiphash(&v, sizeof(v), key)` for one host-order `unsigned int` on x86_64 (equal to
 * `hsiphash_1u32(v, key)`): SipHash-1-3 of the 4 little-endian bytes, low 32 bits returned.
 */
export function hsiphashU32(v: number, key: SipKey): number {
  const x = v >>> 0;
  const bytes = new Uint8Array([x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24]);
  return Number(siphash(bytes, key, 1, 3) & 0xffffffffn);
}

/** `gcd()` of lib/math/gcd.c for positive integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}
