/**
 * Reading a trace record's detail for people: small accessors that turn a detail value into the
 * text a renderer prints, whatever form the kernel stored it in.
 *
 * Models: design.md section 8 (records carry kind-specific detail: JSON scalars and lists). The
 * kernel may store an address as dotted text or as the 32-bit integer of its hot path, a MAC as
 * text or as a 48-bit integer, a protocol as a number or a name; every renderer goes through
 * these helpers, so a change of representation in the kernel is absorbed here, in one place.
 * Leaves out: IPv6 (the simulator has none).
 * Invariants: pure; never throws on a missing or oddly typed value (it returns undefined).
 */
import type { TraceRecord, TraceValue } from '../engine/index.js';
import { formatIpv4, formatMac } from '../packet/index.js';

/** The detail value under `key`, or undefined. */
export function raw(r: TraceRecord, key: string): TraceValue | undefined {
  return r.detail[key];
}

/** Any scalar as text; a list joined with commas; null and absent as undefined. */
export function text(r: TraceRecord, key: string): string | undefined {
  return valueText(r.detail[key]);
}

export function valueText(v: TraceValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x: TraceValue) => valueText(x) ?? '').join(',');
  return String(v);
}

/** A number, or the number a numeric string spells. */
export function num(r: TraceRecord, key: string): number | undefined {
  const v = r.detail[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

export function bool(r: TraceRecord, key: string): boolean | undefined {
  const v = r.detail[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** An IPv4 address: dotted text as stored, or the integer form formatted. */
export function ip(r: TraceRecord, key: string): string | undefined {
  const v = r.detail[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return formatIpv4(v);
  return typeof v === 'string' ? v : undefined;
}

/** A MAC address: colon text as stored, or the integer form formatted. */
export function mac(r: TraceRecord, key: string): string | undefined {
  const v = r.detail[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return formatMac(v);
  return typeof v === 'string' ? v : undefined;
}

/** The items of a list value as text (a scalar is a list of one). */
export function list(r: TraceRecord, key: string): string[] {
  const v = r.detail[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x: TraceValue) => valueText(x) ?? '');
  return [String(v)];
}

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 4: 'ipip' };

/** An IP protocol number or name as its name (`6` → `tcp`). */
export function protocol(r: TraceRecord, key: string): string | undefined {
  const v = r.detail[key];
  if (typeof v === 'number') return PROTOCOLS[v] ?? `protocol ${v}`;
  return typeof v === 'string' ? v : undefined;
}

const ETHER_TYPES: Readonly<Record<number, string>> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q' };

/** An EtherType as its name (`2048` → `IPv4`), or hex for the others. */
export function etherType(r: TraceRecord, key: string): string | undefined {
  const v = r.detail[key];
  if (typeof v === 'number') return ETHER_TYPES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
  return typeof v === 'string' ? v : undefined;
}

/** `host/netns`: the namespace a record was made in. */
export function nsKey(r: TraceRecord): string {
  return `${r.location.host}/${r.location.netns}`;
}

/** `host/netns/device` (device only when there is one). */
export function where(r: TraceRecord): string {
  return r.location.device === undefined ? nsKey(r) : `${nsKey(r)}/${r.location.device}`;
}

/** Every detail key and value, sorted by key, as `key=value` words. */
export function detailWords(r: TraceRecord, skip: readonly string[] = []): string {
  return Object.keys(r.detail)
    .filter((k) => !skip.includes(k))
    .sort()
    .map((k) => `${k}=${valueText(r.detail[k]) ?? 'null'}`)
    .join(' ');
}

/** One side of a flow text `tcp 10.0.0.1:80 > 10.0.0.2:41234`: address and port. */
export interface Endpoint {
  readonly address: string;
  readonly port: string | undefined;
}

/** Splits `PROTO SRC[:PORT] > DST[:PORT] ...` into its protocol and two ends. */
export function parseFlow(flow: string): { proto: string; src: Endpoint; dst: Endpoint } | undefined {
  const m = /^(\S+)\s+([\d.]+)(?::(\d+))?\s+>\s+([\d.]+)(?::(\d+))?/.exec(flow);
  if (m === null) return undefined;
  return { proto: m[1]!, src: { address: m[2]!, port: m[3] }, dst: { address: m[4]!, port: m[5] } };
}

export function endpointText(e: Endpoint): string {
  return e.port === undefined ? e.address : `${e.address}:${e.port}`;
}
