/**
 * The rule engine's view of a packet at a hook (`NfPacket`), built from the skb, the hook's
 * devices and the packet's conntrack reference; and the world around it (`NfContext`).
 *
 * Models: what x_tables matches read from `struct sk_buff` and `struct xt_action_param`
 * (`ip_packet_match`: `state->in`/`state->out`; br_netfilter's `nf_bridge_info` physin/physout;
 * `nf_ct_get` with its ctinfo for `-m conntrack/-m state/-m connmark`; `inet_dev_addr_type` for
 * `-m addrtype`, which looks the address up in the namespace's `local` routing table and reports
 * LOCAL/BROADCAST/... when the route's device is the limiting one, else UNICAST).
 * The datagram bytes (for `-m u32`) are encoded only when a match asks for them.
 * `-m statistic --mode random` draws from the stream `iptables-statistic/<host>/<netns>`.
 * `-m policy` reads the skb's xfrm path (`skb->sp` and the bundle of its route), set by the xfrm
 * module.
 * Leaves out: IPVS connection data (the IPVS module answers through its slot).
 */
import { encodeIpv4, IPV4_BROADCAST, isMulticastIpv4, type Ipv4, type Ipv4Repr } from '../../packet/index.js';
import type { NfHookContext } from '../hooks.js';
import type { NetNamespace } from '../netns.js';
import type { Skb } from '../skb.js';
import { CtUntracked, ctOf, hasPorts } from '../conntrack/index.js';
import type { NfContext, NfCtView, NfHookName, NfIpvsView, NfL4View, NfPacket, RouteType } from '../netfilter/index.js';
import { ipv4Length, ipv4OfOptional, type Ipv4State } from './ipv4-access.js';

/** `-m conntrack`'s view of the packet's entry. */
export function nfCtViewOf(skb: Skb): NfCtView {
  const ct = ctOf(skb);
  if (ct === undefined) return { state: 'INVALID' };
  if (ct instanceof CtUntracked) return { state: 'UNTRACKED' };
  const e = ct.entry;
  const o = e.orig;
  const r = e.reply;
  const ports = hasPorts(o.proto);
  return {
    state: ct.state,
    dir: ct.dir === 'original' ? 'ORIGINAL' : 'REPLY',
    proto: o.proto,
    origSrc: o.src,
    origDst: o.dst,
    replSrc: r.src,
    replDst: r.dst,
    ...(ports ? { origSrcPort: o.sport, origDstPort: o.dport, replSrcPort: r.sport, replDstPort: r.dport } : {}),
    mark: e.mark,
    status: { expected: false, seenReply: e.seenReply, assured: e.assured, confirmed: e.confirmed, srcNat: e.srcNat, dstNat: e.dstNat },
  };
}

function l4Of(ip: Ipv4Repr): NfL4View | undefined {
  if (ip.fragmentOffset > 0) return undefined;
  const p = ip.payload;
  switch (p.kind) {
    case 'tcp':
      return { sport: p.srcPort, dport: p.dstPort, tcpFlags: p.flags & 0xff, tcpOptionKinds: p.options.map(optionKind) };
    case 'udp':
      return { sport: p.srcPort, dport: p.dstPort };
    case 'icmp':
      switch (p.type) {
        case 'echo-request':
          return { icmpType: 8, icmpCode: 0 };
        case 'echo-reply':
          return { icmpType: 0, icmpCode: 0 };
        case 'dest-unreachable':
          return { icmpType: 3, icmpCode: p.code };
        case 'time-exceeded':
          return { icmpType: 11, icmpCode: p.code };
        case 'other':
          return { icmpType: p.icmpType, icmpCode: p.code };
      }
      break;
    case 'esp':
    case 'payload':
      return undefined;
  }
}

function optionKind(o: { readonly kind: string; readonly type?: number }): number {
  switch (o.kind) {
    case 'eol':
      return 0;
    case 'nop':
      return 1;
    case 'mss':
      return 2;
    case 'wscale':
      return 3;
    case 'sack-permitted':
      return 4;
    case 'timestamps':
      return 8;
    default:
      return o.type ?? 255;
  }
}

/** The `NfPacket` for `ip` (the skb's current datagram) at the hook described by `ctx`. */
export function nfPacketOf(skb: Skb, ip: Ipv4Repr, ctx: NfHookContext, ipvs?: () => NfIpvsView | undefined): NfPacket {
  let bytes: Uint8Array | undefined;
  let ipvsView: NfIpvsView | undefined;
  let ipvsDone = false;
  const bridged = ctx.bridged;
  const pkt: NfPacket = {
    ip: { src: ip.src, dst: ip.dst, protocol: ip.protocol, length: ipv4Length(ip), fragmentOffset: ip.fragmentOffset / 8 },
    l4: l4Of(ip),
    inIf: ctx.inDev?.name,
    outIf: ctx.outDev?.name,
    physIn: bridged?.physIn?.name,
    physOut: bridged?.physOut?.name,
    bridged: bridged !== undefined,
    mark: skb.mark >>> 0,
    ct: nfCtViewOf(skb),
    trace: skb.nfTrace,
    policy: skb.xfrm,
    // -m u32 reads the datagram's bytes: encode them once, only if asked.
    get bytes(): Uint8Array {
      bytes ??= encodeIpv4(ip);
      return bytes;
    },
    // -m ipvs asks the IPVS module for the packet's connection, only if a rule looks.
    get ipvs(): NfIpvsView | undefined {
      if (!ipvsDone && ipvs !== undefined) {
        ipvsView = ipvs();
        ipvsDone = true;
      }
      return ipvsView;
    },
  };
  return pkt;
}

/** `inet_dev_addr_type(net, dev, addr)`. */
export function addressType(st: Ipv4State | undefined, ip: Ipv4, iface: string | undefined): RouteType {
  if (ip >>> 24 === 0 || ip === IPV4_BROADCAST) return 'BROADCAST';
  if (isMulticastIpv4(ip)) return 'MULTICAST';
  if (st === undefined) return 'UNICAST';
  const local = st.fib.tables.get(255);
  const route = local?.lookup(ip, { scope: 0 });
  if (route === undefined) return 'UNICAST';
  if (iface !== undefined && route.dev?.name !== iface) return 'UNICAST';
  switch (route.type) {
    case 'unicast':
      return 'UNICAST';
    case 'local':
      return 'LOCAL';
    case 'broadcast':
      return 'BROADCAST';
    case 'blackhole':
      return 'BLACKHOLE';
    case 'unreachable':
      return 'UNREACHABLE';
    case 'prohibit':
      return 'PROHIBIT';
    case 'throw':
      return 'THROW';
  }
}

/** The ipset lookup another module may register in `ns.ext` under `ipset`. */
export interface IpsetProvider {
  test(name: string): ((ip: Ipv4) => boolean) | undefined;
}

/** The `NfContext` of `ns` at `hook`. */
export function nfContextOf(ns: NetNamespace, hook: NfHookName): NfContext {
  const st = ipv4OfOptional(ns);
  return {
    hook,
    addressType: (ip, iface) => addressType(st, ip, iface),
    isLocalAddress: ip => st?.addrs.isLocal(ip) ?? false,
    ipset: name => {
      const provider = ns.ext.get('ipset') as IpsetProvider | undefined;
      return provider !== undefined && typeof provider.test === 'function' ? provider.test(name) : undefined;
    },
    random: () => ns.host.world.rng.stream(`iptables-statistic/${ns.host.name}/${ns.name}`).next(),
    recordSteps: ns.host.world.trace.enabled,
  };
}
