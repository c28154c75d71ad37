/**
 * What Docker's embedded DNS server decides for one query before any packet leaves: answer it
 * from the sandbox's service records, refuse to forward it, drop it, or forward it upstream.
 *
 * Models: libnetwork `resolver.go` (Docker 20.10) `ServeDNS` up to the forwarding loop, with
 * `handleIPQuery`, `handleMXQuery`, `handlePTRQuery`, `handleSRVQuery`, `createRespMsg`
 * (`SetReply` + RA), `shuffleAddr` and `truncateResp`:
 *
 *   A / AAAA   ResolveName(name, v4|v6) -> records (TTL 600, shuffled when more than one);
 *              name known without IPv6 -> empty NOERROR            ("present without IPv6 address")
 *   MX         name known (v4 or v6)   -> empty NOERROR (RFC 5321 "implicit MX")
 *   PTR        `<d.c.b.a>.in-addr.arpa.` -> `<name>.<network>.`; another suffix -> no reply at all
 *   SRV        ResolveService(name)     -> SRV answers + A additionals
 *   miss       proxying off -> SERVFAIL; single-label A/AAAA with the user's ndots -> empty
 *              NOERROR; otherwise forward to the external servers (forwarder.ts)
 *   fit        UDP replies above max(512, EDNS0 size) lose answers from the end and get TC
 *
 * The decision is data (style.md): the caller sends what it says and records it. The backend is
 * the sandbox (`ResolveName`, `ResolveIP`, `NdotsSet`), named by the interface libnetwork's
 * `DNSBackend` is.
 * Leaves out: IPv6 addresses (AAAA never has records here, only the "present" miss), `ip6.arpa`
 * PTR lookups (no IPv6 records to find, so they are forwarded), `HandleQueryResp`.
 */
import type { Rng } from '../../engine/index.js';
import {
  DNS_CLASS,
  DNS_OPCODE,
  DNS_RCODE,
  DNS_TYPE,
  dnsTypeName,
  encodeDns,
  formatIpv4,
  type DnsRecord,
  type DnsRepr,
  type Ipv4,
} from '../../packet/index.js';

/** `respTTL`: every local answer lives 600 seconds. */
export const RESP_TTL = 600;
/** `defaultRespSize`: the UDP reply limit without EDNS0. */
export const DEFAULT_RESP_SIZE = 512;
/** `dns.MaxMsgSize - 1`: the TCP reply limit. */
export const TCP_MAX_SIZE = 65534;

const PTR_IPV4_DOMAIN = '.in-addr.arpa.';
const PTR_IPV6_DOMAIN = '.ip6.arpa.';

/** One SRV target of `ResolveService` with the address that goes in the additional section. */
export interface ServiceTarget {
  readonly target: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
  readonly ip: Ipv4;
}

/** A debug line as dockerd logs it (`[resolver] lookup for a1.: IP [192.168.57.32]`). */
export type Log = (line: string) => void;

/** libnetwork's `DNSBackend` as the sandbox implements it. */
export interface DnsBackend {
  /** `ResolveName(name, ipType)`: addresses, and whether an AAAA miss is final. */
  resolveName(name: string, ipType: 'ipv4' | 'ipv6'): { readonly ips: readonly Ipv4[]; readonly ipv6Miss: boolean };
  /** `ResolveIP`: the PTR name (`<name>.<network>`) of an address. */
  resolveIp(ip: Ipv4): string | undefined;
  /** `ResolveService` (swarm service ports); absent means no SRV records. */
  resolveService?(name: string): readonly ServiceTarget[];
  /** `NdotsSet`: the user configured `ndots`. */
  readonly ndotsSet: boolean;
}

export type QueryDecision =
  /** Reply with this message, built locally. `why` names the rule (for traces). */
  | { readonly kind: 'answer'; readonly reply: DnsRepr; readonly why: 'records' | 'no-ipv6' | 'implicit-mx' | 'ndots' | 'no-proxy' | 'formerr' }
  /** Not a local name: ask the external servers. */
  | { readonly kind: 'forward' }
  /** Nothing goes back (upstream returns before writing). */
  | { readonly kind: 'ignore'; readonly why: string };

