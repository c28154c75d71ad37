// Names the embedded DNS does not know go to the external servers over real simulated sockets:
// from the container namespace through the bridge and MASQUERADE to an upstream on the
// underlay, from the host namespace for the host's loopback resolvers, and nowhere at all when
// nobody answers (02-user-bridge a4 and a5, dockerd-log-resolver.txt).
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { ipv4Of, socketsOf, type NetNamespace } from '../../../src/kernel/index.js';
import { aRecord, dnsReply, startDnsServer, staticZone, type DnsAnswer, type DnsClient } from '../../../src/kernel/programs/index.js';
import { DNS_RCODE, DNS_TYPE, formatIpv4, mustParseCidr, type DnsRepr } from '../../../src/packet/index.js';
import { FrameReader, embeddedDnsOf, frameDns } from '../../../src/cnm/dns/index.js';
import { addresses, ask, askTcp, dnsLab, dockerExec, ip, network, referenceRuns, run, type Container, type Lab } from './support.js';

/** lib/dnsstub.py: A for external-stub.test (TTL 60), empty NOERROR for its other types, else NXDOMAIN (not authoritative). */
const dnsStub: DnsAnswer = query => {
  const q = query.questions[0]!;
  if (q.name.toLowerCase() !== 'external-stub.test') return dnsReply(query, [], DNS_RCODE.NXDOMAIN);
  return dnsReply(query, q.type === DNS_TYPE.A ? [aRecord(q.name, ip('10.123.0.1'), 60)] : []);
};

/** A server on the external machine that records who asked. */
function upstream(lab: Lab, address: string, answer: DnsAnswer): DnsClient[] {
  const seen: DnsClient[] = [];
  const ns = lab.external.rootNs;
  if (address !== '192.0.2.53') ipv4Of(ns).addrAdd(ns.device('eth0')!, mustParseCidr(`${address}/24`), {});
  const started = startDnsServer(ns, ip(address), 53, (q, from, respond) => {
    seen.push(from);
    return answer(q, from, respond);
  });
  if (!started.ok) throw new Error(`upstream ${address}: ${started.errno}`);
  return seen;
}

function net57(lab: Lab) {
  return network(lab, 'net57', '192.168.57.0/24', { ipRange: '192.168.57.32/28', gateway: '192.168.57.11' });
}

function log(c: Container): readonly string[] {
  return embeddedDnsOf(c.sb)!.log;
}

describe('forwarding to the host nameserver on the underlay', () => {
  it('answers an unknown name from upstream, asked from the container and MASQUERADEd by the host', () => {
    const lab = dnsLab();
    const seen = upstream(lab, '192.0.2.53', staticZone(new Map([['example.test', [ip('10.123.0.9')]]])));
    const a3 = run(lab, net57(lab), 'a3');
    const before = lab.world.trace.records.length;
    const r = ask(a3.ns, 'example.test');
    expect(addresses(r.reply)).toEqual(['10.123.0.9']);
    expect(r.from).toBe('127.0.0.11:53');
    expect(seen.map(c => formatIpv4(c.addr))).toEqual(['192.0.2.2']);
    const forwards = lab.world.trace.records.slice(before).filter(t => t.kind === 'dns' && t.detail['action'] === 'forward');
    expect(forwards.map(t => [t.location.netns, t.detail['to']])).toEqual([['a3', 'udp:192.0.2.53']]);
    expect(forwards[0]?.detail['from']).toMatch(/^192\.168\.57\.32:\d+$/);
    expect(log(a3).filter(l => l.startsWith('[resolver]'))).toEqual([
      expect.stringMatching(/^\[resolver\] query example\.test\. \(A\) from 192\.168\.57\.32:\d+, forwarding to udp:192\.0\.2\.53$/),
      '[resolver] received A record "10.123.0.9" for "example.test." from udp:192.0.2.53',
    ]);
  });

  it('returns nothing when the upstream is silent: the client times out, the resolver gives up after 4 s', () => {
    const lab = dnsLab();
    upstream(lab, '192.0.2.53', () => undefined);
    const a3 = run(lab, net57(lab), 'a3');
    const t0 = lab.world.engine.now;
    expect(ask(a3.ns, 'silent.test', DNS_TYPE.A, { waitSeconds: 10 }).reply).toBeUndefined();
    expect(log(a3).at(-1)).toMatch(/^\[resolver\] read from DNS server failed, read udp 192\.168\.57\.32:\d+->192\.0\.2\.53:53: i\/o timeout$/);
    const failed = lab.world.trace.records.find(t => t.kind === 'dns' && t.detail['action'] === 'upstream-failed');
    expect(failed?.time).toBe(t0 + 4 * SECOND);
    expect(lab.world.trace.records.some(t => t.kind === 'dns' && t.detail['action'] === 'no-reply')).toBe(true);
  });

  it('queries a loopback nameserver of the host from the host namespace (systemd-resolved 127.0.0.53)', () => {
    const lab = dnsLab({ nameservers: ['127.0.0.53'] });
    const seen: DnsClient[] = [];
    startDnsServer(lab.host.rootNs, ip('127.0.0.53'), 53, (q, from) => {
      seen.push(from);
      return staticZone(new Map([['host.test', [ip('10.9.9.9')]]]))(q, from, () => undefined);
    });
    const a3 = run(lab, net57(lab), 'a3');
    expect(embeddedDnsOf(a3.sb)!.externalServers()).toEqual([{ ip: '127.0.0.53', hostLoopback: true }]);
    expect(addresses(ask(a3.ns, 'host.test').reply)).toEqual(['10.9.9.9']);
    expect(seen.map(c => formatIpv4(c.addr))).toEqual(['127.0.0.1']);
  });
});

