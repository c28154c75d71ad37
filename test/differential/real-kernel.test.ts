// Differential check against the real kernel: each script runs in real namespaces (iproute2 as
// root) and in the simulator, and the normalised observations must be the same: exit status,
// stdout and stderr of every `ip`/`bridge`/`sysctl` line, and success or failure of every ping.
// Runs only as root with working `ip netns`; otherwise the suite is skipped with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupReal, expand, PREFIX, realPingAvailable, realUnavailable, runRealScript, runSimScript, type Step } from './real-netns.js';
import { bridgeScript, miscScript, routerScript, vethPairScript } from './scripts.js';

const unavailable = realUnavailable();
const withPing = unavailable === undefined && realPingAvailable();

function compare(script: Step[]): void {
  const steps = expand(script);
  let real;
  try {
    real = runRealScript(steps);
  } finally {
    cleanupReal();
  }
  const sim = runSimScript(steps);
  expect(sim).toEqual(real);
}

describe.skipIf(unavailable !== undefined)(`differential: simulator vs real kernel${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`, () => {
  beforeAll(() => {
    cleanupReal();
    if (!withPing) console.warn(`differential: no real "ping" found; the scripts run without their ping lines (namespace prefix ${PREFIX})`);
  });
  afterAll(() => cleanupReal());

  it('two namespaces joined by a veth pair', () => compare(vethPairScript(withPing)));
  it('three namespaces on a bridge in a fourth, then bridge fdb show', () => compare(bridgeScript(withPing)));
  it('a router namespace between two subnets, ip_forward on then off', () => compare(routerScript(withPing)));
  it('link, address, route, rule and neighbour commands and their errors', () => compare(miscScript()));
});
