/**
 * Wall-clock times as the Docker daemon prints them (`"Created": "2026-11-22T13:35:38.226117523Z"`
 * in `docker network inspect` and `docker inspect`), derived from virtual time.
 *
 * Models: Go's `time.Time.MarshalJSON`, i.e. `time.RFC3339Nano` in UTC
 * (`2006-01-02T15:04:05.999999999Z07:00`): the fraction keeps up to nine digits with trailing
 * zeros removed, and disappears entirely when it is zero.
 *
 * cnmsim has no wall clock (design.md section 3), so a run starts at a fixed instant,
 * `DOCKER_EPOCH` = 2026-11-22T13:34:55Z (the day the reference captures in
 * `shared/reference/docker-20.10` were taken), and virtual time is added to it:
 *
 *   virtual 0              -> 2026-11-22T13:34:55Z
 *   virtual 43.226117523 s -> 2026-11-22T13:35:38.226117523Z
 *
 * Leaves out: time zones other than UTC (the daemon prints UTC) and dates before 1970.
 * Invariants: the output depends only on the instant; calendar arithmetic is integer-only.
 */
import type { Instant } from '../../engine/index.js';

const NS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The date of a day count since 1970-01-01 (`civil_from_days`). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Unix seconds of the instant virtual time 0 stands for: 2026-11-22T13:34:55Z. */
export const DOCKER_EPOCH_UNIX_SECONDS = daysFromCivil(2026, 11, 22) * SECONDS_PER_DAY + 13 * 3600 + 34 * 60 + 55;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Unix seconds and nanoseconds as Go's RFC3339Nano prints them in UTC. */
export function formatRfc3339Nano(unixSeconds: number, nanos: number): string {
  const days = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const secOfDay = unixSeconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  const fraction = nanos === 0 ? '' : `.${pad(nanos, 9).replace(/0+$/, '')}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${fraction}Z`;
}

/** A virtual instant as the daemon prints a creation time (`Created`). */
export function dockerTime(at: Instant): string {
  const seconds = Math.floor(at / NS_PER_SECOND);
  return formatRfc3339Nano(DOCKER_EPOCH_UNIX_SECONDS + seconds, at - seconds * NS_PER_SECOND);
}
