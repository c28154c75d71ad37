import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { aRecord, dnsReply, ptrRecord, reverseName, startDnsServer, type DnsAnswer } from '../../../src/kernel/programs/index.js';
import { DNS_RCODE, DNS_TYPE, type Ipv4 } from '../../../src/packet/index.js';
import { ip, vethPair } from '../sockets/net.js';
import { run, words } from './run.js';

const REF = '/work/shared/reference/docker-20.10/02-user-bridge';

/** `$ command` -> [output, exit code] from a reference capture. */
function referenceRuns(file: string): Map<string, { out: string; code: number }> {
  const runs = new Map<string, { out: string; code: number }>();
  const text = readFileSync(`${REF}/${file}`, 'utf8');
  for (const block of text.split(/^\$ /m).slice(1)) {
    const nl = block.indexOf('\n');
    const m = /\[exit=(\d+)\]/.exec(block);
    if (m === null) continue;
    runs.set(block.slice(0, nl), { out: block.slice(nl + 1, m.index), code: Number(m[1]) });
  }
  return runs;
}

/** Docker's embedded DNS in miniature: A for known names (any case), empty AAAA, PTR, else NXDOMAIN. */
function embeddedDns(names: Record<string, Ipv4[]>, ptr: Record<string, string>): DnsAnswer {
  return query => {
    const q = query.questions[0]!;
    const name = q.name.toLowerCase();
    if (q.type === DNS_TYPE.PTR) {
      const target = ptr[name];
      return target === undefined ? dnsReply(query, [], DNS_RCODE.NXDOMAIN) : dnsReply(query, [ptrRecord(q.name, target)]);
    }
    const ips = names[name];
    if (ips === undefined) return dnsReply(query, [], DNS_RCODE.NXDOMAIN);
    if (q.type === DNS_TYPE.AAAA) return dnsReply(query, []);
    return dnsReply(query, ips.map(a => aRecord(q.name, a)));
  };
}

const A1 = ip('192.168.57.32');
const A2 = ip('192.168.57.100');

function resolverIn(p: ReturnType<typeof vethPair>): void {
  const started = startDnsServer(
    p.a,
    ip('127.0.0.11'),
    53,
    embeddedDns({ a1: [A1], a2: [A2], svc: [A1, A2], 'a1.net57': [A1], 'svc.net57': [A1, A2] }, { [reverseName(A1)]: 'a1.net57', [reverseName(A2)]: 'a2.net57' }),
  );
  expect(started.ok).toBe(true);
}

