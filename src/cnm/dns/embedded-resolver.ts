/**
 * Docker's embedded DNS server of one sandbox: a process-like server with a UDP and a TCP socket
 * bound to 127.0.0.11 on kernel-chosen ports inside the container's namespace, the NAT rules
 * that make them answer on 127.0.0.11:53, local answers from the sandbox's service records, and
 * forwarding of everything else.
 *
 * Models: libnetwork `resolver.go` (Docker 20.10) `NewResolver(resolverIPSandbox, proxyDNS=true,
 * sb)`, `SetupFunc(0)` (`net.ListenUDP`/`net.ListenTCP` on 127.0.0.11:0, run in the sandbox's
 * namespace), `Start` (`setupIPTable`, then the miekg/dns UDP and TCP servers), `Stop`,
 * `SetExtServers` (at most 3), `NameServer`, `ResolverOptions` (`ndots:0`), `ServeDNS`; and
 * `sandbox_dns_unix.go` `startResolver`, which the core runs (resolver-api.ts).
 *
 *   client 127.0.0.1:x -> 127.0.0.11:53   nat OUTPUT DOCKER_OUTPUT: DNAT -> 127.0.0.11:<udp port>
 *   server 127.0.0.11:<udp> -> 127.0.0.1:x  conntrack reverses the DNAT: the reply comes from :53
 *
 * Sockets are owned by `dockerd` in `ss -p` when the daemon's pid is known; their fds follow the
 * pattern of the reference host (UDP fd, TCP fd two above it). Every query, answer and forward is
 * a `dns` trace record; dockerd's debug lines are kept in `log`.
 * A stopped resolver can be started again (new ports; `setupIPTable` then flushes and refills the
 * chains), as upstream's `Stop` allows.
 * Leaves out: the swarm-mode backends (`ResolveService` returns nothing from a plain sandbox),
 * the 1024-query limit, TCP idle timeouts.
 */
import type { Rng } from '../../engine/index.js';
import {
  dnsOf,
  errnoText,
  socketsOf,
  type Errno,
  type NetNamespace,
  type SocketOwner,
  type TcpSocket,
  type UdpDatagram,
  type UdpSocket,
} from '../../kernel/index.js';
import { dnsTypeName, formatIpv4, mustParseIpv4, type DnsRepr } from '../../packet/index.js';
import { RESOLVER_IP_SANDBOX, type EmbeddedResolver, type ExternalDns } from '../core/index.js';
import { ok, system, type Result } from '../errors.js';
import { FrameReader, frameDns } from './dns-tcp.js';
import { MAX_EXT_DNS, forwardQuery, type DnsProto, type Exchange } from './forwarder.js';
import { answerTexts, fitReply, handleQuery, maxReplySize, type DnsBackend } from './query-handler.js';
import { setupResolverRules, type ResolverRulesResult } from './resolver-rules.js';

/** The listen backlog Go asks for (`net.core.somaxconn`, shown as Send-Q of the listener). */
const TCP_BACKLOG = 4096;

/** What the resolver needs of its sandbox: the lookups, and the namespaces it works in. */
export interface ResolverSandbox extends DnsBackend {
  /** The container's namespace. */
  readonly ns: NetNamespace;
  /** The host's namespace (for upstreams from the host's resolv.conf on loopback). */
  readonly hostNs: NetNamespace;
  /** For messages: the container id. */
  readonly containerId: string;
}

export interface EmbeddedDnsSettings {
  /** `proxyDNS`: container sandboxes always forward. */
  readonly proxyDns: boolean;
  /** The socket owner for the UDP socket; the TCP listener is this with `fd + 2`. */
  readonly owner: SocketOwner | undefined;
  /** The `dns-shuffle` stream. */
  readonly shuffle: Rng;
  /** Receives dockerd's debug lines, besides `log`. */
  readonly onLog?: (line: string) => void;
}

