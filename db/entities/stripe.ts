/** Stripe integration storage: per-tenant encrypted credentials and the received webhook events. */
import { EntitySchema } from '@mikro-orm/core';
import type { StripeEventStatus } from '../../domain/stripe-events';
import { createdAt, updatedAt } from './columns';
import { Invoice } from './invoice';
import { ownedByTenant, type Tenant } from './tenant';

export class StripeIntegration {
  tenant!: Tenant;
  /** AES-256-GCM sealed (lib/secret-box.ts); never returned by the API. */
  secretKeyEnc!: string;
  webhookSecretEnc!: string;
  secretKeyLast4!: string;
  webhookSecretLast4!: string;
  accountId?: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
export const StripeIntegrationSchema = new EntitySchema<StripeIntegration>({
  class: StripeIntegration,
  tableName: 'stripe_integrations',
  properties: {
    tenant: ownedByTenant({ primary: true }),
    secretKeyEnc: { type: 'text' },
    webhookSecretEnc: { type: 'text' },
    secretKeyLast4: { type: 'string', length: 4 },
    webhookSecretLast4: { type: 'string', length: 4 },
    accountId: { type: 'string', nullable: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

export class StripeEvent {
  tenant!: Tenant;
  /** Stripe event id (evt_…); unique per tenant: deliveries are deduplicated on (tenant, id). */
  id!: string;
  type!: string;
  payload!: Record<string, unknown>;
  status!: StripeEventStatus;
  invoice?: Invoice | null;
  /** Correlates payments, refunds and disputes of one PaymentIntent. */
  paymentIntentId?: string | null;
  attempts!: number;
  lastError?: string | null;
  receivedAt!: Date;
  processedAt?: Date | null;
}
export const StripeEventSchema = new EntitySchema<StripeEvent>({
  class: StripeEvent,
  tableName: 'stripe_events',
  indexes: [{ properties: ['tenant', 'status', 'receivedAt'] }, { properties: ['tenant', 'paymentIntentId'] }, { properties: ['status', 'receivedAt'] }],
  properties: {
    tenant: ownedByTenant({ primary: true }),
    id: { type: 'string', primary: true },
    type: { type: 'string', length: 100 },
    payload: { type: 'json' },
    status: { type: 'string', length: 16 },
    invoice: { kind: 'm:1', entity: () => Invoice, nullable: true, deleteRule: 'set null' },
    paymentIntentId: { type: 'string', nullable: true },
    attempts: { type: 'integer', default: 0 },
    lastError: { type: 'text', nullable: true },
    receivedAt: { type: 'datetime' },
    processedAt: { type: 'datetime', nullable: true },
  },
});

export const stripeEntities = [StripeIntegrationSchema, StripeEventSchema];
