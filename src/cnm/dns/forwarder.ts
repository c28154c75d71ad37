/**
 * Forwarding a query the embedded DNS does not know to the sandbox's external servers, over real
 * simulated sockets: one connected socket per server and attempt, a 4 s deadline, the next
 * server on failure.
 *
 * Models: the forwarding loop of libnetwork `resolver.go` (Docker 20.10) `ServeDNS`:
 *
 *   for each of the first 3 external servers, in order:
 *     dial <ip>:53 over the query's protocol     in the host namespace for a host-loopback server
 *                                                (127.0.0.53 of the host's resolv.conf), in the
 *                                                container's otherwise (`ExecFunc`)
 *       dial fails            -> next server, the last reply kept     ("connect failed")
 *     write, read with a 4 s deadline
 *       read fails            -> next server, no reply kept           (timeout, connection refused)
 *     SERVFAIL, REFUSED, other errors, non-authoritative NXDOMAIN -> next server, this reply kept
 *     NOERROR, authoritative NXDOMAIN                             -> this reply, stop
 *   a kept reply goes back to the client as the server sent it; none -> nothing is sent and the
 *   client times out (02-user-bridge a4: `--dns 127.0.0.1` with nothing listening).
 *
 * A kept non-authoritative NXDOMAIN from the last server is what the client gets (02 a5: the
 * stub's NXDOMAIN reached nslookup). The debug lines are dockerd's (`dockerd-log-resolver.txt`).
 * Leaves out: the 1024 concurrent-query limit, `HandleQueryResp`, retrying a truncated UDP reply
 * over TCP (the TC reply is returned as it is, which is what makes the client retry).
 */
import { SECOND, type EventId } from '../../engine/index.js';
import { dnsOf, errnoText, socketsOf, type Errno, type NetNamespace, type SocketOwner } from '../../kernel/index.js';
import { DNS_RCODE, DNS_TYPE, dnsTypeName, formatIpv4, parseIpv4, type DnsRepr, type Ipv4 } from '../../packet/index.js';
import type { ExternalDns } from '../core/index.js';
import { FrameReader, frameDns } from './dns-tcp.js';
import { answerTexts } from './query-handler.js';

/** `maxExtDNS`. */
export const MAX_EXT_DNS = 3;
/** `extIOTimeout`. */
export const EXT_IO_TIMEOUT = 4 * SECOND;
const DNS_PORT = 53;

export type DnsProto = 'udp' | 'tcp';

export type ExchangeOutcome =
  | { readonly kind: 'reply'; readonly reply: DnsRepr }
  /** `net.DialTimeout` failed: the previous reply, if any, is kept. */
  | { readonly kind: 'connect-failed'; readonly error: string }
  /** `WriteMsg` failed: likewise kept. */
  | { readonly kind: 'send-failed'; readonly error: string }
  /** `ReadMsg` failed: there is no reply any more. */
  | { readonly kind: 'read-failed'; readonly error: string };

/** One exchange in flight; `cancel` closes its socket and forgets the callback. */
export interface Exchange {
  cancel(): void;
}

