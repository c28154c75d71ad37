/**
 * The small parsers libxtables shares between iptables' own options and its extensions.
 *
 * Models: libxtables/xtables.c `xtables_strtoul` (strtoumax with base 0: `0x1f`, `017`, `31`;
 * a leading `-` is refused), `__numeric_to_ipaddr` (dotted text with auto-completion: `10` is
 * 10.0.0.0, `10.1` is 10.1.0.0, each part read with base 0), `xtables_ipparse_multiple` (comma
 * lists, `/len` or dotted masks, host bits cleared with the mask), `xtables_parse_interface`
 * (the `+` wildcard), `xtables_parse_port`, and `xtables_parse_mark_mask`.
 *
 * Leaves out: DNS and /etc/networks lookups; the only name accepted for an address is
 * `localhost` (127.0.0.1), everything else fails as `host/network \`x' not found`.
 * Invariant: every address and mask returned is a normalised uint32 (`>>> 0`).
 */
import { formatIpv4 } from '../../packet/index.js';
import { paramProblem } from './errors.js';
import { serviceByName } from './names.js';

const MAX_UINT32 = 0xffff_ffff;

/**
 * `xtables_strtoul(s, NULL, &v, min, max)`: the whole string must be a number in base 0;
 * `max === undefined` means no upper bound. Returns undefined when invalid or out of range.
 */
export function strtoul(s: string, min: number, max?: number): number | undefined {
  const text = s.replace(/^\s+/, '');
  if (text.startsWith('-')) return undefined;
  let body = text.startsWith('+') ? text.slice(1) : text;
  let radix = 10;
  if (/^0[xX]/.test(body)) {
    radix = 16;
    body = body.slice(2);
    if (!/^[0-9a-fA-F]+$/.test(body)) return undefined;
  } else if (/^0[0-7]*$/.test(body) && body.length > 1) {
    radix = 8;
    body = body.slice(1);
  } else if (!/^[0-9]+$/.test(body)) {
    return undefined;
  }
  const v = parseInt(body, radix);
  if (!Number.isFinite(v) || v > Number.MAX_SAFE_INTEGER) return undefined;
  if (v < min || (max !== undefined && v > max)) return undefined;
  return v;
}

/** `__numeric_to_ipaddr`: dotted text; with `isMask` all four parts are required. */
export function numericToIpaddr(text: string, isMask: boolean): number | undefined {
  const parts = text.slice(0, 19).split('.');
  if (parts.length > 4) {
    // The C parser reads three dots and then the rest as one number, which fails.
    return undefined;
  }
  if (isMask && parts.length !== 4) return undefined;
  let ip = 0;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    const byte = part === undefined ? 0 : strtoul(part, 0, 255);
    if (byte === undefined) return undefined;
    ip = ip * 256 + byte;
  }
  return ip >>> 0;
}

/** A netmask of `bits` leading ones. */
export function maskOfBits(bits: number): number {
  return bits === 0 ? 0 : (MAX_UINT32 << (32 - bits)) >>> 0;
}

/** The prefix length of a contiguous mask, or undefined (iptables then prints the dotted mask). */
export function bitsOfMask(mask: number): number | undefined {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return Math.clz32(inverted);
}

function parseIpmask(text: string | undefined): number {
  if (text === undefined) return MAX_UINT32;
  const dotted = numericToIpaddr(text, true);
  if (dotted !== undefined) return dotted;
  const bits = strtoul(text, 0, 32);
  if (bits === undefined) paramProblem(`invalid mask \`${text}' specified`);
  return maskOfBits(bits);
}

function hostOrNetwork(name: string): number {
  const numeric = numericToIpaddr(name, false);
  if (numeric !== undefined) return numeric;
  if (name === 'localhost') return 0x7f00_0001;
  return paramProblem(`host/network \`${name}' not found`);
}

export interface AddrMask {
  readonly addr: number;
  readonly mask: number;
}

