/**
 * Every call we make to Stripe's API with a tenant's key: Checkout Sessions for an invoice's due,
 * Terminal readers and in-person collection, refunds, and listing a charge's refunds for webhook processing.
 * Retried requests reuse a Stripe idempotency key derived from the request, so they never create twice.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { Invoice } from '../db';
import { invoicePaidError, invoiceVoidError } from '../domain/invoice';
import { assertStripeChargeable, toStripeCurrency } from '../domain/stripe-events';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice } from './invoices';
import { callStripe } from './stripe-client';
import { clientFor } from './stripe-settings';

/**
 * All refunds of a charge, with the tenant's key (every page). Webhook processing calls it for a
 * `charge.refunded` whose Charge no longer embeds its refunds. Throws a DomainError when Stripe
 * cannot answer; the caller leaves the event to be retried.
 */
export async function listChargeRefunds(deps: ServiceDeps, tenantId: string, chargeId: string): Promise<Stripe.Refund[]> {
  const stripe = await clientFor(deps, { id: tenantId });
  return callStripe(async () => {
    const refunds: Stripe.Refund[] = [];
    for await (const refund of stripe.refunds.list({ charge: chargeId, limit: 100 })) refunds.push(refund);
    return refunds;
  });
}

export interface RefundRequest {
  paymentIntentId: string;
  amount: number;
  reason?: Stripe.RefundCreateParams.Reason;
  metadata: Record<string, string>;
  /** Stripe's idempotency key: derived from the request only (never from amounts), so a retry cannot refund twice. */
  idempotencyKey: string;
}

/** A refund of (part of) a PaymentIntent. Throws a DomainError when Stripe rejects it or cannot answer. */
export async function createRefund(deps: ServiceDeps, tenant: TenantContext, r: RefundRequest): Promise<Stripe.Refund> {
  const stripe = await clientFor(deps, tenant);
  const params: Stripe.RefundCreateParams = { payment_intent: r.paymentIntentId, amount: r.amount, metadata: r.metadata, ...(r.reason && { reason: r.reason }) };
  return callStripe(() => stripe.refunds.create(params, { idempotencyKey: r.idempotencyKey }));
}

/** The refund of a PaymentIntent one of our requests made (metadata `request_id`), if any: how a retry finds its refund. */
export async function findRefundOfRequest(deps: ServiceDeps, tenant: TenantContext, paymentIntentId: string, requestId: string): Promise<Stripe.Refund | null> {
  const stripe = await clientFor(deps, tenant);
  return callStripe(async () => {
    for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) if (refund.metadata?.request_id === requestId) return refund;
    return null;
  });
}

async function payableInvoice(deps: ServiceDeps, tenant: TenantContext, invoiceId: string): Promise<Invoice> {
  const invoice = await getInvoice(deps, tenant, invoiceId);
  if (invoice.status === 'void') throw invoiceVoidError();
  if (invoice.status === 'paid' || invoice.due <= 0) throw invoicePaidError();
  assertStripeChargeable(invoice.currency);
  return invoice;
}

/**
 * Same request (invoice state + parameters + caller's Idempotency-Key) → same Stripe idempotency key,
 * so a retried call returns the same Session/PaymentIntent instead of creating a second one.
 */
function stripeIdempotencyKey(kind: string, tenantId: string, parts: unknown): string {
  return `pc-${kind}-${createHash('sha256').update(`${tenantId}\n${JSON.stringify(parts)}`).digest('hex').slice(0, 40)}`;
}

const metadataFor = (tenantId: string, invoiceId: string) => ({ tenant_id: tenantId, invoice_id: invoiceId });

export interface CheckoutInput {
  successUrl?: string;
  cancelUrl?: string;
  /** Part of the due (one instalment's uncovered amount) instead of all of it; never more than the due. */
  amount?: number;
  /** The instalment `amount` pays, kept in the session's metadata. */
  installmentId?: string;
}

