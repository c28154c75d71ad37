/**
 * The IPv4 reassembly queue of one namespace: fragments of a datagram addressed to this host are
 * held until the datagram is whole, or dropped when it cannot be (30 s timeout, overlap).
 *
 * Models: `net/ipv4/ip_fragment.c` (`ip_defrag`, queues keyed by source, destination, protocol
 * and id (`ipq` with `ip4_frag_match`), `ipfrag_time` = 30 s, `ip_expire`: an ICMP time
 * exceeded, code 1 "fragment reassembly time exceeded", is sent only when the first fragment
 * was received). The byte-level work is `reassembleIpv4` in the packet layer.
 * Leaves out: `ipfrag_high_thresh` memory limits, `ipfrag_max_dist`, conntrack's own defrag at
 * PREROUTING (netfilter's business), the TTL of the reassembled header beyond the first
 * fragment's.
 */
import { SECOND, type EventId } from '../../engine/index.js';
import { reassembleIpv4, type Ipv4Repr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';

export const IPFRAG_TIME = 30 * SECOND;

interface FragQueue {
  readonly fragments: Ipv4Repr[];
  readonly skbs: Skb[];
  readonly dev: NetDevice;
  timer: EventId;
}

export type DefragResult =
  | { readonly kind: 'complete'; readonly packet: Ipv4Repr }
  | { readonly kind: 'queued' }
  | { readonly kind: 'invalid'; readonly why: string };

export class FragmentQueues {
  private readonly queues = new Map<string, FragQueue>();
  /** Called when a queue times out holding its first fragment (for ICMP 11/1). */
  onExpire: (first: { skb: Skb; ip: Ipv4Repr; dev: NetDevice }) => void = () => undefined;

  constructor(private readonly ns: NetNamespace) {}

  get pending(): number {
    return this.queues.size;
  }

  /** `ip_defrag`: adds one fragment; the whole datagram comes back when it is complete. */
  add(skb: Skb, ip: Ipv4Repr, dev: NetDevice): DefragResult {
    const key = `${ip.src}|${ip.dst}|${ip.protocol}|${ip.id}`;
    const engine = this.ns.host.world.engine;
    let q = this.queues.get(key);
    if (q === undefined) {
      q = { fragments: [], skbs: [], dev, timer: engine.scheduleIn(IPFRAG_TIME, () => this.expire(key)) };
      this.queues.set(key, q);
    }
    q.fragments.push(ip);
    q.skbs.push(skb);
    const result = reassembleIpv4(q.fragments);
    switch (result.kind) {
      case 'incomplete':
        return { kind: 'queued' };
      case 'complete':
        engine.cancel(q.timer);
        this.queues.delete(key);
        return { kind: 'complete', packet: result.packet };
      case 'invalid':
        engine.cancel(q.timer);
        this.queues.delete(key);
        for (const other of q.skbs) if (other !== skb) this.ns.drop(other, dev, 'malformed', { why: result.issue.message });
        return { kind: 'invalid', why: result.issue.message };
    }
  }

  private expire(key: string): void {
    const q = this.queues.get(key);
    if (q === undefined) return;
    this.queues.delete(key);
    for (const skb of q.skbs) this.ns.drop(skb, q.dev, 'malformed', { why: 'fragment reassembly timed out' });
    const i = q.fragments.findIndex(f => f.fragmentOffset === 0);
    if (i >= 0) this.onExpire({ skb: q.skbs[i]!, ip: q.fragments[i]!, dev: q.dev });
  }
}
