// Netfilter on real packet paths: a published port DNATed from outside, egress MASQUERADE with
// the replies un-NATed, REDIRECT to a local port, a DROP in a user chain named in the trace,
// REJECT answering with the right ICMP error or RST, first-packet-only NAT, loopback re-entry.
import { describe, expect, it } from 'vitest';
import { conntrackCommand, conntrackOf } from '../../../src/kernel/conntrack/index.js';
import { kernelLog } from '../../../src/kernel/nfhooks/index.js';
import type { NetDevice } from '../../../src/kernel/index.js';
import { SECOND } from '../../../src/engine/index.js';
import { socketsOf } from '../../../src/kernel/sockets/index.js';
import { decodeQuoted, formatIpv4, mustParseIpv4 } from '../../../src/packet/index.js';
import { settle } from '../../support/topology.js';
import { dockerRules, ipt, lab, records, udpClient, udpServer } from './lab.js';

describe('published port (DNAT) from outside', () => {
  it('reaches the container with the client address kept, and the reply comes back from the published address', () => {
    const l = lab();
    dockerRules(l.root);
    const web = udpServer(l.web, 80, { echo: true });
    const client = udpClient(l.client, 40000);
    client.send('10.0.0.11:8080', 'hello');
    // Not `settle`: the neighbour timers would carry the clock past the 30 s UDP timeout.
    l.world.engine.runFor(SECOND);
    expect(web.got).toEqual([{ from: '10.0.0.100:40000', to: '172.17.0.2:80', text: 'hello' }]);
    expect(client.got).toEqual([{ from: '10.0.0.11:8080', to: '10.0.0.100:40000', text: 'echo:hello' }]);
    const list = conntrackCommand(conntrackOf(l.root), ['-L']);
    expect(list.stdout).toContain('udp      17 29 src=10.0.0.100 dst=10.0.0.11 sport=40000 dport=8080 src=172.17.0.2 dst=10.0.0.100 sport=80 dport=40000 mark=0 use=1');
  });

  it("DNATs the host's own traffic in nat OUTPUT and un-DNATs the reply in nat INPUT", () => {
    const l = lab();
    dockerRules(l.root);
    const web = udpServer(l.web, 80, { echo: true });
    const local = udpClient(l.root, 45000);
    local.send('10.0.0.11:8080', 'self');
    l.world.engine.runFor(SECOND);
    expect(web.got).toEqual([{ from: '10.0.0.11:45000', to: '172.17.0.2:80', text: 'self' }]);
    expect(local.got).toEqual([{ from: '10.0.0.11:8080', to: '10.0.0.11:45000', text: 'echo:self' }]);
    expect(records(l.world, 'rewrite', 'root').map(r => `${String(r['hook'])} ${String(r['nat'])}`)).toEqual(['OUTPUT DNAT', 'INPUT un-DNAT']);
  });

  it('names the DNAT rule in the trace and records the rewrite', () => {
    const l = lab();
    dockerRules(l.root);
    udpServer(l.web, 80);
    udpClient(l.client, 40000).send('10.0.0.11:8080', 'x');
    settle(l.world);
    const nf = records(l.world, 'netfilter', 'root');
    expect(nf).toContainEqual(
      expect.objectContaining({
        hook: 'PREROUTING',
        table: 'nat',
        chain: 'DOCKER',
        rule: 2,
        text: '-A DOCKER ! -i docker0 -p udp -m udp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
        verdict: 'DNAT',
      }),
    );
    expect(records(l.world, 'rewrite', 'root')).toContainEqual(
      expect.objectContaining({ hook: 'PREROUTING', nat: 'DNAT', before: 'udp 10.0.0.100:40000 > 10.0.0.11:8080', after: 'udp 10.0.0.100:40000 > 172.17.0.2:80' }),
    );
  });

  it('keeps the first binding for the flow after the rule changes; a new flow follows the new rule', () => {
    const l = lab();
    dockerRules(l.root);
    const web = udpServer(l.web, 80);
    const c2 = udpServer(l.c2, 80);
    ipt(l.root, '-A DOCKER -d 172.17.0.3/32 ! -i docker0 -o docker0 -p udp -m udp --dport 80 -j ACCEPT');
    const client = udpClient(l.client, 40000);
    client.send('10.0.0.11:8080', 'one');
    settle(l.world);
    ipt(l.root, '-t nat -R DOCKER 2 ! -i docker0 -p udp -m udp --dport 8080 -j DNAT --to-destination 172.17.0.3:80');
    client.send('10.0.0.11:8080', 'two');
    udpClient(l.client, 40001).send('10.0.0.11:8080', 'three');
    settle(l.world);
    expect(web.got.map(g => g.text)).toEqual(['one', 'two']);
    expect(c2.got.map(g => g.text)).toEqual(['three']);
    // The existing flow's later packet never traversed the nat chains again.
    const natPre = records(l.world, 'netfilter', 'root').filter(r => r['table'] === 'nat' && r['hook'] === 'PREROUTING');
    const packets = new Set(natPre.map(r => r['packet']));
    expect(packets.size).toBe(2);
  });
});

