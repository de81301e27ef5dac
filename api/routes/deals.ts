import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createDeal, listDeals } from '../../services/deals';
import { IdempotencyHeaders, Page } from '../schemas/common';
import { DealBody, DealListQuery, DealResponse } from '../schemas/deals';
import { pageJson } from '../serializers/common';
import { dealJson } from '../serializers/deals';

const tags = ['deals'];

export const dealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/deals', { schema: { tags, headers: IdempotencyHeaders, body: DealBody, response: { 201: DealResponse } } }, async (req, reply) =>
    reply.status(201).send(dealJson(await createDeal(req.deps, req.tenant, req.body))),
  );
  app.get('/deals', { schema: { tags, querystring: DealListQuery, response: { 200: Page(DealResponse) } } }, async (req) => pageJson(await listDeals(req.deps, req.tenant, req.query), dealJson));
};
