// `ip xfrm state` and `ip xfrm policy`: what they store, how they list it (iproute2 6.x layout,
// tabs and trailing spaces included), and their refusals with iproute2's texts and statuses.
import { describe, expect, it } from 'vitest';
import { xfrmOf } from '../../../src/kernel/index.js';
import { A, B, KEY_AB, KEY_BA, lab, policyLine, saLine, transportSas } from './lab.js';

const STATE_AB =
  'src 10.0.0.1 dst 10.0.0.2\n' +
  '\tproto esp spi 0x00000100 reqid 1 mode transport\n' +
  '\treplay-window 0 \n' +
  '\taead rfc4106(gcm(aes)) 0x000102030405060708090a0b0c0d0e0f10111213 128\n' +
  '\tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000\n' +
  '\tsel src 0.0.0.0/0 dst 0.0.0.0/0 \n';

const STATE_BA =
  'src 10.0.0.2 dst 10.0.0.1\n' +
  '\tproto esp spi 0x00000200 reqid 2 mode transport\n' +
  '\treplay-window 0 \n' +
  '\taead rfc4106(gcm(aes)) 0x202122232425262728292a2b2c2d2e2f30313233 128\n' +
  '\tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000\n' +
  '\tsel src 0.0.0.0/0 dst 0.0.0.0/0 \n';

describe('ip xfrm state', () => {
  it('adds SAs and lists them newest first in ip-xfrm format', () => {
    const l = lab();
    l.ip('a', saLine(A, B, 0x100, 1, KEY_AB));
    l.ip('a', saLine(B, A, 0x200, 2, KEY_BA));
    expect(l.ip('a', 'xfrm state')).toBe(STATE_BA + STATE_AB);
    expect(l.ip('a', 'xfrm state list src 10.0.0.1')).toBe(STATE_AB);
    expect(l.ip('a', 'xfrm state show reqid 2')).toBe(STATE_BA);
    expect(l.ip('a', 'xfrm state get dst 10.0.0.2 proto esp spi 0x100')).toBe(STATE_AB);
    expect(l.ip('a', 'xfrm state count')).toBe('\t SAD count 2\n');
    // Another namespace has its own SAD.
    expect(l.ip('b', 'xfrm state')).toBe('');
  });

  it('prints the replay window, flags, a selector and the counters; -o puts a record on one line', () => {
    const l = lab();
    l.ip('a', `xfrm state add src ${A} dst ${B} proto esp spi 7 reqid 3 mode transport replay-window 32 flag af-unspec noecn sel src 10.0.0.0/24 dst 10.0.0.2/32 proto tcp dport 80 aead rfc4106(gcm(aes)) ${KEY_AB} 128 replay-oseq 0x10`);
    const expected =
      'src 10.0.0.1 dst 10.0.0.2\n' +
      '\tproto esp spi 0x00000007 reqid 3 mode transport\n' +
      '\treplay-window 32 flag noecn af-unspec\n' +
      `\taead rfc4106(gcm(aes)) ${KEY_AB} 128\n` +
      '\tanti-replay context: seq 0x0, oseq 0x10, bitmap 0x00000000\n' +
      '\tsel src 10.0.0.0/24 dst 10.0.0.2/32 proto tcp dport 80 \n';
    expect(l.ip('a', 'xfrm state')).toBe(expected);
    expect(l.ip('a', '-o xfrm state')).toBe(`${expected.split('\n').join('\\')}\n`);
  });

  it('deletes, deletes all matching, and flushes', () => {
    const l = lab();
    transportSas(l);
    l.ip('a', 'xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100');
    expect(l.ip('a', 'xfrm state')).toBe(STATE_BA);
    l.ip('b', 'xfrm state deleteall reqid 1');
    expect(l.ip('b', 'xfrm state')).toBe(STATE_BA);
    l.ip('b', 'xfrm state flush');
    expect(l.ip('b', 'xfrm state')).toBe('');
    expect(l.ip('b', 'xfrm state count')).toBe('\t SAD count 0\n');
  });

  it('keeps the keys of an existing SA on update, as xfrm_state_update does', () => {
    const l = lab();
    l.ip('a', saLine(A, B, 0x100, 1, KEY_AB));
    l.ip('a', saLine(A, B, 0x100, 1, KEY_BA).replace('state add', 'state update'));
    expect(l.ip('a', 'xfrm state')).toBe(STATE_AB);
    expect(xfrmOf(l.a).stateGet(0x0a000002, 0x100, 50)?.aead.keymat).toEqual(Uint8Array.from(Buffer.from(KEY_AB.slice(2), 'hex')));
  });
});