/** Go's text for a socket error: the C library's, in lower case (`connection refused`). */
function goErrno(errno: Errno): string {
  const text = errnoText(errno);
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What an exchange reports: the socket is connected (`local` is its address), and the outcome. */
export interface ExchangeHooks {
  dialed(local: string): void;
  done(o: ExchangeOutcome, local: string): void;
}

/** One query to one server over UDP on a connected socket (`net.DialTimeout("udp", ...)`). */
export function exchangeUdp(ns: NetNamespace, server: Ipv4, query: DnsRepr, owner: SocketOwner | undefined, hooks: ExchangeHooks): Exchange {
  const engine = ns.host.world.engine;
  const sock = socketsOf(ns).udp(owner === undefined ? {} : { owner });
  const remote = `${formatIpv4(server)}:${DNS_PORT}`;
  const connected = sock.connect(server, DNS_PORT);
  if (!connected.ok) {
    sock.close();
    hooks.done({ kind: 'connect-failed', error: `dial udp ${remote}: connect: ${goErrno(connected.errno)}` }, '');
    return { cancel: () => undefined };
  }
  const local = `${formatIpv4(sock.localAddr)}:${sock.localPort}`;
  const readError = (what: string): string => `read udp ${local}->${remote}: ${what}`;
  let finished = false;
  const timer = engine.scheduleIn(EXT_IO_TIMEOUT, () => finish({ kind: 'read-failed', error: readError('i/o timeout') }));
  const finish = (o: ExchangeOutcome): void => {
    if (finished) return;
    finished = true;
    engine.cancel(timer);
    sock.close();
    hooks.done(o, local);
  };
  sock.onMessage = d => {
    const reply = dnsOf(d.payload);
    if (reply !== undefined) finish({ kind: 'reply', reply });
  };
  sock.onError = errno => finish({ kind: 'read-failed', error: readError(`read: ${goErrno(errno)}`) });
  hooks.dialed(local);
  const sent = sock.send(query);
  if (!sent.ok) finish({ kind: 'send-failed', error: `write udp ${local}->${remote}: write: ${goErrno(sent.errno)}` });
  return {
    cancel: () => {
      finished = true;
      engine.cancel(timer);
      sock.close();
    },
  };
}

/** One query to one server over TCP (`net.DialTimeout("tcp", ...)`, then framed write and read). */
export function exchangeTcp(ns: NetNamespace, server: Ipv4, query: DnsRepr, owner: SocketOwner | undefined, hooks: ExchangeHooks): Exchange {
  const engine = ns.host.world.engine;
  const sock = socketsOf(ns).tcp(owner === undefined ? {} : { owner });
  const remote = `${formatIpv4(server)}:${DNS_PORT}`;
  const reader = new FrameReader();
  let finished = false;
  let established = false;
  let timer: EventId | undefined;
  let local = '';
  const finish = (o: ExchangeOutcome): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) engine.cancel(timer);
    if (established) sock.close();
    else sock.abort();
    hooks.done(o, local);
  };
  const dialError = (what: string): ExchangeOutcome => ({ kind: 'connect-failed', error: `dial tcp ${remote}: ${what}` });
  const connected = sock.connect(server, DNS_PORT);
  if (!connected.ok) {
    finish(dialError(`connect: ${goErrno(connected.errno)}`));
    return { cancel: () => undefined };
  }
  local = `${formatIpv4(sock.localAddr)}:${sock.localPort}`;
  const readError = (what: string): ExchangeOutcome => ({ kind: 'read-failed', error: `read tcp ${local}->${remote}: ${what}` });
  timer = engine.scheduleIn(EXT_IO_TIMEOUT, () => finish(dialError('i/o timeout')));
  sock.onConnect = () => {
    established = true;
    if (timer !== undefined) engine.cancel(timer);
    timer = engine.scheduleIn(EXT_IO_TIMEOUT, () => finish(readError('i/o timeout')));
    hooks.dialed(local);
    const sent = sock.send(frameDns(query));
    if (!sent.ok) finish({ kind: 'send-failed', error: `write tcp ${local}->${remote}: write: ${goErrno(sent.errno)}` });
  };
  sock.onError = errno => finish(established ? readError(`read: ${goErrno(errno)}`) : dialError(`connect: ${goErrno(errno)}`));
  sock.onData = bytes => {
    for (const m of reader.push(bytes)) {
      if (m.ok) {
        finish({ kind: 'reply', reply: m.message });
        return;
      }
    }
  };
  sock.onEnd = () => finish(readError('EOF'));
  return {
    cancel: () => {
      finished = true;
      if (timer !== undefined) engine.cancel(timer);
      sock.abort();
    },
  };
}

/** Where and how the forwarder works, and where it reports. */
export interface ForwardContext {
  /** The container's namespace (`ExecFunc`). */
  readonly containerNs: NetNamespace;
  /** The host's namespace, for host-loopback servers. */
  readonly hostNs: NetNamespace;
  readonly servers: readonly ExternalDns[];
  /** dockerd, as `ss -p` shows the forwarding sockets. */
  readonly owner?: SocketOwner;
  /** A debug line as dockerd logs it. */
  readonly log: (line: string) => void;
  /** The query's packet id, so trace records of the forwarding join its story. */
  readonly packetId: number;
}

function rcodeName(rcode: number): string {
  const names: Readonly<Record<number, string>> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
  return names[rcode] ?? 'UNKNOWN';
}

function goQuote(name: string): string {
  return JSON.stringify(name);
}

