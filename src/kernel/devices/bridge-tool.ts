/**
 * What the `bridge` tool (and `brctl`) does to Linux bridges: `bridge fdb show|add|del|replace`
 * (FDB rows in the order the kernel dumps them, with the fields iproute2 prints, as `brctl
 * showmacs` reads them too), `bridge link show|set` (port flags), and `ip link set BR type bridge
 * ...` options.
 *
 * Models: `net/core/rtnetlink.c` (`rtnl_fdb_dump`: devices in index order; for a bridge its own
 * entries (`dst == NULL`), for a bridge port its master's entries on that port; `rtnl_fdb_add`:
 * NTF_MASTER on a port goes to the bridge, NTF_SELF on the bridge device adds an entry of the
 * bridge itself), `net/bridge/br_fdb.c` (`fdb_fill_info`: `permanent` for local entries, `static`
 * for NUD_NOARP ones, nothing for learned ones; `__br_fdb_add`: ENOENT on delete of a missing
 * entry, EEXIST on add of an existing one), iproute2 `bridge/fdb.c` (`-s` prints
 * `used X/Y`: seconds since used and since updated).
 * `net/bridge/br_netlink.c` (`br_setport`: hairpin, learning, flood flags; EOPNOTSUPP on a device
 * that is not a port), `net/bridge/br_sysfs_br.c` and `br_netlink.c` (`br_changelink`).
 * Leaves out: STP (`stp_state 1` is refused), the `self` multicast entries of every device (`33:33:...`, `01:00:5e:...` from
 * IPv6 and IGMP membership), VLAN and `extern_learn`/`sticky` flags, vxlan `dst` entries (the
 * vxlan device provides its own rows).
 */
import type { Instant } from '../../engine/index.js';
import type { Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { Duration } from '../../engine/index.js';
import type { NetNamespace } from '../netns.js';
import { BridgeDevice, type BridgePort } from './bridge.js';
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

/** `bridge link show`: every bridge port of the namespace, by ifindex. */
export function bridgeLinks(ns: NetNamespace, master?: string): BridgePort[] {
  const ports: BridgePort[] = [];
  for (const dev of ns.sortedDevices()) {
    const br = dev.master;
    if (!(br instanceof BridgeDevice) || (master !== undefined && br.name !== master)) continue;
    const port = br.port(dev);
    if (port !== undefined) ports.push(port);
  }
  return ports;
}

export interface BridgePortFlags {
  readonly hairpin?: boolean;
  readonly learning?: boolean;
  readonly flood?: boolean;
  readonly mcastFlood?: boolean;
  readonly bcastFlood?: boolean;
  readonly priority?: number;
  readonly cost?: number;
}

/** `bridge link set dev DEV hairpin on ...` (also `ip link set DEV type bridge_slave ...`). */
export function bridgeLinkSet(ns: NetNamespace, devName: string, flags: BridgePortFlags): LinkResult {
  const dev = ns.device(devName);
  if (dev === undefined) return ERR.cannotFind(devName);
  const port = dev.master instanceof BridgeDevice ? dev.master.port(dev) : undefined;
  if (port === undefined) return ERR.unsupported();
  if (flags.hairpin !== undefined) port.hairpin = flags.hairpin;
  if (flags.learning !== undefined) {
    port.learning = flags.learning;
    // br_setport: turning learning off forgets what the port learned.
    if (!flags.learning) port.bridge.fdb.deletePort(dev, false);
  }
  if (flags.flood !== undefined) port.flood = flags.flood;
  if (flags.mcastFlood !== undefined) port.mcastFlood = flags.mcastFlood;
  if (flags.bcastFlood !== undefined) port.bcastFlood = flags.bcastFlood;
  if (flags.priority !== undefined) port.priority = flags.priority;
  if (flags.cost !== undefined) port.cost = flags.cost;
  return OK;
}

export interface BridgeOptionsChange {
  readonly ageingTime?: Duration;
  readonly stpState?: number;
  readonly nfCallIptables?: boolean;
}

/** `ip link set BR type bridge ageing_time N stp_state 0 nf_call_iptables 1`. */
export function bridgeSet(ns: NetNamespace, brName: string, change: BridgeOptionsChange): LinkResult {
  const br = ns.device(brName);
  if (br === undefined) return ERR.cannotFind(brName);
  if (!(br instanceof BridgeDevice)) return ERR.unsupported();
  if (change.stpState !== undefined && change.stpState !== 0) return ERR.unsupported();
  if (change.ageingTime !== undefined) br.ageingTime = change.ageingTime;
  if (change.nfCallIptables !== undefined) br.nfCallIptables = change.nfCallIptables;
  return OK;
}
