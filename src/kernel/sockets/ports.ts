/**
 * Ephemeral (automatically chosen) local ports, from `net.ipv4.ip_local_port_range`
 * (default 32768-60999), drawn from the seeded `ephemeral-port` stream.
 *
 * Models, per caller:
 * - UDP `bind(0)` / autobind (`net/ipv4/udp.c` `udp_lib_get_port`): a random first port in the
 *   range, then the following ports until a free one.
 * - TCP `bind(0)` (`net/ipv4/inet_connection_sock.c` `inet_csk_find_open_port`): a random
 *   start forced odd, odd ports first then even ones, leaving even ports to connect().
 * - TCP `connect()` without bind (`net/ipv4/inet_hashtables.c` `__inet_hash_connect`): a start
 *   forced even, even ports first then odd ones.
 * Linux derives connect()'s start from a keyed hash of (saddr, daddr, dport) plus a perturbation
 * table; here it is one draw from the stream per call, which keeps the distribution and the
 * parity preference and is reproducible from the seed.
 * Leaves out: `ip_local_reserved_ports`, the hash-slot order UDP scans in.
 */
import type { Rng } from '../../engine/index.js';
import type { NetNamespace } from '../netns.js';

export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** `inet_get_local_port_range`: the sysctl as two numbers. */
export function localPortRange(ns: NetNamespace): PortRange {
  const got = ns.sysctl.get('net.ipv4.ip_local_port_range');
  const text = got.ok ? got.value : '32768 60999';
  const [a, b] = text.trim().split(/\s+/).map(Number);
  const low = a !== undefined && Number.isInteger(a) ? a : 32768;
  const high = b !== undefined && Number.isInteger(b) ? b : 60999;
  return low <= high ? { low, high } : { low: high, high: low };
}

export type PortPolicy = 'udp' | 'tcp-bind' | 'tcp-connect';

/** A free port for `policy`, or undefined when every port in the range is taken (EADDRINUSE). */
export function pickEphemeralPort(rng: Rng, range: PortRange, policy: PortPolicy, inUse: (port: number) => boolean): number | undefined {
  const { low, high } = range;
  const count = high - low + 1;
  if (policy === 'udp') {
    const first = low + rng.int(count);
    for (let i = 0; i < count; i++) {
      const port = low + ((first - low + i) % count);
      if (!inUse(port)) return port;
    }
    return undefined;
  }
  // Both TCP searches walk one parity class from a random start, then the other.
  let remaining = high - low;
  if (remaining > 1) remaining &= ~1;
  if (remaining === 0) return inUse(low) ? undefined : low;
  let offset = rng.int(remaining);
  offset = policy === 'tcp-bind' ? offset | 1 : offset & ~1;
  for (let pass = 0; pass < 2; pass++) {
    let port = low + offset;
    for (let i = 0; i < remaining; i += 2, port += 2) {
      if (port >= high) port -= remaining;
      if (!inUse(port)) return port;
    }
    offset = policy === 'tcp-bind' ? offset - 1 : offset + 1;
  }
  return undefined;
}
