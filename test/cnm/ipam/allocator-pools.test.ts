// Default pools as a real Docker 20.10 daemon handed them out (reference captures 02 and 03 in
// /work/shared/reference/docker-20.10), the rotating start index, and the host-overlap check.
import { describe, expect, it } from 'vitest';
import {
  Allocator,
  GATEWAY_ADDRESS_TYPE,
  GLOBAL_DEFAULT_ADDRESS_SPACE as GLOBAL,
  LOCAL_DEFAULT_ADDRESS_SPACE as LOCAL,
  REQUEST_ADDRESS_TYPE,
  requestPoolHelper,
  splitNetworks,
  type IpamResult,
  type RequestPoolAnswer,
} from '../../../src/cnm/ipam/index.js';
import { formatCidr, formatIpv4, mustParseCidr, mustParseIpv4, type Cidr } from '../../../src/packet/index.js';

const GATEWAY = { [REQUEST_ADDRESS_TYPE]: GATEWAY_ADDRESS_TYPE };

function must<T>(r: IpamResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** What libnetwork does for `docker network create [--subnet S [--ip-range R] [--gateway G]]`. */
function createNetwork(a: Allocator, subnet = '', ipRange = '', gateway = ''): { poolId: string; subnet: string; gateway: string } {
  const p = must(a.requestPool(LOCAL, subnet, ipRange, {}, false));
  const gw = must(a.requestAddress(p.poolId, gateway === '' ? undefined : mustParseIpv4(gateway), GATEWAY));
  return { poolId: p.poolId, subnet: formatCidr(p.pool), gateway: formatCidr(gw.address) };
}

function removeNetwork(a: Allocator, n: { poolId: string; gateway: string }): void {
  must(a.releaseAddress(n.poolId, mustParseIpv4(n.gateway.split('/')[0]!)));
  must(a.releasePool(n.poolId));
}

function container(a: Allocator, n: { poolId: string }, ip = ''): string {
  return formatIpv4(must(a.requestAddress(n.poolId, ip === '' ? undefined : mustParseIpv4(ip), {})).address.address);
}

/** The capture host: docker0 takes 172.17.0.0/16 as an explicit pool when the daemon starts. */
function freshDaemon(hostReserved?: () => readonly Cidr[]): Allocator {
  const a = new Allocator(hostReserved === undefined ? {} : { hostReserved });
  const docker0 = createNetwork(a, '172.17.0.0/16');
  expect(docker0.gateway).toBe('172.17.0.1/16');
  return a;
}

describe('allocator: pools as the captured daemon handed them out', () => {
  it('03: n1 n2 n3 get 172.18, 172.19, 172.20; after rm n2, n4 and n5 get 172.21 and 172.22', () => {
    const a = freshDaemon(() => [mustParseCidr('10.255.255.53/32'), mustParseCidr('192.0.2.0/24')]);
    const n1 = createNetwork(a);
    const n2 = createNetwork(a);
    const n3 = createNetwork(a);
    expect([n1, n2, n3].map((n) => [n.subnet, n.gateway])).toEqual([
      ['172.18.0.0/16', '172.18.0.1/16'],
      ['172.19.0.0/16', '172.19.0.1/16'],
      ['172.20.0.0/16', '172.20.0.1/16'],
    ]);
    expect(n1.poolId).toBe('LocalDefault/172.18.0.0/16');
    const b1 = container(a, n1);
    const b2 = container(a, n2);
    const bx2 = container(a, n2);
    const bx1 = container(a, n1);
    expect([b1, b2, bx2, bx1]).toEqual(['172.18.0.2', '172.19.0.2', '172.19.0.3', '172.18.0.3']);
    for (const ip of [b2, bx2]) must(a.releaseAddress(n2.poolId, mustParseIpv4(ip)));
    removeNetwork(a, n2);
    expect(createNetwork(a).subnet).toBe('172.21.0.0/16');
    expect(createNetwork(a).subnet).toBe('172.22.0.0/16');
  });

  it('02: --subnet 192.168.57.0/24 --ip-range 192.168.57.32/28 --gateway 192.168.57.11', () => {
    const a = freshDaemon();
    const net57 = createNetwork(a, '192.168.57.0/24', '192.168.57.32/28', '192.168.57.11');
    expect(net57).toEqual({ poolId: 'LocalDefault/192.168.57.0/24/192.168.57.32/28', subnet: '192.168.57.0/24', gateway: '192.168.57.11/24' });
    const a1 = container(a, net57);
    const a2 = container(a, net57, '192.168.57.100');
    expect([a1, a2, container(a, net57), container(a, net57), container(a, net57)]).toEqual([
      '192.168.57.32',
      '192.168.57.100',
      '192.168.57.33',
      '192.168.57.34',
      '192.168.57.35',
    ]);
    // Without --gateway the gateway is the first free address of the range, not of the subnet.
    expect(createNetwork(a, '192.168.58.0/24', '192.168.58.64/26').gateway).toBe('192.168.58.64/24');
  });

  it('later captures: after 172.31 come the /20s of 192.168; removed ones are not reused at once', () => {
    const a = freshDaemon();
    for (const n of [createNetwork(a), createNetwork(a), createNetwork(a)]) removeNetwork(a, n);
    const twenty = Array.from({ length: 20 }, () => createNetwork(a));
    expect(twenty.map((n) => n.subnet)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => `172.${21 + i}.0.0/16`),
      ...Array.from({ length: 9 }, (_, i) => `192.168.${i * 16}.0/20`),
    ]);
    for (const n of twenty) removeNetwork(a, n);
    expect([createNetwork(a).subnet, createNetwork(a).subnet, createNetwork(a).subnet]).toEqual([
      '192.168.144.0/20',
      '192.168.160.0/20',
      '192.168.176.0/20',
    ]);
  });

  it('a restarted daemon starts again at the top of the list', () => {
    const before = freshDaemon();
    for (let i = 0; i < 5; i++) createNetwork(before);
    expect(createNetwork(freshDaemon()).subnet).toBe('172.18.0.0/16');
  });

  it('runs out after the 31 local defaults', () => {
    const a = freshDaemon();
    for (let i = 0; i < 30; i++) createNetwork(a);
    expect(a.requestPool(LOCAL, '', '', {}, false)).toEqual({
      ok: false,
      error: { kind: 'notFound', message: 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network' },
    });
  });

  it('skips defaults that overlap an explicit pool in either direction', () => {
    const a = new Allocator();
    must(a.requestPool(LOCAL, '172.16.0.0/12', '', {}, false));
    expect(formatCidr(must(a.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('192.168.0.0/20');
    const b = new Allocator();
    must(b.requestPool(LOCAL, '172.18.1.0/24', '', {}, false));
    expect(formatCidr(must(b.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('172.17.0.0/16');
    expect(formatCidr(must(b.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('172.19.0.0/16');
  });

  it('resets the start index to 0 when it runs past the end, rather than wrapping modulo', () => {
    const a = new Allocator();
    const dynamic = Array.from({ length: 30 }, () => must(a.requestPool(LOCAL, '', '', {}, false)));
    expect(formatCidr(dynamic[29]!.pool)).toBe('192.168.224.0/20');
    must(a.releasePool(dynamic[0]!.poolId));
    must(a.releasePool(dynamic[1]!.poolId));
    must(a.requestPool(LOCAL, '192.168.240.0/20', '', {}, false));
    // Start index 30 is taken, 172.17 is the second candidate: 30 + 2 = 32 -> 0, not 1.
    const p = must(a.requestPool(LOCAL, '', '', {}, false));
    expect(formatCidr(p.pool)).toBe('172.17.0.0/16');
    must(a.releasePool(p.poolId));
    expect(formatCidr(must(a.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('172.17.0.0/16');
  });

  it('global space: 10.0.0.0/24 (ingress), then 10.0.1.0/24, without host checks', () => {
    const a = new Allocator({ hostReserved: () => [mustParseCidr('10.0.0.0/8')] });
    const ingress = must(a.requestPool(GLOBAL, '', '', {}, false));
    expect([ingress.poolId, formatCidr(ingress.pool)]).toEqual(['GlobalDefault/10.0.0.0/24', '10.0.0.0/24']);
    expect(formatCidr(must(a.requestPool(GLOBAL, '', '', {}, false)).pool)).toBe('10.0.1.0/24');
    must(a.releasePool(ingress.poolId));
    expect(formatCidr(must(a.requestPool(GLOBAL, '', '', {}, false)).pool)).toBe('10.0.2.0/24');
  });

  it('--default-address-pool base=10.10.0.0/16,size=24 replaces the local list', () => {
    const pools = must(splitNetworks([{ base: '10.10.0.0/16', size: 24 }]));
    const a = new Allocator({ localPools: pools });
    expect(formatCidr(must(a.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('10.10.0.0/24');
    expect(formatCidr(must(a.requestPool(LOCAL, '', '', {}, false)).pool)).toBe('10.10.1.0/24');
    expect(formatCidr(must(a.requestPool(GLOBAL, '', '', {}, false)).pool)).toBe('10.0.0.0/24');
  });
});

describe('allocator: pools that overlap the host', () => {
  it('skips a default pool holding a nameserver, for good, and releases it afterwards', () => {
    const a = freshDaemon(() => [mustParseCidr('172.18.0.53/32')]);
    expect(createNetwork(a).subnet).toBe('172.19.0.0/16');
    expect(a.pools(LOCAL).map((p) => p.poolId)).toEqual(['LocalDefault/172.17.0.0/16', 'LocalDefault/172.19.0.0/16']);
    expect(createNetwork(a).subnet).toBe('172.20.0.0/16');
  });

  it('skips pools under or over a link-scope route', () => {
    const a = new Allocator({ hostReserved: () => [mustParseCidr('172.16.0.0/13'), mustParseCidr('192.168.1.0/24')] });
    const got = Array.from({ length: 10 }, () => formatCidr(must(a.requestPool(LOCAL, '', '', {}, false)).pool));
    expect(got).toEqual([
      '172.24.0.0/16', '172.25.0.0/16', '172.26.0.0/16', '172.27.0.0/16', '172.28.0.0/16',
      '172.29.0.0/16', '172.30.0.0/16', '172.31.0.0/16', '192.168.16.0/20', '192.168.32.0/20',
    ]);
  });

  it('does not check explicit subnets, and fails cleanly when every default overlaps', () => {
    const a = new Allocator({ hostReserved: () => [mustParseCidr('172.16.0.0/12'), mustParseCidr('192.168.0.0/16')] });
    expect(formatCidr(must(a.requestPool(LOCAL, '172.18.0.0/16', '', {}, false)).pool)).toBe('172.18.0.0/16');
    expect(a.requestPool(LOCAL, '', '', {}, false)).toMatchObject({ ok: false, error: { kind: 'notFound' } });
    expect(a.pools(LOCAL).map((p) => p.poolId)).toEqual(['LocalDefault/172.18.0.0/16']);
  });

  it('wraps any driver: the helper holds rejected pools and releases them', () => {
    const calls: string[] = [];
    const inner = new Allocator();
    const spy = {
      requestPool: (as: string, p: string, sp: string, o: Record<string, string>, v6: boolean): IpamResult<RequestPoolAnswer> => {
        const r = inner.requestPool(as, p, sp, o, v6);
        calls.push(`request ${r.ok ? formatCidr(r.value.pool) : r.error.kind}`);
        return r;
      },
      releasePool: (id: string) => {
        calls.push(`release ${id}`);
        return inner.releasePool(id);
      },
    };
    const r = requestPoolHelper(spy, () => [mustParseCidr('172.17.0.1/32'), mustParseCidr('172.18.5.0/24')], LOCAL, '', '', {}, false);
    expect(formatCidr(must(r).pool)).toBe('172.19.0.0/16');
    expect(calls).toEqual([
      'request 172.17.0.0/16',
      'request 172.18.0.0/16',
      'request 172.19.0.0/16',
      'release LocalDefault/172.17.0.0/16',
      'release LocalDefault/172.18.0.0/16',
    ]);
  });
});
