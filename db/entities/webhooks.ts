/** Outbound webhook endpoints (deliveries and the outbox are raw SQL: db/repositories/webhook-deliveries.ts). */
import { EntitySchema } from '@mikro-orm/core';
import type { WebhookEventType } from '../../domain/webhook-events';
import { createdAt, updatedAt } from './columns';
import { ownedByTenant, type Tenant } from './tenant';

export class WebhookEndpoint {
  id!: string;
  tenant!: Tenant;
  url!: string;
  description?: string | null;
  eventTypes!: WebhookEventType[];
  /** The signing secret, AES-256-GCM sealed (lib/secret-box.ts); shown once, when created. */
  secretEnc!: string;
  secretLast4!: string;
  enabled!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}
export const WebhookEndpointSchema = new EntitySchema<WebhookEndpoint>({
  class: WebhookEndpoint,
  tableName: 'webhook_endpoints',
  indexes: [{ properties: ['tenant', 'createdAt'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    url: { type: 'string', length: 2000 },
    description: { type: 'string', length: 500, nullable: true },
    eventTypes: { type: 'json' },
    secretEnc: { type: 'text' },
    secretLast4: { type: 'string', length: 4 },
    enabled: { type: 'boolean', default: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

export const webhookEntities = [WebhookEndpointSchema];
