import type { Static } from '@sinclair/typebox';
import type { WebhookEndpoint } from '../../db';
import type { DeliveryRecord } from '../../db/repositories/webhook-deliveries';
import type { DeliveryDetail } from '../../services/webhook-endpoints';
import type { DeliveryResponse, RedeliveryResponse, WebhookEndpointResponse } from '../schemas/webhook-endpoints';
import { iso, isoOrNull } from './common';

/** The secret itself never: only its last 4 characters (the create answer adds it once). */
export const webhookEndpointJson = (e: WebhookEndpoint): Static<typeof WebhookEndpointResponse> => ({
  id: e.id,
  url: e.url,
  description: e.description ?? null,
  eventTypes: e.eventTypes,
  enabled: e.enabled,
  secretLast4: e.secretLast4,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const deliveryJson = (d: DeliveryRecord): Static<typeof DeliveryResponse> => ({
  id: d.id,
  endpointId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType as Static<typeof DeliveryResponse>['eventType'],
  invoiceId: d.invoiceId,
  sequence: d.sequence,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastLatencyMs: d.lastLatencyMs,
  lastError: d.lastError,
  lastAttemptAt: isoOrNull(d.lastAttemptAt),
  nextAttemptAt: isoOrNull(d.nextAttemptAt),
  deliveredAt: isoOrNull(d.deliveredAt),
  createdAt: iso(d.createdAt),
});

export const redeliveryJson = ({ delivery, attempts }: DeliveryDetail): Static<typeof RedeliveryResponse> => ({
  ...deliveryJson(delivery),
  attemptHistory: attempts.map((a) => ({ attempt: a.attempt, startedAt: iso(a.startedAt), statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error })),
});
