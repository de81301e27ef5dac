/**
 * Refunds of card payments: asked for here (POST /v1/payments/{id}/refunds, created through Stripe)
 * or made in Stripe's dashboard, recorded in `refunds` from whichever report arrives (our call's
 * answer, refund.* / charge.refund.updated / charge.refunded webhooks) in any order. The invoice
 * workflow owns the money: it dedupes reversals by refund id and undoes a failed one once, so the API
 * and the webhooks together count once whichever arrives first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Payment, Refund } from '../db';
import { conflict, DomainError } from '../domain/errors';
import { isFailedRefund, isReversingRefund, refundReport, refundStatusAfter, type RefundReport } from '../domain/stripe-events';
import type { ServiceDeps, TenantContext } from './context';
import { signalInvoice, type InvoiceSignal } from './invoice-workflow';
import { getPayment, getPaymentView, idFor, refundedOf, type PaymentView } from './payments';
import { createRefund as createStripeRefund, findRefundOfRequest } from './stripe-outbound';

export const STRIPE_REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export interface RefundInput {
  /** Minor units; what is not yet refunded when left out. */
  amount?: number;
  reason?: (typeof STRIPE_REFUND_REASONS)[number];
}

const refundError = {
  manual: (id: string) =>
    conflict('manual_payment_void_instead', 'a payment entered by hand is not refunded through Stripe; void it with POST /v1/payments/{id}/void', { void: `POST /v1/payments/${id}/void` }),
  voided: () => conflict('payment_voided', 'this payment was voided; there is nothing to refund', {}),
  notOnInvoice: () => conflict('payment_not_on_invoice', "this card payment is not applied to an invoice (it is the contact's credit); only a payment on an invoice is refunded here", {}),
  exceeds: (amount: number, refundable: number) =>
    conflict('refund_exceeds_payment', `the refund (${amount}) is more than what is left to refund of the payment (${refundable})`, { amount, refundable }),
};

/**
 * Refunds (part of) a card payment through Stripe and takes it off the invoice at once. The Stripe
 * idempotency key derives from the caller's Idempotency-Key alone (a fresh one without), never from
 * the amount, so a retry after any failure can never refund twice. Order: Stripe, the reversal
 * signal, then the row — a failure before the row leaves what a retry computes unchanged.
 */
export async function refundPayment(deps: ServiceDeps, tenant: TenantContext, paymentId: string, input: RefundInput, requestKey?: string): Promise<PaymentView> {
  const payment = await getPayment(deps, tenant, paymentId);
  if (payment.source !== 'stripe') throw refundError.manual(payment.id);
  if (payment.voidedAt) throw refundError.voided();
  if (!payment.invoice) throw refundError.notOnInvoice();
  // A won dispute's money back is referenced by its dispute (dp_…): it has no PaymentIntent to refund.
  if (!payment.reference?.startsWith('pi_')) throw conflict('payment_not_refundable', 'this card payment has no Stripe PaymentIntent to refund (money back from a won dispute)', {});
  const refundable = payment.amount - (await refundedOf(deps, tenant, payment.id));
  const amount = input.amount ?? refundable;
  const requestId = idFor(tenant.id, 'refund', requestKey);
  const paymentIntentId = payment.reference;
  // A retry whose first attempt made the refund but failed after it (5xx), the refund's webhook recorded
  // since: less is left now, so its own refund is looked up at Stripe instead of being refused.
  const madeBefore = () => (requestKey ? findRefundOfRequest(deps, tenant, paymentIntentId, requestId) : Promise.resolve(null));
  let refund = refundable <= 0 || amount > refundable ? await madeBefore() : null;
  if (!refund && (refundable <= 0 || amount > refundable)) throw refundError.exceeds(amount, Math.max(refundable, 0));
  try {
    refund ??= await createStripeRefund(deps, tenant, {
      paymentIntentId,
      amount,
      ...(input.reason && { reason: input.reason }),
      metadata: { tenant_id: tenant.id, invoice_id: payment.invoice.id, payment_id: payment.id, request_id: requestId },
      idempotencyKey: `pc-refund-${requestId}`,
    });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    // The same key with another default amount (the retry case above, with something still left).
    if (err.details?.stripeType === 'StripeIdempotencyError') refund = await madeBefore();
    // Another refund (from here or Stripe's dashboard) got there first and Stripe has no more to give.
    else if (err.details?.stripeCode === 'charge_already_refunded') throw refundError.exceeds(amount, 0);
    if (!refund) throw err;
  }
  const report = refundReport(refund);
  if (!report) throw new DomainError('unavailable', 'stripe_unavailable', `Stripe answered the refund with an unexpected object (${String(refund?.id)})`, {});

  // Exactly what the refund.* webhook sends (same reversal id, amount and reference): whichever comes first counts.
  if (isReversingRefund(report.status)) await signalInvoice(deps, payment.invoice, [reversalSignal(report, payment.id, payment.reference)]);
  const failed = await recordReportedRefunds(deps, tenant.id, [{ report, paymentId: payment.id }]);
  if (failed.length) await signalInvoice(deps, payment.invoice, failed);
  return getPaymentView(deps, tenant, payment.id);
}

