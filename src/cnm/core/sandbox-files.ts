/**
 * A sandbox's `/etc/hosts` and `/etc/resolv.conf`, and the external DNS servers its embedded
 * resolver forwards to, through their whole life: built when the sandbox is created, edited on
 * every join and leave, rewritten when the embedded DNS starts.
 *
 * Models: libnetwork `sandbox_dns_unix.go` (Docker 20.10):
 * - `buildHostsFile`: the defaults plus extra hosts, or, with `OptionOriginHostsPath` (host
 *   network), a copy of the host's file that is never edited afterwards.
 * - `setupDNS`: with `--dns`/`--dns-search`/`--dns-opt` a file built from them (missing parts
 *   taken from the host file, nameservers unfiltered) whose IPv4 servers are the upstreams as
 *   they are (`127.x` then means the container's own loopback); otherwise the upstreams are the
 *   host's IPv4 servers, loopback ones marked to be queried from the host namespace, and the file
 *   is the host's filtered by `FilterResolvDNS(content, true)`. With `OptionOriginResolvConfPath`
 *   (host network) the host's file is copied verbatim.
 * - `updateDNS(ipv6)`: on each join, unless the user configured DNS or the file changed since
 *   libnetwork last wrote it, re-filters it (dropping IPv6 servers on a network without IPv6).
 *   `rebuildDNS` does not record what it writes, so after the embedded DNS started the file
 *   counts as changed and `updateDNS` leaves `nameserver 127.0.0.11` alone, as upstream does
 *   through its hash file.
 * - `rebuildDNS`: `nameserver <resolver>` plus the file's IPv6 servers, its search list, its
 *   options plus the resolver's (`ndots:0`), unless the user set `ndots` (any value >= 0).
 * Leaves out: file paths, hash files (the last text written stands in for the hash) and the
 * `Refresh`/live-restore paths.
 */
import { err, ok, type Result } from '../errors.js';
import { addHosts, buildHosts, deleteHosts, ownHostsRecord, updateHosts, type HostsRecord } from './etc-hosts.js';
import type { EmbeddedResolver, ExternalDns } from './resolver-api.js';
import { buildResolvConf, filterResolvDns, getNameservers, getOptions, getSearchDomains } from './resolv-conf.js';

/** The sandbox options that shape these files (`OptionHostname`, `OptionDNS`, ...). */
export interface SandboxFilesConfig {
  readonly hostname: string;
  readonly domainname: string;
  readonly extraHosts: readonly HostsRecord[];
  readonly dns: readonly string[];
  readonly dnsSearch: readonly string[];
  readonly dnsOptions: readonly string[];
  /** `OptionOriginHostsPath`: the host's `/etc/hosts`, copied instead of building one. */
  readonly originHosts: string | undefined;
  /** `OptionOriginResolvConfPath`: the host's `/etc/resolv.conf`, copied as it is. */
  readonly originResolvConf: string | undefined;
}

/** What an undo needs to put the files back. */
export interface FilesSnapshot {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly written: string | undefined;
  readonly extDns: readonly ExternalDns[];
  readonly ndotsSet: boolean;
}

const IPV4_LOCALHOST = /127\.([0-9]{1,3}\.){2}[0-9]{1,3}/;
const ATOI = /^[+-]?[0-9]+$/;

export class SandboxFiles {
  readonly config: SandboxFilesConfig;
  /** The container's `/etc/hosts`. */
  hosts = '';
  /** The container's `/etc/resolv.conf`. */
  resolvConf = '';
  /** The upstream servers of the embedded DNS (`sb.extDNS`). */
  extDns: readonly ExternalDns[] = [];
  /** The user set `ndots` (`sb.ndotsSet`): single-label misses are not forwarded. */
  ndotsSet = false;
  /** The text libnetwork last wrote through setupDNS/updateDNS (what its hash file records). */
  #written: string | undefined;

  constructor(config: SandboxFilesConfig) {
    this.config = config;
  }

  get userDns(): boolean {
    return this.config.dns.length > 0 || this.config.dnsSearch.length > 0 || this.config.dnsOptions.length > 0;
  }

