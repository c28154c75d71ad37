/**
 * busybox `nslookup` (the musl-compatible implementation busybox 1.35 builds), over UDP.
 *
 * Models: busybox `networking/nslookup.c` (`FEATURE_NSLOOKUP_BIG`): an address is looked up as
 * a PTR query, a name as an A and an AAAA query sent together over one connected UDP socket;
 * unanswered queries are resent every timeout/retry (2.5 s) for 5 s per server, servers from
 * the command line or `/etc/resolv.conf` (127.0.0.1 when there is none); on the first reply it
 * prints `Server:\t\tNAME` and `Address:\tIP:PORT` and a blank line, then for each reply in
 * arrival order either `** server can't find NAME: NXDOMAIN` or `Non-authoritative answer:`
 * (when AA is clear) and the records (`Name:\tN` / `Address: A`, `N\tname = T`,
 * `N\tcanonical name = T`), each reply followed by a blank line; `;; connection timed out; no
 * servers could be reached` when nobody answers. Exit status 1 when a reply carried an error
 * rcode or no server answered (as the 1.35 reference captures show), else 0.
 * Options: -type=T (-query=, -q=), -port=N, -timeout=N (-t=), -retry=N, -debug (accepted).
 * Leaves out: SOA/MX/TXT printing details beyond the basic lines, the -stats output.
 */
