/** How a payment was made. `credit` is the contact's credit applied to an invoice (never entered by hand). */
export const PAYMENT_METHODS = ['cash', 'check', 'wire_transfer', 'bank_transfer', 'card', 'other', 'credit'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
/** What a person may enter on a payment by hand. */
export const MANUAL_PAYMENT_METHODS = PAYMENT_METHODS.filter((m): m is Exclude<PaymentMethod, 'credit'> => m !== 'credit');

/** Where a payment came from: typed in, Stripe, or the contact's credit. */
export const PAYMENT_SOURCES = ['manual', 'stripe', 'credit'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/**
 * A payment's state as lists show it: `voided` (taken back by hand), `refunded` /
 * `partially_refunded` (through Stripe; failed refunds don't count), else `succeeded`.
 */
export const PAYMENT_STATES = ['succeeded', 'voided', 'refunded', 'partially_refunded'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Refunds in these states gave nothing back: they don't count in what was refunded of a payment. */
export const REFUND_STATUSES_GIVING_NOTHING_BACK = ['failed', 'canceled'] as const;

/** A payment's state as the API shows it (the CSV export writes the same rule in SQL: db/repositories/exports.ts). */
export function paymentState(p: { amount: number; voidedAt?: Date | null; refunded?: number }): PaymentState {
  if (p.voidedAt) return 'voided';
  const refunded = p.refunded ?? 0;
  if (refunded <= 0) return 'succeeded';
  return refunded >= p.amount ? 'refunded' : 'partially_refunded';
}
