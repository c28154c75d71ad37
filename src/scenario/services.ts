/**
 * The machines of a scenario run the real simulated software: every machine gets the
 * programs (ping, nc, wget, nslookup, tcpdump, ...), the iproute2 family (ip, bridge, brctl,
 * sysctl) and the netfilter family (iptables, iptables-save/-restore, conntrack, ipvsadm);
 * Docker hosts also run a Docker daemon (src/cnm), which registers the `docker` program.
 * Leaves out: nothing; tests can pass other services to `runScenario`.
 */
import { startDockerDaemon } from '../cnm/index.js';
import { defaultPrograms, registerNetfilterTools, registerTools, type ProgramRegistry } from '../kernel/index.js';
import type { MachineServices } from './machines.js';

export function machinePrograms(): ProgramRegistry {
  const registry = defaultPrograms();
  registerTools(registry);
  registerNetfilterTools(registry);
  return registry;
}

export const defaultServices: MachineServices = {
  programs: machinePrograms,
  startDocker: (host, registry) => startDockerDaemon(host, registry),
};
