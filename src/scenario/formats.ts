/**
 * Field formats of the scenario file: names, underlay addresses, `to:` targets, `by:` and `passes:`
 * entries, regular expressions and inspect paths. Each check returns `undefined` when the text is
 * well formed, or a `FormatProblem` saying what was expected (and, when useful, why not).
 *
 * Models: Go's `net.ParseIP`/`net.ParseCIDR` for what Docker accepts as IPv4 text (strict dotted
 * quad, no leading zeros); the kernel's `dev_valid_name()` (net/core/dev.c: at most IFNAMSIZ-1 = 15
 * bytes, not `.` or `..`, no `/`, `:` or white space) for device names; iptables' built-in tables
 * (raw, mangle, nat, filter, security) and its chain name limit (XT_EXTENSION_MAXNAMELEN - 1 = 28).
 * Address arithmetic stays here on purpose: src/packet owns CIDR values for the simulation, this
 * file only decides whether the text a person wrote makes sense.
 *
 * A drop reason in `by:` must be one of the trace's closed set (`DROP_REASONS` in src/engine).
 *
 * Leaves out: IPv6 on the underlay (hosts and externals have IPv4 addresses; `dns` answers of type
 * AAAA are checked as IPv6 text with ipaddr.js).
 */
import ipaddr from 'ipaddr.js';
import { DROP_REASONS, isDropReason } from '../engine/index.js';
import { closestName } from './issues.js';

export interface FormatProblem {
  /** The phrase after "expected", e.g. `an IPv4 address with a prefix length, like 10.0.0.11/24`. */
  readonly expected: string;
  /** Why the text does not fit, when that is more than "it has another shape". */
  readonly detail?: string;
}

/** Names of hosts and externals: they appear in `on:`, `from:`, `to:` and `NAME:PORT`, so no `:`. */
export const MACHINE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const MACHINE_NAME = new RegExp(MACHINE_NAME_PATTERN);

/** iptables' tables in the order packets meet them. */
export const IPTABLES_TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;

const CHAIN_NAME = /^[A-Za-z0-9_.-]{1,28}$/;

export function checkMachineName(text: string): FormatProblem | undefined {
  if (MACHINE_NAME.test(text)) return undefined;
  return { expected: 'a name of letters, digits, "_", "." and "-", starting with a letter or digit, like host1' };
}

/** Parses strict dotted-quad IPv4 text into a 32-bit unsigned number. */
export function parseIpv4(text: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(text).octets;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function isIpv6(text: string): boolean {
  return text.includes(':') && ipaddr.IPv6.isValid(text);
}

/** An interface address with its prefix length: the address keeps its host bits. */
export interface HostCidr {
  readonly address: number;
  readonly prefix: number;
}

const HOST_CIDR_EXPECTED = 'an IPv4 address with a prefix length, like 10.0.0.11/24';

/** Parses `a.b.c.d/n`, which must name one host of the subnet (not its network or broadcast address). */
export function parseHostCidr(text: string): HostCidr | FormatProblem {
  const slash = text.indexOf('/');
  if (slash < 0) return { expected: HOST_CIDR_EXPECTED, detail: 'the prefix length "/n" is missing' };
  const address = parseIpv4(text.slice(0, slash));
  if (address === undefined) {
    return { expected: HOST_CIDR_EXPECTED, detail: `"${text.slice(0, slash)}" is not an IPv4 address` };
  }
  const prefixText = text.slice(slash + 1);
  const prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= 32)) {
    return { expected: HOST_CIDR_EXPECTED, detail: `the prefix length must be 0 to 32, not "${prefixText}"` };
  }
  // RFC 3021 lets both addresses of a /31 be hosts, and a /32 has only one; below that the
  // all-zeros and all-ones host parts are the network and broadcast addresses.
  if (prefix <= 30) {
    const hostMask = prefix === 0 ? 0xffff_ffff : ~maskOf(prefix) >>> 0;
    const host = (address & hostMask) >>> 0;
    if (host === 0) return { expected: HOST_CIDR_EXPECTED, detail: `${text} is the network address of its subnet` };
    if (host === hostMask) return { expected: HOST_CIDR_EXPECTED, detail: `${text} is the broadcast address of its subnet` };
  }
  return { address, prefix };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

export function inSubnet(cidr: HostCidr, address: number): boolean {
  const mask = maskOf(cidr.prefix);
  return ((cidr.address & mask) >>> 0) === ((address & mask) >>> 0);
}

export function formatIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