  /** `buildHostsFile` + `setupDNS`, from the host's resolv.conf text. */
  setup(hostResolvConf: string): void {
    this.hosts = this.config.originHosts ?? buildHosts(this.config.extraHosts);
    if (this.config.originResolvConf !== undefined) {
      this.resolvConf = this.config.originResolvConf;
      return;
    }
    if (this.userDns) {
      const dns = this.config.dns.length > 0 ? this.config.dns : getNameservers(hostResolvConf, 'ip');
      const search = this.config.dnsSearch.length > 0 ? this.config.dnsSearch : getSearchDomains(hostResolvConf);
      const options = this.config.dnsOptions.length > 0 ? this.config.dnsOptions : getOptions(hostResolvConf);
      this.resolvConf = buildResolvConf(dns, search, options);
      this.extDns = externalResolvers(this.resolvConf, false);
    } else {
      this.extDns = externalResolvers(hostResolvConf, true);
      this.resolvConf = filterResolvDns(hostResolvConf, true);
    }
    this.#written = this.resolvConf;
  }

  /** `updateHostsFile`: the own-address line for a network just joined. */
  updateHostsFile(ip: string | undefined): void {
    if (ip === undefined || this.config.originHosts !== undefined) return;
    this.addHostsEntries([ownHostsRecord(ip, this.config.hostname, this.config.domainname)]);
  }

  addHostsEntries(records: readonly HostsRecord[]): void {
    if (records.length > 0) this.hosts = addHosts(this.hosts, records);
  }

  deleteHostsEntries(records: readonly HostsRecord[]): void {
    this.hosts = deleteHosts(this.hosts, records);
  }

  /** `updateParentHosts` as seen from the parent: a linked child's name now has `ip`. */
  updateHostsAddress(ip: string, name: string): void {
    this.hosts = updateHosts(this.hosts, ip, name);
  }

  /** `updateDNS(ipv6Enabled)`. */
  updateDNS(ipv6Enabled: boolean): void {
    if (this.config.originResolvConf !== undefined || this.userDns) return;
    if (this.#written !== undefined && this.#written !== this.resolvConf) return;
    this.resolvConf = filterResolvDns(this.resolvConf, ipv6Enabled);
    this.#written = this.resolvConf;
  }

  /** `rebuildDNS`: the file pointing at the embedded resolver. */
  rebuildDNS(resolver: EmbeddedResolver): Result<void> {
    const current = this.resolvConf;
    if (this.extDns.length === 0) this.extDns = externalResolvers(current, false);
    const dns = [resolver.nameServer(), ...getNameservers(current, 'ipv6')];
    const options = getOptions(current);
    const search = getSearchDomains(current);
    const resolverOptions = resolver.resolverOptions();
    if (resolverOptions.some(o => o.includes('ndots'))) {
      for (const option of options) {
        if (!option.includes('ndots')) continue;
        const parts = option.split(':');
        if (parts.length !== 2) return err('system', `invalid ndots option ${option}`);
        const num = parts[1]!;
        if (!ATOI.test(num)) return err('system', `invalid number for ndots option: ${num}`);
        if (Number(num) < 0) return err('system', `invalid number for ndots option: ${Number(num)}`);
        this.ndotsSet = true;
        break;
      }
    }
    this.resolvConf = buildResolvConf(dns, search, this.ndotsSet ? options : [...options, ...resolverOptions]);
    return ok(undefined);
  }

  snapshot(): FilesSnapshot {
    return { hosts: this.hosts, resolvConf: this.resolvConf, written: this.#written, extDns: this.extDns, ndotsSet: this.ndotsSet };
  }

  restore(s: FilesSnapshot): void {
    this.hosts = s.hosts;
    this.resolvConf = s.resolvConf;
    this.#written = s.written;
    this.extDns = s.extDns;
    this.ndotsSet = s.ndotsSet;
  }
}

/** `setExternalResolvers(content, types.IPv4, checkLoopback)`. */
function externalResolvers(content: string, checkLoopback: boolean): ExternalDns[] {
  return getNameservers(content, 'ipv4').map(ip => ({ ip, hostLoopback: checkLoopback && IPV4_LOCALHOST.test(ip) }));
}
