/**
 * The evaluator against a deliberately naive recursive interpreter, over random chains of
 * rules (-s/-d/-p/--dport/-i/-o with and without `!`, ACCEPT/DROP/RETURN/jump/goto) and random
 * packets. The rules reach the ruleset as iptables command lines, so the parser is covered too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ruleset, traverseChain } from '../../../src/kernel/netfilter/index.js';
import { context, ip, ipt, packet } from './support.js';

interface Cond {
  readonly invert: boolean;
  readonly value: string;
}

interface SpecRule {
  readonly src?: Cond;
  readonly dst?: Cond;
  readonly proto?: Cond;
  readonly dport?: Cond;
  readonly inIf?: Cond;
  readonly outIf?: Cond;
  readonly action: { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'none' } | { readonly kind: 'jump' | 'goto'; readonly to: number };
}

interface Spec {
  readonly policy: 'ACCEPT' | 'DROP';
  /** chains[0] is FORWARD; chains[i>0] is user chain U<i>; jumps only go to higher indexes. */
  readonly chains: readonly (readonly SpecRule[])[];
}

interface Pkt {
  readonly src: string;
  readonly dst: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly dport: number;
  readonly inIf: string;
  readonly outIf: string;
}

const ADDRS = ['10.0.0.1', '10.0.0.2', '10.0.1.1', '192.168.1.1', '172.17.0.2'];
const CIDRS = ['10.0.0.1', '10.0.0.0/24', '10.0.0.0/16', '10.0.0.0/8', '192.168.1.1', '172.17.0.0/16', '0.0.0.0/0'];
const IFACES = ['eth0', 'eth1', 'docker0', 'veth12'];
const IFACE_SPECS = ['eth0', 'eth+', 'docker0', 'veth+', '+'];
const PORTS = [22, 80, 443];

const cond = (values: readonly string[]) => fc.record({ invert: fc.boolean(), value: fc.constantFrom(...values) });

function ruleArb(chainIndex: number, chainCount: number): fc.Arbitrary<SpecRule> {
  const actions: fc.Arbitrary<SpecRule['action']>[] = [fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'none').map((kind) => ({ kind }))];
  if (chainIndex + 1 < chainCount) {
    actions.push(
      fc.record({ kind: fc.constantFrom('jump' as const, 'goto' as const), to: fc.integer({ min: chainIndex + 1, max: chainCount - 1 }) }),
    );
  }
  return fc
    .record(
      {
        src: cond(CIDRS),
        dst: cond(CIDRS),
        proto: fc.record({ invert: fc.boolean(), value: fc.constantFrom('tcp', 'udp', 'icmp') }),
        dport: cond(PORTS.map(String)),
        inIf: cond(IFACE_SPECS),
        outIf: cond(IFACE_SPECS),
        action: fc.oneof(...actions),
      },
      { requiredKeys: ['action'] },
    )
    .map((r) => {
      // --dport needs an uninverted -p tcp|udp in front of it.
      if (r.dport !== undefined && (r.proto === undefined || r.proto.invert || r.proto.value === 'icmp')) {
        const { dport: _drop, ...rest } = r;
        return rest;
      }
      return r;
    });
}

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record({
    policy: fc.constantFrom('ACCEPT' as const, 'DROP' as const),
    chains: fc.tuple(...Array.from({ length: n }, (_, i) => fc.array(ruleArb(i, n), { maxLength: 5 }))),
  }),
);

const pktArb: fc.Arbitrary<Pkt> = fc.record({
  src: fc.constantFrom(...ADDRS),
  dst: fc.constantFrom(...ADDRS),
  proto: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const),
  dport: fc.constantFrom(...PORTS),
  inIf: fc.constantFrom(...IFACES),
  outIf: fc.constantFrom(...IFACES),
});

const chainName = (i: number) => (i === 0 ? 'FORWARD' : `U${i}`);

function ruleLine(r: SpecRule): string {
  const bang = (c: Cond) => (c.invert ? '! ' : '');
  const parts: string[] = [];
  if (r.src) parts.push(`${bang(r.src)}-s ${r.src.value}`);
  if (r.dst) parts.push(`${bang(r.dst)}-d ${r.dst.value}`);
  if (r.inIf) parts.push(`${bang(r.inIf)}-i ${r.inIf.value}`);
  if (r.outIf) parts.push(`${bang(r.outIf)}-o ${r.outIf.value}`);
  if (r.proto) parts.push(`${bang(r.proto)}-p ${r.proto.value}`);
  if (r.dport) parts.push(`${bang(r.dport)}--dport ${r.dport.value}`);
  const a = r.action;
  if (a.kind === 'jump') parts.push(`-j ${chainName(a.to)}`);
  else if (a.kind === 'goto') parts.push(`-g ${chainName(a.to)}`);
  else if (a.kind !== 'none') parts.push(`-j ${a.kind}`);
  return parts.join(' ');
}

