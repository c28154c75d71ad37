// The teaching trace on real runs: a bridge built by hand with ip and iptables (no Docker), and
// Docker's user-defined bridge with a published port; goldens at the three depths, plus the
// runner options the CLI relies on (onLab before the steps, steps without expectations).
import { describe, expect, it } from 'vitest';
import {
  labNames,
  probeWalks,
  renderTeachingTrace,
  reportOk,
  resolveTarget,
  runProbe,
  walkVerdict,
  type ProbeProto,
  type RunResult,
  type TraceDepth,
} from '../../../src/scenario/index.js';
import { DOCKER_BRIDGE, HAND_BUILT, expectGolden, kernelOnlyServices, runYaml } from './support.js';

const plain = { services: kernelOnlyServices };

function teach(run: RunResult, from: string, to: string, depth: TraceDepth, proto?: ProbeProto): { text: string; verdict: string } {
  const target = resolveTarget(run.context, to, undefined);
  if (typeof target === 'string') throw new Error(target);
  const p = proto ?? (target.port === undefined ? 'icmp' : 'tcp');
  const probe = runProbe(run.context, run.context.place(from)!, p, target.address, target.port);
  const walks = probeWalks(probe.all, probe.packetId);
  const text = renderTeachingTrace(
    { title: `${from} → ${to} (${p})`, request: walks.request, reply: walks.reply },
    { depth, names: labNames(run.lab), hint: target.port === undefined ? { proto: p } : { port: target.port, proto: p } },
  );
  return { text, verdict: walkVerdict(walks.request).kind };
}

describe('a bridge built by hand (no Docker)', () => {
  it('holds its expectations', () => {
    const run = runYaml(HAND_BUILT, plain);
    expect(run.report.expectations.map((e) => [e.ok, e.message])).toEqual([
      [true, expect.stringContaining('client reaches host1:8080')],
      [true, 'trace client → 10.10.0.2:81 (tcp): dropped by filter/DOCKER-USER'],
    ]);
  });

  it.each(['learner', 'operator', 'kernel'] as const)('walks client → host1:8080 through the DNAT (%s golden)', (depth) => {
    const run = runYaml(HAND_BUILT, { ...plain, expectations: false });
    const t = teach(run, 'client', 'host1:8080', depth);
    expect(t.verdict).toBe('delivered');
    expectGolden(`hand-built-dnat.${depth}.txt`, t.text);
  });

  it('names the named namespace and the DNAT in the learner trace', () => {
    const t = teach(runYaml(HAND_BUILT, { ...plain, expectations: false }), 'client', 'host1:8080', 'learner');
    expect(t.text).toContain('host1 rewrites the destination 192.0.2.2:8080 → 10.10.0.2:80 (DNAT)');
    expect(t.text).toContain('── host1 / b (netns) ──');
    expect(t.text).toContain("b's kernel delivers it to httpd on port 80 (listening)");
    expect(t.text).toContain('host1 rewrites the source 10.10.0.2:80 → 192.0.2.2:8080 (un-DNAT)');
  });

  it('explains the DOCKER-USER drop', () => {
    const t = teach(runYaml(HAND_BUILT, { ...plain, expectations: false }), 'client', '10.10.0.2:81', 'learner');
    expect(t.verdict).toBe('dropped');
    expect(t.text).toContain('✗ host1 drops it: filter/DOCKER-USER rule 1: -A DOCKER-USER -p tcp -m tcp --dport 81 -j DROP');
    expect(t.text).toContain('fix: DOCKER-USER holds your own rules: change or delete that one (iptables -D DOCKER-USER 1)');
  });
});

describe("Docker's user-defined bridge", () => {
  it.each(['learner', 'operator', 'kernel'] as const)('walks c1 → web:80 across the bridge (%s golden)', (depth) => {
    const run = runYaml(DOCKER_BRIDGE, { expectations: false });
    const t = teach(run, 'c1', 'web:80', depth);
    expect(t.verdict).toBe('delivered');
    expectGolden(`docker-bridge.${depth}.txt`, t.text);
  });

  it('says the three hops of the brief at learner depth', () => {
    const t = teach(runYaml(DOCKER_BRIDGE, { expectations: false }), 'c1', 'web:80', 'learner');
    expect(t.text).toContain('c1 sends to 172.18.0.3 (web) through eth0');
    expect(t.text).toMatch(/the bridge br-[0-9a-f]{12} forwards it to veth[0-9a-f]{7} \(learned port\)/);
    expect(t.text).toContain("web's kernel delivers it to nginx on port 80");
  });

  it('explains the isolation drop between networks in Docker terms', () => {
    const run = runYaml(DOCKER_BRIDGE);
    expect(reportOk(run.report)).toBe(true);
    const t = teach(run, 'c1', 'other', 'learner');
    expect(t.verdict).toBe('dropped');
    expect(t.text).toContain('why: c1 and other are on different networks (appnet and othernet); Docker isolates bridge networks from each other');
    expect(t.text).toContain("fix: connect one to the other's network: docker network connect othernet c1");
  });

  it('explains an unpublished port reached from outside', () => {
    const t = teach(runYaml(DOCKER_BRIDGE, { expectations: false }), 'client', 'host1:9090', 'learner');
    expect(t.text).toContain('nothing listens on host1:9090/tcp, and no DNAT rule in nat/DOCKER matched it: the port is not published');
    expect(t.text).toContain('fix: publish the port: docker run -p 9090:CONTAINERPORT ...');
  });
});

describe('runner options', () => {
  it('calls onLab once the lab is built and before any step runs', () => {
    const seen: number[] = [];
    const run = runYaml(HAND_BUILT, { ...plain, onLab: (lab) => seen.push(lab.machines.get('host1')!.host.named.size) });
    expect(seen).toEqual([0]);
    expect(run.lab.machines.get('host1')!.host.named.size).toBe(1);
  });

  it('runs only the steps when expectations are off', () => {
    const run = runYaml(HAND_BUILT, { ...plain, expectations: false });
    expect(run.report.steps).toHaveLength(18);
    expect(run.report.expectations).toEqual([]);
  });
});
