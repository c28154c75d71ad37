/**
 * The conntrack table of one network namespace: confirmed entries hashed by both of their tuples,
 * lazy expiry on the engine clock, and the operations `conntrack -L/-D/-F` and NAT need.
 *
 * Models: `net/netfilter/nf_conntrack_core.c`: the per-netns hash (`nf_conntrack_hash`, both
 * `tuplehash` directions), `__nf_conntrack_find_get` (an expired entry found by a lookup is
 * killed and not returned: `nf_ct_is_expired` / `nf_ct_gc_expired`), `__nf_conntrack_confirm`
 * (insertion; a clash with an existing tuple fails the insert and the packet is dropped),
 * `nf_conntrack_tuple_taken` (used by NAT to find a free tuple), `nf_ct_kill`, `nf_ct_iterate_*`,
 * `net.netfilter.nf_conntrack_max` (a full table drops new connections: "table full, dropping
 * packet"); and the NAT `bysource` hash of `nf_nat_core.c` (`find_appropriate_src`).
 *
 * Time: entries carry an absolute expiry instant. Nothing is scheduled on the engine: a lookup
 * that finds an expired entry removes it, and listings purge expired entries first, so what a
 * user sees is the same as with the kernel's timers and garbage collector.
 * Leaves out: zones, the dying/unconfirmed lists (an unconfirmed entry lives only in the skb that
 * created it, so a dropped packet leaves no trace), early drop when full, event notifications.
 * Invariants: an entry is in `hash` under both tuple keys iff it is confirmed and not dying; the
 * listing order is confirmation order.
 */
import type { Instant } from '../../engine/index.js';
import type { NetNamespace } from '../netns.js';
import { CtEntry, type TcpTrack } from './entry.js';
import type { CtDir } from './tcp-state.js';
import { invertTuple, tupleKey, type CtTuple } from './tuple.js';

export const CONNTRACK_EXT_KEY = 'conntrack';

/** `nf_conntrack_max` when nothing set it (the reference host's value: 262144). */
export const NF_CONNTRACK_MAX_DEFAULT = 262144;

export interface CtHit {
  readonly entry: CtEntry;
  readonly dir: CtDir;
}

export class ConntrackTable {
  readonly ns: NetNamespace;
  private readonly hash = new Map<string, CtHit>();
  /** Confirmed entries in confirmation order. */
  private readonly live = new Map<number, CtEntry>();
  /** `bysource`: original source (proto, address, port) of SNAT-ed entries -> entries. */
  private readonly bySource = new Map<string, Set<CtEntry>>();
  private nextId = 1;
  /** `nf_conntrack_count`. */
  get count(): number {
    return this.live.size;
  }

  constructor(ns: NetNamespace) {
    this.ns = ns;
  }

  get now(): Instant {
    return this.ns.host.world.engine.now;
  }

  /** A new, unconfirmed entry (`__nf_conntrack_alloc`); not visible to lookups until confirmed. */
  create(orig: CtTuple, tcp: TcpTrack | undefined): CtEntry {
    const reply = invertTuple(orig) ?? orig;
    return new CtEntry(this.nextId++, orig, reply, this.now, tcp);
  }

  /** The table is at `nf_conntrack_max`. */
  full(): boolean {
    const r = this.ns.sysctl.get('net.netfilter.nf_conntrack_max');
    const max = r.ok ? Number(r.value) : NF_CONNTRACK_MAX_DEFAULT;
    return max > 0 && this.live.size >= max;
  }

  /** `nf_conntrack_find_get`: the confirmed, live entry with this tuple in either direction. */
  find(tuple: CtTuple): CtHit | undefined {
    const hit = this.hash.get(tupleKey(tuple));
    if (hit === undefined) return undefined;
    if (hit.entry.timeoutAt <= this.now) {
      this.kill(hit.entry);
      return undefined;
    }
    return hit;
  }

  /**
   * `nf_conntrack_tuple_taken`: is `tuple` (a reply tuple being considered) already used by
   * another live entry, in either direction?
   */
  tupleTaken(tuple: CtTuple, ignore: CtEntry): boolean {
    const hit = this.find(tuple);
    return hit !== undefined && hit.entry !== ignore;
  }

