/**
 * Payments. One on an invoice goes through the invoice's workflow as an Update that returns only
 * after the workflow's activity has persisted it (read-your-writes); one without an invoice is a
 * plain row on the contact. Payment ids derive from the Idempotency-Key when there is one, so a
 * retry after any failure reaches the workflow with the same id and is applied at most once.
 */
import type { ObjectQuery } from '@mikro-orm/core';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { Contact, Invoice, Payment, Refund } from '../db';
import { moveCredit } from '../db/repositories/contact-credit';
import { findRow, findRows } from '../db/read-rows';
import { insertPayment, paymentRecorded } from '../db/repositories/payments';
import { conflict, DomainError, notFound, validationError } from '../domain/errors';
import { currencyMismatchError, invoiceVoidError, voidPaymentError } from '../domain/invoice';
import { assertCurrency, assertPositiveAmount } from '../domain/money';
import { assertIsoDate, dateIn } from '../domain/dates';
import { observePayment } from '../lib/metrics';
import { REFUND_STATUSES_GIVING_NOTHING_BACK, type PaymentMethod, type PaymentSource } from '../domain/payment';
import type { PaymentInput } from '../workflows/definitions';
import type { ServiceDeps, TenantContext } from './context';
import { applyPayment, voidPaymentOnInvoice } from './invoice-workflow';
import { allocatePayment, movementOutcome, type AllocationInput } from './money-movements';
import { decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type DateRangeParams, type Page, type SearchParams } from './pagination';

const PAYMENT_ID_NAMESPACE = '5b0e2a6c-8f3e-4a4e-9a57-3c1f1f0f6d21';

/** Same tenant + kind + idempotency key → same id, across processes and restarts (a fresh one without a key). */
export function idFor(tenantId: string, kind: 'payment' | 'adjustment' | 'movement' | 'refund', idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidv5(`${tenantId}:${kind}:${idempotencyKey}`, PAYMENT_ID_NAMESPACE) : uuidv7();
}

export const paymentIdFor = (tenantId: string, idempotencyKey: string | undefined) => idFor(tenantId, 'payment', idempotencyKey);

export interface RecordPaymentInput {
  contactId?: string;
  invoiceId?: string | null;
  amount: number;
  currency?: string;
  date?: string;
  method: PaymentMethod;
  reference?: string | null;
  /** One payment across several invoices of the contact (a saga: all land or none). */
  allocations?: AllocationInput[];
}

/** Records a payment; its outcome (accepted, rejected by code, pending) is counted for /metrics, whichever route it came by. */
export async function recordPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string): Promise<PaymentView> {
  const payment = await observePayment(applyNewPayment(deps, tenant, input, paymentId));
  const [view] = await paymentViews(deps, tenant, [payment]);
  return view;
}

