// NAT bindings and rewrites: a reply un-NATed gives back the original tuple (property), the
// binding is decided once, MASQUERADE keeps the source port when free and otherwise picks one in
// the same class from the seeded stream, ICMP errors get their quoted header un-NATed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conntrackConfirm,
  ctAttachFrom,
  invertTuple,
  natIcmpReply,
  natPacket,
  packetTuple,
  setupNat,
  type ConntrackTable,
  type CtRef,
  type CtTuple,
  type ManipType,
  type NatRangeSpec,
} from '../../../src/kernel/conntrack/index.js';
import { decodeIcmp, decodeQuoted, encodeIcmp, formatIpv4, ipv4Packet, mustParseIpv4, payload, echoRequest, echoReplyTo, type Ipv4Repr } from '../../../src/packet/index.js';
import { ctNamespace, ipOf, skbOf, track, udp, unreachable } from './packets.js';

function tupleOf(ip: Ipv4Repr): CtTuple {
  const t = packetTuple(ip);
  if (t.kind !== 'tuple') throw new Error(`no tuple: ${t.kind}`);
  return t.tuple;
}

/** A datagram carrying `t` (TCP/UDP ports or an ICMP echo). */
function packetFor(t: CtTuple): Ipv4Repr {
  switch (t.proto) {
    case 6:
      return ipv4Packet({ src: t.src, dst: t.dst, payload: { kind: 'tcp', srcPort: t.sport, dstPort: t.dport, seq: 1, ack: 0, flags: 0x02, window: 1000, urgent: 0, options: [], payload: payload(new Uint8Array()) } });
    case 17:
      return ipv4Packet({ src: t.src, dst: t.dst, payload: { kind: 'udp', srcPort: t.sport, dstPort: t.dport, payload: payload(new Uint8Array([1])) } });
    default: {
      const req = echoRequest(t.sport, 1);
      return ipv4Packet({ src: t.src, dst: t.dst, payload: t.dport === 8 << 8 ? req : echoReplyTo(req) });
    }
  }
}

function apply(ref: CtRef, manip: ManipType, ip: Ipv4Repr): Ipv4Repr {
  return natPacket(ref, manip, ip)?.after ?? ip;
}

/** PREROUTING (DNAT), then POSTROUTING (SNAT), the way a forwarded packet meets NAT. */
function forward(table: ConntrackTable, ip: Ipv4Repr, dnat?: NatRangeSpec | null, snat?: NatRangeSpec | null, allowClash = false): { out: Ipv4Repr; ref: CtRef; confirmed: boolean } {
  const t = track(table, ip);
  const ref = t.ref!;
  if (dnat !== undefined) setupNat(table, ref.entry, dnat ?? undefined, 'DST');
  let out = apply(ref, 'DST', ip);
  if (snat !== undefined) setupNat(table, ref.entry, snat ?? undefined, 'SRC');
  out = apply(ref, 'SRC', out);
  const skb = t.skb;
  skb.frame = { ...skb.frame, payload: out };
  const confirmed = conntrackConfirm(table, skb) === 'confirmed';
  if (!allowClash) expect(confirmed).toBe(true);
  return { out, ref, confirmed };
}

const H = mustParseIpv4('192.0.2.2');

describe('NAT: replies are un-NATed back to the original tuple', () => {
  const addr = fc.integer({ min: 0x0a000001, max: 0x0a0000ff });
  const port = fc.integer({ min: 1, max: 65535 });
  const tuple = fc.oneof(
    fc.record({ src: addr, dst: addr, proto: fc.constantFrom(6, 17), sport: port, dport: port }),
    fc.record({ src: addr, dst: addr, proto: fc.constant(1), sport: fc.integer({ min: 0, max: 65535 }), dport: fc.constant(8 << 8) }),
  );
  const range = fc.option(
    fc.record({
      ips: fc.option(
        fc.tuple(addr, fc.integer({ min: 0, max: 3 })).map(([a, n]) => ({ min: a, max: a + n })),
        { nil: undefined },
      ),
      ports: fc.option(
        fc.tuple(port, fc.integer({ min: 0, max: 20 })).map(([p, n]) => ({ min: p, max: Math.min(65535, p + n) })),
        { nil: undefined },
      ),
    }),
    { nil: null },
  );

  it('holds for random tuples, bindings and clashing earlier flows', () => {
    fc.assert(
      fc.property(tuple, range, range, fc.array(tuple, { maxLength: 4 }), (orig, dnat, snat, others) => {
        fc.pre(orig.src !== orig.dst);
        const { table } = ctNamespace();
        for (const o of others) {
          if (o.src === o.dst) continue;
          const t = track(table, packetFor(o));
          if (t.ref !== undefined && t.state === 'NEW' && !t.ref.entry.confirmed) conntrackConfirm(table, t.skb);
        }
        const existing = table.find(orig);
        fc.pre(existing === undefined);
        const dnatSpec = dnat === null ? null : ports1(dnat, orig.proto);
        const snatSpec = snat === null ? null : ports1(snat, orig.proto);
        const { out, ref, confirmed } = forward(table, packetFor(orig), dnatSpec, snatSpec, true);
        // A range of one port that is taken leaves a clash: the kernel drops such a packet.
        fc.pre(confirmed);
        // What leaves is the inverse of the reply tuple the entry expects back.
        expect(tupleOf(out)).toEqual(invertTuple(ref.entry.reply));
        // The answer, as the peer sends it, comes back as the answer to the original packet.
        const answer = packetFor(ref.entry.reply);
        const back = track(table, answer);
        expect(back.ref?.entry).toBe(ref.entry);
        expect(back.ref?.dir).toBe('reply');
        const unNated = apply(back.ref!, 'SRC', apply(back.ref!, 'DST', answer));
        expect(tupleOf(unNated)).toEqual(invertTuple(orig));
      }),
      { numRuns: 300 },
    );
  });
});

