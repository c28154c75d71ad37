/**
 * The simulation's wall clock: the calendar date a virtual instant stands for, for the few
 * outputs that print one (`docker inspect`'s `Created`, `iptables-save`'s `# Generated ... on`).
 *
 * cnmsim has no host clock (design.md section 3), so a run starts at a fixed instant,
 * SIM_EPOCH = 2026-11-22T13:34:55Z (the day the reference captures in
 * `shared/reference/docker-20.10` were taken), and virtual time is added to it:
 *
 *   virtual 0              -> 2026-11-22T13:34:55Z   (ctime: Sun Nov 22 13:34:55 2026)
 *   virtual 43.226117523 s -> 2026-11-22T13:35:38.226117523Z
 *
 * Models: Go's `time.RFC3339Nano` in UTC (fraction up to nine digits, trailing zeros removed,
 * absent when zero) and C's `ctime(3)` layout (`Www Mmm dd hh:mm:ss yyyy`, day space-padded).
 * Calendar arithmetic is Howard Hinnant's integer-only `days_from_civil`/`civil_from_days`.
 * Leaves out: time zones other than UTC, dates before 1970.
 */
import type { Instant } from './time.js';

const NS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The date of a day count since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
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
export const SIM_EPOCH_UNIX_SECONDS = daysFromCivil(2026, 11, 22) * SECONDS_PER_DAY + 13 * 3600 + 34 * 60 + 55;

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

interface Parts {
  readonly days: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hh: number;
  readonly mm: number;
  readonly ss: number;
}

function parts(unixSeconds: number): Parts {
  const days = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const secOfDay = unixSeconds - days * SECONDS_PER_DAY;
  return { days, ...civilFromDays(days), hh: Math.floor(secOfDay / 3600), mm: Math.floor((secOfDay % 3600) / 60), ss: secOfDay % 60 };
}

/** Unix seconds and nanoseconds as Go's RFC3339Nano prints them in UTC. */
export function formatRfc3339Nano(unixSeconds: number, nanos: number): string {
  const p = parts(unixSeconds);
  const fraction = nanos === 0 ? '' : `.${pad(nanos, 9).replace(/0+$/, '')}`;
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hh, 2)}:${pad(p.mm, 2)}:${pad(p.ss, 2)}${fraction}Z`;
}

const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Unix seconds in `ctime(3)` layout, UTC: `Sun Nov 22 13:34:55 2026`. */
export function formatCtime(unixSeconds: number): string {
  const p = parts(unixSeconds);
  const weekday = WEEKDAYS[((p.days % 7) + 7) % 7]!;
  return `${weekday} ${MONTHS[p.month - 1]!} ${pad(p.day, 2, ' ')} ${pad(p.hh, 2)}:${pad(p.mm, 2)}:${pad(p.ss, 2)} ${p.year}`;
}

/** Whole unix seconds of a virtual instant. */
export function simUnixSeconds(at: Instant): number {
  return SIM_EPOCH_UNIX_SECONDS + Math.floor(at / NS_PER_SECOND);
}

/** A virtual instant in RFC3339Nano (Docker's `Created`). */
export function simRfc3339(at: Instant): string {
  const seconds = Math.floor(at / NS_PER_SECOND);
  return formatRfc3339Nano(SIM_EPOCH_UNIX_SECONDS + seconds, at - seconds * NS_PER_SECOND);
}

/** A virtual instant in ctime layout (`iptables-save`'s comment lines). */
export function simCtime(at: Instant): string {
  return formatCtime(simUnixSeconds(at));
}
