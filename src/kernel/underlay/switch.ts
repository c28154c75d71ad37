/**
 * A learning Ethernet switch on the underlay: the physical network the hosts' `eth0`s plug into.
 *
 * Models: an IEEE 802.1D transparent bridge as a top-of-rack switch behaves: learn the source
 * MAC on the ingress port, forward a known unicast to its port, flood broadcast, multicast and
 * unknown unicast to every other port, age entries (300 s), never send a frame back out its
 * ingress port unless that port reflects (802.1Qbg "reflective relay", which VEPA-mode macvlans
 * need to reach each other). The table is the same `Fdb` the Linux bridge uses.
 * A partition fault (see `faults.ts`) makes chosen port pairs unable to reach each other; each
 * copy that would cross it is dropped with `loss` and recorded.
 * Switching adds no delay of its own; the wires carry the delay.
 * Leaves out: STP, VLANs on the switch, port security, storm control, buffers and congestion.
 */
import type { TraceLocation } from '../../engine/index.js';
import { MAC_BROADCAST, formatMac, isMulticastMac, type EthernetRepr } from '../../packet/index.js';
import { Fdb } from '../devices/index.js';
import type { Underlay } from './underlay.js';
import type { Wire, WireEnd } from './wire.js';

export class SwitchPort implements WireEnd {
  readonly switch: Switch;
  /** Unique across the underlay; partitions are keyed by it. */
  readonly id: number;
  readonly name: string;
  readonly location: TraceLocation;
  wire: Wire | undefined = undefined;
  /** Reflective relay: frames may go back out this port (VEPA). */
  hairpin = false;

  constructor(sw: Switch, id: number, name: string) {
    this.switch = sw;
    this.id = id;
    this.name = name;
    this.location = { host: sw.name, netns: 'underlay', device: name };
  }

  wireReceive(frame: EthernetRepr, packetId: number): void {
    this.switch.receiveFrame(this, frame, packetId);
  }

  /** Puts a frame on this port's wire, if one is plugged in. */
  send(frame: EthernetRepr, packetId: number): void {
    if (this.wire === undefined) {
      this.switch.underlay.drop(packetId, this.location, 'no-carrier', { why: 'nothing plugged into this switch port' });
      return;
    }
    this.wire.send(this, frame, packetId);
  }
}

export class Switch {
  readonly underlay: Underlay;
  readonly name: string;
  readonly ports: SwitchPort[] = [];
  readonly fdb = new Fdb<SwitchPort>();

  constructor(underlay: Underlay, name: string) {
    this.underlay = underlay;
    this.name = name;
  }

  /** A new port `port1`, `port2`, ... */
  addPort(): SwitchPort {
    const port = new SwitchPort(this, this.underlay.nextPortId(), `port${this.ports.length + 1}`);
    this.ports.push(port);
    return port;
  }

  /** Learn, then forward, flood or drop. */
  receiveFrame(ingress: SwitchPort, frame: EthernetRepr, packetId: number): void {
    const underlay = this.underlay;
    const now = underlay.world.engine.now;
    const tracing = underlay.world.trace.enabled;
    if (frame.src === 0 || isMulticastMac(frame.src)) {
      underlay.drop(packetId, ingress.location, 'malformed', { why: 'invalid source MAC' });
      return;
    }
    const learned = this.fdb.learn(frame.src, ingress, now);
    const entry = isMulticastMac(frame.dst) ? undefined : this.fdb.lookup(frame.dst, now);
    if (entry !== undefined) {
      const to = entry.port;
      entry.used = now;
      if (tracing) underlay.trace(packetId, ingress.location, 'bridge', { learned: learned.kind, port: ingress.name, decision: 'forward', to: to.name, dst: formatMac(frame.dst) });
      if (to === ingress && !to.hairpin) {
        underlay.drop(packetId, ingress.location, 'hairpin-off', { why: 'destination is behind the ingress port' });
        return;
      }
      this.deliver(ingress, to, frame, packetId);
      return;
    }
    const targets = this.ports.filter(p => p.wire !== undefined && (p !== ingress || p.hairpin));
    if (tracing) {
      const flood = frame.dst === MAC_BROADCAST ? 'broadcast' : isMulticastMac(frame.dst) ? 'multicast' : 'unicast';
      underlay.trace(packetId, ingress.location, 'bridge', { learned: learned.kind, port: ingress.name, decision: 'flood', flood, to: targets.map(p => p.name) });
    }
    for (const to of targets) this.deliver(ingress, to, frame, packetId);
  }

  private deliver(ingress: SwitchPort, to: SwitchPort, frame: EthernetRepr, packetId: number): void {
    if (this.underlay.isPartitioned(ingress, to)) {
      this.underlay.drop(packetId, to.location, 'loss', { why: 'partition', from: ingress.name, to: to.name });
      return;
    }
    to.send(frame, packetId);
  }
}
