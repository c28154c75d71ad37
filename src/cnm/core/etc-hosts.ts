/**
 * A container's `/etc/hosts` text as libnetwork builds and edits it.
 *
 * Models: libnetwork `etchosts/etchosts.go` (Docker 20.10): `Build` writes the six default
 * records and any extra records (`--add-host`, legacy `--link`), one `<ip>\t<names>\n` line
 * each; `Add` appends records; `Delete` drops lines that start with `<ip>\t` and end with
 * `\t<names>` (and, as upstream's scanner does, every empty line); `Update` rewrites the address
 * of a name (`OptionParentUpdate`, a linked child that got a new IP). The own-address line comes
 * from `sandbox_dns_unix.go` `updateHostsFile`: `<ip>\t<fqdn> <host>` when the hostname has a
 * domain, else `<ip>\t<hostname>`. `linkHostsRecord` is the daemon's `--link` entry
 * (moby@20.10 `daemon/container_operations.go` `buildSandboxOptions`: alias, the child's hostname,
 * and its name when that differs from the alias).
 *
 *   127.0.0.1\tlocalhost                         <- the six defaults
 *   ::1\tlocalhost ip6-localhost ip6-loopback
 *   ...
 *   172.17.0.3\tdb 5e4f1c2a9b7d db              <- --link db (extra hosts)
 *   172.17.0.2\t14c25256009a                     <- one line per joined network
 *
 * Leaves out: the per-path locks and the on-disk files (the sandbox holds the text).
 */

export interface HostsRecord {
  /** The names, space separated (`localhost ip6-localhost ip6-loopback`). */
  readonly hosts: string;
  readonly ip: string;
}

/** `defaultContent`. */
export const DEFAULT_HOSTS_RECORDS: readonly HostsRecord[] = [
  { hosts: 'localhost', ip: '127.0.0.1' },
  { hosts: 'localhost ip6-localhost ip6-loopback', ip: '::1' },
  { hosts: 'ip6-localnet', ip: 'fe00::0' },
  { hosts: 'ip6-mcastprefix', ip: 'ff00::0' },
  { hosts: 'ip6-allnodes', ip: 'ff02::1' },
  { hosts: 'ip6-allrouters', ip: 'ff02::2' },
];

/** `Record.WriteTo`. */
function line(r: HostsRecord): string {
  return `${r.ip}\t${r.hosts}\n`;
}

/** `Build(path, "", hostname, domainname, extraContent)` as libnetwork calls it: defaults, then extras. */
export function buildHosts(extra: readonly HostsRecord[]): string {
  return [...DEFAULT_HOSTS_RECORDS, ...extra].map(line).join('');
}

/** `Add`: the records appended. */
export function addHosts(content: string, records: readonly HostsRecord[]): string {
  return content + records.map(line).join('');
}

/** `Delete`: lines matching a record removed; empty lines dropped, `#` lines kept. */
export function deleteHosts(content: string, records: readonly HostsRecord[]): string {
  if (records.length === 0) return content;
  let out = '';
  for (const text of content.split('\n')) {
    if (text === '') continue;
    if (!text.startsWith('#') && records.some(r => text.endsWith(`\t${r.hosts}`) && text.startsWith(`${r.ip}\t`))) continue;
    out += `${text}\n`;
  }
  return out;
}

/** `Update`: every `<addr>\t<hostname>` followed by white space or a dot gets `ip` as address. */
export function updateHosts(content: string, ip: string, hostname: string): string {
  const quoted = hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return content.replace(new RegExp(`(\\S*)(\\t${quoted})(\\s|\\.)`, 'g'), `${ip}$2$3`);
}

/** `updateHostsFile`: the record of the container's own address on a network it joined. */
export function ownHostsRecord(ip: string, hostname: string, domainname: string): HostsRecord {
  const fqdn = domainname === '' ? hostname : `${hostname}.${domainname}`;
  const dot = fqdn.indexOf('.');
  return { ip, hosts: dot === -1 ? fqdn : `${fqdn} ${fqdn.slice(0, dot)}` };
}

/** The daemon's `--link name:alias` entry: alias, child hostname, and the child's name if different. */
export function linkHostsRecord(alias: string, childHostname: string, childName: string, ip: string): HostsRecord {
  const names = alias === childName ? `${alias} ${childHostname}` : `${alias} ${childHostname} ${childName}`;
  return { ip, hosts: names };
}
