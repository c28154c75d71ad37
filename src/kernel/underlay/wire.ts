/**
 * A full-duplex Ethernet cable between two ends (a host NIC, a switch port): each direction
 * delivers frames after a one-way delay, in order, unless a fault drops them.
 *
 * Models: a point-to-point link as ns-3's `PointToPointChannel` and `CsmaChannel` model one:
 * propagation delay only (no serialisation time, no queueing), frames delivered in sending
 * order. Faults are the ones a scenario injects: the link down (frames sent, and frames in
 * flight when they arrive, are dropped with `link-down`), random loss from the seeded stream
 * `underlay-loss` (dropped with `loss`), and extra delay.
 * Leaves out: bandwidth, MTU enforcement on the wire, corruption, duplication, reordering.
 */
import { US, type Duration, type TraceLocation } from '../../engine/index.js';
import type { EthernetRepr } from '../../packet/index.js';
import type { Underlay } from './underlay.js';

export const DEFAULT_WIRE_DELAY: Duration = 50 * US;

/** Something a wire can be plugged into. */
export interface WireEnd {
  /** Where trace records about frames leaving this end are located. */
  readonly location: TraceLocation;
  /** The wire delivers a frame that arrived at this end. */
  wireReceive(frame: EthernetRepr, packetId: number): void;
}

export interface WireOptions {
  /** One-way delay (default 50 µs). */
  readonly delay?: Duration;
}

export class Wire {
  readonly underlay: Underlay;
  readonly a: WireEnd;
  readonly b: WireEnd;
  /** One-way propagation delay. */
  delay: Duration;
  /** Added to `delay` while a fault says so. */
  extraDelay: Duration = 0;
  /** Probability in [0, 1] that a frame is lost, drawn from `underlay-loss`. */
  lossRate = 0;
  /** Administrative and physical state; a NIC on a down wire has no carrier. */
  up = true;
  /** Frames carried, per direction, for `ip -s link`-like summaries of the underlay. */
  readonly carried = { ab: 0, ba: 0 };

  constructor(underlay: Underlay, a: WireEnd, b: WireEnd, options: WireOptions = {}) {
    this.underlay = underlay;
    this.a = a;
    this.b = b;
    this.delay = options.delay ?? underlay.defaultDelay;
  }

  /** The end opposite `end`. */
  other(end: WireEnd): WireEnd {
    return end === this.a ? this.b : this.a;
  }

  /** `from` puts a frame on the wire; it arrives at the other end after the delay. */
  send(from: WireEnd, frame: EthernetRepr, packetId: number): void {
    if (!this.up) {
      this.underlay.drop(packetId, from.location, 'link-down', { why: 'underlay link is down' });
      return;
    }
    if (this.lossRate > 0 && this.underlay.lossRng().next() < this.lossRate) {
      this.underlay.drop(packetId, from.location, 'loss', { why: 'underlay loss', rate: this.lossRate });
      return;
    }
    const to = this.other(from);
    if (from === this.a) this.carried.ab++;
    else this.carried.ba++;
    this.underlay.world.engine.scheduleIn(this.delay + this.extraDelay, () => {
      if (!this.up) {
        this.underlay.drop(packetId, to.location, 'link-down', { why: 'underlay link went down in flight' });
        return;
      }
      to.wireReceive(frame, packetId);
    });
  }
}