describe('TCP through a published port', () => {
  it('tracks the handshake to ESTABLISHED [ASSURED] and the close to TIME_WAIT, with the data both ways', () => {
    const l = lab();
    dockerRules(l.root, 'tcp');
    const server = socketsOf(l.web).tcp();
    must(server.bind(0, 80));
    must(server.listen());
    const served: string[] = [];
    server.onAccept = child => {
      child.onData = bytes => {
        served.push(new TextDecoder().decode(bytes));
        child.send('pong');
        child.close();
      };
    };
    const client = socketsOf(l.client).tcp();
    const answers: string[] = [];
    client.onData = bytes => answers.push(new TextDecoder().decode(bytes));
    client.onConnect = () => void client.send('ping');
    client.onEnd = () => client.close();
    must(client.connect(mustParseIpv4('10.0.0.11'), 8080));
    l.world.engine.runFor(SECOND / 10);
    expect(served).toEqual(['ping']);
    expect(answers).toEqual(['pong']);
    const line = conntrackCommand(conntrackOf(l.root), ['-L', '-p', 'tcp']).stdout;
    expect(line).toMatch(/^tcp      6 119 TIME_WAIT src=10\.0\.0\.100 dst=10\.0\.0\.11 sport=\d+ dport=8080 src=172\.17\.0\.2 dst=10\.0\.0\.100 sport=80 dport=\d+ \[ASSURED\] mark=0 use=1\n$/);
    const states = records(l.world, 'conntrack', 'root').map(r => r['tcp']).filter(t => typeof t === 'string' && t.includes('->'));
    expect(states).toEqual([
      'SYN_SENT -> SYN_RECV',
      'SYN_RECV -> ESTABLISHED',
      'ESTABLISHED -> FIN_WAIT',
      'FIN_WAIT -> CLOSE_WAIT',
      'CLOSE_WAIT -> LAST_ACK',
      'LAST_ACK -> TIME_WAIT',
    ]);
  });
});

function must(r: { ok: true } | { ok: false; errno: string }): void {
  if (!r.ok) throw new Error(r.errno);
}

