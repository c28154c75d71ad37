/**
 * The IPAM front door: the driver contract and Docker 20.10's default IPAM driver.
 *
 * Models: libnetwork `ipamapi/` (the contract), `ipam/` (the default driver), `bitseq/` (its
 * address bitmaps), `ipamutils/` (the predefined pools), and the host-overlap loop of
 * `network.go` `requestPoolHelper`. See each file's header.
 * Leaves out: the null driver, remote plugins (they implement `Ipam`), IPv6, persistence.
 * Invariants: this file is the only module other code imports from `src/cnm/ipam`.
 */

export {
  ALLOC_SERIAL_PREFIX,
  DEFAULT_IPAM,
  GATEWAY_ADDRESS_TYPE,
  GLOBAL_DEFAULT_ADDRESS_SPACE,
  IPAM_ERRORS,
  LOCAL_DEFAULT_ADDRESS_SPACE,
  NO_OPTIONS,
  NULL_IPAM,
  REQUEST_ADDRESS_TYPE,
  fail as ipamFail,
  goQuote,
  ipamError,
  ok as ipamOk,
  type AddressSpaces,
  type Ipam,
  type IpamCapabilities,
  type IpamError,
  type IpamErrorKind,
  type IpamOptions,
  type IpamResult,
  type RequestAddressAnswer,
  type RequestPoolAnswer,
  type Result,
} from './ipam-api.js';
export {
  GLOBAL_SCOPE_DEFAULT_NETWORKS,
  GLOBAL_SCOPE_DEFAULT_POOLS,
  LOCAL_SCOPE_DEFAULT_NETWORKS,
  LOCAL_SCOPE_DEFAULT_POOLS,
  PredefinedPools,
  splitNetworks,
  type NetworkToSplit,
} from './predefined-pools.js';
export { Bitmap, type BitmapError, type BitmapErrorCode, type BitmapResult } from './bitmap.js';
export { formatPoolId, parsePoolId, type AddressRange, type PoolView, type SubnetKey } from './address-space.js';
export { overlapsHost, requestPoolHelper, type HostReserved, type PoolRequester } from './request-pool-helper.js';
export { Allocator, type AllocatorOptions } from './allocator.js';
