/**
 * NAT on top of conntrack: the binding chosen once per connection and manip type, and the header
 * rewrite every later packet of the connection gets, in both directions.
 *
 * Models: `net/netfilter/nf_nat_core.c`:
 * - `nf_nat_setup_info`: the current tuple is the inverse of the reply tuple; `get_unique_tuple`
 *   chooses the new one; if it differs, the reply tuple is altered (`nf_conntrack_alter_reply`)
 *   and SRC_NAT/DST_NAT is set; either way the manip type is marked done (`IPS_*_NAT_DONE`).
 *   `nf_nat_alloc_null_binding` is the same with a range of the current address, so a flow
 *   without a NAT rule still gets a unique tuple (its source port can change on a clash).
 * - `get_unique_tuple`: (1) SRC without --random: keep the original tuple if it is in range and
 *   unused, else reuse the mapping of another connection from the same source
 *   (`find_appropriate_src`); (2) pick the address (`find_best_ips_proto`: one address, or a hash
 *   of the addresses over the range); (3) keep the port if in range and unused; else
 *   `nf_nat_l4proto_unique_tuple`: without a port range the port stays in its class (1-511,
 *   600-1023, 1024-65535; a DST manip never changes it), the search starts at a random offset
 *   (0 for DST without --random), is linear, and tries at most 128 times, halving on each new
 *   round. ICMP echo ids are treated like ports (0-65535).
 * - `nf_nat_packet` / `nf_nat_manip_pkt`: at a SRC hook the ORIGINAL direction is rewritten when
 *   the entry has SRC_NAT and the REPLY direction when it has DST_NAT (and the other way round at
 *   DST hooks); the packet is made to look like the inverse of the other direction's tuple.
 * - `nf_nat_icmp_reply_translation` (`nf_nat_proto.c`): an ICMP error RELATED to a NATed
 *   connection gets its quoted header rewritten with the opposite manip, then its outer header.
 * - `nf_nat_masquerade.c` / `nf_nat_redirect.c` build their ranges from the egress device's
 *   address and the ingress device's first address (the caller supplies those: `NatEnv`).
 *
 * Randomness: the "random" starting offsets come from the engine's named stream
 * `nat-port/<host>/<netns>` (one per namespace, so namespaces never shift each other's draws);
 * address ranges are chosen by a deterministic 32-bit hash of (source, destination) instead of
 * the kernel's jhash, so the same flow maps to the same address in every run.
 * Header rewrites build new header values; the frame in the skb is replaced, never mutated.
 * Leaves out: helpers' sequence adjustment, `--persistent` beyond the hash input, NETMAP,
 * `--to-destination` shifted port ranges.
 */
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, rewriteQuoted, type IcmpRepr, type Ipv4, type Ipv4Repr, type QuotedRewrite } from '../../packet/index.js';
import type { Rng as EngineRng } from '../../engine/index.js';
import type { CtEntry, CtRef } from './entry.js';
import type { ConntrackTable } from './table.js';
import { hasPorts, invertTuple, tupleEqual, tupleText, type CtTuple } from './tuple.js';

export type ManipType = 'SRC' | 'DST';

/** `struct nf_nat_range2`, as the NAT targets describe it. */
export interface NatRangeSpec {
  /** `NF_NAT_RANGE_MAP_IPS`: map the address into [min, max]. */
  readonly ips?: { readonly min: Ipv4; readonly max: Ipv4 } | undefined;
  /** `NF_NAT_RANGE_PROTO_SPECIFIED`: map the port (or ICMP id) into [min, max]. */
  readonly ports?: { readonly min: number; readonly max: number } | undefined;
  /** `--random` / `--random-fully` (`NF_NAT_RANGE_PROTO_RANDOM_ALL`). */
  readonly random?: boolean;
  /** `--persistent`: the address hash leaves out the destination. */
  readonly persistent?: boolean;
}

/** `NF_NAT_MAX_ATTEMPTS`. */
const MAX_ATTEMPTS = 128;

export function natInitialized(entry: CtEntry, manip: ManipType): boolean {
  return manip === 'SRC' ? entry.srcNatDone : entry.dstNatDone;
}

function rngOf(table: ConntrackTable): EngineRng {
  const ns = table.ns;
  return ns.host.world.rng.stream(`nat-port/${ns.host.name}/${ns.name}`);
}

