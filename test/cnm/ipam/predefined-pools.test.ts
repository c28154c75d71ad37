// The predefined pool lists of ipamutils (values from ipamutils/utils_test.go) and the
// --default-address-pool splitting rule.
import { describe, expect, it } from 'vitest';
import {
  GLOBAL_SCOPE_DEFAULT_POOLS,
  LOCAL_SCOPE_DEFAULT_POOLS,
  splitNetworks,
  type PredefinedPools,
} from '../../../src/cnm/ipam/index.js';
import { formatCidr } from '../../../src/packet/index.js';

function at(list: PredefinedPools, i: number): string {
  const c = list.at(i);
  if (c === undefined) throw new Error(`no pool ${i}`);
  return formatCidr(c);
}

describe('predefined pools', () => {
  it('TestDefaultNetwork: local = 172.17-31/16 then 16 x 192.168.x.0/20', () => {
    const expected: string[] = [];
    for (let i = 17; i < 32; i++) expected.push(`172.${i}.0.0/16`);
    for (let i = 0; i < 16; i++) expected.push(`192.168.${i << 4}.0/20`);
    expect(LOCAL_SCOPE_DEFAULT_POOLS.length).toBe(31);
    expect(LOCAL_SCOPE_DEFAULT_POOLS.toStrings()).toEqual(expected);
  });

  it('TestDefaultNetwork: global = every 10.x.y.0/24, in order, without materialising them', () => {
    const g = GLOBAL_SCOPE_DEFAULT_POOLS;
    expect(g.length).toBe(65536);
    expect(at(g, 0)).toBe('10.0.0.0/24');
    expect(at(g, 1)).toBe('10.0.1.0/24');
    expect(at(g, 256)).toBe('10.1.0.0/24');
    expect(at(g, 65535)).toBe('10.255.255.0/24');
    expect(g.at(65536)).toBeUndefined();
    expect(g.at(-1)).toBeUndefined();
    let n = 0;
    let misplaced = 0;
    for (const c of g) {
      if (c.prefix !== 24 || c.address !== 0x0a000000 + n * 256) misplaced++;
      n++;
    }
    expect([n, misplaced]).toEqual([65536, 0]);
  });

  it('TestInitAddressPools: two /16 bases split into /24', () => {
    const r = splitNetworks([
      { base: '172.80.0.0/16', size: 24 },
      { base: '172.90.0.0/16', size: 24 },
    ]);
    if (!r.ok) throw new Error(r.error.message);
    const l = r.value;
    expect(l.length).toBe(512);
    expect(at(l, 0)).toBe('172.80.0.0/24');
    expect(at(l, 127)).toBe('172.80.127.0/24');
    expect(at(l, 255)).toBe('172.80.255.0/24');
    expect(at(l, 256)).toBe('172.90.0.0/24');
    expect(at(l, 383)).toBe('172.90.127.0/24');
    expect(at(l, 511)).toBe('172.90.255.0/24');
  });

  it('TestConfigGlobalScopeDefaultNetworks: 30.0.0.0/8 size 24', () => {
    const r = splitNetworks([{ base: '30.0.0.0/8', size: 24 }]);
    expect(r.ok && r.value.length).toBe(65536);
    expect(r.ok && at(r.value, 65535)).toBe('30.255.255.0/24');
  });

  it('masks the base and keeps the size when it equals the base length', () => {
    const r = splitNetworks([{ base: '10.10.3.4/16', size: 16 }]);
    expect(r.ok && r.value.toStrings()).toEqual(['10.10.0.0/16']);
    const empty = splitNetworks([]);
    expect(empty.ok && empty.value.length).toBe(0);
  });

  it.each([
    [{ base: '172.80.0.0/16', size: 8 }, 'invalid pools size: 8'],
    [{ base: '172.80.0.0/16', size: 0 }, 'invalid pools size: 0'],
    [{ base: '172.80.0.0/16', size: -24 }, 'invalid pools size: -24'],
    [{ base: '172.80.0.0/16', size: 33 }, 'invalid pools size: 33'],
    [{ base: '172.80.0.0', size: 24 }, 'invalid base pool "172.80.0.0": invalid CIDR address: 172.80.0.0'],
    [{ base: 'fc00::/7', size: 13 }, 'invalid base pool "fc00::/7": IPv6 pools are not modelled by cnmsim'],
  ])('rejects %j', (entry, message) => {
    expect(splitNetworks([{ base: '10.0.0.0/8', size: 16 }, entry])).toEqual({ ok: false, error: { kind: 'invalidParameter', message } });
  });
});
