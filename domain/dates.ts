/**
 * Calendar dates are `YYYY-MM-DD` strings (no time, no zone). Instants are epoch milliseconds.
 * An invoice date becomes an instant only through the tenant's IANA time zone.
 */
import { validationError } from './errors';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Durations in milliseconds and minutes, named once for every module. */
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const LAST_MINUTE_OF_DAY = 24 * 60 - 1;

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

export function assertIsoDate(value: unknown, field: string): string {
  if (!isIsoDate(value)) throw validationError('invalid_date', `${field} must be a valid YYYY-MM-DD date`, { field, value });
  return value;
}

export function addDays(date: string, days: number): string {
  const m = ISO_DATE.exec(date)!;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Lexicographic order of YYYY-MM-DD equals calendar order. */
export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Offset (ms) of `timeZone` from UTC at `instant`. */
function zoneOffsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant at which local wall-clock time `date` + `minutesOfDay` begins in `timeZone`. */
export function zonedInstant(date: string, timeZone: string, minutesOfDay = 0): number {
  const m = ISO_DATE.exec(date)!;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3]) + minutesOfDay * 60_000;
  // Two passes settle the offset across DST changes.
  let guess = wall - zoneOffsetAt(wall, timeZone);
  guess = wall - zoneOffsetAt(guess, timeZone);
  // A wall time inside a DST gap (e.g. midnight when America/Santiago springs forward) never
  // happens: the two passes can land an hour early, on the previous day. Take the first instant after it.
  const offset = zoneOffsetAt(guess, timeZone);
  if (guess + offset !== wall) guess = Math.max(guess, wall - offset);
  return guess;
}

/** The local calendar date of `instant` in `timeZone`. */
export function dateIn(instant: number, timeZone: string): string {
  return new Date(instant + zoneOffsetAt(instant, timeZone)).toISOString().slice(0, 10);
}

/** An invoice is overdue once its due date has fully passed in the tenant's time zone. */
export function overdueInstant(dueDate: string, timeZone: string): number {
  return zonedInstant(addDays(dueDate, 1), timeZone);
}
