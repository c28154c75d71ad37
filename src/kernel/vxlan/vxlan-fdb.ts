/**
 * The forwarding table of one vxlan device: inner destination MAC -> one or more remote VTEPs
 * (IP, UDP port, VNI, outgoing device). The all-zeros MAC is the default for broadcast, unknown
 * multicast and unknown unicast; several remotes on it mean head-end replication to each.
 *
 * Models: `drivers/net/vxlan/vxlan_core.c` as of Linux 6.16+ (the FDB in one list, newest
 * first, and ageing by `updated`): `vxlan_fdb_update` (NLM_F_EXCL: EEXIST on an existing MAC;
 * `replace` changes the first remote of a unicast MAC only, `Cannot replace non-unicast fdb
 * entries`; `append` adds a remote to the all-zeros or a multicast MAC, and for a unicast MAC
 * only updates the state), `__vxlan_fdb_delete` (with `dst`, that remote goes and the entry
 * with its last one; a `dst` that matches no remote is silently ignored; without `dst` the
 * whole entry), `vxlan_snoop` (learning: refresh; a dynamic entry migrates to the new VTEP; a
 * permanent or static one is never moved and the packet is dropped), `vxlan_find_mac`
 * (a transmit lookup stamps `used`), `vxlan_cleanup` (dynamic entries expire `ageing` seconds
 * after `updated`), `vxlan_stop` (dynamic entries are flushed).
 * Entry states are those `bridge fdb` prints: `permanent` (NUD_PERMANENT), `static`
 * (NUD_NOARP), none (NUD_REACHABLE: learned or `dynamic`, ages). The bridge's `Fdb` holds the
 * entries and their ageing (`devices/fdb.ts`: `local` there is `permanent` here); the remote
 * lists and the vxlan rules are this file's.
 * Leaves out: nexthop-group entries (`nhid`), `src_vni` (collect-metadata devices), the
 * `router`, `extern_learn` and `offload` flags, `maxaddress`, netlink notifications.
 */
import type { Instant } from '../../engine/index.js';
import { isMulticastMac, type Ipv4, type Mac } from '../../packet/index.js';
import { Fdb, type FdbEntry, type FdbState } from '../devices/index.js';

/** `struct vxlan_rdst`: one destination of an entry. */
export interface VxlanRemote {
  readonly ip: Ipv4;
  readonly port: number;
  readonly vni: number;
  /** `remote_ifindex` (`via DEV`); 0: chosen by the route. */
  readonly ifindex: number;
}

export type VxlanFdbEntry = FdbEntry<readonly VxlanRemote[]>;

/** `bridge fdb add` (NLM_F_EXCL), `append` (NLM_F_APPEND), `replace` (NLM_F_REPLACE). */
export type FdbModifyMode = 'add' | 'append' | 'replace';

export type FdbModifyResult = 'added' | 'updated' | 'exists' | 'unsupported' | 'non-unicast-replace';

export type FdbDeleteResult = 'deleted' | 'remote-deleted' | 'no-entry' | 'no-remote';

/** What learning an inner source MAC did (`vxlan_snoop`); `pinned` drops the packet. */
export type SnoopOutcome =
  | { readonly kind: 'new' }
  | { readonly kind: 'refreshed' }
  | { readonly kind: 'migrated'; readonly from: Ipv4 }
  | { readonly kind: 'pinned'; readonly to: Ipv4; readonly state: FdbState };

export const ALL_ZEROS_MAC: Mac = 0;

function sameRemote(a: VxlanRemote, b: VxlanRemote): boolean {
  return a.ip === b.ip && a.port === b.port && a.vni === b.vni && a.ifindex === b.ifindex;
}

/** The all-zeros MAC and multicast MACs take lists of remotes; unicast MACs one. */
function isDefaultOrMulticast(mac: Mac): boolean {
  return mac === ALL_ZEROS_MAC || isMulticastMac(mac);
}

export class VxlanFdb {
  private readonly table: Fdb<readonly VxlanRemote[]>;

