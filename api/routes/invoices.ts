import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createInvoice, getInvoiceDetail, listInvoices, voidInvoice } from '../../services/invoices';
import { paymentIdFor, recordPayment } from '../../services/payments';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { InvoiceBody, InvoiceDetailResponse, InvoiceListQuery, InvoiceResponse, VoidBody } from '../schemas/invoices';
import { InvoicePaymentBody, PaymentResponse } from '../schemas/payments';
import { pageJson } from '../serializers/common';
import { invoiceDetailJson, invoiceJson } from '../serializers/invoices';
import { paymentJson } from '../serializers/payments';

const tags = ['invoices'];

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/invoices', { schema: { tags, headers: IdempotencyHeaders, body: InvoiceBody, response: { 201: InvoiceResponse } } }, async (req, reply) =>
    reply.status(201).send(invoiceJson(await createInvoice(req.deps, req.tenant, req.body))),
  );
  app.get('/invoices', { schema: { tags, querystring: InvoiceListQuery, response: { 200: Page(InvoiceResponse) } } }, async (req) =>
    pageJson(await listInvoices(req.deps, req.tenant, req.query), invoiceJson),
  );
  app.get('/invoices/:id', { schema: { tags, params: IdParams, response: { 200: InvoiceDetailResponse } } }, async (req) =>
    invoiceDetailJson(await getInvoiceDetail(req.deps, req.tenant, req.params.id)),
  );
  app.post('/invoices/:id/void', { schema: { tags, params: IdParams, body: VoidBody, response: { 200: InvoiceResponse } } }, async (req) =>
    invoiceJson(await voidInvoice(req.deps, req.tenant, req.params.id, req.body?.reason ?? null)),
  );
  app.post(
    '/invoices/:id/payments',
    { schema: { tags: ['invoices', 'payments'], params: IdParams, headers: IdempotencyHeaders, body: InvoicePaymentBody, response: { 201: PaymentResponse } } },
    async (req, reply) => {
      const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
      return reply.status(201).send(paymentJson(await recordPayment(req.deps, req.tenant, { ...req.body, invoiceId: req.params.id }, paymentId)));
    },
  );
};
