import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '../schemas';
import { paymentJson, plannedPaymentJson } from '../serializers';
import { getPayment, listPayments, paymentIdFor, recordPayment } from '../../services/payments';
import { listPlannedPayments } from '../../services/payment-plans';
import type { ServiceDeps } from '../../services/context';

export const paymentRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post('/payments', { schema: { tags: ['payments'], headers: S.IdempotencyHeaders, body: S.PaymentBody, response: { 201: S.PaymentResponse } } }, async (req, reply) => {
    const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
    return reply.status(201).send(paymentJson(await recordPayment(deps, req.tenant, req.body, paymentId)));
  });
  app.get('/payments', { schema: { tags: ['payments'], querystring: S.PaymentListQuery, response: { 200: S.Page(S.PaymentResponse) } } }, async (req) => {
    const page = await listPayments(deps, req.tenant, req.query);
    return { data: page.rows.map(paymentJson), nextCursor: page.nextCursor };
  });
  app.get('/payments/:id', { schema: { tags: ['payments'], params: S.IdParams, response: { 200: S.PaymentResponse } } }, async (req) =>
    paymentJson(await getPayment(deps, req.tenant, req.params.id)),
  );
  app.get('/payment-plans', { schema: { tags: ['payment plans'], querystring: S.PlannedPaymentListQuery, response: { 200: S.Page(S.PlannedPaymentResponse) } } }, async (req) => {
    const page = await listPlannedPayments(deps, req.tenant, req.query);
    return { data: page.rows.map(plannedPaymentJson), nextCursor: page.nextCursor };
  });
};
