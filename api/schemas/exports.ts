import { Type } from '@sinclair/typebox';
import { InvoiceListQuery } from './invoices';
import { PaymentListQuery } from './payments';
import { PlannedPaymentListQuery } from './payment-plans';

/** The lists' own filters, without paging: the export is every matching row. */
export const InvoiceCsvQuery = Type.Omit(InvoiceListQuery, ['limit', 'cursor', 'sort'], { additionalProperties: false });
export const PaymentCsvQuery = Type.Omit(PaymentListQuery, ['limit', 'cursor'], { additionalProperties: false });
export const PlannedPaymentCsvQuery = Type.Omit(PlannedPaymentListQuery, ['limit', 'cursor'], { additionalProperties: false });

/** A text/csv answer in the OpenAPI document (the route streams it; nothing is serialized). */
export const csvResponse = (columns: readonly string[]) => ({
  description: `RFC 4180 CSV (CRLF, UTF-8) with a header row: ${columns.join(', ')}. Money in major units as decimal strings (ISO 4217 exponent) beside its currency; dates YYYY-MM-DD, instants ISO 8601 UTC; text starting with = + - @ is prefixed with an apostrophe.`,
  content: { 'text/csv': { schema: { type: 'string' } } },
});
