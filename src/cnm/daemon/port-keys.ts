/**
 * The small text formats the daemon keys things by: `80/tcp` port keys and `name:alias` links.
 *
 * Models: docker/go-connections `nat.Port` (`NewPort`, `Proto`, `Int`; protocol `tcp` when
 * absent) and moby `opts.ParseLink` (`name` or `name:alias`; `bad format for links: x`;
 * `empty string specified for links`).
 * Leaves out: port ranges as keys (the CLI expands ranges into single ports).
 */
import type { ExposedPort } from '../driver-api.js';

export type PortProto = ExposedPort['proto'];

/** `nat.NewPort(proto, port)` as its string. */
export function portKey(port: number, proto: string): string {
  return `${port}/${proto}`;
}

/** `80/tcp` -> 80, tcp; `53` -> 53, tcp. */
export function splitPortKey(key: string): { port: number; proto: PortProto } {
  const [port = '0', proto = 'tcp'] = key.split('/');
  const p = proto.toLowerCase();
  return { port: Number(port), proto: p === 'udp' || p === 'sctp' ? p : 'tcp' };
}

/** `opts.ParseLink`. */
export function parseLink(val: string): { name: string; alias: string } | string {
  if (val === '') return 'empty string specified for links';
  const arr = val.split(':');
  if (arr.length > 2) return `bad format for links: ${val}`;
  if (arr.length === 1) return { name: val, alias: val };
  const [name = '', alias = ''] = arr;
  if (name.startsWith('/')) return { name: name.slice(1), alias: alias.slice(alias.lastIndexOf('/') + 1) };
  return { name, alias };
}
