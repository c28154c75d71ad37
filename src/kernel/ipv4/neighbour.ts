/**
 * The IPv4 neighbour table (the ARP cache) of one namespace: NUD states on the engine clock, the
 * queue of packets waiting for resolution, and `ip neigh add / replace / change / del / flush`.
 *
 * Models: `net/core/neighbour.c` (`__neigh_event_send`, `neigh_timer_handler`, `neigh_update`,
 * `neigh_invalidate`, `neigh_flush_dev`, `neigh_rand_reach_time`, `neigh_add`/`neigh_delete`),
 * the ARP defaults of `net/ipv4/arp.c` `arp_tbl` (linux-primitives.md section 6):
 *
 *   none/failed --output--> INCOMPLETE: broadcast request now and every retrans_time (1 s);
 *                           after mcast_solicit (3) requests unanswered --> FAILED (queue dropped,
 *                           each packet reported with ICMP host unreachable by the caller)
 *   INCOMPLETE --reply--> REACHABLE (queue sent) for a random 0.5..1.5 x base_reachable_time (30 s)
 *   REACHABLE --expiry--> STALE, or DELAY when used in the last delay_first_probe_time (5 s)
 *   STALE --output--> DELAY --5 s, unconfirmed--> PROBE: ucast_solicit (3) unicast requests,
 *                           1 s apart --> FAILED; a reply on the way --> REACHABLE
 *   PERMANENT and NOARP never change by themselves.
 *
 * The reachable time is drawn per device from the RNG stream `neigh` and redrawn after 300 s, as
 * `neigh_periodic_work` does. The probe itself (an ARP request) is sent by `arp.ts` through the
 * `solicit` callback; what this table decides is data (`NeighOutput`) the output path applies.
 * Leaves out: garbage collection (Linux collects nothing below gc_thresh1 = 128 entries), the
 * byte-based unres_qlen_bytes limit (a 101-packet limit instead, the classic unres_qlen), app
 * probes, `isrouter`, entries for NOARP devices (computed on the fly, never listed), locktime
 * handling beyond the ARP receive path, per-device `net.ipv4.neigh.*` tunables.
 */
import { SECOND, type EventId, type Instant, type Rng } from '../../engine/index.js';
import { formatIpv4, formatMac, type Ipv4, type Mac } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { IPROUTE_ERRORS, IPROUTE_OK, type IprouteResult } from './errors.js';

export type NudState = 'none' | 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'permanent' | 'noarp';

/** The ARP defaults (`arp_tbl.parms`). */
export const NEIGH_PARMS = {
  retransTime: 1 * SECOND,
  baseReachableTime: 30 * SECOND,
  delayProbeTime: 5 * SECOND,
  mcastProbes: 3,
  ucastProbes: 3,
  unresQlen: 101,
  locktime: 1 * SECOND,
  reachableRedraw: 300 * SECOND,
} as const;

/** A packet waiting for its next hop's MAC. */
export interface NeighPendingPacket {
  readonly skb: Skb;
  /** The packet's IPv4 source: `arp_solicit` announces it when it is local. */
  readonly src: Ipv4;
  /** Sends the packet to `mac` (the output path builds the frame and transmits). */
  send(mac: Mac): void;
  /** Resolution failed: the output path drops it and reports the error. */
  fail(): void;
}

export interface NeighEntry {
  readonly ip: Ipv4;
  readonly dev: NetDevice;
  mac: Mac | undefined;
  state: NudState;
  probes: number;
  timer: EventId | undefined;
  confirmed: Instant;
  updated: Instant;
  used: Instant;
  queue: NeighPendingPacket[];
  /** Packet id the table's own trace records are filed under (the last packet to use the entry). */
  lastPacketId: number;
  /** The last `send` answer given for this entry, reused while its address and state stay the same. */
  lastSend?: (NeighOutput & { readonly kind: 'send' }) | undefined;
}

/** What `neigh_output` decided for one packet. */
export type NeighOutput =
  | { readonly kind: 'send'; readonly mac: Mac; readonly state: NudState }
  | { readonly kind: 'queued'; readonly state: 'incomplete' };

/** A request the table wants sent (`neigh->ops->solicit`): unicast to `unicast`, else broadcast. */
export interface NeighSolicitation {
  readonly entry: NeighEntry;
  readonly unicast: Mac | undefined;
  /** The source of the newest queued packet (`skb_peek_tail(&neigh->arp_queue)`). */
  readonly srcHint: Ipv4 | undefined;
}

const VALID: ReadonlySet<NudState> = new Set(['permanent', 'noarp', 'reachable', 'probe', 'stale', 'delay']);
const CONNECTED: ReadonlySet<NudState> = new Set(['permanent', 'noarp', 'reachable']);

