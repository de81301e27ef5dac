import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPlannedPayments } from '../../services/payment-plans';
import { Page } from '../schemas/common';
import { PlannedPaymentListQuery, PlannedPaymentResponse } from '../schemas/payment-plans';
import { pageJson } from '../serializers/common';
import { plannedPaymentJson } from '../serializers/payment-plans';

const tags = ['payment plans'];

export const paymentPlanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/payment-plans', { schema: { tags, querystring: PlannedPaymentListQuery, response: { 200: Page(PlannedPaymentResponse) } } }, async (req) =>
    pageJson(await listPlannedPayments(req.deps, req.tenant, req.query), plannedPaymentJson),
  );
};
