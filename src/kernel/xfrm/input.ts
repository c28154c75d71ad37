/**
 * IPsec on the way in: the ESP protocol handler (`xfrm4_rcv`) and the inbound policy check
 * every other transport runs before it takes a packet (`xfrm4_policy_check`).
 *
 * Models: `net/ipv4/esp4.c` / `net/ipv4/xfrm4_input.c` / `net/xfrm/xfrm_input.c`
 * (`xfrm_input`: the state by (daddr, SPI, proto 50), else drop, XfrmInNoStates; the replay
 * check, XfrmInStateSeqError; decryption, an ICV that does not verify is XfrmInStateProtoError;
 * the state joins the packet's secpath, the conntrack reference is dropped (`nf_reset_ct`);
 * transport mode: `xfrm4_transport_finish` gives the header its inner protocol back and the
 * packet goes through PREROUTING again and on to local delivery, where INPUT sees it a second
 * time; tunnel mode: the inner datagram is received as if it had just arrived), and
 * `net/xfrm/xfrm_policy.c` `__xfrm_policy_check` (no in policy and no secpath: accept; the
 * secpath's states must match the flow with their selectors; no policy: accept unless a
 * tunnel state is on the secpath; `action block`: drop, XfrmInPolBlock; else the templates
 * must account for the secpath, XfrmInTmplMismatch, so a plaintext packet meeting a policy
 * with a required template is dropped), linux-primitives.md 10:
 *
 *   ESP: PREROUTING -> route (local) -> INPUT (`-m policy --dir in --pol none`) -> xfrm4_rcv
 *   -> decap record -> PREROUTING -> route -> INPUT (`--pol ipsec`) -> policy check -> socket
 *
 * The re-injected packet passes the IPv4 receive path again, route lookup included (Linux keeps
 * the route it had; for a local destination both are the same).
 * Leaves out: forward policies (`xfrm4_route_forward`), socket policies, ICMP error reverse
 * lookups (`XFRM_POLICY_ICMP`), async crypto, GRO, the per-state statistics `ip -s` prints.
 */
import { formatIpv4, type Ipv4Repr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { ipRcv, type DeliveryResult } from '../ipv4/index.js';
import type { Skb } from '../skb.js';
import { netnsXfrm, type NetnsXfrm } from './netns-xfrm.js';
import { checkInboundTemplates, policyText } from './policy.js';
import { flowOf, selectorMatch } from './selector.js';
import { spiText, XfrmState } from './state.js';
import { espOf, openEsp } from './transform.js';

const IPPROTO_ESP = 50;

/** The ESP protocol handler (`xfrm4_rcv` via `esp4_rcv`), registered for protocol 50. */
export function xfrm4Rcv(skb: Skb, ip: Ipv4Repr, dev: NetDevice): DeliveryResult {
  const ns = dev.netns;
  const esp = espOf(ip);
  if (typeof esp === 'string') {
    ns.drop(skb, dev, 'malformed', { by: 'xfrm/in', why: esp });
    return 'delivered';
  }
  const state = netnsXfrm(ns)?.stateGet(ip.dst, esp.spi, IPPROTO_ESP);
  const sa = `${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)} spi ${spiText(esp.spi)}`;
  if (state === undefined) {
    ns.drop(skb, dev, 'xfrm-no-state', { by: 'xfrm/in', sa, seq: esp.seq, why: 'no state for the destination and SPI (XfrmInNoStates)' });
    return 'delivered';
  }
  const r = openEsp(state, ip, esp);
  switch (r.kind) {
    case 'replay':
      // A replayed sequence number is refused before decryption; the closed set of drop
      // reasons has no replay reason, and Linux counts it with the state's other input errors.
      ns.drop(skb, dev, 'xfrm-auth-failed', { by: 'xfrm/in', sa, seq: r.seq, why: `replay check failed: ${r.verdict} (XfrmInStateSeqError)` });
      return 'delivered';
    case 'auth-failed':
      ns.drop(skb, dev, 'xfrm-auth-failed', { by: 'xfrm/in', sa, seq: r.seq, why: 'ICV mismatch: the packet was not sealed with this key (XfrmInStateProtoError)' });
      return 'delivered';
    case 'malformed':
      ns.drop(skb, dev, 'malformed', { by: 'xfrm/in', sa, why: r.why });
      return 'delivered';
    case 'ok':
      break;
  }
  const inPath = skb.xfrm?.in ?? [];
  skb.xfrm = { in: [...inPath, state] };
  skb.frame = { ...skb.frame, payload: r.ip };
  skb.ct = undefined;
  skb.brNetfilter = false;
  if (ns.host.world.trace.enabled) {
    ns.trace(skb, dev, 'decap', {
      proto: 'esp',
      mode: state.mode,
      spi: spiText(state.spi),
      seq: r.seq,
      reqid: state.reqid,
      src: formatIpv4(ip.src),
      dst: formatIpv4(ip.dst),
      inner: state.mode === 'tunnel' ? 'ipv4' : r.nextHeader,
      icv: 'good',
    });
  }
  ipRcv(skb, dev);
  return 'delivered';
}

/** `__xfrm_policy_check(XFRM_POLICY_IN)` for `ip` about to be delivered: see the header. */
export function xfrmPolicyCheckIn(x: NetnsXfrm, skb: Skb, ip: Ipv4Repr, dev: NetDevice): boolean {
  const sp = (skb.xfrm?.in ?? []) as readonly XfrmState[];
  if (x.policyCount('in') === 0 && sp.length === 0) return true;
  const ns = x.ns;
  const flow = flowOf(ip, dev.ifindex);
  for (const s of sp) {
    if (!(s instanceof XfrmState) || !selectorMatch(s.sel, flow)) {
      ns.drop(skb, dev, 'xfrm-policy', { by: 'xfrm/in', why: "the packet does not match its state's selector (XfrmInStateMismatch)" });
      return false;
    }
  }
  const policy = x.lookup('in', flow);
  if (policy === undefined) {
    if (sp.every(s => s.mode === 'transport')) return true;
    ns.drop(skb, dev, 'xfrm-policy', { by: 'xfrm/in', why: 'tunnel-mode IPsec without an in policy (XfrmInNoPols)' });
    return false;
  }
  if (policy.action === 'block') {
    ns.drop(skb, dev, 'xfrm-policy', { by: 'xfrm/in', policy: policyText(policy), why: 'the in policy blocks the flow (XfrmInPolBlock)' });
    return false;
  }
  const mismatch = checkInboundTemplates(policy, sp);
  if (mismatch === undefined) return true;
  ns.drop(skb, dev, 'xfrm-policy', { by: 'xfrm/in', policy: policyText(policy), why: `${mismatch} (XfrmInTmplMismatch)` });
  return false;
}
