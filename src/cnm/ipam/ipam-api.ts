/**
 * The IPAM contract: what libnetwork asks of any IPAM driver, built-in or remote plugin.
 *
 * Models: libnetwork `ipamapi/contract.go` and `ipamapi/labels.go` (Docker 20.10): the `Ipam`
 * interface, its capabilities, its option keys and its well-known errors with their exact text.
 * The same shapes are what the remote driver protocol carries as JSON (`IpamDriver.RequestPool`,
 * `IpamDriver.RequestAddress`, ...), so everything here is plain data: strings, numbers, records.
 *
 * Leaves out: IPv6 addresses (an `Ipv4` stands where Go passes a `net.IP`), `discoverapi`
 * notifications, and `IsBuiltIn`'s use by the controller. Pools and subpools stay strings, as in
 * Go, because the driver itself parses them and owns the parse errors.
 *
 * Errors are values (style.md, "Two kinds of error"). Each libnetwork error type maps to one kind:
 *   types.BadRequestError     -> invalidParameter     types.NotFoundError -> notFound
 *   types.ForbiddenError      -> forbidden            types.NoServiceError -> unavailable
 *   types.InternalError wrapping a parse error, and types.NotImplementedError -> invalidParameter
 * so `Pool overlaps ...` and `Address already in use` are `forbidden`, exactly as libnetwork's
 * `ErrPoolOverlap` and `ErrIPAlreadyAllocated` are ForbiddenErrors (HTTP 403 from the daemon).
 * `conflict` is in the union for drivers that report one; the default driver never does.
 */

import type { Cidr, Ipv4 } from '../../packet/index.js';

/** Docker's API error classes that an IPAM failure can carry. */
/** `system` is an untyped Go error (HTTP 500), as remote IPAM plugins return them (`remote: <err>`). */
export type IpamErrorKind = 'invalidParameter' | 'notFound' | 'conflict' | 'forbidden' | 'unavailable' | 'system';

export interface IpamError {
  readonly kind: IpamErrorKind;
  /** Docker's own text, as the daemon would print it after `Error response from daemon: `. */
  readonly message: string;
}

/** An expected outcome: the value, or an error with a kind. */
export type Result<T, E = IpamError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export type IpamResult<T> = Result<T, IpamError>;

export function ok<T>(value: T): IpamResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: IpamError): IpamResult<T> {
  return { ok: false, error };
}

export function ipamError(kind: IpamErrorKind, message: string): IpamError {
  return { kind, message };
}

/** `options` of RequestPool/RequestAddress and `meta` of their answers: string labels. */
export type IpamOptions = Readonly<Record<string, string>>;

export const NO_OPTIONS: IpamOptions = Object.freeze({});

/** Names of the built-in IPAM drivers (ipamapi.DefaultIPAM, ipamapi.NullIPAM). */
export const DEFAULT_IPAM = 'default';
export const NULL_IPAM = 'null';

/** The default driver's address spaces (ipam/allocator.go `localAddressSpace`, `globalAddressSpace`). */
export const LOCAL_DEFAULT_ADDRESS_SPACE = 'LocalDefault';
export const GLOBAL_DEFAULT_ADDRESS_SPACE = 'GlobalDefault';

/** Option key telling the driver what the address is for (ipamapi.RequestAddressType). */
export const REQUEST_ADDRESS_TYPE = 'RequestAddressType';
/** Value of `RequestAddressType` when libnetwork asks for the gateway (netlabel.Gateway). */
export const GATEWAY_ADDRESS_TYPE = 'com.docker.network.gateway';
/** Option key asking for serial (round-robin) allocation, value `"true"` (ipamapi.AllocSerialPrefix). */
export const ALLOC_SERIAL_PREFIX = 'com.docker.network.ipam.serial';

export interface AddressSpaces {
  readonly local: string;
  readonly global: string;
}

export interface IpamCapabilities {
  /** The driver wants the endpoint's MAC address in RequestAddress options. */
  readonly requiresMacAddress: boolean;
  /** The driver keeps no state across restarts: libnetwork replays its allocations at start-up. */
  readonly requiresRequestReplay: boolean;
}

export interface RequestPoolAnswer {
  /** Opaque to libnetwork; the default driver's form is `<space>/<subnet>[/<child>]`. */
  readonly poolId: string;
  /** The master pool with host bits cleared, e.g. 172.18.0.0/16. */
  readonly pool: Cidr;
  /** Driver labels; `com.docker.network.gateway` here would name the gateway. */
  readonly meta: IpamOptions;
}

export interface RequestAddressAnswer {
  /** The address with the pool's prefix length, e.g. 172.18.0.2/16. */
  readonly address: Cidr;
  readonly meta: IpamOptions;
}

/** ipamapi.Ipam: the methods libnetwork calls on an IPAM driver. */
export interface Ipam {
  getDefaultAddressSpaces(): IpamResult<AddressSpaces>;
  /**
   * A pool (`pool` in CIDR form, or `''` for one picked from the driver's defaults) with an
   * optional sub-range `subPool` for dynamic addresses (`--ip-range`).
   */
  requestPool(addressSpace: string, pool: string, subPool: string, options: IpamOptions, v6: boolean): IpamResult<RequestPoolAnswer>;
  releasePool(poolId: string): IpamResult<undefined>;
  /** An address from the pool: `preferred` if given and free, otherwise one the driver picks. */
  requestAddress(poolId: string, preferred: Ipv4 | undefined, options: IpamOptions): IpamResult<RequestAddressAnswer>;
  releaseAddress(poolId: string, address: Ipv4): IpamResult<undefined>;
  capabilities(): IpamCapabilities;
  isBuiltIn(): boolean;
}

/**
 * The well-known errors of ipamapi/contract.go (20.10 text and class) that the default driver
 * returns. Messages that embed values are built where they arise.
 */
export const IPAM_ERRORS = {
  invalidAddressSpace: ipamError('invalidParameter', 'Invalid Address Space'),
  invalidPool: ipamError('invalidParameter', 'Invalid Address Pool'),
  invalidSubPool: ipamError('invalidParameter', 'Invalid Address SubPool'),
  noAvailableIps: ipamError('unavailable', 'No available addresses on this pool'),
  ipAlreadyAllocated: ipamError('forbidden', 'Address already in use'),
  ipOutOfRange: ipamError('invalidParameter', 'Requested address is out of range'),
  poolOverlap: ipamError('forbidden', 'Pool overlaps with other one on this address space'),
  badPool: ipamError('invalidParameter', 'Address space does not contain specified address pool'),
} as const satisfies Record<string, IpamError>;

/** Go's `%q` for the strings that reach these messages (ASCII text; JSON escaping agrees with Go there). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}
