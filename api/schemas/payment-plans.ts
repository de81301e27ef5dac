import { Type } from '@sinclair/typebox';
import { Currency, InvoiceRef, IsoDate, ListQuery, MoneyValue, Nullable, Ref, Uuid } from './common';
import { InvoiceStatus } from './invoices';
import { PaymentMethod } from './payments';

export const PlannedPaymentResponse = Type.Object({
  id: Uuid,
  invoice: InvoiceRef,
  contact: Ref,
  amount: MoneyValue,
  currency: Currency,
  date: IsoDate,
  method: Nullable(PaymentMethod),
  invoiceStatus: InvoiceStatus,
});
export const PlannedPaymentListQuery = Type.Object(
  {
    ...ListQuery('the invoice number or the contact name'),
    contactId: Type.Optional(Uuid),
    invoiceId: Type.Optional(Uuid),
    invoiceStatus: Type.Optional(InvoiceStatus),
    method: Type.Optional(PaymentMethod),
    dateFrom: Type.Optional(IsoDate),
    dateTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
