/**
 * Stripe webhook events → what they mean for an invoice. Pure: no I/O, no SDK. The webhook service
 * persists the event, resolves the invoice, and hands the action to the invoice workflow.
 *
 * Money: Stripe amounts are integers in the currency's smallest unit, like ours (zero-decimal
 * currencies such as JPY are whole units in both); currencies are lowercase at Stripe, ISO upper here.
 */
import { isCurrency, isMinorAmount } from './money';
import { conflict } from './errors';

/** Lifecycle of a received webhook event (stripe_events.status). */
export const STRIPE_EVENT_STATUSES = ['received', 'processed', 'ignored', 'unmatched', 'failed'] as const;
export type StripeEventStatus = (typeof STRIPE_EVENT_STATUSES)[number];

export interface StripeMetadataRef {
  tenantId: string | null;
  invoiceId: string | null;
}

export interface StripeReversal {
  /** Refund id (re_…) or dispute id (dp_…): the workflow dedupes reversals by it. */
  id: string;
  kind: 'refund' | 'dispute';
  amount: number;
}

export type StripeEventAction =
  | {
      kind: 'payment';
      /** The PaymentIntent id (or, with no PaymentIntent, the object id): the payment id derives from it. */
      paymentIntentId: string;
      amount: number;
      currency: string;
      metadata: StripeMetadataRef;
      /** Reference shown on the payment (PaymentIntent id; dispute id for a won dispute). */
      reference: string;
      /** Set for money coming back after a won dispute: the payment id derives from it instead. */
      paymentKey?: string;
    }
  | {
      kind: 'reversal';
      paymentIntentId: string | null;
      chargeId: string | null;
      currency: string;
      metadata: StripeMetadataRef;
      reversals: StripeReversal[];
      /** A charge event also proves the payment succeeded: applied first so order never matters. */
      payment: { amount: number } | null;
    }
  | {
      /**
       * A `charge.refunded` whose Charge does not embed its refunds (current API versions only expand
       * them) or embeds only the first page: the refunds must be listed from Stripe, then
       * `chargeRefundedAction` gives the reversal. Carries what resolving the invoice needs.
       */
      kind: 'list_refunds';
      chargeId: string;
      paymentIntentId: string | null;
      metadata: StripeMetadataRef;
    }
  | {
      /** A refund Stripe reports failed or canceled: the workflow undoes its reversal once (if it had one). */
      kind: 'reversal_failed';
      refundId: string;
      reason: string | null;
      paymentIntentId: string | null;
      chargeId: string | null;
      metadata: StripeMetadataRef;
    }
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; reason: string };

/** `usd` → `USD`; null when it is not an ISO 4217 code. */
export function fromStripeCurrency(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  return isCurrency(upper) ? upper : null;
}

/** `USD` → `usd`. */
export const toStripeCurrency = (currency: string) => currency.toLowerCase();

/**
 * Currencies whose amounts Stripe counts in another unit than ISO 4217's minor unit (MGA has no
 * decimals at Stripe, two in ISO; ISK and UGX have none in ISO and are written with two at Stripe):
 * passed as they are, they would be charged 100 times off, so card payments in them are refused.
 */
