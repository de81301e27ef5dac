/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Rows are ordered by a
 * unique key (id, or (date, id)), so pages never skip or repeat rows under concurrent inserts.
 */
import { validationError } from '../domain/errors';
import { isIsoDate } from '../domain/dates';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What each position of a cursor key holds; checked so a forged cursor is a 400, never a database error. */
export type CursorPart = 'uuid' | 'date' | 'datetime' | 'string' | 'number';
const PART_OK: Record<CursorPart, (v: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  date: (v) => isIsoDate(v),
  datetime: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** `shape` is the kind of each key part (or, loosely, just their count). */
export function decodeCursor(cursor: string | undefined, shape: number | readonly CursorPart[]): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const parts: readonly CursorPart[] | null = typeof shape === 'number' ? null : shape;
  const arity = parts ? parts.length : (shape as number);
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k, i) => (parts ? PART_OK[parts[i]](k) : typeof k === 'string' || typeof k === 'number'))
    ) {
      return key;
    }
  } catch {
    /* fall through */
  }
  throw validationError('invalid_cursor', 'cursor is not valid; use nextCursor from a previous page', { cursor });
}

/** Splits a limit+1 fetch into a page and the cursor of its last row. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(keyOf(page[page.length - 1])) };
}

/** `%q%` for ILIKE with the user's wildcards escaped. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
