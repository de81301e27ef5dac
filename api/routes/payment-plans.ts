import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPlannedPayments } from '../../services/payment-plans';
import { Page } from '../schemas/common';
import { PlannedPaymentListQuery, PlannedPaymentResponse } from '../schemas/payment-plans';
import { pageJson } from '../serializers/common';
import { plannedPaymentJson } from '../serializers/payment-plans';

const tags = ['payment plans'];

export const paymentPlanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/payment-plans',
    {
      schema: {
        tags,
        summary: 'List planned payments',
        description: "The instalments of every invoice's payment plan, by date (oldest first), one page at a time; q searches the invoice number and the contact name.",
        querystring: PlannedPaymentListQuery,
        response: { 200: Page(PlannedPaymentResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) =>
    pageJson(await listPlannedPayments(req.deps, req.tenant, req.query), plannedPaymentJson),
  );
};
