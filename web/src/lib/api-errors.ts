/**
 * API errors in plain words, and the form field each one is about, so a message lands next to the
 * input it concerns. The API's `{ error: { code, message, details } }` is the only input.
 */
import { formatAmount } from './money';

export interface ApiError {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The `error` of an API answer, or a stand-in for a network failure or an answer that is no API error. */
export function apiErrorOf(body: unknown, status?: number): ApiError {
  const e = (body as { error?: Partial<ApiError> } | null)?.error;
  if (e && typeof e.code === 'string') return { code: e.code, message: String(e.message ?? ''), details: (e.details as Record<string, unknown>) ?? {} };
  if (status === undefined) return { code: 'network_error', message: 'network error', details: {} };
  return { code: `http_${status}`, message: `the server answered ${status}`, details: {} };
}

const PLAIN: Record<string, string> = {
  network_error: 'The Payment Center cannot be reached. Check your connection and try again.',
  unauthorized: 'Your session has ended. Sign in again.',
  plan_required: 'The Payment Center needs the Professional plan.',
  not_found: 'It does not exist, or it belongs to another account.',
  invoice_void: 'This invoice is void: it takes no payments, credit notes or write-offs.',
  invoice_has_payments: 'This invoice has payments, so it cannot be voided: void or refund them first, or credit or write off what is left.',
  invoice_paid: 'This invoice is already paid in full.',
  contact_mismatch: "The payment's contact is not the invoice's contact.",
  duplicate_invoice_number: 'Another invoice already has this number.',
  deal_contact_mismatch: "This deal belongs to another contact: choose one of the contact's deals.",
  due_before_issue: 'The due date must be on or after the invoice date.',
  plan_date_before_issue: 'Instalment dates must be on or after the invoice date.',
  plan_date_after_due: 'Instalment dates must be on or before the due date.',
  rate_limited: 'Too many requests just now. Wait a moment and try again.',
  payment_pending: 'The payment is still being recorded. Wait a moment and look again before retrying.',
  stripe_not_configured: 'Card payments are not set up for this account.',
  csrf_required: 'The request was refused for your security. Reload the page and try again.',
  stripe_payment_refund_instead: 'A card payment cannot be voided: refund it instead, so the money goes back to the card.',
  manual_payment_void_instead: 'A payment entered by hand is not refunded through Stripe: void it instead.',
  allocated_payment: 'This payment is split across invoices: void each of its parts on its invoice.',
  payment_not_on_invoice: 'This payment is not on this invoice.',
  payment_voided: 'This payment was voided; there is nothing to refund.',
  payment_not_refundable: 'This card payment cannot be refunded through Stripe (it has no card charge to refund).',
  change_pending: 'The change is still being made. Wait a moment, then try again: it will not be made twice.',
};

/** One sentence for people. `currency` formats the amounts an error names (an overpayment's due). */
export function plainMessage(error: ApiError, currency?: string): string {
  const d = error.details;
  if (error.code === 'overpayment' && typeof d.due === 'number' && currency) {
    return `The amount is more than is due: ${formatAmount(d.due, currency)} is due on this invoice. Record the rest as a payment without an invoice.`;
  }
  if (error.code === 'plan_total_mismatch' && typeof d.planTotal === 'number' && typeof d.total === 'number' && currency) {
    return `The instalments add up to ${formatAmount(d.planTotal, currency)}, the invoice total is ${formatAmount(d.total, currency)}.`;
  }
  if (error.code === 'insufficient_credit' && currency) {
    return typeof d.available === 'number'
      ? `The contact's credit is not enough: ${formatAmount(d.available, currency)} is available.`
      : "The contact's credit is not enough for this (part of it was already used).";
  }
  if (error.code === 'credit_note_exceeds_due' && typeof d.due === 'number' && currency) return `A credit note can be at most what is due: ${formatAmount(d.due, currency)}.`;
  if (error.code === 'refund_exceeds_payment' && typeof d.refundable === 'number' && currency) return `The refund is more than is left to refund of this payment: ${formatAmount(d.refundable, currency)}.`;
  if (error.code === 'currency_mismatch' && typeof d.invoiceCurrency === 'string') return `The payment must be in the invoice's currency, ${d.invoiceCurrency}.`;
  if (PLAIN[error.code]) return PLAIN[error.code];
  if (error.code.endsWith('_unavailable')) return 'A service the Payment Center needs is not answering. Nothing was changed; try again in a moment.';
  if (error.code === 'validation_failed') {
    const issue = (d.issues as { path?: string; message?: string }[] | undefined)?.[0];
    if (issue?.message) return `${labelOf(fieldPath(issue.path ?? ''))} ${issue.message}.`.replace(/^\s+/, '');
  }
  const text = error.message.trim();
  return text ? text[0].toUpperCase() + text.slice(1).replace(/([^.])$/, '$1.') : 'Something went wrong.';
}

/**
 * The form field an error is about, as a dotted path ("dueDate", "lineItems.0.unitAmount",
 * "paymentPlan.1.date"), or null for an error about the whole request.
 */
export function errorField(error: ApiError): string | null {
  const d = error.details;
  if (typeof d.field === 'string') return fieldPath(d.field);
  if (error.code === 'validation_failed') {
    const path = (d.issues as { path?: string; params?: { missingProperty?: string } }[] | undefined)?.[0];
    if (path) return fieldPath(`${path.path ?? ''}${path.params?.missingProperty ? `/${path.params.missingProperty}` : ''}`) || null;
  }
  const byCode: Record<string, string> = {
    due_before_issue: 'dueDate',
    duplicate_invoice_number: 'number',
    invalid_invoice_number: 'number',
    deal_contact_mismatch: 'dealId',
    overpayment: 'amount',
    insufficient_credit: 'amount',
    credit_note_exceeds_due: 'amount',
    refund_exceeds_payment: 'amount',
    currency_mismatch: 'currency',
    contact_mismatch: 'contactId',
    contact_required: 'contactId',
    plan_total_mismatch: 'paymentPlan',
  };
  if (byCode[error.code]) return byCode[error.code];
  if (error.code.startsWith('plan_date_') && typeof d.index === 'number') return `paymentPlan.${d.index}.date`;
  return null;
}

/** "lineItems[0].unitAmount" or "/lineItems/0/unitAmount" → "lineItems.0.unitAmount". */
function fieldPath(raw: string): string {
  return raw
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\//g, '.')
    .replace(/^\.+|\.+$/g, '');
}

function labelOf(path: string): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
  return last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}
