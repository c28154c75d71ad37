/**
 * Port ranges as the tcp, udp and multiport extensions parse, save and print them.
 *
 * Models: extensions/libxt_tcp.c `parse_tcp_ports` (refuses min > max), libxtables
 * `xtopt_parse_mport` (the udp option type XTTYPE_PORTRC: `a:b`, `:b`, `a:`, `:`), the shared
 * `print_ports` / `print_port` of libxt_tcp.c and libxt_udp.c (`spt:80`, `dpts:1:1023`, service
 * names unless -n), and the kernel's `port_match` in net/netfilter/xt_tcpudp.c.
 * Leaves out: nothing beyond the service-name table of names.ts.
 * Invariant: a range is [min, max] with 0 <= min, max <= 65535; [0, 65535] means "any".
 */
import { paramProblem } from '../errors.js';
import { serviceByName, serviceByPort } from '../names.js';
import { strtoul } from '../xt-parse.js';

export type PortRange = readonly [number, number];

export const ANY_PORT: PortRange = [0, 0xffff];

/** libxt_tcp.c `parse_tcp_ports`. */
export function parseTcpPorts(text: string): PortRange {
  const one = (s: string): number => {
    const n = strtoul(s, 0, 0xffff) ?? serviceByName(s);
    if (n === undefined) paramProblem(`invalid port/service \`${s}' specified`);
    return n;
  };
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = one(text);
    return [p, p];
  }
  const lo = text.slice(0, colon);
  const hi = text.slice(colon + 1);
  const range: PortRange = [lo === '' ? 0 : one(lo), hi === '' ? 0xffff : one(hi)];
  if (range[0] > range[1]) paramProblem('invalid portrange (min > max)');
  return range;
}

/** libxtables `xtopt_parse_mport` (XTTYPE_PORTRC), as the udp extension uses it. */
export function parsePortRc(text: string, ext: string, opt: string): PortRange {
  const parts = text.split(':');
  if (parts.length > 2) paramProblem(`${ext}: Too many components for option "--${opt}" (max: 2)\n`);
  const vals: number[] = [0, 0xffff];
  parts.forEach((p, i) => {
    if (p === '') return;
    const n = strtoul(p, 0, 0xffff) ?? serviceByName(p);
    if (n === undefined) paramProblem(`Port "${p}" does not resolve to anything.\n`);
    vals[i] = n;
  });
  if (parts.length === 1) return [vals[0]!, vals[0]!];
  return [vals[0]!, vals[1]!];
}

export function isAnyPort(r: PortRange): boolean {
  return r[0] === 0 && r[1] === 0xffff;
}

/** ` [!] --sport a[:b]` as tcp_save / udp_save print it; nothing for the full range. */
export function savePorts(opt: string, r: PortRange, invert: boolean): string {
  if (isAnyPort(r)) return '';
  const body = r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`;
  return `${invert ? ' !' : ''} --${opt} ${body}`;
}

export function portName(port: number, numeric: boolean): string {
  if (numeric) return `${port}`;
  return serviceByPort(port) ?? `${port}`;
}

/** `print_ports("spt", ...)`: ` spt:80`, ` dpts:!1:1023`. */
export function printPorts(name: string, r: PortRange, invert: boolean, numeric: boolean): string {
  if (isAnyPort(r) && !invert) return '';
  const i = invert ? '!' : '';
  if (r[0] === r[1]) return ` ${name}:${i}${portName(r[0], numeric)}`;
  return ` ${name}s:${i}${portName(r[0], numeric)}:${portName(r[1], numeric)}`;
}

/** The kernel's `port_match(min, max, port, invert)`. */
export function portMatch(r: PortRange, port: number, invert: boolean): boolean {
  return (port >= r[0] && port <= r[1]) !== invert;
}
