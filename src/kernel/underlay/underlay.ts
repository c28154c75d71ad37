/**
 * The physical network under the hosts: switches, the wires between them and the hosts' NICs,
 * the fault state, and the drop counters of frames that die outside any kernel. It lives in the
 * world's `ext` slot `underlay`, reached through `underlay(world)`.
 *
 * Models: a lab network: each host's `eth0` is cabled to a port of a learning switch
 * (`connectHost`), or two NICs are cabled back to back (`connectNics`). A router is not a
 * special object: a Linux machine without Docker, built as another `Host` with two NICs on two
 * switches and `ip_forward=1`, routes like Linux does.
 * Trace records made here are located at `{host: <switch name>, netns: 'underlay', device:
 * <port>}`, or at the NIC for frames lost on its wire.
 * Leaves out: anything above L2 on the underlay (no DHCP, no routers as special objects).
 */
import type { DropReason, Duration, Rng, TraceKind, TraceLocation, TraceValue } from '../../engine/index.js';
import type { EthernetRepr, Mac } from '../../packet/index.js';
import { createPhysical, devOpen, type PhysicalDevice } from '../devices/index.js';
import type { Host } from '../host.js';
import type { World } from '../world.js';
import { Switch, SwitchPort } from './switch.js';
import { DEFAULT_WIRE_DELAY, Wire, type WireEnd, type WireOptions } from './wire.js';

export const UNDERLAY_EXT_KEY = 'underlay';

/** A host NIC's side of a wire. */
class NicEnd implements WireEnd {
  readonly nic: PhysicalDevice;

  constructor(nic: PhysicalDevice) {
    this.nic = nic;
  }

  get location(): TraceLocation {
    return { host: this.nic.netns.host.name, netns: this.nic.netns.name, device: this.nic.name };
  }

  wireReceive(frame: EthernetRepr, packetId: number): void {
    this.nic.receiveFromWire(frame, packetId);
  }
}

export class Underlay {
  readonly world: World;
  readonly switches = new Map<string, Switch>();
  readonly wires: Wire[] = [];
  /** Frames that died on the underlay, per reason. */
  readonly drops = new Map<DropReason, number>();
  /** One-way delay of wires created from now on. */
  defaultDelay: Duration = DEFAULT_WIRE_DELAY;
  private readonly nicWires = new Map<PhysicalDevice, Wire>();
  private readonly partitions = new Set<string>();
  private portIds = 0;
  private rng: Rng | undefined = undefined;

  constructor(world: World) {
    this.world = world;
  }

  addSwitch(name: string): Switch {
    if (this.switches.has(name)) throw new Error(`switch ${name} exists`);
    const sw = new Switch(this, name);
    this.switches.set(name, sw);
    return sw;
  }

  /** Cables two ends together. */
  connect(a: WireEnd, b: WireEnd, options: WireOptions = {}): Wire {
    const wire = new Wire(this, a, b, options);
    this.wires.push(wire);
    return wire;
  }

  /** The wire a NIC is plugged into. */
  wireOf(nic: PhysicalDevice): Wire | undefined {
    return this.nicWires.get(nic);
  }

  /** Plugs `nic` into `end`: a switch port, or another NIC (`connectNics`). */
  plug(nic: PhysicalDevice, end: SwitchPort | PhysicalDevice, options: WireOptions = {}): Wire {
    const nicEnd = this.claim(nic);
    const other = end instanceof SwitchPort ? end : this.claim(end);
    const wire = this.connect(nicEnd, other, options);
    this.attachNic(nicEnd, wire);
    if (other instanceof NicEnd) this.attachNic(other, wire);
    else other.wire = wire;
    return wire;
  }

  private claim(nic: PhysicalDevice): NicEnd {
    if (this.nicWires.has(nic) || nic.link !== undefined) throw new Error(`${nic.name} is already cabled`);
    return new NicEnd(nic);
  }

  private attachNic(end: NicEnd, wire: Wire): void {
    this.nicWires.set(end.nic, wire);
    end.nic.link = {
      get up() {
        return wire.up;
      },
      send: (frame, packetId) => wire.send(end, frame, packetId),
    };
  }

  nextPortId(): number {
    return ++this.portIds;
  }

  /** The seeded stream loss draws from, created on first use. */
  lossRng(): Rng {
    this.rng ??= this.world.rng.stream('underlay-loss');
    return this.rng;
  }

  /** Ports `a` and `b` can no longer reach each other (both directions). */
  partition(a: SwitchPort, b: SwitchPort): void {
    this.partitions.add(pairKey(a, b));
  }

  heal(a: SwitchPort, b: SwitchPort): void {
    this.partitions.delete(pairKey(a, b));
  }

  healAll(): void {
    this.partitions.clear();
  }

  isPartitioned(a: SwitchPort, b: SwitchPort): boolean {
    return this.partitions.size > 0 && this.partitions.has(pairKey(a, b));
  }

  /** Counts and records a frame that died on the underlay. */
  drop(packetId: number, location: TraceLocation, reason: DropReason, detail: Readonly<Record<string, TraceValue>> = {}): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.trace(packetId, location, 'drop', { reason, ...detail });
  }

  trace(packetId: number, location: TraceLocation, kind: TraceKind, detail: Readonly<Record<string, TraceValue>>): void {
    const world = this.world;
    if (world.trace.enabled) world.trace.record(world.engine.now, packetId, location, kind, detail);
  }
}

function pairKey(a: SwitchPort, b: SwitchPort): string {
  return a.id < b.id ? `${a.id}:${b.id}` : `${b.id}:${a.id}`;
}

/** The world's underlay, created on first use. */
export function underlay(world: World): Underlay {
  const existing = world.ext.get(UNDERLAY_EXT_KEY);
  if (existing instanceof Underlay) return existing;
  const created = new Underlay(world);
  world.ext.set(UNDERLAY_EXT_KEY, created);
  return created;
}

export interface ConnectOptions extends WireOptions {
  /** The NIC's MAC; random from the `mac` stream otherwise. */
  readonly mac?: Mac;
  readonly mtu?: number;
  /** Bring the NIC up at once (default false: the scenario runs `ip link set up`). */
  readonly up?: boolean;
}

/** Creates NIC `nicName` in `host`'s root namespace and cables it to a new port of `sw`. */
export function connectHost(sw: Switch, host: Host, nicName: string, options: ConnectOptions = {}): PhysicalDevice {
  const nic = createPhysical(host.rootNs, nicName, options.mac, options.mtu);
  sw.underlay.plug(nic, sw.addPort(), options);
  if (options.up === true) devOpen(nic);
  return nic;
}

/** Cables two existing NICs back to back (a crossover cable). */
export function connectNics(a: PhysicalDevice, b: PhysicalDevice, options: WireOptions = {}): Wire {
  return underlay(a.netns.host.world).plug(a, b, options);
}

/** The switch port at the other end of `nic`'s wire, if it is cabled to a switch. */
export function switchPortOf(nic: PhysicalDevice): SwitchPort | undefined {
  const wire = underlay(nic.netns.host.world).wireOf(nic);
  if (wire === undefined) return undefined;
  return wire.b instanceof SwitchPort ? wire.b : wire.a instanceof SwitchPort ? wire.a : undefined;
}