/** Port ranges only make sense for protocols with ports (iptables refuses them otherwise). */
function ports1(r: { ips: { min: number; max: number } | undefined; ports: { min: number; max: number } | undefined }, proto: number): NatRangeSpec {
  return proto === 1 ? { ips: r.ips } : { ips: r.ips, ports: r.ports };
}

describe('NAT: the binding is decided on the first packet only', () => {
  it('keeps the first binding and refuses a second one of the same manip type', () => {
    const { table } = ctNamespace();
    const first = forward(table, udp('172.17.0.2:4000', '8.8.8.8:53'), null, { ips: { min: H, max: H } });
    expect(formatIpv4(first.out.src)).toBe('192.0.2.2');
    expect(setupNat(table, first.ref.entry, { ips: { min: mustParseIpv4('192.0.2.99'), max: mustParseIpv4('192.0.2.99') } }, 'SRC')).toBeUndefined();
    const later = track(table, udp('172.17.0.2:4000', '8.8.8.8:53'));
    expect(formatIpv4(apply(later.ref!, 'SRC', ipOf(later.skb)).src)).toBe('192.0.2.2');
  });

  it('installs a null binding when no rule chose one, and still marks the manip done', () => {
    const { table } = ctNamespace();
    const f = forward(table, udp('10.0.0.1:4000', '10.0.0.2:53'), null, null);
    expect(f.ref.entry.srcNatDone && f.ref.entry.dstNatDone).toBe(true);
    expect(f.ref.entry.srcNat || f.ref.entry.dstNat).toBe(false);
    expect(tupleOf(f.out)).toEqual(tupleOf(udp('10.0.0.1:4000', '10.0.0.2:53')));
  });
});

describe('MASQUERADE-style source NAT: ports', () => {
  const masq: NatRangeSpec = { ips: { min: H, max: H } };

  it('keeps the source port when it is free', () => {
    const { table } = ctNamespace();
    const { out } = forward(table, udp('172.17.0.2:40000', '8.8.8.8:53'), null, masq);
    expect(out.payload.kind === 'udp' && out.payload.srcPort).toBe(40000);
  });

  it.each([
    [40000, 1024, 65535],
    [700, 600, 1023],
    [530, 600, 1023],
    [123, 1, 511],
  ])('picks another port of the class of %i (%i-%i) when it is taken', (sport, lo, hi) => {
    const { table } = ctNamespace();
    forward(table, udp(`172.17.0.2:${sport}`, '8.8.8.8:53'), null, masq);
    const { out } = forward(table, udp(`172.17.0.3:${sport}`, '8.8.8.8:53'), null, masq);
    const p = out.payload.kind === 'udp' ? out.payload.srcPort : -1;
    expect(p).not.toBe(sport);
    expect(p).toBeGreaterThanOrEqual(lo);
    expect(p).toBeLessThanOrEqual(hi);
  });

  it('draws the replacement port from the seeded stream: same seed, same port; other seed, other port', () => {
    const pick = (seed: number): number => {
      const { table } = ctNamespace(seed);
      forward(table, udp('172.17.0.2:40000', '8.8.8.8:53'), null, masq);
      const { out } = forward(table, udp('172.17.0.3:40000', '8.8.8.8:53'), null, masq);
      return out.payload.kind === 'udp' ? out.payload.srcPort : -1;
    };
    expect(pick(7)).toBe(pick(7));
    expect(new Set([pick(1), pick(2), pick(3), pick(4)]).size).toBeGreaterThan(1);
  });

  it('reuses the mapping of another connection from the same source (find_appropriate_src)', () => {
    const { table } = ctNamespace();
    // Force the first flow off its port: someone else already uses H:40000 towards 8.8.8.8:53.
    forward(table, udp('172.17.0.9:40000', '8.8.8.8:53'), null, masq);
    const a = forward(table, udp('172.17.0.2:40000', '8.8.8.8:53'), null, masq).out;
    const b = forward(table, udp('172.17.0.2:40000', '1.1.1.1:53'), null, masq).out;
    const pa = a.payload.kind === 'udp' ? a.payload.srcPort : -1;
    const pb = b.payload.kind === 'udp' ? b.payload.srcPort : -2;
    expect(pa).not.toBe(40000);
    expect(pb).toBe(pa);
  });

  it('keeps the echo id of a ping unless it clashes', () => {
    const { table } = ctNamespace();
    const mk = (src: string): Ipv4Repr => ipv4Packet({ src: mustParseIpv4(src), dst: mustParseIpv4('8.8.8.8'), payload: echoRequest(7, 1) });
    const a = forward(table, mk('172.17.0.2'), null, masq).out;
    const b = forward(table, mk('172.17.0.3'), null, masq).out;
    expect(a.payload.kind === 'icmp' && a.payload.type === 'echo-request' && a.payload.id).toBe(7);
    expect(b.payload.kind === 'icmp' && b.payload.type === 'echo-request' && b.payload.id).not.toBe(7);
  });
});

