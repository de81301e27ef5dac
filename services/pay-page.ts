/**
 * The customer's pay page. No API key: the link's token is the credential, and it opens exactly one
 * invoice — nothing of any other invoice or tenant is reachable from it. Card payments go through a
 * Stripe Checkout Session for the amount due (or one instalment); the webhook records the payment.
 */
import { PlannedPayment, type Invoice } from '../db';
import { conflict, DomainError, notFound } from '../domain/errors';
import { uncoveredInstallments } from '../domain/plan';
import { isStripeChargeable } from '../domain/stripe-events';
import { payPageUrl } from '../lib/pay-links';
import type { ServiceDeps } from './context';
import { getCompanySettings, type CompanyDetails } from './company-settings';
import { invoiceByPayToken } from './pay-links';
import { createCheckoutSession } from './stripe-outbound';
import { getStripeSettings } from './stripe-settings';
import { tenantContext } from './tenants';
import { settledAmount } from '../domain/invoice';

export interface PayPage {
  /** With its tenant (the seller) and contact. */
  invoice: Invoice;
  /** In instalment order. */
  plan: PlannedPayment[];
  company: CompanyDetails;
  /** The seller has Stripe configured: the page offers to pay by card. */
  card: boolean;
}

/** What the customer hears when the seller has no Stripe integration (same code as the team's endpoints). */
const cardPaymentsUnavailable = () => conflict('stripe_not_configured', 'card payments are not available for this invoice', {});
/** The seller's Stripe set-up is broken (credentials unreadable, key refused): its fix is the team's, not the customer's. */
const SELLER_SETUP_FAULTS: ReadonlySet<string> = new Set(['encryption_not_configured', 'integration_secret_unreadable', 'stripe_auth_failed']);

const planOf = (deps: ServiceDeps, invoice: Invoice) => deps.em.find(PlannedPayment, { invoice: invoice.id, tenant: invoice.tenant.id }, { orderBy: { seq: 'asc' } });

export async function getPayPage(deps: ServiceDeps, token: string): Promise<PayPage> {
  const invoice = await invoiceByPayToken(deps, token);
  const tenant = tenantContext(invoice.tenant);
  const [plan, company, stripe] = await Promise.all([planOf(deps, invoice), getCompanySettings(deps, tenant), getStripeSettings(deps, tenant)]);
  return { invoice, plan, company, card: stripe.integration !== null && isStripeChargeable(invoice.currency) };
}

/**
 * A Checkout Session for what is due, or for one instalment's uncovered part; Stripe sends the
 * customer back to the pay page (`?checkout=success` / `?checkout=cancel`).
 */
export async function startPayPageCheckout(deps: ServiceDeps, token: string, input: { installmentId?: string }): Promise<{ url: string }> {
  const invoice = await invoiceByPayToken(deps, token);
  let amount: number | undefined;
  // A paid or void invoice is refused as such by the checkout itself.
  if (input.installmentId && invoice.due > 0 && invoice.status !== 'void') {
    const plan = await planOf(deps, invoice);
    const index = plan.findIndex((p) => p.id === input.installmentId);
    if (index < 0) throw notFound('installment', input.installmentId);
    // Payments cover the plan oldest first: what of this instalment they have not reached yet.
    amount = uncoveredInstallments(plan, settledAmount(invoice))[index];
    if (amount === 0) throw conflict('installment_covered', 'this instalment is already paid', { installmentId: input.installmentId });
  }
  const page = payPageUrl(deps.config, token);
  const { session } = await createCheckoutSession(deps, tenantContext(invoice.tenant), invoice.id, {
    successUrl: `${page}?checkout=success`,
    cancelUrl: `${page}?checkout=cancel`,
    amount,
    installmentId: input.installmentId,
  }).catch((err: unknown) => {
    // The team's answer says how to set Stripe up; the customer is told only that cards are not taken here.
    if (err instanceof DomainError && err.code === 'stripe_not_configured') throw cardPaymentsUnavailable();
    if (err instanceof DomainError && SELLER_SETUP_FAULTS.has(err.code)) {
      throw new DomainError(err.kind, err.code, "card payments are unavailable right now: try again later, or pay as the seller's instructions say", {}, { cause: err });
    }
    throw err;
  });
  if (!session.url) throw new DomainError('unprocessable', 'stripe_request_rejected', 'Stripe created a Checkout Session without a payment page URL');
  return { url: session.url };
}
