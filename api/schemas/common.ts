/**
 * Shapes every resource shares, as JSON Schema (TypeBox): the same objects drive validation,
 * TypeScript types and the OpenAPI document. Each resource has its own module beside this one.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_ISO_DATE, MIN_ISO_DATE } from '../../domain/dates';
import { CURRENCIES, MAX_AMOUNT } from '../../domain/money';
import { BIDI_CONTROLS_CLASS } from '../../domain/text';

export const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * Free text from clients. Every string of every request must be storable text (well-formed Unicode,
 * no NUL) without bidi embedding/override/isolate controls (api/input-rules.ts, before validation:
 * 400 invalid_text); this pattern documents the NUL and bidi parts in the schema.
 */
export const Text = (opts: Parameters<typeof Type.String>[0] = {}) => Type.String({ pattern: `^[^\\u0000${BIDI_CONTROLS_CLASS}]*$`, ...opts });

/** Characters String.prototype.trim removes, spelled out so every regex engine reads the class alike. */
const TRIMMED = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** Text that must not be blank (services trim it): at least one character that is not whitespace. */
export const NonBlank = (opts: Parameters<typeof Type.String>[0] = {}) =>
  Type.Intersect([Text({ minLength: 1, maxLength: opts.maxLength }), Type.String({ pattern: `[^${TRIMMED}]` })], opts);

export const Uuid = Type.String({ format: 'uuid' });
/** Every date field of every body and query: a calendar date from 1900-01-01 to 9999-12-31 (domain/dates.ts). */
export const IsoDate = Type.String({
  format: 'date',
  pattern: '^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$',
  description: `YYYY-MM-DD, ${MIN_ISO_DATE} to ${MAX_ISO_DATE}`,
  examples: ['2026-12-15'],
});
export const DateTime = Type.String({ format: 'date-time' });
export const Currency = Type.Unsafe<string>({ type: 'string', enum: [...CURRENCIES], description: 'ISO 4217 currency code', examples: ['USD'] });
export const Amount = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'integer minor units (cents for USD: 12500 = $125.00)', examples: [12500] });
export const MoneyValue = Type.Integer({ minimum: 0, description: 'integer minor units', examples: [12500] });
export const Ref = Type.Object({ id: Uuid, name: Type.String() });
export const InvoiceRef = Type.Object({ id: Uuid, number: Type.String() });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable, machine-readable; the codes each operation can return are listed on its responses' }),
      message: Type.String({ description: 'for people; may change' }),
      details: Type.Record(Type.String(), Type.Unknown(), { description: 'what the code is about (field, value, limits, ids)' }),
    }),
  },
  { $id: 'Error', description: 'Every error answer (4xx, 5xx) has this shape.' },
);

/** The error statuses an operation documents, each with the codes it can answer. */
export const ERROR_STATUSES = {
  400: 'The request is malformed or breaks a documented rule; nothing was changed.',
  401: 'No API key, or an invalid or revoked one.',
  403: "The account's plan does not include Payment Center.",
  404: 'A resource the request names does not exist (for this account).',
  409: 'The request conflicts with the current state of a resource; nothing was changed.',
  413: 'The request body is larger than 1 MiB.',
  415: 'The body is not JSON (application/json, UTF-8).',
  422: 'The request is well formed but cannot be carried out as asked.',
  429: 'Too many requests; retry after the Retry-After header (seconds).',
  503: 'A dependency (database, Redis, Temporal, Stripe) is unavailable; nothing was lost, retry after Retry-After (seconds).',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;
export type ErrorCodes = Partial<Record<ErrorStatus, readonly string[]>>;

const RetryAfter = { 'Retry-After': { type: 'integer', description: 'seconds to wait before retrying' } };
/**
 * The documented answer for an error status: the Error schema with `code` narrowed to the listed
 * codes (so a client, and the contract test, know every code), the codes in the description too.
 * 503 codes name the dependency and are not narrowed (any dependency can fail).
 */
export const errorResponse = (status: ErrorStatus, codes: readonly string[]) => ({
  description: `${ERROR_STATUSES[status]} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
  ...(status === 429 || status === 503 ? { headers: RetryAfter } : {}),
  ...(status === 503
    ? Type.Ref(ErrorResponse)
    : Type.Intersect([Type.Ref(ErrorResponse), Type.Object({ error: Type.Object({ code: Type.Unsafe<string>({ type: 'string', enum: [...codes] }) }) })])),
});

export const IdParams = Type.Object({ id: Uuid });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'retries with the same key return the original result' })),
});

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25, description: 'page size' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: "opaque: the previous page's nextCursor, unchanged (any other value is a 400 invalid_cursor)" })),
};
/** A page query with free-text search; `matches` says which fields `q` is matched against. */
export const ListQuery = (matches: string) => ({
  ...PageQuery,
  q: Type.Optional(Text({ maxLength: 200, description: `case-insensitive substring of ${matches}`, examples: ['Ada'] })),
});
export const Page = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
