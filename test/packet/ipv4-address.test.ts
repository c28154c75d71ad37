// IPv4 address text (strict like Go's net.ParseIP), masks and the special blocks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IPV4_ANY,
  IPV4_BROADCAST,
  formatIpv4,
  ipv4FromBytes,
  isLinkLocalIpv4,
  isLoopbackIpv4,
  isMulticastIpv4,
  maskOf,
  parseIpv4,
  prefixOfMask,
  writeIpv4,
} from '../../src/packet/index.js';
import { arbIpv4 } from './arbitraries.js';

describe('ipv4 address', () => {
  it('parses dotted quads', () => {
    expect(parseIpv4('172.17.0.2')).toBe(0xac110002);
    expect(parseIpv4('0.0.0.0')).toBe(IPV4_ANY);
    expect(parseIpv4('255.255.255.255')).toBe(IPV4_BROADCAST);
    expect(formatIpv4(0xac110002)).toBe('172.17.0.2');
  });

  it.each(['01.2.3.4', '1.2.3.04', '1.2.3.00', '256.1.1.1', '1.2.3', '1.2.3.4.5', ' 1.2.3.4', '1.2.3.4 ', '1..2.3', '+1.2.3.4', '1.2.3.-4', '0x1.2.3.4', '1.2.3.4/24', '', '::1', '1e2.1.1.1'])(
    'rejects %j',
    (text) => expect(parseIpv4(text)).toBeUndefined(),
  );

  it('formats then parses to the same value, and reads back its bytes', () => {
    fc.assert(
      fc.property(arbIpv4, (ip) => {
        const bytes = new Uint8Array(4);
        writeIpv4(bytes, 0, ip);
        return parseIpv4(formatIpv4(ip)) === ip && ipv4FromBytes(bytes, 0) === ip && ip >= 0;
      }),
    );
  });

  it('converts between prefixes and masks', () => {
    expect(maskOf(0)).toBe(0);
    expect(maskOf(24)).toBe(0xffffff00);
    expect(maskOf(32)).toBe(0xffffffff);
    expect(formatIpv4(maskOf(20))).toBe('255.255.240.0');
    expect(prefixOfMask(parseIpv4('255.0.255.0')!)).toBeUndefined();
    expect(prefixOfMask(parseIpv4('255.255.255.254')!)).toBe(31);
    for (let p = 0; p <= 32; p++) expect(prefixOfMask(maskOf(p))).toBe(p);
    expect(() => maskOf(33)).toThrow(RangeError);
  });

  it('only contiguous masks have a prefix', () => {
    const contiguous = new Set(Array.from({ length: 33 }, (_, p) => maskOf(p)));
    fc.assert(fc.property(arbIpv4, (m) => (prefixOfMask(m) !== undefined) === contiguous.has(m)));
  });

  it('classifies special blocks', () => {
    expect(isLoopbackIpv4(parseIpv4('127.0.0.1')!)).toBe(true);
    expect(isLoopbackIpv4(parseIpv4('128.0.0.1')!)).toBe(false);
    expect(isMulticastIpv4(parseIpv4('224.0.0.251')!)).toBe(true);
    expect(isMulticastIpv4(parseIpv4('239.255.255.255')!)).toBe(true);
    expect(isMulticastIpv4(parseIpv4('240.0.0.1')!)).toBe(false);
    expect(isLinkLocalIpv4(parseIpv4('169.254.1.1')!)).toBe(true);
    expect(isLinkLocalIpv4(parseIpv4('169.253.1.1')!)).toBe(false);
  });
});
