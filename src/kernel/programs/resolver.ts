/**
 * The stub resolver programs use to turn a name into IPv4 addresses: an address literal, then
 * `/etc/hosts`, then DNS over UDP to the nameservers of `/etc/resolv.conf` (search list,
 * `ndots`, `timeout`, `attempts`), all read from the process's file system.
 *
 * Models: glibc `getaddrinfo` with `hosts: files dns` (nss_files first, then `res_nsearch`:
 * a name with at least `ndots` dots is tried as is before the search list, otherwise after it;
 * NXDOMAIN moves on to the next candidate, no answer from any server ends the lookup as a
 * temporary failure; each attempt asks every nameserver in turn over a connected UDP socket
 * (a port unreachable moves on at once) and waits `timeout` seconds, default 5, for `attempts`
 * rounds, default 2), `resolv.conf(5)`. Without a nameserver line the
 * resolver asks 127.0.0.1.
 * Leaves out: AAAA queries (only A is asked), TCP fallback on truncation, `options rotate`,
 * the answer cache, `/etc/nsswitch.conf`.
 */
import { DNS_RCODE, DNS_TYPE, dnsQuery, decodeDns, parseIpv4, type DnsRepr, type Ipv4, type UdpPayload } from '../../packet/index.js';
import type { EventId } from '../../engine/index.js';
import type { Process } from '../process.js';
import type { UdpSocket } from '../sockets/index.js';
import { ownerOf, secondsToNs, socketsFor } from './util.js';

export interface ResolvConf {
  readonly nameservers: readonly Ipv4[];
  readonly search: readonly string[];
  readonly ndots: number;
  readonly timeoutSeconds: number;
  readonly attempts: number;
}

/** `res_init`: parses resolv.conf text (unknown lines are ignored, as glibc does). */
export function parseResolvConf(text: string | undefined): ResolvConf {
  const nameservers: Ipv4[] = [];
  let search: string[] = [];
  let ndots = 1;
  let timeoutSeconds = 5;
  let attempts = 2;
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined) {
      const ip = parseIpv4(rest[0]);
      if (ip !== undefined && nameservers.length < 3) nameservers.push(ip);
    } else if (key === 'search' || key === 'domain') {
      search = rest.filter(s => s !== '');
    } else if (key === 'options') {
      for (const opt of rest) {
        const [name, value] = opt.split(':');
        const n = Number(value);
        if (name === 'ndots' && Number.isInteger(n)) ndots = Math.min(n, 15);
        if (name === 'timeout' && Number.isInteger(n) && n > 0) timeoutSeconds = Math.min(n, 30);
        if (name === 'attempts' && Number.isInteger(n) && n > 0) attempts = Math.min(n, 5);
      }
    }
  }
  if (nameservers.length === 0) nameservers.push(0x7f000001);
  return { nameservers, search, ndots, timeoutSeconds, attempts };
}

/** nss_files: the first IPv4 address `/etc/hosts` gives `name` (case-insensitive). */
export function lookupHostsFile(text: string | undefined, name: string): Ipv4 | undefined {
  const wanted = name.toLowerCase();
  for (const raw of (text ?? '').split('\n')) {
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const ip = parseIpv4(fields[0]!);
    if (ip === undefined) continue;
    if (fields.slice(1).some(h => h.toLowerCase() === wanted)) return ip;
  }
  return undefined;
}

export type ResolveResult =
  | { readonly ok: true; readonly addresses: readonly Ipv4[]; readonly source: 'literal' | 'hosts' | 'dns'; readonly canonical: string }
  /** `notfound`: NXDOMAIN or no A record everywhere (EAI_NONAME); `timeout`: no server answered (EAI_AGAIN). */
  | { readonly ok: false; readonly reason: 'notfound' | 'timeout' };

/** The names `res_nsearch` tries, in order. */
export function searchCandidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const searched = conf.search.map(d => `${name}.${d}`);
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

