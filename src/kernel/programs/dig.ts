/**
 * `dig` (BIND 9.18, as on a Debian 12 host): one DNS query over UDP and its answer in dig's
 * presentation format, or just the data with `+short`.
 *
 * Models: BIND `bin/dig/dig.c` and `dighost.c` output: the `; <<>> DiG ... <<>> ARGS` banner,
 * `;; ->>HEADER<<-` with opcode, status and id, the flags line, QUESTION/ANSWER sections in
 * master-file format (owner, TTL, class and type aligned on tab stops 24/32/40/48), the
 * statistics (`Query time` in virtual milliseconds, `SERVER`, `WHEN` from the virtual clock,
 * `MSG SIZE rcvd`); `+time=5 +tries=3` defaults; `;; communications error to IP#53: timed out`
 * per try and `;; no servers could be reached` with exit status 9; `-x ADDR` for reverse lookups.
 * Options: @SERVER, -p PORT, -x ADDR, TYPE, +short, +time=N, +tries=N (+retry=N).
 * Leaves out: EDNS (no OPT record is sent), AUTHORITY/ADDITIONAL sections, +trace, +tcp, batch
 * files, the search list.
 */
import { DNS_TYPE, dnsQuery, dnsTypeName, encodeDns, formatIpv4, parseIpv4, type DnsRecord, type DnsRepr, type Ipv4 } from '../../packet/index.js';
import type { Process } from '../process.js';
import { reverseName } from './dns-server.js';
import { httpDate } from './httpd.js';
import { dnsOf, parseResolvConf } from './resolver.js';
import { ownerOf, socketsFor } from './util.js';

const VERSION = '9.18.24-1-Debian';
const STATUS = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const TYPE_BY_NAME: Readonly<Record<string, number>> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 };

/**
 * Fields separated by tabs so each starts at its tab stop (BIND's styled master-file output):
 * `[text, stop]` pads `text` with at least one tab up to column `stop`; the last field is bare.
 */
