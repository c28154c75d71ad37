/**
 * Legacy container links (`docker run --link`) on a bridge with inter-container communication
 * off: for every exposed port of the linked (child) container, a pair of filter `DOCKER` rules lets
 * the parent reach that port and the replies come back; everything else between the two stays
 * blocked by `-A FORWARD -i <br> -o <br> -j DROP`.
 *
 * Models: libnetwork `drivers/bridge/link.go` (`newLink`, `Enable` with `-A`, `Disable` with
 * `-D` ignoring errors, `linkContainers`) and `bridge.go` `link` (the endpoint's parents, when it
 * exposes ports, and its children that expose ports), `iptables.go` `ChainInfo.Link`:
 *
 *   -A DOCKER -s 172.17.0.3/32 -d 172.17.0.2/32 -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
 *   -A DOCKER -s 172.17.0.2/32 -d 172.17.0.3/32 -i docker0 -o docker0 -p tcp -m tcp --sport 80 -j ACCEPT
 *
 * The parent and child endpoint ids come in the join options as upstream's generic data keys
 * `ParentEndpoints` and `ChildEndpoints`, comma-separated here.
 * Leaves out: firewalld reload replays (`iptables.OnReloaded`).
 */
import { formatIpv4, type Cidr } from '../../../packet/index.js';
import type { ExposedPort } from '../../driver-api.js';
import { ok, system, type Result } from '../../errors.js';
import type { ChainInfo } from './chain-info.js';

export const PARENT_ENDPOINTS = 'ParentEndpoints';
export const CHILD_ENDPOINTS = 'ChildEndpoints';

/** `containerConfiguration`. */
export interface ContainerConfiguration {
  readonly parentEndpoints: readonly string[];
  readonly childEndpoints: readonly string[];
}

/** What `link` needs to know of an endpoint. */
export interface LinkEndpoint {
  readonly addr: Cidr | undefined;
  readonly containerConfig: ContainerConfiguration | undefined;
  /** `extConnConfig.ExposedPorts`, undefined until external connectivity was programmed. */
  readonly exposedPorts: readonly ExposedPort[] | undefined;
}

/** `parseContainerOptions`: undefined when neither key is present. */
export function parseContainerOptions(generic: ReadonlyMap<string, string>): ContainerConfiguration | undefined {
  const parents = generic.get(PARENT_ENDPOINTS);
  const children = generic.get(CHILD_ENDPOINTS);
  if (parents === undefined && children === undefined) return undefined;
  const split = (v: string | undefined): string[] => (v === undefined ? [] : v.split(',').filter(s => s !== ''));
  return { parentEndpoints: split(parents), childEndpoints: split(children) };
}

/** `linkContainers`: one `Link` call per port. */
function linkContainers(chain: ChainInfo, enable: boolean, parentIp: string, childIp: string, ports: readonly ExposedPort[], bridge: string): Result<void> {
  for (const port of ports) {
    const r = chain.link(enable ? 'append' : 'delete', parentIp, childIp, port.port, port.proto, bridge);
    // Disable ignores errors.
    if (!r.ok && enable) return r;
  }
  return ok(undefined);
}

/**
 * `driver.link`: enables (at external connectivity) or disables (at leave) the link rules of
 * `ep` towards its parents and its children. A failing enable takes back what it added.
 */
export function programLinks(
  chain: ChainInfo,
  bridge: string,
  ep: LinkEndpoint,
  lookup: (eid: string) => LinkEndpoint | undefined,
  enable: boolean,
): Result<void> {
  const cc = ep.containerConfig;
  if (cc === undefined || ep.exposedPorts === undefined) return ok(undefined);
  const done: (() => void)[] = [];
  const apply = (parentIp: string, childIp: string, ports: readonly ExposedPort[]): Result<void> => {
    const r = linkContainers(chain, enable, parentIp, childIp, ports, bridge);
    if (r.ok && enable) done.push(() => void linkContainers(chain, false, parentIp, childIp, ports, bridge));
    return r;
  };
  const fail = (r: Result<void>): Result<void> => {
    for (const undo of done.reverse()) undo();
    return r;
  };
  const ip = (e: LinkEndpoint): string => (e.addr === undefined ? '' : formatIpv4(e.addr.address));
  if (ep.exposedPorts.length > 0) {
    for (const p of cc.parentEndpoints) {
      const parent = lookup(p);
      if (parent === undefined) return fail(system(`invalid endpoint id: ${p}`));
      const r = apply(ip(parent), ip(ep), ep.exposedPorts);
      if (!r.ok) return fail(r);
    }
  }
  for (const c of cc.childEndpoints) {
    const child = lookup(c);
    if (child === undefined) return fail(system(`invalid endpoint id: ${c}`));
    if (child.exposedPorts === undefined || child.exposedPorts.length === 0) continue;
    const r = apply(ip(ep), ip(child), child.exposedPorts);
    if (!r.ok) return fail(r);
  }
  return ok(undefined);
}
