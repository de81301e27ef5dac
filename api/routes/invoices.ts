import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createInvoice, getInvoiceDetail, listInvoices, summarizeInvoices, voidInvoice } from '../../services/invoices';
import { invoicePdf } from '../../services/invoice-documents';
import { rotateCustomerLink } from '../../services/pay-links';
import { paymentIdFor, recordPayment } from '../../services/payments';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { PdfResponse, pdfHeaders } from '../schemas/documents';
import { CustomerLinkResponse, InvoiceBody, InvoiceDetailResponse, InvoiceListQuery, InvoiceResponse, InvoiceSummaryQuery, InvoiceSummaryResponse, VoidBody } from '../schemas/invoices';
import { InvoicePaymentBody, PaymentResponse } from '../schemas/payments';
import { pageJson } from '../serializers/common';
import { invoiceDetailJson, invoiceJson } from '../serializers/invoices';
import { paymentJson } from '../serializers/payments';

const tags = ['invoices'];

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/invoices',
    {
      schema: {
        tags,
        summary: 'Create an invoice',
        description:
          'Prices the line items, stores the invoice with its payment plan and starts its workflow (timers for the plan, reminders and the due date). ' +
          'Without a paymentPlan the whole total is planned on the due date. Send an Idempotency-Key to make retries safe.',
        headers: IdempotencyHeaders,
        body: InvoiceBody,
        response: { 201: InvoiceResponse },
        errors: {
          400: ['invalid_currency', 'invalid_date', 'due_before_issue', 'invalid_line_items', 'invalid_quantity', 'invalid_amount', 'amount_too_large', 'invalid_invoice_number', 'plan_date_before_issue', 'plan_date_after_due', 'plan_total_mismatch'],
          404: ['not_found'],
          409: ['deal_contact_mismatch', 'duplicate_invoice_number'],
        },
      },
    }, async (req, reply) =>
    reply.status(201).send(invoiceJson(await createInvoice(req.deps, req.tenant, req.body))),
  );
  app.get(
    '/invoices',
    {
      schema: {
        tags,
        summary: 'List invoices',
        description: 'Newest first unless `sort` says otherwise, one page at a time (pass nextCursor as cursor); filters combine, date bounds are inclusive; q searches the invoice number and the contact name.',
        querystring: InvoiceListQuery,
        response: { 200: Page(InvoiceResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) =>
    pageJson(await listInvoices(req.deps, req.tenant, req.query), invoiceJson),
  );
  app.get(
    '/invoices/summary',
    {
      schema: {
        tags,
        summary: 'What is owed: open and overdue totals and aging',
        description:
          'Per currency: the count and amount due of open and of overdue invoices, and what is unpaid split by days past due (current, 1–30, 31–60, 61–90, over 90) on ' +
          "today's date in the account time zone. Takes the list's filters (not its paging or sort).",
        querystring: InvoiceSummaryQuery,
        response: { 200: InvoiceSummaryResponse },
      },
    },
    async (req) => ({ data: await summarizeInvoices(req.deps, req.tenant, req.query) }),
  );
  app.get(
    '/invoices/:id/pdf',
    { schema: { tags, summary: 'The invoice as a PDF', description: 'Seller, customer, number and dates, line items, total, paid and due, the payment plan, how to pay and a PAID / OVERDUE / VOID stamp.', params: IdParams, response: { 200: PdfResponse } } },
    async (req, reply) => {
      const pdf = await invoicePdf(req.deps, req.tenant, req.params.id);
      return reply.headers(pdfHeaders(pdf.filename)).send(pdf.content);
    },
  );
  app.get(
    '/invoices/:id',
    { schema: { tags, summary: 'Get an invoice', description: 'The invoice with its payment plan, payments and history (oldest event first).', params: IdParams, response: { 200: InvoiceDetailResponse } } },
    async (req) =>
    invoiceDetailJson(await getInvoiceDetail(req.deps, req.tenant, req.params.id)),
  );
  app.post(
    '/invoices/:id/void',
    {
      schema: {
        tags,
        summary: 'Void an invoice',
        description: 'Cancels an invoice nothing was paid on: it accepts no more payments and its reminders stop, and nothing is owed on it. One with payments is refused (void or refund them first, or credit or write off what is left), so no money stays on a cancelled invoice. The body (a reason) is optional; voiding a void invoice answers it unchanged.',
        params: IdParams,
        body: VoidBody,
        response: { 200: InvoiceResponse },
        errors: { 409: ['invoice_paid', 'invoice_has_payments'] },
      },
    },
    async (req) =>
    invoiceJson(await voidInvoice(req.deps, req.tenant, req.params.id, req.body?.reason ?? null)),
  );
  app.post(
    '/invoices/:id/customer-link',
    {
      schema: {
        tags,
        summary: "Replace the customer's pay-page link",
        description: 'Makes a new customerUrl for the invoice; the previous link stops working at once (send the new one to the customer).',
        params: IdParams,
        response: { 200: CustomerLinkResponse },
      },
    },
    async (req) => ({ customerUrl: await rotateCustomerLink(req.deps, req.tenant, req.params.id) }),
  );
  app.post(
    '/invoices/:id/payments',
    {
      schema: {
        tags: ['invoices', 'payments'],
        summary: 'Record a payment on an invoice',
        description:
          "Applies a payment to the invoice's balance through its workflow and answers once it is stored, so the next read shows the new balance. " +
          'At most the amount due; send an Idempotency-Key so a retry is applied once.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: InvoicePaymentBody,
        response: { 201: PaymentResponse },
        errors: { 400: ['invalid_amount', 'invalid_currency', 'invalid_date'], 409: ['contact_mismatch', 'currency_mismatch', 'invoice_void', 'invoice_paid', 'overpayment'], 503: ['payment_pending'] },
      },
    },
    async (req, reply) => {
      const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
      return reply.status(201).send(paymentJson(await recordPayment(req.deps, req.tenant, { ...req.body, invoiceId: req.params.id }, paymentId)));
    },
  );
};
