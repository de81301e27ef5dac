import { Type, type Static } from '@sinclair/typebox';
import { INVOICE_STATUSES } from '../../domain/invoice';
import { INVOICE_NUMBER_PATTERN } from '../../domain/numbering';
import { Amount, Currency, DateTime, IsoDate, ListQueryBase, literals, MoneyValue, Nullable, Ref, Text, Uuid } from './common';
import { PaymentMethod, PaymentResponse } from './payments';

export const InvoiceStatus = literals(INVOICE_STATUSES);

export const LineItemBody = Type.Object(
  {
    description: Text({ minLength: 1, maxLength: 500 }),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitAmount: Amount,
  },
  { additionalProperties: false },
);
export const InstallmentBody = Type.Object({ amount: Amount, date: IsoDate, method: Type.Optional(Nullable(PaymentMethod)) }, { additionalProperties: false });
export const InvoiceBody = Type.Object(
  {
    number: Type.Optional(Type.String({ pattern: INVOICE_NUMBER_PATTERN })),
    contactId: Uuid,
    dealId: Type.Optional(Nullable(Uuid)),
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
  method: Nullable(PaymentMethod),
});
export const InvoiceResponse = Type.Object({
  id: Uuid,
  number: Type.String(),
  contact: Ref,
  dealId: Nullable(Uuid),
  currency: Currency,
  issueDate: IsoDate,
  dueDate: IsoDate,
  lineItems: Type.Array(Type.Object({ description: Type.String(), quantity: Type.Integer(), unitAmount: MoneyValue, amount: MoneyValue })),
  total: MoneyValue,
  paid: MoneyValue,
  due: MoneyValue,
  status: InvoiceStatus,
  paymentPlan: Type.Array(PlannedPaymentEmbedded),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const HistoryEntry = Type.Object({
  id: Uuid,
  type: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: DateTime,
});
export const InvoiceDetailResponse = Type.Composite([InvoiceResponse, Type.Object({ payments: Type.Array(PaymentResponse), history: Type.Array(HistoryEntry) })]);
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
