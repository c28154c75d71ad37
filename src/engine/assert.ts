/**
 * The one assertion helper for broken invariants.
 *
 * Models: the `NS_ASSERT_MSG` / `NS_FATAL_ERROR` pair of ns-3 (`src/core/model/assert.h`) and
 * gVisor's `panic` on impossible states: a broken invariant is a programming error, never an
 * expected outcome, so it throws and is not caught by ordinary control flow.
 *
 * Leaves out: expected failures (name conflicts, pool overlaps, not-found). Those are values with
 * a kind, owned by the layer that produces them (style.md, "Two kinds of error").
 *
 * Invariants: `assert` and `fail` always throw `InvariantError`, whose message is the caller's
 * text unchanged. Hot paths test the condition themselves and call `fail` only on the failing
 * branch, so no message string is built when all is well.
 */

/** Thrown when code finds the simulator in a state that its own rules forbid. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Throws `InvariantError(message)` unless `condition` holds. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new InvariantError(message);
  }
}

/** Throws `InvariantError(message)`; for the failing branch of a hand-written check. */
export function fail(message: string): never {
  throw new InvariantError(message);
}
