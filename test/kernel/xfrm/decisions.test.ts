// The xfrm decisions without a world: selector matching, which policy wins, which state a
// template finds, the inbound template check, the replay window (against a brute-force model),
// and sealing/opening an ESP packet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANY_SELECTOR,
  XfrmPolicy,
  XfrmState,
  checkInboundTemplates,
  findOutputState,
  flowOf,
  lookupPolicy,
  openEsp,
  sealEsp,
  selectorMatch,
  type XfrmPolicySpec,
  type XfrmStateSpec,
  type XfrmTemplate,
} from '../../../src/kernel/xfrm/index.js';
import { echoRequest, ipv4Packet, mustParseCidr, mustParseIpv4, textPayload, type Ipv4Repr } from '../../../src/packet/index.js';

const A = mustParseIpv4('10.0.0.1');
const B = mustParseIpv4('10.0.0.2');
const KEYMAT = Uint8Array.from({ length: 20 }, (_, i) => i);

function state(over: Partial<XfrmStateSpec> = {}, serial = 1): XfrmState {
  return new XfrmState({ src: A, dst: B, proto: 50, spi: 0x100, mode: 'transport', reqid: 1, aead: { name: 'rfc4106(gcm(aes))', keymat: KEYMAT, icvBits: 128 }, replayWindow: 0, sel: ANY_SELECTOR, ...over }, serial);
}

function policy(over: Partial<XfrmPolicySpec>, serial: number): XfrmPolicy {
  return new XfrmPolicy({ sel: ANY_SELECTOR, dir: 'out', priority: 0, action: 'allow', templates: [], ...over }, serial);
}

const TMPL: XfrmTemplate = { src: 0, dst: 0, proto: 50, spi: 0, reqid: 1, mode: 'transport', optional: false };

function udpTo(dport: number): Ipv4Repr {
  return ipv4Packet({ src: A, dst: B, payload: { kind: 'udp', srcPort: 40000, dstPort: dport, payload: textPayload('x') } });
}

describe('selectors', () => {
  it('match prefixes, protocol, ports (only when masked), ICMP type and code, and the device', () => {
    const sel = { src: mustParseCidr('10.0.0.0/24'), dst: mustParseCidr('10.0.0.2/32'), proto: 17, dport: 53, ifindex: 0 };
    expect(selectorMatch(sel, flowOf(udpTo(53), 2))).toBe(true);
    expect(selectorMatch(sel, flowOf(udpTo(54), 2))).toBe(false);
    expect(selectorMatch({ ...sel, dport: undefined }, flowOf(udpTo(54), 2))).toBe(true);
    expect(selectorMatch({ ...sel, ifindex: 3 }, flowOf(udpTo(53), 2))).toBe(false);
    const ping = ipv4Packet({ src: A, dst: B, payload: echoRequest(1, 1) });
    expect(flowOf(ping, 2)).toMatchObject({ proto: 1, sport: 8, dport: 0 });
    expect(selectorMatch({ ...ANY_SELECTOR, proto: 1, sport: 8 }, flowOf(ping, 2))).toBe(true);
    expect(selectorMatch({ ...ANY_SELECTOR, proto: 1, sport: 0 }, flowOf(ping, 2))).toBe(false);
  });
});

