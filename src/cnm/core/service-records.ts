/**
 * A network's service records: the names the embedded DNS answers on that network (A records)
 * and the names it gives addresses back (PTR records).
 *
 * Models: libnetwork `network.go` `updateSvcRecord`, `addSvcRecords`, `deleteSvcRecords`,
 * `ResolveName`, `ResolveIP`, `getSvcRecords` and `service_common.go` `addNameToIP` /
 * `addIPToName` (Docker 20.10, outside swarm mode), with `common/setmatrix` as the store:
 * - an endpoint with an address registers its name (or, when anonymous, its first alias) for
 *   both directions and each of its aliases (`--network-alias`, the short container id the
 *   daemon adds) as names only;
 * - names are keys in lower case (DNS is case-insensitive), the PTR name keeps its case and is
 *   answered as `<name>.<network>`; the first record of an address wins;
 * - a name shared by endpoints answers every address once (duplicates removed).
 * The ingress network has none (`addSvcRecords` returns early for it).
 * Leaves out: IPv6 records, service (VIP) and task records of swarm mode, and the
 * remote/local endpoint bookkeeping of the store watch.
 */
import { formatIpv4, type Ipv4 } from '../../packet/index.js';
import type { HostsRecord } from './etc-hosts.js';

interface NameEntry {
  readonly endpointId: string;
  readonly ip: Ipv4;
}

interface IpEntry {
  readonly endpointId: string;
  readonly name: string;
}

export class ServiceRecords {
  /** `svcMap`: lower-case name -> addresses, in registration order. */
  readonly #names = new Map<string, NameEntry[]>();
  /** `ipMap`: address -> names for PTR answers. */
  readonly #ips = new Map<Ipv4, IpEntry[]>();

  /** `addSvcRecords(eID, name, ..., ip, ipMapUpdate)`. */
  add(endpointId: string, name: string, ip: Ipv4, ptr: boolean): void {
    const key = name.toLowerCase();
    const list = this.#names.get(key) ?? [];
    if (!list.some(e => e.endpointId === endpointId && e.ip === ip)) list.push({ endpointId, ip });
    this.#names.set(key, list);
    if (!ptr) return;
    const names = this.#ips.get(ip) ?? [];
    if (!names.some(e => e.endpointId === endpointId && e.name === name)) names.push({ endpointId, name });
    this.#ips.set(ip, names);
  }

  /** `deleteSvcRecords` for every record of one endpoint. */
  removeEndpoint(endpointId: string): void {
    for (const [key, list] of this.#names) {
      const kept = list.filter(e => e.endpointId !== endpointId);
      if (kept.length === 0) this.#names.delete(key);
      else this.#names.set(key, kept);
    }
    for (const [ip, list] of this.#ips) {
      const kept = list.filter(e => e.endpointId !== endpointId);
      if (kept.length === 0) this.#ips.delete(ip);
      else this.#ips.set(ip, kept);
    }
  }

  clear(): void {
    this.#names.clear();
    this.#ips.clear();
  }

  /** Whether `name` (any case, trailing dot allowed) is a record here. */
  has(name: string): boolean {
    return this.#names.has(normalise(name));
  }

  /** `ResolveName` for A queries: the addresses of a name, each once. */
  lookup(name: string): Ipv4[] {
    const out: Ipv4[] = [];
    for (const e of this.#names.get(normalise(name)) ?? []) if (!out.includes(e.ip)) out.push(e.ip);
    return out;
  }

  /** `ResolveIP`: the PTR name of an address (without the network suffix). */
  ptr(ip: Ipv4): string | undefined {
    return this.#ips.get(ip)?.[0]?.name;
  }

  /** `getSvcRecords(ep)`: every record whose first label is not `endpointName`, as hosts records. */
  hostsRecordsExcept(endpointName: string): HostsRecord[] {
    const out: HostsRecord[] = [];
    for (const [key, list] of this.#names) {
      if (key.split('.')[0] === endpointName) continue;
      for (const e of list) out.push({ hosts: key, ip: formatIpv4(e.ip) });
    }
    return out;
  }

  /** Every name with its addresses, sorted by name (for dumps and tests). */
  entries(): [string, Ipv4[]][] {
    return [...this.#names.keys()].sort().map(k => [k, this.lookup(k)]);
  }
}

function normalise(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}
