import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '../schemas';
import { historyJson, invoiceJson, paymentJson } from '../serializers';
import { createInvoice, getInvoiceDetail, listInvoices, plansFor, voidInvoice } from '../../services/invoices';
import { paymentIdFor, recordPayment } from '../../services/payments';
import type { ServiceDeps } from '../../services/context';

export const invoiceRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post('/invoices', { schema: { tags: ['invoices'], headers: S.IdempotencyHeaders, body: S.InvoiceBody, response: { 201: S.InvoiceResponse } } }, async (req, reply) => {
    const invoice = await createInvoice(deps, req.tenant, req.body);
    const plans = await plansFor(deps, req.tenant, [invoice.id]);
    return reply.status(201).send(invoiceJson(invoice, plans.get(invoice.id)!));
  });

  app.get('/invoices', { schema: { tags: ['invoices'], querystring: S.InvoiceListQuery, response: { 200: S.Page(S.InvoiceResponse) } } }, async (req) => {
    const page = await listInvoices(deps, req.tenant, req.query);
    return { data: page.rows.map((i) => invoiceJson(i, page.plans.get(i.id)!)), nextCursor: page.nextCursor };
  });

  app.get('/invoices/:id', { schema: { tags: ['invoices'], params: S.IdParams, response: { 200: S.InvoiceDetailResponse } } }, async (req) => {
    const { invoice, plan, payments, history } = await getInvoiceDetail(deps, req.tenant, req.params.id);
    return { ...invoiceJson(invoice, plan), payments: payments.map(paymentJson), history: history.map(historyJson) };
  });

  app.post('/invoices/:id/void', { schema: { tags: ['invoices'], params: S.IdParams, body: S.VoidBody, response: { 200: S.InvoiceResponse } } }, async (req) => {
    const invoice = await voidInvoice(deps, req.tenant, req.params.id, req.body?.reason ?? null);
    const plans = await plansFor(deps, req.tenant, [invoice.id]);
    return invoiceJson(invoice, plans.get(invoice.id)!);
  });

  app.post(
    '/invoices/:id/payments',
    { schema: { tags: ['invoices', 'payments'], params: S.IdParams, headers: S.IdempotencyHeaders, body: S.InvoicePaymentBody, response: { 201: S.PaymentResponse } } },
    async (req, reply) => {
      const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
      const payment = await recordPayment(deps, req.tenant, { ...req.body, invoiceId: req.params.id }, paymentId);
      return reply.status(201).send(paymentJson(payment));
    },
  );
};
