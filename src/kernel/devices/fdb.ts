/**
 * A forwarding database: MAC address -> port, with learning, roaming, ageing on the engine clock,
 * and local (permanent) and static entries. The Linux bridge and the underlay's learning switch
 * both use it, with their own port type.
 *
 * Models: `net/bridge/br_fdb.c` (`br_fdb_update`: learn or refresh; a non-local entry seen on
 * another port moves there ("roaming") unless sticky; a source equal to a local entry is never
 * learned ("received packet on X with own address as source address"); `has_expired`:
 * `updated + ageing_time <= now` for entries that are neither local nor static; `fdb_add_entry`
 * with NLM_F_EXCL gives EEXIST), `include/linux/if_bridge.h` (`BR_DEFAULT_AGEING_TIME` 300 s).
 * Entry states are the three `bridge fdb` prints: `permanent` (local: frames to it go up to the
 * bridge itself; never ages, never moves), `static` (never ages), none (dynamic, ages).
 *
 * Expiry is lazy: a lookup or a listing never returns an expired entry and removes what it
 * finds expired; `sweep(now)` is the garbage collector's pass (`br_fdb_cleanup`) for callers
 * that want the table trimmed. Nothing here schedules engine events, so an idle bridge never
 * keeps the event queue busy.
 *
 * Leaves out: VLAN-keyed entries (the key is the MAC alone: `vlan_filtering 0`), sticky and
 * extern_learn flags, the hash table's capacity limits (`fdb_max_learned`), notifications.
 * Invariant: one MAC maps to at most one port (a Map keyed by MAC).
 */
import { SECOND, type Duration, type Instant } from '../../engine/index.js';
import type { Mac } from '../../packet/index.js';

export const DEFAULT_AGEING_TIME: Duration = 300 * SECOND;

export type FdbState = 'local' | 'static' | 'dynamic';

export interface FdbEntry<P> {
  readonly mac: Mac;
  port: P;
  state: FdbState;
  /** Last time the address was seen as a source (or the entry was added). */
  updated: Instant;
  /** Last time a frame was forwarded using this entry. */
  used: Instant;
  /** Added through `bridge fdb add` rather than learned (`BR_FDB_ADDED_BY_USER`). */
  addedByUser: boolean;
  /** Creation order; listings print newest first, as the kernel's hash chains do. */
  readonly seq: number;
}

/** What learning a source address did: decisions are data, the caller traces them. */
export type LearnOutcome<P> =
  | { readonly kind: 'new' }
  | { readonly kind: 'refreshed' }
  | { readonly kind: 'moved'; readonly from: P }
  | { readonly kind: 'own-address' };

export type FdbAddOutcome = 'added' | 'exists' | 'replaced';

const LEARNED_NEW = { kind: 'new' } as const;
const LEARNED_REFRESHED = { kind: 'refreshed' } as const;
const LEARNED_OWN = { kind: 'own-address' } as const;

export class Fdb<P> {
  ageingTime: Duration;
  private readonly table = new Map<Mac, FdbEntry<P>>();
  private nextSeq = 0;

  constructor(ageingTime: Duration = DEFAULT_AGEING_TIME) {
    this.ageingTime = ageingTime;
  }

  /** `has_expired`: only dynamic entries age. */
  isExpired(entry: FdbEntry<P>, now: Instant): boolean {
    return entry.state === 'dynamic' && entry.updated + this.ageingTime <= now;
  }

  /** `br_fdb_find_rcu`: the live entry for `mac`; an expired one is removed and not returned. */
  lookup(mac: Mac, now: Instant): FdbEntry<P> | undefined {
    const entry = this.table.get(mac);
    if (entry === undefined) return undefined;
    if (this.isExpired(entry, now)) {
      this.table.delete(mac);
      return undefined;
    }
    return entry;
  }

  /** `br_fdb_update`: learn `mac` on `port` (the caller checks the port's LEARNING flag). */
  learn(mac: Mac, port: P, now: Instant): LearnOutcome<P> {
    const entry = this.lookup(mac, now);
    if (entry === undefined) {
      this.insert(mac, port, 'dynamic', now, false);
      return LEARNED_NEW;
    }
    if (entry.state === 'local') return LEARNED_OWN;
    entry.updated = now;
    if (entry.port !== port) {
      const from = entry.port;
      entry.port = port;
      return { kind: 'moved', from };
    }
    return LEARNED_REFRESHED;
  }

  /**
   * `bridge fdb add|replace MAC dev PORT [permanent|static|dynamic]`. Without `replace` an
   * existing entry is an error (EEXIST), as with iproute2's NLM_F_EXCL.
   */
  add(mac: Mac, port: P, state: FdbState, now: Instant, options: { replace?: boolean; byUser?: boolean } = {}): FdbAddOutcome {
    const existing = this.lookup(mac, now);
    const byUser = options.byUser ?? true;
    if (existing !== undefined) {
      if (options.replace !== true) return 'exists';
      existing.port = port;
      existing.state = state;
      existing.updated = now;
      existing.addedByUser = byUser;
      return 'replaced';
    }
    this.insert(mac, port, state, now, byUser);
    return 'added';
  }

  /** `bridge fdb del MAC dev PORT`: true when an entry for `mac` (on `port`, if given) existed. */
  delete(mac: Mac, port?: P): boolean {
    const entry = this.table.get(mac);
    if (entry === undefined || (port !== undefined && entry.port !== port)) return false;
    this.table.delete(mac);
    return true;
  }

  /** The entry for `mac`, live or not (the bridge's own-address bookkeeping reads it). */
  peek(mac: Mac): FdbEntry<P> | undefined {
    return this.table.get(mac);
  }

  /**
   * `br_fdb_delete_by_port`: forget what was learned or added on `port` (a port leaving the
   * bridge, or going down: `do_all` false keeps static and local entries).
   */
  deletePort(port: P, includePermanent: boolean): number {
    let removed = 0;
    for (const [mac, entry] of this.table) {
      if (entry.port !== port) continue;
      if (!includePermanent && entry.state !== 'dynamic') continue;
      this.table.delete(mac);
      removed++;
    }
    return removed;
  }

  /** `br_fdb_flush`: dynamic entries only. */
  flushDynamic(): number {
    let removed = 0;
    for (const [mac, entry] of this.table) {
      if (entry.state !== 'dynamic') continue;
      this.table.delete(mac);
      removed++;
    }
    return removed;
  }

  /** `br_fdb_cleanup`: removes expired entries; returns how many. */
  sweep(now: Instant): number {
    let removed = 0;
    for (const [mac, entry] of this.table) {
      if (!this.isExpired(entry, now)) continue;
      this.table.delete(mac);
      removed++;
    }
    return removed;
  }

  /** Live entries, newest first (the order `bridge fdb show` prints within a device). */
  entries(now: Instant): FdbEntry<P>[] {
    this.sweep(now);
    return [...this.table.values()].sort((a, b) => b.seq - a.seq);
  }

  /** Number of stored entries, expired ones included until a lookup or sweep removes them. */
  get size(): number {
    return this.table.size;
  }

  private insert(mac: Mac, port: P, state: FdbState, now: Instant, byUser: boolean): void {
    this.table.set(mac, { mac, port, state, updated: now, used: now, addedByUser: byUser, seq: this.nextSeq++ });
  }
}
