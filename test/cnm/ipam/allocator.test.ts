// The default IPAM driver against libnetwork's ipam/allocator_test.go, with the same inputs and
// expected values. Upstream tests that add ad-hoc address spaces ("abc", "rosso", "splane") use
// GlobalDefault here, the only other space the driver has; IPv6 rows are left out (not modelled).
import { describe, expect, it } from 'vitest';
import {
  ALLOC_SERIAL_PREFIX,
  Allocator,
  GLOBAL_DEFAULT_ADDRESS_SPACE as GLOBAL,
  LOCAL_DEFAULT_ADDRESS_SPACE as LOCAL,
  formatPoolId,
  parsePoolId,
  type IpamResult,
  type RequestAddressAnswer,
} from '../../../src/cnm/ipam/index.js';
import { formatCidr, formatIpv4, mustParseIpv4 } from '../../../src/packet/index.js';

const SERIAL = { [ALLOC_SERIAL_PREFIX]: 'true' };

function must<T>(r: IpamResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function pool(a: Allocator, as: string, p: string, sub = ''): string {
  return must(a.requestPool(as, p, sub, {}, false)).poolId;
}

function addr(r: IpamResult<RequestAddressAnswer>): string {
  return formatCidr(must(r).address);
}

function refCount(a: Allocator, as: string, poolId: string): number | undefined {
  return a.pools(as).find((p) => p.poolId === poolId)?.refCount;
}

/** Requests until the pool is exhausted; returns the last address and the final error. */
function exhaust(a: Allocator, poolId: string, options: Record<string, string> = {}): { last: string | undefined; error: unknown } {
  let last: string | undefined;
  for (;;) {
    const r = a.requestAddress(poolId, undefined, options);
    if (!r.ok) return { last, error: r.error };
    last = formatCidr(r.value.address);
  }
}

const NO_IPS = { kind: 'unavailable', message: 'No available addresses on this pool' };
const OVERLAP = { kind: 'forbidden', message: 'Pool overlaps with other one on this address space' };

describe('allocator: libnetwork conformance', () => {
  it('TestKeyString: pool IDs', () => {
    const k = { addressSpace: 'default', subnet: '172.27.0.0/16', childSubnet: '' };
    expect(formatPoolId(k)).toBe('default/172.27.0.0/16');
    expect(parsePoolId('default/172.27.0.0/16')).toEqual(k);
    const child = { ...k, childSubnet: '172.27.3.0/24' };
    expect(formatPoolId(child)).toBe('default/172.27.0.0/16/172.27.3.0/24');
    expect(parsePoolId('default/172.27.0.0/16/172.27.3.0/24')).toEqual(child);
    expect(parsePoolId('')).toBeUndefined();
    expect(parsePoolId('default')).toBeUndefined();
    expect(parsePoolId('default/172.27.0.0/16/x')).toBeUndefined();
  });

  it('TestAddSubnets: per-space overlap rules', () => {
    const a = new Allocator();
    const pid0 = pool(a, LOCAL, '10.0.0.0/8');
    const pid1 = pool(a, GLOBAL, '10.0.0.0/8');
    expect(pid0).not.toBe(pid1);
    expect(a.requestPool(GLOBAL, '10.0.0.0/8', '', {}, false)).toEqual({ ok: false, error: OVERLAP });
    expect(a.requestPool(GLOBAL, '10.128.0.0/9', '', {}, false)).toEqual({ ok: false, error: OVERLAP });
    expect(pool(a, GLOBAL, '10.0.0.0/8', '10.128.0.0/9')).toBe('GlobalDefault/10.0.0.0/8/10.128.0.0/9');
    expect(a.requestPool(GLOBAL, '10.0.0.0/8', '10.128.0.0/9', {}, false)).toEqual({ ok: false, error: OVERLAP });
    expect(a.requestPool(LOCAL, '10.20.2.0/24', '', {}, false)).toEqual({ ok: false, error: OVERLAP });
    expect(a.requestPool(LOCAL, '10.128.0.0/9', '', {}, false)).toEqual({ ok: false, error: OVERLAP });
    expect(a.requestPool(LOCAL, '1003:1:2:3:4:5:6::/112', '', {}, false)).toEqual({
      ok: false,
      error: { kind: 'forbidden', message: 'IPv6 address pools are not modelled by cnmsim: "1003:1:2:3:4:5:6::/112"' },
    });
  });

  it('TestDoublePoolRelease', () => {
    const a = new Allocator();
    const pid0 = pool(a, LOCAL, '10.0.0.0/8');
    expect(a.releasePool(pid0).ok).toBe(true);
    expect(a.releasePool(pid0)).toEqual({ ok: false, error: { kind: 'invalidParameter', message: 'Address space does not contain specified address pool' } });
  });

  it('TestAddReleasePoolID: reference counts of master and child', () => {
    const a = new Allocator();
    const pid0 = pool(a, LOCAL, '10.0.0.0/8');
    expect(refCount(a, LOCAL, pid0)).toBe(1);
    const pid1 = pool(a, LOCAL, '10.0.0.0/8', '10.0.0.0/16');
    expect(pid1).not.toBe(pid0);
    expect(refCount(a, LOCAL, pid1)).toBe(1);
    expect(refCount(a, LOCAL, pid0)).toBe(2);
    expect(a.requestPool(LOCAL, '10.0.0.0/8', '10.0.0.0/16', {}, false).ok).toBe(false);
    expect(refCount(a, LOCAL, pid0)).toBe(2);
    must(a.releasePool(pid1));
    expect(refCount(a, LOCAL, pid0)).toBe(1);
    must(a.releasePool(pid0));
    const pid00 = pool(a, LOCAL, '10.0.0.0/8');
    expect(pid00).toBe(pid0);
    expect(refCount(a, LOCAL, pid0)).toBe(1);
    must(a.releasePool(pid00));
    expect(refCount(a, LOCAL, pid0)).toBeUndefined();
    pool(a, LOCAL, '10.0.0.0/8');
    expect(refCount(a, LOCAL, pid0)).toBe(1);
  });

  it('TestPredefinedPool: non-default spaces have no defaults; consecutive defaults differ', () => {
    const a = new Allocator();
    expect(a.requestPool('blue', '', '', {}, false)).toEqual({
      ok: false,
      error: { kind: 'invalidParameter', message: 'no default pool available for non-default address spaces' },
    });
    const first = must(a.requestPool(LOCAL, '', '', {}, false));
    const second = must(a.requestPool(LOCAL, '', '', {}, false));
    expect(formatCidr(second.pool)).not.toBe(formatCidr(first.pool));
    must(a.releasePool(first.poolId));
  });

  it('TestRemoveSubnet: request and release several pools in two spaces', () => {
    const a = new Allocator();
    const input: [string, string][] = [
      [LOCAL, '192.168.0.0/16'],
      [LOCAL, '172.17.0.0/16'],
      [LOCAL, '10.0.0.0/8'],
      [GLOBAL, '172.17.0.0/16'],
      [GLOBAL, '10.0.0.0/8'],
    ];
    const ids = input.map(([as, p]) => pool(a, as, p));
    for (const id of ids) expect(a.releasePool(id).ok).toBe(true);
    expect(a.pools(LOCAL)).toEqual([]);
    expect(a.pools(GLOBAL)).toEqual([]);
  });

  it('TestGetSameAddress', () => {
    const a = new Allocator();
    const pid = pool(a, GLOBAL, '192.168.100.0/24');
    const ip = mustParseIpv4('192.168.100.250');
    expect(addr(a.requestAddress(pid, ip, {}))).toBe('192.168.100.250/24');
    expect(a.requestAddress(pid, ip, {})).toEqual({ ok: false, error: { kind: 'forbidden', message: 'Address already in use' } });
  });

  it('TestPoolAllocationReuse: no subnet is reused before the list is cycled', () => {
    const a = new Allocator();
    const taken: string[] = [];
    for (let r = a.requestPool(LOCAL, '', '', {}, false); r.ok; r = a.requestPool(LOCAL, '', '', {}, false)) taken.push(r.value.poolId);
    expect(taken.length).toBe(31);
    for (const id of taken) must(a.releasePool(id));
    const seen = new Set<string>();
    for (let i = 0; i < taken.length; i++) {
      const r = must(a.requestPool(LOCAL, '', '', {}, false));
      expect(seen.has(formatCidr(r.pool))).toBe(false);
      seen.add(formatCidr(r.pool));
      must(a.releasePool(r.poolId));
    }
  });

  it('TestGetAddressSubPoolEqualPool', () => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, '172.18.0.0/16', '172.18.0.0/16');
    expect(addr(a.requestAddress(pid, undefined, {}))).toBe('172.18.0.1/16');
  });

  for (const [name, options, afterRelease] of [
    ['TestRequestReleaseAddressFromSubPool', {}, ['10.2.2.0/16', '10.2.2.1/16']],
    ['TestSerializeRequestReleaseAddressFromSubPool', SERIAL, ['10.2.2.3/16', '10.2.2.4/16']],
  ] as const) {
    it(`${name}: ranges, and explicit addresses inside them`, () => {
      const a = new Allocator();
      let pid = pool(a, GLOBAL, '172.28.0.0/16', '172.28.30.0/24');
      expect(exhaust(a, pid, options)).toEqual({ last: '172.28.30.255/16', error: NO_IPS });
      must(a.releaseAddress(pid, mustParseIpv4('172.28.30.97')));
      expect(addr(a.requestAddress(pid, undefined, options))).toBe('172.28.30.97/16');

      pool(a, GLOBAL, '10.0.0.0/8', '10.0.0.0/16');
      // The master 10.0.0.0/16 of this sub-pool is created without an overlap check.
      pid = pool(a, GLOBAL, '10.0.0.0/16', '10.0.0.0/24');
      expect(exhaust(a, pid, options)).toEqual({ last: '10.0.0.255/16', error: NO_IPS });
      must(a.releaseAddress(pid, mustParseIpv4('10.0.0.79')));
      expect(addr(a.requestAddress(pid, undefined, options))).toBe('10.0.0.79/16');

      pid = pool(a, GLOBAL, '10.2.0.0/16', '10.2.2.0/24');
      const tre = a.requestAddress(pid, mustParseIpv4('10.2.2.1'), options);
      expect(addr(tre)).toBe('10.2.2.1/16');
      const uno = a.requestAddress(pid, undefined, options);
      expect(addr(uno)).toBe('10.2.2.0/16');
      expect(addr(a.requestAddress(pid, undefined, options))).toBe('10.2.2.2/16');
      must(a.releaseAddress(pid, must(uno).address.address));
      expect(addr(a.requestAddress(pid, undefined, options))).toBe(afterRelease[0]);
      must(a.releaseAddress(pid, must(tre).address.address));
      expect(addr(a.requestAddress(pid, undefined, options))).toBe(afterRelease[1]);
    });
  }

  it('TestGetAddress: every pool size hands out all its addresses but network and broadcast', () => {
    for (let prefix = 11; prefix <= 31; prefix++) {
      const a = new Allocator();
      const pid = pool(a, LOCAL, `10.0.0.0/${prefix}`);
      let n = 0;
      while (a.requestAddress(pid, undefined, {}).ok) n++;
      expect([prefix, n]).toEqual([prefix, 2 ** (32 - prefix) - 2]);
      expect(a.unselected(pid)).toBe(0);
    }
  });

  it('TestRequestSyntaxCheck', () => {
    const a = new Allocator();
    const wrap = (as: string, p: string, sp: string, cause: string) =>
      `failed to parse pool request for address space "${as}" pool "${p}" subpool "${sp}": ${cause}`;
    expect(a.requestPool('', '192.168.0.0/16', '', {}, false)).toEqual({
      ok: false,
      error: { kind: 'invalidParameter', message: wrap('', '192.168.0.0/16', '', 'Invalid Address Space') },
    });
    expect(a.requestPool('', '192.168.0.0/16', '192.168.0.0/24', {}, false).ok).toBe(false);
    expect(a.requestPool(GLOBAL, '', '192.168.0.0/24', {}, false)).toEqual({
      ok: false,
      error: { kind: 'invalidParameter', message: wrap(GLOBAL, '', '192.168.0.0/24', 'Invalid Address SubPool') },
    });
    const pid = pool(a, GLOBAL, '192.168.0.0/16', '192.168.0.0/24');
    expect(a.requestAddress('', undefined, {})).toEqual({ ok: false, error: { kind: 'invalidParameter', message: 'invalid pool id: ' } });
    expect(a.requestAddress(pid, mustParseIpv4('172.17.0.23'), {})).toEqual({
      ok: false,
      error: { kind: 'invalidParameter', message: 'Requested address is out of range' },
    });
    const ip = mustParseIpv4('192.168.0.50');
    expect(addr(a.requestAddress(pid, ip, {}))).toBe('192.168.0.50/16');
    expect(a.releaseAddress('', ip).ok).toBe(false);
    expect(a.releaseAddress(pid, ip).ok).toBe(true);
  });

  it.each([
    ['192.168.59.0/24', 254, '192.168.59.254'],
    ['192.168.240.0/20', 255, '192.168.240.255'],
    ['192.168.0.0/16', 255, '192.168.0.255'],
    ['192.168.0.0/16', 256, '192.168.1.0'],
    ['10.16.0.0/16', 255, '10.16.0.255'],
    ['10.128.0.0/12', 255, '10.128.0.255'],
    ['10.0.0.0/8', 256, '10.0.1.0'],
    ['192.168.128.0/18', 4 * 256 - 1, '192.168.131.255'],
  ])('TestRequest: %s x %i ends at %s', (subnet, n, last) => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, subnet);
    let got: RequestAddressAnswer | undefined;
    for (let i = 0; i < n; i++) got = must(a.requestAddress(pid, undefined, {}));
    expect(got && formatIpv4(got.address.address)).toBe(last);
  });

  it.each([
    [['10.0.0.0/8'], '11.0.0.0/8', true],
    [['74.0.0.0/7'], '9.111.99.72/30', true],
    [['110.192.0.0/10'], '16.0.0.0/10', true],
    [['10.0.0.0/8'], '10.0.0.0/8', false],
    [['0.0.0.0/1'], '16.182.0.0/15', false],
    [['16.0.0.0/4'], '17.11.66.0/23', false],
    [['0.0.0.0/1'], '0.0.0.0/0', false],
    [['64.0.0.0/6'], '64.0.0.0/3', false],
    [['112.0.0.0/6'], '112.0.0.0/4', false],
    [['96.0.0.0/3'], '0.0.0.0/1', false],
    [['192.0.0.0/2'], '128.0.0.0/1', false],
    [['95.0.0.0/8'], '92.0.0.0/6', false],
    [['10.0.0.0/8'], '10.0.0.0/6', false],
    [['10.0.0.0/8'], '8.0.0.0/6', false],
    [['25.173.144.0/20'], '0.0.0.0/0', false],
  ])('TestOverlappingRequests: %j then %s ok=%s', (environment, subnet, ok) => {
    const a = new Allocator();
    for (const env of environment) pool(a, LOCAL, env);
    const r = a.requestPool(LOCAL, subnet, '', {}, false);
    expect(r.ok ? true : r.error).toEqual(ok ? true : OVERLAP);
  });

  it('TestRelease: a released address is the next one handed out', () => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, '192.168.0.0/23');
    expect(exhaust(a, pid).error).toEqual(NO_IPS);
    for (const text of [
      '192.168.0.1', '192.168.0.2', '192.168.0.3', '192.168.0.4', '192.168.0.5', '192.168.0.6', '192.168.0.7',
      '192.168.0.8', '192.168.0.9', '192.168.0.10', '192.168.0.30', '192.168.0.31', '192.168.1.32', '192.168.0.254',
      '192.168.1.1', '192.168.1.2', '192.168.1.3', '192.168.1.253', '192.168.1.254',
    ]) {
      must(a.releaseAddress(pid, mustParseIpv4(text)));
      expect(a.unselected(pid)).toBe(1);
      expect(formatIpv4(must(a.requestAddress(pid, undefined, {})).address.address)).toBe(text);
    }
  });

  it('TestUnusualSubnets (classic): /31 and /32 have no usable address in 20.10', () => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, '192.168.0.2/31');
    expect(a.requestAddress(pid, mustParseIpv4('192.168.0.4'), {})).toMatchObject({ ok: false, error: { message: 'Requested address is out of range' } });
    expect(a.requestAddress(pid, undefined, {})).toEqual({ ok: false, error: NO_IPS });
    // Checked before the bitmap, so an explicit address gets the same answer.
    expect(a.requestAddress(pid, mustParseIpv4('192.168.0.2'), {})).toEqual({ ok: false, error: NO_IPS });
    const host = pool(a, LOCAL, '192.168.0.9/32');
    expect(host).toBe('LocalDefault/192.168.0.9/32');
    expect(a.requestAddress(host, undefined, {})).toEqual({ ok: false, error: NO_IPS });
  });

  it('TestSubnetsMarshal (without the store): gateway-first allocation in two pools', () => {
    const a = new Allocator();
    const pid0 = pool(a, LOCAL, '192.168.0.0/16');
    const pid1 = pool(a, LOCAL, '192.169.0.0/16');
    expect(addr(a.requestAddress(pid0, undefined, {}))).toBe('192.168.0.1/16');
    expect(addr(a.requestAddress(pid0, undefined, {}))).toBe('192.168.0.2/16');
    expect(addr(a.requestAddress(pid1, undefined, {}))).toBe('192.169.0.1/16');
  });

  it.each([
    ['172.25.0.0/16', ''],
    ['172.25.0.0/16', '172.25.252.0/22'],
  ])('TestAllocateRandomDeallocate: %s %s refills exactly the released addresses', (p, sub) => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, p, sub);
    const all = Array.from({ length: 384 }, () => addr(a.requestAddress(pid, undefined, {})));
    expect(new Set(all).size).toBe(384);
    // A fixed shuffle (every 7th address, modulo 384) stands in for Go's time-seeded rand.Perm.
    const released = Array.from({ length: 192 }, (_, i) => all[(i * 7) % 384]!);
    expect(new Set(released).size).toBe(192);
    for (const text of released) must(a.releaseAddress(pid, mustParseIpv4(text.split('/')[0]!)));
    const again = Array.from({ length: 192 }, () => addr(a.requestAddress(pid, undefined, {})));
    expect(new Set(again)).toEqual(new Set(released));
  });
});