describe('egress MASQUERADE', () => {
  it('hides the container behind the host address and un-NATs the reply', () => {
    const l = lab();
    dockerRules(l.root);
    const server = udpServer(l.client, 53, { echo: true });
    const c = udpClient(l.web, 41000);
    c.send('10.0.0.100:53', 'q');
    settle(l.world);
    expect(server.got).toEqual([{ from: '10.0.0.11:41000', to: '10.0.0.100:53', text: 'q' }]);
    expect(c.got).toEqual([{ from: '10.0.0.100:53', to: '172.17.0.2:41000', text: 'echo:q' }]);
    expect(records(l.world, 'rewrite', 'root')).toEqual([
      expect.objectContaining({ hook: 'POSTROUTING', nat: 'SNAT', before: 'udp 172.17.0.2:41000 > 10.0.0.100:53', after: 'udp 10.0.0.11:41000 > 10.0.0.100:53' }),
      expect.objectContaining({ hook: 'PREROUTING', nat: 'un-SNAT', before: 'udp 10.0.0.100:53 > 10.0.0.11:41000', after: 'udp 10.0.0.100:53 > 172.17.0.2:41000' }),
    ]);
  });

  it('keeps the source port when free and remaps the second container that uses it', () => {
    const l = lab();
    dockerRules(l.root);
    const server = udpServer(l.client, 53);
    udpClient(l.web, 41000).send('10.0.0.100:53', 'a');
    udpClient(l.c2, 41000).send('10.0.0.100:53', 'b');
    settle(l.world);
    expect(server.got[0]!.from).toBe('10.0.0.11:41000');
    const second = Number(server.got[1]!.from.split(':')[1]);
    expect(second).not.toBe(41000);
    expect(second).toBeGreaterThanOrEqual(1024);
  });

  it('un-NATs the quoted header of an ICMP error coming back', () => {
    const l = lab();
    dockerRules(l.root);
    // Nobody listens on the client: it answers with port unreachable about 10.0.0.11:41000.
    const icmp = icmpArriving(l.web.device('eth0')!);
    udpClient(l.web, 41000).send('10.0.0.100:9', 'knock');
    settle(l.world);
    expect(icmp).toEqual([{ from: '10.0.0.100', type: 'dest-unreachable', code: 3, quoted: 'udp 172.17.0.2:41000 > 10.0.0.100:9' }]);
    const ct = records(l.world, 'conntrack', 'root').find(r => r['event'] === 'related');
    expect(ct).toMatchObject({ ctstate: 'RELATED' });
    const rw = records(l.world, 'rewrite', 'root').find(r => String(r['nat']).includes('ICMP'));
    expect(rw).toMatchObject({ hook: 'PREROUTING', before: 'icmp 10.0.0.100 > 10.0.0.11 dest-unreachable', after: 'icmp 10.0.0.100 > 172.17.0.2 dest-unreachable' });
  });
});

describe('REDIRECT', () => {
  it('sends locally generated traffic to 127.0.0.1 in OUTPUT, through lo, without nat PREROUTING', () => {
    const l = lab();
    ipt(l.root, '-t nat -A OUTPUT -p udp -m udp --dport 53 -j REDIRECT --to-ports 5353');
    const local = udpServer(l.root, 5353);
    udpClient(l.root, 33333).send('10.0.0.100:53', 'query');
    settle(l.world);
    // The source the route chose for 10.0.0.100 stays: only the destination is rewritten.
    expect(local.got).toEqual([{ from: '10.0.0.11:33333', to: '127.0.0.1:5353', text: 'query' }]);
    const nf = records(l.world, 'netfilter', 'root');
    expect(nf.some(r => r['table'] === 'nat' && r['hook'] === 'OUTPUT')).toBe(true);
    expect(nf.some(r => r['table'] === 'nat' && (r['hook'] === 'PREROUTING' || r['hook'] === 'INPUT'))).toBe(false);
  });

  it('sends traffic arriving from outside to the ingress device address in PREROUTING', () => {
    const l = lab();
    ipt(l.root, '-t nat -A PREROUTING -i eth0 -p udp -m udp --dport 80 -j REDIRECT --to-ports 8080');
    const local = udpServer(l.root, 8080, { echo: true });
    const client = udpClient(l.client, 40000);
    client.send('10.0.0.11:80', 'hi');
    settle(l.world);
    expect(local.got).toEqual([{ from: '10.0.0.100:40000', to: '10.0.0.11:8080', text: 'hi' }]);
    expect(client.got).toEqual([{ from: '10.0.0.11:80', to: '10.0.0.100:40000', text: 'echo:hi' }]);
  });
});

