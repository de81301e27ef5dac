/** Stripe integration settings per tenant: credentials sealed at rest, shown by their last 4 only. */
import type Stripe from 'stripe';
import { StripeIntegration } from '../db';
import { DomainError, validationError } from '../domain/errors';
import { isStripeSecretKey, isWebhookSecret, last4 } from '../domain/stripe-events';
import { encryptionKeyFrom, open, seal } from '../lib/secret-box';
import type { ServiceDeps, TenantContext } from './context';
import { stripeClient } from './stripe-client';

const aad = (tenantId: string, field: string) => `stripe:${tenantId}:${field}`;

/** A conflict with the account's state (no saved integration), not a fault of the request itself. */
export const stripeNotConfigured = () => new DomainError('conflict', 'stripe_not_configured', 'Stripe is not configured for this account; PUT /v1/integrations/stripe first');

export interface StripeSettingsInput {
  secretKey: string;
  webhookSecret: string;
  accountId?: string | null;
}

/** The tenant's integration (null: not configured) and the URL to register in Stripe's dashboard. */
export interface StripeSettings {
  integration: StripeIntegration | null;
  webhookUrl: string;
}

const webhookUrl = (deps: ServiceDeps, tenantId: string) => `${deps.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/webhooks/stripe/${tenantId}`;

export async function getStripeSettings(deps: ServiceDeps, tenant: TenantContext): Promise<StripeSettings> {
  const integration = await deps.em.findOne(StripeIntegration, { tenant: tenant.id }, { refresh: true });
  return { integration, webhookUrl: webhookUrl(deps, tenant.id) };
}

export async function putStripeSettings(deps: ServiceDeps, tenant: TenantContext, input: StripeSettingsInput): Promise<StripeSettings> {
  const key = encryptionKeyFrom(deps.config.ENCRYPTION_KEY);
  if (!isStripeSecretKey(input.secretKey)) throw validationError('invalid_secret_key', 'secretKey must be a Stripe secret or restricted key (sk_… or rk_…)');
  if (!isWebhookSecret(input.webhookSecret)) throw validationError('invalid_webhook_secret', 'webhookSecret must be a webhook signing secret (whsec_…)');
  const now = new Date();
  const values = {
    secretKeyEnc: seal(key, input.secretKey, aad(tenant.id, 'secret_key')),
    webhookSecretEnc: seal(key, input.webhookSecret, aad(tenant.id, 'webhook_secret')),
    secretKeyLast4: last4(input.secretKey),
    webhookSecretLast4: last4(input.webhookSecret),
    accountId: input.accountId ?? null,
  };
  await deps.em
    .createQueryBuilder(StripeIntegration)
    .insert({ tenant: tenant.id, ...values, createdAt: now, updatedAt: now })
    .onConflict('tenant')
    .merge({ ...values, updatedAt: now })
    .execute();
  return getStripeSettings(deps, tenant);
}

export async function deleteStripeSettings(deps: ServiceDeps, tenant: TenantContext): Promise<void> {
  await deps.em.nativeDelete(StripeIntegration, { tenant: tenant.id });
}

export interface StripeSecrets {
  secretKey: string;
  webhookSecret: string;
}

/** The tenant's decrypted credentials, or null when it has no integration. */
export async function loadStripeSecrets(deps: ServiceDeps, tenantId: string): Promise<StripeSecrets | null> {
  const row = await deps.em.findOne(StripeIntegration, { tenant: tenantId });
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

/** A Stripe client with the tenant's own key. */
export async function clientFor(deps: ServiceDeps, tenant: Pick<TenantContext, 'id'>): Promise<Stripe> {
  const secrets = await loadStripeSecrets(deps, tenant.id);
  if (!secrets) throw stripeNotConfigured();
  return stripeClient(deps.config, secrets.secretKey);
}