describe('--dns in the container (02-user-bridge a4 and a5)', () => {
  it('a4: --dns 127.0.0.1 is the container loopback; refused, so no answer (nslookup times out as captured)', () => {
    const lab = dnsLab();
    const a4 = run(lab, net57(lab), 'a4', { dns: ['127.0.0.1'] });
    const cmd = 'docker exec a4 nslookup -timeout=2 -retry=1 doesnotexist.invalid 127.0.0.11';
    const expected = referenceRuns('dns-unknown-a4-loopback-upstream.txt').get(cmd)!;
    const r = dockerExec(a4, ['nslookup', '-timeout=2', '-retry=1', 'doesnotexist.invalid', '127.0.0.11']);
    expect(r.stdout).toBe(expected.out);
    expect(r.code).toBe(expected.code);
    const lines = log(a4).filter(l => l.startsWith('[resolver]'));
    // Two queries (A, AAAA) per try, each forwarded and refused, as in dockerd-log-resolver.txt.
    expect(lines.filter(l => /^\[resolver\] query doesnotexist\.invalid\. \((A|AAAA)\) from 127\.0\.0\.1:\d+, forwarding to udp:127\.0\.0\.1$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(lines.filter(l => /^\[resolver\] read from DNS server failed, read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:53: read: connection refused$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(lines.length % 2).toBe(0);
  });

  it('a5: --dns 192.168.57.11, a stub on the bridge gateway: NXDOMAIN, answers and PTR misses as captured', () => {
    const lab = dnsLab();
    const n = net57(lab);
    const seen: DnsClient[] = [];
    startDnsServer(lab.host.rootNs, ip('192.168.57.11'), 53, (q, from, respond) => {
      seen.push(from);
      return dnsStub(q, from, respond);
    });
    run(lab, n, 'a1');
    const a5 = run(lab, n, 'a5', { dns: ['192.168.57.11'] });
    const ref = referenceRuns('dns-unknown-a5-stub-upstream.txt');
    for (const arg of ['doesnotexist.invalid', '192.168.57.11']) {
      const expected = ref.get(`docker exec a5 nslookup ${arg} 127.0.0.11`)!;
      const r = dockerExec(a5, ['nslookup', arg, '127.0.0.11']);
      expect(r.stdout).toBe(expected.out);
      expect(r.code).toBe(expected.code);
    }
    for (const arg of ['external-stub.test', 'a1']) {
      // The capture shows the AAAA reply first (a race on the real host); the blocks are the same.
      const expected = ref.get(`docker exec a5 nslookup ${arg} 127.0.0.11`)!;
      const r = dockerExec(a5, ['nslookup', arg, '127.0.0.11']);
      expect(r.stdout.split('\n').sort()).toEqual(expected.out.split('\n').sort());
      expect(r.code).toBe(0);
    }
    expect(seen.every(c => formatIpv4(c.addr) === '192.168.57.33')).toBe(true);
    const lines = log(a5).filter(l => l.startsWith('[resolver] external') || l.startsWith('[resolver] received'));
    expect(lines).toEqual([
      '[resolver] external DNS udp:192.168.57.11 responded with NXDOMAIN for "doesnotexist.invalid."',
      '[resolver] external DNS udp:192.168.57.11 responded with NXDOMAIN for "doesnotexist.invalid."',
      '[resolver] external DNS udp:192.168.57.11 responded with NXDOMAIN for "11.57.168.192.in-addr.arpa."',
      '[resolver] received A record "10.123.0.1" for "external-stub.test." from udp:192.168.57.11',
      '[resolver] external DNS udp:192.168.57.11 did not return any AAAA records for "external-stub.test."',
    ]);
  });
});

describe('trying the servers in order', () => {
  function twoServers(first: DnsAnswer, second: DnsAnswer): { lab: Lab; c: Container; asked: DnsClient[][] } {
    const lab = dnsLab();
    const asked = [upstream(lab, '192.0.2.53', first), upstream(lab, '192.0.2.54', second)];
    const c = run(lab, net57(lab), 'c', { dns: ['192.0.2.53', '192.0.2.54'] });
    return { lab, c, asked };
  }
  const answer = staticZone(new Map([['x.test', [ip('10.0.0.42')]]]));
  const rcode = (code: number, aa = false): DnsAnswer => q => dnsReply(q, [], code, { aa });

  it('moves on after SERVFAIL and REFUSED', () => {
    for (const code of [DNS_RCODE.SERVFAIL, DNS_RCODE.REFUSED]) {
      const { c, asked } = twoServers(rcode(code), answer);
      expect(addresses(ask(c.ns, 'x.test').reply)).toEqual(['10.0.0.42']);
      expect(asked.map(a => a.length)).toEqual([1, 1]);
    }
  });

  it('moves on after a non-authoritative NXDOMAIN, stops at an authoritative one', () => {
    const soft = twoServers(rcode(DNS_RCODE.NXDOMAIN), answer);
    expect(addresses(ask(soft.c.ns, 'x.test').reply)).toEqual(['10.0.0.42']);
    const hard = twoServers(rcode(DNS_RCODE.NXDOMAIN, true), answer);
    expect(ask(hard.c.ns, 'x.test').reply?.rcode).toBe(DNS_RCODE.NXDOMAIN);
    expect(hard.asked.map(a => a.length)).toEqual([1, 0]);
  });

  it('returns the last server reply when every server fails, and nothing when the last one is silent', () => {
    const both = twoServers(rcode(DNS_RCODE.SERVFAIL), rcode(DNS_RCODE.REFUSED));
    expect(ask(both.c.ns, 'x.test').reply?.rcode).toBe(DNS_RCODE.REFUSED);
    const silentLast = twoServers(rcode(DNS_RCODE.SERVFAIL), () => undefined);
    expect(ask(silentLast.c.ns, 'x.test', DNS_TYPE.A, { waitSeconds: 10 }).reply).toBeUndefined();
  });

  it('waits 4 s for a silent server before asking the next', () => {
    const { lab, c } = twoServers(() => undefined, answer);
    const t0 = lab.world.engine.now;
    expect(addresses(ask(c.ns, 'x.test', DNS_TYPE.A, { waitSeconds: 10 }).reply)).toEqual(['10.0.0.42']);
    const dt = lab.world.engine.now - t0;
    expect(dt).toBeGreaterThanOrEqual(4 * SECOND);
    expect(dt).toBeLessThan(5 * SECOND);
  });

  it('uses at most three servers', () => {
    const lab = dnsLab();
    const silent: DnsAnswer = () => undefined;
    const asked = ['192.0.2.53', '192.0.2.54', '192.0.2.55', '192.0.2.56'].map(a => upstream(lab, a, silent));
    const c = run(lab, net57(lab), 'c', { dns: ['192.0.2.53', '192.0.2.54', '192.0.2.55', '192.0.2.56'] });
    expect(ask(c.ns, 'x.test', DNS_TYPE.A, { waitSeconds: 15 }).reply).toBeUndefined();
    expect(asked.map(a => a.length)).toEqual([1, 1, 1, 0]);
  });
});

describe('what is never forwarded', () => {
  it('single-label A/AAAA misses when the user set ndots: empty NOERROR at once', () => {
    const lab = dnsLab();
    const seen = upstream(lab, '192.0.2.53', () => undefined);
    const c = run(lab, net57(lab), 'c', { dnsOptions: ['ndots:1'] });
    expect(c.sb.resolvConf()).toBe('nameserver 127.0.0.11\noptions ndots:1\n');
    const r = ask(c.ns, 'nosuchhost').reply!;
    expect([r.rcode, r.answers.length]).toEqual([DNS_RCODE.NOERROR, 0]);
    expect(seen.length).toBe(0);
    ask(c.ns, 'no.such.host', DNS_TYPE.A, { waitSeconds: 5 });
    expect(seen.length).toBe(1);
  });
});

/** A DNS-over-TCP server answering from `answer`. */
function tcpUpstream(ns: NetNamespace, address: string, answer: (q: DnsRepr) => DnsRepr): void {
  const s = socketsOf(ns).tcp();
  s.bind(ip(address), 53);
  s.listen();
  s.onAccept = conn => {
    const reader = new FrameReader();
    conn.onData = bytes => {
      for (const m of reader.push(bytes)) if (m.ok) conn.send(frameDns(answer(m.message)));
    };
    conn.onEnd = () => conn.close();
  };
}

describe('DNS over TCP', () => {
  it('forwards a TCP query over TCP', () => {
    const lab = dnsLab();
    tcpUpstream(lab.external.rootNs, '192.0.2.53', q => dnsReply(q, [aRecord(q.questions[0]!.name, ip('10.7.7.7'))]));
    const c = run(lab, net57(lab), 'c');
    expect(addresses(askTcp(c.ns, 'tcp.test'))).toEqual(['10.7.7.7']);
    expect(log(c).some(l => /forwarding to tcp:192\.0\.2\.53$/.test(l))).toBe(true);
  });
});
