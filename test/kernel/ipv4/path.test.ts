// The IPv4 packet path of linux-primitives.md 1.2 over A --- R --- B: forwarding with TTL,
// forwarding off, TTL expiry, PMTU, fragmentation, rp_filter, martians, local delivery and
// the ICMP answers to each.
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { ipOutput, ipv4Of, type NetfilterHooks } from '../../../src/kernel/index.js';
import { linkSetName } from '../../../src/kernel/devices/index.js';
import { decodeQuoted, echoRequest, encodeIpv4, ipv4Packet, type IcmpRepr, type Ipv4Repr } from '../../../src/packet/index.js';
import { send } from '../../support/topology.js';
import { cidr, ip, must, sent, ping, records, routed, sink, sysctl, udp } from './fakes.js';

function icmpOf(ipr: Ipv4Repr): IcmpRepr {
  if (ipr.payload.kind !== 'icmp') throw new Error(`not ICMP: ${ipr.payload.kind}`);
  return ipr.payload;
}

/** Sends a hand-made IPv4 packet from A's eth0 straight to R's eth0 MAC (spoofing allowed). */
function inject(t: ReturnType<typeof routed>, packet: Ipv4Repr): void {
  send(t.aEth0, { kind: 'ethernet', dst: t.rEth0.mac, src: t.aEth0.mac, vlans: [], etherType: 0x0800, payload: packet });
}

describe('forwarding', () => {
  it('forwards with the TTL decremented by one per router', () => {
    const t = routed();
    const bSock = sink(t.b);
    sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(5000, 53, 'q') }));
    t.world.engine.runUntil(SECOND);
    expect(bSock).toHaveLength(1);
    expect(bSock[0]!.ip).toMatchObject({ src: ip('10.0.1.2'), dst: ip('10.0.2.2'), ttl: 63 });
    expect(records(t.world, 'ttl')).toEqual([{ from: 64, to: 63, action: 'decrement', at: 'r/eth0' }]);
  });

  it('drops silently before FORWARD when forwarding is off on the ingress device', () => {
    const t = routed({ forwarding: false });
    const aSock = sink(t.a);
    const hooks: string[] = [];
    const spy: NetfilterHooks = { hook: (_skb, ctx) => (hooks.push(ctx.hook), 'accept'), bridgeCallIptables: () => false };
    t.r.netfilter = spy;
    sent(ping(t.a, '10.0.2.2'));
    t.world.engine.runUntil(SECOND);
    expect(t.r.drops.get('forwarding-disabled')).toBe(1);
    expect(hooks).toEqual(['PREROUTING']);
    expect(aSock).toEqual([]);
    const route = t.world.trace.records.find(r => r.kind === 'route' && r.location.netns === 'r')!;
    expect(route.detail).toMatchObject({ result: 'reject', reason: 'forwarding-disabled' });
    expect(String(route.detail['detail'])).toContain('net.ipv4.conf.eth0.forwarding=0');
    const drop = t.world.trace.records.find(r => r.kind === 'drop' && r.location.netns === 'r')!;
    expect(drop.detail['reason']).toBe('forwarding-disabled');
  });

  it('answers TTL expiry with time exceeded from the router, quoting the original header', () => {
    const t = routed();
    const aSock = sink(t.a);
    const hooks: string[] = [];
    t.r.netfilter = { hook: (_skb, ctx) => (hooks.push(`${ctx.hook}:${ctx.outDev?.name ?? ''}`), 'accept'), bridgeCallIptables: () => false };
    sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: echoRequest(9, 1, new Uint8Array(56)), ttl: 1, df: true }));
    t.world.engine.runUntil(SECOND);
    expect(aSock).toHaveLength(1);
    const err = aSock[0]!.ip;
    expect(err.src).toBe(ip('10.0.1.1'));
    expect(err.dscp << 2).toBe(0xc0);
    const icmp = icmpOf(err);
    expect(icmp).toMatchObject({ type: 'time-exceeded', code: 0 });
    if (icmp.type !== 'time-exceeded') throw new Error('unreachable');
    const quoted = must(decodeQuotedResult(icmp.quoted));
    expect(quoted).toMatchObject({ src: ip('10.0.1.2'), dst: ip('10.0.2.2'), ttl: 1, protocol: 1, echo: { id: 9, seq: 1 } });
    // The whole 84-byte datagram fits in the 576-byte limit, so Linux quotes all of it.
    expect(icmp.quoted.length).toBe(84);
    // The error was generated before FORWARD: only the error's own output hooks ran after PREROUTING.
    expect(hooks).toEqual(['PREROUTING:', 'OUTPUT:eth0', 'POSTROUTING:eth0']);
    expect(t.r.drops.get('ttl-exceeded')).toBe(1);
  });

  it('rate-limits time exceeded per destination: a burst of 6, then one per second', () => {
    const t = routed();
    const aSock = sink(t.a);
    for (let i = 0; i < 10; i++) sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(1, 33434 + i, 'x'), ttl: 1 }));
    t.world.engine.runUntil(SECOND / 2);
    expect(aSock).toHaveLength(6);
    t.world.engine.runUntil(SECOND + SECOND / 2);
    for (let i = 0; i < 3; i++) sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(1, 33500 + i, 'x'), ttl: 1 }));
    t.world.engine.runUntil(2 * SECOND);
    expect(aSock).toHaveLength(7);
    expect(records(t.world, 'icmp').filter(r => r['action'] === 'rate-limited')).toHaveLength(6);
  });

  it('answers DF packets over the next-hop MTU with frag-needed carrying that MTU', () => {
    const t = routed({ bMtu: 1000 });
    const aSock = sink(t.a);
    sent(ping(t.a, '10.0.2.2', { size: 1200, df: true }));
    t.world.engine.runUntil(SECOND);
    expect(aSock.map(d => icmpOf(d.ip))).toMatchObject([{ type: 'dest-unreachable', code: 4, nextHopMtu: 1000 }]);
    expect(t.r.drops.get('mtu-exceeded')).toBe(1);
  });

  it('fragments packets without DF and reassembles them at the destination', () => {
    const t = routed({ bMtu: 1000 });
    const aSock = sink(t.a);
    const bSock = sink(t.b);
    sent(ping(t.a, '10.0.2.2', { size: 2500, df: false }));
    t.world.engine.runUntil(SECOND);
    // B answered the reassembled request itself (no socket needed); its reply came back whole.
    expect(bSock).toEqual([]);
    expect(aSock).toHaveLength(1);
    const reply = icmpOf(aSock[0]!.ip);
    expect(reply.type).toBe('echo-reply');
    if (reply.type === 'echo-reply') expect(reply.data.length).toBe(2500);
    const onWire = t.world.trace.records.filter(r => r.kind === 'transmit' && r.location.netns === 'r' && r.location.device === 'eth1');
    expect(onWire.length).toBeGreaterThanOrEqual(3);
  });
});

