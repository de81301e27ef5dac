import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createDeal, listDeals } from '../../services/deals';
import { IdempotencyHeaders, Page } from '../schemas/common';
import { DealBody, DealListQuery, DealResponse } from '../schemas/deals';
import { pageJson } from '../serializers/common';
import { dealJson } from '../serializers/deals';

const tags = ['deals'];

export const dealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/deals',
    {
      schema: {
        tags,
        summary: 'Create a deal',
        description: "A CRM deal of a contact; invoices may reference it. Send an Idempotency-Key to make retries safe.",
        headers: IdempotencyHeaders,
        body: DealBody,
        response: { 201: DealResponse },
        errors: { 400: ['invalid_name', 'invalid_currency'], 404: ['not_found'] },
      },
    }, async (req, reply) =>
    reply.status(201).send(dealJson(await createDeal(req.deps, req.tenant, req.body))),
  );
  app.get(
    '/deals',
    {
      schema: {
        tags,
        summary: 'List deals',
        description: "Newest first, one page at a time (pass nextCursor as cursor); q searches the deal name and its contact's name.",
        querystring: DealListQuery,
        response: { 200: Page(DealResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) => pageJson(await listDeals(req.deps, req.tenant, req.query), dealJson),
  );
};