// ---- the naive reference interpreter -------------------------------------------------------

function cidrHas(spec: string, addr: string): boolean {
  const [base, len] = spec.includes('/') ? spec.split('/') : [spec, '32'];
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ip(addr) & mask) >>> 0) === ((ip(base!) & mask) >>> 0);
}

function ifHas(spec: string, dev: string): boolean {
  return spec.endsWith('+') ? dev.startsWith(spec.slice(0, -1)) : dev === spec;
}

function holds(c: Cond | undefined, test: (v: string) => boolean): boolean {
  return c === undefined || test(c.value) !== c.invert;
}

function ruleMatches(r: SpecRule, p: Pkt): boolean {
  return (
    holds(r.src, (v) => cidrHas(v, p.src)) &&
    holds(r.dst, (v) => cidrHas(v, p.dst)) &&
    holds(r.inIf, (v) => ifHas(v, p.inIf)) &&
    holds(r.outIf, (v) => ifHas(v, p.outIf)) &&
    holds(r.proto, (v) => v === p.proto) &&
    holds(r.dport, (v) => Number(v) === p.dport)
  );
}

/** 'ACCEPT' | 'DROP' | 'RETURN' (fell off / returned), recording matched rules. */
function refChain(spec: Spec, i: number, p: Pkt, hits: string[]): 'ACCEPT' | 'DROP' | 'RETURN' {
  const rules = spec.chains[i]!;
  for (let n = 0; n < rules.length; n++) {
    const r = rules[n]!;
    if (!ruleMatches(r, p)) continue;
    hits.push(`${chainName(i)}:${n + 1}`);
    const a = r.action;
    if (a.kind === 'ACCEPT' || a.kind === 'DROP' || a.kind === 'RETURN') return a.kind;
    if (a.kind === 'goto') return refChain(spec, a.to, p, hits);
    if (a.kind === 'jump') {
      const res = refChain(spec, a.to, p, hits);
      if (res !== 'RETURN') return res;
    }
  }
  return 'RETURN';
}

function reference(spec: Spec, p: Pkt): { verdict: string; hits: string[] } {
  const hits: string[] = [];
  const r = refChain(spec, 0, p, hits);
  return { verdict: (r === 'RETURN' ? spec.policy : r).toLowerCase(), hits };
}

// ---------------------------------------------------------------------------------------------

function build(spec: Spec): Ruleset {
  const rs = new Ruleset();
  const run = (line: string) => {
    const r = ipt(rs, line);
    if (r.exitCode !== 0) throw new Error(`iptables ${line}: ${r.stderr}`);
  };
  run(`-P FORWARD ${spec.policy}`);
  for (let i = 1; i < spec.chains.length; i++) run(`-N ${chainName(i)}`);
  spec.chains.forEach((rules, i) => rules.forEach((r) => run(`-A ${chainName(i)} ${ruleLine(r)}`.trim())));
  return rs;
}

describe('evaluator vs a naive recursive interpreter', () => {
  it('agrees on the verdict and on every matched rule', () => {
    fc.assert(
      fc.property(specArb, fc.array(pktArb, { minLength: 1, maxLength: 8 }), (spec, pkts) => {
        const rs = build(spec);
        for (const p of pkts) {
          const proto = p.proto === 'tcp' ? 6 : p.proto === 'udp' ? 17 : 1;
          const t = traverseChain(
            rs,
            'filter',
            'FORWARD',
            packet({
              ip: { src: ip(p.src), dst: ip(p.dst), protocol: proto },
              l4: p.proto === 'icmp' ? { icmpType: 8, icmpCode: 0 } : { sport: 40000, dport: p.dport },
              inIf: p.inIf,
              outIf: p.outIf,
            }),
            context('FORWARD'),
          );
          const hits = t.steps.filter((s) => s.kind === 'rule' && s.matched).map((s) => `${s.chain}:${s.ruleNum}`);
          expect({ verdict: t.verdict.kind, hits }).toEqual(reference(spec, p));
          expect(t.counters.filter((c) => c.entryId !== undefined)).toHaveLength(hits.length);
        }
      }),
      { numRuns: 300, seed: 20260101 },
    );
  });
});