const STRIPE_UNIT_DIFFERS: ReadonlySet<string> = new Set(['ISK', 'MGA', 'UGX']);
export const isStripeChargeable = (currency: string): boolean => !STRIPE_UNIT_DIFFERS.has(currency);
export function assertStripeChargeable(currency: string): void {
  if (!isStripeChargeable(currency)) {
    throw conflict('stripe_currency_unsupported', `card payments in ${currency} are not taken here (Stripe counts its amounts in another unit than ISO 4217)`, { currency });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
/** An expandable field: the id string, or the expanded object's id. */
const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null);

export function metadataRef(obj: Obj): StripeMetadataRef {
  const md = isObj(obj.metadata) ? obj.metadata : {};
  return { tenantId: str(md.tenant_id), invoiceId: str(md.invoice_id) };
}

/** The PaymentIntent an event's object belongs to (for correlation of refunds and disputes). */
export function paymentIntentIdOf(type: string, obj: Obj): string | null {
  if (type.startsWith('payment_intent.')) return str(obj.id);
  return idOf(obj.payment_intent);
}

function money(amount: unknown, currency: unknown): { amount: number; currency: string } | string {
  const cur = fromStripeCurrency(currency);
  if (!cur) return `unsupported currency ${String(currency)}`;
  // Its amount is not in ISO minor units: stored as failed, with the reason, for the team to record by hand.
  if (!isStripeChargeable(cur)) return `${cur} amounts are counted in another unit at Stripe than in ISO 4217; record this payment by hand`;
  if (!isMinorAmount(amount) || amount === 0) return `invalid amount ${String(amount)}`;
  return { amount, currency: cur };
}

const REVERSING_REFUND = new Set(['succeeded', 'pending', 'requires_action']);
/** Final: the money never left (or came back to the customer's bank never), so its reversal is undone. */
const FAILED_REFUND = new Set(['failed', 'canceled']);

export function stripeEventAction(event: { type: string; data: { object: unknown } }): StripeEventAction {
  const obj = event.data?.object;
  if (!isObj(obj)) return { kind: 'invalid', reason: 'event has no data.object' };
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      if (obj.payment_status !== 'paid') return { kind: 'ignore', reason: `checkout session payment_status ${String(obj.payment_status)}` };
      const m = money(obj.amount_total, obj.currency);
      if (typeof m === 'string') return { kind: 'invalid', reason: m };
      const pi = idOf(obj.payment_intent) ?? str(obj.id);
      if (!pi) return { kind: 'invalid', reason: 'checkout session without id' };
      return { kind: 'payment', paymentIntentId: pi, ...m, metadata: metadataRef(obj), reference: pi };
    }
    case 'payment_intent.succeeded': {
      const m = money(obj.amount_received, obj.currency);
      if (typeof m === 'string') return { kind: 'invalid', reason: m };
      const pi = str(obj.id);
      if (!pi) return { kind: 'invalid', reason: 'payment intent without id' };
      return { kind: 'payment', paymentIntentId: pi, ...m, metadata: metadataRef(obj), reference: pi };
    }
    case 'charge.refunded': {
      const cur = fromStripeCurrency(obj.currency);
      if (!cur) return { kind: 'invalid', reason: `unsupported currency ${String(obj.currency)}` };
      const embedded = isObj(obj.refunds) && Array.isArray(obj.refunds.data) && obj.refunds.has_more !== true ? obj.refunds.data : null;
      if (embedded) return chargeRefundedAction(obj, embedded);
      const chargeId = str(obj.id);
      if (!chargeId) return { kind: 'invalid', reason: 'charge without id' };
      return { kind: 'list_refunds', chargeId, paymentIntentId: idOf(obj.payment_intent), metadata: metadataRef(obj) };
    }
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
    case 'charge.refund.updated': {
      if (event.type === 'refund.failed' || FAILED_REFUND.has(String(obj.status))) {
        const id = str(obj.id);
        if (!id) return { kind: 'invalid', reason: 'refund without id' };
        return { kind: 'reversal_failed', refundId: id, reason: str(obj.failure_reason), paymentIntentId: idOf(obj.payment_intent), chargeId: idOf(obj.charge), metadata: metadataRef(obj) };
      }
      if (!REVERSING_REFUND.has(String(obj.status))) return { kind: 'ignore', reason: `refund status ${String(obj.status)}` };
      const m = money(obj.amount, obj.currency);
      if (typeof m === 'string') return { kind: 'invalid', reason: m };
      const id = str(obj.id);
      if (!id) return { kind: 'invalid', reason: 'refund without id' };
      return { kind: 'reversal', paymentIntentId: idOf(obj.payment_intent), chargeId: idOf(obj.charge), currency: m.currency, metadata: metadataRef(obj), reversals: [{ id, kind: 'refund', amount: m.amount }], payment: null };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const m = money(obj.amount, obj.currency);
      if (typeof m === 'string') return { kind: 'invalid', reason: m };
      const id = str(obj.id);
      if (!id) return { kind: 'invalid', reason: 'dispute without id' };
      const pi = idOf(obj.payment_intent);
      // Stripe withdraws the disputed amount when the dispute opens; a lost dispute confirms it (same
      // reversal id, so it counts once either way); a won dispute gives the money back.
      if (event.type === 'charge.dispute.closed' && obj.status === 'won') {
        if (!pi) return { kind: 'invalid', reason: 'dispute without payment_intent' };
        return { kind: 'payment', paymentIntentId: pi, ...m, metadata: metadataRef(obj), reference: id, paymentKey: `dispute-won:${id}` };
      }
      if (event.type === 'charge.dispute.closed' && obj.status !== 'lost') return { kind: 'ignore', reason: `dispute closed as ${String(obj.status)}` };
      return { kind: 'reversal', paymentIntentId: pi, chargeId: idOf(obj.charge), currency: m.currency, metadata: metadataRef(obj), reversals: [{ id, kind: 'dispute', amount: m.amount }], payment: null };
    }
    default:
      return { kind: 'ignore', reason: `event type ${event.type} is not used` };
  }
}

/**
 * A `charge.refunded` Charge with all of its refunds (embedded in the event, or listed from Stripe):
 * one reversal per refund, keyed by the refund id (re_…) exactly as the refund.* events are, so a
 * refund reported by both counts once. Refund statuses are read as for refund.* events.
 */
