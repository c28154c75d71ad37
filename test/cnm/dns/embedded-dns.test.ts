// The embedded DNS server in a container namespace, end to end over simulated packets, against
// the 02-user-bridge captures: net57 (192.168.57.0/24, ip-range .32/28, gateway .11), a1 (alias
// svc), a2 (--ip .100, alias svc), a3; queries to 127.0.0.11:53 DNATed to the server's ports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conntrackOf, formatSs, iptablesOf, runIptablesSave, socketsOf } from '../../../src/kernel/index.js';
import { DNS_RCODE, DNS_TYPE, dnsQuery } from '../../../src/packet/index.js';
import { embeddedDnsOf, type EmbeddedDnsServer } from '../../../src/cnm/dns/index.js';
import { REF, addresses, ask, askTcp, dnsLab, dockerExec, network, referenceRuns, run, type Container, type Lab } from './support.js';

const A2_ID = `0e354191f2e4${'5'.repeat(52)}`;

interface Net57 {
  readonly lab: Lab;
  readonly a1: Container;
  readonly a2: Container;
  readonly a3: Container;
}

function net57(seed = 1): Net57 {
  const lab = dnsLab({ seed, daemonPid: 12053 });
  const n = network(lab, 'net57', '192.168.57.0/24', { ipRange: '192.168.57.32/28', gateway: '192.168.57.11' });
  const a1 = run(lab, n, 'a1', { aliases: ['svc'] });
  const a2 = run(lab, n, 'a2', { ip: '192.168.57.100', aliases: ['svc'], id: A2_ID });
  const a3 = run(lab, n, 'a3');
  return { lab, a1, a2, a3 };
}

function server(c: Container): EmbeddedDnsServer {
  const s = embeddedDnsOf(c.sb);
  if (s === undefined) throw new Error(`no embedded DNS in ${c.name}`);
  return s;
}

