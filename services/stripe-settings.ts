/**
 * Stripe integration settings per tenant (credentials sealed at rest), and the outbound Stripe calls:
 * Checkout Sessions for an invoice's due, Terminal readers / in-person collection, and listing a
 * charge's refunds for webhook processing.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { Invoice } from '../db/entities';
import { StripeIntegration } from '../db/stripe-entities';
import { conflict, DomainError, validationError } from '../domain/errors';
import { assertStripeSecretKey, assertWebhookSecret, last4, toStripeCurrency } from '../domain/stripe-events';
import { encryptionKeyFrom, open, seal } from '../lib/secret-box';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice } from './invoices';
import { callStripe, stripeClient } from './stripe-client';

const aad = (tenantId: string, field: string) => `stripe:${tenantId}:${field}`;

export const stripeNotConfigured = () =>
  new DomainError('unprocessable', 'stripe_not_configured', 'Stripe is not configured for this account; PUT /v1/integrations/stripe first');

export interface StripeSettingsInput {
  secretKey: string;
  webhookSecret: string;
  accountId?: string | null;
}

function settingsJson(deps: ServiceDeps, tenantId: string, row: StripeIntegration | null) {
  if (!row) return { configured: false as const, webhookUrl: webhookUrl(deps, tenantId) };
  return {
    configured: true as const,
    secretKeyLast4: row.secretKeyLast4,
    webhookSecretLast4: row.webhookSecretLast4,
    accountId: row.accountId ?? null,
    webhookUrl: webhookUrl(deps, tenantId),
    updatedAt: row.updatedAt.toISOString(),
  };
}
const webhookUrl = (deps: ServiceDeps, tenantId: string) => `${deps.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/webhooks/stripe/${tenantId}`;

export async function getStripeSettings(deps: ServiceDeps, tenant: TenantContext) {
  const row = await deps.orm.em.fork().findOne(StripeIntegration, { tenant: tenant.id });
  return settingsJson(deps, tenant.id, row);
}

export async function putStripeSettings(deps: ServiceDeps, tenant: TenantContext, input: StripeSettingsInput) {
  const key = encryptionKeyFrom(deps.config.ENCRYPTION_KEY);
  if (!assertStripeSecretKey(input.secretKey)) throw validationError('invalid_secret_key', 'secretKey must be a Stripe secret or restricted key (sk_… or rk_…)');
  if (!assertWebhookSecret(input.webhookSecret)) throw validationError('invalid_webhook_secret', 'webhookSecret must be a webhook signing secret (whsec_…)');
  const now = new Date();
  const values = {
    secretKeyEnc: seal(key, input.secretKey, aad(tenant.id, 'secret_key')),
    webhookSecretEnc: seal(key, input.webhookSecret, aad(tenant.id, 'webhook_secret')),
    secretKeyLast4: last4(input.secretKey),
    webhookSecretLast4: last4(input.webhookSecret),
    accountId: input.accountId ?? null,
  };
  await deps.orm.em
    .fork()
    .createQueryBuilder(StripeIntegration)
    .insert({ tenant: tenant.id, ...values, createdAt: now, updatedAt: now })
    .onConflict('tenant')
    .merge({ ...values, updatedAt: now })
    .execute();
  return getStripeSettings(deps, tenant);
}

export async function deleteStripeSettings(deps: ServiceDeps, tenant: TenantContext): Promise<void> {
  await deps.orm.em.fork().nativeDelete(StripeIntegration, { tenant: tenant.id });
}

export interface StripeSecrets {
  secretKey: string;
  webhookSecret: string;
}

/** The tenant's decrypted credentials, or null when it has no integration. */
export async function loadStripeSecrets(deps: ServiceDeps, tenantId: string): Promise<StripeSecrets | null> {
  const row = await deps.orm.em.fork().findOne(StripeIntegration, { tenant: tenantId });
  if (!row) return null;
  const key = encryptionKeyFrom(deps.config.ENCRYPTION_KEY);
  try {
    return {
      secretKey: open(key, row.secretKeyEnc, aad(tenantId, 'secret_key')),
      webhookSecret: open(key, row.webhookSecretEnc, aad(tenantId, 'webhook_secret')),
    };
  } catch {
    throw new DomainError('unavailable', 'integration_secret_unreadable', 'the stored Stripe credentials cannot be decrypted with the current ENCRYPTION_KEY; save them again');
  }
}

