// The embedded DNS's local decisions as data (libnetwork resolver.go ServeDNS before
// forwarding), its size limits (truncateResp), and the TCP framing, without any namespace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../../src/engine/index.js';
import { DNS_CLASS, DNS_RCODE, DNS_TYPE, dnsQuery, encodeDns, mustParseIpv4, type DnsRepr, type Ipv4 } from '../../../src/packet/index.js';
import { FrameReader, fitReply, frameDns, handleQuery, maxReplySize, replyTo, reversedIpv4, type DnsBackend } from '../../../src/cnm/dns/index.js';

const shuffle = new RngStreams(1).stream('dns-shuffle');

function backend(names: Record<string, string[]>, ptr: Record<string, string> = {}, extra: Partial<DnsBackend> = {}): DnsBackend {
  return {
    resolveName: (name, ipType) => {
      const ips = (names[name.replace(/\.$/, '').toLowerCase()] ?? []).map(mustParseIpv4);
      return ipType === 'ipv6' ? { ips: [], ipv6Miss: ips.length > 0 } : { ips, ipv6Miss: false };
    },
    resolveIp: (ip: Ipv4) => Object.entries(ptr).find(([a]) => mustParseIpv4(a) === ip)?.[1],
    ndotsSet: false,
    ...extra,
  };
}

const b = backend({ web: ['10.0.0.2'], many: Array.from({ length: 40 }, (_, i) => `10.1.0.${i + 1}`) }, { '10.0.0.2': 'web.net1' });

describe('handleQuery', () => {
  it('answers A with TTL 600 and RA, keeping the id, RD and the question as asked', () => {
    const d = handleQuery({ ...dnsQuery(99, 'WEB'), rd: true }, b, shuffle);
    expect(d.kind).toBe('answer');
    if (d.kind !== 'answer') return;
    expect(d.why).toBe('records');
    expect([d.reply.id, d.reply.qr, d.reply.rd, d.reply.ra, d.reply.aa]).toEqual([99, true, true, true, false]);
    expect(d.reply.answers).toEqual([{ name: 'WEB', type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl: 600, data: { kind: 'A', address: mustParseIpv4('10.0.0.2') } }]);
  });

  it('forwards unknown names and types it does not handle, SERVFAILs them without proxying', () => {
    expect(handleQuery(dnsQuery(1, 'nope.test'), b, shuffle).kind).toBe('forward');
    expect(handleQuery(dnsQuery(1, 'web', DNS_TYPE.TXT), b, shuffle).kind).toBe('forward');
    const d = handleQuery(dnsQuery(1, 'nope.test'), b, shuffle, false);
    expect(d.kind === 'answer' && [d.why, d.reply.rcode]).toEqual(['no-proxy', DNS_RCODE.SERVFAIL]);
  });

  it('PTR: in-addr.arpa answered or forwarded, ip6.arpa forwarded, any other name dropped', () => {
    const hit = handleQuery(dnsQuery(1, '2.0.0.10.in-addr.arpa', DNS_TYPE.PTR), b, shuffle);
    expect(hit.kind === 'answer' && hit.reply.answers[0]?.data).toEqual({ kind: 'PTR', name: 'web.net1' });
    expect(handleQuery(dnsQuery(1, '3.0.0.10.in-addr.arpa', DNS_TYPE.PTR), b, shuffle).kind).toBe('forward');
    expect(handleQuery(dnsQuery(1, '0.0.10.in-addr.arpa', DNS_TYPE.PTR), b, shuffle).kind).toBe('forward');
    expect(handleQuery(dnsQuery(1, '1.0.0.0.ip6.arpa', DNS_TYPE.PTR), b, shuffle).kind).toBe('forward');
    expect(handleQuery(dnsQuery(1, 'web', DNS_TYPE.PTR), b, shuffle)).toEqual({ kind: 'ignore', why: 'invalid PTR query, web.' });
    // The suffix match is case-sensitive, as strings.HasSuffix is.
    expect(handleQuery(dnsQuery(1, '2.0.0.10.IN-ADDR.ARPA', DNS_TYPE.PTR), b, shuffle).kind).toBe('ignore');
  });

  it('reads reversed addresses strictly', () => {
    expect(reversedIpv4('32.57.168.192')).toBe(mustParseIpv4('192.168.57.32'));
    for (const bad of ['57.168.192', '1.2.3.4.5', '256.1.1.1', 'a.b.c.d', '']) expect(reversedIpv4(bad)).toBeUndefined();
  });

  it('SRV: targets as answers, their addresses as additionals', () => {
    const srv = backend({}, {}, { resolveService: () => [{ target: 'task1.svc', port: 80, priority: 0, weight: 0, ip: mustParseIpv4('10.0.0.7') }] });
    const d = handleQuery(dnsQuery(1, '_http._tcp.svc', DNS_TYPE.SRV), srv, shuffle);
    expect(d.kind === 'answer' && [d.reply.answers[0]?.data, d.reply.additionals[0]?.name]).toEqual([{ kind: 'SRV', priority: 0, weight: 0, port: 80, target: 'task1.svc' }, 'task1.svc']);
    expect(handleQuery(dnsQuery(1, '_http._tcp.svc', DNS_TYPE.SRV), b, shuffle).kind).toBe('forward');
  });

  it('ndots set by the user: single-label misses get an empty NOERROR, dotted ones are forwarded', () => {
    const nd = backend({}, {}, { ndotsSet: true });
    const d = handleQuery(dnsQuery(1, 'host'), nd, shuffle);
    expect(d.kind === 'answer' && [d.why, d.reply.rcode, d.reply.answers.length]).toEqual(['ndots', 0, 0]);
    expect(handleQuery(dnsQuery(1, 'host.example'), nd, shuffle).kind).toBe('forward');
    expect(handleQuery(dnsQuery(1, 'host', DNS_TYPE.MX), nd, shuffle).kind).toBe('forward');
  });

  it('NOTIMP for another opcode', () => {
    const d = handleQuery({ ...dnsQuery(1, 'web'), opcode: 2 }, b, shuffle);
    expect(d.kind === 'answer' && d.reply.rcode).toBe(DNS_RCODE.NOTIMP);
  });

  it('logs like dockerd', () => {
    const lines: string[] = [];
    handleQuery(dnsQuery(1, 'web', DNS_TYPE.TXT), b, shuffle, true, l => lines.push(l));
    expect(lines).toEqual(['[resolver] query type TXT is not supported by the embedded DNS and will be forwarded to external DNS']);
  });
});

