/**
 * `bridge fdb show|add|del|replace` for Linux bridges, and what `brctl showmacs` reads: FDB rows
 * in the order the kernel dumps them and with the fields iproute2 prints.
 *
 * Models: `net/core/rtnetlink.c` (`rtnl_fdb_dump`: devices in index order; for a bridge its own
 * entries (`dst == NULL`), for a bridge port its master's entries on that port; `rtnl_fdb_add`:
 * NTF_MASTER on a port goes to the bridge, NTF_SELF on the bridge device adds an entry of the
 * bridge itself), `net/bridge/br_fdb.c` (`fdb_fill_info`: `permanent` for local entries, `static`
 * for NUD_NOARP ones, nothing for learned ones; `__br_fdb_add`: ENOENT on delete of a missing
 * entry, EEXIST on add of an existing one), iproute2 `bridge/fdb.c` (`-s` prints
 * `used X/Y`: seconds since used and since updated).
 * Leaves out: the `self` multicast entries of every device (`33:33:...`, `01:00:5e:...` from
 * IPv6 and IGMP membership), VLAN and `extern_learn`/`sticky` flags, vxlan `dst` entries (the
 * vxlan device provides its own rows).
 */
import type { Instant } from '../../engine/index.js';
import type { Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import { BridgeDevice } from './bridge.js';
import type { FdbState } from './fdb.js';
import { ERR, OK, type LinkError, type LinkResult } from './link-result.js';

/** One `bridge fdb show` line's worth of data. */
export interface FdbRow {
  readonly mac: Mac;
  /** `dev X`: the port, or the bridge for its own entries. */
  readonly dev: string;
  /** `master BR` for bridge entries. */
  readonly master: string | undefined;
  /** `self` (an entry of the device itself rather than of its master). */
  readonly self: boolean;
  readonly state: 'permanent' | 'static' | undefined;
  readonly vlan: number | undefined;
  /** `-s`: whole seconds since last used and since last updated. */
  readonly usedAgo: number;
  readonly updatedAgo: number;
}

function stateWord(state: FdbState): FdbRow['state'] {
  return state === 'local' ? 'permanent' : state === 'static' ? 'static' : undefined;
}

function secondsSince(now: Instant, t: Instant): number {
  return Math.floor((now - t) / 1_000_000_000);
}

/** `bridge fdb show [br BR] [brport DEV]`, in kernel dump order, expired entries never shown. */
export function fdbShow(ns: NetNamespace, filter: { br?: string; brport?: string } = {}): FdbRow[] {
  const now = ns.host.world.engine.now;
  const rows: FdbRow[] = [];
  for (const dev of ns.sortedDevices()) {
    if (filter.brport !== undefined && dev.name !== filter.brport) continue;
    const br = dev instanceof BridgeDevice ? dev : dev.master instanceof BridgeDevice ? dev.master : undefined;
    if (br === undefined) continue;
    if (filter.br !== undefined && br.name !== filter.br) continue;
    for (const entry of br.fdb.entries(now)) {
      if (entry.port !== dev) continue;
      rows.push({
        mac: entry.mac,
        dev: dev.name,
        master: br.name,
        self: false,
        state: stateWord(entry.state),
        vlan: undefined,
        usedAgo: secondsSince(now, entry.used),
        updatedAgo: secondsSince(now, entry.updated),
      });
    }
  }
  return rows;
}

export interface FdbSpec {
  readonly mac: Mac;
  readonly dev: string;
  /** `master` (the bridge's table) or `self` (the device's own; on a bridge device, the bridge's own entries). */
  readonly target: 'master' | 'self';
  /** `permanent` (local: frames to it go up), `static` (no ageing) or `dynamic`; iproute2's default is static. */
  readonly state?: 'permanent' | 'static' | 'dynamic';
}

/** The bridge and the port an FDB command addresses, or the error iproute2 prints. */
function resolve(ns: NetNamespace, spec: FdbSpec): { br: BridgeDevice; port: NetDevice } | LinkError {
  const dev = ns.device(spec.dev);
  if (dev === undefined) return ERR.cannotFind(spec.dev);
  if (dev instanceof BridgeDevice) return { br: dev, port: dev };
  if (spec.target === 'master' && dev.master instanceof BridgeDevice) return { br: dev.master, port: dev };
  return ERR.unsupported();
}

/** `bridge fdb add|replace MAC dev DEV master|self [permanent|static|dynamic]`. */
export function fdbAdd(ns: NetNamespace, spec: FdbSpec, replace = false): LinkResult {
  const where = resolve(ns, spec);
  if ('ok' in where) return where;
  const state: FdbState = spec.state === 'permanent' ? 'local' : spec.state === 'dynamic' ? 'dynamic' : 'static';
  const outcome = where.br.fdb.add(spec.mac, where.port, state, ns.host.world.engine.now, { replace });
  return outcome === 'exists' ? ERR.exists() : OK;
}

/** `bridge fdb del MAC dev DEV master|self`. */
export function fdbDel(ns: NetNamespace, spec: FdbSpec): LinkResult {
  const where = resolve(ns, spec);
  if ('ok' in where) return where;
  const entry = where.br.fdb.lookup(spec.mac, ns.host.world.engine.now);
  if (entry === undefined || entry.port !== where.port) return { ok: false, kind: 'not-found', error: 'RTNETLINK answers: No such file or directory', exitCode: 2 };
  where.br.fdb.delete(spec.mac, where.port);
  return OK;
}
