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
/** Calls to Stripe with the account's saved key. */
const STRIPE_CALL = { 409: ['stripe_not_configured'], 422: ['stripe_auth_failed', 'stripe_request_rejected'], 503: ['stripe_unavailable', 'encryption_not_configured', 'integration_secret_unreadable'] } as const;

export const stripeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/integrations/stripe',
    {
      schema: {
        tags,
        summary: 'Get the Stripe integration',
        description: 'Whether Stripe is configured (secrets shown by their last 4 characters) and the webhook URL to register in the Stripe dashboard.',
        response: { 200: StripeSettingsResponse },
      },
    },
    async (req) => stripeSettingsJson(await getStripeSettings(req.deps, req.tenant)),
  );
  app.put(
    '/integrations/stripe',
    {
      schema: {
        tags,
        summary: 'Save the Stripe integration',
        description: "Stores the account's Stripe secret key and webhook signing secret (encrypted at rest), replacing earlier ones.",
        body: StripeSettingsBody,
        response: { 200: StripeSettingsResponse },
        errors: { 400: ['invalid_secret_key', 'invalid_webhook_secret'], 503: ['encryption_not_configured'] },
      },
    },
    async (req) =>
    stripeSettingsJson(await putStripeSettings(req.deps, req.tenant, req.body)),
  );
  app.delete(
    '/integrations/stripe',
    {
      schema: {
        tags,
        summary: 'Remove the Stripe integration',
        description: 'Forgets the saved Stripe secrets; webhooks are refused from then on. Removing an integration that is not there also answers 204.',
        response: { 204: Type.Null({ description: 'Removed.' }) },
      },
    },
    async (req, reply) => {
      await deleteStripeSettings(req.deps, req.tenant);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/integrations/stripe/events',
    {
      schema: {
        tags,
        summary: 'List received Stripe events',
        description: 'Webhook events as received and what became of them (applied, ignored, unmatched, failed), newest first, one page at a time.',
        querystring: StripeEventListQuery,
        response: { 200: Page(StripeEventResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) =>
    pageJson(await listStripeEvents(req.deps, req.tenant, req.query), stripeEventJson),
  );
  app.post(
    '/integrations/stripe/terminal/readers',
    {
      schema: {
        tags,
        summary: 'Register a Terminal reader',
        description: "Pairs a Stripe Terminal card reader with the account's Stripe account using the code the reader shows.",
        headers: IdempotencyHeaders,
        body: ReaderBody,
        response: { 201: ReaderResponse },
        errors: STRIPE_CALL,
      },
    },
    async (req, reply) =>
    reply.status(201).send(readerJson(await registerTerminalReader(req.deps, req.tenant, req.body, req.idempotencyKey))),
  );
  app.get(
    '/integrations/stripe/terminal/readers',
    { schema: { tags, summary: 'List Terminal readers', description: 'The card readers of the Stripe account (one page).', response: { 200: Page(ReaderResponse) }, errors: STRIPE_CALL } },
    async (req) =>
    pageJson({ rows: await listTerminalReaders(req.deps, req.tenant), nextCursor: null }, readerJson),
  );
  app.post(
    '/invoices/:id/checkout',
    {
      schema: {
        tags,
        summary: 'Create a Stripe Checkout link',
        description: 'A hosted payment page for the amount due; the payment arrives by webhook. The body (return URLs) is optional.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Optional(CheckoutBody),
        response: { 201: CheckoutResponse },
        errors: { ...STRIPE_CALL, 409: ['stripe_not_configured', 'invoice_void', 'invoice_paid', 'stripe_currency_unsupported'] },
      },
    },
    async (req, reply) => reply.status(201).send(checkoutJson(await createCheckoutSession(req.deps, req.tenant, req.params.id, req.body ?? {}, req.idempotencyKey))),
  );
  app.post(
    '/invoices/:id/terminal-collections',
    {
      schema: {
        tags,
        summary: 'Collect on a Terminal reader',
        description: 'Sends the amount due to a card reader; the payment arrives by webhook once the card is presented.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: CollectionBody,
        response: { 201: CollectionResponse },
        errors: { ...STRIPE_CALL, 409: ['stripe_not_configured', 'invoice_void', 'invoice_paid', 'stripe_currency_unsupported'] },
      },
    },
    async (req, reply) => reply.status(201).send(collectionJson(await collectOnTerminal(req.deps, req.tenant, req.params.id, req.body, req.idempotencyKey))),
  );
};