/** `createRespMsg`: `SetReply(query)` (id, opcode, RD, CD, question) and RA. */
export function replyTo(query: DnsRepr, answers: readonly DnsRecord[] = [], rcode: number = DNS_RCODE.NOERROR, additionals: readonly DnsRecord[] = []): DnsRepr {
  return {
    kind: 'dns',
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: false,
    tc: false,
    rd: query.rd,
    ra: true,
    rcode,
    questions: query.questions.slice(0, 1),
    answers,
    authorities: [],
    additionals,
  };
}

/** `dns.Fqdn`: the name with its trailing dot, as miekg/dns carries names. */
function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** The reversed dotted form of a PTR query (`32.57.168.192`) read back as an address. */
export function reversedIpv4(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some(p => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return (((Number(parts[3]) << 24) | (Number(parts[2]) << 16) | (Number(parts[1]) << 8) | Number(parts[0])) >>> 0);
}

function aRecord(name: string, ip: Ipv4): DnsRecord {
  return { name, type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl: RESP_TTL, data: { kind: 'A', address: ip } };
}

/** `handleIPQuery` for A (AAAA only ever finds the "present without IPv6" miss here). */
function ipQuery(query: DnsRepr, name: string, ipType: 'ipv4' | 'ipv6', backend: DnsBackend, shuffle: Rng, log: Log): QueryDecision {
  const r = backend.resolveName(fqdn(name), ipType);
  if (r.ips.length === 0 && r.ipv6Miss) {
    log(`[resolver] lookup name ${fqdn(name)} present without IPv6 address`);
    return { kind: 'answer', reply: replyTo(query), why: 'no-ipv6' };
  }
  if (r.ips.length === 0 || ipType === 'ipv6') return { kind: 'forward' };
  log(`[resolver] lookup for ${fqdn(name)}: IP [${r.ips.map(formatIpv4).join(' ')}]`);
  const ips = r.ips.length > 1 ? shuffle.shuffle(r.ips) : r.ips;
  return { kind: 'answer', reply: replyTo(query, ips.map(ip => aRecord(name, ip))), why: 'records' };
}

/** `handleMXQuery`: a known name has no MX, and says so with NOERROR. */
function mxQuery(query: DnsRepr, name: string, backend: DnsBackend): QueryDecision {
  const v4 = backend.resolveName(fqdn(name), 'ipv4');
  return v4.ips.length > 0 ? { kind: 'answer', reply: replyTo(query), why: 'implicit-mx' } : { kind: 'forward' };
}

/** `handlePTRQuery`: only IPv4 reverse names are answered; a name of neither suffix is an error. */
function ptrQuery(query: DnsRepr, name: string, backend: DnsBackend, log: Log): QueryDecision {
  const wire = fqdn(name);
  let reversed: string;
  if (wire.endsWith(PTR_IPV4_DOMAIN)) reversed = wire.slice(0, -PTR_IPV4_DOMAIN.length);
  else if (wire.endsWith(PTR_IPV6_DOMAIN)) return { kind: 'forward' };
  else return { kind: 'ignore', why: `invalid PTR query, ${wire}` };
  const ip = reversedIpv4(reversed);
  const host = ip === undefined ? undefined : backend.resolveIp(ip);
  if (host === undefined || host === '') return { kind: 'forward' };
  log(`[resolver] lookup for IP ${reversed}: name ${host}`);
  const rr: DnsRecord = { name, type: DNS_TYPE.PTR, class: DNS_CLASS.IN, ttl: RESP_TTL, data: { kind: 'PTR', name: host.replace(/\.$/, '') } };
  return { kind: 'answer', reply: replyTo(query, [rr]), why: 'records' };
}

/** `handleSRVQuery`: one SRV answer per target, its address in the additional section. */
function srvQuery(query: DnsRepr, name: string, backend: DnsBackend): QueryDecision {
  const targets = backend.resolveService?.(fqdn(name)) ?? [];
  if (targets.length === 0) return { kind: 'forward' };
  const answers: DnsRecord[] = [];
  const extra: DnsRecord[] = [];
  for (const t of targets) {
    answers.push({ name, type: DNS_TYPE.SRV, class: DNS_CLASS.IN, ttl: RESP_TTL, data: { kind: 'SRV', priority: t.priority, weight: t.weight, port: t.port, target: t.target } });
    extra.push(aRecord(t.target, t.ip));
  }
  return { kind: 'answer', reply: replyTo(query, answers, DNS_RCODE.NOERROR, extra), why: 'records' };
}

/**
 * `ServeDNS` before forwarding. `proxyDns` is false only for resolvers that never forward
 * (container sandboxes always forward).
 */
export function handleQuery(query: DnsRepr, backend: DnsBackend, shuffle: Rng, proxyDns = true, log: Log = () => undefined): QueryDecision {
  // miekg/dns's default accept function: one question (else FORMERR), QUERY or NOTIFY (else NOTIMP).
  if (query.questions.length !== 1) {
    return { kind: 'answer', reply: { ...replyTo(query, [], DNS_RCODE.FORMERR), questions: [], rd: false, ra: false }, why: 'formerr' };
  }
  if (query.opcode !== DNS_OPCODE.QUERY && query.opcode !== DNS_OPCODE.NOTIFY) {
    return { kind: 'answer', reply: { ...replyTo(query, [], DNS_RCODE.NOTIMP), ra: false }, why: 'formerr' };
  }
  const q = query.questions[0]!;
  let decision: QueryDecision;
  switch (q.type) {
    case DNS_TYPE.A:
      decision = ipQuery(query, q.name, 'ipv4', backend, shuffle, log);
      break;
    case DNS_TYPE.AAAA:
      decision = ipQuery(query, q.name, 'ipv6', backend, shuffle, log);
      break;
    case DNS_TYPE.MX:
      decision = mxQuery(query, q.name, backend);
      break;
    case DNS_TYPE.PTR:
      decision = ptrQuery(query, q.name, backend, log);
      break;
    case DNS_TYPE.SRV:
      decision = srvQuery(query, q.name, backend);
      break;
    default:
      log(`[resolver] query type ${dnsTypeName(q.type)} is not supported by the embedded DNS and will be forwarded to external DNS`);
      decision = { kind: 'forward' };
  }
  if (decision.kind !== 'forward') return decision;
  if (!proxyDns) return { kind: 'answer', reply: { ...replyTo(query, [], DNS_RCODE.SERVFAIL), ra: false }, why: 'no-proxy' };
  const single = !q.name.replace(/\.$/, '').includes('.');
  if ((q.type === DNS_TYPE.A || q.type === DNS_TYPE.AAAA) && backend.ndotsSet && single) {
    return { kind: 'answer', reply: replyTo(query), why: 'ndots' };
  }
  return decision;
}

/** The EDNS0 UDP payload size the query advertises (the OPT record's class), or 0. */
export function ednsSize(query: DnsRepr): number {
  const opt = query.additionals.find(r => r.type === DNS_TYPE.OPT);
  return opt === undefined ? 0 : opt.class;
}

/** The size limit of a reply to `query` over `proto` (`ServeDNS`'s `maxSize`). */
export function maxReplySize(query: DnsRepr, proto: 'udp' | 'tcp'): number {
  return proto === 'tcp' ? TCP_MAX_SIZE : Math.max(DEFAULT_RESP_SIZE, ednsSize(query));
}

/** `truncateResp` when the reply is too big: answers dropped from the end, TC set over UDP. */
export function fitReply(reply: DnsRepr, maxSize: number, proto: 'udp' | 'tcp'): DnsRepr {
  if (encodeDns(reply).length <= maxSize) return reply;
  const srv = reply.questions[0]?.type === DNS_TYPE.SRV;
  let answers = [...reply.answers];
  let additionals = [...reply.additionals];
  let out: DnsRepr = { ...reply, tc: proto === 'udp' ? true : reply.tc };
  while (encodeDns(out).length > maxSize && answers.length > 0) {
    answers = answers.slice(0, -1);
    if (srv && additionals.length > 0) additionals = additionals.slice(0, -1);
    out = { ...out, answers, additionals };
  }
  return out;
}

/** Answer records as one-line texts (`a1 A 192.168.57.32`). */
export function answerTexts(m: DnsRepr): string[] {
  return m.answers.map(rr => {
    switch (rr.data.kind) {
      case 'A':
        return `${rr.name} A ${formatIpv4(rr.data.address)}`;
      case 'PTR':
      case 'CNAME':
      case 'NS':
        return `${rr.name} ${rr.data.kind} ${rr.data.name}`;
      case 'SRV':
        return `${rr.name} SRV ${rr.data.port} ${rr.data.target}`;
      case 'AAAA':
      case 'raw':
        return `${rr.name} ${dnsTypeName(rr.type)}`;
    }
  });
}
