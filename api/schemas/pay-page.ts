import { Type } from '@sinclair/typebox';
import { Currency, IsoDate, MoneyValue, Nullable, Uuid } from './common';
import { CreditedValue, InvoiceStatus, WrittenOffValue } from './invoices';

export const PayTokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 256, description: 'the token of the pay-page link (`/i/<token>`)' }) });

export const PayPageResponse = Type.Object({
  seller: Type.Object({
    name: Type.String({ description: 'the account name' }),
    legalName: Nullable(Type.String()),
    address: Nullable(Type.String()),
    taxId: Nullable(Type.String()),
  }),
  invoice: Type.Object({
    number: Type.String(),
    currency: Currency,
    issueDate: IsoDate,
    dueDate: IsoDate,
    status: InvoiceStatus,
    total: MoneyValue,
    credited: CreditedValue,
    paid: MoneyValue,
    writtenOff: WrittenOffValue,
    due: MoneyValue,
    lineItems: Type.Array(Type.Object({ description: Type.String(), quantity: Type.Integer(), unitAmount: MoneyValue, amount: MoneyValue })),
    paymentPlan: Type.Array(
      Type.Object({
        id: Uuid,
        date: IsoDate,
        amount: MoneyValue,
        covered: Type.Boolean({ description: 'nothing of it is open: payments, then credit notes and write-offs, cover the plan oldest first' }),
        standing: Type.Union([Type.Literal('paid'), Type.Literal('settled'), Type.Literal('partly_open'), Type.Literal('open')], {
          description: 'paid: by payments; settled: by a credit note or a write-off, nothing to pay; partly_open: part of it is open; open: none of it is covered',
        }),
        open: { ...MoneyValue, description: 'what is left to pay of it (a card checkout for this instalment charges this)' },
      }),
      { description: 'for reference: any amount may be paid on any day' },
    ),
  }),
  payment: Type.Object({
    card: Type.Boolean({ description: 'the seller takes cards (Stripe): POST …/checkout' }),
    instructions: Nullable(Type.String({ description: "how to pay otherwise, in the seller's words" })),
  }),
});

export const PayPageCheckoutBody = Type.Union(
  [
    Type.Object(
      { installmentId: Type.Optional({ ...Uuid, description: "pay this instalment's unpaid part instead of everything due" }) },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'optional' },
);
export const PayPageCheckoutResponse = Type.Object({ url: Type.String({ format: 'uri', description: "Stripe's hosted payment page: redirect the customer there" }) });
