/**
 * What a network asks of its IPAM driver: pools, gateways and auxiliary addresses when it is
 * created, their release when it is deleted, and one IPv4 address per endpoint.
 *
 * Models: libnetwork `network.go` (Docker 20.10) `ipamAllocateVersion`, `ipamReleaseVersion`,
 * `IpamConf.Validate`, `requestPoolHelper` (the host-overlap retry, via the IPAM module's helper,
 * for every network that is not global-scope) and `endpoint.go` `assignAddressVersion`:
 *
 *   per config entry:  validate gateway text   -> invalid gateway address <g> in Ipam configuration
 *                      RequestPool             -> the driver's error as it is
 *                      gateway (meta or RequestAddress, RequestAddressType=com.docker.network.gateway)
 *                                              -> failed to allocate gateway (<g>): <cause>
 *                      aux addresses           -> auxiliary address: (<k>:<v>) must belong to the master pool: <pool>
 *   endpoint address:  pools in order, skipping those without the preferred IP
 *                      -> Invalid address <ip>: It does not belong to any of this network's subnets
 *                      -> no available IPv4 addresses on this network's address pools: <name> (<id>)
 *
 * Each config entry's work is a step with its undo, so a failure releases what was taken.
 * Leaves out: IPv6 (refused earlier by the controller) and IPv6 deferred allocation, the
 * `RequiresMACAddress` capability, non-IPv4 text in `--aux-address`/`--gateway` (Go parses IPv6
 * there and fails later; here it is "non parsable"/"invalid" at once).
 */
import { cidrContains, formatCidr, formatIpv4, isCidr, parseCidr, parseIpv4, type Cidr, type Ipv4 } from '../../packet/index.js';
import { err, ok, type DockerError, type Result } from '../errors.js';
import {
  GATEWAY_ADDRESS_TYPE,
  IPAM_ERRORS,
  NO_OPTIONS,
  REQUEST_ADDRESS_TYPE,
  parsePoolId,
  requestPoolHelper,
  type HostReserved,
  type Ipam,
  type IpamError,
  type IpamOptions,
} from '../ipam/index.js';
import { isNoAddress } from './null-ipam.js';
import type { Step } from './steps.js';

/** One `--subnet`/`--ip-range`/`--gateway`/`--aux-address` group (`IpamConf`). */
export interface IpamConfig {
  readonly subnet?: string;
  readonly ipRange?: string;
  readonly gateway?: string;
  /** Name to address, in the order given (Go iterates its map in random order). */
  readonly auxAddresses?: ReadonlyMap<string, string>;
}

/** What IPAM handed out for one config entry (`IpamInfo`). */
export interface IpamInfo {
  readonly addressSpace: string;
  readonly poolId: string;
  readonly pool: Cidr;
  /** With the pool's prefix length (`172.18.0.1/16`); none from the null driver. */
  readonly gateway: Cidr | undefined;
  readonly auxAddresses: ReadonlyMap<string, Cidr>;
  readonly meta: IpamOptions;
}

export interface IpamRequest {
  readonly ipam: Ipam;
  readonly addressSpace: string;
  readonly configs: readonly IpamConfig[];
  readonly options: IpamOptions;
  readonly networkName: string;
  /** The host check for default pools; undefined for global-scope networks. */
  readonly hostReserved: HostReserved | undefined;
}

function fromIpam(e: IpamError): DockerError {
  return { kind: e.kind, message: e.message };
}

const GATEWAY_OPTIONS: IpamOptions = Object.freeze({ [REQUEST_ADDRESS_TYPE]: GATEWAY_ADDRESS_TYPE });

/** The steps of `ipamAllocateVersion(4)`; each entry's result is pushed to `out` as it is made. */
export function ipamAllocateSteps(req: IpamRequest, out: IpamInfo[]): Step[] {
  const configs = req.configs.length === 0 ? [{}] : req.configs;
  return configs.map((cfg, i): Step => {
    let taken: IpamInfo | undefined;
    return {
      name: `allocate IPv4 pool ${i}`,
      apply: () => {
        const r = allocateOne(req, cfg);
        if (!r.ok) return r;
        taken = r.value;
        out.push(taken);
        return ok(undefined);
      },
      undo: () => {
        if (taken === undefined) return;
        releaseOne(req.ipam, taken);
        out.splice(out.indexOf(taken), 1);
      },
    };
  });
}

