/**
 * The expected failures of the IPv4 configuration calls (`ip addr`, `ip route`, `ip rule`,
 * `ip neigh`), as values, with the exact text iproute2 6.x prints on a 6.x kernel and its exit
 * status. Every message the IPv4 module can answer with lives in this one table.
 *
 * Models: the errno each handler returns and the extack message it sets (`NL_SET_ERR_MSG`):
 * `net/ipv4/devinet.c` (`inet_rtm_newaddr` / `inet_rtm_deladdr`), `net/ipv4/fib_frontend.c`,
 * `net/ipv4/fib_trie.c` (`fib_table_insert` / `fib_table_delete`), `net/ipv4/fib_semantics.c`
 * (`fib_check_nh_v4_gw`, `fib_check_nh_nongw`), `net/core/fib_rules.c`, `net/core/neighbour.c`.
 * iproute2 prints `Error: <extack>.` when the kernel sent a message, otherwise
 * `RTNETLINK answers: <strerror(errno)>`; both exit with status 2.
 * Leaves out: iproute2's own argument errors (`Cannot find device "eth9"`, exit 1), which belong
 * to the program that parses the command line.
 */

export type IprouteErrno =
  | 'EEXIST'
  | 'ESRCH'
  | 'ENOENT'
  | 'EADDRNOTAVAIL'
  | 'ENETUNREACH'
  | 'EHOSTUNREACH'
  | 'EACCES'
  | 'EINVAL'
  | 'ENETDOWN'
  | 'ENODEV'
  | 'EXDEV';

/** Shaped like the device layer's `LinkError`, so the `ip` program prints either the same way. */
export interface IprouteError {
  readonly ok: false;
  readonly errno: IprouteErrno;
  /** The line iproute2 prints on stderr (no trailing newline). */
  readonly error: string;
  /** iproute2's exit status. */
  readonly exitCode: number;
}

export type IprouteResult<T = undefined> = { readonly ok: true; readonly value: T } | IprouteError;

/** `strerror` texts of the errnos above (glibc). */
const STRERROR: Readonly<Record<IprouteErrno, string>> = {
  EEXIST: 'File exists',
  ESRCH: 'No such process',
  ENOENT: 'No such file or directory',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  ENETDOWN: 'Network is down',
  ENODEV: 'No such device',
  EXDEV: 'Invalid cross-device link',
};

/** `RTNETLINK answers: <strerror>`: the kernel returned an errno without an extack message. */
export function rtnetlinkError(errno: IprouteErrno): IprouteError {
  return { ok: false, errno, error: `RTNETLINK answers: ${STRERROR[errno]}`, exitCode: 2 };
}

/** `Error: <message>.`: the kernel set an extack message. */
export function extackError(errno: IprouteErrno, extack: string): IprouteError {
  return { ok: false, errno, error: `Error: ${extack}.`, exitCode: 2 };
}

export function strerror(errno: IprouteErrno): string {
  return STRERROR[errno];
}

/** The failures by situation, so no caller spells a message itself. */
export const IPROUTE_ERRORS = {
  /**
   * `ip addr add` of an address already on the device with the same prefix length. Kernels
   * since 6.3 send the extack message (`inet_rtm_newaddr`); older ones gave
   * `RTNETLINK answers: File exists` (`addressExistsLegacy`).
   */
  addressExists: () => extackError('EEXIST', 'ipv4: Address already assigned'),
  addressExistsLegacy: () => rtnetlinkError('EEXIST'),
  /** `ip addr add` of an address in a subnet already on the device with another scope. */
  addressInvalidScope: () => extackError('EINVAL', 'ipv4: Invalid scope value'),
  /**
   * `ip addr del` of an address the device does not have. Kernels since 6.3 send the extack
   * message; older ones gave `RTNETLINK answers: Cannot assign requested address`
   * (`addressNotFoundLegacy`).
   */
  addressNotFound: () => extackError('EADDRNOTAVAIL', 'ipv4: Address not found'),
  addressNotFoundLegacy: () => rtnetlinkError('EADDRNOTAVAIL'),
  /** `ip route add` of a prefix/tos/metric already in the table (NLM_F_EXCL). */
  routeExists: () => rtnetlinkError('EEXIST'),
  /** `ip route del` that matches nothing. */
  routeNotFound: () => rtnetlinkError('ESRCH'),
  /** `via GW` where GW is not reachable through a link-scope route (or is not unicast). */
  invalidGateway: () => extackError('EINVAL', 'Nexthop has invalid gateway'),
  /** `dev D` given and D is down (`fib_check_nh_nongw`). */
  deviceNotUp: () => extackError('ENETDOWN', 'Device for nexthop is not up'),
  /** `via GW dev D onlink` with D down. */
  onlinkDeviceNotUp: () => extackError('ENETDOWN', 'Nexthop device is not up'),
  /** `onlink` without `dev`. */
  onlinkNeedsDevice: () => extackError('ENODEV', 'Nexthop device required for onlink'),
  /** A unicast route with neither gateway nor device. */
  noDevice: () => rtnetlinkError('ENODEV'),
  /** `ip route get` (or a socket) finds no route. */
  networkUnreachable: () => rtnetlinkError('ENETUNREACH'),
  hostUnreachable: () => rtnetlinkError('EHOSTUNREACH'),
  permissionDenied: () => rtnetlinkError('EACCES'),
  invalidArgument: () => rtnetlinkError('EINVAL'),
  /** `ip rule add` of a rule that already exists. */
  ruleExists: () => rtnetlinkError('EEXIST'),
  /** `ip rule del` that matches nothing. */
  ruleNotFound: () => rtnetlinkError('ENOENT'),
  /** `ip neigh add` of an entry that exists. */
  neighExists: () => rtnetlinkError('EEXIST'),
  /** `ip neigh del` / `change` of an entry that does not exist. */
  neighNotFound: () => rtnetlinkError('ENOENT'),
} as const;

export function iprouteOk<T>(value: T): IprouteResult<T> {
  return { ok: true, value };
}

export const IPROUTE_OK: IprouteResult = { ok: true, value: undefined };
