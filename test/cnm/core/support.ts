// Shared pieces for the CNM core tests: a world with one Docker host, a fake network driver that
// records every call and plumbs veth pairs the way the bridge driver does (host end `vethN`,
// container end `vcN`, gateway = the network's IPAM gateway), and readers for the reference
// captures in /work/shared/reference/docker-20.10.
import { readFileSync } from 'node:fs';
import { World, installKernel, linkAdd, linkDel, linkSetUp, type Host } from '../../../src/kernel/index.js';
import { dockerMacForIpv4, type Cidr, type Ipv4 } from '../../../src/packet/index.js';
import {
  Controller,
  ok,
  type ControllerOptions,
  type DockerError,
  type EndpointOptions,
  type InterfaceInfo,
  type JoinInfo,
  type NetworkCreateRequest,
  type NetworkDriver,
  type Result,
} from '../../../src/cnm/index.js';

export type DriverCall =
  | 'createNetwork'
  | 'deleteNetwork'
  | 'createEndpoint'
  | 'deleteEndpoint'
  | 'join'
  | 'leave'
  | 'programExternalConnectivity'
  | 'revokeExternalConnectivity';

interface FakeNetwork {
  readonly name: string;
  readonly gateway: Ipv4 | undefined;
  readonly internal: boolean;
}

/** A bridge-like driver that records calls as `<call> <network name>/<endpoint id 6>`. */
export class FakeDriver implements NetworkDriver {
  readonly type: string;
  readonly builtIn = true;
  readonly capability = { dataScope: 'local', connectivityScope: 'local' } as const;
  readonly calls: string[] = [];
  readonly networks = new Map<string, FakeNetwork>();
  readonly endpoints = new Map<string, { readonly nid: string; readonly host: string; readonly ctr: string }>();
  /** Calls that fail, with the error they return. */
  readonly failures = new Map<DriverCall, DockerError>();
  /** Networks (by name) whose endpoints report an IPv6 gateway at Join. */
  readonly ipv6Gateways = new Set<string>();
  #veths = 0;

  constructor(
    readonly host: Host,
    type = 'fake',
  ) {
    this.type = type;
  }

  failOn(call: DriverCall, message = 'boom', kind: DockerError['kind'] = 'system'): void {
    this.failures.set(call, { kind, message });
  }

  #record(call: DriverCall, nid: string, eid?: string): Result<void> {
    const name = this.networks.get(nid)?.name ?? nid.slice(0, 6);
    this.calls.push(eid === undefined ? `${call} ${name}` : `${call} ${name}/${eid.slice(0, 6)}`);
    const failure = this.failures.get(call);
    return failure === undefined ? ok(undefined) : { ok: false, error: failure };
  }

  createNetwork(req: NetworkCreateRequest): Result<void> {
    this.networks.set(req.networkId, { name: req.name, gateway: req.ipv4[0]?.gateway?.address, internal: req.internal });
    const r = this.#record('createNetwork', req.networkId);
    if (!r.ok) this.networks.delete(req.networkId);
    return r;
  }

  deleteNetwork(nid: string): Result<void> {
    const r = this.#record('deleteNetwork', nid);
    if (r.ok) this.networks.delete(nid);
    return r;
  }

  createEndpoint(nid: string, eid: string, iface: InterfaceInfo, _options: EndpointOptions): Result<void> {
    const r = this.#record('createEndpoint', nid, eid);
    if (!r.ok) return r;
    const n = ++this.#veths;
    const host = `veth${n}`;
    const ctr = `vc${n}`;
    linkAdd(this.host.rootNs, { type: 'veth', name: host, peer: ctr });
    linkSetUp(this.host.rootNs, host);
    this.endpoints.set(eid, { nid, host, ctr });
    if (iface.mac === undefined && iface.address !== undefined) iface.mac = dockerMacForIpv4(iface.address.address);
    return ok(undefined);
  }

  deleteEndpoint(nid: string, eid: string): Result<void> {
    const r = this.#record('deleteEndpoint', nid, eid);
    if (!r.ok) return r;
    const ep = this.endpoints.get(eid);
    if (ep !== undefined && this.host.rootNs.device(ep.host) !== undefined) linkDel(this.host.rootNs, ep.host);
    this.endpoints.delete(eid);
    return ok(undefined);
  }

  join(nid: string, eid: string, _sandbox: unknown, info: JoinInfo, _options: EndpointOptions): Result<void> {
    const r = this.#record('join', nid, eid);
    if (!r.ok) return r;
    const ep = this.endpoints.get(eid);
    const net = this.networks.get(nid);
    if (ep !== undefined) {
      info.srcName = ep.ctr;
      info.dstPrefix = 'eth';
    }
    if (net !== undefined && !net.internal) info.gateway = net.gateway;
    if (net !== undefined && this.ipv6Gateways.has(net.name)) info.gatewayIPv6 = 'fe90::1';
    return ok(undefined);
  }

  leave(nid: string, eid: string): Result<void> {
    return this.#record('leave', nid, eid);
  }

  programExternalConnectivity(nid: string, eid: string, _options: EndpointOptions): Result<void> {
    return this.#record('programExternalConnectivity', nid, eid);
  }

  revokeExternalConnectivity(nid: string, eid: string): Result<void> {
    return this.#record('revokeExternalConnectivity', nid, eid);
  }
}

export interface Daemon {
  readonly world: World;
  readonly host: Host;
  readonly controller: Controller;
  readonly driver: FakeDriver;
}

/** One host with its kernel, a controller, and the fake driver registered as `type`. */
export function daemon(options: ControllerOptions & { readonly nameservers?: string[]; readonly type?: string } = {}): Daemon {
  const world = new World({ seed: 7 });
  const host = world.addHost('host1');
  installKernel(host);
  host.nameservers = options.nameservers ?? ['10.255.255.53'];
  const controller = new Controller(host, options);
  const driver = new FakeDriver(host, options.type ?? 'fake');
  controller.registerDriver(driver.type, () => driver);
  return { world, host, controller, driver };
}

/** Unwraps a result, failing the test with Docker's message. */
export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected error (${r.error.kind}): ${r.error.message}`);
  return r.value;
}

/** The error of a result that must have failed. */
export function failure<T>(r: Result<T>): DockerError {
  if (r.ok) throw new Error('expected an error, got success');
  return r.error;
}

export function cidr(address: Ipv4, prefix: number): Cidr {
  return { address, prefix };
}

const REFERENCE = '/work/shared/reference/docker-20.10';

/** The output of the one command in a capture file: between the `$ ...` line and `[exit=N]`. */
export function capturedOutput(relative: string): string {
  const text = readFileSync(`${REFERENCE}/${relative}`, 'utf8');
  const lines = text.split('\n');
  const end = lines.findIndex(l => /^\[exit=\d+\]$/.test(l));
  return lines.slice(1, end).map(l => `${l}\n`).join('');
}