function decodeQuotedResult(bytes: Uint8Array) {
  const d = decodeQuoted(bytes);
  return d.ok ? { ok: true as const, value: d.value } : { ok: false as const, error: d.issue.message };
}

describe('source validation', () => {
  it('drops a spoofed source with rp_filter strict, and accepts it with rp_filter 0', () => {
    const t = routed();
    const bSock = sink(t.b);
    const spoofed = ipv4Packet({ src: ip('10.0.2.77'), dst: ip('10.0.2.2'), payload: udp(1, 2, 'x') });
    sysctl(t.r, 'net.ipv4.conf.all.rp_filter', '1');
    inject(t, spoofed);
    t.world.engine.runUntil(SECOND);
    expect(t.r.drops.get('rp-filter')).toBe(1);
    expect(bSock).toEqual([]);
    sysctl(t.r, 'net.ipv4.conf.all.rp_filter', '2');
    inject(t, spoofed);
    t.world.engine.runUntil(2 * SECOND);
    expect(bSock).toHaveLength(1);
  });

  it('drops 127/8 arriving on eth0 as martian unless route_localnet', () => {
    const t = routed();
    inject(t, ipv4Packet({ src: ip('10.0.1.2'), dst: ip('127.0.0.1'), payload: udp(1, 2, 'x') }));
    inject(t, ipv4Packet({ src: ip('127.0.0.5'), dst: ip('10.0.2.2'), payload: udp(1, 2, 'x') }));
    t.world.engine.runUntil(SECOND);
    expect(t.r.drops.get('martian')).toBe(2);
    const details = t.world.trace.records.filter(r => r.kind === 'drop' && r.location.netns === 'r').map(r => String(r.detail['detail']));
    expect(details[0]).toContain('martian destination: 127.0.0.0/8 on eth0');
    expect(details[1]).toContain('martian source: 127.0.0.0/8 on eth0');
  });

  it('drops a packet whose source is one of our own addresses (accept_local=0)', () => {
    const t = routed();
    inject(t, ipv4Packet({ src: ip('10.0.2.1'), dst: ip('10.0.1.1'), payload: udp(1, 2, 'x') }));
    t.world.engine.runUntil(SECOND);
    expect(t.r.drops.get('martian')).toBe(1);
  });
});