/** `xtables_ipparse_multiple`: `a[/m][,b[/m]...]`, each address ANDed with its mask. */
export function parseAddressList(text: string): AddrMask[] {
  const out: AddrMask[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item.length > 255) paramProblem('Hostname too long');
    const slash = item.lastIndexOf('/');
    const name = slash >= 0 ? item.slice(0, slash) : item;
    const mask = parseIpmask(slash >= 0 ? item.slice(slash + 1) : undefined);
    // "if a null mask is given, the name is ignored, like in any/0"
    const addr = mask === 0 ? 0 : hostOrNetwork(name);
    out.push({ addr: (addr & mask) >>> 0, mask });
  }
  return out;
}

/** One address with optional `/len`, for extension options such as `--ctorigdst` (XTTYPE_HOSTMASK). */
export function parseHostMask(text: string, ext: string, opt: string): AddrMask {
  const slash = text.lastIndexOf('/');
  const name = slash >= 0 ? text.slice(0, slash) : text;
  let mask = MAX_UINT32;
  if (slash >= 0) {
    const bits = strtoul(text.slice(slash + 1), 0, 32);
    if (bits === undefined) paramProblem(`${ext}: bad value for option "--${opt}", or out of range (0-32).\n`);
    mask = maskOfBits(bits);
  }
  const addr = numericToIpaddr(name, false) ?? (name === 'localhost' ? 0x7f00_0001 : undefined);
  if (addr === undefined) paramProblem(`getaddrinfo: Name or service not known\n`);
  // XTTYPE_HOSTMASK keeps the host bits; the kernel masks both sides when it compares.
  return { addr, mask };
}

export const IFNAMSIZ = 16;

export interface ParsedIface {
  readonly name: string;
  readonly wildcard: boolean;
}

/** `xtables_parse_interface`: a trailing `+` makes a prefix match; `+` alone matches any device. */
export function parseInterface(arg: string): ParsedIface {
  if (arg.length + 1 > IFNAMSIZ) {
    paramProblem(`interface name \`${arg}' must be shorter than IFNAMSIZ (${IFNAMSIZ - 1})`);
  }
  if (arg.endsWith('+')) return { name: arg.slice(0, -1), wildcard: true };
  return { name: arg, wildcard: false };
}

/** `xtables_parse_port`: a number 0..65535 or a service name. */
export function parsePort(text: string, _proto: string): number {
  const n = strtoul(text, 0, 0xffff);
  if (n !== undefined) return n;
  const byName = serviceByName(text);
  if (byName !== undefined) return byName;
  return paramProblem(`invalid port/service \`${text}' specified`);
}

/** `xtables_parse_mark_mask`: `value[/mask]`, both uint32 in base 0; the mask defaults to all ones. */
export function parseMarkMask(text: string, ext: string, opt: string): { readonly mark: number; readonly mask: number } {
  const bad = (): never => paramProblem(`${ext}: Bad value for "${opt}" option: "${text}"`);
  const slash = text.indexOf('/');
  const mark = strtoul(slash >= 0 ? text.slice(0, slash) : text, 0, MAX_UINT32) ?? bad();
  if (slash < 0) return { mark, mask: MAX_UINT32 };
  const mask = strtoul(text.slice(slash + 1), 0, MAX_UINT32) ?? bad();
  return { mark, mask };
}

/** XTTYPE_UINT32 and friends: `ext: bad value for option "--opt", or out of range (min-max).` */
export function parseUint(text: string, ext: string, opt: string, min: number, max: number): number {
  const v = strtoul(text, min, max);
  if (v === undefined) paramProblem(`${ext}: bad value for option "--${opt}", or out of range (${min}-${max}).\n`);
  return v;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `xtables_ipmask_to_numeric`: '' for /32, `/N` for a prefix, `/a.b.c.d` otherwise. */
export function ipmaskToNumeric(mask: number): string {
  const bits = bitsOfMask(mask);
  if (bits === undefined) return `/${formatIpv4(mask)}`;
  return bits === 32 ? '' : `/${bits}`;
}

/** `xtables_ipaddr_to_numeric(addr)` followed by `xtables_ipmask_to_numeric(mask)`. */
export function addrMaskText(a: AddrMask): string {
  return `${formatIpv4(a.addr)}${ipmaskToNumeric(a.mask)}`;
}

/** `xtables_save_string`: bare when only [-_0-9A-Za-z], else double-quoted with `"\\'` escaped. */
export function saveString(value: string): string {
  if (/^[-_0-9A-Za-z]+$/.test(value)) return ` ${value}`;
  return ` "${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}
