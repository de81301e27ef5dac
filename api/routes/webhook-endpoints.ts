/** Outbound webhook endpoints and their deliveries (authenticated /v1). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  updateWebhookEndpoint,
} from '../../services/webhook-endpoints';
import { IdParams, Page } from '../schemas/common';
import {
  CreatedWebhookEndpointResponse,
  DeliveryListQuery,
  DeliveryParams,
  DeliveryResponse,
  RedeliveryResponse,
  WebhookEndpointBody,
  WebhookEndpointListQuery,
  WebhookEndpointPatch,
  WebhookEndpointResponse,
} from '../schemas/webhook-endpoints';
import { pageJson } from '../serializers/common';
import { deliveryJson, redeliveryJson, webhookEndpointJson } from '../serializers/webhook-endpoints';

const tags = ['webhooks'];
const URL_CODES = ['invalid_url', 'webhook_url_private', 'webhook_url_unresolvable'] as const;
const SIGNING =
  'Each delivery is a POST of the event as JSON, signed as Stripe signs: header `Payment-Center-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`; ' +
  'receivers check it over the raw body and refuse a t more than 300 s from their clock. `Payment-Center-Event-Id` (also the body\'s id) deduplicates; `Payment-Center-Sequence` orders an invoice\'s events. ' +
  'Any answer other than 2xx is retried with exponential backoff for up to three days; an invoice\'s events reach an endpoint one at a time, in sequence order.';

export const webhookEndpointRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Create a webhook endpoint',
        description: `Registers a URL for the given event types. The answer shows the signing secret once. ${SIGNING}`,
        body: WebhookEndpointBody,
        response: { 201: CreatedWebhookEndpointResponse },
        errors: { 400: [...URL_CODES, 'invalid_event_type'], 503: ['encryption_not_configured'] },
      },
    },
    async (req, reply) => {
      const { endpoint, secret } = await createWebhookEndpoint(req.deps, req.tenant, req.body);
      return reply.status(201).send({ ...webhookEndpointJson(endpoint), secret });
    },
  );
  app.get(
    '/webhook-endpoints',
    {
      schema: { tags, summary: 'List webhook endpoints', description: 'Newest first, one page at a time; secrets are shown by their last 4 characters.', querystring: WebhookEndpointListQuery, response: { 200: Page(WebhookEndpointResponse) }, errors: { 400: ['invalid_cursor'] } },
    },
    async (req) => pageJson(await listWebhookEndpoints(req.deps, req.tenant, req.query), webhookEndpointJson),
  );
  app.get(
    '/webhook-endpoints/:id',
    { schema: { tags, summary: 'Get a webhook endpoint', description: 'One endpoint (its secret by the last 4 characters).', params: IdParams, response: { 200: WebhookEndpointResponse } } },
    async (req) => webhookEndpointJson(await getWebhookEndpoint(req.deps, req.tenant, req.params.id)),
  );
  app.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description: 'Changes the fields given: enable or disable it (a disabled endpoint gets no new events, and its pending deliveries wait), its URL, event types or description.',
        params: IdParams,
        body: WebhookEndpointPatch,
        response: { 200: WebhookEndpointResponse },
        errors: { 400: [...URL_CODES, 'invalid_event_type'] },
      },
    },
    async (req) => webhookEndpointJson(await updateWebhookEndpoint(req.deps, req.tenant, req.params.id, req.body)),
  );
  app.delete(
    '/webhook-endpoints/:id',
    { schema: { tags, summary: 'Delete a webhook endpoint', description: 'Removes the endpoint and its delivery records; nothing more is sent to it.', params: IdParams, response: { 204: Type.Null({ description: 'Deleted.' }) } } },
    async (req, reply) => {
      await deleteWebhookEndpoint(req.deps, req.tenant, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: "List an endpoint's deliveries",
        description: 'Newest first, one page at a time: status (pending, delivered, failed = given up), attempts, the last answer code and latency, and when a pending one is tried next.',
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: Page(DeliveryResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) => pageJson(await listWebhookDeliveries(req.deps, req.tenant, req.params.id, req.query), deliveryJson),
  );
  app.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags,
        summary: 'Redeliver an event',
        description: 'Queues the delivery again now (same event id and body, a fresh three-day retry window), whatever its status; the answer lists its attempts so far.',
        params: DeliveryParams,
        response: { 202: RedeliveryResponse },
      },
    },
    async (req, reply) => reply.status(202).send(redeliveryJson(await redeliverWebhook(req.deps, req.tenant, req.params.id, req.params.deliveryId))),
  );
};