describe('NAT: ICMP errors about a NATed connection', () => {
  it('un-SNATs the outer destination and the quoted source of an error coming back', () => {
    const { table } = ctNamespace();
    const { out } = forward(table, udp('172.17.0.2:4000', '8.8.8.8:53'), null, { ips: { min: H, max: H }, ports: { min: 5000, max: 5000 } });
    expect(out.payload.kind === 'udp' && out.payload.srcPort).toBe(5000);
    const err = unreachable('10.9.9.9', '192.0.2.2', out);
    const t = track(table, err);
    expect(t.state).toBe('RELATED');
    const r = natIcmpReply(t.ref!, 'DST', err);
    expect(r).not.toBe('drop');
    const after = (r as { after: Ipv4Repr }).after;
    expect(formatIpv4(after.dst)).toBe('172.17.0.2');
    expect(formatIpv4(after.src)).toBe('10.9.9.9');
    const icmp = after.payload;
    if (icmp.kind !== 'icmp' || icmp.type !== 'dest-unreachable') throw new Error('not an unreachable');
    const q = decodeQuoted(icmp.quoted);
    expect(q.ok && formatIpv4(q.value.src)).toBe('172.17.0.2');
    expect(q.ok && q.value.ports?.srcPort).toBe(4000);
    expect(q.ok && formatIpv4(q.value.dst)).toBe('8.8.8.8');
    // The message still encodes and decodes (checksums recomputed / adjusted).
    expect(decodeIcmp(encodeIcmp(icmp)).ok).toBe(true);
    // Nothing to do for it at the SNAT hook.
    expect(natIcmpReply(t.ref!, 'SRC', after)).toBeUndefined();
  });

  it('un-DNATs the quoted destination of an error this host sends about a DNATed packet (REJECT)', () => {
    const { table } = ctNamespace();
    const client = udp('203.0.113.5:3333', '192.0.2.2:8080');
    const t = track(table, client);
    setupNat(table, t.ref!.entry, { ips: { min: mustParseIpv4('172.17.0.2'), max: mustParseIpv4('172.17.0.2') }, ports: { min: 80, max: 80 } }, 'DST');
    const dnated = apply(t.ref!, 'DST', client);
    expect(formatIpv4(dnated.dst)).toBe('172.17.0.2');
    // filter FORWARD rejects it: the ICMP error quotes the DNATed packet and is attached to the entry.
    const err = unreachable('192.0.2.2', '203.0.113.5', dnated);
    const errSkb = skbOf(err);
    const ref = ctAttachFrom(t.skb)!;
    errSkb.ct = ref;
    expect(ref.state).toBe('RELATED');
    expect(natIcmpReply(ref, 'DST', err)).toBeUndefined();
    const r = natIcmpReply(ref, 'SRC', err) as { after: Ipv4Repr };
    const icmp = r.after.payload;
    if (icmp.kind !== 'icmp' || icmp.type !== 'dest-unreachable') throw new Error('not an unreachable');
    const q = decodeQuoted(icmp.quoted);
    expect(q.ok && formatIpv4(q.value.dst)).toBe('192.0.2.2');
    expect(q.ok && q.value.ports?.dstPort).toBe(8080);
    expect(formatIpv4(r.after.src)).toBe('192.0.2.2');
  });
});
