/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Rows are ordered by a
 * unique key (id, or (date, id)), so pages never skip or repeat rows under concurrent inserts.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { validationError } from '../domain/errors';
import { isIsoDate } from '../domain/dates';
import { isUuid } from '../domain/ids';

/** Page size when the request names none (the schemas document the same default). */
export const DEFAULT_PAGE_SIZE = 25;

/** What every list takes: a page size and the cursor of the previous page. */
export interface PageParams {
  limit?: number;
  cursor?: string;
}
/** Lists with a free-text search. */
export interface SearchParams extends PageParams {
  q?: string;
}
/** Inclusive calendar-date bounds. */
export interface DateRangeParams {
  dateFrom?: string;
  dateTo?: string;
}

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * What each position of a cursor key holds; checked so a forged cursor is a 400, never a database error.
 * `{ is }`: exactly that string (e.g. the order the cursor was issued for); `{ oneOf }`: one of
 * those strings (e.g. the domain's statuses).
 */
export type CursorPart = 'uuid' | 'date' | 'datetime' | 'string' | 'amount' | { is: string } | { oneOf: readonly string[] };
const PART_OK: Record<Extract<CursorPart, string>, (v: unknown) => boolean> = {
  uuid: isUuid,
  date: isIsoDate,
  // ISO instants in UTC, millisecond (JS) or microsecond (Postgres) precision, on an accepted date.
  datetime: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z$/.test(v) && isIsoDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)),
  string: (v) => typeof v === 'string',
  // Money in minor units, as a decimal string (bigint columns compare with it as numbers).
  amount: (v) => typeof v === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(v),
};

/** The key of a cursor, each part checked against `shape`. */
export function decodeCursor(cursor: string | undefined, shape: readonly CursorPart[]): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const ok = (k: unknown, part: CursorPart) =>
      typeof part === 'string' ? PART_OK[part](k) : 'is' in part ? k === part.is : typeof k === 'string' && part.oneOf.includes(k);
    if (Array.isArray(key) && key.length === shape.length && key.every((k, i) => ok(k, shape[i]))) return key;
  } catch {
    /* fall through */
  }
  throw validationError('invalid_cursor', 'cursor is not valid; use nextCursor from a previous page', { cursor });
}

/**
 * Rows past `(value, id)` in `(field order, id idOrder)`: the keyset condition of a two-part cursor.
 * The reminders list and the invoice list where the planner misjudges a row comparison use it
 * (services/invoices.ts listInvoices says where); the other lists pass findRows' `after` (index ranges).
 */
export function afterKey<T>(field: string, value: unknown, id: string, order: 'asc' | 'desc', idOrder: 'asc' | 'desc' = order): FilterQuery<T> {
  const past = (o: 'asc' | 'desc') => (o === 'asc' ? '$gt' : '$lt');
  // The redundant bound on the column alone is what Postgres can use as an index condition: without
  // it the OR is only a filter and a deep page walks every row before the cursor.
  const bound = order === 'asc' ? '$gte' : '$lte';
  return { $and: [{ [field]: { [bound]: value } }, { $or: [{ [field]: { [past(order)]: value } }, { [field]: value, id: { [past(idOrder)]: id } }] }] } as FilterQuery<T>;
}

/** Splits a limit+1 fetch into a page and the cursor of its last row. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string[]): Page<T> {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(keyOf(page[page.length - 1])) };
}

/** `%q%` for ILIKE with the user's wildcards escaped. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
