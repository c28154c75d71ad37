/**
 * IPsec on the way out: the policy lookup after the output route (`xfrm_lookup`) and the
 * transformation after POSTROUTING (`xfrm4_output`), called from the IPv4 output path through
 * the namespace's `Ipv4XfrmHooks`.
 *
 * Models: `net/xfrm/xfrm_policy.c` `xfrm_lookup_with_ifid` (no out policy: the plain route;
 * `action block`: EPERM; an allow policy whose templates resolve to states: a bundle on the
 * route; a required template without a state and no key manager listening for the acquire:
 * `xfrm_state_find` gives ESRCH, which `sendmsg`/`connect` return, `No such process`),
 * `net/ipv4/xfrm4_output.c` and `net/xfrm/xfrm_output.c` (`xfrm_output_resume`), in the order
 * linux-primitives.md 10 gives:
 *
 *   route -> xfrm_lookup (bundle on skb.xfrm.out) -> OUTPUT (plaintext, `-m policy --dir out
 *   --pol ipsec` matches) -> POSTROUTING (plaintext) -> esp4 output (seq = ++oseq) ->
 *   nf_reset_ct -> OUTPUT (ESP, `--pol none`) -> POSTROUTING (ESP) -> fragment / neighbour /
 *   transmit
 *
 * With several templates the states are applied in order, each result going through OUTPUT
 * and, while states remain, POSTROUTING before the next. A tunnel-mode state routes its outer
 * header to the tunnel's destination. The packet keeps its id (design.md 4); an `encap` trace
 * record gives SPI, sequence number, mode and addresses.
 * Leaves out: the bundle's smaller MTU (a DF packet within the ESP overhead of the route MTU is
 * refused after the transform, where Linux would have lowered the MTU the sender saw), forward
 * policies and forwarded packets (only locally generated packets are looked up), acquires,
 * `localok`, the xfrm policy cache, hardware offload.
 */
import { fail } from '../../engine/index.js';
import { formatIpv4, type Ipv4, type Ipv4Repr } from '../../packet/index.js';
import type { NetDevice } from '../device.js';
import { ipPostRouting, ipv4Length, ipv4Of, routeOutput } from '../ipv4/index.js';
import type { NfXfrmState } from '../netfilter/index.js';
import type { Skb } from '../skb.js';
import type { NetnsXfrm } from './netns-xfrm.js';
import { policyText, templateText } from './policy.js';
import { flowOf } from './selector.js';
import { spiText, XfrmState } from './state.js';
import { sealEsp, type OuterHeader } from './transform.js';

/** Sets the bundle of `skb`, keeping its input secpath. */
function setBundle(skb: Skb, out: readonly NfXfrmState[] | undefined): void {
  const inPath = skb.xfrm?.in;
  skb.xfrm = inPath === undefined && out === undefined ? undefined : { in: inPath, out };
}

/** `xfrm_lookup` for the datagram `ip` leaving through `dev`: see the header. */
export function xfrmLookup(x: NetnsXfrm, skb: Skb, ip: Ipv4Repr, dev: NetDevice): 'ESRCH' | 'EPERM' | undefined {
  if (x.policyCount('out') === 0) {
    if (skb.xfrm?.out !== undefined) setBundle(skb, undefined);
    return undefined;
  }
  const flow = flowOf(ip, dev.ifindex);
  const policy = x.lookup('out', flow);
  if (policy === undefined) {
    if (skb.xfrm?.out !== undefined) setBundle(skb, undefined);
    return undefined;
  }
  const ns = x.ns;
  const flowText = `${formatIpv4(flow.src)} > ${formatIpv4(flow.dst)} proto ${flow.proto}`;
  if (policy.action === 'block') {
    ns.drop(skb, dev, 'xfrm-policy', { by: 'xfrm/out', policy: policyText(policy), flow: flowText, why: 'the out policy blocks the flow (XfrmOutPolBlock)' });
    return 'EPERM';
  }
  const bundle: XfrmState[] = [];
  for (const tmpl of policy.templates) {
    const state = x.outputState(tmpl, flow);
    if (state !== undefined) bundle.push(state);
    else if (!tmpl.optional) {
      ns.drop(skb, dev, 'xfrm-no-state', {
        by: 'xfrm/out',
        policy: policyText(policy),
        template: templateText(tmpl),
        flow: flowText,
        why: 'no state for a required template and no key manager to ask (XfrmOutNoStates)',
      });
      return 'ESRCH';
    }
  }
  setBundle(skb, bundle.length === 0 ? undefined : bundle);
  return undefined;
}

/** `xfrm4_output` for a packet with a bundle; false when `skb` has none. */
export function xfrmOutput(x: NetnsXfrm, skb: Skb, dev: NetDevice, nexthop: Ipv4, type: 'unicast' | 'local' | 'broadcast', mtu: number): boolean {
  const out = skb.xfrm?.out;
  const first = out?.[0];
  if (out === undefined || first === undefined) return false;
  if (!(first instanceof XfrmState)) fail('an xfrm bundle holds something that is not an XfrmState');
  const ns = x.ns;
  const ip = skb.frame.payload;
  if (ip.kind !== 'ipv4') {
    ns.drop(skb, dev, 'malformed', { why: 'not an IPv4 packet at xfrm4_output' });
    return true;
  }
  const st = ipv4Of(ns);
  let hop = { dev, nexthop, type, mtu };
  let outer: OuterHeader | undefined;
  if (first.mode === 'tunnel') {
    // The bundle's route: the outer header goes to the tunnel's far end.
    const r = routeOutput(st, { dst: first.dst, src: first.src, mark: skb.mark, anySrc: true });
    if (!r.ok) {
      ns.drop(skb, dev, 'no-route', { by: 'xfrm/out', tunnel: `${formatIpv4(first.src)} > ${formatIpv4(first.dst)}`, errno: r.errno });
      return true;
    }
    hop = { dev: r.dev, nexthop: r.nexthop, type: r.type, mtu: r.route?.mtu ?? r.dev.mtu };
    outer = { ttl: ns.sysctl.number('net.ipv4.ip_default_ttl'), id: st.nextIpId() };
  }
  const sealed = sealEsp(first, ip, outer);
  skb.frame = { ...skb.frame, src: hop.dev.mac, payload: sealed };
  // xfrm_output_resume: nf_reset_ct, so the ESP packet is a connection of its own.
  skb.ct = undefined;
  setBundle(skb, out.length > 1 ? out.slice(1) : undefined);
  if (ns.host.world.trace.enabled) {
    ns.trace(skb, hop.dev, 'encap', {
      proto: 'esp',
      mode: first.mode,
      spi: spiText(first.spi),
      seq: first.oseq,
      reqid: first.reqid,
      src: formatIpv4(sealed.src),
      dst: formatIpv4(sealed.dst),
      inner: first.mode === 'tunnel' ? 'ipv4' : ip.protocol,
      length: ipv4Length(sealed),
    });
  }
  const verdict = ns.netfilter.hook(skb, { hook: 'OUTPUT', inDev: undefined, outDev: hop.dev });
  if (verdict !== 'accept') return true;
  ipPostRouting(st, skb, undefined, hop.dev, hop.nexthop, hop.type, hop.mtu);
  return true;
}
