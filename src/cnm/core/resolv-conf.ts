/**
 * `/etc/resolv.conf` text as libnetwork reads, filters and writes it for containers.
 *
 * Models: libnetwork `resolvconf/resolvconf.go` (Docker 20.10) with its regular expressions
 * carried over as they are, and `resolvconf/dns/resolvconf.go` (`IPLocalhost`):
 * - `FilterResolvDNS`: removes `nameserver 127.x.x.x` and `::1` lines (and IPv6 nameservers when
 *   the network has no IPv6); when no nameserver is left it appends
 *   `"\n" + "nameserver 8.8.8.8\nnameserver 8.8.4.4"` (plus Google's IPv6 pair with IPv6) to
 *   whatever remains. The quirks are kept: the appended block starts with a newline (so a file
 *   that ends in one gets an empty line) and has no trailing newline.
 * - `GetNameservers` / `GetSearchDomains` / `GetOptions`: text after `#` on a line is ignored;
 *   the last `search` and `options` lines win.
 * - `Build`: `search ...`, then one `nameserver` line each, then `options ...`.
 * Leaves out: the hash files (the sandbox keeps the last text it wrote instead, see
 * `sandbox-files.ts`) and reading `/etc/resolv.conf` from disk: the host's text comes from the
 * simulated host (`hostResolvConf`).
 */

const IPV4_NUM_BLOCK = '(25[0-5]|(2[0-4]|1[0-9]|[1-9])?[0-9])';
const IPV4_ADDRESS = `(${IPV4_NUM_BLOCK}\\.){3}${IPV4_NUM_BLOCK}`;
/** A superset of IPv6 text, exactly as upstream accepts it. */
const IPV6_ADDRESS = '([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\\w+)?';
/** `dns.IPLocalhost`: the `$` binds to the `::1` branch only, as in Go. */
const IP_LOCALHOST = '((127\\.([0-9]{1,3}\\.){2}[0-9]{1,3})|(::1)$)';

const LOCALHOST_NS = new RegExp(`^nameserver\\s+${IP_LOCALHOST}\\s*\\n*`, 'gm');
const NS_IPV6 = new RegExp(`^nameserver\\s+${IPV6_ADDRESS}\\s*\\n*`, 'gm');
const NS_ANY = new RegExp(`^\\s*nameserver\\s*((${IPV4_ADDRESS})|(${IPV6_ADDRESS}))\\s*$`);
const NS_IPV6_MATCH = new RegExp(`^\\s*nameserver\\s*((${IPV6_ADDRESS}))\\s*$`);
const NS_IPV4_MATCH = new RegExp(`^\\s*nameserver\\s*((${IPV4_ADDRESS}))\\s*$`);
const SEARCH = /^\s*search\s*((\S+\s*)*)$/;
const OPTIONS = /^\s*options\s*((\S+\s*)*)$/;

/** Google's public resolvers, used when a container would otherwise have none. */
export const DEFAULT_IPV4_DNS: readonly string[] = ['8.8.8.8', '8.8.4.4'];
export const DEFAULT_IPV6_DNS: readonly string[] = ['2001:4860:4860::8888', '2001:4860:4860::8844'];

/** `types.IP` / `types.IPv4` / `types.IPv6` as `GetNameservers` takes them. */
export type NameserverKind = 'ip' | 'ipv4' | 'ipv6';

/** `getLines`: the file's lines with everything from `#` on removed. */
function lines(content: string): string[] {
  return content.split('\n').map(line => {
    const hash = line.indexOf('#');
    return hash === -1 ? line : line.slice(0, hash);
  });
}

/** `GetNameservers`: the nameserver addresses of one kind, in file order. */
export function getNameservers(content: string, kind: NameserverKind): string[] {
  const re = kind === 'ip' ? NS_ANY : kind === 'ipv4' ? NS_IPV4_MATCH : NS_IPV6_MATCH;
  const out: string[] = [];
  for (const line of lines(content)) {
    const m = re.exec(line);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** `GetSearchDomains`: the fields of the last `search` line. */
export function getSearchDomains(content: string): string[] {
  return lastFields(content, SEARCH);
}

/** `GetOptions`: the fields of the last `options` line. */
export function getOptions(content: string): string[] {
  return lastFields(content, OPTIONS);
}

function lastFields(content: string, re: RegExp): string[] {
  let fields: string[] = [];
  for (const line of lines(content)) {
    const m = re.exec(line);
    if (m !== null) fields = (m[1] ?? '').split(/\s+/).filter(f => f !== '');
  }
  return fields;
}

/** `FilterResolvDNS`: the container's copy of a resolv.conf without loopback nameservers. */
export function filterResolvDns(content: string, ipv6Enabled: boolean): string {
  let cleaned = content.replace(LOCALHOST_NS, '');
  if (!ipv6Enabled) cleaned = cleaned.replace(NS_IPV6, '');
  if (getNameservers(cleaned, 'ip').length === 0) {
    const dns = ipv6Enabled ? [...DEFAULT_IPV4_DNS, ...DEFAULT_IPV6_DNS] : DEFAULT_IPV4_DNS;
    cleaned += `\n${dns.map(ns => `nameserver ${ns}`).join('\n')}`;
  }
  return cleaned;
}

/** `Build`: a resolv.conf from its parts. */
export function buildResolvConf(dns: readonly string[], search: readonly string[], options: readonly string[]): string {
  let content = '';
  if (search.length > 0) {
    const text = search.join(' ');
    if (text.trim() !== '.') content += `search ${text}\n`;
  }
  for (const ns of dns) content += `nameserver ${ns}\n`;
  if (options.length > 0) {
    const text = options.join(' ');
    if (text.trim() !== '') content += `options ${text}\n`;
  }
  return content;
}

/** The host's `/etc/resolv.conf` when only its nameservers are known: one line each. */
export function hostResolvConf(nameservers: readonly string[]): string {
  return nameservers.map(ns => `nameserver ${ns}\n`).join('');
}
