import { Type } from '@sinclair/typebox';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events';
import { DateTime, literals, Nullable, PageQuery, Text, Uuid } from './common';

export const WebhookEventType = literals(WEBHOOK_EVENT_TYPES);
const EventTypes = Type.Array(WebhookEventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, description: 'the events sent to this endpoint', examples: [['invoice.paid', 'invoice.overdue']] });
const Url = Text({
  minLength: 1,
  maxLength: 2000,
  description: 'absolute http(s) URL; its host must resolve to public addresses only (private, loopback and link-local ones are refused unless the server sets WEBHOOK_ALLOW_PRIVATE_URLS)',
  examples: ['https://crm.example.com/hooks/payment-center'],
});
const Description = Nullable(Text({ maxLength: 500, examples: ['CRM sync'] }));

export const WebhookEndpointBody = Type.Object(
  { url: Url, eventTypes: EventTypes, description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean({ default: true })) },
  { additionalProperties: false },
);
export const WebhookEndpointPatch = Type.Object(
  { url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, examples: [{ enabled: false }] },
);

export const WebhookEndpointResponse = Type.Object({
  id: Uuid,
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Type.Array(WebhookEventType),
  enabled: Type.Boolean(),
  secretLast4: Type.String({ description: 'the last 4 characters of the signing secret' }),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const CreatedWebhookEndpointResponse = Type.Intersect([
  WebhookEndpointResponse,
  Type.Object({ secret: Type.String({ description: 'the signing secret (whsec_…): shown this once, store it now', examples: ['whsec_3bq0example0secret'] }) }),
]);

export const WebhookEndpointListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export const DeliveryListQuery = Type.Object({ ...PageQuery, status: Type.Optional(literals(WEBHOOK_DELIVERY_STATUSES)) }, { additionalProperties: false });
export const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid });

export const DeliveryResponse = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  eventId: Type.String({ format: 'uuid', description: 'the event id the receiver deduplicates on (Payment-Center-Event-Id)' }),
  eventType: WebhookEventType,
  invoiceId: Uuid,
  sequence: Type.Integer({ description: "order of the invoice's events" }),
  status: literals(WEBHOOK_DELIVERY_STATUSES),
  attempts: Type.Integer(),
  lastStatusCode: Nullable(Type.Integer({ description: "the receiver's HTTP status at the last attempt (null: no answer)" })),
  lastLatencyMs: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastAttemptAt: Nullable(DateTime),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time', description: 'when a pending delivery is tried next' })),
  deliveredAt: Nullable(DateTime),
  createdAt: DateTime,
});
export const DeliveryAttemptResponse = Type.Object({
  attempt: Type.Integer(),
  startedAt: DateTime,
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Integer(),
  error: Nullable(Type.String()),
});
export const RedeliveryResponse = Type.Intersect([DeliveryResponse, Type.Object({ attemptHistory: Type.Array(DeliveryAttemptResponse) })]);