/** What a binding decided, for the trace. */
export interface NatBinding {
  readonly manip: ManipType;
  /** The connection's tuple before and after (the original direction as the peer will see it). */
  readonly before: CtTuple;
  readonly after: CtTuple;
  readonly changed: boolean;
  readonly nullBinding: boolean;
}

/**
 * `nf_nat_setup_info(ct, range, manip)`. `range` undefined is the null binding
 * (`nf_nat_alloc_null_binding`). Does nothing (returns undefined) if that manip is already done.
 */
export function setupNat(table: ConntrackTable, entry: CtEntry, range: NatRangeSpec | undefined, manip: ManipType): NatBinding | undefined {
  if (natInitialized(entry, manip)) return undefined;
  const current = invertTuple(entry.reply) ?? entry.orig;
  const spec: NatRangeSpec = range ?? nullRange(entry, manip);
  const next = uniqueTuple(table, entry, current, spec, manip);
  const changed = !tupleEqual(next, current);
  if (changed) {
    const reply = invertTuple(next);
    if (reply !== undefined) {
      table.alterReply(entry, reply);
      if (manip === 'SRC') entry.srcNat = true;
      else entry.dstNat = true;
    }
  }
  if (manip === 'SRC') entry.srcNatDone = true;
  else entry.dstNatDone = true;
  return { manip, before: current, after: next, changed, nullBinding: range === undefined };
}

/** The null binding's range: the address the manip would leave as it is. */
function nullRange(entry: CtEntry, manip: ManipType): NatRangeSpec {
  const ip = manip === 'SRC' ? entry.reply.dst : entry.reply.src;
  return { ips: { min: ip, max: ip } };
}

function withAddr(t: CtTuple, manip: ManipType, ip: Ipv4): CtTuple {
  return manip === 'SRC' ? { ...t, src: ip } : { ...t, dst: ip };
}

/** The port the manip changes (for ICMP, the echo id, whatever the manip). */
function manipPort(t: CtTuple, manip: ManipType): number {
  if (t.proto === IPPROTO_ICMP) return t.sport;
  return manip === 'SRC' ? t.sport : t.dport;
}

function withPort(t: CtTuple, manip: ManipType, port: number): CtTuple {
  if (t.proto === IPPROTO_ICMP || manip === 'SRC') return { ...t, sport: port };
  return { ...t, dport: port };
}

function hasManipPort(t: CtTuple): boolean {
  return hasPorts(t.proto) || t.proto === IPPROTO_ICMP;
}

/** `l4proto_in_range`. */
function portInRange(t: CtTuple, manip: ManipType, range: NatRangeSpec): boolean {
  if (range.ports === undefined || !hasManipPort(t)) return true;
  const p = manipPort(t, manip);
  return p >= range.ports.min && p <= range.ports.max;
}

/** `nf_in_range` (only ever asked about the source). */
function inRange(t: CtTuple, range: NatRangeSpec): boolean {
  if (range.ips !== undefined && (t.src >>> 0 < range.ips.min >>> 0 || t.src >>> 0 > range.ips.max >>> 0)) return false;
  return portInRange(t, 'SRC', range);
}

/** `nf_nat_used_tuple`: would `t` (an original-direction tuple) clash with a live entry? */
function usedTuple(table: ConntrackTable, t: CtTuple, entry: CtEntry): boolean {
  const reply = invertTuple(t);
  return reply !== undefined && table.tupleTaken(reply, entry);
}

/** `get_unique_tuple`. */
function uniqueTuple(table: ConntrackTable, entry: CtEntry, orig: CtTuple, range: NatRangeSpec, manip: ManipType): CtTuple {
  const randomAll = range.random === true;
  if (manip === 'SRC' && !randomAll) {
    if (inRange(orig, range)) {
      if (!usedTuple(table, orig, entry)) return orig;
    } else {
      const mapped = appropriateSource(table, orig, range);
      if (mapped !== undefined && !usedTuple(table, mapped, entry)) return mapped;
    }
  }
  let tuple = bestAddress(orig, range, manip);
  if (!randomAll) {
    if (range.ports !== undefined) {
      if (portInRange(tuple, manip, range) && (range.ports.min === range.ports.max || !usedTuple(table, tuple, entry))) return tuple;
    } else if (!usedTuple(table, tuple, entry)) {
      return tuple;
    }
  }
  tuple = uniquePort(table, entry, tuple, range, manip, rngOf(table));
  return tuple;
}