/** Go's text for a failed listen (`listen udp 127.0.0.11:0: bind: address already in use`). */
function listenError(proto: DnsProto, errno: Errno): string {
  const text = errnoText(errno);
  return `listen ${proto} ${RESOLVER_IP_SANDBOX}:0: bind: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

export class EmbeddedDnsServer implements EmbeddedResolver {
  readonly sandbox: ResolverSandbox;
  readonly settings: EmbeddedDnsSettings;
  /** dockerd's debug lines about this resolver, in order. */
  readonly log: string[] = [];
  /** The iptables commands of the last start. */
  rules: ResolverRulesResult | undefined;
  #ext: ExternalDns[] = [];
  #udp: UdpSocket | undefined;
  #tcp: TcpSocket | undefined;
  readonly #connections = new Set<TcpSocket>();
  readonly #pending = new Set<Exchange>();

  constructor(sandbox: ResolverSandbox, settings: EmbeddedDnsSettings) {
    this.sandbox = sandbox;
    this.settings = settings;
  }

  nameServer(): string {
    return RESOLVER_IP_SANDBOX;
  }

  resolverOptions(): readonly string[] {
    return ['ndots:0'];
  }

  setExtServers(servers: readonly ExternalDns[]): void {
    this.#ext = servers.slice(0, MAX_EXT_DNS);
  }

  /** The upstreams in use. */
  externalServers(): readonly ExternalDns[] {
    return this.#ext;
  }

  /** The UDP port DNAT sends 127.0.0.11:53 to (0 before start). */
  get udpPort(): number {
    return this.#udp?.localPort ?? 0;
  }

  get tcpPort(): number {
    return this.#tcp?.localPort ?? 0;
  }

  get running(): boolean {
    return this.#udp !== undefined;
  }

  /** `SetupFunc(0)` in the sandbox's namespace, then `Start`. */
  start(): Result<void> {
    if (this.running) return ok(undefined);
    const ns = this.sandbox.ns;
    const ip = mustParseIpv4(RESOLVER_IP_SANDBOX);
    const owner = this.settings.owner;
    const udp = socketsOf(ns).udp(owner === undefined ? {} : { owner });
    const udpBound = udp.bind(ip, 0);
    if (!udpBound.ok) {
      udp.close();
      return system(`error in opening name server socket ${listenError('udp', udpBound.errno)}`);
    }
    const tcp = socketsOf(ns).tcp(owner === undefined ? {} : { owner: { ...owner, fd: owner.fd + 2 } });
    const bound = tcp.bind(ip, 0);
    const listening = bound.ok ? tcp.listen(TCP_BACKLOG) : bound;
    if (!listening.ok) {
      udp.close();
      tcp.close();
      return system(`error in opening name TCP server socket ${listenError('tcp', listening.errno)}`);
    }
    this.#udp = udp;
    this.#tcp = tcp;
    udp.onMessage = d => this.#serveUdp(udp, d);
    tcp.onAccept = conn => this.#acceptTcp(conn);
    this.rules = setupResolverRules(ns, RESOLVER_IP_SANDBOX, this.udpPort, this.tcpPort);
    for (const e of this.rules.errors) this.#log(e);
    return ok(undefined);
  }

  /** `Stop`: the servers shut down; forwards in flight are abandoned. */
  stop(): void {
    this.#udp?.close();
    this.#udp = undefined;
    this.#tcp?.close();
    this.#tcp = undefined;
    for (const c of this.#connections) c.abort();
    this.#connections.clear();
    for (const x of this.#pending) x.cancel();
    this.#pending.clear();
  }

  #log(line: string): void {
    this.log.push(line);
    this.settings.onLog?.(line);
  }

  /** `ServeDNS` for one query; `send` is the ResponseWriter (`undefined`: nothing is written). */
  #serve(query: DnsRepr, proto: DnsProto, packetId: number, send: (reply: DnsRepr) => void): DnsRepr | undefined {
    const d = handleQuery(query, this.#loggingBackend(), this.settings.shuffle, this.settings.proxyDns, line => this.#log(line));
    switch (d.kind) {
      case 'answer':
        return fitReply(d.reply, maxReplySize(query, proto), proto);
      case 'ignore':
        this.#log(`[resolver] failed to handle query: ${d.why}`);
        this.#trace(packetId, { action: 'ignored', ...question(query), why: d.why });
        return undefined;
      case 'forward': {
        const ctx = {
          containerNs: this.sandbox.ns,
          hostNs: this.sandbox.hostNs,
          servers: this.#ext,
          // Each forwarding socket is another descriptor of dockerd's.
          ...(this.settings.owner === undefined ? {} : { owner: { ...this.settings.owner, fd: this.settings.owner.fd + 4 } }),
          log: (line: string) => this.#log(line),
          packetId,
        };
        // The loop may finish before forwardQuery returns (no servers, an immediate failure).
        const flight: { exchange: Exchange | undefined; done: boolean } = { exchange: undefined, done: false };
        flight.exchange = forwardQuery(ctx, query, proto, reply => {
          flight.done = true;
          if (flight.exchange !== undefined) this.#pending.delete(flight.exchange);
          if (reply !== undefined && this.running) send(reply);
        });
        if (!flight.done) this.#pending.add(flight.exchange);
        return undefined;
      }
    }
  }

  /** The miekg/dns UDP server: one datagram, one query; the reply goes back to its source. */
  #serveUdp(sock: UdpSocket, d: UdpDatagram): void {
    const query = dnsOf(d.payload);
    if (query === undefined || query.qr) return;
    const from = `${formatIpv4(d.src)}:${d.srcPort}`;
    this.#trace(d.packetId, { action: 'query', ...question(query), proto: 'udp', from });
    const send = (reply: DnsRepr): void => {
      if (sock.closed) return;
      const sent = sock.send(reply, { addr: d.src, port: d.srcPort });
      this.#trace(sent.ok ? sent.value : d.packetId, { action: 'answer', ...question(reply), proto: 'udp', to: from, rcode: reply.rcode, answers: answerTexts(reply) });
    };
    const immediate = this.#serve(query, 'udp', d.packetId, send);
    if (immediate !== undefined) send(immediate);
  }

  /** The miekg/dns TCP server: framed queries on an accepted connection, framed replies back. */
  #acceptTcp(conn: TcpSocket): void {
    this.#connections.add(conn);
    const reader = new FrameReader();
    conn.onData = bytes => {
      for (const m of reader.push(bytes)) {
        if (!m.ok) continue;
        const query = m.message;
        if (query.qr) continue;
        this.#trace(0, { action: 'query', ...question(query), proto: 'tcp' });
        const send = (reply: DnsRepr): void => {
          if (!this.#connections.has(conn)) return;
          conn.send(frameDns(reply));
          this.#trace(0, { action: 'answer', ...question(reply), proto: 'tcp', rcode: reply.rcode, answers: answerTexts(reply) });
        };
        const immediate = this.#serve(query, 'tcp', 0, send);
        if (immediate !== undefined) send(immediate);
      }
    };
    conn.onEnd = () => conn.close();
    conn.onClose = () => this.#connections.delete(conn);
  }

  /** The sandbox with dockerd's `Name To resolve:` line in front of each name lookup. */
  #loggingBackend(): DnsBackend {
    const sb = this.sandbox;
    const base: DnsBackend = {
      resolveName: (name, ipType) => {
        this.#log(`Name To resolve: ${name}`);
        return sb.resolveName(name, ipType);
      },
      resolveIp: ip => sb.resolveIp(ip),
      ndotsSet: sb.ndotsSet,
    };
    const service = sb.resolveService;
    return service === undefined ? base : { ...base, resolveService: name => service.call(sb, name) };
  }

  #trace(packetId: number, detail: Record<string, string | number | readonly string[]>): void {
    const ns = this.sandbox.ns;
    if (ns.host.world.trace.enabled) ns.trace(packetId, undefined, 'dns', detail);
  }
}

function question(m: DnsRepr): { name: string; type: string } {
  const q = m.questions[0];
  return { name: q?.name ?? '', type: q === undefined ? '' : dnsTypeName(q.type) };
}
