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

/**
 * The terms paymentStateRule is written in, for one way of evaluating it: on values (paymentState,
 * for the API) or as SQL (the CSV export renders the same rule as a CASE, db/repositories/exports.ts).
 */
export interface PaymentStateTerms<Amount, Condition, Result> {
  voided: Condition;
  amount: Amount;
  /** What was refunded of it (live refunds). */
  refunded: Amount;
  zero: Amount;
  atMost(a: Amount, b: Amount): Condition;
  /** The state of the first case whose condition holds, else `otherwise`. */
  firstOf(cases: readonly (readonly [Condition, PaymentState])[], otherwise: PaymentState): Result;
}

/** The one rule for a payment's state, whatever evaluates it. */
export function paymentStateRule<Amount, Condition, Result>(t: PaymentStateTerms<Amount, Condition, Result>): Result {
  return t.firstOf(
    [
      [t.voided, 'voided'],
      [t.atMost(t.refunded, t.zero), 'succeeded'],
      [t.atMost(t.amount, t.refunded), 'refunded'],
    ],
    'partially_refunded',
  );
}

export function paymentState(p: { amount: number; voidedAt?: Date | null; refunded?: number }): PaymentState {
  return paymentStateRule<number, boolean, PaymentState>({
    voided: Boolean(p.voidedAt),
    amount: p.amount,
    refunded: p.refunded ?? 0,
    zero: 0,
    atMost: (a, b) => a <= b,
    firstOf: (cases, otherwise) => cases.find(([holds]) => holds)?.[1] ?? otherwise,
  });
}
