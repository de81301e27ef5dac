/**
 * CSV exports of the invoice, payment and payment-plan lists, streamed (authenticated /v1). Fastify
 * pipes the stream into the response, so a slow client holds the COPY back (backpressure down to
 * Postgres), and destroys it when the client goes away (which frees its pooled connection).
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { INVOICE_CSV_COLUMNS, invoicesCsv, PAYMENT_CSV_COLUMNS, paymentsCsv, PLANNED_PAYMENT_CSV_COLUMNS, plannedPaymentsCsv } from '../../services/exports';
import { PAYMENT_STATES } from '../../domain/payment';
import { csvResponse, InvoiceCsvQuery, PaymentCsvQuery, PlannedPaymentCsvQuery } from '../schemas/exports';

const tags = ['exports'];

const sendCsv = (reply: FastifyReply, name: string, csv: Readable) =>
  reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(csv);

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/invoices.csv',
    {
      schema: {
        tags,
        summary: 'Export invoices as CSV',
        description: "Every invoice matching the list's filters (GET /v1/invoices), newest first, streamed. Its amounts are the invoice's (total, paid, credited, writtenOff, due): total - paid - credited - written_off = due.",
        querystring: InvoiceCsvQuery,
        response: { 200: csvResponse(INVOICE_CSV_COLUMNS) },
      },
    },
    async (req, reply) => sendCsv(reply, 'invoices.csv', await invoicesCsv(req.deps, req.tenant, req.query)),
  );
  app.get(
    '/payments.csv',
    {
      schema: {
        tags,
        summary: 'Export payments as CSV',
        description:
          `Every payment matching the list's filters (GET /v1/payments), newest first, streamed. Voided payments stay in it, marked: status is the list's (${PAYMENT_STATES.join(', ')}), ` +
          "refunded what was refunded of it (failed and canceled refunds not counted), voided_at, voided_by and void_reason its voided (empty when it was not voided). To reconcile with an invoice's paid, leave out the voided rows and subtract what was refunded.",
        querystring: PaymentCsvQuery,
        response: { 200: csvResponse(PAYMENT_CSV_COLUMNS) },
      },
    },
    async (req, reply) => sendCsv(reply, 'payments.csv', await paymentsCsv(req.deps, req.tenant, req.query)),
  );
  app.get(
    '/payment-plans.csv',
    {
      schema: {
        tags,
        summary: 'Export planned payments as CSV',
        description: "Every instalment matching the list's filters (GET /v1/payment-plans), soonest first, streamed; installment counts from 1.",
        querystring: PlannedPaymentCsvQuery,
        response: { 200: csvResponse(PLANNED_PAYMENT_CSV_COLUMNS) },
      },
    },
    async (req, reply) => sendCsv(reply, 'payment-plans.csv', await plannedPaymentsCsv(req.deps, req.tenant, req.query)),
  );
};
