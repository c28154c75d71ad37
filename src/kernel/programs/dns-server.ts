/**
 * A DNS server on a UDP socket, the building block of Docker's embedded resolver (127.0.0.11 in
 * a container namespace, on a random port behind iptables DNAT) and of scenario upstream
 * resolvers: each query is handed to `answer`, whose reply goes back to the asker from the
 * address and port the query reached.
 *
 * Models: a UDP DNS server as `named` or libnetwork's `resolver.go` runs one: the reply copies
 * the query's id, question and RD bit (RFC 1035 4.1.1); a server that cannot answer yet (it
 * forwards upstream) replies later through `respond`; one that returns nothing and never calls
 * `respond` lets the client time out. Each query and reply is recorded in the trace (`dns`).
 * Leaves out: DNS over TCP, EDNS, truncation.
 */
import { DNS_CLASS, DNS_OPCODE, DNS_RCODE, DNS_TYPE, dnsTypeName, formatIpv4, type DnsRecord, type DnsRepr, type Ipv4 } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import { socketsOf, sockOk, type SockResult, type SocketOwner, type UdpSocket } from '../sockets/index.js';
import { dnsOf } from './resolver.js';

export interface DnsClient {
  readonly addr: Ipv4;
  readonly port: number;
  /** The ingress device of the query. */
  readonly dev: string;
}

/**
 * Decides the reply to `query` from `from`: return it, or return undefined and call `respond`
 * later (or never, to let the client time out).
 */
export type DnsAnswer = (query: DnsRepr, from: DnsClient, respond: (reply: DnsRepr) => void) => DnsRepr | undefined;

export interface DnsServer {
  readonly socket: UdpSocket;
  close(): void;
}

export interface DnsServerOptions {
  readonly owner?: SocketOwner;
}

/** Starts a DNS server on `address:port` (port 0: an ephemeral port, see `socket.localPort`). */
export function startDnsServer(ns: NetNamespace, address: Ipv4, port: number, answer: DnsAnswer, options: DnsServerOptions = {}): SockResult<DnsServer> {
  const sock = socketsOf(ns).udp(options.owner === undefined ? {} : { owner: options.owner });
  const bound = sock.bind(address, port);
  if (!bound.ok) {
    sock.close();
    return bound;
  }
  sock.onMessage = d => {
    const query = dnsOf(d.payload);
    if (query === undefined || query.qr) return;
    const from: DnsClient = { addr: d.src, port: d.srcPort, dev: d.dev };
    if (ns.host.world.trace.enabled) ns.trace(d.packetId, d.dev, 'dns', { action: 'query', ...questionDetail(query), from: `${formatIpv4(d.src)}:${d.srcPort}` });
    let sent = false;
    const respond = (reply: DnsRepr): void => {
      if (sent || sock.closed) return;
      sent = true;
      const result = sock.send(reply, { addr: d.src, port: d.srcPort });
      if (ns.host.world.trace.enabled) {
        ns.trace(result.ok ? result.value : d.packetId, undefined, 'dns', {
          action: 'answer',
          ...questionDetail(reply),
          rcode: reply.rcode,
          answers: reply.answers.map(recordText),
        });
      }
    };
    const immediate = answer(query, from, respond);
    if (immediate !== undefined) respond(immediate);
  };
  return sockOk({ socket: sock, close: () => sock.close() });
}

function questionDetail(m: DnsRepr): { name: string; type: string } {
  const q = m.questions[0];
  return { name: q?.name ?? '', type: q === undefined ? '' : dnsTypeName(q.type) };
}

function recordText(rr: DnsRecord): string {
  switch (rr.data.kind) {
    case 'A':
      return `${rr.name} A ${formatIpv4(rr.data.address)}`;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return `${rr.name} ${rr.data.kind} ${rr.data.name}`;
    case 'AAAA':
    case 'SRV':
    case 'raw':
      return `${rr.name} ${dnsTypeName(rr.type)}`;
  }
}

/** A reply to `query`: same id, question and RD, RA set, with `answers` and `rcode`. */
export function dnsReply(query: DnsRepr, answers: readonly DnsRecord[], rcode: number = DNS_RCODE.NOERROR, options: { readonly aa?: boolean } = {}): DnsRepr {
  return {
    kind: 'dns',
    id: query.id,
    qr: true,
    opcode: DNS_OPCODE.QUERY,
    aa: options.aa ?? false,
    tc: false,
    rd: query.rd,
    ra: true,
    rcode,
    questions: query.questions,
    answers,
    authorities: [],
    additionals: [],
  };
}

/** An A record. */
export function aRecord(name: string, address: Ipv4, ttl = 600): DnsRecord {
  return { name, type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl, data: { kind: 'A', address } };
}

/** A PTR record. */
export function ptrRecord(name: string, target: string, ttl = 600): DnsRecord {
  return { name, type: DNS_TYPE.PTR, class: DNS_CLASS.IN, ttl, data: { kind: 'PTR', name: target } };
}

/** `d.c.b.a.in-addr.arpa` for an address; the reverse for a name (undefined if not one). */
export function reverseName(ip: Ipv4): string {
  return `${ip & 0xff}.${(ip >>> 8) & 0xff}.${(ip >>> 16) & 0xff}.${ip >>> 24}.in-addr.arpa`;
}

/** A static zone as an answer function: names (case-insensitive) to addresses, NXDOMAIN otherwise. */
export function staticZone(records: ReadonlyMap<string, readonly Ipv4[]>, ttl = 600): DnsAnswer {
  const byName = new Map<string, readonly Ipv4[]>();
  for (const [name, ips] of records) byName.set(name.toLowerCase().replace(/\.$/, ''), ips);
  return query => {
    const q = query.questions[0];
    if (q === undefined) return dnsReply(query, [], DNS_RCODE.FORMERR);
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (q.type === DNS_TYPE.PTR) {
      for (const [n, ips] of byName) for (const ip of ips) if (reverseName(ip) === name) return dnsReply(query, [ptrRecord(q.name, n, ttl)]);
      return dnsReply(query, [], DNS_RCODE.NXDOMAIN);
    }
    const ips = byName.get(name);
    if (ips === undefined) return dnsReply(query, [], DNS_RCODE.NXDOMAIN);
    if (q.type !== DNS_TYPE.A) return dnsReply(query, []);
    return dnsReply(query, ips.map(ip => aRecord(q.name, ip, ttl)));
  };
}