/** A Checkout Session for the invoice's whole due amount, or the part of it the input names. */
export async function createCheckoutSession(deps: ServiceDeps, tenant: TenantContext, invoiceId: string, input: CheckoutInput, requestKey?: string): Promise<{ session: Stripe.Checkout.Session; invoice: Invoice; amount: number }> {
  const invoice = await payableInvoice(deps, tenant, invoiceId);
  const stripe = await clientFor(deps, tenant);
  const base = deps.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const amount = Math.min(input.amount ?? invoice.due, invoice.due);
  const metadata = { ...metadataFor(tenant.id, invoice.id), ...(input.installmentId && { installment_id: input.installmentId }) };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    // This pinned API version replaced payment_method_types with allowed_payment_method_types.
    allowed_payment_method_types: ['card'],
    client_reference_id: invoice.id,
    line_items: [
      {
        quantity: 1,
        price_data: { currency: toStripeCurrency(invoice.currency), unit_amount: amount, product_data: { name: `Invoice ${invoice.number}` } },
      },
    ],
    metadata,
    payment_intent_data: { metadata },
    success_url: input.successUrl ?? `${base}/pay/${invoice.id}/success`,
    cancel_url: input.cancelUrl ?? `${base}/pay/${invoice.id}/cancel`,
  };
  const idempotencyKey = stripeIdempotencyKey('checkout', tenant.id, [invoice.id, invoice.stateVersion, params, requestKey ?? null]);
  const session = await callStripe(() => stripe.checkout.sessions.create(params, { idempotencyKey }));
  return { session, invoice, amount };
}

export async function registerTerminalReader(deps: ServiceDeps, tenant: TenantContext, input: { registrationCode: string; label: string; location?: string }, requestKey?: string): Promise<Stripe.Terminal.Reader> {
  const stripe = await clientFor(deps, tenant);
  const params: Stripe.Terminal.ReaderCreateParams = {
    registration_code: input.registrationCode,
    label: input.label,
    ...(input.location && { location: input.location }),
    metadata: { tenant_id: tenant.id },
  };
  const idempotencyKey = stripeIdempotencyKey('reader', tenant.id, [params, requestKey ?? null]);
  return callStripe(() => stripe.terminal.readers.create(params, { idempotencyKey }));
}

export async function listTerminalReaders(deps: ServiceDeps, tenant: TenantContext): Promise<Stripe.Terminal.Reader[]> {
  const stripe = await clientFor(deps, tenant);
  return (await callStripe(() => stripe.terminal.readers.list({ limit: 100 }))).data;
}

/** A card-present PaymentIntent for the invoice's due, handed to the reader; the webhook settles it. */
export async function collectOnTerminal(
  deps: ServiceDeps,
  tenant: TenantContext,
  invoiceId: string,
  input: { readerId: string },
  requestKey?: string,
): Promise<{ intent: Stripe.PaymentIntent; reader: Stripe.Terminal.Reader; invoice: Invoice }> {
  const invoice = await payableInvoice(deps, tenant, invoiceId);
  const stripe = await clientFor(deps, tenant);
  const params: Stripe.PaymentIntentCreateParams = {
    amount: invoice.due,
    currency: toStripeCurrency(invoice.currency),
    allowed_payment_method_types: ['card_present'],
    capture_method: 'automatic',
    description: `Invoice ${invoice.number}`,
    metadata: metadataFor(tenant.id, invoice.id),
  };
  const key = stripeIdempotencyKey('terminal', tenant.id, [invoice.id, invoice.stateVersion, input.readerId, params, requestKey ?? null]);
  const intent = await callStripe(() => stripe.paymentIntents.create(params, { idempotencyKey: `${key}-pi` }));
  const reader = await callStripe(() =>
    stripe.terminal.readers.processPaymentIntent(input.readerId, { payment_intent: intent.id }, { idempotencyKey: `${key}-process` }),
  );
  return { intent, reader, invoice };
}
