import { Type, type Static } from '@sinclair/typebox';
import { INVOICE_SORTS, INVOICE_STATUSES } from '../../domain/invoice';
import { INVOICE_NUMBER_PATTERN } from '../../domain/numbering';
import { Amount, Currency, DateTime, IsoDate, ListQuery, literals, MoneyValue, NonBlank, Nullable, Ref, Text, Uuid } from './common';
import { PaymentMethod, PaymentResponse } from './payments';

export const InvoiceStatus = literals(INVOICE_STATUSES);

export const LineItemBody = Type.Object(
  {
    description: NonBlank({ maxLength: 500, examples: ['Consulting, December 2026'] }),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000, examples: [1] }),
    unitAmount: Amount,
  },
  { additionalProperties: false, description: 'quantity × unitAmount, and the invoice total, must not exceed the largest amount' },
);
export const InstallmentBody = Type.Object(
  { amount: Amount, date: { ...IsoDate, description: 'planned payment date, from issueDate to dueDate' }, method: Type.Optional(Nullable(PaymentMethod)) },
  { additionalProperties: false },
);
export const InvoiceBody = Type.Object(
  {
    number: Type.Optional(Type.String({ pattern: INVOICE_NUMBER_PATTERN, description: 'unique per account; generated (INV-000001, …) when left out', examples: ['INV-2026-0042'] })),
    contactId: Uuid,
    dealId: Type.Optional(Nullable({ ...Uuid, description: "a deal of the invoice's contact" })),
    currency: Currency,
    issueDate: IsoDate,
    dueDate: { ...IsoDate, description: 'on or after issueDate; the invoice is overdue once this day has passed in the account time zone' },
    lineItems: Type.Array(LineItemBody, { minItems: 1, maxItems: 200 }),
    paymentPlan: Type.Optional(
      Type.Array(InstallmentBody, {
        minItems: 1,
        maxItems: 120,
        description: 'instalments summing to the invoice total, dated from issueDate to dueDate; default: the total on the due date',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        contactId: '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b',
        currency: 'USD',
        issueDate: '2026-11-15',
        dueDate: '2026-12-15',
        lineItems: [{ description: 'Consulting, December 2026', quantity: 1, unitAmount: 12500 }],
        paymentPlan: [
          { amount: 6250, date: '2026-11-30', method: 'card' },
          { amount: 6250, date: '2026-12-15', method: 'card' },
        ],
      },
    ],
  },
);
export type InvoiceBody = Static<typeof InvoiceBody>;

export const PlannedPaymentEmbedded = Type.Object({
  id: Uuid,
  amount: MoneyValue,
  date: IsoDate,
  method: Nullable(PaymentMethod),
  covered: Type.Boolean({ description: 'paid in full by the payments so far (they cover the plan oldest first)' }),
});
/** The two figures besides paid that lower the due amount (the team's invoice and the customer's pay page). */
export const CreditedValue = { ...MoneyValue, description: 'the sum of credit notes: they lower what is asked for (due = total − credited − paid − writtenOff)' };
export const WrittenOffValue = { ...MoneyValue, description: 'closed without payment by a write-off (not counted as paid)' };
const CustomerUrl = Type.String({ format: 'uri', description: "the customer's pay page for this invoice (no API key needed); POST …/customer-link replaces it", examples: ['https://pay.example.com/i/3q2-…'] });
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
  credited: CreditedValue,
  writtenOff: WrittenOffValue,
  status: InvoiceStatus,
  paymentPlan: Type.Array(PlannedPaymentEmbedded),
  customerUrl: CustomerUrl,
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
const { q, ...paging } = ListQuery('the invoice number or the contact name');
const InvoiceFilters = {
  q,
  status: Type.Optional(InvoiceStatus),
  contactId: Type.Optional(Uuid),
  issueDateFrom: Type.Optional(IsoDate),
  issueDateTo: Type.Optional(IsoDate),
  dueDateFrom: Type.Optional(IsoDate),
  dueDateTo: Type.Optional(IsoDate),
};
export const InvoiceListQuery = Type.Object(
  {
    ...paging,
    ...InvoiceFilters,
    sort: Type.Optional({
      ...literals(INVOICE_SORTS),
      default: '-createdAt',
      description: '`-createdAt` newest first (default); `dueDate`/`-dueDate`, `total`/`-total` (ties by id); `status` in lifecycle order (open, overdue, paid, void), newest first within one. The cursor is only valid with the sort it came from.',
    }),
  },
  { additionalProperties: false },
);
export const InvoiceSummaryQuery = Type.Object(InvoiceFilters, { additionalProperties: false });
const Unpaid = Type.Object({ count: Type.Integer({ minimum: 0 }), due: MoneyValue });
export const InvoiceSummaryResponse = Type.Object({
  data: Type.Array(
    Type.Object({
      currency: Currency,
      open: { ...Unpaid, description: 'invoices in status open (not yet past due) and what they still owe' },
      overdue: { ...Unpaid, description: 'invoices in status overdue and what they still owe' },
      aging: Type.Object(
        {
          current: { ...MoneyValue, description: 'due today or later' },
          days1To30: MoneyValue,
          days31To60: MoneyValue,
          days61To90: MoneyValue,
          over90: MoneyValue,
        },
        { description: "what is unpaid by days past its due date, counted on today's date in the account time zone" },
      ),
    }),
    { description: 'one entry per currency with open or overdue invoices, by currency code' },
  ),
});
export const CustomerLinkResponse = Type.Object({ customerUrl: CustomerUrl });
export const VoidBody = Type.Union(
  [Type.Object({ reason: Type.Optional(Text({ maxLength: 500, description: 'kept in the invoice history', examples: ['Issued to the wrong contact'] })) }, { additionalProperties: false }), Type.Null()],
  { description: 'optional' },
);
