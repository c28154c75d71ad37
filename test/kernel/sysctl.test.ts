// The namespace sysctls as the packet path reads them: per-device values combined with `all`,
// kept as numbers and read again after every write (the per-device cache must never go stale).
import { describe, expect, it } from 'vitest';
import { CONF, Sysctls } from '../../src/kernel/sysctl.js';

describe('per-device conf values', () => {
  it('combine all and the device as the kernel does, and follow every write', () => {
    const s = new Sysctls();
    s.addDevice('eth0');
    expect(s.conf('eth0', 'rp_filter')).toBe(0);
    expect(s.confRow('eth0')[CONF.rp_filter]).toBe(0);
    expect(s.set('net.ipv4.conf.eth0.rp_filter', '2').ok).toBe(true);
    expect(s.conf('eth0', 'rp_filter')).toBe(2);
    // IN_DEV_MAXCONF: all=1 does not lower the device's 2; all=1 raises a device at 0.
    s.addDevice('eth1');
    expect(s.set('net.ipv4.conf.all.rp_filter', '1').ok).toBe(true);
    expect(s.conf('eth0', 'rp_filter')).toBe(2);
    expect(s.confRow('eth1')[CONF.rp_filter]).toBe(1);
    // IN_DEV_ORCONF for route_localnet; `ip_forward` rewrites every device's forwarding.
    expect(s.set('net.ipv4.conf.all.route_localnet', '1').ok).toBe(true);
    expect(s.conf('eth1', 'route_localnet')).toBe(1);
    expect(s.set('net.ipv4.ip_forward', '1').ok).toBe(true);
    expect(s.confRow('eth0')[CONF.forwarding]).toBe(1);
    expect(s.number('net.ipv4.ip_forward')).toBe(1);
    // A renamed device keeps its values under the new name; a removed one falls back to defaults.
    s.renameDevice('eth0', 'wan0');
    expect(s.conf('wan0', 'rp_filter')).toBe(2);
    s.removeDevice('wan0');
    expect(s.conf('wan0', 'rp_filter')).toBe(1);
  });

  it('reads namespace-wide numbers again after a write or a module defining its keys', () => {
    const s = new Sysctls();
    expect(s.number('net.ipv4.ip_default_ttl')).toBe(64);
    s.set('net.ipv4.ip_default_ttl', '32');
    expect(s.number('net.ipv4.ip_default_ttl')).toBe(32);
    expect(s.number('net.bridge.bridge-nf-call-iptables')).toBe(0);
    s.define('net.bridge.bridge-nf-call-iptables', '1');
    expect(s.number('net.bridge.bridge-nf-call-iptables')).toBe(1);
  });
});