  /** `ageingSeconds`: `cfg.age_interval`. */
  constructor(ageingSeconds: number) {
    this.table = new Fdb(ageingSeconds * 1_000_000_000);
  }

  /** `vxlan_find_mac` on transmit: the live entry for `mac`, its `used` stamped. */
  lookupForTx(mac: Mac, now: Instant): VxlanFdbEntry | undefined {
    const entry = this.table.lookup(mac, now);
    if (entry !== undefined) entry.used = now;
    return entry;
  }

  /** `__vxlan_find_mac`: the live entry, nothing stamped. */
  find(mac: Mac, now: Instant): VxlanFdbEntry | undefined {
    return this.table.lookup(mac, now);
  }

  /** `vxlan_fdb_update` from `bridge fdb add|append|replace` (or the device's creation). */
  update(mac: Mac, remote: VxlanRemote, state: FdbState, mode: FdbModifyMode, now: Instant, byUser = true): FdbModifyResult {
    const entry = this.table.lookup(mac, now);
    if (entry === undefined) {
      if (mode === 'replace' && isDefaultOrMulticast(mac)) return 'unsupported';
      this.table.add(mac, [remote], state, now, { byUser });
      return 'added';
    }
    if (mode === 'add') return 'exists';
    if (entry.state !== state) {
      entry.state = state;
      entry.updated = now;
    }
    if (mode === 'replace') {
      if (isDefaultOrMulticast(mac)) return 'non-unicast-replace';
      if (!entry.port.some(r => sameRemote(r, remote))) entry.port = [remote, ...entry.port.slice(1)];
    } else if (isDefaultOrMulticast(mac) && !entry.port.some(r => sameRemote(r, remote))) {
      entry.port = [...entry.port, remote];
    }
    return 'updated';
  }

  /** `__vxlan_fdb_delete`: `remote` undefined (no `dst`) removes the whole entry. */
  delete(mac: Mac, remote: VxlanRemote | undefined, now: Instant): FdbDeleteResult {
    const entry = this.table.lookup(mac, now);
    if (entry === undefined) return 'no-entry';
    if (remote !== undefined) {
      const i = entry.port.findIndex(r => sameRemote(r, remote));
      if (i < 0) return 'no-remote';
      if (entry.port.length > 1) {
        entry.port = entry.port.filter((_, j) => j !== i);
        return 'remote-deleted';
      }
    }
    this.table.delete(mac);
    return 'deleted';
  }

  /**
   * `vxlan_snoop`: learn `mac` behind the VTEP `srcIp` (`learned` is the remote a new entry
   * gets: the device's dstport and VNI, no `via`).
   */
  snoop(mac: Mac, srcIp: Ipv4, learned: VxlanRemote, now: Instant): SnoopOutcome {
    const entry = this.table.lookup(mac, now);
    if (entry === undefined) {
      this.table.add(mac, [learned], 'dynamic', now, { byUser: false });
      return { kind: 'new' };
    }
    entry.updated = now;
    const first = entry.port[0];
    if (first !== undefined && first.ip === srcIp && first.ifindex === 0) return { kind: 'refreshed' };
    if (entry.state !== 'dynamic') return { kind: 'pinned', to: first?.ip ?? 0, state: entry.state };
    const from = first?.ip ?? 0;
    entry.port = [{ ...(first ?? learned), ip: srcIp, ifindex: 0 }, ...entry.port.slice(1)];
    return { kind: 'migrated', from };
  }

  /** `vxlan_stop`: what was learned (and `dynamic` entries) goes; permanent and static stay. */
  flushDynamic(): number {
    return this.table.flushDynamic();
  }

  /** Live entries in dump order (`vxlan_fdb_dump`: newest first). */
  entries(now: Instant): VxlanFdbEntry[] {
    return this.table.entries(now);
  }

  /** `cfg.age_interval` changed. */
  setAgeing(seconds: number): void {
    this.table.ageingTime = seconds * 1_000_000_000;
  }
}
