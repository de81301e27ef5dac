/**
 * Request and response shapes as JSON Schema (TypeBox): the same objects drive validation,
 * TypeScript types and the OpenAPI document.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { INVOICE_STATUSES } from '../domain/invoice';
import { PAYMENT_METHODS, PAYMENT_SOURCES } from '../domain/payment';
import { MAX_AMOUNT } from '../domain/money';
import { INVOICE_NUMBER_PATTERN } from '../domain/numbering';

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/**
 * Free text from clients: Postgres cannot store NUL (U+0000) in text, so such a string is a 400 at the
 * boundary rather than a failed insert (or a workflow activity retrying an unstorable payment forever).
 */
const Text = (opts: Parameters<typeof Type.String>[0] = {}) => Type.String({ pattern: '^[^\\u0000]*$', ...opts });

export const Uuid = Type.String({ format: 'uuid' });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
export const Amount = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'minor units (e.g. cents)' });
export const MoneyValue = Type.Integer({ minimum: 0, description: 'minor units' });
export const InvoiceStatus = literals(INVOICE_STATUSES);
export const PaymentMethod = literals(PAYMENT_METHODS);
export const PaymentSource = literals(PAYMENT_SOURCES);
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

export const ListQueryBase = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'opaque; from nextCursor' })),
  q: Type.Optional(Text({ maxLength: 200 })),
};
export const Page = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

// ---- contacts & deals -------------------------------------------------------------------------
export const ContactBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.Union([Text({ format: 'email', maxLength: 320 }), Type.Null()])),
    company: Type.Optional(Type.Union([Text({ maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export const ContactResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export const DealBody = Type.Object(
  { name: Text({ minLength: 1, maxLength: 200 }), contactId: Uuid, amount: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT }), currency: Currency },
  { additionalProperties: false },
);
export const DealResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  contact: Ref,
  amount: MoneyValue,
  currency: Currency,
  createdAt: Type.String({ format: 'date-time' }),
});

// ---- invoices ---------------------------------------------------------------------------------
export const LineItemBody = Type.Object(
  {
    description: Text({ minLength: 1, maxLength: 500 }),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitAmount: Amount,
  },
  { additionalProperties: false },
);
export const InstallmentBody = Type.Object(
  { amount: Amount, date: IsoDate, method: Type.Optional(Type.Union([PaymentMethod, Type.Null()])) },
  { additionalProperties: false },
);
export const InvoiceBody = Type.Object(
  {
    number: Type.Optional(Type.String({ pattern: INVOICE_NUMBER_PATTERN })),
    contactId: Uuid,
    dealId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    currency: Currency,
    issueDate: IsoDate,
    dueDate: IsoDate,
    lineItems: Type.Array(LineItemBody, { minItems: 1, maxItems: 200 }),
    paymentPlan: Type.Optional(Type.Array(InstallmentBody, { minItems: 1, maxItems: 120 })),
  },
  { additionalProperties: false },
);
export type InvoiceBody = Static<typeof InvoiceBody>;

export const PlannedPaymentEmbedded = Type.Object({
  id: Uuid,
  amount: MoneyValue,
  date: IsoDate,
  method: Type.Union([PaymentMethod, Type.Null()]),
});
export const InvoiceResponse = Type.Object({
  id: Uuid,
  number: Type.String(),
  contact: Ref,
  dealId: Type.Union([Uuid, Type.Null()]),
  currency: Currency,
  issueDate: IsoDate,
  dueDate: IsoDate,
  lineItems: Type.Array(Type.Object({ description: Type.String(), quantity: Type.Integer(), unitAmount: MoneyValue, amount: MoneyValue })),
  total: MoneyValue,
  paid: MoneyValue,
  due: MoneyValue,
  status: InvoiceStatus,
  paymentPlan: Type.Array(PlannedPaymentEmbedded),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const PaymentResponse = Type.Object({
  id: Uuid,
  contact: Ref,
  invoice: Type.Union([InvoiceRef, Type.Null()]),
  amount: MoneyValue,
  currency: Currency,
  date: IsoDate,
  method: PaymentMethod,
  reference: Type.Union([Type.String(), Type.Null()]),
  source: PaymentSource,
  createdAt: Type.String({ format: 'date-time' }),
});
export const HistoryEntry = Type.Object({
  id: Uuid,
  type: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: Type.String({ format: 'date-time' }),
});
export const InvoiceDetailResponse = Type.Composite([
  InvoiceResponse,
  Type.Object({ payments: Type.Array(PaymentResponse), history: Type.Array(HistoryEntry) }),
]);
export const InvoiceListQuery = Type.Object(
  {
    ...ListQueryBase,
    status: Type.Optional(InvoiceStatus),
    contactId: Type.Optional(Uuid),
    issueDateFrom: Type.Optional(IsoDate),
    issueDateTo: Type.Optional(IsoDate),
    dueDateFrom: Type.Optional(IsoDate),
    dueDateTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
export const VoidBody = Type.Union([Type.Object({ reason: Type.Optional(Text({ maxLength: 500 })) }, { additionalProperties: false }), Type.Null()]);

// ---- payments ---------------------------------------------------------------------------------
const paymentFields = {
  amount: Amount,
  currency: Type.Optional(Currency),
  date: Type.Optional(IsoDate),
  method: PaymentMethod,
  reference: Type.Optional(Type.Union([Text({ maxLength: 200 }), Type.Null()])),
};
export const PaymentBody = Type.Object(
  { ...paymentFields, contactId: Uuid, invoiceId: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { additionalProperties: false },
);
export type PaymentBody = Static<typeof PaymentBody>;
export const InvoicePaymentBody = Type.Object(
  { ...paymentFields, contactId: Type.Optional(Uuid) },
  { additionalProperties: false },
);
export const PaymentListQuery = Type.Object(
  {
    ...ListQueryBase,
    contactId: Type.Optional(Uuid),
    invoiceId: Type.Optional(Uuid),
    method: Type.Optional(PaymentMethod),
    source: Type.Optional(PaymentSource),
    dateFrom: Type.Optional(IsoDate),
    dateTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);

// ---- payment plans ----------------------------------------------------------------------------
export const PlannedPaymentResponse = Type.Object({
  id: Uuid,
  invoice: InvoiceRef,
  contact: Ref,
  amount: MoneyValue,
  currency: Currency,
  date: IsoDate,
  method: Type.Union([PaymentMethod, Type.Null()]),
  invoiceStatus: InvoiceStatus,
});
export const PlannedPaymentListQuery = Type.Object(
  {
    ...ListQueryBase,
    contactId: Type.Optional(Uuid),
    invoiceId: Type.Optional(Uuid),
    invoiceStatus: Type.Optional(InvoiceStatus),
    method: Type.Optional(PaymentMethod),
    dateFrom: Type.Optional(IsoDate),
    dateTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