describe('filter verdicts', () => {
  it('names a DROP in a user chain in the drop record', () => {
    const l = lab();
    dockerRules(l.root);
    ipt(l.root, '-N DOCKER-ISOLATION-STAGE-1');
    ipt(l.root, '-I FORWARD 1 -j DOCKER-ISOLATION-STAGE-1');
    ipt(l.root, '-A DOCKER-ISOLATION-STAGE-1 -i docker0 -d 10.0.0.100/32 -j DROP');
    const server = udpServer(l.client, 53);
    udpClient(l.web, 41000).send('10.0.0.100:53', 'q');
    settle(l.world);
    expect(server.got).toHaveLength(0);
    expect(records(l.world, 'drop', 'root')).toContainEqual(
      expect.objectContaining({ reason: 'netfilter', by: 'filter/DOCKER-ISOLATION-STAGE-1', rule: 1, text: '-A DOCKER-ISOLATION-STAGE-1 -d 10.0.0.100/32 -i docker0 -j DROP', hook: 'FORWARD' }),
    );
    expect(conntrackOf(l.root).entries()).toHaveLength(0);
    expect(l.root.drops.get('netfilter')).toBe(1);
  });

  it('names the chain policy when the policy drops', () => {
    const l = lab();
    ipt(l.root, '-P FORWARD DROP');
    udpClient(l.web, 41000).send('10.0.0.100:53', 'q');
    settle(l.world);
    expect(records(l.world, 'drop', 'root')).toContainEqual(expect.objectContaining({ reason: 'netfilter', by: 'filter/FORWARD', rule: 1, text: '-P FORWARD DROP' }));
  });

  it('REJECTs a UDP datagram to this host with ICMP port unreachable from the address it was sent to', () => {
    const l = lab();
    ipt(l.root, '-A INPUT -p udp -m udp --dport 9 -j REJECT');
    const c = udpClient(l.client, 40000);
    const errors: string[] = [];
    c.sock.onError = e => errors.push(e);
    c.sock.connect(mustParseIpv4('10.0.0.11'), 9);
    c.sock.send('x');
    settle(l.world);
    const icmp = l.world.trace.records.find(r => r.location.netns === 'root' && r.kind === 'icmp' && r.detail['action'] === 'sent');
    expect(icmp?.detail).toMatchObject({ message: 'port unreachable', to: '10.0.0.100', from: '10.0.0.11' });
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(records(l.world, 'drop', 'root')).toContainEqual(expect.objectContaining({ reason: 'netfilter', by: 'filter/INPUT', rule: 1, why: 'REJECT answered with ICMP 3/3' }));
  });

  it('REJECTs a forwarded published-port packet with an error quoting the address the client used', () => {
    const l = lab();
    dockerRules(l.root);
    ipt(l.root, '-I DOCKER 1 -p udp -j REJECT --reject-with icmp-admin-prohibited');
    const icmp = icmpArriving(l.client.device('eth0')!);
    udpClient(l.client, 40000).send('10.0.0.11:8080', 'x');
    settle(l.world);
    // The error left the host un-DNATed: it quotes 10.0.0.11:8080, the address the client used.
    expect(icmp).toEqual([{ from: '10.0.0.11', type: 'dest-unreachable', code: 13, quoted: 'udp 10.0.0.100:40000 > 10.0.0.11:8080' }]);
    expect(records(l.world, 'rewrite', 'root').find(r => String(r['nat']).includes('ICMP'))).toMatchObject({ hook: 'POSTROUTING', nat: 'un-DNAT (ICMP error and quoted header)' });
  });

  it('un-DNATs the TTL-exceeded error the host sends about the first packet of a published-port flow', () => {
    const l = lab();
    dockerRules(l.root);
    udpServer(l.web, 80);
    const icmp = icmpArriving(l.client.device('eth0')!);
    const client = udpClient(l.client, 40000);
    client.sock.ttl = 1;
    client.send('10.0.0.11:8080', 'x');
    settle(l.world);
    // The flow's entry is still unconfirmed when ip_forward answers: only nf_ct_attach lets NAT
    // find it. The error quotes the address the client used and comes from it.
    expect(icmp).toEqual([{ from: '10.0.0.11', type: 'time-exceeded', code: 0, quoted: 'udp 10.0.0.100:40000 > 10.0.0.11:8080' }]);
    expect(records(l.world, 'rewrite', 'root').find(r => String(r['nat']).includes('ICMP'))).toMatchObject({ hook: 'POSTROUTING', nat: 'un-DNAT (ICMP error and quoted header)' });
  });

  it('REJECTs a TCP SYN with a RST when asked to', () => {
    const l = lab();
    ipt(l.root, '-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset');
    const s = socketsOf(l.client).tcp();
    const errors: string[] = [];
    s.onError = e => errors.push(e);
    s.connect(mustParseIpv4('10.0.0.11'), 22);
    settle(l.world);
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(records(l.world, 'drop', 'root')).toContainEqual(expect.objectContaining({ by: 'filter/INPUT', why: 'REJECT answered with a TCP RST' }));
  });
});

