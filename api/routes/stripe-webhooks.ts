/**
 * POST /v1/webhooks/stripe/:tenantId — outside the API-key auth: Stripe authenticates with its
 * signature over the raw body, so this plugin parses every body as a Buffer (scoped to this plugin).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { observeWebhook } from '../../lib/metrics';
import { receiveStripeWebhook } from '../../services/stripe-webhook';
import { MAX_BODY_BYTES } from '../request-scope';
import { StripeWebhookParams, StripeWebhookResponse } from '../schemas/stripe';

export const stripeWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
  app.post(
    '/stripe/:tenantId',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Receive a Stripe webhook',
        description:
          "Stripe's deliveries for one account, authenticated by the Stripe-Signature header over the raw body (no API key). " +
          'Each event is stored once and handed to its invoice; a redelivery answers duplicate: true.',
        security: [],
        params: StripeWebhookParams,
        response: { 200: StripeWebhookResponse },
        errors: { 400: ['missing_signature', 'invalid_signature', 'empty_body', 'malformed_payload'], 404: ['not_found', 'stripe_not_configured'], 503: ['handoff_failed'] },
      },
    },
    async (req) => {
      const header = req.headers['stripe-signature'];
      const result = await observeWebhook(receiveStripeWebhook(req.deps, req.params.tenantId, req.body as Buffer | undefined, typeof header === 'string' ? header : undefined));
      return { received: true, ...result };
    },
  );
};