describe('reply size (truncateResp)', () => {
  const query = dnsQuery(5, 'many');
  const big = handleQuery(query, b, shuffle);
  const reply = big.kind === 'answer' ? big.reply : replyTo(query);

  it('cuts UDP replies to 512 bytes with TC set', () => {
    expect(encodeDns(reply).length).toBeGreaterThan(512);
    const fit = fitReply(reply, maxReplySize(query, 'udp'), 'udp');
    expect(fit.tc).toBe(true);
    expect(encodeDns(fit).length).toBeLessThanOrEqual(512);
    expect(fit.answers).toEqual(reply.answers.slice(0, fit.answers.length));
    expect(fit.answers.length).toBeGreaterThan(20);
  });

  it('honours the EDNS0 size, and never sets TC over TCP', () => {
    const edns: DnsRepr = { ...query, additionals: [{ name: '', type: DNS_TYPE.OPT, class: 4096, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array(0) } }] };
    expect(maxReplySize(edns, 'udp')).toBe(4096);
    expect(fitReply(reply, maxReplySize(edns, 'udp'), 'udp')).toBe(reply);
    expect(maxReplySize(query, 'tcp')).toBe(65534);
    expect(fitReply(reply, 300, 'tcp').tc).toBe(false);
  });
});

describe('DNS over TCP framing', () => {
  it('reassembles frames however the stream is cut', () => {
    const messages = [dnsQuery(1, 'a.example'), dnsQuery(2, 'b.example', DNS_TYPE.AAAA), replyTo(dnsQuery(3, 'c'))];
    const stream = new Uint8Array(messages.reduce((n, m) => n + frameDns(m).length, 0));
    let at = 0;
    for (const m of messages) {
      stream.set(frameDns(m), at);
      at += frameDns(m).length;
    }
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), cuts => {
        const reader = new FrameReader();
        const got: DnsRepr[] = [];
        let from = 0;
        for (const cut of [...cuts.sort((x, y) => x - y), stream.length]) {
          for (const f of reader.push(stream.slice(from, cut))) if (f.ok) got.push(f.message);
          from = cut;
        }
        expect(got.map(m => [m.id, m.questions[0]?.name])).toEqual(messages.map(m => [m.id, m.questions[0]?.name]));
        expect(reader.pending).toBe(0);
      }),
    );
  });
});
