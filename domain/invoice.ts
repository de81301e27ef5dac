/**
 * Invoice balance and status rules, shared by the workflow (which owns the live state),
 * the API (which validates before asking the workflow) and the tests.
 */
import { conflict, DomainError, validationError } from './errors';
import { assertPositiveAmount, sumAmounts } from './money';
import { assertIsoDate, compareDates } from './dates';

export const INVOICE_STATUSES = ['open', 'overdue', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** The orders of an invoice list (`-` descending); `-createdAt`, newest first, is the default. */
export const INVOICE_SORTS = ['-createdAt', 'dueDate', '-dueDate', 'total', '-total', 'status'] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

/** What the status is derived from. `pastDue` flips once when the due date has passed. */
export interface InvoiceBalance {
  total: number;
  paid: number;
  pastDue: boolean;
  voided: boolean;
}

export function dueAmount(b: InvoiceBalance): number {
  return Math.max(0, b.total - b.paid);
}

export function deriveStatus(b: InvoiceBalance): InvoiceStatus {
  if (b.voided) return 'void';
  if (b.paid >= b.total) return 'paid';
  return b.pastDue ? 'overdue' : 'open';
}

/** The refusals every caller of the invoice rules builds the same way (workflow, API, Stripe checkout). */
export const invoiceVoidError = () => conflict('invoice_void', 'invoice is void and accepts no payments', { status: 'void' });
export const invoicePaidError = () => conflict('invoice_paid', 'invoice is already paid in full', { status: 'paid', due: 0 });
export const currencyMismatchError = (paymentCurrency: string, invoiceCurrency: string) =>
  conflict('currency_mismatch', `payment currency ${paymentCurrency} differs from the invoice currency ${invoiceCurrency}`, { invoiceCurrency });

/** The workflow made the change but Postgres refused to store part of it for good: an operator must look. */
export const writeRefusedError = (change: 'payment' | 'void') =>
  new DomainError(
    'unprocessable',
    'write_refused',
    change === 'payment'
      ? 'the payment is applied to the balance, but its record could not be stored; the invoice is flagged for attention'
      : 'the invoice is void, but its history entry could not be stored; the invoice is flagged for attention',
    { needsAttention: true },
  );

/** Throws the DomainError a payment of `amount` on this invoice would violate. */
export function assertPaymentAcceptable(b: InvoiceBalance, amount: number): void {
  assertPositiveAmount(amount);
  const status = deriveStatus(b);
  if (status === 'void') throw invoiceVoidError();
  if (status === 'paid') throw invoicePaidError();
  const due = dueAmount(b);
  if (amount > due) {
    throw conflict('overpayment', `payment of ${amount} exceeds the amount due of ${due}; record the excess as a payment on the contact without an invoice`, {
      due,
      amount,
    });
  }
}

/** A refund or lost dispute gives money back: the balance reopens (open or overdue again), never below zero. */
export function applyReversal(b: InvoiceBalance, amount: number): InvoiceBalance {
  return { ...b, paid: Math.max(0, b.paid - amount) };
}

export function assertVoidable(b: InvoiceBalance): void {
  const status = deriveStatus(b);
  if (status === 'paid') throw conflict('invoice_paid', 'a paid invoice cannot be voided', { status });
}

export interface LineItemInput {
  description: string;
  quantity: number;
  unitAmount: number;
}
export interface LineItem extends LineItemInput {
  amount: number;
}

/** Line amounts are quantity × unit amount, integers only; the total is their sum. */
export function priceLineItems(items: readonly LineItemInput[]): { lineItems: LineItem[]; total: number } {
  if (items.length === 0) throw validationError('invalid_line_items', 'an invoice needs at least one line item');
  const lineItems = items.map((item, i) => {
    if (!Number.isSafeInteger(item.quantity) || item.quantity <= 0) {
      throw validationError('invalid_quantity', `lineItems[${i}].quantity must be a positive integer`, { index: i, value: item.quantity });
    }
    assertPositiveAmount(item.unitAmount, `lineItems[${i}].unitAmount`);
    return { ...item, amount: assertPositiveAmount(item.quantity * item.unitAmount, `lineItems[${i}].amount`) };
  });
  return { lineItems, total: assertPositiveAmount(sumAmounts(lineItems.map((l) => l.amount)), 'total') };
}

export function assertInvoiceDates(issueDate: string, dueDate: string): void {
  assertIsoDate(issueDate, 'issueDate');
  assertIsoDate(dueDate, 'dueDate');
  if (compareDates(dueDate, issueDate) < 0) {
    throw validationError('due_before_issue', 'dueDate must be on or after issueDate', { issueDate, dueDate });
  }
}
