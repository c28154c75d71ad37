/**
 * The loopback device `lo`: every frame it transmits comes back in on itself.
 *
 * Models: `drivers/net/loopback.c` (`loopback_xmit`: `eth_type_trans` then `__netif_rx`;
 * `loopback_setup`: MTU 65536 (`LOOPBACK_MTU`), IFF_LOOPBACK | IFF_NOARP, zero MAC),
 * `loopback_net_init` (every namespace gets one, created first, so it is ifindex 1).
 * The skb is not scrubbed: the conntrack reference and mark survive the loop, which is why nat
 * PREROUTING is skipped for locally generated traffic (linux-primitives.md section 1.2-C).
 * Leaves out: the `blackhole_netdev` used while a namespace dies, per-CPU stats.
 * Invariant: `lo` can be neither deleted nor moved to another namespace (`link.ts` refuses).
 */
import type { NetNamespace } from '../netns.js';
import { NetDevice } from '../device.js';
import type { Skb } from '../skb.js';
import { netifRx, registerNetdev } from './netdev.js';

export const LOOPBACK_MTU = 65536;

export class LoopbackDevice extends NetDevice {
  readonly kind = 'loopback' as const;

  constructor(ns: NetNamespace) {
    super(ns, 'lo', 0, LOOPBACK_MTU);
  }

  /** `lo` always has carrier (`ip link` shows `state UNKNOWN` with LOWER_UP once up). */
  carrier(): boolean {
    return true;
  }

  override noArp(): boolean {
    return true;
  }

  /** `loopback_xmit`: back into this device's own receive path through the backlog. */
  protected xmit(skb: Skb): void {
    netifRx(this, skb);
  }
}

/** `loopback_net_init`: registers `lo`, down and without an address, as the namespace's first device. */
export function installLoopback(ns: NetNamespace): LoopbackDevice {
  const existing = ns.device('lo');
  if (existing instanceof LoopbackDevice) return existing;
  const lo = new LoopbackDevice(ns);
  registerNetdev(ns, lo);
  return lo;
}