describe('allocator: error paths and contract', () => {
  it('answers the default address spaces and capabilities of the builtin driver', () => {
    const a = new Allocator();
    expect(a.getDefaultAddressSpaces()).toEqual({ ok: true, value: { local: 'LocalDefault', global: 'GlobalDefault' } });
    expect(a.capabilities()).toEqual({ requiresMacAddress: false, requiresRequestReplay: true });
    expect(a.isBuiltIn()).toBe(true);
  });

  it('wraps bad pool strings in the parse error', () => {
    const a = new Allocator();
    expect(a.requestPool(LOCAL, '172.28.0.0/33', '', {}, false)).toEqual({
      ok: false,
      error: {
        kind: 'invalidParameter',
        message: 'failed to parse pool request for address space "LocalDefault" pool "172.28.0.0/33" subpool "": Invalid Address Pool',
      },
    });
    expect(a.requestPool(LOCAL, '172.28.0.0/16', '172.28.5.0', {}, false)).toEqual({
      ok: false,
      error: {
        kind: 'invalidParameter',
        message: 'failed to parse pool request for address space "LocalDefault" pool "172.28.0.0/16" subpool "172.28.5.0": Invalid Address SubPool',
      },
    });
  });

  it('normalises the master key but keeps the sub-pool text in the pool ID', () => {
    const a = new Allocator();
    const r = must(a.requestPool(LOCAL, '172.28.5.3/16', '172.28.5.9/24', {}, false));
    expect(r.poolId).toBe('LocalDefault/172.28.0.0/16/172.28.5.9/24');
    expect(formatCidr(r.pool)).toBe('172.28.0.0/16');
    expect(r.meta).toEqual({});
    expect(addr(a.requestAddress(r.poolId, undefined, {}))).toBe('172.28.5.0/16');
    expect(a.pools(LOCAL).map((p) => p.poolId)).toEqual(['LocalDefault/172.28.0.0/16', 'LocalDefault/172.28.0.0/16/172.28.5.9/24']);
  });

  it('reports unknown pools, spaces and malformed IDs', () => {
    const a = new Allocator();
    expect(a.requestAddress('LocalDefault/10.0.0.0/8', undefined, {})).toEqual({
      ok: false,
      error: { kind: 'notFound', message: 'cannot find address pool for poolID:LocalDefault/10.0.0.0/8' },
    });
    expect(a.releaseAddress('LocalDefault/10.0.0.0/8', mustParseIpv4('10.0.0.1'))).toMatchObject({ ok: false, error: { kind: 'notFound' } });
    expect(a.requestPool('blue', '10.0.0.0/8', '', {}, false)).toEqual({
      ok: false,
      error: { kind: 'invalidParameter', message: 'cannot find address space blue (most likely the backing datastore is not configured)' },
    });
    expect(a.releasePool('nonsense')).toEqual({ ok: false, error: { kind: 'invalidParameter', message: 'invalid pool id: nonsense' } });
    expect(a.requestPool(LOCAL, '', '', {}, true)).toEqual({
      ok: false,
      error: { kind: 'notFound', message: 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network' },
    });
  });

  it('releases out-of-range addresses with an error, and the network address like any other', () => {
    const a = new Allocator();
    const pid = pool(a, LOCAL, '192.168.57.0/24');
    expect(a.releaseAddress(pid, mustParseIpv4('192.168.58.1'))).toMatchObject({ ok: false, error: { message: 'Requested address is out of range' } });
    expect(a.requestAddress(pid, mustParseIpv4('192.168.57.0'), {})).toMatchObject({ ok: false, error: { message: 'Address already in use' } });
    expect(a.requestAddress(pid, mustParseIpv4('192.168.57.255'), {})).toMatchObject({ ok: false, error: { message: 'Address already in use' } });
    // libnetwork does not protect its own reservations from ReleaseAddress.
    must(a.releaseAddress(pid, mustParseIpv4('192.168.57.0')));
    expect(addr(a.requestAddress(pid, undefined, {}))).toBe('192.168.57.0/24');
  });

  it('destroys the master bitmap with the last reference', () => {
    const a = new Allocator();
    const child = pool(a, LOCAL, '10.9.0.0/16', '10.9.1.0/24');
    expect(addr(a.requestAddress(child, undefined, {}))).toBe('10.9.1.0/16');
    must(a.releasePool(child));
    expect(a.pools(LOCAL)).toEqual([]);
    const again = pool(a, LOCAL, '10.9.0.0/16', '10.9.1.0/24');
    expect(addr(a.requestAddress(again, undefined, {}))).toBe('10.9.1.0/16');
  });
});