/** `{ kind: 'send', mac, state }` for an entry; the same value while they do not change (answers are immutable). */
function sendAnswer(e: NeighEntry): NeighOutput & { readonly kind: 'send' } {
  const last = e.lastSend;
  if (last !== undefined && last.mac === e.mac && last.state === e.state) return last;
  return (e.lastSend = { kind: 'send', mac: e.mac!, state: e.state });
}

export function isNudValid(s: NudState): boolean {
  return VALID.has(s);
}

export class NeighbourTable {
  private readonly entries = new Map<NetDevice, Map<Ipv4, NeighEntry>>();
  /** `pneigh`: `ip neigh add proxy IP dev D`. */
  private readonly proxies = new Map<NetDevice, Set<Ipv4>>();
  private readonly reach = new Map<NetDevice, { value: number; drawnAt: Instant }>();
  /** Set by `stack.ts`: sends the ARP request (`arp_solicit`). */
  solicit: (s: NeighSolicitation) => void = () => undefined;

  constructor(
    private readonly ns: NetNamespace,
    private readonly rng: Rng,
  ) {}

  private get now(): Instant {
    return this.ns.host.world.engine.now;
  }

  get(dev: NetDevice, ip: Ipv4): NeighEntry | undefined {
    return this.entries.get(dev)?.get(ip);
  }

  /** `neigh->parms->reachable_time`: random in [base/2, 3 base/2), redrawn every 300 s. */
  reachableTime(dev: NetDevice): number {
    const r = this.reach.get(dev);
    if (r !== undefined && this.now - r.drawnAt < NEIGH_PARMS.reachableRedraw) return r.value;
    const base = NEIGH_PARMS.baseReachableTime;
    const value = base / 2 + this.rng.int(base);
    this.reach.set(dev, { value, drawnAt: this.now });
    return value;
  }

  /**
   * `neigh_output` when the entry can send at once (connected, or already being probed): the
   * answer, with the entry marked used; undefined when `output` must queue or resolve (nothing
   * changed then). The output path tries this first so a packet needs no pending record.
   */
  outputIfConnected(dev: NetDevice, ip: Ipv4, packetId: number): NeighOutput | undefined {
    const e = this.get(dev, ip);
    if (e === undefined) return undefined;
    switch (e.state) {
      case 'reachable':
      case 'permanent':
      case 'noarp':
      case 'delay':
      case 'probe':
        e.used = this.now;
        e.lastPacketId = packetId;
        return sendAnswer(e);
      case 'stale':
      case 'none':
      case 'failed':
      case 'incomplete':
        return undefined;
    }
  }

  /** `neigh_output` / `neigh_resolve_output` for one packet to next hop `ip` on `dev`. */
  output(dev: NetDevice, ip: Ipv4, pending: NeighPendingPacket): NeighOutput {
    let e = this.get(dev, ip);
    if (e === undefined) e = this.create(dev, ip);
    e.used = this.now;
    e.lastPacketId = pending.skb.id;
    switch (e.state) {
      // Connected, or already being probed: the cached address is used (`neigh_event_send` is 0).
      case 'reachable':
      case 'permanent':
      case 'noarp':
      case 'delay':
      case 'probe':
        return sendAnswer(e);
      // First use of a stale entry: send with the old address and check it in 5 s.
      case 'stale':
        this.setState(e, 'delay', NEIGH_PARMS.delayProbeTime);
        return { kind: 'send', mac: e.mac!, state: 'delay' };
      // New or failed before: start resolving (`__neigh_event_send`).
      case 'none':
      case 'failed':
        e.probes = NEIGH_PARMS.ucastProbes;
        this.setState(e, 'incomplete', NEIGH_PARMS.retransTime);
        this.enqueue(e, pending);
        this.probe(e);
        return { kind: 'queued', state: 'incomplete' };
      case 'incomplete':
        this.enqueue(e, pending);
        return { kind: 'queued', state: 'incomplete' };
    }
  }

  /**
   * `neigh_update` from the ARP receive path: `state` is REACHABLE for a unicast reply, STALE
   * otherwise; `override` false keeps a valid entry's different address (locktime).
   */
  update(dev: NetDevice, ip: Ipv4, mac: Mac, state: 'reachable' | 'stale', override: boolean, create: boolean, cause = 0): NeighEntry | undefined {
    let e = this.get(dev, ip);
    if (e === undefined) {
      if (!create) return undefined;
      e = this.create(dev, ip);
    }
    if (cause !== 0) e.lastPacketId = cause;
    this.apply(e, mac, state, override, false);
    return e;
  }

