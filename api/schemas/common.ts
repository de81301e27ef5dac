/**
 * Shapes every resource shares, as JSON Schema (TypeBox): the same objects drive validation,
 * TypeScript types and the OpenAPI document. Each resource has its own module beside this one.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_ISO_DATE, MIN_ISO_DATE } from '../../domain/dates';
import { MAX_AMOUNT } from '../../domain/money';

export const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * Free text from clients. Every string of every request must be storable text (well-formed Unicode,
 * no NUL: api/input-rules.ts, before validation); this pattern documents the NUL part in the schema.
 */
export const Text = (opts: Parameters<typeof Type.String>[0] = {}) => Type.String({ pattern: '^[^\\u0000]*$', ...opts });

export const Uuid = Type.String({ format: 'uuid' });
/** Every date field of every body and query: a calendar date from 1900-01-01 to 9999-12-31 (domain/dates.ts). */
export const IsoDate = Type.String({
  format: 'date',
  pattern: '^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$',
  description: `YYYY-MM-DD, ${MIN_ISO_DATE} to ${MAX_ISO_DATE}`,
  examples: ['2026-12-15'],
});
export const DateTime = Type.String({ format: 'date-time' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
export const Amount = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'minor units (e.g. cents)' });
export const MoneyValue = Type.Integer({ minimum: 0, description: 'minor units' });
export const Ref = Type.Object({ id: Uuid, name: Type.String() });
export const InvoiceRef = Type.Object({ id: Uuid, number: Type.String() });

export const ErrorResponse = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) }) },
  { $id: 'Error' },
);

export const IdParams = Type.Object({ id: Uuid });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'retries with the same key return the original result' })),
});

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'opaque; from nextCursor' })),
};
export const ListQueryBase = { ...PageQuery, q: Type.Optional(Text({ maxLength: 200 })) };
export const Page = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
