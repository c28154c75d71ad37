// Hand-built IPv4 datagrams and skbs for conntrack and NAT tests: a namespace with only a
// conntrack table, and packets written as `udp('10.0.0.1:4000', '10.0.0.2:53')`.
import { World, newSkb, type NetNamespace, type Skb } from '../../../src/kernel/index.js';
import {
  ICMP_LINUX_QUOTE_MAX,
  destUnreachable,
  echoRequest,
  echoReplyTo,
  encodeIpv4,
  ethernetFrame,
  ipv4Packet,
  mustParseIpv4,
  payload,
  quoteForIcmp,
  timeExceeded,
  type IcmpEcho,
  type Ipv4Repr,
} from '../../../src/packet/index.js';
import { conntrackIn, conntrackOf, ctOf, CtRef, type ConntrackTable } from '../../../src/kernel/conntrack/index.js';

export function ctNamespace(seed = 1): { world: World; ns: NetNamespace; table: ConntrackTable } {
  const world = new World({ seed });
  const host = world.addHost('h1');
  const ns = host.rootNs;
  return { world, ns, table: conntrackOf(ns) };
}

function hostPort(text: string): [number, number] {
  const [ip, port] = text.split(':');
  return [mustParseIpv4(ip!), Number(port ?? 0)];
}

export function udp(from: string, to: string, body = 'x'): Ipv4Repr {
  const [src, sport] = hostPort(from);
  const [dst, dport] = hostPort(to);
  return ipv4Packet({ src, dst, payload: { kind: 'udp', srcPort: sport, dstPort: dport, payload: payload(new TextEncoder().encode(body)) } });
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export function tcp(from: string, to: string, flags: number, seq = 1000, ack = 0, body = ''): Ipv4Repr {
  const [src, sport] = hostPort(from);
  const [dst, dport] = hostPort(to);
  return ipv4Packet({
    src,
    dst,
    payload: {
      kind: 'tcp',
      srcPort: sport,
      dstPort: dport,
      seq,
      ack,
      flags,
      window: 64240,
      urgent: 0,
      options: [],
      payload: payload(new TextEncoder().encode(body)),
    },
  });
}

export function ping(from: string, to: string, id = 7, seq = 1): Ipv4Repr {
  return ipv4Packet({ src: mustParseIpv4(from), dst: mustParseIpv4(to), payload: echoRequest(id, seq) });
}

export function pong(request: Ipv4Repr): Ipv4Repr {
  return ipv4Packet({ src: request.dst, dst: request.src, payload: echoReplyTo(request.payload as IcmpEcho) });
}

/** An ICMP port unreachable from `from` to `to`, quoting `about`. */
export function unreachable(from: string, to: string, about: Ipv4Repr, code = 3): Ipv4Repr {
  return ipv4Packet({ src: mustParseIpv4(from), dst: mustParseIpv4(to), payload: destUnreachable(code, quoteForIcmp(encodeIpv4(about), ICMP_LINUX_QUOTE_MAX)) });
}

export function ttlExceeded(from: string, to: string, about: Ipv4Repr, quoteLength = 28): Ipv4Repr {
  return ipv4Packet({ src: mustParseIpv4(from), dst: mustParseIpv4(to), payload: timeExceeded(quoteForIcmp(encodeIpv4(about), quoteLength)) });
}

let nextId = 1;

export function skbOf(ip: Ipv4Repr): Skb {
  return newSkb(nextId++, ethernetFrame({ src: 0x020000000001, dst: 0x020000000002, payload: ip }));
}

/** Runs the conntrack hook on a fresh skb and returns the skb with the state it got. */
export function track(table: ConntrackTable, ip: Ipv4Repr, hook: 'PREROUTING' | 'OUTPUT' = 'PREROUTING'): { skb: Skb; state: string; ref: CtRef | undefined } {
  const skb = skbOf(ip);
  conntrackIn(table, skb, ip, hook);
  const ct = ctOf(skb);
  const ref = ct instanceof CtRef ? ct : undefined;
  return { skb, state: ref?.state ?? (ct === undefined ? 'INVALID' : 'UNTRACKED'), ref };
}

export function ipOf(skb: Skb): Ipv4Repr {
  const p = skb.frame.payload;
  if (p.kind !== 'ipv4') throw new Error('not IPv4');
  return p;
}
