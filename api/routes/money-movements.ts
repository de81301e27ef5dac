import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { applyCredit, getContactCredit } from '../../services/contact-credit';
import { issueCreditNote, writeOffInvoice } from '../../services/invoice-adjustments';
import { idFor } from '../../services/payments';
import { IdempotencyHeaders, IdParams } from '../schemas/common';
import { InvoiceResponse } from '../schemas/invoices';
import { ApplyCreditBody, ContactCreditResponse, CreditNoteBody, WriteOffBody } from '../schemas/money-movements';
import { PaymentResponse } from '../schemas/payments';
import { iso } from '../serializers/common';
import { invoiceJson } from '../serializers/invoices';
import { paymentJson } from '../serializers/payments';

/** Correcting and moving money: a contact's credit, applying it, write-offs and credit notes. */
export const moneyMovementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/contacts/:id/credit',
    {
      schema: {
        tags: ['contacts'],
        summary: "A contact's credit",
        description: 'Money of the contact on no invoice (overpayment excess, payments without an invoice, allocation remainders), per currency, with its newest movements.',
        params: IdParams,
        response: { 200: ContactCreditResponse },
      },
    },
    async (req) => {
      const credit = await getContactCredit(req.deps, req.tenant, req.params.id);
      return { ...credit, entries: credit.entries.map((e) => ({ ...e, createdAt: iso(e.createdAt) })) };
    },
  );
  app.post(
    '/invoices/:id/apply-credit',
    {
      schema: {
        tags: ['invoices', 'payments'],
        summary: "Apply the contact's credit to an invoice",
        description:
          "Moves credit of the invoice's contact, in the invoice's currency, onto the invoice: it becomes a payment with method `credit`. Two applications racing for the same credit never spend it twice. " +
          'Send an Idempotency-Key so a retry applies it once.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: ApplyCreditBody,
        response: { 201: PaymentResponse },
        errors: { 409: ['insufficient_credit', 'overpayment', 'invoice_paid', 'invoice_void'], 503: ['change_pending'] },
      },
    },
    async (req, reply) => {
      const movementId = idFor(req.tenant.id, 'movement', req.idempotencyKey);
      return reply.status(201).send(paymentJson(await applyCredit(req.deps, req.tenant, req.params.id, req.body.amount, movementId)));
    },
  );
  app.post(
    '/invoices/:id/write-off',
    {
      schema: {
        tags: ['invoices'],
        summary: 'Write off what is still due',
        description: 'Closes the remaining due as uncollectable: the invoice becomes `paid`, with the amount in `writtenOff` (not in `paid`). A later refund or voided payment reopens it.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: WriteOffBody,
        response: { 200: InvoiceResponse },
        errors: { 409: ['invoice_paid', 'invoice_void'], 503: ['change_pending'] },
      },
    },
    async (req) => invoiceJson(await writeOffInvoice(req.deps, req.tenant, req.params.id, req.body.reason, idFor(req.tenant.id, 'adjustment', req.idempotencyKey))),
  );
  app.post(
    '/invoices/:id/credit-notes',
    {
      schema: {
        tags: ['invoices'],
        summary: 'Issue a credit note',
        description: 'Lowers what the invoice asks for by `amount` (at most the amount due; shown in `credited`). A credit note that leaves nothing due settles the invoice. Send an Idempotency-Key so a retry issues it once.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: CreditNoteBody,
        response: { 201: InvoiceResponse },
        errors: { 409: ['credit_note_exceeds_due', 'invoice_paid', 'invoice_void'], 503: ['change_pending'] },
      },
    },
    async (req, reply) => reply.status(201).send(invoiceJson(await issueCreditNote(req.deps, req.tenant, req.params.id, req.body, idFor(req.tenant.id, 'adjustment', req.idempotencyKey)))),
  );
};
