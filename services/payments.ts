/**
 * Payments. One on an invoice goes through the invoice's workflow as an Update that returns only
 * after the workflow's activity has persisted it (read-your-writes); one without an invoice is a
 * plain row on the contact. Payment ids derive from the Idempotency-Key when there is one, so a
 * retry after any failure reaches the workflow with the same id and is applied at most once.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { Contact, Invoice, Payment } from '../db';
import { conflict, DomainError, notFound } from '../domain/errors';
import { currencyMismatchError, invoiceVoidError } from '../domain/invoice';
import { assertCurrency, assertPositiveAmount } from '../domain/money';
import { assertIsoDate, dateIn } from '../domain/dates';
import { observePayment } from '../lib/metrics';
import type { PaymentMethod, PaymentSource } from '../domain/payment';
import type { PaymentInput } from '../workflows/definitions';
import type { ServiceDeps, TenantContext } from './context';
import { applyPayment } from './invoice-workflow';
import { afterKey, decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type DateRangeParams, type Page, type SearchParams } from './pagination';

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
}

/** Records a payment; its outcome (accepted, rejected by code, pending) is counted for /metrics, whichever route it came by. */
export function recordPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string): Promise<Payment> {
  return observePayment(applyNewPayment(deps, tenant, input, paymentId));
}

async function applyNewPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string): Promise<Payment> {
  assertPositiveAmount(input.amount);
  const date = input.date ?? dateIn(Date.now(), tenant.timeZone);
  assertIsoDate(date, 'date');
  const { em } = deps;

  // A retry of a recorded payment answers from Postgres (its invoice's workflow may have ended since).
  const [existing, invoice] = await Promise.all([
    findPayment(deps, tenant, paymentId),
    input.invoiceId ? em.findOne(Invoice, { id: input.invoiceId, tenant: tenant.id }) : null,
  ]);
  if (existing) return existing;
  if (input.invoiceId && !invoice) throw notFound('invoice', input.invoiceId);
  const contactId = input.contactId ?? invoice?.contact.id;
  if (!contactId) throw new DomainError('validation', 'contact_required', 'contactId is required for a payment without an invoice');
  const contact = await em.findOne(Contact, { id: contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', contactId);
  const currency = assertCurrency(input.currency ?? invoice?.currency ?? tenant.defaultCurrency);
  const payment: PaymentInput = { paymentId, contactId, amount: input.amount, currency, date, method: input.method, reference: input.reference ?? null, source: 'manual' };

  if (!invoice) {
    const { paymentId: id, contactId: _contact, ...fields } = payment;
    await em.createQueryBuilder(Payment).insert({ ...fields, id, tenant: tenant.id, contact: contactId, invoice: null, createdAt: new Date() }).onConflict('id').ignore().execute();
    return getPayment(deps, tenant, paymentId);
  }
  if (invoice.contact.id !== contactId) {
    throw conflict('contact_mismatch', 'the payment contact differs from the invoice contact', { invoiceContactId: invoice.contact.id, contactId });
  }
  if (currency !== invoice.currency) throw currencyMismatchError(currency, invoice.currency);
  if (invoice.status === 'void') throw invoiceVoidError();

  const result = await applyPayment(deps, invoice, payment);
  if (result.acceptedAt === null) return getPayment(deps, tenant, paymentId);
  // The Update answers once the row is committed, exactly as the workflow wrote it.
  const { paymentId: id, contactId: _contact, ...fields } = payment;
  return em.merge(Payment, { ...fields, id, tenant: tenant.id, contact, invoice, createdAt: new Date(result.acceptedAt) });
}

const findPayment = (deps: ServiceDeps, tenant: TenantContext, id: string) => deps.em.findOne(Payment, { id, tenant: tenant.id }, { populate: ['contact', 'invoice'] });

export async function getPayment(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Payment> {
  const payment = await findPayment(deps, tenant, id);
  if (!payment) throw notFound('payment', id);
  return payment;
}

export interface PaymentListQuery extends SearchParams, DateRangeParams {
  contactId?: string;
  invoiceId?: string;
  method?: PaymentMethod;
  source?: PaymentSource;
}

export async function listPayments(deps: ServiceDeps, tenant: TenantContext, query: PaymentListQuery): Promise<Page<Payment>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where: FilterQuery<Payment> = { tenant: tenant.id };
  // Newest first by creation time: payment ids derived from idempotency keys or Stripe ids are
  // not time-ordered, so the id only breaks ties.
  const after = decodeCursor(query.cursor, ['datetime', 'uuid']);
  if (after) where.$and = [afterKey('createdAt', new Date(after[0]), after[1], 'desc')];
  if (query.contactId) where.contact = query.contactId;
  if (query.invoiceId) where.invoice = query.invoiceId;
  if (query.method) where.method = query.method;
  if (query.source) where.source = query.source;
  if (query.dateFrom || query.dateTo) where.date = { ...(query.dateFrom && { $gte: query.dateFrom }), ...(query.dateTo && { $lte: query.dateTo }) };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ reference: { $ilike: like } }, { contact: { name: { $ilike: like } } }, { invoice: { number: { $ilike: like } } }];
  }
  const rows = await deps.em.find(Payment, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: limit + 1, populate: ['contact', 'invoice'] });
  return toPage(rows, limit, (p) => [p.createdAt.toISOString(), p.id]);
}