async function clientFor(deps: ServiceDeps, tenant: Pick<TenantContext, 'id'>): Promise<Stripe> {
  const secrets = await loadStripeSecrets(deps, tenant.id);
  if (!secrets) throw stripeNotConfigured();
  return stripeClient(deps.config, secrets.secretKey);
}

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

async function payableInvoice(deps: ServiceDeps, tenant: TenantContext, invoiceId: string): Promise<Invoice> {
  const invoice = await getInvoice(deps, tenant, invoiceId);
  if (invoice.status === 'void') throw conflict('invoice_void', 'invoice is void and accepts no payments', { status: 'void' });
  if (invoice.status === 'paid' || invoice.due <= 0) throw conflict('invoice_paid', 'invoice is already paid in full', { status: invoice.status, due: 0 });
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
}

export async function createCheckoutSession(deps: ServiceDeps, tenant: TenantContext, invoiceId: string, input: CheckoutInput, requestKey?: string) {
  const invoice = await payableInvoice(deps, tenant, invoiceId);
  const stripe = await clientFor(deps, tenant);
  const base = deps.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const metadata = metadataFor(tenant.id, invoice.id);
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    // This pinned API version replaced payment_method_types with allowed_payment_method_types.
    allowed_payment_method_types: ['card'],
    client_reference_id: invoice.id,
    line_items: [
      {
        quantity: 1,
        price_data: { currency: toStripeCurrency(invoice.currency), unit_amount: invoice.due, product_data: { name: `Invoice ${invoice.number}` } },
      },
    ],
    metadata,
    payment_intent_data: { metadata },
    success_url: input.successUrl ?? `${base}/pay/${invoice.id}/success`,
    cancel_url: input.cancelUrl ?? `${base}/pay/${invoice.id}/cancel`,
  };
  const idempotencyKey = stripeIdempotencyKey('checkout', tenant.id, [invoice.id, invoice.stateVersion, params, requestKey ?? null]);
  const session = await callStripe(() => stripe.checkout.sessions.create(params, { idempotencyKey }));
  return {
    id: session.id,
    url: session.url,
    invoiceId: invoice.id,
    amount: invoice.due,
    currency: invoice.currency,
    expiresAt: session.expires_at ? new Date(session.expires_at * 1000).toISOString() : null,
  };
}

const readerJson = (r: Stripe.Terminal.Reader) => ({
  id: r.id,
  label: r.label ?? null,
  deviceType: r.device_type ?? null,
  serialNumber: r.serial_number ?? null,
  status: r.status ?? null,
  location: typeof r.location === 'string' ? r.location : (r.location?.id ?? null),
});

export async function registerTerminalReader(deps: ServiceDeps, tenant: TenantContext, input: { registrationCode: string; label: string; location?: string }, requestKey?: string) {
  const stripe = await clientFor(deps, tenant);
  const params: Stripe.Terminal.ReaderCreateParams = {
    registration_code: input.registrationCode,
    label: input.label,
    ...(input.location && { location: input.location }),
    metadata: { tenant_id: tenant.id },
  };
  const idempotencyKey = stripeIdempotencyKey('reader', tenant.id, [params, requestKey ?? null]);
  return readerJson(await callStripe(() => stripe.terminal.readers.create(params, { idempotencyKey })));
}

export async function listTerminalReaders(deps: ServiceDeps, tenant: TenantContext) {
  const stripe = await clientFor(deps, tenant);
  const list = await callStripe(() => stripe.terminal.readers.list({ limit: 100 }));
  return { data: list.data.map(readerJson), nextCursor: null };
}

export async function collectOnTerminal(deps: ServiceDeps, tenant: TenantContext, invoiceId: string, input: { readerId: string }, requestKey?: string) {
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
  return {
    paymentIntentId: intent.id,
    invoiceId: invoice.id,
    amount: invoice.due,
    currency: invoice.currency,
    reader: readerJson(reader),
    actionStatus: reader.action?.status ?? null,
  };
}