/** Resolves `name` for `proc`; `done` runs exactly once, possibly after virtual time has passed. */
export function resolveHost(proc: Process, name: string, done: (r: ResolveResult) => void): void {
  const literal = parseIpv4(name);
  if (literal !== undefined) {
    done({ ok: true, addresses: [literal], source: 'literal', canonical: name });
    return;
  }
  const fromHosts = lookupHostsFile(proc.fs.get('/etc/hosts'), name);
  if (fromHosts !== undefined) {
    done({ ok: true, addresses: [fromHosts], source: 'hosts', canonical: name });
    return;
  }
  const conf = parseResolvConf(proc.fs.get('/etc/resolv.conf'));
  const candidates = searchCandidates(name, conf);
  const tryNext = (index: number, sawTimeout: boolean): void => {
    const candidate = candidates[index];
    if (candidate === undefined) {
      done({ ok: false, reason: sawTimeout ? 'timeout' : 'notfound' });
      return;
    }
    queryA(proc, conf, candidate, DNS_TYPE.A, r => {
      if (r.kind === 'answer' && r.addresses.length > 0) done({ ok: true, addresses: r.addresses, source: 'dns', canonical: candidate });
      else if (r.kind === 'timeout') done({ ok: false, reason: 'timeout' });
      else tryNext(index + 1, sawTimeout);
    });
  };
  tryNext(0, false);
}

export type QueryOutcome =
  | { readonly kind: 'answer'; readonly addresses: readonly Ipv4[]; readonly reply: DnsRepr; readonly server: Ipv4 }
  | { readonly kind: 'rcode'; readonly rcode: number; readonly reply: DnsRepr; readonly server: Ipv4 }
  | { readonly kind: 'timeout' };

/** The DNS message a UDP payload carries, decoding raw bytes when needed. */
export function dnsOf(payload: UdpPayload): DnsRepr | undefined {
  switch (payload.kind) {
    case 'dns':
      return payload;
    case 'payload': {
      const d = decodeDns(payload.bytes);
      return d.ok ? d.value : undefined;
    }
    case 'vxlan':
      return undefined;
  }
}

/**
 * `res_send`: asks the nameservers of `conf` for `name`/`type` over one UDP socket, round after
 * round; the first matching reply (same id) wins. SERVFAIL and REFUSED move on to the next server.
 */
export function queryA(proc: Process, conf: ResolvConf, name: string, type: number, done: (r: QueryOutcome) => void): void {
  const table = socketsFor(proc);
  const sock: UdpSocket = table.udp({ owner: ownerOf(proc) });
  const id = proc.host.world.rng.stream('dns-id').int(0x10000);
  const query = dnsQuery(id, name, type);
  const servers = conf.nameservers;
  let step = 0;
  let timer: EventId | undefined;
  let finished = false;
  const finish = (r: QueryOutcome): void => {
    if (finished) return;
    finished = true;
    proc.cancelTimer(timer);
    sock.close();
    done(r);
  };
  proc.onCleanup(() => {
    finished = true;
    sock.close();
  });
  sock.onMessage = d => {
    const reply = dnsOf(d.payload);
    if (reply === undefined || !reply.qr || reply.id !== id || d.srcPort !== 53 || !servers.includes(d.src)) return;
    if (reply.rcode === DNS_RCODE.SERVFAIL || reply.rcode === DNS_RCODE.REFUSED) {
      proc.cancelTimer(timer);
      sendNext();
      return;
    }
    if (reply.rcode !== DNS_RCODE.NOERROR) {
      finish({ kind: 'rcode', rcode: reply.rcode, reply, server: d.src });
      return;
    }
    const addresses = reply.answers.flatMap(rr => (rr.data.kind === 'A' ? [rr.data.address] : []));
    finish({ kind: 'answer', addresses, reply, server: d.src });
  };
  const sendNext = (): void => {
    if (finished) return;
    if (step >= servers.length * conf.attempts) {
      finish({ kind: 'timeout' });
      return;
    }
    const server = servers[step % servers.length]!;
    step++;
    // res_send connects the UDP socket to the server, so an ICMP port unreachable comes back as
    // ECONNREFUSED and the next server is tried at once; a send error is a failed attempt.
    const connected = sock.connect(server, 53);
    if (!connected.ok || !sock.send(query).ok) {
      sendNext();
      return;
    }
    timer = proc.after(secondsToNs(conf.timeoutSeconds), sendNext);
  };
  sock.onError = () => {
    proc.cancelTimer(timer);
    sendNext();
  };
  sendNext();
}
