import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getPaymentView, listPayments, paymentIdFor, recordPayment, voidPayment } from '../../services/payments';
import { refundPayment } from '../../services/refunds';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { PaymentBody, PaymentListQuery, PaymentResponse, RefundBody, VoidPaymentBody } from '../schemas/payments';
import { pageJson } from '../serializers/common';
import { paymentJson } from '../serializers/payments';

const tags = ['payments'];

export const paymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/payments',
    {
      schema: {
        tags,
        summary: 'Record a payment',
        description:
          'A payment of a contact, on one of its invoices (invoiceId, applied as on POST /v1/invoices/{id}/payments), across several of them (allocations: every one lands or none does, ' +
          "the rest is the contact's credit), or on the contact alone (its credit). " +
          "Without a currency it takes the invoice's, or the account's default currency. Send an Idempotency-Key so a retry is applied once.",
        headers: IdempotencyHeaders,
        body: PaymentBody,
        response: { 201: PaymentResponse },
        errors: {
          400: ['invalid_amount', 'invalid_currency', 'invalid_date', 'contact_required', 'duplicate_allocation', 'allocations_exceed_amount', 'allocations_with_invoice'],
          404: ['not_found'],
          409: ['contact_mismatch', 'currency_mismatch', 'invoice_void', 'invoice_paid', 'overpayment', 'allocation_undone'],
          503: ['payment_pending', 'change_pending'],
        },
      },
    },
    async (req, reply) => {
    const paymentId = paymentIdFor(req.tenant.id, req.idempotencyKey);
    return reply.status(201).send(paymentJson(await recordPayment(req.deps, req.tenant, req.body, paymentId)));
    },
  );
  app.get(
    '/payments',
    {
      schema: {
        tags,
        summary: 'List payments',
        description: 'Newest first, one page at a time (pass nextCursor as cursor); dateFrom/dateTo bound the payment date (inclusive); q searches the reference, the contact name and the invoice number.',
        querystring: PaymentListQuery,
        response: { 200: Page(PaymentResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) =>
    pageJson(await listPayments(req.deps, req.tenant, req.query), paymentJson),
  );
  app.post(
    '/payments/:id/void',
    {
      schema: {
        tags,
        summary: 'Void a manual payment',
        description:
          "Takes a payment entered by hand back (typed against the wrong invoice, a bounced check): its invoice's balance goes back up (a paid invoice reopens and its reminders resume), " +
          "or, on no invoice, it leaves the contact's credit. The payment stays listed as `voided` with who, when and why. Voiding it again answers it unchanged. Card payments are refunded instead.",
        params: IdParams,
        body: VoidPaymentBody,
        response: { 200: PaymentResponse },
        errors: { 409: ['stripe_payment_refund_instead', 'allocated_payment', 'insufficient_credit', 'payment_not_on_invoice', 'invoice_void'], 503: ['change_pending'] },
      },
    },
    async (req) => paymentJson(await voidPayment(req.deps, req.tenant, req.params.id, req.body.reason)),
  );
  app.get('/payments/:id', { schema: { tags, summary: 'Get a payment', description: 'One payment, manual or from Stripe.', params: IdParams, response: { 200: PaymentResponse } } }, async (req) =>
    paymentJson(await getPaymentView(req.deps, req.tenant, req.params.id)),
  );
  app.post(
    '/payments/:id/refunds',
    {
      schema: {
        tags,
        summary: 'Refund a card payment',
        description:
          'Refunds a payment that came through Stripe, all of what is left to refund or `amount` of it, through Stripe (the money goes back to the card). ' +
          "The invoice's balance goes back up at once (a paid invoice reopens, its reminders resume); the refund.* webhooks of the same refund change nothing more. " +
          'A refund Stripe later reports failed or canceled puts the money back on the invoice once (beyond its due: on the contact as credit). ' +
          'Answers the payment with its refunds, this one included with the status Stripe answered (`pending` or `succeeded`). ' +
          'Send an Idempotency-Key: a retry is answered the same and never refunds twice. Payments entered by hand are voided instead (POST /v1/payments/{id}/void).',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Optional(RefundBody),
        response: { 201: PaymentResponse },
        errors: {
          404: ['not_found'],
          409: ['manual_payment_void_instead', 'payment_voided', 'payment_not_on_invoice', 'payment_not_refundable', 'refund_exceeds_payment', 'stripe_not_configured'],
          422: ['stripe_auth_failed', 'stripe_request_rejected'],
          503: ['stripe_unavailable', 'encryption_not_configured', 'integration_secret_unreadable', 'refund_payment_pending'],
        },
      },
    },
    async (req, reply) => reply.status(201).send(paymentJson(await refundPayment(req.deps, req.tenant, req.params.id, req.body ?? {}, req.idempotencyKey))),
  );
};