  /**
   * `__nf_conntrack_confirm`: inserts the entry under both tuples. False on a clash (either
   * tuple already taken by a live entry), in which case the caller drops the packet.
   */
  confirm(entry: CtEntry): boolean {
    if (entry.confirmed || entry.dying) return true;
    const origKey = tupleKey(entry.orig);
    const replyKey = tupleKey(entry.reply);
    if (this.find(entry.orig) !== undefined || this.find(entry.reply) !== undefined) return false;
    entry.confirmed = true;
    this.hash.set(origKey, { entry, dir: 'original' });
    this.hash.set(replyKey, { entry, dir: 'reply' });
    this.live.set(entry.id, entry);
    if (entry.srcNat) {
      const key = sourceKey(entry.orig);
      let set = this.bySource.get(key);
      if (set === undefined) this.bySource.set(key, (set = new Set()));
      set.add(entry);
    }
    return true;
  }

  /** `nf_conntrack_alter_reply`: NAT chose the reply tuple (rehashed if already confirmed). */
  alterReply(entry: CtEntry, reply: CtTuple): void {
    if (entry.confirmed && !entry.dying) {
      const oldKey = tupleKey(entry.reply);
      if (this.hash.get(oldKey)?.entry === entry) this.hash.delete(oldKey);
      entry.reply = reply;
      this.hash.set(tupleKey(reply), { entry, dir: 'reply' });
      return;
    }
    entry.reply = reply;
  }

  /** `nf_ct_kill`: removes the entry; packets still holding it keep their reference. */
  kill(entry: CtEntry): void {
    if (entry.dying) return;
    entry.dying = true;
    if (!entry.confirmed) return;
    const origKey = tupleKey(entry.orig);
    const replyKey = tupleKey(entry.reply);
    if (this.hash.get(origKey)?.entry === entry) this.hash.delete(origKey);
    if (this.hash.get(replyKey)?.entry === entry) this.hash.delete(replyKey);
    this.live.delete(entry.id);
    const set = this.bySource.get(sourceKey(entry.orig));
    if (set !== undefined) {
      set.delete(entry);
      if (set.size === 0) this.bySource.delete(sourceKey(entry.orig));
    }
  }

  /** Live entries in confirmation order; expired ones are purged first (what `conntrack -L` sees). */
  entries(): CtEntry[] {
    const now = this.now;
    const out: CtEntry[] = [];
    for (const entry of [...this.live.values()]) {
      if (entry.timeoutAt <= now) this.kill(entry);
      else out.push(entry);
    }
    return out;
  }

  /** `nf_ct_iterate_cleanup`: kills every live entry `which` selects; returns them. */
  killWhere(which: (entry: CtEntry) => boolean): CtEntry[] {
    const killed = this.entries().filter(which);
    for (const entry of killed) this.kill(entry);
    return killed;
  }

  /** `conntrack -F`. */
  flush(): number {
    return this.killWhere(() => true).length;
  }

  /**
   * `find_appropriate_src`: a live SNAT-ed entry with the same original source (protocol,
   * address, port), whose mapping the caller may reuse.
   */
  sourceMappings(orig: CtTuple): CtEntry[] {
    const set = this.bySource.get(sourceKey(orig));
    if (set === undefined) return [];
    const now = this.now;
    return [...set].filter(e => !e.dying && e.timeoutAt > now);
  }
}

function sourceKey(t: CtTuple): string {
  return `${t.proto}|${t.src}|${t.sport}`;
}

/** The conntrack table of `ns`, created on first use (`nf_conntrack_pernet_init`). */
export function conntrackOf(ns: NetNamespace): ConntrackTable {
  const existing = ns.ext.get(CONNTRACK_EXT_KEY);
  if (existing instanceof ConntrackTable) return existing;
  const table = new ConntrackTable(ns);
  ns.ext.set(CONNTRACK_EXT_KEY, table);
  ns.sysctl.define('net.netfilter.nf_conntrack_max', String(NF_CONNTRACK_MAX_DEFAULT));
  return table;
}

/** The table of `ns` if conntrack was ever used there. */
export function conntrackIfAny(ns: NetNamespace): ConntrackTable | undefined {
  const existing = ns.ext.get(CONNTRACK_EXT_KEY);
  return existing instanceof ConntrackTable ? existing : undefined;
}
