// The vxlan FDB as a value: netlink add/append/replace/del semantics, learning (new, refresh,
// migration, pinned static entries), ageing on `updated`, and the outer source-port hash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../../src/engine/index.js';
import { ALL_ZEROS_MAC, VxlanFdb, innerFlowHash, udpFlowSrcPort, type VxlanRemote } from '../../../src/kernel/index.js';
import { ethernetFrame, echoRequest, ipv4Packet, mustParseIpv4, type EthernetRepr } from '../../../src/packet/index.js';

const remote = (last: number, extra: Partial<VxlanRemote> = {}): VxlanRemote => ({ ip: mustParseIpv4(`10.0.0.${last}`), port: 4789, vni: 42, ifindex: 0, ...extra });
const MAC_A = 0x0200_0000_000a;
const MAC_M = 0x0100_5e00_0001;
const ips = (fdb: VxlanFdb, mac: number, now = 0): number[] => (fdb.find(mac, now)?.port ?? []).map(r => r.ip & 0xff);

describe('VxlanFdb: netlink updates', () => {
  it('add is exclusive; append adds remotes to the all-zeros and multicast MACs only', () => {
    const fdb = new VxlanFdb(300);
    expect(fdb.update(ALL_ZEROS_MAC, remote(12), 'local', 'add', 0)).toBe('added');
    expect(fdb.update(ALL_ZEROS_MAC, remote(13), 'local', 'add', 0)).toBe('exists');
    expect(fdb.update(ALL_ZEROS_MAC, remote(13), 'local', 'append', 0)).toBe('updated');
    expect(fdb.update(ALL_ZEROS_MAC, remote(13), 'local', 'append', 0)).toBe('updated');
    expect(ips(fdb, ALL_ZEROS_MAC)).toEqual([12, 13]);
    expect(fdb.update(MAC_M, remote(20), 'local', 'append', 0)).toBe('added');
    expect(fdb.update(MAC_M, remote(21), 'local', 'append', 0)).toBe('updated');
    expect(ips(fdb, MAC_M)).toEqual([20, 21]);
    fdb.update(MAC_A, remote(30), 'static', 'add', 0);
    expect(fdb.update(MAC_A, remote(31), 'local', 'append', 0)).toBe('updated');
    expect(ips(fdb, MAC_A)).toEqual([30]);
    expect(fdb.find(MAC_A, 0)?.state).toBe('local');
  });

  it('replace changes the first remote of a unicast MAC; refused on the all-zeros MAC', () => {
    const fdb = new VxlanFdb(300);
    expect(fdb.update(ALL_ZEROS_MAC, remote(12), 'local', 'replace', 0)).toBe('unsupported');
    fdb.update(ALL_ZEROS_MAC, remote(12), 'local', 'add', 0);
    expect(fdb.update(ALL_ZEROS_MAC, remote(14), 'local', 'replace', 0)).toBe('non-unicast-replace');
    expect(fdb.update(MAC_A, remote(30), 'local', 'replace', 0)).toBe('added');
    expect(fdb.update(MAC_A, remote(31, { vni: 7 }), 'static', 'replace', 0)).toBe('updated');
    expect(fdb.find(MAC_A, 0)?.port).toEqual([remote(31, { vni: 7 })]);
  });

  it('delete: one remote, the entry with its last remote, a non-matching remote ignored', () => {
    const fdb = new VxlanFdb(300);
    fdb.update(ALL_ZEROS_MAC, remote(12), 'local', 'append', 0);
    fdb.update(ALL_ZEROS_MAC, remote(13), 'local', 'append', 0);
    expect(fdb.delete(ALL_ZEROS_MAC, remote(99), 0)).toBe('no-remote');
    expect(fdb.delete(ALL_ZEROS_MAC, remote(12), 0)).toBe('remote-deleted');
    expect(fdb.delete(ALL_ZEROS_MAC, remote(13), 0)).toBe('deleted');
    expect(fdb.delete(ALL_ZEROS_MAC, undefined, 0)).toBe('no-entry');
  });

  it('entries dump newest first', () => {
    const fdb = new VxlanFdb(300);
    fdb.update(ALL_ZEROS_MAC, remote(12), 'local', 'add', 0);
    fdb.update(MAC_A, remote(13), 'local', 'add', 0);
    expect(fdb.entries(0).map(e => e.mac)).toEqual([MAC_A, ALL_ZEROS_MAC]);
  });
});