async function applyNewPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string): Promise<Payment> {
  assertPositiveAmount(input.amount);
  const date = input.date ?? dateIn(Date.now(), tenant.timeZone);
  assertIsoDate(date, 'date');
  const { em } = deps;
  if (input.allocations) return allocateNewPayment(deps, tenant, input, paymentId, date);

  // A retry of a recorded payment answers from Postgres (its invoice's workflow may have ended since).
  const [recorded, invoice] = await Promise.all([
    paymentRecorded(em, tenant.id, paymentId),
    // The invoice's contact comes in the same query: the usual payment names no other. Plain rows:
    // a payment only reads them (the workflow is the invoice's writer).
    input.invoiceId ? findRow(em, Invoice, { id: input.invoiceId, tenant: tenant.id }, ['contact']) : null,
  ]);
  if (recorded) return getPayment(deps, tenant, paymentId);
  if (input.invoiceId && !invoice) throw notFound('invoice', input.invoiceId);
  const contactId = input.contactId ?? invoice?.contact.id;
  if (!contactId) throw new DomainError('validation', 'contact_required', 'contactId is required for a payment without an invoice');
  const contact = invoice?.contact.id === contactId ? invoice.contact : await em.findOne(Contact, { id: contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', contactId);
  const currency = assertCurrency(input.currency ?? invoice?.currency ?? tenant.defaultCurrency);
  const payment: PaymentInput = { paymentId, contactId, amount: input.amount, currency, date, method: input.method, reference: input.reference ?? null, source: 'manual' };

  if (!invoice) {
    // Money on no invoice is the contact's credit: the row and its credit entry commit together.
    const { paymentId: id, ...fields } = payment;
    await em.transactional(async (tx) => {
      await insertPayment(tx, { ...fields, id, tenantId: tenant.id, invoiceId: null });
      await moveCredit(tx, { tenantId: tenant.id, contactId, currency, amount: input.amount, kind: 'unapplied_payment', ref: `payment:${id}`, paymentId: id });
    });
    return getPayment(deps, tenant, paymentId);
  }
  if (invoice.contact.id !== contactId) {
    throw conflict('contact_mismatch', 'the payment contact differs from the invoice contact', { invoiceContactId: invoice.contact.id, contactId });
  }
  if (currency !== invoice.currency) throw currencyMismatchError(currency, invoice.currency);
  if (invoice.status === 'void') throw invoiceVoidError();

  const result = await applyPayment(deps, invoice, payment);
  if (result.acceptedAt === null) return getPayment(deps, tenant, paymentId);
  // The Update answers once the row is committed, exactly as the workflow wrote it (a plain row, as lists read them).
  const { paymentId: id, contactId: _contact, ...fields } = payment;
  const row: Payment = { ...fields, id, tenant: invoice.tenant, contact, invoice, voidedAt: null, voidReason: null, voidedBy: null, parentId: null, allocated: false, createdAt: new Date(result.acceptedAt) };
  return row;
}

async function allocateNewPayment(deps: ServiceDeps, tenant: TenantContext, input: RecordPaymentInput, paymentId: string, date: string): Promise<Payment> {
  if (input.invoiceId) throw validationError('allocations_with_invoice', 'send either invoiceId or allocations, not both');
  if (!input.contactId) throw new DomainError('validation', 'contact_required', 'contactId is required for an allocated payment');
  const existing = await findPayment(deps, tenant, paymentId);
  if (existing?.voidedAt) throw conflict('allocation_undone', `this payment was undone: ${existing.voidReason}`, { paymentId });
  const currency = assertCurrency(input.currency ?? tenant.defaultCurrency);
  if (existing) await movementOutcome(deps, paymentId);
  else await allocatePayment(deps, tenant, paymentId, input.contactId, currency, { amount: input.amount, date, method: input.method, reference: input.reference ?? null }, input.allocations!);
  return getPayment(deps, tenant, paymentId);
}

const findPayment = (deps: ServiceDeps, tenant: TenantContext, id: string) => deps.em.findOne(Payment, { id, tenant: tenant.id }, { populate: ['contact', 'invoice'] });

export async function getPayment(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Payment> {
  const payment = await findPayment(deps, tenant, id);
  if (!payment) throw notFound('payment', id);
  return payment;
}

/** A payment as lists show it: with what was refunded of it, its refunds, and its parts when it was allocated. */
export interface PaymentView {
  payment: Payment;
  refunded: number;
  refunds: Refund[];
  parts: Payment[];
}

/** Refunds Stripe failed or canceled gave nothing back. */
const LIVE_REFUND = { $nin: [...REFUND_STATUSES_GIVING_NOTHING_BACK] };
const isLiveRefund = (r: Refund) => !(REFUND_STATUSES_GIVING_NOTHING_BACK as readonly string[]).includes(r.status);

/** Views of a page of payments: two queries for the whole page (refunds, parts). */
export async function paymentViews(deps: ServiceDeps, tenant: TenantContext, payments: Payment[]): Promise<PaymentView[]> {
  const cardIds = payments.filter((p) => p.source === 'stripe').map((p) => p.id);
  const parentIds = payments.filter((p) => p.allocated).map((p) => p.id);
  const [refunds, parts] = await Promise.all([
    cardIds.length ? deps.em.find(Refund, { tenant: tenant.id, paymentId: { $in: cardIds } }, { orderBy: { createdAt: 'asc' } }) : [],
    parentIds.length ? deps.em.find(Payment, { tenant: tenant.id, parentId: { $in: parentIds } }, { populate: ['contact', 'invoice'], orderBy: { createdAt: 'asc', id: 'asc' } }) : [],
  ]);
  return payments.map((payment) => {
    const own = refunds.filter((r) => r.paymentId === payment.id);
    const refunded = own.filter(isLiveRefund).reduce((sum, r) => sum + r.amount, 0);
    return { payment, refunded, refunds: own, parts: parts.filter((p) => p.parentId === payment.id) };
  });
}

export async function getPaymentView(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<PaymentView> {
  const [view] = await paymentViews(deps, tenant, [await getPayment(deps, tenant, id)]);
  return view;
}

/** What was refunded of a card payment so far (pending and succeeded refunds). */
export async function refundedOf(deps: ServiceDeps, tenant: TenantContext, paymentId: string): Promise<number> {
  const live = await deps.em.find(Refund, { tenant: tenant.id, paymentId, status: LIVE_REFUND }, { fields: ['amount'] });
  return live.reduce((sum, r) => sum + r.amount, 0);
}

/**
 * Takes a manual payment back: on an invoice through its workflow (the balance reopens, reminders
 * come back), on no invoice out of the contact's credit (refused when that credit was spent).
 * Idempotent: a voided payment is answered as it is.
 */
export async function voidPayment(deps: ServiceDeps, tenant: TenantContext, id: string, reason: string): Promise<PaymentView> {
  const payment = await getPayment(deps, tenant, id);
  if (payment.voidedAt) return getPaymentView(deps, tenant, id);
  if (payment.source === 'stripe') throw voidPaymentError.stripe();
  if (payment.allocated) throw conflict('allocated_payment', 'this payment was allocated across invoices; void each of its parts', { parts: 'GET /v1/payments/{id}' });
  const voidedBy = tenant.actor ?? null;
  if (payment.invoice) {
    await voidPaymentOnInvoice(deps, payment.invoice, { paymentId: id, amount: payment.amount, reason, voidedBy });
  } else {
    await deps.em.transactional(async (tx) => {
      await moveCredit(tx, { tenantId: tenant.id, contactId: payment.contact.id, currency: payment.currency, amount: -payment.amount, kind: 'payment_voided', ref: `void:${id}`, paymentId: id });
      await tx.nativeUpdate(Payment, { id, tenant: tenant.id, voidedAt: null }, { voidedAt: new Date(), voidReason: reason, voidedBy });
    });
  }
  await deps.em.refresh(payment);
  return getPaymentView(deps, tenant, id);
}

export interface PaymentListQuery extends SearchParams, DateRangeParams {
  contactId?: string;
  invoiceId?: string;
  method?: PaymentMethod;
  source?: PaymentSource;
}

/** The list's filters as one condition on payments: the JSON list and the CSV export share it. */
export function paymentFilterQuery(tenant: TenantContext, query: Omit<PaymentListQuery, 'limit' | 'cursor'>): ObjectQuery<Payment> {
  const where: ObjectQuery<Payment> = { tenant: tenant.id };
  if (query.contactId) where.contact = query.contactId;
  if (query.invoiceId) where.invoice = query.invoiceId;
  if (query.method) where.method = query.method;
  if (query.source) where.source = query.source;
  if (query.dateFrom || query.dateTo) where.date = { ...(query.dateFrom && { $gte: query.dateFrom }), ...(query.dateTo && { $lte: query.dateTo }) };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ reference: { $ilike: like } }, { contact: { name: { $ilike: like } } }, { invoice: { number: { $ilike: like } } }];
  }
  // The parts of an allocated payment are listed under it (GET /v1/payments/{id}), except on their invoice.
  if (!query.invoiceId) where.parentId = null;
  return where;
}

export async function listPayments(deps: ServiceDeps, tenant: TenantContext, query: PaymentListQuery): Promise<Page<PaymentView>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where = paymentFilterQuery(tenant, query);
  // Newest first by creation time: payment ids derived from idempotency keys or Stripe ids are
  // not time-ordered, so the id only breaks ties.
  const after = decodeCursor(query.cursor, ['datetime', 'uuid']);
  const rows = await findRows(deps.em, Payment, where, {
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    limit: limit + 1,
    populate: ['contact', 'invoice'],
    after: after ? { field: 'createdAt', value: new Date(after[0]), id: after[1], order: 'desc' } : undefined,
  });
  const page = toPage(rows, limit, (p) => [p.createdAt.toISOString(), p.id]);
  return { ...page, rows: await paymentViews(deps, tenant, page.rows) };
}