/** `find_appropriate_src`: another connection from the same source already has a mapping in range. */
function appropriateSource(table: ConntrackTable, orig: CtTuple, range: NatRangeSpec): CtTuple | undefined {
  for (const other of table.sourceMappings(orig)) {
    const inv = invertTuple(other.reply);
    if (inv === undefined) continue;
    // "Copy source part from reply tuple": the destination half stays this flow's.
    const result: CtTuple = { src: inv.src, sport: inv.sport, dst: orig.dst, dport: orig.dport, proto: orig.proto };
    if (inRange(result, range)) return result;
  }
  return undefined;
}

/** `find_best_ips_proto`. */
function bestAddress(t: CtTuple, range: NatRangeSpec, manip: ManipType): CtTuple {
  const ips = range.ips;
  if (ips === undefined) return t;
  if (ips.min === ips.max) return withAddr(t, manip, ips.min);
  const min = ips.min >>> 0;
  const dist = (ips.max >>> 0) - min + 1;
  const j = mix32(t.src >>> 0, range.persistent === true ? 0 : t.dst >>> 0);
  const pick = Math.floor((j * dist) / 0x1_0000_0000);
  return withAddr(t, manip, (min + pick) >>> 0);
}

/** A deterministic 32-bit mix of two words (stands in for the kernel's jhash2; see the header). */
function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b ^ 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** `nf_nat_l4proto_unique_tuple`. */
function uniquePort(table: ConntrackTable, entry: CtEntry, t: CtTuple, range: NatRangeSpec, manip: ManipType, rng: EngineRng): CtTuple {
  if (!hasManipPort(t)) return t;
  let min: number;
  let size: number;
  if (t.proto === IPPROTO_ICMP) {
    if (range.ports === undefined) {
      min = 0;
      size = 65536;
    } else {
      min = range.ports.min;
      size = range.ports.max - range.ports.min + 1;
    }
  } else if (range.ports === undefined) {
    // "If it's dst rewrite, can't change port."
    if (manip === 'DST') return t;
    const port = manipPort(t, manip);
    if (port < 512) {
      min = 1;
      size = 511;
    } else if (port < 1024) {
      // "Loose convention: >> 512 is credential passing": 512-1023 map into 600-1023.
      min = 600;
      size = 1023 - 600 + 1;
    } else {
      min = 1024;
      size = 65535 - 1024 + 1;
    }
  } else {
    min = Math.min(range.ports.min, range.ports.max);
    size = Math.abs(range.ports.max - range.ports.min) + 1;
  }
  let off = range.random === true || manip !== 'DST' ? rng.int(65536) : 0;
  let attempts = Math.min(size, MAX_ATTEMPTS);
  let candidate = t;
  for (;;) {
    for (let i = 0; i < attempts; i++, off++) {
      candidate = withPort(t, manip, min + (off % size));
      if (!usedTuple(table, candidate, entry)) return candidate;
    }
    if (attempts >= size || attempts < 16) return candidate;
    attempts = Math.floor(attempts / 2);
    off = rng.int(65536);
  }
}

// --- packet rewriting -----------------------------------------------------------------------

/** A header rewrite NAT made: the datagram before and after. */
export interface NatRewrite {
  readonly before: Ipv4Repr;
  readonly after: Ipv4Repr;
  readonly manip: ManipType;
  /** The quoted header of an ICMP error was rewritten too. */
  readonly quoted: boolean;
}

function manipBitSet(entry: CtEntry, manip: ManipType, dir: 'original' | 'reply'): boolean {
  // "Invert if this is reply dir": at a SRC hook the reply direction is rewritten for DST_NAT.
  const srcBit = manip === 'SRC' ? dir === 'original' : dir === 'reply';
  return srcBit ? entry.srcNat : entry.dstNat;
}

/**
 * `nf_nat_packet`: the rewrite of a tracked packet at a hook of manip type `manip`, or undefined
 * when this direction is not NATed at this hook.
 */
export function natPacket(ref: CtRef, manip: ManipType, ip: Ipv4Repr): NatRewrite | undefined {
  const entry = ref.entry;
  const dir = ref.dir;
  if (!manipBitSet(entry, manip, dir)) return undefined;
  const other = dir === 'original' ? entry.reply : entry.orig;
  const target = invertTuple(other);
  if (target === undefined) return undefined;
  const after = manipIp(ip, target, manip);
  return after === ip ? undefined : { before: ip, after, manip, quoted: false };
}

