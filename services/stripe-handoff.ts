/**
 * Hands one stored Stripe event to its invoice: what it means (domain/stripe-events.ts), which
 * invoice it belongs to, and the signals to send through the invoice workflow's gateway. Every
 * step is idempotent: the workflow dedupes payments by id (uuid v5 of the PaymentIntent) and
 * reversals by refund/dispute id.
 */
import { v5 as uuidv5 } from 'uuid';
import { Invoice, Payment, Tenant } from '../db';
import {
  invoiceIdOfPaymentIntent,
  reopenStripeEvent,
  settleStripeEvent,
  unmatchedEventsOf,
  type StripeEventEnvelope,
} from '../db/repositories/stripe-events';
import { dateIn } from '../domain/dates';
import { isUuid } from '../domain/ids';
import { chargeRefundedAction, refundsReportedBy, stripeEventAction, type StripeEventAction, type StripeEventStatus } from '../domain/stripe-events';
import type { PaymentInput } from '../workflows/definitions';
import type { ServiceDeps } from './context';
import { signalInvoice, type InvoiceSignal } from './invoice-workflow';
import { recordReportedRefunds } from './refunds';
import { listChargeRefunds } from './stripe-outbound';

const STRIPE_PAYMENT_NAMESPACE = '9d8a1f4e-3c52-4b8e-a2f0-6e1c7b5d4a93';

/** One payment per PaymentIntent and tenant, whichever event reports it first. */
export const stripePaymentId = (tenantId: string, key: string) => uuidv5(`${tenantId}:stripe:${key}`, STRIPE_PAYMENT_NAMESPACE);

type InvoiceAction = Extract<StripeEventAction, { kind: 'payment' | 'reversal' | 'reversal_failed' | 'list_refunds' }>;

/**
 * Maps one stored event to its invoice and signals the workflow. Returns the final status; throws
 * (row left `received`) when Temporal, or Stripe for a charge's refunds, is unavailable.
 */
export async function handOffStripeEvent(deps: ServiceDeps, tenantId: string, event: StripeEventEnvelope, redrive = true): Promise<StripeEventStatus> {
  const settle = async (status: StripeEventStatus, invoiceId: string | null, note: string | null) => {
    await settleStripeEvent(deps.em, tenantId, event.id, status, invoiceId, note);
    return status;
  };
  let action = stripeEventAction(event);
  if (action.kind === 'ignore') return settle('ignored', null, action.reason);
  if (action.kind === 'invalid') return settle('failed', null, action.reason);
  const invoice = await resolveInvoice(deps, tenantId, action);
  if (!invoice) return settle('unmatched', null, 'no invoice of this tenant matches the event metadata or its PaymentIntent');
  let listed: unknown[] | null = null;
  if (action.kind === 'list_refunds') {
    // Only for a charge of one of our invoices. Stripe unreachable → throws; the row stays `received`.
    listed = await listChargeRefunds(deps, tenantId, action.chargeId);
    action = chargeRefundedAction(event.data.object, listed);
    if (action.kind === 'ignore') {
      await recordRefunds(deps, tenantId, invoice, event, listed, action);
      return settle('ignored', invoice.id, action.reason);
    }
    if (action.kind === 'invalid') return settle('failed', invoice.id, action.reason);
  }
  const tenant = await deps.em.findOneOrFail(Tenant, { id: tenantId });
  const date = dateIn((event.created || Date.now() / 1000) * 1000, tenant.timeZone);
  await signalInvoice(deps, invoice, signalsFor(tenantId, invoice, action, date));
  await recordRefunds(deps, tenantId, invoice, event, listed, action);
  await settle('processed', invoice.id, null);

  // Refunds/disputes that arrived before their payment could not be matched; now they can.
  if (redrive && action.kind === 'payment') {
    for (const waiting of await unmatchedEventsOf(deps.em, tenantId, action.paymentIntentId)) {
      try {
        await handOffStripeEvent(deps, tenantId, waiting, false);
      } catch (err) {
        // This event is settled; the waiting one now matches but could not be handed off (Stripe or
        // Temporal unavailable): back to `received`, so the sweep and Stripe's redelivery retry it.
        await reopenStripeEvent(deps.em, tenantId, waiting.id, err).catch(() => undefined);
      }
    }
  }
  return 'processed';
}

