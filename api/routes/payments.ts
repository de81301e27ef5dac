import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getPayment, listPayments, paymentIdFor, recordPayment } from '../../services/payments';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { PaymentBody, PaymentListQuery, PaymentResponse } from '../schemas/payments';
import { pageJson } from '../serializers/common';
import { paymentJson } from '../serializers/payments';

const tags = ['payments'];

export const paymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/payments', { schema: { tags, headers: IdempotencyHeaders, body: PaymentBody, response: { 201: PaymentResponse } } }, async (req, reply) => {
    const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
    return reply.status(201).send(paymentJson(await recordPayment(req.deps, req.tenant, req.body, paymentId)));
  });
  app.get('/payments', { schema: { tags, querystring: PaymentListQuery, response: { 200: Page(PaymentResponse) } } }, async (req) =>
    pageJson(await listPayments(req.deps, req.tenant, req.query), paymentJson),
  );
  app.get('/payments/:id', { schema: { tags, params: IdParams, response: { 200: PaymentResponse } } }, async (req) => paymentJson(await getPayment(req.deps, req.tenant, req.params.id)));
};
