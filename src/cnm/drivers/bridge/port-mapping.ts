/**
 * Publishing an endpoint's ports on a bridge network: each requested binding becomes an IPv4
 * mapping (host address `0.0.0.0`, the network's `host_binding_ipv4`, or the one the user gave)
 * and, unless the user named an IPv4 host address, an IPv6 mapping on `::` that the userland
 * proxy serves with the container's IPv4 address; and the conntrack entries that could still
 * steer packets the old way are flushed.
 *
 * Models: libnetwork `drivers/bridge/port_mapping.go` (Docker 20.10): `allocatePorts`,
 * `allocatePortsInternal` (v4 then v6 per binding; on a failure the bindings made so far are
 * released), `validatePortBindingIPv4/IPv6`, `allocatePort` (up to 10 attempts for a dynamic
 * port, one for an explicit one), `releasePorts` (every binding, errors collected), `IsV6Listenable`;
 * and `bridge.go` `clearConntrackEntries` (`iptables.DeleteConntrackEntries`: flows with the
 * endpoint's address anywhere in either tuple; `DeleteConntrackEntriesByPort`: UDP flows to the
 * published host ports).
 *
 *   -p 8080:80   ->  tcp 0.0.0.0:8080 -> 172.17.0.2:80 (rules + docker-proxy)
 *                    tcp :::8080      -> 172.17.0.2:80 (docker-proxy only: no ip6tables)
 *   -p 127.0.0.1:8081:80 -> only the IPv4 mapping
 *
 * Leaves out: IPv6 container addresses (no ip6tables rules), telling an explicit `0.0.0.0` host
 * address from an omitted one (the driver API carries 0 for both; both get the `::` twin).
 */
import { conntrackIfAny, type NetNamespace } from '../../../kernel/index.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../../../packet/index.js';
import type { PortBinding } from '../../driver-api.js';
import { ok, system, type Result } from '../../errors.js';
import type { PortMapper, PortProto, StepListener } from '../../portmapper/index.js';

/** `maxAllocatePortAttempts`. */
export const MAX_ALLOCATE_PORT_ATTEMPTS = 10;

/** An operational binding (`types.PortBinding` after allocation): what `docker port` shows. */
export interface BoundPort {
  readonly proto: PortProto;
  readonly containerIp: Ipv4;
  readonly containerPort: number;
  /** `0.0.0.0`, `::`, `127.0.0.1`... as Go prints it. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly hostPortEnd: number;
}

export interface PortMappingContext {
  readonly v4: PortMapper;
  readonly v6: PortMapper;
  /** The network's `host_binding_ipv4`, or undefined for 0.0.0.0. */
  readonly defaultBindingIp: string | undefined;
  readonly userlandProxy: boolean;
  /** `IsV6Listenable`: `[::1]:0` can be listened on (false when the kernel booted with ipv6.disable=1). */
  readonly v6Listenable: boolean;
  readonly listener?: StepListener;
}

function isV4(ip: string): boolean {
  return parseIpv4(ip) !== undefined;
}

/** `validatePortBindingIPv4`: the IPv4 twin of a binding, if it has one. */
function v4Binding(b: PortBinding, containerIp: Ipv4, defHostIp: string): BoundPort | undefined {
  let hostIp: string;
  if (b.hostIp !== 0) hostIp = formatIpv4(b.hostIp);
  else if (!isV4(defHostIp)) return undefined;
  else hostIp = defHostIp;
  return { proto: b.proto, containerIp, containerPort: b.containerPort, hostIp, hostPort: b.hostPort, hostPortEnd: b.hostPortEnd === 0 ? b.hostPort : b.hostPortEnd };
}

