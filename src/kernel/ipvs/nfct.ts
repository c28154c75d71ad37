/**
 * IPVS and conntrack: what IPVS does to the conntrack reference of the packets it handles.
 *
 * Models: include/net/ip_vs.h `ip_vs_notrack` and net/netfilter/ipvs/ip_vs_nfct.c
 * `ip_vs_update_conntrack`, with the per-namespace switch `net.ipv4.vs.conntrack`:
 * - Off (0, the default; the connection lacks IP_VS_CONN_F_NFCT): a packet that holds a
 *   conntrack entry is marked untracked, so nat and conntrack matches cannot act on it later.
 *   A packet without an entry keeps none (nf_ct_get returns NULL: nothing to untrack).
 * - On (1, what kube-proxy sets): for a masqueraded connection, the reply tuple of the packet's
 *   still unconfirmed entry (original direction only, not for one-packet connections) is
 *   altered so the real server's reply is recognised: in the request direction its source
 *   becomes daddr:dport, in the reply direction its destination becomes vaddr:vport
 *   (`nf_conntrack_alter_reply`). nat POSTROUTING can then MASQUERADE the forwarded request.
 * - `ip_vs_conn_uses_old_conntrack`: the packet holds a confirmed entry.
 * Leaves out: `ip_vs_nfct_expect_related` (FTP), `ip_vs_conn_drop_conntrack` when a connection
 * expires (the conntrack entry runs out on its own timer instead).
 */
import { CT_UNTRACKED, CtRef, conntrackOf, ctOf, setUntracked } from '../conntrack/index.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import type { IpvsConn } from './conn-table.js';

/** `ip_vs_notrack`. */
export function ipvsNotrack(skb: Skb): void {
  if (ctOf(skb) instanceof CtRef) setUntracked(skb, CT_UNTRACKED);
}

/** `ip_vs_update_conntrack(skb, cp, outin)`; `outin` is true for the request direction. */
export function ipvsUpdateConntrack(ns: NetNamespace, skb: Skb, conn: IpvsConn, outin: boolean): void {
  const ref = ctOf(skb);
  if (!(ref instanceof CtRef)) return;
  const entry = ref.entry;
  if (entry.confirmed || entry.dying) return;
  if (conn.fwd !== 'masq' || conn.onePacket) return;
  if (ref.dir !== 'original') return;
  const reply = entry.reply;
  const ports = reply.proto !== 1;
  const next = outin
    ? { ...reply, src: conn.daddr, ...(ports ? { sport: conn.dport } : {}) }
    : { ...reply, dst: conn.vaddr, ...(ports ? { dport: conn.vport } : {}) };
  conntrackOf(ns).alterReply(entry, next);
}

/** `ip_vs_conn_uses_old_conntrack`. */
export function usesConfirmedConntrack(skb: Skb): boolean {
  const ref = ctOf(skb);
  return ref instanceof CtRef && ref.entry.confirmed;
}

/** What IPVS does to conntrack for a packet it handled: update with NFCT, else untrack. */
export function ipvsConntrack(ns: NetNamespace, skb: Skb, conn: IpvsConn, outin: boolean): void {
  if (conn.nfct) ipvsUpdateConntrack(ns, skb, conn, outin);
  else ipvsNotrack(skb);
}
