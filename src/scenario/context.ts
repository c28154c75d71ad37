/**
 * Where a scenario's names point: a container, a host or an external becomes a namespace to run
 * programs in (with its files and userland), and a `to:` target becomes an address.
 *
 * Models: how a person addresses things in a lab: `docker exec c1 ...` runs inside the
 * container's namespace with busybox; `ssh host1 ...` runs in the host's root namespace with the
 * host's tools. Names resolve to the address a user would type: a container's first address, a
 * machine's eth0 address.
 * Leaves out: containers on hosts other than the step's host when names clash (the first host
 * that knows the name wins, in file order).
 */
import { formatIpv4, parseIpv4 } from '../packet/index.js';
import { runToCompletion, spawn, type FileSystem, type NetNamespace, type Process, type ProgramRegistry, type Userland } from '../kernel/index.js';
import type { Lab, Machine } from './machines.js';

/** A place to run a program. */
export interface Place {
  readonly label: string;
  readonly ns: NetNamespace;
  readonly fs: FileSystem;
  readonly hostname: string;
  readonly userland: Userland;
  readonly programs: ProgramRegistry;
  readonly machine: Machine;
}

/** Virtual time a program may run before it is killed (as `timeout 60` would). */
export const PROGRAM_LIMIT_NS = 60_000_000_000;

export class RunContext {
  constructor(readonly lab: Lab) {}

  machine(name: string): Machine | undefined {
    return this.lab.machines.get(name);
  }

  /** A container (searched on every Docker host in order), a host or an external. */
  place(name: string): Place | undefined {
    for (const m of this.lab.dockerHosts) {
      const c = m.docker?.containerContext(name);
      if (c !== undefined) {
        return { label: name, ns: c.ns, fs: c.fs, hostname: c.hostname, userland: 'busybox', programs: m.programs, machine: m };
      }
    }
    const m = this.machine(name);
    if (m === undefined) return undefined;
    return { label: name, ns: m.host.rootNs, fs: m.fs, hostname: m.host.hostname, userland: 'host', programs: m.programs, machine: m };
  }

  /** A container inside `machine` only (an exec step with both `on:` and `in:`). */
  containerOn(machine: Machine, name: string): Place | undefined {
    const c = machine.docker?.containerContext(name);
    if (c === undefined) return undefined;
    return { label: name, ns: c.ns, fs: c.fs, hostname: c.hostname, userland: 'busybox', programs: machine.programs, machine };
  }

  /** The address of a name or literal in a `to:` target. */
  address(name: string): number | undefined {
    const literal = parseIpv4(name);
    if (literal !== undefined) return literal;
    for (const m of this.lab.dockerHosts) {
      const c = m.docker?.containerContext(name);
      if (c !== undefined) return c.address;
    }
    return this.machine(name)?.address;
  }

  /** Runs `argv` at `place` until it exits (or is killed at the limit). */
  run(place: Place, argv: readonly string[], limitNs = PROGRAM_LIMIT_NS): Process {
    const proc = spawn(place.programs, { ns: place.ns, argv, fs: place.fs, userland: place.userland, hostname: place.hostname });
    runToCompletion(proc, limitNs);
    return proc;
  }
}

export function describeAddress(address: number | undefined): string {
  return address === undefined ? '(no address)' : formatIpv4(address);
}