describe('ip xfrm policy', () => {
  it('adds policies and lists them newest first, templates and levels included', () => {
    const l = lab();
    l.ip('a', policyLine(A, B, 'out', 1));
    l.ip('a', 'xfrm policy add src 10.0.0.0/24 dst 10.0.0.1/32 proto tcp sport 5000 dir in priority 10 tmpl proto esp spi 0x200 reqid 2 mode transport level use');
    l.ip('a', 'xfrm policy add dev eth0 proto icmp type 8 dir fwd action block flag localok');
    expect(l.ip('a', 'xfrm policy')).toBe(
      'src 0.0.0.0/0 dst 0.0.0.0/0 proto icmp type 8 dev eth0 \n' +
        '\tdir fwd action block priority 0 ptype main flag localok\n' +
        'src 10.0.0.0/24 dst 10.0.0.1/32 proto tcp sport 5000 \n' +
        '\tdir in priority 10 ptype main \n' +
        '\ttmpl src 0.0.0.0 dst 0.0.0.0\n' +
        '\t\tproto esp spi 0x00000200 reqid 2 mode transport\n' +
        '\t\tlevel use \n' +
        'src 10.0.0.1/32 dst 10.0.0.2/32 \n' +
        '\tdir out priority 0 ptype main \n' +
        '\ttmpl src 10.0.0.1 dst 10.0.0.2\n' +
        '\t\tproto esp reqid 1 mode transport\n',
    );
    expect(l.ip('a', 'xfrm policy list dir out')).toBe(
      'src 10.0.0.1/32 dst 10.0.0.2/32 \n\tdir out priority 0 ptype main \n\ttmpl src 10.0.0.1 dst 10.0.0.2\n\t\tproto esp reqid 1 mode transport\n',
    );
    expect(l.ip('a', 'xfrm policy get src 10.0.0.1/32 dst 10.0.0.2/32 dir out')).toBe(l.ip('a', 'xfrm policy list dir out'));
    expect(l.ip('a', 'xfrm policy count')).toBe('\t SPD IN  1 OUT 1 FWD 1\n');
  });

  it('replaces on update, deletes by selector and direction, and flushes', () => {
    const l = lab();
    l.ip('a', policyLine(A, B, 'out', 1));
    l.ip('a', `xfrm policy update src ${A}/32 dst ${B}/32 dir out priority 5`);
    expect(l.ip('a', 'xfrm policy')).toBe('src 10.0.0.1/32 dst 10.0.0.2/32 \n\tdir out priority 5 ptype main \n');
    l.ip('a', policyLine(B, A, 'in', 2));
    l.ip('a', `xfrm policy delete src ${A}/32 dst ${B}/32 dir out`);
    expect(l.ip('a', 'xfrm policy count')).toBe('\t SPD IN  1 OUT 0 FWD 0\n');
    l.ip('a', 'xfrm policy flush');
    expect(l.ip('a', 'xfrm policy')).toBe('');
  });
});