describe('local delivery and local output', () => {
  it('answers UDP to a closed port with port unreachable from the destination address', () => {
    const t = routed();
    const aSock = sink(t.a);
    sink(t.b, () => 'no-socket');
    sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(4000, 9999, 'hello') }));
    t.world.engine.runUntil(SECOND);
    expect(aSock.map(d => [d.ip.src, icmpOf(d.ip).type, 'code' in icmpOf(d.ip) ? (icmpOf(d.ip) as { code: number }).code : -1])).toEqual([[ip('10.0.2.2'), 'dest-unreachable', 3]]);
    expect(t.b.drops.get('port-unreachable')).toBe(1);
  });

  it('delivers to its own address through lo, and reports a failed neighbour to the local sender', () => {
    const t = routed();
    const aSock = sink(t.a);
    sent(ping(t.a, '10.0.1.2'));
    t.world.engine.runUntil(SECOND);
    expect(aSock.map(d => [d.dev, icmpOf(d.ip).type])).toEqual([['lo', 'echo-reply']]);
    sent(ping(t.a, '10.0.1.99'));
    t.world.engine.runUntil(5 * SECOND);
    expect(aSock.slice(1).map(d => [d.ip.src, icmpOf(d.ip).type])).toEqual([[ip('10.0.1.2'), 'dest-unreachable']]);
  });

  it('returns routing errors synchronously, and EPERM when OUTPUT drops', () => {
    const t = routed();
    must(ipv4Of(t.a).routeDel({ dst: cidr('0.0.0.0/0') }));
    const errs: string[] = [];
    expect(ipOutput(t.a, { dst: ip('8.8.8.8'), payload: udp(1, 2, 'x') }, e => errs.push(e))).toMatchObject({ ok: false, errno: 'ENETUNREACH' });
    t.a.netfilter = { hook: (_s, ctx) => (ctx.hook === 'OUTPUT' ? 'drop' : 'accept'), bridgeCallIptables: () => false };
    expect(ipOutput(t.a, { dst: ip('10.0.1.1'), payload: udp(1, 2, 'x') }, e => errs.push(e))).toMatchObject({ ok: false, errno: 'EPERM' });
    expect(errs).toEqual(['ENETUNREACH', 'EPERM']);
    expect(ipOutput(t.a, { dst: ip('10.0.1.1'), payload: echoRequest(1, 1, new Uint8Array(3000)), df: true })).toMatchObject({ ok: false });
  });

  it('reroutes when OUTPUT rewrites the destination (DNAT to a local address)', () => {
    const t = routed();
    const aSock = sink(t.a);
    t.a.netfilter = {
      hook: (skb, ctx) => {
        const p = skb.frame.payload;
        if (ctx.hook === 'OUTPUT' && p.kind === 'ipv4' && p.dst === ip('10.0.2.2')) skb.frame = { ...skb.frame, payload: { ...p, dst: ip('127.0.0.1') } };
        return 'accept';
      },
      bridgeCallIptables: () => false,
    };
    sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(1, 53, 'q') }));
    t.world.engine.runUntil(SECOND);
    expect(aSock.map(d => [d.dev, d.ip.dst])).toEqual([['lo', ip('127.0.0.1')]]);
    expect(records(t.world, 'route').some(r => r['stage'] === 'reroute')).toBe(true);
  });

  it('records what the path saw then, even when devices are renamed before the trace is read', () => {
    const traced = (renameFirst: boolean) => {
      const t = routed({ seed: 7 });
      sink(t.b);
      sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(5000, 53, 'q') }));
      t.world.engine.runUntil(SECOND);
      if (renameFirst) {
        // Renaming an up device is allowed (Linux 6.2 and later); the records made before keep the old names.
        must(linkSetName(t.r, t.rEth1, 'wan0'));
        must(linkSetName(t.a, t.aEth0, 'lan0'));
      }
      return t.world.trace.records.map(r => ({ where: `${r.location.netns}/${r.location.device ?? ''}`, kind: r.kind, detail: r.detail }));
    };
    const before = traced(false);
    expect(traced(true)).toEqual(before);
    expect(before).toContainEqual(expect.objectContaining({ where: 'r/eth0', kind: 'route', detail: expect.objectContaining({ result: 'forward', dev: 'eth1', iif: 'eth0', nexthop: '10.0.2.2' }) }));
    expect(before).toContainEqual(expect.objectContaining({ where: 'a/eth0', kind: 'transmit', detail: { src: '02:00:00:00:00:12', dst: '02:00:00:00:00:11', etherType: 0x0800 } }));
  });

  it('keeps quoting and IDs deterministic across identical runs', () => {
    const run = () => {
      const t = routed({ seed: 42 });
      sink(t.a);
      sent(ping(t.a, '10.0.2.2'));
      sent(ipOutput(t.a, { dst: ip('10.0.2.2'), payload: udp(1, 2, 'x'), ttl: 1 }));
      t.world.engine.runUntil(60 * SECOND);
      return t.world.trace.digest();
    };
    expect(run()).toBe(run());
    void encodeIpv4;
  });
});
