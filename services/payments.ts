/**
 * Payments. One on an invoice goes through the invoice's workflow as an Update that returns only
 * after the workflow's activity has persisted it (read-your-writes); one without an invoice is a
 * plain row on the contact. Payment ids derive from the Idempotency-Key when there is one, so a
 * retry after any failure reaches the workflow with the same id and is applied at most once.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { Contact, Invoice, Payment } from '../db/entities';
import { conflict, DomainError, notFound } from '../domain/errors';
import { assertCurrency, assertPositiveAmount } from '../domain/money';
import { assertIsoDate, dateIn } from '../domain/dates';
import type { PaymentMethod, PaymentSource } from '../domain/payment';
import { applyPaymentUpdate, invoiceWorkflowId } from '../workflows/definitions';
import { fromFailure } from '../workflows/failures';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, likePattern, toPage } from './pagination';

const PAYMENT_ID_NAMESPACE = '5b0e2a6c-8f3e-4a4e-9a57-3c1f1f0f6d21';

/** Same tenant + same idempotency key → same payment id, across processes and restarts. */
export function paymentIdFor(tenantId: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidv5(`${tenantId}:payment:${idempotencyKey}`, PAYMENT_ID_NAMESPACE) : uuidv7();
}

export interface RecordPaymentInput {
  contactId?: string;
  invoiceId?: string | null;
  amount: number;
  currency?: string;
  date?: string;
  method: PaymentMethod;
  reference?: string | null;
  source?: PaymentSource;
}

/** How long an API call waits for the workflow before answering 503 (the client retries with its key). */
const UPDATE_TIMEOUT_MS = 20_000;

export async function recordPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string): Promise<Payment> {
  assertPositiveAmount(input.amount);
  const date = input.date ?? dateIn(Date.now(), tenant.timeZone);
  assertIsoDate(date, 'date');
  const em = deps.orm.em.fork();

  // A retry of a recorded payment answers from Postgres (its invoice's workflow may have ended since).
  const [existing, invoice] = await Promise.all([
    em.fork().findOne(Payment, { id: paymentId, tenant: tenant.id }, { populate: ['contact', 'invoice'] }),
    input.invoiceId ? em.findOne(Invoice, { id: input.invoiceId, tenant: tenant.id }) : null,
  ]);
  if (existing) return existing;
  if (input.invoiceId && !invoice) throw notFound('invoice', input.invoiceId);
  const contactId = input.contactId ?? invoice?.contact.id;
  if (!contactId) throw new DomainError('validation', 'contact_required', 'contactId is required for a payment without an invoice');
  const contact = await em.findOne(Contact, { id: contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', contactId);
  const currency = assertCurrency(input.currency ?? invoice?.currency);

  const payment = {
    paymentId,
    contactId,
    amount: input.amount,
    currency,
    date,
    method: input.method,
    reference: input.reference ?? null,
    source: input.source ?? 'manual',
  } as const;

  if (!invoice) {
    await em.createQueryBuilder(Payment).insert({ id: paymentId, tenant: tenant.id, contact: contactId, invoice: null, amount: payment.amount, currency, date, method: payment.method, reference: payment.reference, source: payment.source, createdAt: new Date() }).onConflict('id').ignore().execute();
    return getPayment(deps, tenant, paymentId);
  }

  if (invoice.contact.id !== contactId) {
    throw conflict('contact_mismatch', 'the payment contact differs from the invoice contact', { invoiceContactId: invoice.contact.id, contactId });
  }
  if (currency !== invoice.currency) {
    throw conflict('currency_mismatch', `payment currency ${currency} differs from the invoice currency ${invoice.currency}`, { invoiceCurrency: invoice.currency });
  }
  if (invoice.status === 'void') throw conflict('invoice_void', 'invoice is void and accepts no payments', { status: 'void' });

  const handle = deps.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  try {
    await deps.temporal.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () =>
      handle.executeUpdate(applyPaymentUpdate, { args: [payment], updateId: `payment-${paymentId}` }),
    );
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && !fromFailure(err))) {
      const current = await em.fork().findOne(Invoice, { id: invoice.id });
      if (current?.status === 'void') throw conflict('invoice_void', 'invoice is void and accepts no payments', { status: 'void' });
      if (current?.status === 'paid') throw conflict('invoice_paid', 'invoice is already paid in full', { status: 'paid', due: 0 });
    }
    throw new DomainError('unavailable', 'payment_pending', 'the invoice workflow did not confirm the payment in time; retry with the same Idempotency-Key', {
      paymentId,
      cause: (err as Error).message,
    });
  }
  return getPayment(deps, tenant, paymentId);
}

export async function getPayment(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Payment> {
  const payment = await deps.orm.em.fork().findOne(Payment, { id, tenant: tenant.id }, { populate: ['contact', 'invoice'] });
  if (!payment) throw notFound('payment', id);
  return payment;
}

export interface PaymentListQuery {
  limit?: number;
  cursor?: string;
  q?: string;
  contactId?: string;
  invoiceId?: string;
  method?: PaymentMethod;
  source?: PaymentSource;
  dateFrom?: string;
  dateTo?: string;
}

export async function listPayments(deps: ServiceDeps, tenant: TenantContext, query: PaymentListQuery) {
  const limit = query.limit ?? 25;
  const where: FilterQuery<Payment> = { tenant: tenant.id };
  // Newest first by creation time: payment ids derived from idempotency keys or Stripe ids are
  // not time-ordered, so the id only breaks ties.
  const after = decodeCursor(query.cursor, ['datetime', 'uuid']);
  if (after) {
    const createdAt = new Date(String(after[0]));
    where.$and = [{ $or: [{ createdAt: { $lt: createdAt } }, { createdAt, id: { $lt: String(after[1]) } }] }];
  }
  if (query.contactId) where.contact = query.contactId;
  if (query.invoiceId) where.invoice = query.invoiceId;
  if (query.method) where.method = query.method;
  if (query.source) where.source = query.source;
  if (query.dateFrom || query.dateTo) where.date = { ...(query.dateFrom && { $gte: query.dateFrom }), ...(query.dateTo && { $lte: query.dateTo }) };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ reference: { $ilike: like } }, { contact: { name: { $ilike: like } } }, { invoice: { number: { $ilike: like } } }];
  }
  const rows = await deps.orm.em.fork().find(Payment, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: limit + 1, populate: ['contact', 'invoice'] });
  return toPage(rows, limit, (p) => [p.createdAt.toISOString(), p.id]);
}
