// Golden: shared/reference/docker-20.10/03-two-bridges-connect, reproduced by scenarios/03-two-bridges-connect.yaml.
import { describe, expect, it } from 'vitest';
import { cap, containerState, hostState, pingMatrix, runGolden, summaryValue, type PlanEntry } from './harness.js';

const F = '03-two-bridges-connect';
const IPS: [string, string][] = [
  ['b1', '172.18.0.2'],
  ['b2', '172.19.0.2'],
  ['bx@n1', '172.18.0.3'],
  ['bx@n2', '172.19.0.3'],
  ['gw-n1', '172.18.0.1'],
  ['gw-n2', '172.19.0.1'],
  ['docker0', '172.17.0.1'],
];
const ipam = (n: string): string => `network inspect -f '{{json .IPAM.Config}}' ${n}`;
const nslookup = (file: string, c: string, names: readonly string[]): PlanEntry[] =>
  names.map((n) => cap(file, 'lines', `exec ${c} nslookup -timeout=2 -retry=1 ${n} 127.0.0.11`));

const PLAN: PlanEntry[] = [
  ...['n1', 'n2', 'n3'].map((n) => cap('net-create.txt', 'text', `network create ${n}`)),
  ...['n1', 'n2', 'n3'].map((n) => summaryValue(F, new RegExp(`^IPAM pick: ${n} -> (\\S+)`, 'mu'), ipam(n))),
  cap('docker-network-ls.txt', 'text', 'network ls'),
  cap('run.txt', 'lines', 'run -d --name b1 --network n1 --dns 127.0.0.1 busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name b2 --network n2 --dns 127.0.0.1 busybox:local sleep 100000'),
  cap('run.txt', 'lines', 'run -d --name bx --network n2 --dns 127.0.0.1 busybox:local sleep 100000'),
  cap('bx-before-connect-ip-addr.txt', 'ip-addr', 'nsenter -t bx -n ip addr'),
  cap('bx-before-connect-ip-route.txt', 'ip-route', 'nsenter -t bx -n ip route'),
  cap('bx-before-connect-networksettings.json', 'json', "inspect -f '{{json .NetworkSettings}}' bx"),
  cap('connect.txt', 'text', 'network connect n1 bx'),
  cap('bx-after-connect-ip-route.txt', 'ip-route', 'nsenter -t bx -n ip route'),
  ...hostState('host'),
  ...['n1', 'n2', 'n3'].map((n) => cap(`net-${n}-inspect.json`, 'network-json', `network inspect ${n}`)),
  ...['b1', 'b2', 'bx'].flatMap((c) => containerState(c)),
  summaryValue(F, /^bx NetworkSettings\.Gateway after connect: (.*?) IPAddress:/mu, "inspect -f '{{.NetworkSettings.Gateway}}' bx"),
  summaryValue(F, /^bx NetworkSettings\.Gateway after connect: .* IPAddress: (.*)$/mu, "inspect -f '{{.NetworkSettings.IPAddress}}' bx"),
  pingMatrix('ping-matrix-ip.txt', ['b1', 'b2', 'bx'], IPS),
  pingMatrix('ping-matrix-name.txt', ['b1', 'b2', 'bx'], [
    ['b1', 'b1'],
    ['b2', 'b2'],
    ['bx', 'bx'],
  ]),
  pingMatrix('ping-matrix-ip.txt', ['HOST'], IPS.slice(0, 4)),
  ...nslookup('dns-from-bx.txt', 'bx', ['b1', 'b2', 'bx', 'bx.n1', 'bx.n2', 'b1.n2']),
  ...nslookup('dns-from-b1.txt', 'b1', ['b1', 'b2', 'bx']),
  ...nslookup('dns-from-b2.txt', 'b2', ['b1', 'b2', 'bx']),
  cap('disconnect.txt', 'text', 'network disconnect n1 bx'),
  cap('bx-after-disconnect-ip-route.txt', 'ip-route', 'nsenter -t bx -n ip route'),
  cap('net-rm.txt', 'text', 'network rm n2'),
  cap('net-create.txt', 'text', 'network create n4'),
  cap('net-create.txt', 'text', 'network create n5'),
  ...['n1', 'n3', 'n4', 'n5'].map((n) => summaryValue(F, new RegExp(`^after rm n2: ${n} -> (\\S+)`, 'mu'), ipam(n))),
  cap('host-after-cleanup-iptables-save.txt', 'iptables', 'iptables-save', 'host1'),
  cap('host-after-cleanup-ip-link.txt', 'ip-brief', 'ip -br link', 'host1'),
];

describe('golden 03-two-bridges-connect', () => {
  const { comparisons } = runGolden(F, '03-two-bridges-connect.yaml', PLAN);
  for (const c of comparisons) {
    it(c.name, () => {
      expect(c.actual).toEqual(c.expected);
    });
  }
});