function tabbed(fields: readonly (readonly [string, number])[], last: string): string {
  let out = '';
  let col = 0;
  for (const [text, stop] of fields) {
    out += text;
    col += text.length;
    do {
      out += '\t';
      col = (Math.floor(col / 8) + 1) * 8;
    } while (col < stop);
  }
  return out + last;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function rdataText(rr: DnsRecord): string {
  switch (rr.data.kind) {
    case 'A':
      return formatIpv4(rr.data.address);
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return fqdn(rr.data.name);
    case 'SRV':
      return `${rr.data.priority} ${rr.data.weight} ${rr.data.port} ${fqdn(rr.data.target)}`;
    case 'AAAA':
    case 'raw':
      return '';
  }
}

/** One answer record in master-file format. */
function recordLine(rr: DnsRecord): string {
  return tabbed([[fqdn(rr.name), 24], [String(rr.ttl), 32], ['IN', 40], [dnsTypeName(rr.type), 48]], rdataText(rr));
}

/** `Thu Jan 01 00:00:00 UTC 1970` from virtual time. */
function whenText(ns: number): string {
  const [day = '', date = '', month = '', year = '', time = ''] = httpDate(ns).replace(',', '').split(' ');
  return `${day} ${month} ${date} ${time} UTC ${year}`;
}

export function dig(proc: Process, argv: readonly string[]): void {
  let server: Ipv4 | undefined;
  let port = 53;
  let name: string | undefined;
  let type: number | undefined;
  let short = false;
  let timeSeconds = 5;
  let tries = 3;
  const rest = argv.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('@')) server = parseIpv4(a.slice(1));
    else if (a === '-p') port = Number(rest[++i]) || 53;
    else if (a === '-x') {
      const ip = parseIpv4(rest[++i] ?? '');
      if (ip !== undefined) {
        name = reverseName(ip);
        type = DNS_TYPE.PTR;
      }
    } else if (a === '+short') short = true;
    else if (a.startsWith('+time=')) timeSeconds = Math.max(1, Number(a.slice(6)) || 1);
    else if (a.startsWith('+tries=')) tries = Math.max(1, Number(a.slice(7)) || 1);
    else if (a.startsWith('+retry=')) tries = Math.max(0, Number(a.slice(7)) || 0) + 1;
    else if (a.startsWith('+') || a.startsWith('-')) continue;
    else if (name !== undefined && type === undefined && TYPE_BY_NAME[a.toUpperCase()] !== undefined) type = TYPE_BY_NAME[a.toUpperCase()];
    else if (name === undefined) name = a;
  }
  const qname = fqdn(name ?? '.');
  const qtype = type ?? (name === undefined ? DNS_TYPE.NS : DNS_TYPE.A);
  const target = server ?? parseResolvConf(proc.fs.get('/etc/resolv.conf')).nameservers[0]!;
  const banner = `\n; <<>> DiG ${VERSION} <<>> ${rest.join(' ')}\n${server !== undefined ? '; (1 server found)\n' : ''};; global options: +cmd\n`;
  const query = dnsQuery(proc.host.world.rng.stream('dns-id').int(0x10000), qname.replace(/\.$/, '') || '.', qtype);
  const sock = socketsFor(proc).udp({ owner: ownerOf(proc) });
  proc.onCleanup(() => sock.close());
  const engine = proc.host.world.engine;
  let attempt = 0;
  let sentAt = 0;
  let timer: ReturnType<Process['after']> | undefined;
  let errors = '';
  const send = (): void => {
    if (attempt >= tries) {
      if (!short) proc.out(`${banner}${errors}${banner};; no servers could be reached\n`);
      else proc.out(`${errors};; no servers could be reached\n`);
      proc.exit(9);
      return;
    }
    attempt++;
    sentAt = engine.now;
    sock.send(query, { addr: target, port });
    timer = proc.after(timeSeconds * 1e9, () => {
      errors += `;; communications error to ${formatIpv4(target)}#${port}: timed out\n`;
      send();
    });
  };
  sock.onMessage = d => {
    const reply = dnsOf(d.payload);
    if (reply === undefined || !reply.qr || reply.id !== query.id) return;
    proc.cancelTimer(timer);
    if (short) {
      proc.out(reply.answers.map(rr => `${rdataText(rr)}\n`).join(''));
      proc.exit(0);
      return;
    }
    proc.out(banner + formatReply(reply, Math.floor((engine.now - sentAt) / 1e6), target, port, whenText(engine.now)));
    proc.exit(0);
  };
  send();
}

function formatReply(reply: DnsRepr, ms: number, server: Ipv4, port: number, when: string): string {
  const flags = ['qr', reply.aa ? 'aa' : '', reply.tc ? 'tc' : '', reply.rd ? 'rd' : '', reply.ra ? 'ra' : ''].filter(f => f !== '').join(' ');
  let out = ';; Got answer:\n';
  out += `;; ->>HEADER<<- opcode: QUERY, status: ${STATUS[reply.rcode] ?? String(reply.rcode)}, id: ${reply.id}\n`;
  out += `;; flags: ${flags}; QUERY: ${reply.questions.length}, ANSWER: ${reply.answers.length}, AUTHORITY: ${reply.authorities.length}, ADDITIONAL: ${reply.additionals.length}\n\n`;
  out += ';; QUESTION SECTION:\n';
  for (const q of reply.questions) out += `${tabbed([[`;${fqdn(q.name)}`, 32], ['IN', 40]], dnsTypeName(q.type))}\n`;
  out += '\n';
  if (reply.answers.length > 0) {
    out += ';; ANSWER SECTION:\n';
    for (const rr of reply.answers) out += `${recordLine(rr)}\n`;
    out += '\n';
  }
  const ip = formatIpv4(server);
  out += `;; Query time: ${ms} msec\n;; SERVER: ${ip}#${port}(${ip}) (UDP)\n;; WHEN: ${when}\n;; MSG SIZE  rcvd: ${encodeDns(reply).length}\n\n`;
  return out;
}
