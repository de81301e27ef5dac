import { Type, type Static } from '@sinclair/typebox';
import { PAYMENT_METHODS, PAYMENT_SOURCES } from '../../domain/payment';
import { Amount, Currency, DateTime, IsoDate, InvoiceRef, ListQuery, literals, MoneyValue, Nullable, Ref, Text, Uuid } from './common';

export const PaymentMethod = literals(PAYMENT_METHODS);
export const PaymentSource = literals(PAYMENT_SOURCES);

const paymentFields = {
  amount: Amount,
  date: Type.Optional(IsoDate),
  method: PaymentMethod,
  reference: Type.Optional(Nullable(Text({ maxLength: 200, description: "the payer's reference (bank transfer text, cheque number)", examples: ['TRX-2026-12-0042'] }))),
};
export const PaymentBody = Type.Object(
  {
    ...paymentFields,
    currency: Type.Optional({ ...Currency, description: "ISO 4217 code; defaults to the invoice's currency, or without an invoice to the account's default currency. On an invoice it must be the invoice's." }),
    contactId: Uuid,
    invoiceId: Type.Optional(Nullable(Uuid)),
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
  createdAt: DateTime,
});
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