function allocateOne(req: IpamRequest, cfg: IpamConfig): Result<IpamInfo> {
  const { ipam } = req;
  const cfgGateway = cfg.gateway ?? '';
  const userGateway = cfgGateway === '' ? undefined : parseIpv4(cfgGateway);
  if (cfgGateway !== '' && userGateway === undefined) return err('invalidParameter', `invalid gateway address ${cfgGateway} in Ipam configuration`);
  const pool =
    req.hostReserved === undefined
      ? ipam.requestPool(req.addressSpace, cfg.subnet ?? '', cfg.ipRange ?? '', req.options, false)
      : requestPoolHelper(ipam, req.hostReserved, req.addressSpace, cfg.subnet ?? '', cfg.ipRange ?? '', req.options, false);
  if (!pool.ok) return { ok: false, error: fromIpam(pool.error) };
  const { poolId, pool: master, meta } = pool.value;
  const undoPool = (): void => void ipam.releasePool(poolId);

  let gateway: Cidr | undefined;
  const metaGateway = meta[GATEWAY_ADDRESS_TYPE];
  if (metaGateway !== undefined) {
    const parsed = parseCidr(metaGateway);
    if (!isCidr(parsed)) {
      undoPool();
      return err('invalidParameter', `failed to parse gateway address (${metaGateway}) returned by ipam driver: ${parsed.error}`);
    }
    gateway = parsed;
  }
  if (cfgGateway !== '' || gateway === undefined) {
    const gw = ipam.requestAddress(poolId, userGateway, GATEWAY_OPTIONS);
    if (!gw.ok) {
      undoPool();
      return systemWrap(gw.error, `failed to allocate gateway (${cfgGateway}): `);
    }
    gateway = isNoAddress(gw.value.address) ? undefined : gw.value.address;
  }

  const aux = new Map<string, Cidr>();
  const undoAll = (): void => {
    for (const a of aux.values()) ipam.releaseAddress(poolId, a.address);
    if (gateway !== undefined) ipam.releaseAddress(poolId, gateway.address);
    undoPool();
  };
  for (const [k, v] of cfg.auxAddresses ?? []) {
    const ip = parseIpv4(v);
    if (ip === undefined) {
      undoAll();
      return err('invalidParameter', `non parsable secondary ip address (${k}:${v}) passed for network ${req.networkName}`);
    }
    if (!cidrContains(master, ip)) {
      undoAll();
      return err('forbidden', `auxiliary address: (${k}:${v}) must belong to the master pool: ${formatCidr(master)}`);
    }
    const r = ipam.requestAddress(poolId, ip, NO_OPTIONS);
    if (r.ok) {
      if (!isNoAddress(r.value.address)) aux.set(k, r.value.address);
    } else if (r.error !== IPAM_ERRORS.ipOutOfRange) {
      undoAll();
      return systemWrap(r.error, `failed to allocate secondary ip address (${k}:${v}): `);
    }
  }
  return ok({ addressSpace: req.addressSpace, poolId, pool: master, gateway, auxAddresses: aux, meta });
}

/** libnetwork's `types.InternalErrorf("...: %v", err)`: a 500 whatever the cause's class. */
function systemWrap<T>(cause: IpamError, prefix: string): Result<T> {
  return err('system', `${prefix}${cause.message}`);
}

/** `ipamReleaseVersion` for one entry: gateway, aux addresses inside the pool, then the pool. */
export function releaseOne(ipam: Ipam, info: IpamInfo): void {
  if (info.gateway !== undefined) ipam.releaseAddress(info.poolId, info.gateway.address);
  for (const a of info.auxAddresses.values()) if (cidrContains(info.pool, a.address)) ipam.releaseAddress(info.poolId, a.address);
  ipam.releasePool(info.poolId);
}

/**
 * Takes back exactly what `releaseOne` gave up (the undo of a network delete that failed later):
 * the same pool by its ID's subnet and range, the same gateway and aux addresses. Works for pool
 * IDs in the default driver's `<space>/<subnet>[/<range>]` form; others are left released.
 */
export function reacquireOne(ipam: Ipam, info: IpamInfo, options: IpamOptions): void {
  const key = parsePoolId(info.poolId);
  if (key === undefined) return;
  if (!ipam.requestPool(key.addressSpace, key.subnet, key.childSubnet, options, false).ok) return;
  if (info.gateway !== undefined) ipam.requestAddress(info.poolId, info.gateway.address, GATEWAY_OPTIONS);
  for (const a of info.auxAddresses.values()) ipam.requestAddress(info.poolId, a.address, NO_OPTIONS);
}

export interface AssignedAddress {
  readonly address: Cidr;
  readonly poolId: string;
}

/** `assignAddressVersion(4)`: an address from the first pool that has one (or holds `preferred`). */
export function assignIpv4(
  ipam: Ipam,
  infos: readonly IpamInfo[],
  preferred: Ipv4 | undefined,
  options: IpamOptions,
  network: { readonly name: string; readonly id: string },
): Result<AssignedAddress | undefined> {
  for (const d of infos) {
    if (preferred !== undefined && !cidrContains(d.pool, preferred)) continue;
    const r = ipam.requestAddress(d.poolId, preferred, options);
    if (r.ok) return ok(isNoAddress(r.value.address) ? undefined : { address: r.value.address, poolId: d.poolId });
    if (r.error !== IPAM_ERRORS.noAvailableIps || preferred !== undefined) return { ok: false, error: fromIpam(r.error) };
  }
  if (preferred !== undefined) {
    return err('invalidParameter', `Invalid address ${formatIpv4(preferred)}: It does not belong to any of this network's subnets`);
  }
  return err('system', `no available IPv4 addresses on this network's address pools: ${network.name} (${network.id})`);
}
