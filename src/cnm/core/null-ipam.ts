/**
 * The `null` IPAM driver: one pool, 0.0.0.0/0, and no addresses at all (`--ipam-driver null`).
 *
 * Models: libnetwork `ipams/null/null.go` (Docker 20.10): address space `null`, pool ID
 * `null/0.0.0.0/0`; specific pools, sub-pools and IPv6 are refused with upstream's texts;
 * `RequestAddress` answers no address and no error.
 * Go answers a nil `*net.IPNet` there; the `Ipam` contract of this simulator always carries an
 * address, so this driver answers `NO_ADDRESS` (0.0.0.0/0), which the CNM core reads as "none"
 * (`isNoAddress`): the network gets no gateway and its endpoints no IPv4 address.
 * Leaves out: nothing.
 */
import type { Cidr } from '../../packet/index.js';
import {
  ipamError,
  ipamFail,
  ipamOk,
  NO_OPTIONS,
  type AddressSpaces,
  type Ipam,
  type IpamCapabilities,
  type IpamOptions,
  type IpamResult,
  type RequestAddressAnswer,
  type RequestPoolAnswer,
} from '../ipam/index.js';

const NULL_ADDRESS_SPACE = 'null';
const NULL_POOL: Cidr = { address: 0, prefix: 0 };
const NULL_POOL_ID = `${NULL_ADDRESS_SPACE}/0.0.0.0/0`;

/** The address the null driver answers with: Go's nil. */
export const NO_ADDRESS: Cidr = NULL_POOL;

/** Whether an IPAM answer stands for "no address" (Go's nil `*net.IPNet`). */
export function isNoAddress(c: Cidr): boolean {
  return c.address === 0 && c.prefix === 0;
}

const badRequest = <T>(message: string): IpamResult<T> => ipamFail(ipamError('invalidParameter', message));

export class NullIpam implements Ipam {
  getDefaultAddressSpaces(): IpamResult<AddressSpaces> {
    return ipamOk({ local: NULL_ADDRESS_SPACE, global: NULL_ADDRESS_SPACE });
  }

  requestPool(addressSpace: string, pool: string, subPool: string, _options: IpamOptions, v6: boolean): IpamResult<RequestPoolAnswer> {
    if (addressSpace !== NULL_ADDRESS_SPACE) return badRequest(`unknown address space: ${addressSpace}`);
    if (pool !== '') return badRequest('null ipam driver does not handle specific address pool requests');
    if (subPool !== '') return badRequest('null ipam driver does not handle specific address subpool requests');
    if (v6) return badRequest('null ipam driver does not handle IPv6 address pool pool requests');
    return ipamOk({ poolId: NULL_POOL_ID, pool: NULL_POOL, meta: NO_OPTIONS });
  }

  releasePool(): IpamResult<undefined> {
    return ipamOk(undefined);
  }

  requestAddress(poolId: string): IpamResult<RequestAddressAnswer> {
    if (poolId !== NULL_POOL_ID) return badRequest(`unknown pool id: ${poolId}`);
    return ipamOk({ address: NO_ADDRESS, meta: NO_OPTIONS });
  }

  releaseAddress(poolId: string): IpamResult<undefined> {
    if (poolId !== NULL_POOL_ID) return badRequest(`unknown pool id: ${poolId}`);
    return ipamOk(undefined);
  }

  capabilities(): IpamCapabilities {
    return { requiresMacAddress: false, requiresRequestReplay: false };
  }

  isBuiltIn(): boolean {
    return true;
  }
}
