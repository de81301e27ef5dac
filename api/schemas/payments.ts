import { Type, type Static } from '@sinclair/typebox';
import { PAYMENT_METHODS, PAYMENT_SOURCES } from '../../domain/payment';
import { Amount, Currency, DateTime, IsoDate, InvoiceRef, ListQueryBase, literals, MoneyValue, Nullable, Ref, Text, Uuid } from './common';

export const PaymentMethod = literals(PAYMENT_METHODS);
export const PaymentSource = literals(PAYMENT_SOURCES);

const paymentFields = {
  amount: Amount,
  currency: Type.Optional(Currency),
  date: Type.Optional(IsoDate),
  method: PaymentMethod,
  reference: Type.Optional(Nullable(Text({ maxLength: 200 }))),
};
export const PaymentBody = Type.Object({ ...paymentFields, contactId: Uuid, invoiceId: Type.Optional(Nullable(Uuid)) }, { additionalProperties: false });
export type PaymentBody = Static<typeof PaymentBody>;
export const InvoicePaymentBody = Type.Object({ ...paymentFields, contactId: Type.Optional(Uuid) }, { additionalProperties: false });

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
