/**
 * A payment's state and what may be done to it, in the words of the screens. Manual payments are
 * voided (taken back), card payments are refunded through Stripe; credit applications are neither.
 */

export interface PaymentFacts {
  source: string;
  status: string;
  amount: number;
  refunded: number;
  allocations: readonly unknown[];
}

export const PAYMENT_STATUS_LABELS: Record<string, string> = {
  succeeded: 'Received',
  voided: 'Voided',
  refunded: 'Refunded',
  partially_refunded: 'Partially refunded',
};
export const paymentStatusLabel = (status: string) => PAYMENT_STATUS_LABELS[status] ?? status.replace(/_/g, ' ');

/** The method as read, including `credit` (the contact's credit applied), which is never entered by hand. */
export const paymentMethodText = (method: string, labels: Record<string, string>) => (method === 'credit' ? 'Contact credit' : (labels[method] ?? method));

/** A manual payment not yet voided and not split (its parts are voided one by one, on their invoices). */
export const canVoid = (p: PaymentFacts) => p.source === 'manual' && p.status !== 'voided' && p.allocations.length === 0;

/** What is left to refund of a card payment (0 when it is not a card payment or all was refunded). */
export const refundable = (p: PaymentFacts) => (p.source === 'stripe' && p.status !== 'voided' && p.status !== 'refunded' ? Math.max(0, p.amount - p.refunded) : 0);
