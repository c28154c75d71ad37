/**
 * An IPAM plugin seen through libnetwork's IPAM interface: each call becomes an
 * `IpamDriver.<Method>` JSON request, and pools and addresses come back as CIDR strings.
 *
 * Models: libnetwork `ipams/remote/remote.go` and `ipams/remote/api/api.go` (Docker 20.10):
 *
 *   GetCapabilities          {RequiresMACAddress, RequiresRequestReplay}; a plugin without it has none
 *   GetDefaultAddressSpaces  {LocalDefaultAddressSpace, GlobalDefaultAddressSpace}
 *   RequestPool              {AddressSpace, Pool, SubPool, Options, V6} -> {PoolID, Pool, Data}
 *   ReleasePool              {PoolID}
 *   RequestAddress           {PoolID, Address ('' for any), Options} -> {Address, Data};
 *                            an empty Address is `No address returned` (ipamapi.ErrNoIPReturned)
 *   ReleaseAddress           {PoolID, Address}
 *
 * Errors are `remote: <Err>` or the plugin client's status errors, as untyped (HTTP 500) errors.
 * Leaves out: IPv6 pools (the core refuses them before IPAM is asked).
 */
import { formatIpv4, isCidr, parseCidr, type Ipv4 } from '../../../packet/index.js';
import type { Result as CnmResult } from '../../errors.js';
import {
  ipamError,
  type AddressSpaces,
  type Ipam,
  type IpamCapabilities,
  type IpamOptions,
  type IpamResult,
  type RequestAddressAnswer,
  type RequestPoolAnswer,
} from '../../ipam/index.js';
import { IPAM_DRIVER_ENDPOINT, type Plugin, type PluginHost } from './api.js';
import { Fields, callRemote } from './plugin-client.js';

function fromCnm<T>(r: CnmResult<T>): IpamResult<T> {
  return r.ok ? r : { ok: false, error: ipamError('system', r.error.message) };
}

function failed<T>(message: string): IpamResult<T> {
  return { ok: false, error: ipamError('system', message) };
}

/** `ipamapi.ErrNoIPReturned`: a NoServiceError. */
export const NO_IP_RETURNED = ipamError('unavailable', 'No address returned');

/** `getCapabilities` of an IPAM plugin: missing or failing means no special needs. */
export function ipamCapabilities(plugin: Plugin, host: PluginHost): IpamCapabilities {
  const r = callRemote(plugin, host, `${IPAM_DRIVER_ENDPOINT}.GetCapabilities`, null);
  if (!r.ok) return { requiresMacAddress: false, requiresRequestReplay: false };
  const f = new Fields(`${IPAM_DRIVER_ENDPOINT}.GetCapabilities`, r.value);
  const mac = f.bool('RequiresMACAddress');
  const replay = f.bool('RequiresRequestReplay');
  return { requiresMacAddress: mac.ok && mac.value, requiresRequestReplay: replay.ok && replay.value };
}

export class RemoteIpam implements Ipam {
  readonly name: string;
  readonly #plugin: Plugin;
  readonly #host: PluginHost;
  readonly #capabilities: IpamCapabilities;

  constructor(plugin: Plugin, host: PluginHost, capabilities: IpamCapabilities) {
    this.name = plugin.name;
    this.#plugin = plugin;
    this.#host = host;
    this.#capabilities = capabilities;
  }

  #call(method: string, request: unknown): IpamResult<Fields> {
    const full = `${IPAM_DRIVER_ENDPOINT}.${method}`;
    const r = fromCnm(callRemote(this.#plugin, this.#host, full, request));
    return r.ok ? { ok: true, value: new Fields(full, r.value) } : r;
  }

  getDefaultAddressSpaces(): IpamResult<AddressSpaces> {
    const r = this.#call('GetDefaultAddressSpaces', null);
    if (!r.ok) return r;
    const local = fromCnm(r.value.string('LocalDefaultAddressSpace'));
    if (!local.ok) return local;
    const global = fromCnm(r.value.string('GlobalDefaultAddressSpace'));
    if (!global.ok) return global;
    return { ok: true, value: { local: local.value, global: global.value } };
  }

  requestPool(addressSpace: string, pool: string, subPool: string, options: IpamOptions, v6: boolean): IpamResult<RequestPoolAnswer> {
    const r = this.#call('RequestPool', { AddressSpace: addressSpace, Pool: pool, SubPool: subPool, Options: { ...options }, V6: v6 });
    if (!r.ok) return r;
    const id = fromCnm(r.value.string('PoolID'));
    if (!id.ok) return id;
    const text = fromCnm(r.value.string('Pool'));
    if (!text.ok) return text;
    const data = fromCnm(r.value.stringMap('Data'));
    if (!data.ok) return data;
    const parsed = parseCidr(text.value);
    if (!isCidr(parsed)) return failed(parsed.error);
    return { ok: true, value: { poolId: id.value, pool: parsed, meta: data.value } };
  }

  releasePool(poolId: string): IpamResult<undefined> {
    const r = this.#call('ReleasePool', { PoolID: poolId });
    return r.ok ? { ok: true, value: undefined } : r;
  }

  requestAddress(poolId: string, preferred: Ipv4 | undefined, options: IpamOptions): IpamResult<RequestAddressAnswer> {
    const r = this.#call('RequestAddress', { PoolID: poolId, Address: preferred === undefined ? '' : formatIpv4(preferred), Options: { ...options } });
    if (!r.ok) return r;
    const text = fromCnm(r.value.string('Address'));
    if (!text.ok) return text;
    const data = fromCnm(r.value.stringMap('Data'));
    if (!data.ok) return data;
    if (text.value === '') return { ok: false, error: NO_IP_RETURNED };
    const parsed = parseCidr(text.value);
    if (!isCidr(parsed)) return failed(parsed.error);
    return { ok: true, value: { address: parsed, meta: data.value } };
  }

  releaseAddress(poolId: string, address: Ipv4): IpamResult<undefined> {
    const r = this.#call('ReleaseAddress', { PoolID: poolId, Address: formatIpv4(address) });
    return r.ok ? { ok: true, value: undefined } : r;
  }

  capabilities(): IpamCapabilities {
    return this.#capabilities;
  }

  isBuiltIn(): boolean {
    return false;
  }
}
