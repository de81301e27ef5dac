/**
 * The customer's pay page data (`/i/<token>` in the browser): no API key, the link's token opens one
 * invoice. Counted per client IP; an unknown or replaced token is a plain 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { payPagePdf } from '../../services/invoice-documents';
import { getPayPage, startPayPageCheckout } from '../../services/pay-page';
import { PdfResponse, pdfHeaders } from '../schemas/documents';
import { PayPageCheckoutBody, PayPageCheckoutResponse, PayPageResponse, PayTokenParams } from '../schemas/pay-page';
import { payPageJson } from '../serializers/pay-page';

const tags = ['pay page'];
const UNKNOWN_LINK = { 404: ['not_found'] } as const;

export const payPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/public/invoices/:token',
    {
      schema: {
        tags,
        summary: "The customer's view of an invoice",
        description: 'Seller, items, totals, the plan (each instalment covered or not), and how the customer can pay. The link is the credential: no API key.',
        security: [],
        params: PayTokenParams,
        response: { 200: PayPageResponse },
        errors: UNKNOWN_LINK,
      },
    },
    async (req, reply) => {
      // The balance changes while the customer looks (payments, the webhook after Checkout).
      reply.header('cache-control', 'no-store');
      return payPageJson(await getPayPage(req.deps, req.params.token));
    },
  );
  app.get(
    '/public/invoices/:token/pdf',
    {
      schema: {
        tags,
        summary: "The customer's copy of the invoice as a PDF",
        description: 'The same document as `GET /v1/invoices/{id}/pdf`, for the invoice the link opens. No API key.',
        security: [],
        params: PayTokenParams,
        response: { 200: PdfResponse },
        errors: UNKNOWN_LINK,
      },
    },
    async (req, reply) => {
      const pdf = await payPagePdf(req.deps, req.params.token);
      return reply.headers(pdfHeaders(pdf.filename)).send(pdf.content);
    },
  );
  app.post(
    '/public/invoices/:token/checkout',
    {
      schema: {
        tags,
        summary: 'Pay by card',
        description:
          'A Stripe Checkout Session for the amount due, or for the unpaid part of one instalment; redirect the customer to `url`. ' +
          'Stripe sends them back to the pay page with `?checkout=success` (the payment shows once the webhook lands) or `?checkout=cancel`.',
        security: [],
        params: PayTokenParams,
        body: PayPageCheckoutBody,
        response: { 201: PayPageCheckoutResponse },
        errors: {
          404: ['not_found'],
          409: ['invoice_paid', 'invoice_void', 'installment_covered', 'stripe_not_configured', 'stripe_currency_unsupported'],
          422: ['stripe_auth_failed', 'stripe_request_rejected'],
          503: ['stripe_unavailable', 'encryption_not_configured', 'integration_secret_unreadable'],
        },
      },
    },
    async (req, reply) => reply.status(201).send(await startPayPageCheckout(req.deps, req.params.token, req.body ?? {})),
  );
};
