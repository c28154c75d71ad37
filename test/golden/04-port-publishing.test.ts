// Golden: shared/reference/docker-20.10/04-port-publishing, reproduced by scenarios/04-port-publishing.yaml.
import { describe, expect, it } from 'vitest';
import { cap, containerState, fetchRow, hostState, runGolden, summaryValue, type PlanEntry } from './harness.js';

const F = '04-port-publishing';
const RUNS = [
  'run -d --name h1 -p 8080:80 busybox:local busybox httpd -f -p 80 -h /www',
  'run -d --name h2 -p 127.0.0.1:8081:80 busybox:local busybox httpd -f -p 80 -h /www',
  'run -d --name u1 -p 5353:5353/udp busybox:local sleep 100000',
  'run -d --name h4 -p 80 busybox:local busybox httpd -f -p 80 -h /www',
  'run -d --name cl busybox:local sleep 100000',
];
const FETCHES: [string, string][] = [
  ['host', 'http://127.0.0.1:8080/'],
  ['host', 'http://172.17.0.1:8080/'],
  ['host', 'http://192.0.2.2:8080/'],
  ['host', 'http://172.17.0.2:80/'],
  ['host', 'http://127.0.0.1:8081/'],
  ['host', 'http://172.17.0.1:8081/'],
  ['host', 'http://127.0.0.1:32769/'],
  ['host', 'http://127.0.0.1:8082/'],
  ['host', 'http://172.24.0.1:8082/'],
  ['cl', 'http://172.17.0.1:8080/'],
  ['cl', 'http://192.0.2.2:8080/'],
  ['cl', 'http://172.17.0.2:80/'],
  ['cl', 'http://172.17.0.1:8081/'],
  ['cl', 'http://172.17.0.1:8082/'],
  ['cl', 'http://172.24.0.2:80/'],
  ['h1', 'http://172.17.0.1:8080/'],
  ['h1', 'http://192.0.2.2:8080/'],
  ['cl2', 'http://172.24.0.1:8082/'],
  ['cl2', 'http://172.24.0.1:8080/'],
  ['cl2', 'http://172.17.0.1:8080/'],
  ['cl2', 'http://192.0.2.2:8080/'],
  ['cl2', 'http://172.17.0.2:80/'],
  ['h3', 'http://172.24.0.1:8082/'],
];

const PLAN: PlanEntry[] = [
  ...RUNS.map((r) => cap('run.txt', 'lines', r)),
  cap('net-create.txt', 'text', 'network create pubnet'),
  cap('run.txt', 'lines', 'run -d --name h3 --network pubnet -p 8082:80 busybox:local busybox httpd -f -p 80 -h /www'),
  cap('run.txt', 'lines', 'run -d --name cl2 --network pubnet busybox:local sleep 100000'),
  ...['h1', 'h2', 'u1', 'h4', 'h3'].map((c) => cap('docker-port.txt', 'text', `port ${c}`)),
  cap('docker-ps.txt', 'text', "ps --no-trunc --format '{{.Names}}\\t{{.Ports}}'"),
  ...hostState('host'),
  cap('net-bridge-inspect.json', 'network-json', 'network inspect bridge'),
  cap('net-pubnet-inspect.json', 'network-json', 'network inspect pubnet'),
  ...['h1', 'h2', 'u1', 'h4', 'h3', 'cl', 'cl2'].flatMap((c) => containerState(c)),
  summaryValue(F, /^pubnet subnet: (\S+)/mu, "network inspect -f '{{json .IPAM.Config}}' pubnet"),
  ...FETCHES.map(([src, url]) => fetchRow('fetch-matrix.txt', src, url)),
  cap('conntrack-after-fetch.txt', 'conntrack', 'conntrack -L', 'host1'),
  // Bytes differ: a simulated SYN carries only the MSS option (44 bytes), Linux's 60 (MSS, SACK_PERM,
  // timestamps, window scale); packets are compared.
  cap('host-iptables-save-counters.txt', 'own-counters', 'iptables-save -c', 'host1'),
  ...['127.0.0.1', '172.17.0.1', '192.0.2.2', '172.17.0.4'].map((a) => cap('udp-test.txt', 'text', `udpsend ${a} 5353`, 'host1')),
  cap('conntrack-udp.txt', 'conntrack', 'conntrack -L -p udp', 'host1'),
  cap('host-after-cleanup-iptables-save.txt', 'iptables', 'iptables-save', 'host1'),
];

describe('golden 04-port-publishing', () => {
  const { comparisons } = runGolden(F, '04-port-publishing.yaml', PLAN);
  for (const c of comparisons) {
    it(c.name, () => {
      expect(c.actual).toEqual(c.expected);
    });
  }
});