describe('busybox nslookup (golden against the 02-user-bridge capture)', () => {
  const ref = new Map([...referenceRuns('dns-nslookup.txt'), ...referenceRuns('dns-nslookup-ptr.txt')]);
  const cases = [
    'docker exec a3 nslookup a1 127.0.0.11',
    'docker exec a3 nslookup a2 127.0.0.11',
    'docker exec a3 nslookup svc 127.0.0.11',
    'docker exec a3 nslookup a1.net57 127.0.0.11',
    'docker exec a3 nslookup svc.net57 127.0.0.11',
    'docker exec a3 nslookup 192.168.57.32 127.0.0.11',
    'docker exec a3 nslookup 192.168.57.100 127.0.0.11',
  ];
  for (const cmd of cases) {
    it(cmd.replace('docker exec a3 ', ''), () => {
      const p = vethPair();
      resolverIn(p);
      const expected = ref.get(cmd)!;
      const r = run(p.a, words(cmd).slice(3));
      expect(r.stdout).toBe(expected.out);
      expect(r.code).toBe(expected.code);
    });
  }

  it('NXDOMAIN for both queries, exit 1', () => {
    const expected = referenceRuns('dns-unknown-a5-stub-upstream.txt').get('docker exec a5 nslookup doesnotexist.invalid 127.0.0.11')!;
    const p = vethPair();
    resolverIn(p);
    const r = run(p.a, words('nslookup doesnotexist.invalid 127.0.0.11'));
    expect(r.stdout).toBe(expected.out);
    expect(r.code).toBe(1);
  });

  it('a PTR nobody knows: one NXDOMAIN line, exit 1', () => {
    const expected = referenceRuns('dns-unknown-a5-stub-upstream.txt').get('docker exec a5 nslookup 192.168.57.11 127.0.0.11')!;
    const p = vethPair();
    resolverIn(p);
    const r = run(p.a, words('nslookup 192.168.57.11 127.0.0.11'));
    expect(r.stdout).toBe(expected.out);
    expect(r.code).toBe(1);
  });

  it('no answer at all: connection timed out after -timeout seconds, exit 1', () => {
    const expected = referenceRuns('dns-unknown-a4-loopback-upstream.txt').get('docker exec a4 nslookup -timeout=2 -retry=1 doesnotexist.invalid 127.0.0.11')!;
    const p = vethPair();
    startDnsServer(p.a, ip('127.0.0.11'), 53, () => undefined); // never answers
    const t0 = p.world.engine.now;
    const r = run(p.a, words('nslookup -timeout=2 -retry=1 doesnotexist.invalid 127.0.0.11'));
    expect(r.stdout).toBe(expected.out);
    expect(r.code).toBe(1);
    expect(p.world.engine.now - t0).toBe(2 * SECOND);
  });

  it('uses the nameserver of /etc/resolv.conf when none is given', () => {
    const p = vethPair();
    resolverIn(p);
    const r = run(p.a, words('nslookup a2'), { fs: new Map([['/etc/resolv.conf', 'nameserver 127.0.0.11\noptions ndots:0\n']]) });
    expect(r.stdout).toContain('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\ta2\nAddress: 192.168.57.100\n');
  });
});

describe('dig', () => {
  it('+short prints the addresses; the full form has the header and sections', () => {
    const p = vethPair();
    resolverIn(p);
    const fs = new Map([['/etc/resolv.conf', 'nameserver 127.0.0.11\n']]);
    expect(run(p.a, words('dig +short svc'), { fs, userland: 'host' }).stdout).toBe('192.168.57.32\n192.168.57.100\n');
    expect(run(p.a, words('dig +short -x 192.168.57.32'), { fs, userland: 'host' }).stdout).toBe('a1.net57.\n');
    const full = run(p.a, words('dig a1'), { fs, userland: 'host' });
    expect(full.code).toBe(0);
    expect(full.stdout).toContain(';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ');
    expect(full.stdout).toContain(';; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;a1.\t\t\t\tIN\tA\n\n;; ANSWER SECTION:\na1.\t\t\t600\tIN\tA\t192.168.57.32\n');
    expect(full.stdout).toContain(';; SERVER: 127.0.0.11#53(127.0.0.11) (UDP)\n');
    expect(run(p.a, words('dig nope'), { fs, userland: 'host' }).stdout).toContain('status: NXDOMAIN');
  });

  it('gives up after +tries with exit 9', () => {
    const p = vethPair();
    startDnsServer(p.a, ip('127.0.0.11'), 53, () => undefined);
    const r = run(p.a, words('dig @127.0.0.11 +time=1 +tries=2 web'), { userland: 'host' });
    expect(r.code).toBe(9);
    expect(r.stdout).toContain(';; communications error to 127.0.0.11#53: timed out\n;; communications error to 127.0.0.11#53: timed out\n');
    expect(r.stdout).toContain(';; no servers could be reached\n');
  });
});

describe('startDnsServer', () => {
  it('can answer later through respond (a forwarding resolver)', () => {
    const p = vethPair();
    startDnsServer(p.a, ip('127.0.0.11'), 53, (query, _from, respond) => {
      p.world.engine.scheduleIn(SECOND, () => respond(dnsReply(query, query.questions[0]!.type === DNS_TYPE.A ? [aRecord('late', A1)] : [])));
      return undefined;
    });
    const r = run(p.a, words('nslookup late 127.0.0.11'));
    expect(r.stdout).toContain('Name:\tlate\nAddress: 192.168.57.32\n');
  });
});