/**
 * The event's refunds into `refunds` (services/refunds.ts), so refunds made in Stripe's dashboard show
 * on the payment too; one Stripe reported failed or canceled before (or in) this event is undone once.
 */
async function recordRefunds(deps: ServiceDeps, tenantId: string, invoice: Invoice, event: StripeEventEnvelope, listed: unknown[] | null, action: StripeEventAction): Promise<void> {
  const fallbackPi = 'paymentIntentId' in action ? action.paymentIntentId : null;
  const reports = refundsReportedBy(event, listed).flatMap((report) => {
    const pi = report.paymentIntentId ?? fallbackPi;
    return pi ? [{ report, paymentId: stripePaymentId(tenantId, pi) }] : [];
  });
  if (reports.length === 0) return;
  const sent = action.kind === 'reversal_failed' ? action.refundId : null;
  const failed = (await recordReportedRefunds(deps, tenantId, reports)).filter((s) => s.kind === 'reversal_failed' && s.reversalId !== sent);
  if (failed.length) await signalInvoice(deps, invoice, failed);
}

/** Payment first (deduped by id), then the reversals: the result does not depend on delivery order. */
function signalsFor(tenantId: string, invoice: Invoice, action: Extract<StripeEventAction, { kind: 'payment' | 'reversal' | 'reversal_failed' }>, date: string): InvoiceSignal[] {
  if (action.kind === 'reversal_failed') return [{ kind: 'reversal_failed', reversalId: action.refundId, reason: action.reason }];
  const payment = (amount: number, key: string, reference: string): InvoiceSignal => ({
    kind: 'payment',
    payment: { paymentId: stripePaymentId(tenantId, key), contactId: invoice.contact.id, amount, currency: action.currency, date, method: 'card', reference, source: 'stripe' } satisfies PaymentInput,
  });
  if (action.kind === 'payment') return [payment(action.amount, action.paymentKey ?? action.paymentIntentId, action.reference)];
  const signals: InvoiceSignal[] = [];
  if (action.payment && action.paymentIntentId) signals.push(payment(action.payment.amount, action.paymentIntentId, action.paymentIntentId));
  for (const r of action.reversals) {
    signals.push({
      kind: 'reversal',
      reversal: {
        reversalId: r.id,
        paymentId: action.paymentIntentId ? stripePaymentId(tenantId, action.paymentIntentId) : null,
        amount: r.amount,
        kind: r.kind,
        reference: action.chargeId ?? action.paymentIntentId,
      },
    });
  }
  return signals;
}

/** The event's invoice: from its metadata, else through its PaymentIntent's earlier events or payment. */
async function resolveInvoice(deps: ServiceDeps, tenantId: string, action: InvoiceAction): Promise<Invoice | null> {
  const { em } = deps;
  const { metadata } = action;
  // Metadata naming another tenant is never followed.
  if (isUuid(metadata.invoiceId) && (metadata.tenantId === null || metadata.tenantId === tenantId)) {
    const found = await em.findOne(Invoice, { id: metadata.invoiceId, tenant: tenantId }, { populate: ['contact'] });
    if (found) return found;
  }
  if (!action.paymentIntentId) return null;
  const invoiceId =
    (await invoiceIdOfPaymentIntent(em, tenantId, action.paymentIntentId)) ??
    (await em.findOne(Payment, { tenant: tenantId, reference: action.paymentIntentId, source: 'stripe', invoice: { $ne: null } }))?.invoice?.id;
  return invoiceId ? em.findOne(Invoice, { id: invoiceId, tenant: tenantId }, { populate: ['contact'] }) : null;
}
