/**
 * Invoice balance and status rules, shared by the workflow (which owns the live state),
 * the API (which validates before asking the workflow) and the tests.
 */
import { conflict, DomainError, validationError } from './errors';
import { assertPositiveAmount, MAX_AMOUNT, sumAmounts } from './money';
import { assertIsoDate, compareDates } from './dates';

export const INVOICE_STATUSES = ['open', 'overdue', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** The orders of an invoice list (`-` descending); `-createdAt`, newest first, is the default. */
export const INVOICE_SORTS = ['-createdAt', 'dueDate', '-dueDate', 'total', '-total', 'status'] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

/**
 * What the status is derived from. `pastDue` flips once when the due date has passed. Credit notes
 * (`credited`) lower what the invoice asks for; a write-off (`writtenOff`) closes the rest without
 * money: neither is counted as paid. Both are absent (0) in runs from before they existed.
 */
export interface InvoiceBalance {
  total: number;
  paid: number;
  pastDue: boolean;
  voided: boolean;
  credited?: number;
  writtenOff?: number;
}

/** What the customer is asked for after credit notes: the total less credit notes. */
export const payableTotal = (b: InvoiceBalance): number => b.total - (b.credited ?? 0);

/** What settles the plan, oldest instalment first: money paid, credit notes and a write-off alike. */
export const settledAmount = (b: Pick<InvoiceBalance, 'paid' | 'credited' | 'writtenOff'>): number => b.paid + (b.credited ?? 0) + (b.writtenOff ?? 0);

export function dueAmount(b: InvoiceBalance): number {
  return Math.max(0, payableTotal(b) - b.paid - (b.writtenOff ?? 0));
}

export function deriveStatus(b: InvoiceBalance): InvoiceStatus {
  if (b.voided) return 'void';
  if (dueAmount(b) === 0) return 'paid';
  return b.pastDue ? 'overdue' : 'open';
}

/** The refusals every caller of the invoice rules builds the same way (workflow, API, Stripe checkout). */
export const invoiceVoidError = () => conflict('invoice_void', 'invoice is void and accepts no payments', { status: 'void' });
/** The same refusal for a write-off or a credit note (same code and details, its own words). */
export const invoiceVoidAdjustmentError = () => conflict('invoice_void', 'a void invoice takes no credit notes or write-offs', { status: 'void' });
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
  // Money received would stay on an invoice nobody owes any more, and its payments could no longer be voided.
  if (b.paid > 0 && !b.voided) {
    throw conflict('invoice_has_payments', 'an invoice with payments cannot be voided: void or refund its payments first, or credit or write off what is left', { paid: b.paid });
  }
}

/** What the customer owes on an invoice as every screen and document shows it: nothing on a void one. */
export const owedOn = (i: { status: InvoiceStatus; due: number }): number => (i.status === 'void' ? 0 : i.due);

/** Throws unless the invoice still has a due to adjust (write-off, credit note). */
function assertAdjustable(b: InvoiceBalance, what: string): number {
  const status = deriveStatus(b);
  if (status === 'void') throw invoiceVoidAdjustmentError();
  if (status === 'paid') throw conflict('invoice_paid', `a paid invoice has nothing left to ${what}`, { status: 'paid', due: 0 });
  return dueAmount(b);
}

/** A write-off closes the whole remaining due; returns it. */
export const assertWriteOffAllowed = (b: InvoiceBalance): number => assertAdjustable(b, 'write off');

/** A credit note lowers the total by at most what is still due (what was paid stays paid). */
export function assertCreditNoteAllowed(b: InvoiceBalance, amount: number): void {
  assertPositiveAmount(amount);
  const due = assertAdjustable(b, 'credit');
  if (amount > due) throw conflict('credit_note_exceeds_due', `a credit note of ${amount} exceeds the amount due of ${due}`, { due, amount });
}

/** Voiding a payment takes its amount back off the invoice (never below zero paid). */
export const voidPaymentError = {
  stripe: () => conflict('stripe_payment_refund_instead', 'a card payment from Stripe cannot be voided here; refund it with POST /v1/payments/{id}/refunds', {}),
  notOnInvoice: () => conflict('payment_not_on_invoice', 'this payment was not applied to the invoice', {}),
};

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
    // Both factors are positive integers: the only way their product fails is by being too large.
    const amount = item.quantity * item.unitAmount;
    if (!Number.isSafeInteger(amount) || amount > MAX_AMOUNT) {
      throw validationError('amount_too_large', `lineItems[${i}].amount (quantity × unitAmount) is too large: at most ${MAX_AMOUNT} minor units`, {
        index: i,
        field: `lineItems[${i}].amount`,
        max: MAX_AMOUNT,
      });
    }
    return { ...item, amount };
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
