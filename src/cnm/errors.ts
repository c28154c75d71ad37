/**
 * Expected failures of the Docker daemon, as values: a kind matching the Docker Engine API's
 * error classes and Docker's own message text.
 *
 * Models: moby `errdefs` (`InvalidParameter`, `NotFound`, `Conflict`, `Forbidden`,
 * `Unavailable`, `System`) and the HTTP status each maps to (400, 404, 409, 403, 503, 500), which
 * decides the CLI's `Error response from daemon: ...` line; libnetwork's `types` error classes.
 * Broken invariants are not errors of this kind: they throw through `assert` (src/engine).
 * Leaves out: nothing.
 */

export type DockerErrorKind = 'invalidParameter' | 'notFound' | 'conflict' | 'forbidden' | 'unavailable' | 'system';

export interface DockerError {
  readonly kind: DockerErrorKind;
  /** Docker's message text, exactly as the daemon returns it. */
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DockerError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(kind: DockerErrorKind, message: string): Result<T> {
  return { ok: false, error: { kind, message } };
}

export const invalidParameter = <T = never>(message: string): Result<T> => err('invalidParameter', message);
export const notFound = <T = never>(message: string): Result<T> => err('notFound', message);
export const conflict = <T = never>(message: string): Result<T> => err('conflict', message);
export const forbidden = <T = never>(message: string): Result<T> => err('forbidden', message);
export const unavailable = <T = never>(message: string): Result<T> => err('unavailable', message);
export const system = <T = never>(message: string): Result<T> => err('system', message);

/** Wraps an error's message, keeping its kind (`failed to allocate gateway (x): <cause>`). */
export function wrap<T = never>(e: DockerError, prefix: string): Result<T> {
  return { ok: false, error: { kind: e.kind, message: `${prefix}${e.message}` } };
}

/** The HTTP status the Engine API answers with for an error kind (`errdefs.GetHTTPErrorStatusCode`). */
export function httpStatus(kind: DockerErrorKind): number {
  switch (kind) {
    case 'invalidParameter':
      return 400;
    case 'notFound':
      return 404;
    case 'conflict':
      return 409;
    case 'forbidden':
      return 403;
    case 'unavailable':
      return 503;
    case 'system':
      return 500;
  }
}