/** `nf_nat_ipv4_manip_pkt` on an outer header: address and transport key of one side. */
function manipIp(ip: Ipv4Repr, target: CtTuple, manip: ManipType): Ipv4Repr {
  const p = ip.payload;
  const addrChange = manip === 'SRC' ? ip.src !== target.src : ip.dst !== target.dst;
  let payload = p;
  switch (p.kind) {
    case 'tcp':
    case 'udp':
      if (ip.protocol === IPPROTO_TCP || ip.protocol === IPPROTO_UDP) {
        if (manip === 'SRC' && p.srcPort !== target.sport) payload = { ...p, srcPort: target.sport };
        if (manip === 'DST' && p.dstPort !== target.dport) payload = { ...p, dstPort: target.dport };
      }
      break;
    case 'icmp':
      if ((p.type === 'echo-request' || p.type === 'echo-reply') && p.id !== target.sport) payload = { ...p, id: target.sport };
      break;
    case 'esp':
    case 'payload':
      break;
  }
  if (!addrChange && payload === p) return ip;
  return manip === 'SRC' ? { ...ip, src: target.src, payload } : { ...ip, dst: target.dst, payload };
}

/**
 * `nf_nat_icmp_reply_translation`: an ICMP error RELATED to `ref`'s connection. Returns the
 * rewrite, undefined when nothing changes, or 'drop' (a redirect about a NATed connection).
 */
export function natIcmpReply(ref: CtRef, manip: ManipType, ip: Ipv4Repr): NatRewrite | 'drop' | undefined {
  const p = ip.payload;
  if (p.kind !== 'icmp') return undefined;
  const entry = ref.entry;
  const quoted = quotedOf(p);
  if (quoted === undefined) return undefined;
  if (p.type === 'other' && p.icmpType === 5) {
    // "If NAT isn't finished, assume it and drop"; a redirect about a NATed flow is dropped too.
    if (!(entry.srcNatDone && entry.dstNatDone)) return 'drop';
    if (entry.srcNat || entry.dstNat) return 'drop';
  }
  const dir = ref.dir;
  if (!manipBitSet(entry, manip, dir)) return undefined;
  const otherTuple = dir === 'original' ? entry.reply : entry.orig;
  // The quoted packet travelled the other way: it gets the opposite manip, from that tuple.
  const innerManip: ManipType = manip === 'SRC' ? 'DST' : 'SRC';
  const change: QuotedRewrite =
    innerManip === 'SRC'
      ? { src: otherTuple.src, ...(hasPorts(otherTuple.proto) ? { srcPort: otherTuple.sport } : {}), ...(otherTuple.proto === IPPROTO_ICMP ? { echoId: otherTuple.sport } : {}) }
      : { dst: otherTuple.dst, ...(hasPorts(otherTuple.proto) ? { dstPort: otherTuple.dport } : {}), ...(otherTuple.proto === IPPROTO_ICMP ? { echoId: otherTuple.sport } : {}) };
  const rewritten = rewriteQuoted(quoted, change);
  if (!rewritten.ok) return 'drop';
  const icmp = withQuoted(p, rewritten.value);
  const target = invertTuple(otherTuple);
  if (target === undefined) return 'drop';
  const outer: Ipv4Repr = manip === 'SRC' ? { ...ip, src: target.src, payload: icmp } : { ...ip, dst: target.dst, payload: icmp };
  return { before: ip, after: outer, manip, quoted: true };
}

/** The quoted datagram of an ICMP error. */
function quotedOf(p: IcmpRepr): Uint8Array | undefined {
  switch (p.type) {
    case 'dest-unreachable':
    case 'time-exceeded':
      return p.quoted;
    case 'other':
      return p.rest.length > 4 ? p.rest.slice(4) : undefined;
    case 'echo-request':
    case 'echo-reply':
      return undefined;
  }
}

function withQuoted(p: IcmpRepr, quoted: Uint8Array): IcmpRepr {
  switch (p.type) {
    case 'dest-unreachable':
    case 'time-exceeded':
      return { ...p, quoted };
    case 'other': {
      const rest = new Uint8Array(4 + quoted.length);
      rest.set(p.rest.subarray(0, 4), 0);
      rest.set(quoted, 4);
      return { ...p, rest };
    }
    case 'echo-request':
    case 'echo-reply':
      return p;
  }
}

/** Text of a binding for trace records. */
export function bindingText(b: NatBinding): string {
  return `${b.manip === 'SRC' ? 'SNAT' : 'DNAT'} ${tupleText(b.before)} -> ${tupleText(b.after)}${b.nullBinding ? ' (null binding)' : ''}`;
}

