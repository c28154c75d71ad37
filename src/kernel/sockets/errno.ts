/**
 * The errors a socket call returns or reports later (`sk->sk_err`), as values, with glibc's
 * `strerror` text, and the mapping from a received ICMP error to an errno.
 *
 * Models: `include/uapi/asm-generic/errno.h` names, glibc `strerror` texts, and
 * `net/ipv4/icmp.c` `icmp_err_convert[]` (which ICMP destination-unreachable codes are hard
 * errors, "fatal", and which errno each gives).
 * Leaves out: errnos no socket here can produce.
 */
import type { IcmpRepr } from '../../packet/index.js';

export type Errno =
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EACCES'
  | 'EPERM'
  | 'EINVAL'
  | 'EMSGSIZE'
  | 'EPIPE'
  | 'ENOTCONN'
  | 'EISCONN'
  | 'EALREADY'
  | 'ENOPROTOOPT'
  | 'EPROTO'
  | 'ENONET'
  | 'ENODEV'
  | 'EHOSTDOWN'
  | 'EOPNOTSUPP'
  | 'ESRCH';

const STRERROR: Readonly<Record<Errno, string>> = {
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EINVAL: 'Invalid argument',
  EMSGSIZE: 'Message too long',
  EPIPE: 'Broken pipe',
  ENOTCONN: 'Transport endpoint is not connected',
  EISCONN: 'Transport endpoint is already connected',
  EALREADY: 'Operation already in progress',
  ENOPROTOOPT: 'Protocol not available',
  EPROTO: 'Protocol error',
  ENONET: 'Machine is not on the network',
  ENODEV: 'No such device',
  EHOSTDOWN: 'Host is down',
  EOPNOTSUPP: 'Operation not supported',
  ESRCH: 'No such process',
};

/** glibc's `strerror(errno)` text. */
export function errnoText(errno: Errno): string {
  return STRERROR[errno];
}

export type SockResult<T = undefined> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errno: Errno };

export function sockOk<T>(value: T): SockResult<T> {
  return { ok: true, value };
}

export const SOCK_OK: SockResult = { ok: true, value: undefined };

export function sockErr<T = undefined>(errno: Errno): SockResult<T> {
  return { ok: false, errno };
}

/** What an ICMP error means to the socket that sent the offending datagram. */
export interface IcmpSocketError {
  readonly errno: Errno;
  /** A hard error aborts a connecting TCP socket and is reported on a connected UDP socket. */
  readonly fatal: boolean;
}

/** `icmp_err_convert[]`, indexed by the destination-unreachable code. */
const UNREACH: readonly IcmpSocketError[] = [
  { errno: 'ENETUNREACH', fatal: false }, // 0 net unreachable
  { errno: 'EHOSTUNREACH', fatal: false }, // 1 host unreachable
  { errno: 'ENOPROTOOPT', fatal: true }, // 2 protocol unreachable
  { errno: 'ECONNREFUSED', fatal: true }, // 3 port unreachable
  { errno: 'EMSGSIZE', fatal: false }, // 4 fragmentation needed
  { errno: 'EOPNOTSUPP', fatal: false }, // 5 source route failed
  { errno: 'ENETUNREACH', fatal: true }, // 6 net unknown
  { errno: 'EHOSTDOWN', fatal: true }, // 7 host unknown
  { errno: 'ENONET', fatal: true }, // 8 host isolated
  { errno: 'ENETUNREACH', fatal: true }, // 9 net administratively prohibited
  { errno: 'EHOSTUNREACH', fatal: true }, // 10 host administratively prohibited
  { errno: 'ENETUNREACH', fatal: false }, // 11 net unreachable for TOS
  { errno: 'EHOSTUNREACH', fatal: false }, // 12 host unreachable for TOS
  { errno: 'EHOSTUNREACH', fatal: true }, // 13 communication administratively prohibited
  { errno: 'EHOSTUNREACH', fatal: true }, // 14 precedence violation
  { errno: 'EHOSTUNREACH', fatal: true }, // 15 precedence cutoff
];

/**
 * What an ICMP error means to a socket (`icmp_err_convert[]`, and `icmp_unreach`'s other
 * types): undefined for messages that are not errors or that sockets ignore.
 */
export function icmpToErrno(icmp: IcmpRepr): IcmpSocketError | undefined {
  switch (icmp.type) {
    case 'echo-request':
    case 'echo-reply':
      return undefined;
    case 'time-exceeded':
      // udp_err / tcp_v4_err: time exceeded is EHOSTUNREACH, never fatal.
      return { errno: 'EHOSTUNREACH', fatal: false };
    case 'other':
      // Parameter problem (12) is EPROTO and fatal; source quench and the rest are ignored.
      return icmp.icmpType === 12 ? { errno: 'EPROTO', fatal: true } : undefined;
    case 'dest-unreachable':
      return UNREACH[icmp.code] ?? { errno: 'EHOSTUNREACH', fatal: false };
  }
}
