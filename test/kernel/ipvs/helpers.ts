// Helpers for the IPVS tests: plain destinations and a destination list that calls a
// scheduler's hooks the way ip_vs_ctl.c does (new entries at the head), and a namespace with
// IPVS state for decision-level tests (no IP stack needed).
import { World, type NetNamespace } from '../../../src/kernel/index.js';
import {
  createScheduler,
  ipvsOf,
  type IpvsInDecision,
  type IpvsPacket,
  type IpvsState,
  type SchedDest,
  type Scheduler,
  type SchedulerName,
} from '../../../src/kernel/ipvs/index.js';
import { IPPROTO_TCP, TCP_ACK, TCP_SYN, parseIpv4, type Ipv4 } from '../../../src/packet/index.js';

export function ip(text: string): Ipv4 {
  const v = parseIpv4(text);
  if (v === undefined) throw new Error(`bad address ${text}`);
  return v;
}

export interface TestDest extends SchedDest {
  readonly name: string;
  addr: Ipv4;
  port: number;
  weight: number;
  lastWeight: number;
  overloaded: boolean;
  activeConns: number;
  inactConns: number;
}

export function dest(name: string, weight = 1, addr = `10.0.0.${name.charCodeAt(0) - 64}`): TestDest {
  return { name, addr: ip(addr), port: 80, weight, lastWeight: weight, overloaded: false, activeConns: 0, inactConns: 0 };
}

/** A service's destination list with its scheduler, mutated as ip_vs_ctl.c mutates it. */
export class DestList {
  readonly dests: TestDest[] = [];
  readonly sched: Scheduler<TestDest>;

  constructor(name: SchedulerName, initial: TestDest[] = []) {
    // ip_vs_add_service binds the scheduler to an empty list; destinations come afterwards.
    this.sched = createScheduler<TestDest>(name, this.dests);
    for (const d of initial) this.add(d);
  }

  add(d: TestDest): void {
    this.dests.unshift(d);
    this.sched.added(this.dests, d);
  }

  remove(name: string): void {
    const index = this.dests.findIndex(d => d.name === name);
    const [d] = this.dests.splice(index, 1);
    this.sched.removed(this.dests, d!, index);
  }

  update(name: string, change: Partial<Pick<TestDest, 'weight' | 'overloaded'>>): void {
    const d = this.dests.find(x => x.name === name)!;
    if (change.weight !== undefined) {
      d.weight = change.weight;
      if (change.weight !== 0) d.lastWeight = change.weight;
    }
    if (change.overloaded !== undefined) d.overloaded = change.overloaded;
    this.sched.updated(this.dests, d);
  }

  /** `n` schedules from client 10.9.9.9, by name ('-' when none). */
  picks(n: number, saddr = ip('10.9.9.9')): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.sched.schedule(this.dests, { saddr, sport: 40000 + i }, 0)?.name ?? '-');
    return out;
  }
}

/** A namespace (no IP stack) with IPVS loaded. */
export function ipvsNs(seed = 1): { world: World; ns: NetNamespace; ipvs: IpvsState } {
  const world = new World({ seed });
  const host = world.addHost('director');
  const ns = host.rootNs;
  return { world, ns, ipvs: ipvsOf(ns) };
}

export function must<T>(r: { ok: true; value: T } | { ok: false; errno: string }): T {
  if (!r.ok) throw new Error(`IPVS operation failed: ${r.errno}`);
  return r.value;
}

/** A TCP segment from client `c`:`cport` to `vip`:`vport`. */
export function tcp(c: string, cport: number, vip: string, vport: number, flags: number = TCP_SYN, mark = 0): IpvsPacket {
  return { protocol: IPPROTO_TCP, saddr: ip(c), sport: cport, daddr: ip(vip), dport: vport, mark, tcpFlags: flags };
}

export const SYN = TCP_SYN;
export const ACK = TCP_ACK;

/** The real server a decision chose, as `a.b.c.d:port`, or the decision kind. */
export function server(d: IpvsInDecision): string {
  if (d.kind !== 'conn') return d.kind;
  const a = d.conn.daddr;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}:${d.conn.dport}`;
}
