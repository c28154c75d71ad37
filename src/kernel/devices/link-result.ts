/**
 * Results of link operations as values carrying the exact text and exit status iproute2 prints,
 * so the `ip`, `bridge` and `brctl` programs print them as they are and no caller ever parses a
 * message.
 *
 * Models: iproute2's error paths: `lib/libnetlink.c` (`rtnl_talk` prints "RTNETLINK answers:
 * <strerror>" and `ip` exits 2; with an extended ack the kernel's message is printed as
 * "Error: <msg>." instead), `ip/iplink.c` (`Cannot find device "X"`, exit 1; `invarg`:
 * `Error: argument "X" is wrong: <why>`, exit 1).
 * Leaves out: warnings printed on success, JSON output.
 */

export type LinkErrorKind = 'exists' | 'not-found' | 'invalid' | 'busy' | 'unsupported' | 'range' | 'network-down' | 'loop' | 'address';

export interface LinkError {
  readonly ok: false;
  readonly kind: LinkErrorKind;
  /** What `ip` prints on stderr, without the trailing newline. */
  readonly error: string;
  readonly exitCode: number;
}

export type LinkResult<T = undefined> = { readonly ok: true; readonly value: T } | LinkError;

export const OK: LinkResult = { ok: true, value: undefined };

export function ok<T>(value: T): LinkResult<T> {
  return { ok: true, value };
}

/** The kernel said no with an errno: `RTNETLINK answers: <strerror>`, exit 2. */
function rtnetlink(kind: LinkErrorKind, strerror: string): LinkError {
  return { ok: false, kind, error: `RTNETLINK answers: ${strerror}`, exitCode: 2 };
}

/** The kernel said no with an extended ack message: `Error: <msg>`, exit 2. */
export function extack(kind: LinkErrorKind, message: string): LinkError {
  return { ok: false, kind, error: `Error: ${message}`, exitCode: 2 };
}

export const ERR = {
  /** EEXIST */
  exists: (): LinkError => rtnetlink('exists', 'File exists'),
  /** EINVAL */
  invalid: (): LinkError => rtnetlink('invalid', 'Invalid argument'),
  /** EBUSY */
  busy: (): LinkError => rtnetlink('busy', 'Device or resource busy'),
  /** EOPNOTSUPP */
  unsupported: (): LinkError => rtnetlink('unsupported', 'Operation not supported'),
  /** ERANGE */
  range: (): LinkError => rtnetlink('range', 'Numerical result out of range'),
  /** ENETDOWN */
  networkDown: (): LinkError => rtnetlink('network-down', 'Network is down'),
  /** EADDRNOTAVAIL */
  badAddress: (): LinkError => rtnetlink('address', 'Cannot assign requested address'),
  /** ENODEV from the kernel (the name resolved in userspace, the device vanished). */
  noDevice: (): LinkError => rtnetlink('not-found', 'No such device'),
  /** iproute2 could not resolve a device name (`ll_name_to_index` failed). */
  cannotFind: (name: string): LinkError => ({ ok: false, kind: 'not-found', error: `Cannot find device "${name}"`, exitCode: 1 }),
  /** iproute2's `invarg`: an argument it checked itself. */
  badArgument: (value: string, why: string): LinkError => ({ ok: false, kind: 'invalid', error: `Error: argument "${value}" is wrong: ${why}`, exitCode: 1 }),
  /** `invarg("Device does not exist\n", ...)` as `ip link set ... master X` prints it. */
  noSuchMaster: (name: string): LinkError => ({ ok: false, kind: 'not-found', error: `Error: argument "${name}" is wrong: Device does not exist`, exitCode: 1 }),
} as const;

/** `dev_valid_name` plus iproute2's own check: 1..15 bytes, not `.`/`..`, no `/`, `:` or white space. */
export function validIfname(name: string): boolean {
  if (name.length === 0 || name.length > 15) return false;
  if (name === '.' || name === '..') return false;
  return !/[/:\s]/.test(name);
}

/** iproute2's complaint about a bad interface name. */
export function badIfname(name: string): LinkError {
  return ERR.badArgument(name, '"name" not a valid ifname');
}