  /** Reachability confirmed by an upper layer (`neigh_confirm`, e.g. TCP progress). */
  confirm(dev: NetDevice, ip: Ipv4): void {
    const e = this.get(dev, ip);
    if (e !== undefined) e.confirmed = this.now;
  }

  /** The address of a valid entry, without starting resolution (bridge DNAT, `ip neigh get`). */
  macOf(dev: NetDevice, ip: Ipv4): Mac | undefined {
    const e = this.get(dev, ip);
    return e !== undefined && VALID.has(e.state) ? e.mac : undefined;
  }

  /**
   * `ip neigh add|replace|change IP lladdr MAC dev D [nud S]` (iproute2's default state is
   * permanent). `add` fails on an existing entry, `change` on a missing one.
   */
  neighSet(mode: 'add' | 'replace' | 'change', dev: NetDevice, ip: Ipv4, mac: Mac, state: 'permanent' | 'reachable' | 'stale' | 'noarp' = 'permanent'): IprouteResult {
    const existing = this.get(dev, ip);
    if (mode === 'add' && existing !== undefined) return IPROUTE_ERRORS.neighExists();
    if (mode === 'change' && existing === undefined) return IPROUTE_ERRORS.neighNotFound();
    this.apply(existing ?? this.create(dev, ip), mac, state, true, true);
    return IPROUTE_OK;
  }

  /** `ip neigh del IP dev D`. */
  neighDel(dev: NetDevice, ip: Ipv4): IprouteResult {
    const e = this.get(dev, ip);
    if (e === undefined) return IPROUTE_ERRORS.neighNotFound();
    this.destroy(e, 'neigh-failed');
    return IPROUTE_OK;
  }

  /** `ip neigh flush [dev D]`: every entry except permanent and noarp ones, unless `all`. Returns the count. */
  neighFlush(dev?: NetDevice, all = false): number {
    let n = 0;
    for (const e of this.list(dev)) {
      if (!all && (e.state === 'permanent' || e.state === 'noarp')) continue;
      this.destroy(e, 'neigh-failed');
      n++;
    }
    return n;
  }

  /** `neigh_ifdown` (device down or gone: everything) / `neigh_carrier_down` (keep permanent). */
  ifdown(dev: NetDevice, keepPermanent = false): void {
    for (const e of this.list(dev)) {
      if (keepPermanent && e.state === 'permanent') continue;
      this.destroy(e, 'link-down');
    }
    if (!keepPermanent) {
      this.proxies.delete(dev);
      this.reach.delete(dev);
    }
  }

  proxyAdd(dev: NetDevice, ip: Ipv4): IprouteResult {
    let set = this.proxies.get(dev);
    if (set === undefined) this.proxies.set(dev, (set = new Set()));
    set.add(ip);
    return IPROUTE_OK;
  }

  proxyDel(dev: NetDevice, ip: Ipv4): IprouteResult {
    return this.proxies.get(dev)?.delete(ip) === true ? IPROUTE_OK : IPROUTE_ERRORS.neighNotFound();
  }

  /** `pneigh_lookup`. */
  isProxied(dev: NetDevice, ip: Ipv4): boolean {
    return this.proxies.get(dev)?.has(ip) ?? false;
  }

  proxyList(): { dev: NetDevice; ip: Ipv4 }[] {
    const out: { dev: NetDevice; ip: Ipv4 }[] = [];
    for (const [dev, set] of this.proxies) for (const ip of set) out.push({ dev, ip });
    return out.sort((a, b) => a.dev.ifindex - b.dev.ifindex || a.ip - b.ip);
  }

  /** Entries sorted by device index, then address (the documented dump order). */
  list(dev?: NetDevice): NeighEntry[] {
    const out: NeighEntry[] = [];
    for (const [d, map] of this.entries) if (dev === undefined || d === dev) out.push(...map.values());
    return out.sort((a, b) => a.dev.ifindex - b.dev.ifindex || a.ip - b.ip);
  }

  private create(dev: NetDevice, ip: Ipv4): NeighEntry {
    const e: NeighEntry = { ip, dev, mac: undefined, state: 'none', probes: 0, timer: undefined, confirmed: this.now, updated: this.now, used: this.now, queue: [], lastPacketId: 0, lastSend: undefined };
    let map = this.entries.get(dev);
    if (map === undefined) this.entries.set(dev, (map = new Map()));
    map.set(ip, e);
    return e;
  }