export const reversalSignal = (r: RefundReport, paymentId: string | null, fallbackReference: string | null): InvoiceSignal => ({
  kind: 'reversal',
  reversal: { reversalId: r.id, paymentId, amount: r.amount, kind: 'refund', reference: r.chargeId ?? r.paymentIntentId ?? fallbackReference },
});

/**
 * Upserts each reported refund (status only moves forward, a failed or canceled one stays so) and
 * returns a `reversal_failed` signal for each that is failed or canceled once merged: a failure
 * reported before the refund itself is undone after the reversal the later report sends (the
 * workflow applies each once).
 */
export async function recordReportedRefunds(deps: ServiceDeps, tenantId: string, reports: { report: RefundReport; paymentId: string }[]): Promise<InvoiceSignal[]> {
  const signals: InvoiceSignal[] = [];
  for (const { report, paymentId } of reports) {
    await paymentRecorded(deps, tenantId, paymentId);
    const row = await deps.em.transactional((tx) => upsertRefund(tx as EntityManager, tenantId, paymentId, report));
    if (isFailedRefund(row.status)) signals.push({ kind: 'reversal_failed', reversalId: report.id, reason: row.failureReason });
  }
  return signals;
}

/** Waits this long at most for the workflow to write a payment signalled just before its refund. */
const PAYMENT_WAIT = { tries: 20, everyMs: 100 };

/**
 * A refund row needs its payment's row. The workflow writes a Stripe payment's row just after its
 * signal, which may be in this same hand-off (charge.refunded carries the payment): wait briefly,
 * else throw a retryable error (the event stays `received`; its signals are deduped on retry).
 */
async function paymentRecorded(deps: ServiceDeps, tenantId: string, paymentId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if ((await deps.em.count(Payment, { tenant: tenantId, id: paymentId })) > 0) return;
    if (attempt >= PAYMENT_WAIT.tries) {
      throw new DomainError('unavailable', 'refund_payment_pending', `the payment ${paymentId} a refund belongs to is not recorded yet; retry later`, { paymentId });
    }
    await sleep(PAYMENT_WAIT.everyMs);
  }
}

async function upsertRefund(tx: EntityManager, tenantId: string, paymentId: string, r: RefundReport): Promise<{ status: string; failureReason: string | null }> {
  const now = new Date();
  await tx
    .createQueryBuilder(Refund)
    .insert({ tenant: tenantId, id: r.id, paymentId, amount: r.amount, currency: r.currency, status: r.status, reason: r.reason, failureReason: r.failureReason, createdAt: now, updatedAt: now })
    .onConflict(['tenant', 'id'])
    .ignore()
    .execute();
  // Row-locked: two reports of the same refund (API answer and webhook) merge one after the other.
  const current = await tx
    .createQueryBuilder(Refund)
    .select(['status', 'reason', 'failureReason'])
    .where({ tenant: tenantId, id: r.id })
    .setLockMode(LockMode.PESSIMISTIC_WRITE)
    .execute('get');
  const status = refundStatusAfter(current.status, r.status);
  const failureReason = r.failureReason ?? current.failureReason ?? null;
  if (status !== current.status || failureReason !== (current.failureReason ?? null) || (r.reason && r.reason !== current.reason)) {
    await tx.nativeUpdate(Refund, { tenant: tenantId, id: r.id }, { status, failureReason, ...(r.reason && { reason: r.reason }), amount: r.amount, updatedAt: now });
  }
  return { status, failureReason };
}