/** A capture's lines without `$`, `[exit=]` and `#` lines. */
function captured(file: string): string {
  const lines = readFileSync(`${REF}/${file}`, 'utf8')
    .split('\n')
    .filter(l => !l.startsWith('$ ') && !l.startsWith('[exit=') && !l.startsWith('#'));
  while (lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

describe('the server inside the container namespace', () => {
  it('installs the DOCKER_OUTPUT/DOCKER_POSTROUTING rules of the capture, with its own ports', () => {
    const { a1 } = net57();
    const s = server(a1);
    const expected = captured('ctr-a1-ns-iptables-save.txt').replaceAll('43497', String(s.tcpPort)).replaceAll('53267', String(s.udpPort));
    const save = runIptablesSave(iptablesOf(a1.ns), []).stdout.split('\n').filter(l => !l.startsWith('#')).join('\n');
    expect(save).toBe(expected);
    expect(s.rules?.errors).toEqual([]);
    expect(s.rules?.commands.map(c => c.argv.join(' '))).toEqual([
      '--wait -t nat -C OUTPUT -d 127.0.0.11 -j DOCKER_OUTPUT',
      '--wait -t nat -N DOCKER_OUTPUT',
      '--wait -t nat -I OUTPUT -d 127.0.0.11 -j DOCKER_OUTPUT',
      '--wait -t nat -C POSTROUTING -d 127.0.0.11 -j DOCKER_POSTROUTING',
      '--wait -t nat -N DOCKER_POSTROUTING',
      '--wait -t nat -I POSTROUTING -d 127.0.0.11 -j DOCKER_POSTROUTING',
      `--wait -t nat -I DOCKER_OUTPUT -d 127.0.0.11 -p udp --dport 53 -j DNAT --to-destination 127.0.0.11:${s.udpPort}`,
      `--wait -t nat -I DOCKER_POSTROUTING -s 127.0.0.11 -p udp --sport ${s.udpPort} -j SNAT --to-source :53`,
      `--wait -t nat -I DOCKER_OUTPUT -d 127.0.0.11 -p tcp --dport 53 -j DNAT --to-destination 127.0.0.11:${s.tcpPort}`,
      `--wait -t nat -I DOCKER_POSTROUTING -s 127.0.0.11 -p tcp --sport ${s.tcpPort} -j SNAT --to-source :53`,
    ]);
  });

  it('listens as dockerd on 127.0.0.11 (ss -lntup as captured)', () => {
    const { a1 } = net57();
    const s = server(a1);
    expect(s.udpPort).toBeGreaterThanOrEqual(32768);
    const expected = captured('ctr-a1-ns-ss-listen.txt').replaceAll('53267', String(s.udpPort)).replaceAll('43497', String(s.tcpPort));
    expect(formatSs(socketsOf(a1.ns), { tcp: true, udp: true, listening: true, processes: true, numeric: true })).toBe(expected);
  });

  it('takes queries to 127.0.0.11:53 through DNAT and answers from :53 (conntrack undoes the NAT)', () => {
    const { a1, a3 } = net57();
    const s = server(a3);
    const r = ask(a3.ns, 'a1');
    expect(r.from).toBe('127.0.0.11:53');
    expect(addresses(r.reply)).toEqual(['192.168.57.32']);
    expect(r.reply?.ra).toBe(true);
    expect(r.reply?.answers[0]?.ttl).toBe(600);
    const entries = conntrackOf(a3.ns).entries().filter(e => e.tuple('original').proto === 17);
    expect(entries.length).toBe(1);
    expect(entries[0]!.tuple('original').dport).toBe(53);
    expect(entries[0]!.tuple('reply').sport).toBe(s.udpPort);
    expect(ask(a1.ns, 'a3').reply?.answers.length).toBe(1);
  });

  it('stops with its sandbox: sockets closed, nothing answers', () => {
    const { a3 } = net57();
    const s = server(a3);
    const ns = a3.ns;
    expect(a3.sb.delete().ok).toBe(true);
    expect(s.running).toBe(false);
    expect(socketsOf(ns).sockets().length).toBe(0);
  });

  it('is not started for an endpoint that disables resolution (the default bridge)', () => {
    const { lab } = net57();
    const n = network(lab, 'plain', '10.66.0.0/24');
    const sb = lab.controller.newSandbox('f'.repeat(64), { label: 'legacy' });
    if (!sb.ok) throw new Error(sb.error.message);
    const ep = n.createEndpoint('legacy', { disableResolution: true });
    expect(ep.ok && ep.value.join(sb.value).ok).toBe(true);
    expect(embeddedDnsOf(sb.value)).toBeUndefined();
    expect(socketsOf(sb.value.ns).sockets().length).toBe(0);
  });

  it('answers over TCP too', () => {
    const { a3 } = net57();
    expect(addresses(askTcp(a3.ns, 'a2'))).toEqual(['192.168.57.100']);
  });

  it('records the query and the answer in the trace', () => {
    const { lab, a3 } = net57();
    const before = lab.world.trace.records.length;
    ask(a3.ns, 'a1');
    const dns = lab.world.trace.records.slice(before).filter(r => r.kind === 'dns');
    expect(dns.map(r => r.detail['action'])).toEqual(['query', 'answer']);
    expect(dns[1]?.detail['answers']).toEqual(['a1 A 192.168.57.32']);
    expect(dns[0]?.location.netns).toBe('a3');
  });
});

describe('local answers (nslookup in a3, golden against dns-nslookup.txt)', () => {
  const ref = referenceRuns('dns-nslookup.txt');
  for (const name of ['a1', 'a2', 'a3', 'a1.net57', '0e354191f2e4']) {
    it(`nslookup ${name} 127.0.0.11`, () => {
      const { a3 } = net57();
      const expected = ref.get(`docker exec a3 nslookup ${name} 127.0.0.11`)!;
      const r = dockerExec(a3, ['nslookup', name, '127.0.0.11']);
      expect(r.stdout).toBe(expected.out);
      expect(r.code).toBe(expected.code);
    });
  }

  for (const name of ['svc', 'svc.net57']) {
    it(`nslookup ${name}: both addresses, in either order`, () => {
      const { a3 } = net57();
      const expected = ref.get(`docker exec a3 nslookup ${name} 127.0.0.11`)!;
      const r = dockerExec(a3, ['nslookup', name, '127.0.0.11']);
      const swapped = expected.out.replace(/192\.168\.57\.32\n(.*\n)(.*)192\.168\.57\.100/, '192.168.57.100\n$1$2192.168.57.32');
      expect([expected.out, swapped]).toContain(r.stdout);
    });
  }

  it('matches names case-insensitively and echoes the question as asked (A1)', () => {
    const { a3 } = net57();
    const r = ask(a3.ns, 'A1');
    expect(r.reply?.answers[0]?.name).toBe('A1');
    expect(addresses(r.reply)).toEqual(['192.168.57.32']);
  });

  it('answers PTR with <name>.<network> (dns-nslookup-ptr.txt)', () => {
    const ref = referenceRuns('dns-nslookup-ptr.txt');
    const { a3 } = net57();
    for (const ip of ['192.168.57.32', '192.168.57.100', '192.168.57.33']) {
      const expected = ref.get(`docker exec a3 nslookup ${ip} 127.0.0.11`)!;
      expect(dockerExec(a3, ['nslookup', ip, '127.0.0.11']).stdout).toBe(expected.out);
    }
  });

  it('logs what dockerd logs (dockerd-log-resolver.txt)', () => {
    const { a3 } = net57();
    ask(a3.ns, 'a2');
    ask(a3.ns, 'a2', DNS_TYPE.AAAA);
    ask(a3.ns, '32.57.168.192.in-addr.arpa', DNS_TYPE.PTR);
    expect(server(a3).log).toEqual([
      'Name To resolve: a2.',
      '[resolver] lookup for a2.: IP [192.168.57.100]',
      'Name To resolve: a2.',
      '[resolver] lookup name a2. present without IPv6 address',
      '[resolver] lookup for IP 32.57.168.192: name a1.net57',
    ]);
  });

  it('gives AAAA for a known name an empty NOERROR, and MX an empty NOERROR (implicit MX)', () => {
    const { a3 } = net57();
    const aaaa = ask(a3.ns, 'a1', DNS_TYPE.AAAA).reply!;
    expect([aaaa.rcode, aaaa.answers.length, aaaa.ra]).toEqual([DNS_RCODE.NOERROR, 0, true]);
    const mx = ask(a3.ns, 'a1', DNS_TYPE.MX).reply!;
    expect([mx.rcode, mx.answers.length]).toEqual([DNS_RCODE.NOERROR, 0]);
  });

  it('sends nothing back for a PTR name outside in-addr.arpa/ip6.arpa (upstream returns early)', () => {
    const { a3 } = net57();
    const r = ask(a3.ns, 'a1.net57', DNS_TYPE.PTR, { waitSeconds: 5 });
    expect(r.reply).toBeUndefined();
    expect(server(a3).log.at(-1)).toBe('[resolver] failed to handle query: invalid PTR query, a1.net57.');
  });

  it('answers FORMERR to a query without a question', () => {
    const { a3 } = net57();
    const q = { ...dnsQuery(7, 'a1'), questions: [] };
    const r = ask(a3.ns, '', DNS_TYPE.A, { query: q });
    expect(r.reply?.rcode).toBe(DNS_RCODE.FORMERR);
    expect(r.reply?.id).toBe(7);
  });
});

describe('scope: only the networks the sandbox is on, in sandbox order', () => {
  it('does not answer names of another network, and splits a.b.c into name and network', () => {
    const { lab, a3 } = net57();
    const other = network(lab, 'other', '10.77.0.0/24');
    const o1 = run(lab, other, 'o1');
    const fromO1 = ask(o1.ns, 'a1', DNS_TYPE.A, { waitSeconds: 10 });
    // Not local: forwarded to the host's nameserver 192.0.2.53, where nothing listens.
    expect(fromO1.reply).toBeUndefined();
    expect(addresses(ask(a3.ns, 'a1.net57').reply)).toEqual(['192.168.57.32']);
    // a3 is not on `other`, so o1 is unknown to it even with the network suffix.
    expect(ask(a3.ns, 'o1.other', DNS_TYPE.A, { waitSeconds: 10 }).reply).toBeUndefined();
  });

  it('takes the first network in sandbox order when two know the name', () => {
    const { lab } = net57();
    const n1 = network(lab, 'aaa', '10.1.0.0/24');
    const n2 = network(lab, 'bbb', '10.2.0.0/24');
    run(lab, n1, 'dup');
    run(lab, n2, 'dup2', { aliases: ['dup'] });
    const c = run(lab, n2, 'client');
    expect(addresses(ask(c.ns, 'dup').reply)).toEqual(['10.2.0.2']);
    const second = n1.createEndpoint('client');
    expect(second.ok && second.value.join(c.sb).ok).toBe(true);
    // Both networks now; `aaa` sorts before `bbb` (same priority and gateway score, by name).
    expect(c.sb.endpoints().map(e => e.network.name)).toEqual(['aaa', 'bbb']);
    expect(addresses(ask(c.ns, 'dup').reply)).toEqual(['10.1.0.2']);
    expect(addresses(ask(c.ns, 'dup.bbb').reply)).toEqual(['10.2.0.2']);
  });
});

describe('shuffling multi-address answers (dns-shuffle stream)', () => {
  function orders(seed: number, count: number): string[] {
    const { a3 } = net57(seed);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(addresses(ask(a3.ns, 'svc').reply).join(' '));
    return out;
  }

  it('is reproducible for a seed, and shows both orders over a dozen queries (dns-svc-roundrobin.txt)', () => {
    const a = orders(1, 12);
    expect(orders(1, 12)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['192.168.57.32 192.168.57.100', '192.168.57.100 192.168.57.32']));
  });

  it('draws from its own stream: other streams do not move it', () => {
    const { lab, a3 } = net57(3);
    const first = addresses(ask(a3.ns, 'svc').reply);
    const again = net57(3);
    again.lab.world.rng.stream('ephemeral-port').uint32();
    expect(addresses(ask(again.a3.ns, 'svc').reply)).toEqual(first);
    expect(lab.world.rng.names()).toContain('dns-shuffle');
  });
});

describe('restart', () => {
  it('starts again after a stop, on new ports, with the chains flushed and refilled', () => {
    const { a3 } = net57();
    const s = server(a3);
    const before = [s.udpPort, s.tcpPort];
    s.stop();
    expect(ask(a3.ns, 'a1', DNS_TYPE.A, { waitSeconds: 2 }).reply).toBeUndefined();
    expect(s.start().ok).toBe(true);
    expect([s.udpPort, s.tcpPort]).not.toEqual(before);
    expect(s.rules?.commands.map(c => c.argv.slice(1, 5).join(' ')).slice(0, 2)).toEqual(['-t nat -C OUTPUT', '-t nat -F DOCKER_OUTPUT']);
    const save = runIptablesSave(iptablesOf(a3.ns), []).stdout;
    expect(save.split('\n').filter(l => l.startsWith('-A DOCKER_OUTPUT')).length).toBe(2);
    expect(addresses(ask(a3.ns, 'a1').reply)).toEqual(['192.168.57.32']);
  });
});

describe('determinism', () => {
  it('gives the same trace digest, ports and answers on two runs of one seed', () => {
    const once = (): string[] => {
      const { lab, a3 } = net57(9);
      const out = [String(server(a3).udpPort), ...addresses(ask(a3.ns, 'svc').reply), ...addresses(ask(a3.ns, 'svc').reply)];
      return [...out, lab.world.trace.digest()];
    };
    expect(once()).toEqual(once());
  });
});
