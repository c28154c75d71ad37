// Golden: shared/reference/docker-20.10/02-user-bridge, reproduced by scenarios/02-user-bridge.yaml.
import { describe, expect, it } from 'vitest';
import { cap, containerState, hostState, pingMatrix, runGolden, type PlanEntry } from './harness.js';

const CONTAINERS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const IPS: [string, string][] = [
  ['a1', '192.168.57.32'],
  ['a2', '192.168.57.100'],
  ['a3', '192.168.57.33'],
];

/** The answer addresses of a busybox nslookup, in the order printed (the server's line left out). */
function addresses(output: string): string[] {
  return [...output.matchAll(/^Address:\s+(\S+)$/gmu)].map((m) => m[1]!).filter((a) => !a.startsWith('127.0.0.11'));
}

/** `nslookup svc` 12 times: every answer holds both addresses, and both orders occur (shuffled). */
const ROUND_ROBIN: PlanEntry = {
  file: 'dns-svc-roundrobin.txt',
  compare: 'text',
  command: 'round robin',
  build: (next, nextBlock) => {
    const summary = (orders: string[][]): unknown => ({
      sets: [...new Set(orders.map((o) => [...o].sort().join(' ')))],
      orders: [...new Set(orders.map((o) => o.join(' ')))].sort(),
    });
    const captured: string[][] = [];
    const simulated: string[][] = [];
    for (let i = 0; i < 12; i++) {
      captured.push([...nextBlock('dns-svc-roundrobin.txt').output.matchAll(/Address: (\S+)/gu)].map((m) => m[1]!));
      const step = next('exec a3 nslookup svc 127.0.0.11');
      simulated.push(addresses(step.stdout));
    }
    return { name: '12 answers for the shared alias svc', expected: summary(captured), actual: summary(simulated) };
  },
};

/** `ping -c1 -W1 svc | head -1` 4 times: the alias resolves to either container. */
const PING_TARGET: PlanEntry = {
  file: 'dns-svc-ping-target.txt',
  compare: 'text',
  command: 'ping svc',
  build: (next, nextBlock) => {
    const captured = new Set<string>();
    const simulated = new Set<string>();
    for (let i = 0; i < 4; i++) {
      captured.add(nextBlock('dns-svc-ping-target.txt').output.split('\n')[0]!);
      simulated.add(next('exec a3 ping -c1 -W1 svc').stdout.split('\n')[0]!);
    }
    return { name: 'ping svc targets over 4 runs', expected: [...captured].sort(), actual: [...simulated].sort() };
  },
};

const PLAN: PlanEntry[] = [
  cap('net-create.txt', 'text', 'network create --subnet 192.168.57.0/24 --ip-range 192.168.57.32/28 --gateway 192.168.57.11 net57'),
  cap('run.txt', 'lines', 'run -d --name a1 --network net57 --network-alias svc busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name a2 --network net57 --ip 192.168.57.100 --network-alias svc busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name a3 --network net57 busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name a4 --network net57 --dns 127.0.0.1 busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name a5 --network net57 --dns 192.168.57.11 busybox:local sleep 100000'),
  ...hostState('host'),
  cap('net-net57-inspect.json', 'network-json', 'network inspect net57'),
  ...CONTAINERS.flatMap((c) => containerState(c)),
  pingMatrix('ping-matrix-ip.txt', ['a1', 'a2', 'a3'], [...IPS, ['gw', '192.168.57.11']]),
  pingMatrix('ping-matrix-name.txt', ['a1', 'a2', 'a3'], [
    ['a1', 'a1'],
    ['a2', 'a2'],
    ['a3', 'a3'],
    ['svc', 'svc'],
    ['a1.net57', 'a1.net57'],
  ]),
  pingMatrix('ping-matrix-ip.txt', ['HOST'], IPS),
  ...['a1', 'a2', 'a3', 'svc', 'a1.net57', 'svc.net57', 'A1', "$(docker inspect -f '{{.Config.Hostname}}' a2)"].map((n) =>
    cap('dns-nslookup.txt', 'lines', `exec a3 nslookup ${n} 127.0.0.11`),
  ),
  ...IPS.map(([, ip]) => cap('dns-nslookup-ptr.txt', 'lines', `exec a3 nslookup ${ip} 127.0.0.11`)),
  ROUND_ROBIN,
  PING_TARGET,
  cap('dns-unknown-a4-loopback-upstream.txt', 'lines', 'exec a4 nslookup -timeout=2 -retry=1 doesnotexist.invalid 127.0.0.11'),
  ...['doesnotexist.invalid', 'external-stub.test', 'a1', '192.168.57.11'].map((n) => cap('dns-unknown-a5-stub-upstream.txt', 'lines', `exec a5 nslookup ${n} 127.0.0.11`)),
  cap('host-after-cleanup-iptables-save.txt', 'iptables', 'iptables-save', 'host1'),
  cap('host-after-cleanup-ip-link.txt', 'ip-brief', 'ip -br link', 'host1'),
];

describe('golden 02-user-bridge', () => {
  const { comparisons } = runGolden('02-user-bridge', '02-user-bridge.yaml', PLAN);
  for (const c of comparisons) {
    it(c.name, () => {
      expect(c.actual).toEqual(c.expected);
    });
  }
});
