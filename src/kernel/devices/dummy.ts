/**
 * The dummy device: a device to hang addresses on (kube-proxy's `kube-ipvs0`, test VIPs) whose
 * transmit path discards every frame.
 *
 * Models: `drivers/net/dummy.c` (`dummy_xmit`: counts the frame and frees it as consumed, not as
 * a drop; `dummy_setup`: random MAC, IFF_NOARP, MTU 1500, always has carrier, so `ip link`
 * shows `state UNKNOWN`).
 * Leaves out: the `numdummies` module parameter (no `dummy0` appears by itself).
 */
import { formatMac, type Mac } from '../../packet/index.js';
import { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { randomDeviceMac, registerNetdev } from './netdev.js';

export class DummyDevice extends NetDevice {
  readonly kind = 'dummy' as const;

  constructor(ns: NetNamespace, name: string, mac: Mac) {
    super(ns, name, mac, 1500);
    this.minMtu = 0;
    this.maxMtu = 0;
  }

  carrier(): boolean {
    return true;
  }

  override noArp(): boolean {
    return true;
  }

  /** `dummy_xmit`: consumed without going anywhere; the trace says so. */
  protected xmit(skb: Skb): void {
    if (this.netns.host.world.trace.enabled) {
      this.netns.trace(skb, this, 'note', { what: 'discarded by the dummy device', dst: formatMac(skb.frame.dst) });
    }
  }
}

/** `ip link add NAME type dummy`, down. */
export function createDummy(ns: NetNamespace, name: string, mac?: Mac): DummyDevice {
  const dev = new DummyDevice(ns, name, mac ?? randomDeviceMac(ns));
  registerNetdev(ns, dev);
  return dev;
}