export function checkIpv4(text: string): FormatProblem | undefined {
  return parseIpv4(text) === undefined ? { expected: 'an IPv4 address like 10.0.0.1' } : undefined;
}

export function checkHostCidr(text: string): FormatProblem | undefined {
  const parsed = parseHostCidr(text);
  return 'expected' in parsed ? parsed : undefined;
}

/** Where `to:` points: a name (container, host, external), or an IPv4 address; either with a port. */
export interface Target {
  readonly name?: string;
  readonly address?: string;
  readonly port?: number;
}

const TARGET_EXPECTED = 'a container, host or external name, or an IPv4 address, optionally with :PORT, like web or host1:8080';

export function parseTarget(text: string): Target | FormatProblem {
  const colon = text.lastIndexOf(':');
  let subject = text;
  let port: number | undefined;
  if (colon >= 0) {
    subject = text.slice(0, colon);
    const portText = text.slice(colon + 1);
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
      return { expected: TARGET_EXPECTED, detail: `the port must be a number from 1 to 65535, not "${portText}"` };
    }
  }
  const withPort = port === undefined ? {} : { port };
  if (parseIpv4(subject) !== undefined) return { address: subject, ...withPort };
  if (MACHINE_NAME.test(subject)) return { name: subject, ...withPort };
  return { expected: TARGET_EXPECTED };
}

export function checkTarget(text: string): FormatProblem | undefined {
  const parsed = parseTarget(text);
  return 'expected' in parsed ? parsed : undefined;
}

const BY_EXPECTED =
  `table/chain (table one of ${IPTABLES_TABLES.join(', ')}) or a drop reason, ` +
  'like filter/DOCKER-ISOLATION-STAGE-2 or no-route';

/** `by:` names what decided a drop: an iptables `table/chain`, or a drop reason such as `no-route`. */
export function checkBy(text: string): FormatProblem | undefined {
  const slash = text.indexOf('/');
  if (slash >= 0) return checkTableChain(text, slash, BY_EXPECTED);
  if (isDropReason(text)) return undefined;
  const guess = closestName(text, DROP_REASONS);
  const known = guess === undefined ? `one of ${DROP_REASONS.join(', ')}` : `did you mean "${guess}"?`;
  return { expected: BY_EXPECTED, detail: `"${text}" is not a drop reason; ${known}` };
}

const PASS_EXPECTED = 'table/chain like nat/PREROUTING, or a device name like docker0 or eth0';

/** A `passes:` entry: an iptables `table/chain`, or a network device name. */
export function checkPassItem(text: string): FormatProblem | undefined {
  const slash = text.indexOf('/');
  if (slash >= 0) return checkTableChain(text, slash, PASS_EXPECTED);
  if (text.length > 0 && text.length <= 15 && text !== '.' && text !== '..' && !/[\s:]/.test(text)) {
    return undefined;
  }
  return { expected: PASS_EXPECTED, detail: 'a device name has 1 to 15 characters, no white space, ":" or "/"' };
}

function checkTableChain(text: string, slash: number, expected: string): FormatProblem | undefined {
  const table = text.slice(0, slash);
  const chain = text.slice(slash + 1);
  if (!(IPTABLES_TABLES as readonly string[]).includes(table)) {
    return { expected, detail: `"${table}" is not an iptables table` };
  }
  if (!CHAIN_NAME.test(chain)) return { expected, detail: `"${chain}" is not a chain name` };
  return undefined;
}

/**
 * Compiles a `matches:` pattern as the expectation runner will: a JavaScript regular expression
 * with the `m` flag, so `^` and `$` match at the start and end of every output line.
 */
export function compileMatcher(pattern: string): RegExp | FormatProblem {
  try {
    return new RegExp(pattern, 'm');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { expected: 'a regular expression (JavaScript syntax)', detail: why };
  }
}

export function checkRegex(pattern: string): FormatProblem | undefined {
  const compiled = compileMatcher(pattern);
  return compiled instanceof RegExp ? undefined : compiled;
}

/** `inspect.path`: dot-separated keys into `docker inspect` JSON, e.g. NetworkSettings.IPAddress. */
export function checkInspectPath(text: string): FormatProblem | undefined {
  if (text.length > 0 && text.split('.').every((part) => part.length > 0 && !/\s/.test(part))) return undefined;
  return { expected: 'a dot-separated path into docker inspect output, like NetworkSettings.Networks.brnet.IPAddress' };
}

const DNS_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A DNS name as a PTR answer gives it: labels of 1 to 63 characters, optionally a final dot. */
export function isDnsName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}
