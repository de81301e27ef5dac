import { Type, type Static } from '@sinclair/typebox';
import { MANUAL_PAYMENT_METHODS, PAYMENT_METHODS, PAYMENT_SOURCES, PAYMENT_STATES } from '../../domain/payment';
import { Amount, Currency, DateTime, IsoDate, InvoiceRef, ListQuery, literals, MoneyValue, NonBlank, Nullable, Ref, Text, Uuid } from './common';

export const PaymentMethod = literals(PAYMENT_METHODS);
/** What may be entered by hand (`credit` comes from POST /v1/invoices/{id}/apply-credit). */
export const ManualPaymentMethod = literals(MANUAL_PAYMENT_METHODS);
export const PaymentState = literals(PAYMENT_STATES);
export const PaymentSource = literals(PAYMENT_SOURCES);

export const Allocation = Type.Object({ invoiceId: Uuid, amount: Amount }, { additionalProperties: false });

const paymentFields = {
  amount: Amount,
  date: Type.Optional(IsoDate),
  method: ManualPaymentMethod,
  reference: Type.Optional(Nullable(Text({ maxLength: 200, description: "the payer's reference (bank transfer text, cheque number)", examples: ['TRX-2026-12-0042'] }))),
};
export const PaymentBody = Type.Object(
  {
    ...paymentFields,
    currency: Type.Optional({ ...Currency, description: "ISO 4217 code; defaults to the invoice's currency, or without an invoice to the account's default currency. On an invoice it must be the invoice's." }),
    contactId: Uuid,
    invoiceId: Type.Optional(Nullable(Uuid)),
    allocations: Type.Optional(
      Type.Array(Allocation, {
        minItems: 1,
        maxItems: 50,
        description:
          "one payment across several invoices of the contact, in its currency: every allocation lands or none does; what the allocations leave is the contact's credit. " +
          'Each invoice at most once, together at most `amount`, and not with an invoiceId (400 duplicate_allocation, allocations_exceed_amount, allocations_with_invoice).',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ amount: 12500, currency: 'USD', date: '2026-12-15', method: 'bank_transfer', reference: 'TRX-2026-12-0042', contactId: '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b', invoiceId: null }],
  },
);
export type PaymentBody = Static<typeof PaymentBody>;
export const InvoicePaymentBody = Type.Object(
  {
    ...paymentFields,
    currency: Type.Optional({ ...Currency, description: "ISO 4217 code; must be the invoice's (the default)" }),
    contactId: Type.Optional({ ...Uuid, description: "must be the invoice's contact (the default)" }),
  },
  { additionalProperties: false, examples: [{ amount: 12500, currency: 'USD', date: '2026-12-15', method: 'card', reference: 'TRX-2026-12-0042' }] },
);

export const RefundResponse = Type.Object({
  id: Type.String({ description: "Stripe's refund id (re_…)" }),
  paymentId: Uuid,
  amount: MoneyValue,
  currency: Currency,
  status: Type.String({ description: "Stripe's status: pending, requires_action, succeeded, failed, canceled (failed and canceled gave nothing back)" }),
  reason: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  createdAt: DateTime,
});
export const PaymentResponse = Type.Object({
  id: Uuid,
  contact: Ref,
  invoice: Nullable(InvoiceRef),
  amount: MoneyValue,
  currency: Currency,
  date: IsoDate,
  method: PaymentMethod,
  reference: Nullable(Type.String()),
  source: PaymentSource,
  status: { ...PaymentState, description: '`voided` (taken back by hand), `refunded` / `partially_refunded` (through Stripe), else `succeeded`' },
  voided: Nullable(Type.Object({ at: DateTime, by: Nullable(Type.String()), reason: Type.String() })),
  refunded: { ...MoneyValue, description: 'refunded through Stripe so far (pending and succeeded refunds)' },
  refunds: Type.Array(RefundResponse),
  parentId: Nullable({ ...Uuid, description: 'the payment this one is a part of (one payment allocated across invoices)' }),
  allocations: Type.Array(
    Type.Object({ paymentId: Uuid, invoice: Nullable(InvoiceRef), amount: MoneyValue, status: PaymentState }),
    { description: 'the parts of a payment allocated across invoices (the remainder, on no invoice, is credit)' },
  ),
  createdAt: DateTime,
});
export const VoidPaymentBody = Type.Object(
  { reason: NonBlank({ maxLength: 500, description: 'why it is taken back (typed against the wrong invoice, bounced check…)', examples: ['entered on the wrong invoice'] }) },
  { additionalProperties: false },
);
export const RefundBody = Type.Object(
  {
    amount: Type.Optional({ ...Amount, description: 'minor units; the rest not yet refunded when left out' }),
    reason: Type.Optional(Type.Union([Type.Literal('duplicate'), Type.Literal('fraudulent'), Type.Literal('requested_by_customer')], { description: "Stripe's refund reason" })),
  },
  { additionalProperties: false },
);
export const PaymentListQuery = Type.Object(
  {
    ...ListQuery('the payment reference, the contact name or the invoice number'),
    contactId: Type.Optional(Uuid),
    invoiceId: Type.Optional(Uuid),
    method: Type.Optional(PaymentMethod),
    source: Type.Optional(PaymentSource),
    dateFrom: Type.Optional(IsoDate),
    dateTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
