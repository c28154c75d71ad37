/**
 * The port mapper of one bridge network and address family: maps a container's transport address
 * to a host address and port, as three ordered steps, each undone when a later one fails:
 *
 *   1. allocate host port    PortAllocator.requestPortInRange(hostIp, proto, start, end)
 *   2. forwarding entry      the network's nat/filter chain (`ChainInfo.Forward`, appended rules)
 *   3. start proxy           docker-proxy (or the dummy listener without the userland proxy)
 *
 * and unmaps in the order libnetwork does (proxy stopped, rules deleted, port released).
 *
 * Models: libnetwork `portmapper/mapper.go` (`New`, `SetIptablesChain`, `MapRange`, `Unmap`,
 * `forward`: without a chain no rules are programmed, which is what the IPv6 mapper of a network
 * without ip6tables does; errors `port is already mapped to ip`, `port is not mapped`).
 * Leaves out: `ReMapAll` (firewalld reloads), SCTP rules beyond what the chain itself does.
 * Invariants: a mapping is in `current` iff its port is allocated, its rules are programmed (when
 * a chain is set) and its proxy runs.
 */
import type { Ipv4 } from '../../packet/index.js';
import { ok, system, type Result } from '../errors.js';
import type { ProxySpec, UserlandProxy } from './docker-proxy.js';
import type { PortAllocator, PortProto } from './port-allocator.js';

export const ERR_PORT_MAPPED_FOR_IP = 'port is already mapped to ip';
export const ERR_PORT_NOT_MAPPED = 'port is not mapped';

/** The chain a mapper appends its DNAT/ACCEPT/MASQUERADE rules to (`iptables.ChainInfo`). */
export interface ForwardingChain {
  forward(action: 'append' | 'delete', spec: ProxySpec): Result<void>;
}

/** Builds the proxy of a mapping: docker-proxy when `useProxy`, else the dummy listener. */
export type ProxyFactory = (spec: ProxySpec, useProxy: boolean) => UserlandProxy;

/** One live mapping (`mapping` in mapper.go). */
export interface PortMapping {
  readonly spec: ProxySpec;
  readonly proxy: UserlandProxy;
}

/** The named steps of one mapping, reported to the caller's log. */
export type MapStep = 'allocate host port' | 'program forwarding rules' | 'start userland proxy';

export type StepListener = (step: MapStep, outcome: 'applied' | 'failed' | 'undone', message?: string) => void;

function mappingKey(proto: string, hostIp: string, hostPort: number): string {
  return `${hostIp}:${hostPort}/${proto}`;
}

export class PortMapper {
  readonly allocator: PortAllocator;
  private readonly proxies: ProxyFactory;
  private chain: ForwardingChain | undefined = undefined;
  /** `bridgeName` of `SetIptablesChain`, for inspection. */
  bridgeName: string | undefined = undefined;
  private readonly current = new Map<string, PortMapping>();

  constructor(allocator: PortAllocator, proxies: ProxyFactory) {
    this.allocator = allocator;
    this.proxies = proxies;
  }

  /** `SetIptablesChain`. */
  setIptablesChain(chain: ForwardingChain | undefined, bridgeName: string | undefined): void {
    this.chain = chain;
    this.bridgeName = bridgeName;
  }

  /** Live mappings, in the order they were made. */
  mappings(): PortMapping[] {
    return [...this.current.values()];
  }

  /**
   * `MapRange`: maps `containerIp:containerPort/proto` to `hostIp` and a port of
   * `[hostPortStart, hostPortEnd]` (0, 0: a dynamic port). Returns the host port.
   */
  mapRange(
    proto: PortProto,
    containerIp: Ipv4,
    containerPort: number,
    hostIp: string,
    hostPortStart: number,
    hostPortEnd: number,
    useProxy: boolean,
    listener?: StepListener,
  ): Result<number> {
    let hostPort = 0;
    let spec: ProxySpec | undefined;
    let proxy: UserlandProxy | undefined;
    const steps: { name: MapStep; apply: () => Result<void>; undo: () => void }[] = [
      {
        name: 'allocate host port',
        apply: () => {
          const r = this.allocator.requestPortInRange(hostIp, proto, hostPortStart, hostPortEnd);
          if (!r.ok) return r;
          hostPort = r.value;
          spec = { proto, hostIp, hostPort, containerIp, containerPort };
          if (this.current.has(mappingKey(proto, hostIp, hostPort))) {
            this.allocator.releasePort(hostIp, proto, hostPort);
            return system(ERR_PORT_MAPPED_FOR_IP);
          }
          return ok(undefined);
        },
        undo: () => this.allocator.releasePort(hostIp, proto, hostPort),
      },
      {
        name: 'program forwarding rules',
        apply: () => (this.chain === undefined ? ok(undefined) : this.chain.forward('append', spec!)),
        undo: () => {
          this.chain?.forward('delete', spec!);
        },
      },
      {
        name: 'start userland proxy',
        apply: () => {
          proxy = this.proxies(spec!, useProxy);
          return proxy.start();
        },
        undo: () => proxy?.stop(),
      },
    ];
    const applied: typeof steps = [];
    for (const step of steps) {
      const r = step.apply();
      if (!r.ok) {
        listener?.(step.name, 'failed', r.error.message);
        for (const done of applied.reverse()) {
          done.undo();
          listener?.(done.name, 'undone');
        }
        return r;
      }
      applied.push(step);
      listener?.(step.name, 'applied');
    }
    this.current.set(mappingKey(proto, hostIp, hostPort), { spec: spec!, proxy: proxy! });
    return ok(hostPort);
  }

  /** `Unmap`: proxy stopped, rules deleted (failures only logged upstream), port released. */
  unmap(proto: PortProto, hostIp: string, hostPort: number): Result<void> {
    const key = mappingKey(proto, hostIp, hostPort);
    const m = this.current.get(key);
    if (m === undefined) return system(ERR_PORT_NOT_MAPPED);
    m.proxy.stop();
    this.current.delete(key);
    this.chain?.forward('delete', m.spec);
    this.allocator.releasePort(hostIp, proto, hostPort);
    return ok(undefined);
  }
}
