/**
 * The daemon's host-port allocator: which host ports published container ports hold, per host
 * address and protocol, and how a free one is chosen when the user gave none (`-p 80`).
 *
 * Models: libnetwork `portallocator/portallocator.go` and `portallocator_linux.go` (Docker 20.10):
 * - one port set per host IP text and protocol (`tcp`, `udp`, `sctp`); `0.0.0.0`, `::` and
 *   `127.0.0.1` are independent keys, so `-p 8080:80` and `-p 127.0.0.1:8080:80` can coexist
 *   as far as the allocator is concerned (the kernel's bind decides afterwards);
 * - an explicit port is taken or refused with `Bind for <ip>:<port> failed: port is already
 *   allocated`;
 * - a dynamic port is searched in a port range that remembers the last port it handed out and
 *   continues after it, wrapping at the end (so the first dynamic port is the range start, and a
 *   released port is not reused at once); `all ports are allocated` when the range is full;
 * - the default range is read once from `/proc/sys/net/ipv4/ip_local_port_range` (Linux default
 *   32768-60999), falling back to 49153-65535 when it cannot be read;
 * - a user range (`-p 8000-8010:80`) is its own range object with its own cursor, created on
 *   first use; `invalid port range: <a>-<b>` when it is empty, reversed or has a zero end.
 *
 *   requestPortInRange('0.0.0.0', 'tcp', 0, 0)   -> 32768, then 32769, ...
 *   requestPortInRange('0.0.0.0', 'tcp', 80, 80) -> 80, then "Bind for 0.0.0.0:80 failed: ..."
 *
 * Leaves out: nothing of the allocator; it is a singleton per daemon in Docker and one object per
 * simulated daemon here.
 * Invariants: a port is in a set iff it was requested and not released since; a range's cursor
 * always lies within the range.
 */
import type { NetNamespace } from '../../kernel/index.js';
import { ok, system, invalidParameter, type Result } from '../errors.js';

export type PortProto = 'tcp' | 'udp' | 'sctp';

/** `DefaultPortRangeStart` / `DefaultPortRangeEnd`: used when the kernel's range is unreadable. */
export const DEFAULT_PORT_RANGE_START = 49153;
export const DEFAULT_PORT_RANGE_END = 65535;

export const ERR_ALL_PORTS_ALLOCATED = 'all ports are allocated';
export const ERR_UNKNOWN_PROTOCOL = 'unknown protocol';

/** `ErrPortAlreadyAllocated.Error()`. */
export function portAlreadyAllocated(ip: string, port: number): string {
  return `Bind for ${ip}:${port} failed: port is already allocated`;
}

interface PortRange {
  readonly begin: number;
  readonly end: number;
  /** The last port handed out; starts at `end` so the first search begins at `begin`. */
  last: number;
}

interface PortMap {
  readonly taken: Set<number>;
  readonly defaultRange: string;
  readonly ranges: Map<string, PortRange>;
}

function rangeKey(start: number, end: number): string {
  return `${start}-${end}`;
}

/**
 * `getDynamicPortRange`: the namespace's `ip_local_port_range` (`"%d\t%d"`), or undefined when
 * it cannot be read or makes no sense.
 */
export function dynamicPortRange(ns: NetNamespace): { begin: number; end: number } | undefined {
  const r = ns.sysctl.get('net.ipv4.ip_local_port_range');
  if (!r.ok) return undefined;
  const parts = r.value.trim().split(/\s+/).map(Number);
  const [begin, end] = parts;
  if (begin === undefined || end === undefined || !Number.isInteger(begin) || !Number.isInteger(end) || begin <= 0 || end < begin) return undefined;
  return { begin, end };
}

export class PortAllocator {
  readonly begin: number;
  readonly end: number;
  /** By host IP text, then protocol. */
  private readonly ipMap = new Map<string, Map<PortProto, PortMap>>();

  constructor(begin = DEFAULT_PORT_RANGE_START, end = DEFAULT_PORT_RANGE_END) {
    this.begin = begin;
    this.end = end;
  }

  /** `newInstance`: the allocator a daemon on this host gets (range read from its kernel). */
  static forNamespace(ns: NetNamespace): PortAllocator {
    const range = dynamicPortRange(ns);
    return range === undefined ? new PortAllocator() : new PortAllocator(range.begin, range.end);
  }

  /** `RequestPort`: `port` exactly, or a dynamic one when it is 0. */
  requestPort(ip: string, proto: string, port: number): Result<number> {
    return this.requestPortInRange(ip, proto, port, port);
  }

  /**
   * `RequestPortInRange`: both 0 picks from the default range; `start === end` asks for that
   * port; otherwise the first free port of the range after its cursor.
   */
  requestPortInRange(ip: string, proto: string, start: number, end: number): Result<number> {
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') return invalidParameter(ERR_UNKNOWN_PROTOCOL);
    const ipKey = ip === '' ? '0.0.0.0' : ip;
    let protos = this.ipMap.get(ipKey);
    if (protos === undefined) {
      protos = new Map([
        ['tcp', this.newPortMap()],
        ['udp', this.newPortMap()],
        ['sctp', this.newPortMap()],
      ]);
      this.ipMap.set(ipKey, protos);
    }
    const map = protos.get(proto)!;
    if (start > 0 && start === end) {
      if (map.taken.has(start)) return system(portAlreadyAllocated(ipKey, start));
      map.taken.add(start);
      return ok(start);
    }
    return this.findPort(map, start, end);
  }

  /** `ReleasePort`: forgetting a port that was never taken is not an error. */
  releasePort(ip: string, proto: string, port: number): void {
    const protos = this.ipMap.get(ip === '' ? '0.0.0.0' : ip);
    if (protos === undefined) return;
    protos.get(proto as PortProto)?.taken.delete(port);
  }

  /** `ReleaseAll`. */
  releaseAll(): void {
    this.ipMap.clear();
  }

  /** The ports held for `ip` and `proto`, ascending (for inspection and tests). */
  allocated(ip: string, proto: PortProto): number[] {
    const taken = this.ipMap.get(ip)?.get(proto)?.taken;
    return taken === undefined ? [] : [...taken].sort((a, b) => a - b);
  }

  /** Every held port as `ip/proto:port`, sorted (empty when nothing is published). */
  holdings(): string[] {
    const out: string[] = [];
    for (const [ip, protos] of this.ipMap) {
      for (const [proto, map] of protos) for (const port of map.taken) out.push(`${ip}/${proto}:${port}`);
    }
    return out.sort();
  }

  private newPortMap(): PortMap {
    const key = rangeKey(this.begin, this.end);
    return { taken: new Set(), defaultRange: key, ranges: new Map([[key, { begin: this.begin, end: this.end, last: this.end }]]) };
  }

  /** `getPortRange` + `findPort`. */
  private findPort(map: PortMap, start: number, end: number): Result<number> {
    let key: string;
    if (start === 0 && end === 0) {
      key = map.defaultRange;
    } else {
      key = rangeKey(start, end);
      if (start === end || start === 0 || end === 0 || end < start) return invalidParameter(`invalid port range: ${key}`);
    }
    let range = map.ranges.get(key);
    if (range === undefined) {
      range = { begin: start, end, last: end };
      map.ranges.set(key, range);
    }
    let port = range.last;
    for (let i = 0; i <= range.end - range.begin; i++) {
      port++;
      if (port > range.end) port = range.begin;
      if (!map.taken.has(port)) {
        map.taken.add(port);
        range.last = port;
        return ok(port);
      }
    }
    return system(ERR_ALL_PORTS_ALLOCATED);
  }
}
