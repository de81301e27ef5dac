/** Outbound webhook endpoints: the URL, the event types, a signing secret shown once, and their deliveries. */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { WebhookEndpoint } from '../db';
import { deliveryAttempts, listDeliveries, requeueDelivery, type AttemptRecord, type DeliveryRecord } from '../db/repositories/webhook-deliveries';
import { DomainError, notFound } from '../domain/errors';
import { assertWebhookEventTypes, WEBHOOK_SECRET_PREFIX, type WebhookDeliveryStatus } from '../domain/webhook-events';
import type { Config } from '../lib/config';
import { encryptionKeyFrom, open, seal } from '../lib/secret-box';
import { assertWebhookUrl } from '../lib/webhook-urls';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page, type PageParams } from './pagination';

/** The AAD binding a sealed secret to its tenant and endpoint. */
export const webhookSecretAad = (tenantId: string, endpointId: string) => `webhook:${tenantId}:${endpointId}`;

/** The operator setting, when the process has its full config (the API and worker do; a partial test config may set it). */
export const allowsPrivateUrls = (config: object) => (config as Partial<Pick<Config, 'WEBHOOK_ALLOW_PRIVATE_URLS'>>).WEBHOOK_ALLOW_PRIVATE_URLS === true;

export interface WebhookEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
  enabled?: boolean;
}

export async function createWebhookEndpoint(deps: ServiceDeps, tenant: TenantContext, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const eventTypes = assertWebhookEventTypes(input.eventTypes);
  await assertWebhookUrl(input.url, allowsPrivateUrls(deps.config));
  const key = encryptionKeyFrom(deps.config.ENCRYPTION_KEY);
  const id = uuidv7();
  const secret = `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString('base64url')}`;
  const now = new Date();
  const endpoint = deps.em.create(WebhookEndpoint, {
    id,
    tenant: tenant.id,
    url: input.url,
    description: input.description ?? null,
    eventTypes,
    secretEnc: seal(key, secret, webhookSecretAad(tenant.id, id)),
    secretLast4: secret.slice(-4),
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  });
  await deps.em.flush();
  return { endpoint, secret };
}

export async function getWebhookEndpoint(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.em.findOne(WebhookEndpoint, { id, tenant: tenant.id }, { refresh: true });
  if (!endpoint) throw notFound('webhook endpoint', id);
  return endpoint;
}

export async function listWebhookEndpoints(deps: ServiceDeps, tenant: TenantContext, query: PageParams): Promise<Page<WebhookEndpoint>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const after = decodeCursor(query.cursor, ['uuid']);
  // uuid v7 ids are in creation order: newest first.
  const rows = await deps.em.find(WebhookEndpoint, { tenant: tenant.id, ...(after && { id: { $lt: after[0] } }) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
  return toPage(rows, limit, (e) => [e.id]);
}

export interface WebhookEndpointChanges {
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  enabled?: boolean;
}

export async function updateWebhookEndpoint(deps: ServiceDeps, tenant: TenantContext, id: string, changes: WebhookEndpointChanges): Promise<WebhookEndpoint> {
  const endpoint = await getWebhookEndpoint(deps, tenant, id);
  if (changes.eventTypes !== undefined) endpoint.eventTypes = assertWebhookEventTypes(changes.eventTypes);
  if (changes.url !== undefined) {
    await assertWebhookUrl(changes.url, allowsPrivateUrls(deps.config));
    endpoint.url = changes.url;
  }
  if (changes.description !== undefined) endpoint.description = changes.description;
  if (changes.enabled !== undefined) endpoint.enabled = changes.enabled;
  endpoint.updatedAt = new Date();
  await deps.em.flush();
  return endpoint;
}

/** Deletes the endpoint and its deliveries; deleting one that is not there is a 404. */
export async function deleteWebhookEndpoint(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<void> {
  const deleted = await deps.em.nativeDelete(WebhookEndpoint, { id, tenant: tenant.id });
  if (deleted === 0) throw notFound('webhook endpoint', id);
}

/** The decrypted signing secret of an endpoint (the dispatcher's). */
export function openWebhookSecret(config: { ENCRYPTION_KEY?: string }, tenantId: string, endpointId: string, sealed: string): string {
  const key = encryptionKeyFrom(config.ENCRYPTION_KEY);
  try {
    return open(key, sealed, webhookSecretAad(tenantId, endpointId));
  } catch {
    throw new DomainError('unavailable', 'integration_secret_unreadable', 'the webhook signing secret cannot be decrypted with the current ENCRYPTION_KEY');
  }
}

export interface DeliveryListQuery extends PageParams {
  status?: WebhookDeliveryStatus;
}

export async function listWebhookDeliveries(deps: ServiceDeps, tenant: TenantContext, endpointId: string, query: DeliveryListQuery): Promise<Page<DeliveryRecord>> {
  await getWebhookEndpoint(deps, tenant, endpointId);
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const after = decodeCursor(query.cursor, ['datetime', 'uuid']) as [string, string] | undefined;
  const rows = await listDeliveries(deps.em, tenant.id, endpointId, { limit: limit + 1, after, status: query.status });
  return toPage(rows, limit, (d) => [d.createdAt.toISOString(), d.id]);
}

export interface DeliveryDetail {
  delivery: DeliveryRecord;
  attempts: AttemptRecord[];
}

/** Sends the delivery again as soon as the dispatcher looks (same event id, same body, a fresh 3-day window). */
export async function redeliverWebhook(deps: ServiceDeps, tenant: TenantContext, endpointId: string, deliveryId: string): Promise<DeliveryDetail> {
  await getWebhookEndpoint(deps, tenant, endpointId);
  const delivery = await requeueDelivery(deps.em, tenant.id, endpointId, deliveryId);
  if (!delivery) throw notFound('webhook delivery', deliveryId);
  return { delivery, attempts: await deliveryAttempts(deps.em, deliveryId) };
}
