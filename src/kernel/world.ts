/**
 * The simulated world: one engine (virtual clock and event queue), the seeded RNG streams, the
 * trace recorder, and every machine on the underlay.
 *
 * Models: nothing in Linux; this is the simulation's root object, so two simulations can live in
 * one process (no global mutable state, design.md section 2).
 * Leaves out: nothing.
 */
import { Engine, RngStreams, Sequence, TraceRecorder } from '../engine/index.js';
import { Host } from './host.js';

export interface WorldOptions {
  readonly seed?: number | string;
  /** Record trace records (default true). Benchmarks turn it off. */
  readonly trace?: boolean;
  readonly maxEventsPerRun?: number;
}

export class World {
  readonly engine: Engine;
  readonly rng: RngStreams;
  readonly trace: TraceRecorder;
  /** Stable packet ids: one per packet created, kept across NAT and encapsulation. */
  readonly packetIds = new Sequence();
  readonly hosts = new Map<string, Host>();
  /** Extension slots for world-wide modules (the underlay, captures). */
  readonly ext = new Map<string, unknown>();

  constructor(options: WorldOptions = {}) {
    this.engine = new Engine(options.maxEventsPerRun === undefined ? {} : { maxEventsPerRun: options.maxEventsPerRun });
    this.rng = new RngStreams(options.seed ?? 1);
    this.trace = new TraceRecorder({ enabled: options.trace ?? true });
  }

  /** Adds a Linux machine (with only its root namespace and `lo`). */
  addHost(name: string): Host {
    if (this.hosts.has(name)) throw new Error(`host ${name} exists`);
    const host = new Host(this, name);
    this.hosts.set(name, host);
    return host;
  }

  host(name: string): Host | undefined {
    return this.hosts.get(name);
  }

  nextPacketId(): number {
    return this.packetIds.next();
  }
}
