/**
 * Fault injection on the underlay, in the terms a scenario uses: take a host's link down and up,
 * lose a share of its frames, delay them, or partition two machines so that the switch never
 * carries frames between them. Every frame a fault kills is dropped with `link-down` or `loss`
 * and a trace record saying which fault (see `wire.ts` and `switch.ts`).
 *
 * Models: what `tc netem` (loss, delay), pulling a cable or shutting a switch port (link down:
 * the NIC loses carrier) and switch ACLs between ports (partition) do to a real network.
 * Loss draws from the seeded RNG stream `underlay-loss`, so a seed always loses the same frames.
 * Leaves out: corruption, duplication, reordering, rate limits, asymmetric (one-way) faults.
 */
import type { Duration } from '../../engine/index.js';
import { PhysicalDevice } from '../devices/index.js';
import type { World } from '../world.js';
import { SwitchPort } from './switch.js';
import { switchPortOf, underlay } from './underlay.js';
import { Wire } from './wire.js';

/** A fault applies to a host NIC's wire, a switch port's wire, or a wire itself. */
export type FaultTarget = PhysicalDevice | SwitchPort | Wire;

/** The wire a fault target designates, if it is cabled. */
export function wireOfTarget(target: FaultTarget): Wire | undefined {
  if (target instanceof Wire) return target;
  if (target instanceof SwitchPort) return target.wire;
  return underlay(target.netns.host.world).wireOf(target);
}

/** Pulls the cable: both ends lose carrier, frames on it (and in flight) are dropped. */
export function setLinkDown(target: FaultTarget): boolean {
  return setWireUp(target, false);
}

export function setLinkUp(target: FaultTarget): boolean {
  return setWireUp(target, true);
}

/** Loses `rate` (0..1) of the frames sent on the target's wire, in both directions. */
export function setLoss(target: FaultTarget, rate: number): boolean {
  const wire = wireOfTarget(target);
  if (wire === undefined) return false;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`loss rate must be within 0..1, got ${rate}`);
  wire.lossRate = rate;
  return true;
}

/** Adds `delay` to the one-way delay of the target's wire (0 removes it). */
export function setExtraDelay(target: FaultTarget, delay: Duration): boolean {
  const wire = wireOfTarget(target);
  if (wire === undefined) return false;
  if (!Number.isSafeInteger(delay) || delay < 0) throw new RangeError(`extra delay must be a whole number of nanoseconds >= 0, got ${delay}`);
  wire.extraDelay = delay;
  return true;
}

/** The switch ports two machines hang off; false when either is not cabled to a switch. */
function ports(a: PhysicalDevice | SwitchPort, b: PhysicalDevice | SwitchPort): [SwitchPort, SwitchPort] | undefined {
  const pa = a instanceof SwitchPort ? a : switchPortOf(a);
  const pb = b instanceof SwitchPort ? b : switchPortOf(b);
  return pa === undefined || pb === undefined ? undefined : [pa, pb];
}

/** The switch stops carrying frames between `a` and `b` (both directions). */
export function partition(a: PhysicalDevice | SwitchPort, b: PhysicalDevice | SwitchPort): boolean {
  const pair = ports(a, b);
  if (pair === undefined) return false;
  pair[0].switch.underlay.partition(pair[0], pair[1]);
  return true;
}

export function heal(a: PhysicalDevice | SwitchPort, b: PhysicalDevice | SwitchPort): boolean {
  const pair = ports(a, b);
  if (pair === undefined) return false;
  pair[0].switch.underlay.heal(pair[0], pair[1]);
  return true;
}

/** Every wire up, no loss, no extra delay, no partition. */
export function clearFaults(world: World): void {
  const net = underlay(world);
  net.healAll();
  for (const wire of net.wires) {
    wire.lossRate = 0;
    wire.extraDelay = 0;
    if (!wire.up) {
      wire.up = true;
      notifyCarrier(wire);
    }
  }
}

function setWireUp(target: FaultTarget, up: boolean): boolean {
  const wire = wireOfTarget(target);
  if (wire === undefined) return false;
  if (wire.up === up) return true;
  wire.up = up;
  notifyCarrier(wire);
  return true;
}

/** NETDEV_CHANGE on the NICs at the ends of `wire`: their carrier followed the cable. */
function notifyCarrier(wire: Wire): void {
  for (const end of [wire.a, wire.b]) {
    if ('nic' in end && end.nic instanceof PhysicalDevice) end.nic.netns.notifyNetdev('change', end.nic);
  }
}
