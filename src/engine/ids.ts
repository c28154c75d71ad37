/**
 * Identifiers: the ones Docker draws at random, drawn here from a seeded stream, and plain
 * counters for the simulation's own ids.
 *
 * Models:
 * - `randomId64` / `shortId`: moby's `pkg/stringid` (`GenerateRandomID`, `TruncateID`): 32 random
 *   bytes as 64 lowercase hex characters, redrawn when the 12-character short form is all digits
 *   (it would parse as a number and break hostnames, moby issue #3869); network, container and
 *   endpoint ids all come from it.
 * - `randomMac`: libnetwork's `netutils.GenerateRandomMAC` (`netutils/utils.go`): six random bytes
 *   with the multicast bit cleared and the locally administered bit set.
 * - `vethName`: libnetwork's `netutils.GenerateRandomName("veth", 7)` as used by the bridge driver
 *   through `GenerateIfaceName` (`drivers/bridge/bridge_linux.go`): `veth` plus 7 hex characters.
 *
 * Leaves out: `GenerateIfaceName`'s check against existing links (the kernel layer knows the
 * links and redraws on a clash, as libnetwork does up to three times) and Docker's derivation of
 * a container MAC from its IPv4 address (`02:42:` + address), which belongs to the cnm layer.
 *
 * Invariants: ids depend only on the stream they are drawn from; `Sequence` never repeats a value.
 */

import { assert } from './assert.js';
import type { Rng } from './rng.js';

const SHORT_LEN = 12;
const ALL_DIGITS = /^\d+$/;

/** A Docker-style 64-hex-character id (network, container, endpoint). */
export function randomId64(rng: Rng): string {
  for (;;) {
    const id = rng.hex(64);
    if (!ALL_DIGITS.test(shortId(id))) {
      return id;
    }
  }
}

/** The 12-character short form Docker prints; drops an algorithm prefix such as `sha256:`. */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  const bare = colon >= 0 ? id.slice(colon + 1) : id;
  return bare.slice(0, SHORT_LEN);
}

/** A random locally administered unicast MAC address as a 48-bit integer. */
export function randomMac(rng: Rng): number {
  const first = (rng.int(256) & 0xfe) | 0x02;
  const second = rng.int(256);
  return first * 2 ** 40 + second * 2 ** 32 + rng.uint32();
}

/** A host-side veth name as libnetwork's bridge driver makes them: `veth` + 7 hex characters. */
export function vethName(rng: Rng): string {
  return `veth${rng.hex(7)}`;
}

/** A counter of ids that need no randomness (packet ids, interned names). */
export class Sequence {
  private following: number;

  constructor(start = 1) {
    assert(Number.isSafeInteger(start), `Sequence start must be a safe integer, got ${start}`);
    this.following = start;
  }

  /** Returns the next id. */
  next(): number {
    const id = this.following;
    assert(id < Number.MAX_SAFE_INTEGER, 'Sequence exhausted');
    this.following = id + 1;
    return id;
  }

  /** The id `next` will return, without taking it. */
  peek(): number {
    return this.following;
  }
}
