/**
 * Wall-clock times as the Docker daemon prints them (`"Created": "2026-11-22T13:35:38.226117523Z"`
 * in `docker network inspect` and `docker inspect`): Go's `time.RFC3339Nano` in UTC of the
 * simulation's wall clock (src/engine/wall-clock.ts: virtual time added to a fixed epoch).
 * Leaves out: time zones other than UTC.
 */
import { SIM_EPOCH_UNIX_SECONDS, formatRfc3339Nano, simRfc3339, type Instant } from '../../engine/index.js';

export { formatRfc3339Nano };

/** Unix seconds of the instant virtual time 0 stands for: 2026-11-22T13:34:55Z. */
export const DOCKER_EPOCH_UNIX_SECONDS = SIM_EPOCH_UNIX_SECONDS;

/** A virtual instant as the daemon prints a creation time (`Created`). */
export function dockerTime(at: Instant): string {
  return simRfc3339(at);
}