export function chargeRefundedAction(charge: unknown, refunds: readonly unknown[]): Extract<StripeEventAction, { kind: 'reversal' | 'ignore' | 'invalid' }> {
  if (!isObj(charge)) return { kind: 'invalid', reason: 'event has no data.object' };
  const cur = fromStripeCurrency(charge.currency);
  if (!cur) return { kind: 'invalid', reason: `unsupported currency ${String(charge.currency)}` };
  const seen = new Set<string>();
  const reversals = refunds
    .filter(isObj)
    .filter((r) => REVERSING_REFUND.has(String(r.status)) && str(r.id) && isMinorAmount(r.amount) && r.amount > 0)
    .map((r) => ({ id: String(r.id), kind: 'refund' as const, amount: r.amount as number }))
    .filter((r) => !seen.has(r.id) && seen.add(r.id));
  if (reversals.length === 0) return { kind: 'ignore', reason: 'no succeeded refund in the charge' };
  const captured = isMinorAmount(charge.amount_captured) && charge.amount_captured > 0 ? charge.amount_captured : charge.amount;
  const succeeded = charge.paid === true && (charge.status === undefined || charge.status === 'succeeded') && isMinorAmount(captured) && captured > 0;
  return {
    kind: 'reversal',
    paymentIntentId: idOf(charge.payment_intent),
    chargeId: str(charge.id),
    currency: cur,
    metadata: metadataRef(charge),
    reversals,
    payment: succeeded ? { amount: captured as number } : null,
  };
}

/** A refund as Stripe reports it (API answer, refund.* event, a charge's refunds), for the refunds table. */
export interface RefundReport {
  id: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  failureReason: string | null;
  paymentIntentId: string | null;
  chargeId: string | null;
}

/** A Stripe Refund object → its report; null when it is not one we can record. */
export function refundReport(obj: unknown): RefundReport | null {
  if (!isObj(obj)) return null;
  const id = str(obj.id);
  const currency = fromStripeCurrency(obj.currency);
  const status = str(obj.status);
  if (!id || !id.startsWith('re_') || !currency || !status || !isMinorAmount(obj.amount)) return null;
  return { id, amount: obj.amount, currency, status, reason: str(obj.reason), failureReason: str(obj.failure_reason), paymentIntentId: idOf(obj.payment_intent), chargeId: idOf(obj.charge) };
}

/**
 * Every refund an event reports: the refund of a refund.* / charge.refund.updated event, the refunds
 * a charge.refunded embeds or (`listed`) that were listed from Stripe for it. Deduplicated by id.
 */
export function refundsReportedBy(event: { type: string; data: { object: unknown } }, listed: readonly unknown[] | null = null): RefundReport[] {
  const obj = event.data?.object;
  if (!isObj(obj)) return [];
  let refunds: unknown[] = [];
  if (event.type.startsWith('refund.') || event.type === 'charge.refund.updated') refunds = [obj];
  else if (event.type === 'charge.refunded') refunds = listed ? [...listed] : isObj(obj.refunds) && Array.isArray(obj.refunds.data) ? obj.refunds.data : [];
  const seen = new Set<string>();
  return refunds.map(refundReport).filter((r): r is RefundReport => r !== null && !seen.has(r.id) && Boolean(seen.add(r.id)));
}

/** Stripe's refund statuses, ordered: pending/requires_action → succeeded → failed/canceled (final). */
const REFUND_STATUS_RANK: Record<string, number> = { requires_action: 0, pending: 0, succeeded: 1, failed: 2, canceled: 2 };

/**
 * The status a recorded refund takes when Stripe reports `incoming`: reports arrive in any order
 * (API answer, refund.created, refund.updated, charge.refunded), so a status only moves forward and a
 * failed or canceled refund stays so.
 */
export function refundStatusAfter(current: string | null, incoming: string): string {
  if (current === null) return incoming;
  const [was, now] = [REFUND_STATUS_RANK[current] ?? 0, REFUND_STATUS_RANK[incoming] ?? 0];
  if (was === 2) return current;
  return now >= was ? incoming : current;
}

/** A refund in this status gave nothing back: its reversal, if any, must be undone. */
export const isFailedRefund = (status: string) => FAILED_REFUND.has(status);
/** A refund in this status takes the money back off the invoice (pending ones too, as refund.* events do). */
export const isReversingRefund = (status: string) => REVERSING_REFUND.has(status);

/** Last 4 characters of a secret, for display. */
export const last4 = (secret: string) => secret.slice(-4);

/** Secret (sk_…) or restricted (rk_…) API keys, test or live. */
export const STRIPE_SECRET_KEY_PATTERN = '^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$';
export const WEBHOOK_SECRET_PATTERN = '^whsec_[A-Za-z0-9+/=_-]{8,}$';
export function isStripeSecretKey(value: string): boolean {
  return new RegExp(STRIPE_SECRET_KEY_PATTERN).test(value);
}
export function isWebhookSecret(value: string): boolean {
  return new RegExp(WEBHOOK_SECRET_PATTERN).test(value);
}