/** The forwarding loop; `done` gets the reply to send back, or undefined for none. */
export function forwardQuery(ctx: ForwardContext, query: DnsRepr, proto: DnsProto, done: (reply: DnsRepr | undefined) => void): Exchange {
  const q = query.questions[0];
  const name = `${q?.name ?? ''}.`;
  const typeName = q === undefined ? '' : dnsTypeName(q.type);
  const servers = ctx.servers.slice(0, MAX_EXT_DNS);
  let current: Exchange | undefined;
  let cancelled = false;
  let kept: DnsRepr | undefined;
  const trace = (ns: NetNamespace, detail: Record<string, string | number | readonly string[]>): void => {
    if (ns.host.world.trace.enabled) ns.trace(ctx.packetId, undefined, 'dns', { name, type: typeName, ...detail });
  };
  const attempt = (i: number): void => {
    if (cancelled) return;
    const server = servers[i];
    if (server === undefined || server.ip === '') {
      if (kept === undefined) trace(ctx.containerNs, { action: 'no-reply', servers: servers.map(s => `${proto}:${s.ip}`) });
      done(kept);
      return;
    }
    const ns = server.hostLoopback ? ctx.hostNs : ctx.containerNs;
    const to = `${proto}:${server.ip}`;
    const ip = parseIpv4(server.ip);
    if (ip === undefined) {
      ctx.log(`[resolver] connect failed: dial ${proto} ${server.ip}:53: address not IPv4`);
      attempt(i + 1);
      return;
    }
    const exchange = proto === 'udp' ? exchangeUdp : exchangeTcp;
    const dialed = (local: string): void => {
      ctx.log(`[resolver] query ${name} (${typeName}) from ${local}, forwarding to ${to}`);
      trace(ns, { action: 'forward', from: local, to });
    };
    current = exchange(ns, ip, query, ctx.owner, { dialed, done: (o, local) => {
      switch (o.kind) {
        case 'connect-failed':
          ctx.log(`[resolver] connect failed: ${o.error}`);
          trace(ns, { action: 'upstream-failed', server: to, error: o.error });
          attempt(i + 1);
          return;
        case 'send-failed':
          ctx.log(`[resolver] send to DNS server failed, ${o.error}`);
          trace(ns, { action: 'upstream-failed', server: to, error: o.error });
          attempt(i + 1);
          return;
        case 'read-failed':
          kept = undefined;
          ctx.log(`[resolver] read from DNS server failed, ${o.error}`);
          trace(ns, { action: 'upstream-failed', server: to, from: local, error: o.error });
          attempt(i + 1);
          return;
        case 'reply':
          kept = o.reply;
          if (!accepted(o.reply, to)) {
            trace(ns, { action: 'upstream-reply', server: to, rcode: rcodeName(o.reply.rcode), verdict: 'next server' });
            attempt(i + 1);
            return;
          }
          trace(ns, { action: 'upstream-reply', server: to, rcode: rcodeName(o.reply.rcode), answers: answerTexts(o.reply), verdict: 'returned' });
          done(o.reply);
          return;
      }
    } });
  };
  const accepted = (reply: DnsRepr, to: string): boolean => {
    const rcode = reply.rcode;
    if (rcode === DNS_RCODE.SERVFAIL || rcode === DNS_RCODE.REFUSED) {
      ctx.log(`[resolver] external DNS ${to} responded with ${rcodeName(rcode)} for ${goQuote(name)}`);
      return false;
    }
    if (rcode === DNS_RCODE.NXDOMAIN) {
      ctx.log(`[resolver] external DNS ${to} responded with ${rcodeName(rcode)} for ${goQuote(name)}`);
      return reply.aa;
    }
    if (rcode !== DNS_RCODE.NOERROR) {
      ctx.log(`[resolver] external DNS ${to} responded with ${rcodeName(rcode)} (code ${rcode}) for ${goQuote(name)}`);
      return false;
    }
    let answers = 0;
    for (const rr of reply.answers) {
      if (rr.data.kind === 'A') {
        answers++;
        ctx.log(`[resolver] received A record ${goQuote(formatIpv4(rr.data.address))} for ${goQuote(`${rr.name}.`)} from ${to}`);
      } else if (rr.type === DNS_TYPE.AAAA) {
        answers++;
      }
    }
    if (answers === 0) ctx.log(`[resolver] external DNS ${to} did not return any ${typeName} records for ${goQuote(name)}`);
    return true;
  };
  attempt(0);
  return {
    cancel: () => {
      cancelled = true;
      current?.cancel();
    },
  };
}