const REFUSALS: readonly (readonly [string, string, number])[] = [
  ['ip -n a xfrm', 'Usage: ip xfrm XFRM-OBJECT { COMMAND | help }\nwhere  XFRM-OBJECT := state | policy | monitor\n', 255],
  ['ip -n a xfrm bogus', 'Command "bogus" is unknown, try "ip xfrm help".\n', 255],
  ['ip -n a xfrm state bogus', 'Command "bogus" is unknown, try "ip xfrm state help".\n', 255],
  ['ip -n a xfrm policy bogus', 'Command "bogus" is unknown, try "ip xfrm policy help".\n', 255],
  [`ip -n a ${saLine(A, B, 0x100, 1, KEY_AB)}`, 'RTNETLINK answers: File exists\n', 2],
  ['ip -n a xfrm state add src 10.0.0.1 dst 10.0.0.2 spi 1 aead rfc4106(gcm(aes)) 0x00 128', 'Error: argument "XFRM-PROTO" is required\n', 255],
  ['ip -n a xfrm state add reqid 1', 'Not enough information: ID is required\n', 1],
  ['ip -n a xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 9', 'ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "esp"\n', 1],
  ['ip -n a xfrm state add proto esp spi 9 reqid 1 src 10.0.0.1', 'Error: argument "src" is wrong: unknown\n', 255],
  ['ip -n a xfrm state add proto esp spi 9 mode bogus', 'Error: argument "bogus" is wrong: "MODE" is invalid\n', 255],
  ['ip -n a xfrm state add proto esp spi 9 aead rfc4106(gcm(aes)) 0x00 128 aead x 0x00 64', 'Error: duplicate "ALGO-TYPE": "aead" is the second value.\n', 255],
  ['ip -n a xfrm state add proto esp spi 9 aead rfc4106(gcm(aes))', 'Error: argument "ALGO-KEYMAT" is required\n', 255],
  ['ip -n a xfrm state add proto esp spi 9 aead rfc4106(gcm(aes)) 0x0011 128', 'RTNETLINK answers: Invalid argument\n', 2],
  [`ip -n a xfrm state add proto esp spi 9 aead rfc4106(gcm(aes)) ${KEY_AB} 100`, 'RTNETLINK answers: Invalid argument\n', 2],
  [`ip -n a xfrm state add proto esp spi 9 aead rfc4106(gcm(aes)) ${KEY_AB} 64`, 'Error: an ICV of 64 bits (only 128) is not modelled.\n', 2],
  [`ip -n a xfrm state add proto esp spi 9 enc cbc(aes) ${KEY_AB}`, 'Error: algorithm "enc cbc(aes)" (only aead rfc4106(gcm(aes))) is not modelled.\n', 2],
  ['ip -n a xfrm state delete src 10.0.0.1 dst 10.0.0.9 proto esp spi 0x100', 'RTNETLINK answers: No such process\n', 2],
  ['ip -n a xfrm state get dst 10.0.0.9 proto esp spi 1', 'RTNETLINK answers: No such process\n', 2],
  [`ip -n a xfrm state add flag esn proto esp spi 9 aead rfc4106(gcm(aes)) ${KEY_AB} 128`, 'Error: esn flag set without replay-window.\n', 255],
  ['ip -n a xfrm policy add src 10.0.0.1/32', 'Not enough information: DIR is required.\n', 1],
  ['ip -n a xfrm policy add dir up', 'Error: argument "up" is wrong: DIR value is invalid\n', 255],
  ['ip -n a xfrm policy add dir out dir in', 'Error: duplicate "dir": "dir" is the second value.\n', 255],
  [`ip -n a ${policyLine(A, B, 'out', 1)}`, 'RTNETLINK answers: File exists\n', 2],
  ['ip -n a xfrm policy add dir out tmpl src 10.0.0.1 dst 10.0.0.2', 'Error: argument "XFRM-PROTO" is required\n', 255],
  ['ip -n a xfrm policy add dir out tmpl proto esp level maybe', 'Error: argument "maybe" is wrong: LEVEL value is invalid\n\n', 255],
  ['ip -n a xfrm policy add dir out proto icmp dport 80', '"sport" and "dport" are invalid with proto=icmp\n', 1],
  ['ip -n a xfrm policy add dir out proto tcp type 8', '"type" and "code" are invalid with proto=tcp\n', 1],
  ['ip -n a xfrm policy add dir out dev nope', 'Error: argument "nope" is wrong: "DEV" is invalid\n', 255],
  ['ip -n a xfrm policy delete src 10.0.0.3/32 dir out', 'RTNETLINK answers: No such file or directory\n', 2],
  ['ip -n a xfrm policy get dir out', 'Not enough information: either SELECTOR or INDEX is required.\n', 1],
  ['ip -n a xfrm policy add dir out mark 1', 'Error: "mark" is not modelled.\n', 2],
];

describe('ip xfrm refusals', () => {
  it.each(REFUSALS)('%s', (line, stderr, code) => {
    const l = lab();
    l.ip('a', saLine(A, B, 0x100, 1, KEY_AB));
    l.ip('a', policyLine(A, B, 'out', 1));
    const r = l.sh(line);
    expect({ stderr: r.stderr, code: r.code, stdout: r.stdout }).toEqual({ stderr, code, stdout: '' });
  });
});
