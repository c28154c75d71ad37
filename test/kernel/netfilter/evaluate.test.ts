/**
 * traverseChain on hand-built rulesets: jump/goto/RETURN and policy semantics, NAT and REJECT
 * verdicts, marks, each match type, counters only on apply, TRACE line numbering, and kernel
 * checks that depend on chain reachability.
 */
import { describe, expect, it } from 'vitest';
import { applyCounters, traceLines, traverseChain, type NfTraversal } from '../../../src/kernel/netfilter/index.js';
import { context, ip, ipt, packet, setup } from './support.js';

const outcomes = (t: NfTraversal) =>
  t.steps.map((s) => (s.kind === 'rule' ? `${s.chain}:${s.ruleNum}:${s.outcome}` : `${s.chain}:${s.ruleNum}:${s.kind}`));

describe('traverseChain', () => {
  it('walks Docker FORWARD: jump, RETURN back, then the policy', () => {
    const rs = setup([
      '-N DOCKER-USER',
      '-N DOCKER-ISOLATION-STAGE-1',
      '-N DOCKER',
      '-P FORWARD DROP',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A DOCKER-USER -j RETURN',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ]);
    const t = traverseChain(rs, 'filter', 'FORWARD', packet({ inIf: 'eth0', outIf: 'docker0' }), context('FORWARD'));
    expect(t.verdict).toEqual({ kind: 'drop' });
    expect(outcomes(t)).toEqual([
      'FORWARD:1:jump',
      'DOCKER-USER:1:return',
      'FORWARD:2:jump',
      'DOCKER-ISOLATION-STAGE-1:1:return',
      'FORWARD:3:no-match',
      'FORWARD:4:jump',
      'DOCKER:1:return',
      'FORWARD:5:policy',
    ]);
    const step = t.steps[2];
    expect(step?.kind === 'rule' && step.ruleText).toBe('-A FORWARD -j DOCKER-ISOLATION-STAGE-1');
    const est = traverseChain(rs, 'filter', 'FORWARD', packet({ outIf: 'docker0', ct: { state: 'ESTABLISHED', dir: 'REPLY' } }), context('FORWARD'));
    expect(est.verdict).toEqual({ kind: 'accept' });
  });

  it('goto does not push: RETURN goes to the caller of the caller, or the policy', () => {
    const rs = setup(['-N A', '-N B', '-N C', '-A INPUT -j A', '-A INPUT -j DROP', '-A A -g B', '-A A -j ACCEPT', '-A B -j RETURN']);
    const t = traverseChain(rs, 'filter', 'INPUT', packet(), context('INPUT'));
    expect(outcomes(t)).toEqual(['INPUT:1:jump', 'A:1:goto', 'B:1:return', 'INPUT:2:verdict']);
    expect(t.verdict).toEqual({ kind: 'drop' });
    const rs2 = setup(['-N B', '-A INPUT -g B', '-A INPUT -j DROP', '-A B -s 9.9.9.9 -j ACCEPT']);
    const t2 = traverseChain(rs2, 'filter', 'INPUT', packet(), context('INPUT'));
    expect(outcomes(t2)).toEqual(['INPUT:1:goto', 'B:1:no-match', 'B:2:return', 'INPUT:3:policy']);
    expect(t2.verdict).toEqual({ kind: 'accept' });
  });

  it('RETURN in a built-in chain applies the policy', () => {
    const rs = setup(['-P INPUT DROP', '-A INPUT -j RETURN', '-A INPUT -j ACCEPT']);
    const t = traverseChain(rs, 'filter', 'INPUT', packet(), context('INPUT'));
    expect(t.verdict).toEqual({ kind: 'drop' });
    expect(outcomes(t)).toEqual(['INPUT:1:return', 'INPUT:3:policy']);
  });

  it('returns NAT decisions and REJECT types as verdicts', () => {
    const rs = setup([
      '-t nat -N DOCKER',
      '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-t nat -A DOCKER -i docker0 -j RETURN',
      '-t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
      '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
    ]);
    const pkt = packet({ inIf: 'eth0', ip: { dst: ip('192.0.2.2') }, l4: { sport: 5555, dport: 8080 } });
    const t = traverseChain(rs, 'nat', 'PREROUTING', pkt, context('PREROUTING', { local: ['192.0.2.2'] }));
    expect(t.verdict).toEqual({
      kind: 'nat',
      nat: { kind: 'dnat', range: { ips: { min: ip('172.17.0.2'), max: ip('172.17.0.2') }, ports: { min: 80, max: 80 } }, random: false, persistent: false },
    });
    const notLocal = traverseChain(rs, 'nat', 'PREROUTING', pkt, context('PREROUTING'));
    expect(notLocal.verdict).toEqual({ kind: 'accept' });
    const fromBridge = traverseChain(rs, 'nat', 'PREROUTING', { ...pkt, inIf: 'docker0' }, context('PREROUTING', { local: ['192.0.2.2'] }));
    expect(fromBridge.verdict).toEqual({ kind: 'accept' });
    expect(traverseChain(rs, 'filter', 'INPUT', pkt, context('INPUT')).verdict).toEqual({ kind: 'reject', with: 'tcp-reset' });
  });

  it('MARK and CONNMARK change marks that later rules see', () => {
    const rs = setup([
      '-t mangle -A PREROUTING -j CONNMARK --restore-mark',
      '-t mangle -A PREROUTING -m mark --mark 0x7 -j ACCEPT',
      '-t mangle -A PREROUTING -j MARK --set-mark 0x10/0xf0',
      '-t mangle -A PREROUTING -m mark --mark 0x10/0xf0 -j CONNMARK --save-mark',
      '-t mangle -A PREROUTING -m connmark --mark 0x10 -j DROP',
    ]);
    const t = traverseChain(rs, 'mangle', 'PREROUTING', packet({ mark: 0x3, ct: { state: 'ESTABLISHED', mark: 0x4 } }), context('PREROUTING'));
    expect(t.mark).toBe(0x14);
    expect(t.ctMark).toBe(0x14);
    expect(t.verdict).toEqual({ kind: 'accept' });
    expect(t.effects.map((e) => e.kind)).toEqual(['mark', 'mark', 'ct-mark']);
    const t2 = traverseChain(rs, 'mangle', 'PREROUTING', packet({ ct: { state: 'NEW', mark: 0x7 } }), context('PREROUTING'));
    expect(t2.verdict).toEqual({ kind: 'accept' });
  });

  it('matches interfaces with + wildcards and inversion', () => {
    const rs = setup(['-A FORWARD -i veth+ ! -o eth0 -j ACCEPT', '-A FORWARD ! -i + -j REJECT']);
    const v = (inIf: string, outIf: string) => traverseChain(rs, 'filter', 'FORWARD', packet({ inIf, outIf }), context('FORWARD')).verdict.kind;
    expect(v('veth1234', 'docker0')).toBe('accept');
    expect(v('veth1234', 'eth0')).toBe('accept');
    expect(v('eth1', 'docker0')).toBe('accept');
  });

  it('counts only on apply; dry runs leave counters alone', () => {
    const rs = setup(['-A INPUT -s 10.0.0.1 -j ACCEPT', '-A INPUT -j DROP']);
    const t = traverseChain(rs, 'filter', 'INPUT', packet({ ip: { length: 84 } }), context('INPUT'));
    expect(ipt(rs, '-S INPUT -v').stdout).toContain('-c 0 0 -j ACCEPT');
    applyCounters(rs, t);
    applyCounters(rs, t);
    expect(ipt(rs, '-S INPUT -v').stdout).toBe('-P INPUT ACCEPT -c 0 0\n-A INPUT -s 10.0.0.1/32 -c 2 168 -j ACCEPT\n-A INPUT -c 0 0 -j DROP\n');
  });

  it('statistic nth keeps its counter across packets', () => {
    const rs = setup(['-t nat -N SVC', '-t nat -A OUTPUT -j SVC', '-t nat -A SVC -m statistic --mode nth --every 3 --packet 1 -j DNAT --to-destination 10.0.0.9']);
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = traverseChain(rs, 'nat', 'OUTPUT', packet(), context('OUTPUT'));
      applyCounters(rs, t);
      kinds.push(t.verdict.kind);
    }
    expect(kinds).toEqual(['accept', 'nat', 'accept', 'accept', 'nat', 'accept']);
    const rnd = setup(['-A INPUT -m statistic --mode random --probability 0.25 -j DROP']);
    expect(traverseChain(rnd, 'filter', 'INPUT', packet(), context('INPUT', { random: () => 0.2 })).verdict.kind).toBe('drop');
    expect(traverseChain(rnd, 'filter', 'INPUT', packet(), context('INPUT', { random: () => 0.3 })).verdict.kind).toBe('accept');
  });

  it('evaluates set, physdev, multiport, icmp, u32, policy and ipvs matches', () => {
    const rs = setup([
      '-A FORWARD -m set --match-set blocked src -j DROP',
      '-A FORWARD -m physdev --physdev-is-bridged --physdev-in veth1 -j LOG',
      '-A FORWARD -p tcp -m multiport --dports 22,8000:8100 -j REJECT',
      '-A FORWARD -p icmp --icmp-type echo-request -j ACCEPT',
      '-A FORWARD -m u32 --u32 "0>>22&0x3C@0>>16=53" -j QUEUE',
      '-A FORWARD -m policy --dir in --pol ipsec --proto esp -j ACCEPT',
      '-A FORWARD -m ipvs --vaddr 10.255.0.5 --vport 80 -j DROP',
    ]);
    const ctx = context('FORWARD', { sets: { blocked: ['10.9.9.9'] } });
    const v = (p: Parameters<typeof packet>[0]) => traverseChain(rs, 'filter', 'FORWARD', packet(p), ctx);
    expect(v({ ip: { src: ip('10.9.9.9') } }).verdict.kind).toBe('drop');
    const br = v({ bridged: true, physIn: 'veth1', physOut: 'veth2' });
    expect(br.effects.map((e) => e.kind)).toEqual(['log']);
    expect(v({ l4: { sport: 1, dport: 8050 } }).verdict.kind).toBe('reject');
    expect(v({ ip: { protocol: 1 }, l4: { icmpType: 8, icmpCode: 0 } }).verdict.kind).toBe('accept');
    expect(v({ ip: { protocol: 1 }, l4: { icmpType: 0, icmpCode: 0 } }).verdict.kind).toBe('accept');
    const bytes = new Uint8Array(28);
    bytes[0] = 0x45;
    bytes[20] = 0;
    bytes[21] = 53;
    expect(v({ bytes, ip: { protocol: 17 }, l4: { sport: 53, dport: 1000 } }).verdict.kind).toBe('queue');
    expect(v({ ip: { protocol: 17 }, l4: { sport: 54, dport: 1000 }, policy: { in: [{ reqid: 1, spi: 5, proto: 50, mode: 'transport' }] } }).verdict.kind).toBe('accept');
    expect(v({ ip: { protocol: 17 }, l4: { sport: 54, dport: 1000 }, ipvs: { vaddr: ip('10.255.0.5'), vport: 80, method: 'MASQ' } }).verdict.kind).toBe('drop');
  });

  it('conntrack: no entry only matches pure state tests; SNAT/DNAT and tuple tests', () => {
    const rs = setup([
      '-A INPUT -m conntrack --ctstate INVALID -j DROP',
      '-A INPUT -m conntrack --ctorigdst 172.17.0.0/16 --ctorigdstport 80 -j REJECT',
      '-A INPUT -m conntrack --ctstate DNAT -j ACCEPT',
    ]);
    const v = (ct: Parameters<typeof packet>[0]) => traverseChain(rs, 'filter', 'INPUT', packet(ct), context('INPUT')).verdict.kind;
    expect(v({ ct: {} })).toBe('drop');
    expect(v({ ct: { state: 'UNTRACKED' } })).toBe('accept');
    expect(v({ ct: { state: 'NEW', origDst: ip('172.17.0.2'), origDstPort: 80 } })).toBe('reject');
    expect(v({ ct: { state: 'NEW', status: { dstNat: true } } })).toBe('accept');
  });
});

describe('TRACE lines', () => {
  it('numbers matched rules and chain ends like the legacy kernel', () => {
    const rs = setup([
      '-t raw -A PREROUTING -p tcp -j TRACE',
      '-N DOCKER-USER',
      '-N X',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j X',
      '-A FORWARD -s 1.1.1.1 -j DROP',
      '-A DOCKER-USER -j RETURN',
      '-A X -s 2.2.2.2 -j DROP',
    ]);
    const raw = traverseChain(rs, 'raw', 'PREROUTING', packet(), context('PREROUTING'));
    expect(raw.trace).toBe(true);
    expect(traceLines(raw, 'PREROUTING')).toEqual(['TRACE: raw:PREROUTING:policy:2']);
    const f = traverseChain(rs, 'filter', 'FORWARD', packet({ trace: raw.trace }), context('FORWARD'));
    expect(traceLines(f, 'FORWARD', 'IN=eth0 OUT=docker0')).toEqual([
      'TRACE: filter:FORWARD:rule:1 IN=eth0 OUT=docker0',
      'TRACE: filter:DOCKER-USER:return:1 IN=eth0 OUT=docker0',
      'TRACE: filter:FORWARD:rule:2 IN=eth0 OUT=docker0',
      'TRACE: filter:X:return:2 IN=eth0 OUT=docker0',
      'TRACE: filter:FORWARD:policy:4 IN=eth0 OUT=docker0',
    ]);
    const untraced = traverseChain(rs, 'filter', 'FORWARD', packet(), context('FORWARD'));
    expect(traceLines(untraced, 'FORWARD')).toEqual([]);
  });

  it('calls an unconditional ACCEPT in a built-in chain "policy"', () => {
    const rs = setup(['-A INPUT -j ACCEPT']);
    const t = traverseChain(rs, 'filter', 'INPUT', packet({ trace: true }), context('INPUT'));
    expect(traceLines(t, 'INPUT')).toEqual(['TRACE: filter:INPUT:policy:1']);
  });
});

describe('kernel checks across chains', () => {
  it('refuses a DNAT rule once a jump makes it reachable from POSTROUTING', () => {
    const rs = setup(['-t nat -N PORTS', '-t nat -A PORTS -p tcp -j DNAT --to-destination 10.0.0.1:80', '-t nat -A PREROUTING -j PORTS']);
    const r = ipt(rs, '-t nat -A POSTROUTING -j PORTS');
    expect(r.stderr).toBe('iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING\n');
    expect(r.exitCode).toBe(4);
    const loop = setup(['-N A', '-N B', '-A A -j B']);
    expect(ipt(loop, '-A B -g A').stderr).toBe('iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many levels of symbolic links): rule in chain B\n');
  });
});
