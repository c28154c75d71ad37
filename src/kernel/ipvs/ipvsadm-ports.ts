/**
 * Port names ipvsadm shows without `-n` and accepts in `host:port`: a slice of the Debian
 * `/etc/services` a host would have (getservbyport / getservbyname for "tcp" and "udp").
 *
 * Models: netbase's /etc/services (the entries below, with their tcp/udp split).
 * Leaves out: every other entry, aliases, and host names (addresses always print as numbers,
 * as gethostbyaddr finds no PTR name in the simulation).
 */
import { IPPROTO_TCP, IPPROTO_UDP } from '../../packet/index.js';

/** name, port, protocols */
const SERVICES: readonly (readonly [string, number, 'tcp' | 'udp' | 'both'])[] = [
  ['ftp-data', 20, 'tcp'],
  ['ftp', 21, 'tcp'],
  ['ssh', 22, 'tcp'],
  ['telnet', 23, 'tcp'],
  ['smtp', 25, 'tcp'],
  ['domain', 53, 'both'],
  ['bootps', 67, 'udp'],
  ['bootpc', 68, 'udp'],
  ['tftp', 69, 'udp'],
  ['http', 80, 'tcp'],
  ['pop3', 110, 'tcp'],
  ['ntp', 123, 'udp'],
  ['imap2', 143, 'tcp'],
  ['snmp', 161, 'udp'],
  ['ldap', 389, 'tcp'],
  ['https', 443, 'tcp'],
  ['syslog', 514, 'udp'],
  ['mysql', 3306, 'tcp'],
  ['postgresql', 5432, 'tcp'],
  ['http-alt', 8080, 'tcp'],
];

function matches(proto: 'tcp' | 'udp' | 'both', protocol: number): boolean {
  if (proto === 'both') return protocol === IPPROTO_TCP || protocol === IPPROTO_UDP;
  return proto === 'tcp' ? protocol === IPPROTO_TCP : protocol === IPPROTO_UDP;
}

/** `service_to_port`: the port of a service name for the protocol, or undefined. */
export function portByName(name: string, protocol: number): number | undefined {
  return SERVICES.find(([n, , p]) => n === name && matches(p, protocol))?.[1];
}

/** `port_to_anyname`: the service name of a port, else the number. */
export function portName(port: number, protocol: number): string {
  return SERVICES.find(([, n, p]) => n === port && matches(p, protocol))?.[0] ?? String(port);
}
