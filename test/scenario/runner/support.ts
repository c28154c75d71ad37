// Shared helpers for the runner tests: scenarios as inline YAML (the hand-built bridge needs no
// Docker: namespaces, a veth pair and a bridge made with `ip` commands), hand-made trace records,
// and golden files that are rewritten only with CNMSIM_UPDATE_GOLDENS=1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { TraceRecord, TraceValue } from '../../../src/engine/index.js';
import { defaultServices, loadScenario, machinePrograms, runScenario, type MachineServices, type RunOptions, type RunResult, type Scenario } from '../../../src/scenario/index.js';

export const GOLDENS = join(import.meta.dirname, 'goldens');

/** Compares `actual` with the golden file `name`; CNMSIM_UPDATE_GOLDENS=1 rewrites it instead. */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDENS, name);
  if (process.env['CNMSIM_UPDATE_GOLDENS'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`golden ${name} is missing: run with CNMSIM_UPDATE_GOLDENS=1 to write it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

export function scenarioOf(yaml: string): Scenario {
  const loaded = loadScenario(yaml, 'inline.yaml');
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  return loaded.scenario;
}

/** Every machine runs the simulated programs, but no Docker daemon: a plain Linux lab. */
export const kernelOnlyServices: MachineServices = {
  programs: machinePrograms,
  startDocker: () => ({ containerContext: () => undefined, containerNames: () => [], inspect: () => undefined }),
};

/** Runs a scenario with the real services (Docker included) unless `options` says otherwise. */
export function runYaml(yaml: string, options: Partial<RunOptions> = {}): RunResult {
  return runScenario(scenarioOf(yaml), { services: defaultServices, ...options });
}

/**
 * Run with `kernelOnlyServices`: host1 is a plain Linux machine that routes between the underlay and a bridge br0 (10.10.0.1/24) with one namespace `b`
 * (10.10.0.2, busybox httpd on port 80) behind a veth; port 8080 of host1 is DNATed to it, and
 * `client` has a route to 10.10.0.0/24 via host1 where DOCKER-USER drops port 81.
 */
export const HAND_BUILT = `
name: hand-built bridge
description: a bridge, a namespace and a DNAT rule made with ip and iptables
externals:
  - name: client
    address: 192.0.2.100/24
steps:
  - exec: ip netns add b
  - exec: ip link add br0 type bridge
  - exec: ip addr add 10.10.0.1/24 dev br0
  - exec: ip link set br0 up
  - exec: ip link add vb type veth peer name eth0 netns b
  - exec: ip link set vb master br0
  - exec: ip link set vb up
  - exec: ip netns exec b ip addr add 10.10.0.2/24 dev eth0
  - exec: ip netns exec b ip link set eth0 up
  - exec: ip netns exec b ip link set lo up
  - exec: ip netns exec b ip route add default via 10.10.0.1
  - exec: ip netns exec b httpd -p 80
  - exec: sysctl -w net.ipv4.ip_forward=1
  - exec: iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.10.0.2:80
  - exec: iptables -N DOCKER-USER
  - exec: iptables -A DOCKER-USER -p tcp --dport 81 -j DROP
  - exec: iptables -A FORWARD -j DOCKER-USER
  - exec: ip route add 10.10.0.0/24 via 192.0.2.2
    on: client
expect:
  - reach: {from: client, to: "host1:8080"}
  - trace: {from: client, to: "10.10.0.2:81", verdict: dropped, by: filter/DOCKER-USER}
`;

/** Docker's flagship shape: two containers on a user-defined bridge, nginx published on 8080. */
export const DOCKER_BRIDGE = `
name: user-defined bridge
externals:
  - name: client
    address: 192.0.2.100/24
steps:
  - docker: network create --subnet 172.18.0.0/16 appnet
  - docker: network create othernet
  - docker: run -d --name c1 --network appnet busybox sleep 3600
  - docker: run -d --name web --network appnet -p 8080:80 nginx
  - docker: run -d --name other --network othernet busybox sleep 3600
expect:
  - reach: {from: c1, to: web, port: 80}
  - trace: {from: c1, to: other, verdict: dropped, by: filter/DOCKER-ISOLATION-STAGE-2}
`;

let nextSeq = 0;

/** A hand-made record; seq counts up from 0 per `resetSeq()`. */
export function rec(packetId: number, where: string, kind: TraceRecord['kind'], detail: Record<string, TraceValue> = {}): TraceRecord {
  const [host, netns, device] = where.split('/') as [string, string, string | undefined];
  const location = device === undefined ? { host, netns } : { host, netns, device };
  return { seq: nextSeq++, time: 1000 * nextSeq, packetId, location, kind, detail };
}

export function resetSeq(): void {
  nextSeq = 0;
}