describe('VxlanFdb: learning and ageing', () => {
  it('new, refreshed, migrated; a static or permanent entry is pinned', () => {
    const fdb = new VxlanFdb(300);
    expect(fdb.snoop(MAC_A, remote(12).ip, remote(12), 0)).toEqual({ kind: 'new' });
    expect(fdb.snoop(MAC_A, remote(12).ip, remote(12), SECOND)).toEqual({ kind: 'refreshed' });
    expect(fdb.snoop(MAC_A, remote(13).ip, remote(13), 2 * SECOND)).toEqual({ kind: 'migrated', from: remote(12).ip });
    expect(ips(fdb, MAC_A)).toEqual([13]);
    fdb.update(MAC_A, remote(14), 'static', 'replace', 3 * SECOND);
    expect(fdb.snoop(MAC_A, remote(15).ip, remote(15), 4 * SECOND)).toEqual({ kind: 'pinned', to: remote(14).ip, state: 'static' });
    expect(ips(fdb, MAC_A)).toEqual([14]);
  });

  it('a learned entry expires `ageing` seconds after it was last refreshed; statics never', () => {
    const fdb = new VxlanFdb(300);
    fdb.snoop(MAC_A, remote(12).ip, remote(12), 0);
    fdb.update(ALL_ZEROS_MAC, remote(12), 'static', 'add', 0);
    fdb.snoop(MAC_A, remote(12).ip, remote(12), 100 * SECOND);
    expect(fdb.lookupForTx(MAC_A, 399 * SECOND)).toBeDefined();
    expect(fdb.lookupForTx(MAC_A, 400 * SECOND)).toBeUndefined();
    expect(fdb.find(ALL_ZEROS_MAC, 10_000 * SECOND)).toBeDefined();
  });

  it('property: after learning a sequence of (MAC, VTEP), each dynamic MAC points at its last VTEP', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 })), { maxLength: 40 }), seq => {
        const fdb = new VxlanFdb(300);
        const last = new Map<number, number>();
        for (const [m, v] of seq) {
          fdb.snoop(0x0200_0000_0000 + m, remote(v).ip, remote(v), 0);
          last.set(m, v);
        }
        for (const [m, v] of last) expect(ips(fdb, 0x0200_0000_0000 + m)).toEqual([v]);
        expect(fdb.entries(0)).toHaveLength(last.size);
      }),
    );
  });
});

describe('udp_flow_src_port', () => {
  const frame = (src: string, dst: string, id: number, reply = false): EthernetRepr => {
    const icmp = echoRequest(id, 1);
    return ethernetFrame({ src: 0x0200_0000_0001, dst: 0x0200_0000_0002, payload: ipv4Packet({ src: mustParseIpv4(src), dst: mustParseIpv4(dst), payload: reply ? { ...icmp, type: 'echo-reply' } : icmp }) });
  };

  it('both directions of a flow hash alike; other flows differ', () => {
    expect(innerFlowHash(frame('192.168.42.1', '192.168.42.2', 7))).toBe(innerFlowHash(frame('192.168.42.2', '192.168.42.1', 7, true)));
    expect(innerFlowHash(frame('192.168.42.1', '192.168.42.2', 7))).not.toBe(innerFlowHash(frame('192.168.42.1', '192.168.42.2', 8)));
  });

  it('property: the port lies in [min, max) of the configured range, or of ip_local_port_range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (id, a, b) => {
        const f = frame('10.1.0.1', '10.1.0.2', id);
        const local = udpFlowSrcPort(f, 0, 0, { low: 32768, high: 60999 });
        expect(local).toBeGreaterThanOrEqual(32768);
        expect(local).toBeLessThan(60999);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const p = udpFlowSrcPort(f, lo, hi, { low: 32768, high: 60999 });
        if (lo < hi) {
          expect(p).toBeGreaterThanOrEqual(lo);
          expect(p).toBeLessThan(hi);
        } else expect(p).toBe(local);
      }),
    );
  });
});
