/**
 * Calendar dates are `YYYY-MM-DD` strings (no time, no zone). Instants are epoch milliseconds.
 * An invoice date becomes an instant only through the tenant's IANA time zone.
 */
import { validationError } from './errors';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Durations in milliseconds and minutes, named once for every module. */
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const MINUTES_PER_DAY = 24 * 60;
export const LAST_MINUTE_OF_DAY = MINUTES_PER_DAY - 1;

/** The calendar dates accepted anywhere (every body and query field): 4-digit years Postgres and every client agree on. */
export const MIN_ISO_DATE = '1900-01-01';
export const MAX_ISO_DATE = '9999-12-31';

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  // Same-width strings: lexicographic order is calendar order.
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] && value >= MIN_ISO_DATE && value <= MAX_ISO_DATE;
}

export function assertIsoDate(value: unknown, field: string): string {
  if (!isIsoDate(value)) throw validationError('invalid_date', `${field} must be a valid YYYY-MM-DD date from ${MIN_ISO_DATE} to ${MAX_ISO_DATE}`, { field, value });
  return value;
}

/** The date `days` later (or earlier). Past the accepted range it is no ISO date: check with isIsoDate. */
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
    wallClockFormat(tz);
    return true;
  } catch {
    return false;
  }
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one (it was most of a payment request's own CPU). */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();
function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallClockFormats.set(timeZone, format);
  }
  return format;
}

/**
 * Offsets already asked for: the same few instants come back for every invoice (its days' midnights),
 * and formatToParts is the expensive part of a creation's schedule. Bounded; a pure function of its
 * arguments, so sharing it across requests and workflows changes no answer.
 */
const zoneOffsets = new Map<string, number>();
const MAX_CACHED_OFFSETS = 10_000;

/** Offset (ms) of `timeZone` from UTC at `instant`. */
function zoneOffsetAt(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const key = `${timeZone} ${instant}`;
  let offset = zoneOffsets.get(key);
  if (offset === undefined) {
    const parts = wallClockFormat(timeZone).formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    offset = asUtc - Math.floor(instant / 1000) * 1000;
    if (zoneOffsets.size >= MAX_CACHED_OFFSETS) zoneOffsets.clear();
    zoneOffsets.set(key, offset);
  }
  return offset;
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

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** Local date and time of `instant` in `timeZone` (years past 9999 keep all their digits). */
function wallClock(instant: number, timeZone: string): { offset: number; date: string; time: string } {
  const offset = zoneOffsetAt(instant, timeZone);
  const d = new Date(instant + offset);
  return {
    offset,
    date: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** For people: `2026-12-15 00:00 Europe/Berlin` (the instant's wall-clock minute in `timeZone`, and the zone). */
export function formatInstant(instant: number, timeZone: string): string {
  const { date, time } = wallClock(instant, timeZone);
  return `${date} ${time.slice(0, 5)} ${timeZone}`;
}

/** ISO 8601 with the zone's offset at that instant: `2026-12-15T00:00:00+01:00` (`Z` for UTC). */
export function isoInstant(instant: number, timeZone: string): string {
  const { offset, date, time } = wallClock(instant, timeZone);
  const minutes = Math.trunc(offset / 60_000);
  const zone = minutes === 0 ? 'Z' : `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
  return `${date}T${time}${zone}`;
}

/** An invoice is overdue once its due date has fully passed in the tenant's time zone. */
export function overdueInstant(dueDate: string, timeZone: string): number {
  // Midnight at the end of the due date (the next day's start), also after 9999-12-31.
  return zonedInstant(dueDate, timeZone, MINUTES_PER_DAY);
}