describe('answers attached to the rejected connection', () => {
  it('un-DNATs the RST REJECT sends for a published port, so the client sees it refused', () => {
    const l = lab();
    dockerRules(l.root, 'tcp');
    ipt(l.root, '-I DOCKER 1 -p tcp -j REJECT --reject-with tcp-reset');
    const s = socketsOf(l.client).tcp();
    const errors: string[] = [];
    s.onError = e => errors.push(e);
    must(s.connect(mustParseIpv4('10.0.0.11'), 8080));
    l.world.engine.runFor(SECOND / 10);
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(records(l.world, 'conntrack', 'root')).toContainEqual(expect.objectContaining({ event: 'attached', hook: 'OUTPUT', ctstate: 'RELATED' }));
    expect(records(l.world, 'rewrite', 'root').at(-1)).toMatchObject({ hook: 'POSTROUTING', nat: 'un-DNAT', after: expect.stringMatching(/^tcp 10\.0\.0\.11:8080 > 10\.0\.0\.100:\d+$/) });
  });
});

describe('TRACE', () => {
  it('logs matched rules and chain ends of a traced packet in the initial namespace', () => {
    const l = lab();
    ipt(l.root, '-t raw -A PREROUTING -p udp -j TRACE');
    ipt(l.root, '-A INPUT -p udp -m udp --dport 7 -j ACCEPT');
    udpServer(l.root, 7);
    udpClient(l.client, 40000).send('10.0.0.11:7', 'x');
    settle(l.world);
    const log = kernelLog(l.root.host);
    expect(log.map(line => line.split(' IN=')[0])).toEqual(['TRACE: raw:PREROUTING:policy:2', 'TRACE: filter:INPUT:rule:1']);
    expect(log[0]).toMatch(/^TRACE: raw:PREROUTING:policy:2 IN=eth0 OUT= MACSRC=02:00:00:00:00:64 MACDST=02:00:00:00:00:11 MACPROTO=0800 SRC=10\.0\.0\.100 DST=10\.0\.0\.11 LEN=29 TOS=0x00 PREC=0x00 TTL=64 ID=\d+ (DF )?PROTO=UDP SPT=40000 DPT=7 LEN=9 $/);
    const traced = records(l.world, 'netfilter', 'root').filter(r => r['trace'] !== undefined);
    expect(traced).toHaveLength(2);
  });
});

/** ICMP errors received on `dev`: sender, type, code and the quoted flow. */
function icmpArriving(dev: NetDevice): { from: string; type: string; code: number; quoted: string }[] {
  const seen: { from: string; type: string; code: number; quoted: string }[] = [];
  dev.taps.add((_d, skb, dir) => {
    const ip = skb.frame.payload;
    if (dir !== 'rx' || ip.kind !== 'ipv4' || ip.payload.kind !== 'icmp') return;
    const icmp = ip.payload;
    if (icmp.type !== 'dest-unreachable' && icmp.type !== 'time-exceeded') return;
    const q = decodeQuoted(icmp.quoted);
    if (!q.ok) throw new Error('bad quote');
    const ports = q.value.ports;
    const proto = q.value.protocol === 17 ? 'udp' : q.value.protocol === 6 ? 'tcp' : `proto ${q.value.protocol}`;
    seen.push({
      from: formatIpv4(ip.src),
      type: icmp.type,
      code: icmp.code,
      quoted: `${proto} ${formatIpv4(q.value.src)}:${ports?.srcPort ?? 0} > ${formatIpv4(q.value.dst)}:${ports?.dstPort ?? 0}`,
    });
  });
  return seen;
}
