// Properties of the bridge over random frame sequences: a frame never leaves through the port it
// came in on (hairpin off), a known unicast leaves through exactly the port its MAC was last
// seen on, and the FDB never maps one MAC to two ports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_BROADCAST } from '../../../src/packet/index.js';
import { bridgeTopology, mac, send, settle, testFrame } from '../../support/topology.js';

const PORTS = 4;
/** Source MACs that may appear behind any port (roaming), and destinations including unknown ones. */
const srcMacs = fc.integer({ min: 10, max: 15 }).map(mac);
const dstMacs = fc.oneof(fc.constant(MAC_BROADCAST), fc.constant(0x0100_5e00_00fb), fc.integer({ min: 10, max: 17 }).map(mac));
const frame = fc.record({ ingress: fc.integer({ min: 0, max: PORTS - 1 }), src: srcMacs, dst: dstMacs });

describe('bridge properties', () => {
  it('floods and forwards never return a frame to its ingress port, and match a learning model', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 40 }), frames => {
        const { world, br, containers } = bridgeTopology(PORTS);
        const txPorts = new Map<number, number[]>();
        containers.forEach((c, i) => c.hostVeth.taps.add((_dev, skb, dir) => dir === 'tx' && txPorts.set(skb.id, [...(txPorts.get(skb.id) ?? []), i])));
        const model = new Map<number, number>();
        for (const f of frames) {
          const skb = send(containers[f.ingress]!.eth0, testFrame(f.src, f.dst));
          settle(world);
          model.set(f.src, f.ingress);
          const out = (txPorts.get(skb.id) ?? []).sort();
          expect(out).not.toContain(f.ingress);
          const known = model.get(f.dst);
          const everyOther = containers.map((_c, i) => i).filter(i => i !== f.ingress);
          if (f.dst === MAC_BROADCAST || f.dst === 0x0100_5e00_00fb || known === undefined) expect(out).toEqual(everyOther);
          else expect(out).toEqual(known === f.ingress ? [] : [known]);
        }
        const entries = br.fdb.entries(world.engine.now);
        const macs = entries.map(e => e.mac);
        expect(new Set(macs).size).toBe(macs.length);
        for (const e of entries) if (e.state === 'dynamic') expect(e.port).toBe(containers[model.get(e.mac)!]!.hostVeth);
      }),
      { numRuns: 60 },
    );
  });
});