describe('policy lookup', () => {
  it('takes the lowest priority number, then the older policy, in the direction asked', () => {
    const flow = flowOf(udpTo(53), 2);
    const older = policy({ priority: 5 }, 1);
    const newer = policy({ priority: 5, action: 'block' }, 2);
    const inbound = policy({ dir: 'in', priority: 0 }, 3);
    expect(lookupPolicy([newer, older, inbound], 'out', flow)).toBe(older);
    const best = policy({ priority: 1, sel: { ...ANY_SELECTOR, dst: mustParseCidr('10.0.0.0/8') } }, 4);
    expect(lookupPolicy([older, newer, best], 'out', flow)).toBe(best);
    expect(lookupPolicy([older], 'fwd', flow)).toBeUndefined();
  });

  it('finds the newest state for a template by reqid, mode, proto and the flow addresses', () => {
    const flow = flowOf(udpTo(53), 2);
    const old = state({}, 1);
    const fresh = state({ spi: 0x101 }, 2);
    const otherReqid = state({ reqid: 2, spi: 0x102 }, 3);
    const elsewhere = state({ dst: mustParseIpv4('10.0.0.9'), spi: 0x103 }, 4);
    expect(findOutputState([old, fresh, otherReqid, elsewhere], TMPL, flow)).toBe(fresh);
    expect(findOutputState([old, fresh], { ...TMPL, spi: 0x100 }, flow)).toBe(old);
    expect(findOutputState([old], { ...TMPL, reqid: 0 }, flow)).toBeUndefined();
    expect(findOutputState([old], { ...TMPL, mode: 'tunnel', src: A, dst: B }, flow)).toBeUndefined();
  });

  it('checks the secpath against the templates of an in policy', () => {
    const required = policy({ dir: 'in', templates: [TMPL] }, 1);
    expect(checkInboundTemplates(required, [state()])).toBeUndefined();
    expect(checkInboundTemplates(required, [])).toBe('a plaintext packet where the policy requires IPsec');
    expect(checkInboundTemplates(required, [state({ reqid: 7 })])).toBe('the states that decapsulated the packet do not match the policy templates');
    const optional = policy({ dir: 'in', templates: [{ ...TMPL, optional: true }] }, 2);
    expect(checkInboundTemplates(optional, [])).toBeUndefined();
    const tunnel = state({ mode: 'tunnel' });
    expect(checkInboundTemplates(optional, [tunnel])).toBe('a tunnel-mode state no template accounts for');
    expect(checkInboundTemplates(policy({ dir: 'in', templates: [{ ...TMPL, mode: 'tunnel', src: A, dst: B }] }, 3), [tunnel])).toBeUndefined();
  });
});

describe('anti-replay window', () => {
  it('accepts a sequence number once, within the window, like a set of the last W seen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 60 }), (window, seqs) => {
        const x = state({ replayWindow: window });
        const seen = new Set<number>();
        let top = 0;
        for (const seq of seqs) {
          const expected = seq !== 0 && (seq > top || (top - seq < window && !seen.has(seq)));
          expect(x.replayCheck(seq) === 'ok').toBe(expected);
          if (expected) {
            x.replayAdvance(seq);
            seen.add(seq);
            top = Math.max(top, seq);
          }
        }
      }),
    );
  });

  it('checks nothing without a window and counts output from 1', () => {
    const x = state();
    expect([x.replayCheck(0), x.replayCheck(5), x.replayCheck(5)]).toEqual(['ok', 'ok', 'ok']);
    expect([x.nextOutputSeq(), x.nextOutputSeq()]).toEqual([1, 2]);
  });
});

describe('seal and open', () => {
  it('gives back the datagram, from the bytes too, and fails the ICV with another key', () => {
    const ip = udpTo(53);
    const sealed = sealEsp(state(), ip, undefined);
    expect(sealed).toMatchObject({ protocol: 50, src: A, dst: B, id: ip.id, payload: { kind: 'esp', spi: 0x100, seq: 1 } });
    const esp = sealed.payload;
    if (esp.kind !== 'esp') throw new Error('not sealed');
    const opened = openEsp(state(), sealed, esp);
    expect(opened).toMatchObject({ kind: 'ok', seq: 1, nextHeader: 17 });
    if (opened.kind === 'ok') expect(opened.ip).toEqual(ip);
    // A copy of the ESP value (as if read from a capture) is decoded from the decrypted bytes.
    const decoded = openEsp(state(), sealed, { ...esp });
    expect(decoded.kind === 'ok' && decoded.ip.payload).toMatchObject({ kind: 'udp', srcPort: 40000, dstPort: 53 });
    const other = state({ aead: { name: 'rfc4106(gcm(aes))', keymat: KEYMAT.map(b => b ^ 0xff), icvBits: 128 } });
    expect(openEsp(other, sealed, esp)).toEqual({ kind: 'auth-failed', seq: 1 });
    expect(other.integrityFailed).toBe(1);
  });
});