/** `validatePortBindingIPv6`: with the userland proxy the `::` twin forwards to the IPv4 address. */
function v6Binding(b: PortBinding, containerIp: Ipv4 | undefined, defHostIp: string): BoundPort | undefined {
  if (containerIp === undefined || b.hostIp !== 0) return undefined;
  let hostIp: string;
  if (defHostIp === '0.0.0.0') hostIp = '::';
  else if (!isV4(defHostIp)) hostIp = defHostIp;
  else return undefined;
  return { proto: b.proto, containerIp, containerPort: b.containerPort, hostIp, hostPort: b.hostPort, hostPortEnd: b.hostPortEnd === 0 ? b.hostPort : b.hostPortEnd };
}

/** `allocatePort`: maps one binding, retrying a dynamic port; returns it with its host port. */
function allocatePort(ctx: PortMappingContext, bnd: BoundPort): Result<BoundPort> {
  const mapper = isV4(bnd.hostIp) ? ctx.v4 : ctx.v6;
  let last: Result<number> = system('no attempt made');
  for (let i = 0; i < MAX_ALLOCATE_PORT_ATTEMPTS; i++) {
    last = mapper.mapRange(bnd.proto, bnd.containerIp, bnd.containerPort, bnd.hostIp, bnd.hostPort, bnd.hostPortEnd, ctx.userlandProxy, ctx.listener);
    if (last.ok) break;
    // No point in immediately retrying an explicitly chosen port.
    if (bnd.hostPort !== 0) break;
  }
  if (!last.ok) return last;
  return ok({ ...bnd, hostPort: last.value });
}

/** `releasePortsInternal`: every binding is released; failures are collected, not fatal. */
export function releasePorts(ctx: Pick<PortMappingContext, 'v4' | 'v6'>, bindings: readonly BoundPort[]): Result<void> {
  let errors = '';
  for (const m of bindings) {
    const mapper = isV4(m.hostIp) ? ctx.v4 : ctx.v6;
    const r = mapper.unmap(m.proto, m.hostIp, m.hostPort);
    if (!r.ok) errors += `\ncould not release ${m.proto}/${m.hostIp}:${m.hostPort} because of ${r.error.message}`;
  }
  return errors === '' ? ok(undefined) : system(errors);
}

/** `allocatePorts`: all of an endpoint's bindings, all or nothing. */
export function allocatePorts(ctx: PortMappingContext, bindings: readonly PortBinding[], containerIp: Ipv4): Result<BoundPort[]> {
  const defHostIp = ctx.defaultBindingIp ?? '0.0.0.0';
  const bs: BoundPort[] = [];
  for (const c of bindings) {
    const b4 = v4Binding(c, containerIp, defHostIp);
    if (b4 !== undefined) {
      const r = allocatePort(ctx, b4);
      if (!r.ok) {
        releasePorts(ctx, bs);
        return r;
      }
      bs.push(r.value);
    }
    if (!ctx.v6Listenable) continue;
    // Without the proxy the `::` twin would need the container's IPv6 address, which it lacks here.
    const b6 = v6Binding(c, ctx.userlandProxy ? containerIp : undefined, defHostIp);
    if (b6 !== undefined) {
      const r = allocatePort(ctx, b6);
      if (!r.ok) {
        releasePorts(ctx, bs);
        return r;
      }
      bs.push(r.value);
    }
  }
  return ok(bs);
}

/**
 * `clearConntrackEntries`: flows that involve the endpoint's address in any tuple position, and
 * UDP flows to its published host ports, are deleted from the host's conntrack table.
 */
export function clearConntrackEntries(ns: NetNamespace, address: Ipv4 | undefined, bindings: readonly BoundPort[]): number {
  const table = conntrackIfAny(ns);
  if (table === undefined) return 0;
  let n = 0;
  if (address !== undefined) {
    n += table.killWhere(e => e.orig.src === address || e.orig.dst === address || e.reply.src === address || e.reply.dst === address).length;
  }
  const IPPROTO_UDP = 17;
  for (const b of bindings) {
    if (b.proto !== 'udp') continue;
    n += table.killWhere(e => e.orig.proto === IPPROTO_UDP && e.orig.dport === b.hostPort).length;
  }
  return n;
}
