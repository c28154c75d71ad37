// Golden: shared/reference/docker-20.10/01-default-bridge, reproduced by scenarios/01-default-bridge.yaml.
import { describe, expect, it } from 'vitest';
import { cap, containerState, hostState, pingMatrix, runGolden, type PlanEntry } from './harness.js';

const PLAN: PlanEntry[] = [
  cap('docker-network-ls-fresh.txt', 'text', 'network ls --no-trunc'),
  ...hostState('host-fresh'),
  cap('net-bridge-inspect-fresh.json', 'network-json', 'network inspect bridge'),
  ...hostState('host-2ctr'),
  cap('net-bridge-inspect.json', 'network-json', 'network inspect bridge'),
  ...containerState('c1'),
  ...containerState('c2'),
  pingMatrix('ping-matrix.txt', ['c1', 'c2'], [
    ['c1', '172.17.0.2'],
    ['c2', '172.17.0.3'],
    ['gw', '172.17.0.1'],
  ]),
  pingMatrix('ping-matrix.txt', ['HOST'], [
    ['c1', '172.17.0.2'],
    ['c2', '172.17.0.3'],
  ]),
  cap('host-ip-neigh-after-ping.txt', 'neigh', 'ip neigh show dev docker0', 'host1'),
  cap('ctr-c1-ns-ip-neigh-after-ping.txt', 'neigh', 'nsenter -t c1 -n ip neigh'),
  cap('bridge-fdb-after-ping.txt', 'fdb', 'bridge fdb show br docker0'),
  ...hostState('host-after-cleanup'),
  cap('docker-network-ls-after-cleanup.txt', 'text', 'network ls'),
];

describe('golden 01-default-bridge', () => {
  const { comparisons } = runGolden('01-default-bridge', '01-default-bridge.yaml', PLAN);
  for (const c of comparisons) {
    it(c.name, () => {
      expect(c.actual).toEqual(c.expected);
    });
  }
});
