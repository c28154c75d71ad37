// Reachability emerges from the kernel state Docker programs, not from a model of "who may talk to
// whom": c1 reaches c2 on one user-defined bridge only because of concrete state (the FORWARD rule
// `-i br-X -o br-X -j ACCEPT`, the bridge FDB, the routes). Take ONE piece away with the ordinary
// tools and the same probe walks the same kernel to a different end, named in the trace.
import { describe, expect, it } from 'vitest';
import { RunContext, type Place } from '../../src/scenario/context.js';
import { loadScenario } from '../../src/scenario/index.js';
import { buildLab } from '../../src/scenario/machines.js';
import { passedNames, runProbe, verdictOf } from '../../src/scenario/probe.js';
import { runScenario } from '../../src/scenario/run.js';
import { defaultServices } from '../../src/scenario/services.js';
import { runSteps } from '../../src/scenario/steps.js';
import { parseIpv4 } from '../../src/packet/index.js';

const SCENARIO = `
name: c1 reaches c2 on one user bridge
steps:
  - docker: network create --subnet 10.77.0.0/24 appnet
  - docker: run -d --name c1 --network appnet busybox:local sleep 100000
  - docker: run -d --name c2 --network appnet busybox:local sleep 100000
`;

function lab(): { ctx: RunContext; host: Place; c1: Place; bridge: string } {
  const loaded = loadScenario(SCENARIO, 'emergent.yaml');
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
  const ctx = new RunContext(buildLab(loaded.scenario, loaded.scenario.seed, defaultServices));
  runSteps(ctx, loaded.scenario);
  const host = ctx.place('host1')!;
  const c1 = ctx.place('c1')!;
  const id = ctx.run(host, ['docker', 'network', 'inspect', '-f', '{{.Id}}', 'appnet']).stdout.trim();
  return { ctx, host, c1, bridge: `br-${id.slice(0, 12)}` };
}

const C2 = parseIpv4('10.77.0.3')!;

describe('reachability emerges from kernel state', () => {
  it('c1 reaches c2 through the bridge, and the FORWARD rule of the bridge is on the path', () => {
    const { ctx, c1, bridge } = lab();
    const probe = runProbe(ctx, c1, 'icmp', C2, undefined);
    expect(probe.exitCode).toBe(0);
    expect(verdictOf(probe.walk).verdict).toBe('delivered');
    const passed = passedNames(probe.walk);
    expect(passed.has('filter/FORWARD')).toBe(true);
    expect(passed.has(bridge)).toBe(true);
  });

  it('deleting `-A FORWARD -i br-X -o br-X -j ACCEPT` turns the same walk into a drop by the FORWARD policy', () => {
    const { ctx, host, c1, bridge } = lab();
    const rule = ['-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
    const deleted = ctx.run(host, ['iptables', '-D', 'FORWARD', ...rule]);
    expect(deleted.exitCode).toBe(0);
    expect(ctx.run(host, ['iptables-save', '-t', 'filter']).stdout).not.toContain(`-A FORWARD -i ${bridge} -o ${bridge} -j ACCEPT`);

    const probe = runProbe(ctx, c1, 'icmp', C2, undefined);
    expect(probe.exitCode).toBe(1);
    const v = verdictOf(probe.walk);
    expect(v.verdict).toBe('dropped');
    if (v.verdict !== 'dropped') return;
    expect(v.by).toBe('filter/FORWARD');
    // It was the chain's policy (DROP), reached after every rule of FORWARD failed to match.
    expect(v.at.detail['reason']).toBe('netfilter');
    expect(String(v.at.detail['text'])).toMatch(/DROP/u);

    // Put the rule back (where Docker had it, last in FORWARD) and the walk is delivered again.
    expect(ctx.run(host, ['iptables', '-A', 'FORWARD', ...rule]).exitCode).toBe(0);
    const again = runProbe(ctx, c1, 'icmp', C2, undefined);
    expect(verdictOf(again.walk).verdict).toBe('delivered');
  });

  it('deleting c1\'s routes: first the packet detours through the gateway, then it has no route at all', () => {
    const { ctx, c1 } = lab();
    const del = ctx.run({ ...c1, userland: 'host' }, ['ip', 'route', 'del', '10.77.0.0/24']);
    expect(del.exitCode).toBe(0);
    const probe = runProbe(ctx, c1, 'icmp', C2, undefined);
    // The default route via the gateway still exists: the packet now goes to the gateway, which
    // is the host, and is routed back onto the bridge: still delivered, but through the host.
    expect(verdictOf(probe.walk).verdict).toBe('delivered');
    expect(probe.walk.some((r) => r.kind === 'ttl' && r.location.host === 'host1')).toBe(true);
    const noDefault = ctx.run({ ...c1, userland: 'host' }, ['ip', 'route', 'del', 'default']);
    expect(noDefault.exitCode).toBe(0);
    const none = runProbe(ctx, c1, 'icmp', C2, undefined);
    expect(none.exitCode).not.toBe(0);
    expect(none.output).toContain('ping: sendto: Network is unreachable');
    // The walk ends at c1's own routing decision: the packet never left.
    expect(none.walk.map((r) => [r.kind, r.detail['result']])).toEqual([['route', 'ENETUNREACH']]);
  });

  it('a scenario file says the same: one `iptables -D` exec step, and the trace expectation names filter/FORWARD', () => {
    const text = `${SCENARIO}
  # FORWARD: 1 DOCKER-USER, 2 ISOLATION-STAGE-1, then appnet's four rules (newest network first)
  - exec: iptables -S FORWARD 6
    matches: '^-A FORWARD -i (br-[0-9a-f]{12}) -o \\1 -j ACCEPT$'
  - exec: iptables -D FORWARD 6
expect:
  - trace: {from: c1, to: c2, verdict: dropped, by: filter/FORWARD, passes: [filter/DOCKER-USER, filter/DOCKER-ISOLATION-STAGE-1]}
  - reach: {from: c1, to: c2, ok: false}
  - reach: {from: c1, to: 10.77.0.1}
`;
    const loaded = loadScenario(text, 'emergent.yaml');
    if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
    const { report } = runScenario(loaded.scenario, { services: defaultServices });
    expect(report.expectations.map((e) => `${e.ok ? 'ok' : 'FAIL'} ${e.message}`)).toEqual([
      'ok step 4 (iptables -S FORWARD 6) as expected',
      'ok trace c1 → c2 (icmp): dropped by filter/FORWARD',
      'ok c1 does not reach c2 (icmp, 10.77.0.3)',
      'ok c1 reaches 10.77.0.1 (icmp, 10.77.0.1)',
    ]);
  });
});
