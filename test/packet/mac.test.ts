// MAC addresses: text forms Docker accepts, byte order, group bit, Docker's IP-derived MACs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAC_BROADCAST,
  MAC_ZERO,
  dockerMacForIpv4,
  formatMac,
  isBroadcastMac,
  isMulticastMac,
  macFromBytes,
  mustParseCidr,
  mustParseIpv4,
  mustParseMac,
  parseIpv4,
  parseMac,
  writeMac,
} from '../../src/packet/index.js';
import { arbMac } from './arbitraries.js';

describe('mac', () => {
  it('parses and prints the colon form', () => {
    expect(parseMac('02:42:AC:11:00:02')).toBe(0x0242ac110002);
    expect(parseMac('02:42:ac:11:00:02')).toBe(0x0242ac110002);
    expect(parseMac('02-42-ac-11-00-02')).toBe(0x0242ac110002);
    expect(formatMac(0x0242ac110002)).toBe('02:42:ac:11:00:02');
    expect(formatMac(MAC_BROADCAST)).toBe('ff:ff:ff:ff:ff:ff');
    expect(formatMac(MAC_ZERO)).toBe('00:00:00:00:00:00');
  });

  it.each(['', '02:42:ac:11:00', '02:42:ac:11:00:02:03', '2:42:ac:11:0:2', '02:42-ac:11:00:02', '02:42:ac:11:00:0g', ' 02:42:ac:11:00:02'])(
    'rejects %j',
    (text) => expect(parseMac(text)).toBeUndefined(),
  );

  it('formats then parses to the same value', () => {
    fc.assert(fc.property(arbMac, (m) => parseMac(formatMac(m)) === m && parseMac(formatMac(m).toUpperCase()) === m));
  });

  it('writes and reads the wire bytes, most significant first', () => {
    const bytes = new Uint8Array(8);
    writeMac(bytes, 1, 0x0242ac110002);
    expect([...bytes]).toEqual([0, 0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0]);
    expect(macFromBytes(bytes, 1)).toBe(0x0242ac110002);
    fc.assert(
      fc.property(arbMac, (m) => {
        const b = new Uint8Array(6);
        writeMac(b, 0, m);
        return macFromBytes(b, 0) === m;
      }),
    );
  });

  it('knows the group bit', () => {
    expect(isMulticastMac(MAC_BROADCAST)).toBe(true);
    expect(isBroadcastMac(MAC_BROADCAST)).toBe(true);
    expect(isMulticastMac(parseMac('01:00:5e:00:00:01')!)).toBe(true);
    expect(isMulticastMac(parseMac('33:33:00:00:00:01')!)).toBe(true);
    expect(isMulticastMac(parseMac('02:42:ac:11:00:02')!)).toBe(false);
    expect(isBroadcastMac(parseMac('01:00:5e:00:00:01')!)).toBe(false);
  });

  it('derives the container MAC from its IPv4 address as libnetwork does', () => {
    expect(formatMac(dockerMacForIpv4(parseIpv4('172.17.0.2')!))).toBe('02:42:ac:11:00:02');
    expect(formatMac(dockerMacForIpv4(parseIpv4('10.0.255.254')!))).toBe('02:42:0a:00:ff:fe');
  });
});

describe('must-parse helpers', () => {
  it('throw on bad literals', () => {
    expect(mustParseMac('02:42:ac:11:00:02')).toBe(0x0242ac110002);
    expect(mustParseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(mustParseCidr('10.0.0.0/8')).toEqual({ address: 0x0a000000, prefix: 8 });
    expect(() => mustParseMac('nope')).toThrow('invalid MAC address: nope');
    expect(() => mustParseIpv4('1.2.3')).toThrow('invalid IPv4 address: 1.2.3');
    expect(() => mustParseCidr('10.0.0.0/33')).toThrow('invalid CIDR address: 10.0.0.0/33');
  });
});
