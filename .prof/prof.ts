import { SECOND } from '../src/engine/index.js';
import { World, installKernel, ipOutput, ipv4Of, linkAdd, linkSetMaster, linkSetUp, type NetDevice, type NetNamespace } from '../src/kernel/index.js';
import { mustParseCidr, mustParseIpv4, textPayload } from '../src/packet/index.js';
function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T { if (!r.ok) throw new Error(r.error); return r.value; }
function bed(trace: boolean) {
  const world = new World({ seed: 1, trace, maxEventsPerRun: 100_000_000 });
  const host = world.addHost('h'); installKernel(host);
  const root = host.rootNs;
  const br = must(linkAdd(root, { type: 'bridge', name: 'br0' })); must(linkSetUp(root, br));
  const nss: NetNamespace[] = []; const eths: NetDevice[] = [];
  for (const name of ['a', 'b']) {
    const ns = host.addAnonymousNamespace(name);
    const he = must(linkAdd(root, { type: 'veth', name: `veth${name}`, peer: 'eth0', peerNs: ns }));
    must(linkSetMaster(root, he, br)); must(linkSetUp(root, he));
    const eth = ns.device('eth0')!; must(linkSetUp(ns, eth)); must(linkSetUp(ns, ns.device('lo')!));
    must(ipv4Of(ns).addrAdd(eth, mustParseCidr(name === 'a' ? '10.0.0.1/24' : '10.0.0.2/24'), {}));
    nss.push(ns); eths.push(eth);
  }
  const [a, b] = nss as [NetNamespace, NetNamespace]; const [ethA, ethB] = eths as [NetDevice, NetDevice];
  must(ipv4Of(a).neighAdd(ethA, mustParseIpv4('10.0.0.2'), ethB.mac, 'permanent'));
  must(ipv4Of(b).neighAdd(ethB, mustParseIpv4('10.0.0.1'), ethA.mac, 'permanent'));
  const delivered = { count: 0 };
  ipv4Of(b).l4.set(17, () => { delivered.count++; return 'delivered'; });
  send(a, 1); world.engine.runUntilIdle();
  return { world, a, delivered };
}
const dst = mustParseIpv4('10.0.0.2'); const data = textPayload('x'.repeat(64));
function send(a: NetNamespace, count: number) { for (let i = 0; i < count; i++) ipOutput(a, { dst, protocol: 17, payload: { kind: 'udp', srcPort: 40000, dstPort: 9, payload: data } }); }
function sample(trace: boolean) {
  const b = bed(trace); const t0 = process.hrtime.bigint();
  for (let s = 0; s < 100_000; s += 1000) { send(b.a, 1000); b.world.engine.runFor(SECOND); }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9; return Math.round(300_000 / sec);
}
const trace = process.argv[2] === 'on';
const n = Number(process.argv[3] ?? 6);
const xs: number[] = []; for (let i = 0; i < n; i++) xs.push(sample(trace));
console.log(trace ? 'on' : 'off', xs.join(' '));
