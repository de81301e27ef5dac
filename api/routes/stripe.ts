/** Stripe integration settings, Checkout links, Terminal readers and collection, event review (authenticated /v1). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { listStripeEvents } from '../../services/stripe-events';
import { collectOnTerminal, createCheckoutSession, listTerminalReaders, registerTerminalReader } from '../../services/stripe-outbound';
import { deleteStripeSettings, getStripeSettings, putStripeSettings } from '../../services/stripe-settings';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import {
  CheckoutBody,
  CheckoutResponse,
  CollectionBody,
  CollectionResponse,
  ReaderBody,
  ReaderResponse,
  StripeEventListQuery,
  StripeEventResponse,
  StripeSettingsBody,
  StripeSettingsResponse,
} from '../schemas/stripe';
import { pageJson } from '../serializers/common';
import { checkoutJson, collectionJson, readerJson, stripeEventJson, stripeSettingsJson } from '../serializers/stripe';

const tags = ['stripe'];

export const stripeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/integrations/stripe', { schema: { tags, response: { 200: StripeSettingsResponse } } }, async (req) => stripeSettingsJson(await getStripeSettings(req.deps, req.tenant)));
  app.put('/integrations/stripe', { schema: { tags, body: StripeSettingsBody, response: { 200: StripeSettingsResponse } } }, async (req) =>
    stripeSettingsJson(await putStripeSettings(req.deps, req.tenant, req.body)),
  );
  app.delete('/integrations/stripe', { schema: { tags } }, async (req, reply) => {
    await deleteStripeSettings(req.deps, req.tenant);
    return reply.status(204).send();
  });
  app.get('/integrations/stripe/events', { schema: { tags, querystring: StripeEventListQuery, response: { 200: Page(StripeEventResponse) } } }, async (req) =>
    pageJson(await listStripeEvents(req.deps, req.tenant, req.query), stripeEventJson),
  );
  app.post('/integrations/stripe/terminal/readers', { schema: { tags, headers: IdempotencyHeaders, body: ReaderBody, response: { 201: ReaderResponse } } }, async (req, reply) =>
    reply.status(201).send(readerJson(await registerTerminalReader(req.deps, req.tenant, req.body, req.idempotencyKey))),
  );
  app.get('/integrations/stripe/terminal/readers', { schema: { tags, response: { 200: Page(ReaderResponse) } } }, async (req) =>
    pageJson({ rows: await listTerminalReaders(req.deps, req.tenant), nextCursor: null }, readerJson),
  );
  app.post(
    '/invoices/:id/checkout',
    { schema: { tags, params: IdParams, headers: IdempotencyHeaders, body: Type.Optional(CheckoutBody), response: { 201: CheckoutResponse } } },
    async (req, reply) => reply.status(201).send(checkoutJson(await createCheckoutSession(req.deps, req.tenant, req.params.id, req.body ?? {}, req.idempotencyKey))),
  );
  app.post(
    '/invoices/:id/terminal-collections',
    { schema: { tags, params: IdParams, headers: IdempotencyHeaders, body: CollectionBody, response: { 201: CollectionResponse } } },
    async (req, reply) => reply.status(201).send(collectionJson(await collectOnTerminal(req.deps, req.tenant, req.params.id, req.body, req.idempotencyKey))),
  );
};