import { DNS_TYPE, dnsQuery, formatIpv4, parseIpv4, type DnsRecord, type DnsRepr, type Ipv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import { dnsOf, parseResolvConf } from './resolver.js';
import { reverseName } from './dns-server.js';
import { ownerOf, socketsFor } from './util.js';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', '11', '12', '13', '14', '15'];
const TYPES: Readonly<Record<string, number>> = { soa: DNS_TYPE.SOA, ns: DNS_TYPE.NS, a: DNS_TYPE.A, aaaa: DNS_TYPE.AAAA, cname: DNS_TYPE.CNAME, mx: DNS_TYPE.MX, txt: DNS_TYPE.TXT, ptr: DNS_TYPE.PTR, any: DNS_TYPE.ANY };
const USAGE = 'Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n';

interface Query {
  readonly name: string;
  readonly message: DnsRepr;
  answered: boolean;
}

interface Server {
  readonly name: string;
  readonly addr: Ipv4;
  readonly port: number;
}

/** The lines `parse_reply` prints for one answer record. */
function recordLines(rr: DnsRecord): string {
  const name = rr.name.replace(/\.$/, '');
  switch (rr.data.kind) {
    case 'A':
      return `Name:\t${name}\nAddress: ${formatIpv4(rr.data.address)}\n`;
    case 'AAAA': {
      const parts: string[] = [];
      for (let i = 0; i < 16; i += 2) parts.push(((rr.data.address[i]! << 8) | rr.data.address[i + 1]!).toString(16));
      return `Name:\t${name}\nAddress: ${parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}\n`;
    }
    case 'CNAME':
      return `${name}\tcanonical name = ${rr.data.name.replace(/\.$/, '')}\n`;
    case 'PTR':
      return `${name}\tname = ${rr.data.name.replace(/\.$/, '')}\n`;
    case 'NS':
      return `${name}\tnameserver = ${rr.data.name.replace(/\.$/, '')}\n`;
    case 'SRV':
    case 'raw':
      return '';
  }
}

export function nslookup(proc: Process, argv: readonly string[]): void {
  let timeoutSeconds = 5;
  let retry = 2;
  let port = 53;
  const types: number[] = [];
  const operands: string[] = [];
  for (const arg of argv.slice(1)) {
    if (!arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    const [rawKey = '', value = ''] = arg.slice(1).split('=');
    const key = rawKey.toLowerCase();
    if (key === 'type' || key === 'querytype' || key === 'query' || key === 'q') {
      const t = TYPES[value.toLowerCase()];
      if (t === undefined) {
        proc.err(`nslookup: invalid query type "${value}"\n`);
        proc.exit(1);
        return;
      }
      types.push(t);
    } else if (key === 'port') port = Number(value) || 53;
    else if (key === 'retry') retry = Math.max(1, Number(value) || 1);
    else if (key === 'timeout' || key === 't') timeoutSeconds = Math.max(1, Number(value) || 1);
    else if (key !== 'debug') {
      proc.err(USAGE);
      proc.exit(1);
      return;
    }
  }
  const host = operands[0];
  if (host === undefined || operands.length > 2) {
    proc.err(USAGE);
    proc.exit(1);
    return;
  }
  const rng = proc.host.world.rng.stream('dns-id');
  const queries: Query[] = [];
  const add = (name: string, type: number): void => {
    queries.push({ name, message: dnsQuery(rng.int(0x10000), name, type), answered: false });
  };
  const literal = parseIpv4(host);
  if (types.length > 0) for (const t of types) add(host, t);
  else if (literal !== undefined) add(reverseName(literal), DNS_TYPE.PTR);
  else {
    add(host, DNS_TYPE.A);
    add(host, DNS_TYPE.AAAA);
  }
  const servers: Server[] = [];
  const serverArg = operands[1];
  if (serverArg !== undefined) {
    const [addrText = '', portText] = serverArg.split(':');
    const addr = parseIpv4(addrText);
    if (addr === undefined) {
      proc.err(`nslookup: bad address '${serverArg}'\n`);
      proc.exit(1);
      return;
    }
    servers.push({ name: serverArg, addr, port: portText === undefined ? port : Number(portText) });
  } else {
    const conf = parseResolvConf(proc.fs.get('/etc/resolv.conf'));
    for (const ns of conf.nameservers) servers.push({ name: formatIpv4(ns), addr: ns, port });
  }
  let failed = false;
  const tryServer = (index: number): void => {
    const server = servers[index];
    if (server === undefined) {
      proc.out(';; connection timed out; no servers could be reached\n\n');
      proc.exit(1);
      return;
    }
    ask(proc, server, queries, timeoutSeconds, retry, {
      onFirstReply: () => proc.out(`Server:\t\t${server.name}\nAddress:\t${formatIpv4(server.addr)}:${server.port}\n\n`),
      onReply: (q, reply) => {
        if (reply.rcode !== 0) {
          failed = true;
          proc.out(`** server can't find ${q.name}: ${RCODES[reply.rcode] ?? String(reply.rcode)}\n\n`);
          return;
        }
        let out = reply.aa ? '' : 'Non-authoritative answer:\n';
        for (const rr of reply.answers) out += recordLines(rr);
        proc.out(`${out}\n`);
      },
      onDone: replies => {
        if (replies === 0) {
          tryServer(index + 1);
          return;
        }
        let missing = false;
        for (const q of queries) {
          if (!q.answered) {
            proc.out(`*** Can't find ${q.name}: No answer\n`);
            missing = true;
          }
        }
        if (missing) proc.out('\n');
        proc.exit(failed ? 1 : 0);
      },
    });
  };
  tryServer(0);
}

interface AskEvents {
  readonly onFirstReply: () => void;
  readonly onReply: (q: Query, reply: DnsRepr) => void;
  readonly onDone: (replies: number) => void;
}

/** `send_queries`: all queries to one server, resent every timeout/retry until all answered or the timeout. */
function ask(proc: Process, server: Server, queries: Query[], timeoutSeconds: number, retry: number, ev: AskEvents): void {
  const sock = socketsFor(proc).udp({ owner: ownerOf(proc) });
  proc.onCleanup(() => sock.close());
  if (!sock.connect(server.addr, server.port).ok) {
    sock.close();
    ev.onDone(0);
    return;
  }
  const engine = proc.host.world.engine;
  const totalNs = timeoutSeconds * 1e9;
  const intervalNs = Math.floor(totalNs / retry);
  const start = engine.now;
  let replies = 0;
  let processed = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    sock.close();
    ev.onDone(processed);
  };
  const sendPending = (): void => {
    if (finished) return;
    if (engine.now - start >= totalNs) {
      finish();
      return;
    }
    for (const q of queries) if (!q.answered) sock.send(q.message);
    proc.after(Math.min(intervalNs, totalNs - (engine.now - start)), sendPending);
  };
  sock.onMessage = d => {
    if (finished) return;
    const reply = dnsOf(d.payload);
    if (reply === undefined || !reply.qr) return;
    if (replies === 0) ev.onFirstReply();
    const q = queries.find(x => x.message.id === reply.id);
    replies++;
    if (q === undefined || q.answered) return;
    q.answered = true;
    processed++;
    ev.onReply(q, reply);
    if (queries.every(x => x.answered)) finish();
  };
  sock.onError = () => {
    // ECONNREFUSED from an ICMP port unreachable: the read fails and the loop goes on waiting.
  };
  sendPending();
}