  /** `neigh_update` with a new address: the part shared by ARP input and admin changes. */
  private apply(e: NeighEntry, mac: Mac, requested: NudState, override: boolean, admin: boolean): void {
    const old = e.state;
    if (!admin && (old === 'noarp' || old === 'permanent')) return;
    let next = requested;
    if (CONNECTED.has(next)) e.confirmed = this.now;
    if (VALID.has(old)) {
      if (mac !== e.mac && !override) return;
      if (mac === e.mac && next === 'stale' && !admin) next = old;
    }
    if (next !== old || mac !== e.mac) e.updated = this.now;
    // A new address learnt without confirmation is not proof of reachability.
    if (mac !== e.mac && !CONNECTED.has(next)) e.confirmed = this.now - 2 * NEIGH_PARMS.baseReachableTime;
    e.mac = mac;
    if (next !== old) {
      if (next === 'probe') e.probes = 0;
      this.setState(e, next, next === 'reachable' ? this.reachableTime(e.dev) : next === 'delay' || next === 'probe' ? 0 : undefined);
    }
    if (!VALID.has(old) && VALID.has(e.state)) {
      const queue = e.queue;
      e.queue = [];
      for (const p of queue) p.send(mac);
    }
  }

  private setState(e: NeighEntry, state: NudState, timerIn: number | undefined): void {
    const from = e.state;
    const engine = this.ns.host.world.engine;
    if (e.timer !== undefined) engine.cancel(e.timer);
    e.timer = undefined;
    e.state = state;
    e.updated = this.now;
    if (timerIn !== undefined) e.timer = engine.scheduleIn(timerIn, () => this.onTimer(e));
    if (this.ns.host.world.trace.enabled && from !== state) {
      this.ns.trace(e.lastPacketId, e.dev, 'neighbour', {
        ip: formatIpv4(e.ip),
        from,
        to: state,
        mac: e.mac === undefined ? null : formatMac(e.mac),
      });
    }
  }

  /** `neigh_timer_handler`. */
  private onTimer(e: NeighEntry): void {
    e.timer = undefined;
    const now = this.now;
    let next = now + NEIGH_PARMS.retransTime;
    switch (e.state) {
      case 'reachable': {
        const until = e.confirmed + this.reachableTime(e.dev);
        if (now < until) {
          e.timer = this.ns.host.world.engine.scheduleAt(until, () => this.onTimer(e));
          return;
        }
        if (now <= e.used + NEIGH_PARMS.delayProbeTime) this.setState(e, 'delay', NEIGH_PARMS.delayProbeTime);
        else this.setState(e, 'stale', undefined);
        return;
      }
      case 'delay':
        if (now <= e.confirmed + NEIGH_PARMS.delayProbeTime) {
          next = e.confirmed + this.reachableTime(e.dev);
          this.setState(e, 'reachable', Math.max(0, next - now));
          return;
        }
        e.probes = 0;
        this.setState(e, 'probe', NEIGH_PARMS.retransTime);
        break;
      case 'incomplete':
      case 'probe':
        this.setState(e, e.state, NEIGH_PARMS.retransTime);
        break;
      case 'none':
      case 'stale':
      case 'failed':
      case 'permanent':
      case 'noarp':
        return;
    }
    const max = NEIGH_PARMS.ucastProbes + (e.state === 'probe' ? 0 : NEIGH_PARMS.mcastProbes);
    if (e.probes >= max) {
      this.setState(e, 'failed', undefined);
      this.invalidate(e);
      return;
    }
    this.probe(e);
  }

  /** `neigh_probe`: one request; unicast while fewer than ucast_solicit probes went out. */
  private probe(e: NeighEntry): void {
    const unicast = e.probes < NEIGH_PARMS.ucastProbes ? e.mac : undefined;
    e.probes++;
    const last = e.queue[e.queue.length - 1];
    this.solicit({ entry: e, unicast, srcHint: last?.src });
  }

  private enqueue(e: NeighEntry, p: NeighPendingPacket): void {
    while (e.queue.length >= NEIGH_PARMS.unresQlen) {
      const old = e.queue.shift()!;
      this.ns.drop(old.skb, e.dev, 'queue-full', { neighbour: formatIpv4(e.ip) });
    }
    e.queue.push(p);
  }

  /** `neigh_invalidate`: every queued packet fails (`arp_error_report`). */
  private invalidate(e: NeighEntry): void {
    const queue = e.queue;
    e.queue = [];
    for (const p of queue) p.fail();
  }

  private destroy(e: NeighEntry, reason: 'neigh-failed' | 'link-down'): void {
    if (e.timer !== undefined) this.ns.host.world.engine.cancel(e.timer);
    e.timer = undefined;
    for (const p of e.queue) this.ns.drop(p.skb, e.dev, reason, { neighbour: formatIpv4(e.ip) });
    e.queue = [];
    const map = this.entries.get(e.dev);
    map?.delete(e.ip);
    if (map !== undefined && map.size === 0) this.entries.delete(e.dev);
  }
}
