/**
 * POST /v1/webhooks/stripe/:tenantId — outside the API-key auth: Stripe authenticates with its
 * signature over the raw body, so this plugin parses every body as a Buffer (scoped to this plugin).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ServiceDeps } from '../../services/context';
import { receiveStripeWebhook } from '../../services/stripe-webhooks';

export const stripeWebhookRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) => done(null, body));
  app.post(
    '/stripe/:tenantId',
    {
      schema: {
        tags: ['webhooks'],
        security: [],
        params: Type.Object({ tenantId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ received: Type.Boolean(), eventId: Type.String(), status: Type.String(), duplicate: Type.Boolean() }) },
      },
    },
    async (req) => {
      const header = req.headers['stripe-signature'];
      const result = await receiveStripeWebhook(deps, req.params.tenantId, req.body as Buffer | undefined, typeof header === 'string' ? header : undefined);
      return { received: true, ...result };
    },
  );
};
