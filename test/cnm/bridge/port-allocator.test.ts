// The host-port allocator against libnetwork's portallocator_test.go cases and the capture's
// observed ephemeral ports.
import { describe, expect, it } from 'vitest';
import { PortAllocator } from '../../../src/cnm/portmapper/index.js';
import { captureHost } from './capture-host.js';

function value(r: { ok: true; value: number } | { ok: false; error: { message: string } }): number | string {
  return r.ok ? r.value : r.error.message;
}

describe('PortAllocator', () => {
  it('reads the dynamic range from ip_local_port_range (32768-60999 by default)', () => {
    const a = PortAllocator.forNamespace(captureHost().ns);
    expect([a.begin, a.end]).toEqual([32768, 60999]);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe(32768);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe(32769);
  });

  it('falls back to 49153-65535 when the range cannot be read', () => {
    const h = captureHost();
    h.ns.sysctl.set('net.ipv4.ip_local_port_range', 'garbage');
    const a = PortAllocator.forNamespace(h.ns);
    expect([a.begin, a.end]).toEqual([49153, 65535]);
  });

  it('refuses an explicit port twice, per host address and protocol', () => {
    const a = new PortAllocator();
    expect(value(a.requestPort('0.0.0.0', 'tcp', 8080))).toBe(8080);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 8080))).toBe('Bind for 0.0.0.0:8080 failed: port is already allocated');
    // 0.0.0.0 and a specific address are tracked independently (TestPortAllocation IP cases).
    expect(value(a.requestPort('127.0.0.1', 'tcp', 8080))).toBe(8080);
    expect(value(a.requestPort('::', 'tcp', 8080))).toBe(8080);
    expect(value(a.requestPort('0.0.0.0', 'udp', 8080))).toBe(8080);
    expect(value(a.requestPort('192.168.0.1', 'tcp', 80))).toBe(80);
    expect(value(a.requestPort('192.168.0.2', 'tcp', 80))).toBe(80);
    expect(value(a.requestPort('0.0.0.0', 'icmp', 80))).toBe('unknown protocol');
  });

  it('moves on after the last dynamic port instead of reusing a released one', () => {
    const a = new PortAllocator(32768, 60999);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe(32768);
    a.releasePort('0.0.0.0', 'tcp', 32768);
    // The capture's second run got 32769 after the first run's 32768 was released.
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe(32769);
  });

  it('wraps around and reports a full range', () => {
    const a = new PortAllocator(100, 102);
    expect([0, 0, 0].map(() => value(a.requestPort('0.0.0.0', 'tcp', 0)))).toEqual([100, 101, 102]);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe('all ports are allocated');
    a.releasePort('0.0.0.0', 'tcp', 101);
    expect(value(a.requestPort('0.0.0.0', 'tcp', 0))).toBe(101);
  });

  it('allocates inside user ranges with their own cursor (TestPortAllocationWithCustomRange)', () => {
    const a = new PortAllocator();
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 8081, 8082))).toBe(8081);
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 8081, 8082))).toBe(8082);
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 8081, 8082))).toBe('all ports are allocated');
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 0, 8080))).toBe('invalid port range: 0-8080');
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 8080, 0))).toBe('invalid port range: 8080-0');
    expect(value(a.requestPortInRange('0.0.0.0', 'tcp', 8081, 8080))).toBe('invalid port range: 8081-8080');
  });

  it('lists what it holds', () => {
    const a = new PortAllocator();
    a.requestPort('0.0.0.0', 'tcp', 80);
    a.requestPort('::', 'udp', 53);
    expect(a.holdings()).toEqual(['0.0.0.0/tcp:80', '::/udp:53']);
    a.releaseAll();
    expect(a.holdings()).toEqual([]);
  });
});
