// Differential checks of the netfilter model against the real kernel (iptables 1.8.9, nf_tables):
// (a) every `iptables-save` dump captured from Docker 20.10 is restored into a simulated
//     namespace and saved back by the simulator; the real `iptables-restore --test` must accept
//     that text, and restoring it for real and saving again must give the same rules;
// (b) NAT and filter scripts run in real namespaces and in the simulator; every iptables line
//     must give the same status and output, every ping the same success or failure, and every
//     rule and policy the same packet counter (`iptables-save -c`, bytes left out).
// The real side runs only as root with working `ip netns`; otherwise the suite is skipped with
// the reason. Only namespaces with this run's prefix are created, used and deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packetsOnly, nfMachine, realIptablesUnavailable, realRunInput, referenceDumps, simRunInput, type Dump } from './nf-real.js';
import { filterScript, natScript } from './nf-scripts.js';
import { cleanupReal, expand, PREFIX, realPingAvailable, realRun, realUnavailable, runRealScript, runSimScript, type Observation, type Step } from './real-netns.js';

const unavailable = realUnavailable();
const reason = unavailable ?? realIptablesUnavailable();
const dumps = referenceDumps();

/** The simulator's `iptables-save` of a dump restored into a fresh simulated namespace. */
function simRoundTrip(d: Dump): string {
  const m = nfMachine();
  const flags = d.counters ? ['-c'] : [];
  const restored = simRunInput(m, ['iptables-restore', ...flags], d.text);
  expect(restored, `simulated iptables-restore of ${d.name}`).toMatchObject({ code: 0, stderr: '' });
  const saved = simRunInput(m, ['iptables-save', ...flags], '');
  expect(saved.code).toBe(0);
  return saved.stdout;
}

function realRestoreCheck(d: Dump, saved: string, index: number): void {
  const ns = `${PREFIX}-rs${index}`;
  const flags = d.counters ? ['-c'] : [];
  try {
    expect(realRun(['ip', 'netns', 'add', ns]).code).toBe(0);
    const test = realRunInput(['ip', 'netns', 'exec', ns, 'iptables-restore', '--test', ...flags], saved);
    expect(test, `real iptables-restore --test of the simulator's save of ${d.name}`).toMatchObject({ code: 0, stderr: '' });
    const restore = realRunInput(['ip', 'netns', 'exec', ns, 'iptables-restore', ...flags], saved);
    expect(restore.code).toBe(0);
    const real = realRun(['ip', 'netns', 'exec', ns, 'iptables-save', ...flags]);
    expect(real.code).toBe(0);
    expect(packetsOnly(saved), `simulator's save vs real save after restoring ${d.name}`).toBe(packetsOnly(real.stdout));
  } finally {
    realRun(['ip', 'netns', 'del', ns]);
  }
}

/** Counter dumps are compared on packet counts only; everything else as real-netns.ts does. */
function counted(obs: Observation[]): Observation[] {
  return obs.map(o => (o.line.includes('iptables-save') && o.stdout !== undefined ? { ...o, stdout: packetsOnly(o.stdout) } : o));
}

function compare(script: Step[]): void {
  const steps = expand(script);
  let real;
  try {
    real = runRealScript(steps);
  } finally {
    cleanupReal();
  }
  const sim = runSimScript(steps, nfMachine());
  expect(counted(sim)).toEqual(counted(real));
}

describe('netfilter: Docker 20.10 iptables-save dumps round-trip through the simulator', () => {
  it('finds the reference dumps', () => {
    if (dumps.length === 0) console.warn('netfilter differential: no reference dumps found');
    for (const d of dumps) simRoundTrip(d);
  });
});

describe.skipIf(reason !== undefined)(`differential netfilter: simulator vs real kernel${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
  const withPing = realPingAvailable();
  beforeAll(() => cleanupReal());
  afterAll(() => cleanupReal());

  it.each(dumps.map((d, i) => [d.name, d, i] as const))('real iptables-restore --test accepts the simulator save of %s', (_name, d, i) => {
    realRestoreCheck(d, simRoundTrip(d), i);
  });

  it.skipIf(!withPing)(`DNAT and MASQUERADE on a router: pings and rule counters${withPing ? '' : ' (skipped: no real ping)'}`, () => compare(natScript()));
  it.skipIf(!withPing)(`a DROP in a user chain on FORWARD, REJECT icmp-port-unreachable: pings and rule counters${withPing ? '' : ' (skipped: no real ping)'}`, () => compare(filterScript()));
});
