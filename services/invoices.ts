/**
 * Invoices: creation writes the rows and starts the invoice's workflow; from then on the workflow
 * (through its activities) is the only writer of status, paid and due.
 */
import { UniqueConstraintViolationException, type FilterQuery, type ObjectQuery, type QueryOrderMap } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Deal, Invoice, InvoiceEvent, Payment, PlannedPayment } from '../db';
import { findRows, type FindRowsOptions } from '../db/read-rows';
import { contactIdsMatching, insertNewInvoice, invoiceCreationContext, invoiceSummary } from '../db/repositories/invoices';
import { storedSchedule } from '../db/repositories/reminders';
import { takeInvoiceSequence } from '../db/repositories/tenants';
import { agingCutoffs, type AgingBucket } from '../domain/aging';
import { dateIn } from '../domain/dates';
import { conflict, DomainError, notFound } from '../domain/errors';
import { assertInvoiceDates, assertVoidable, INVOICE_STATUSES, priceLineItems, type InvoiceSort, type InvoiceStatus, type LineItemInput } from '../domain/invoice';
import { assertCurrency } from '../domain/money';
import { assertInvoiceNumber } from '../domain/numbering';
import { buildPaymentPlan, type InstallmentInput } from '../domain/plan';
import type { ServiceDeps, TenantContext } from './context';
import { startInvoiceWorkflow, voidInvoiceWorkflow } from './invoice-workflow';
import { customerUrls, firstPayLink } from './pay-links';
import { newReminderSchedule } from './reminders';
import { paymentViews, type PaymentView } from './payments';
import { afterKey, decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type CursorPart, type Page, type PageParams } from './pagination';

/** A generated number may collide with hand-given ones; this many in a row means something else is wrong. */
const MAX_NUMBER_COLLISIONS = 20;
/** A search matching more contacts than this filters by joining them instead of listing their ids. */
const MAX_SEARCH_CONTACTS = 5_000;

export interface CreateInvoiceInput {
  number?: string;
  contactId: string;
  dealId?: string | null;
  currency: string;
  issueDate: string;
  dueDate: string;
  lineItems: LineItemInput[];
  paymentPlan?: InstallmentInput[];
}

/** An invoice with its payment plan and its customer's pay-page link, as every invoice answer shows it. */
export interface InvoiceWithPlan {
  invoice: Invoice;
  plan: PlannedPayment[];
  customerUrl: string;
}

export async function createInvoice(deps: ServiceDeps, tenant: TenantContext, input: CreateInvoiceInput): Promise<InvoiceWithPlan> {
  // Pure validation first: a bad request changes nothing.
  const currency = assertCurrency(input.currency);
  assertInvoiceDates(input.issueDate, input.dueDate);
  const { lineItems, total } = priceLineItems(input.lineItems);
  const installments = buildPaymentPlan(input.paymentPlan, { total, issueDate: input.issueDate, dueDate: input.dueDate });
  if (input.number !== undefined) assertInvoiceNumber(input.number);

  const { em } = deps;
  const context = await invoiceCreationContext(em, tenant.id, input.contactId);
  if (!context) throw notFound('contact', input.contactId);
  const { contact } = context;
  const deal = input.dealId ? await em.findOne(Deal, { id: input.dealId, tenant: tenant.id }) : null;
  if (input.dealId && !deal) throw notFound('deal', input.dealId);
  if (deal && deal.contact.id !== contact.id) {
    throw conflict('deal_contact_mismatch', 'the deal belongs to another contact', { dealId: deal.id, dealContactId: deal.contact.id, contactId: contact.id });
  }

  // Plain rows in plain SQL (no managed entities: nothing here is changed later in the request), as
  // read-rows are: the number, the invoice, its plan, link, history event and reminder schedule in
  // one statement (db/repositories/invoices.ts), which is atomic without a transaction around it.
  const id = uuidv7();
  const plan = installments.map((p, seq) => ({ id: uuidv7(), seq, amount: p.amount, date: p.date, method: p.method ?? null }));
  const link = firstPayLink(deps, id);
  const now = new Date();
  // The schedule is stored with the invoice and handed to its workflow, whose first task then has nothing to fetch.
  const reminders = newReminderSchedule({ plan, dueDate: input.dueDate, timeZone: tenant.timeZone, policy: context.reminderPolicy, now: now.getTime() });
  let created: Awaited<ReturnType<typeof insertNewInvoice>> | undefined;
  for (let attempt = 0; !created; attempt++) {
    try {
      created = await insertNewInvoice(em, {
        id,
        tenantId: tenant.id,
        number: input.number ?? null,
        numberFormat: context.numberFormat,
        contactId: contact.id,
        dealId: deal?.id ?? null,
        currency,
        issueDate: input.issueDate,
        dueDate: input.dueDate,
        lineItems,
        total,
        createdAt: now,
        plan,
        payLinkTokenHash: link.tokenHash,
        createdEvent: { id: uuidv7(), data: { total, currency, dueDate: input.dueDate } },
        reminders,
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      if (input.number !== undefined) throw conflict('duplicate_invoice_number', `invoice number ${input.number} is already used`, { number: input.number });
      // A generated number collided with one given by hand earlier. The failed statement left the
      // sequence as it was, so move it past the taken number (committed on its own) and take the next one.
      if (attempt >= MAX_NUMBER_COLLISIONS) throw err;
      await takeInvoiceSequence(em, tenant.id);
    }
  }
  const invoice = {
    id,
    tenant: { id: tenant.id },
    number: created.number,
    contact,
    deal: deal ? { id: deal.id } : null,
    currency,
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    lineItems,
    total,
    paid: 0,
    due: total,
    credited: created.credited,
    writtenOff: created.writtenOff,
    status: 'open',
    stateVersion: 0,
    attentionReason: null,
    attentionAt: null,
    createdAt: now,
    updatedAt: now,
  } as unknown as Invoice;
  const planRows = plan.map((p) => ({ ...p, tenant: { id: tenant.id }, invoice: { id } })) as unknown as PlannedPayment[];
  try {
    await startInvoiceWorkflow(deps, invoice, planRows, tenant, storedSchedule(created.reminders));
  } catch (err) {
    // Without its workflow the invoice could never take a payment: undo and let the client retry.
    await em.nativeDelete(Invoice, { id });
    throw new DomainError('unavailable', 'temporal_unavailable', 'could not start the invoice workflow; nothing was created, retry later', { cause: (err as Error).message }, { cause: err });
  }
  return { invoice, plan: planRows, customerUrl: link.customerUrl };
}

export async function getInvoice(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Invoice> {
  const invoice = await deps.em.findOne(Invoice, { id, tenant: tenant.id }, { populate: ['contact'] });
  if (!invoice) throw notFound('invoice', id);
  return invoice;
}

export interface InvoiceDetail extends InvoiceWithPlan {
  payments: PaymentView[];
  history: InvoiceEvent[];
}

export async function getInvoiceDetail(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<InvoiceDetail> {
  const { em } = deps;
  const invoice = await getInvoice(deps, tenant, id);
  const [plan, payments, history, urls] = await Promise.all([
    em.find(PlannedPayment, { invoice: id, tenant: tenant.id }, { orderBy: { seq: 'asc' } }),
    em.find(Payment, { invoice: id, tenant: tenant.id }, { orderBy: { id: 'asc' }, populate: ['contact'] }),
    em.find(InvoiceEvent, { invoice: id, tenant: tenant.id }, { orderBy: { occurredAt: 'asc', id: 'asc' } }),
    customerUrls(deps, tenant, [id]),
  ]);
  return { invoice, plan, payments: await paymentViews(deps, tenant, payments), history, customerUrl: urls.get(id)! };
}

/** The plans (in installment order) and customer links of several invoices, one query each. */
export async function withPlans(deps: ServiceDeps, tenant: TenantContext, invoices: Invoice[]): Promise<InvoiceWithPlan[]> {
  const byInvoice = new Map<string, PlannedPayment[]>(invoices.map((i) => [i.id, []]));
  if (invoices.length > 0) {
    const rows = await findRows(deps.em, PlannedPayment, { tenant: tenant.id, invoice: { $in: [...byInvoice.keys()] } }, { orderBy: { seq: 'asc' } });
    for (const row of rows) byInvoice.get(row.invoice.id)!.push(row);
  }
  const urls = await customerUrls(deps, tenant, [...byInvoice.keys()]);
  return invoices.map((invoice) => ({ invoice, plan: byInvoice.get(invoice.id)!, customerUrl: urls.get(invoice.id)! }));
}

/** The filters of the invoice list, which its summary shares. */
export interface InvoiceFilters {
  q?: string;
  status?: InvoiceStatus;
  contactId?: string;
  issueDateFrom?: string;
  issueDateTo?: string;
  dueDateFrom?: string;
  dueDateTo?: string;
}
export interface InvoiceListQuery extends InvoiceFilters, PageParams {
  sort?: InvoiceSort;
}

/**
 * How each order other than the default walks the list: the column, its direction, the tie-break on
 * id, and the column's value in the cursor. Status goes in lifecycle order (open, overdue, paid,
 * void — alphabetical too), newest first within one. Each has a (tenant_id, column, id) index.
 */
const SORT_KEYS: Record<Exclude<InvoiceSort, '-createdAt'>, { field: 'dueDate' | 'total' | 'status'; order: 'asc' | 'desc'; idOrder: 'asc' | 'desc'; part: CursorPart; value: (i: Invoice) => string }> = {
  dueDate: { field: 'dueDate', order: 'asc', idOrder: 'asc', part: 'date', value: (i) => i.dueDate },
  '-dueDate': { field: 'dueDate', order: 'desc', idOrder: 'desc', part: 'date', value: (i) => i.dueDate },
  total: { field: 'total', order: 'asc', idOrder: 'asc', part: 'amount', value: (i) => String(i.total) },
  '-total': { field: 'total', order: 'desc', idOrder: 'desc', part: 'amount', value: (i) => String(i.total) },
  status: { field: 'status', order: 'asc', idOrder: 'desc', part: { oneOf: INVOICE_STATUSES }, value: (i) => i.status },
};

/**
 * `q` on the number or the contact's name. The matching contacts are looked up first (a trigram
 * index on contacts.name), so the list's condition stays on invoices alone: `number ILIKE` (a
 * trigram index too) or `contact_id IN (…)`, which the planner can answer from indexes either by a
 * BitmapOr of both when few rows match, or by walking the list's order and filtering when many do
 * (db/repositories/invoices.ts contactIdsMatching has the plans). A join-and-OR condition forced
 * it to read every invoice of the tenant (1.2 s at a million).
 */
async function searchCondition(deps: ServiceDeps, tenant: TenantContext, q: string): Promise<FilterQuery<Invoice>[]> {
  const like = likePattern(q);
  const contactIds = await contactIdsMatching(deps.em, tenant.id, like, MAX_SEARCH_CONTACTS);
  // More matching contacts than that: the join, as slow as it always was, but never a giant IN list.
  if (contactIds.length > MAX_SEARCH_CONTACTS) return [{ number: { $ilike: like } }, { contact: { name: { $ilike: like } } }];
  return [{ number: { $ilike: like } }, ...(contactIds.length ? [{ contact: { $in: contactIds } }] : [])];
}

/** The list's filters as one condition on invoices: the JSON list and the CSV export share it. */
export async function invoiceFilterQuery(deps: ServiceDeps, tenant: TenantContext, query: InvoiceFilters): Promise<ObjectQuery<Invoice>> {
  const where: ObjectQuery<Invoice> = { tenant: tenant.id };
  if (query.status) where.status = query.status;
  if (query.contactId) where.contact = query.contactId;
  if (query.issueDateFrom || query.issueDateTo) where.issueDate = { ...(query.issueDateFrom && { $gte: query.issueDateFrom }), ...(query.issueDateTo && { $lte: query.issueDateTo }) };
  if (query.dueDateFrom || query.dueDateTo) where.dueDate = { ...(query.dueDateFrom && { $gte: query.dueDateFrom }), ...(query.dueDateTo && { $lte: query.dueDateTo }) };
  if (query.q) where.$or = await searchCondition(deps, tenant, query.q);
  return where;
}

export async function listInvoices(deps: ServiceDeps, tenant: TenantContext, query: InvoiceListQuery): Promise<Page<InvoiceWithPlan>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where = await invoiceFilterQuery(deps, tenant, query);
  const sort = query.sort ?? '-createdAt';
  let orderBy: QueryOrderMap<Invoice>[];
  let keyOf: (i: Invoice) => string[];
  let keyset: FindRowsOptions<Invoice>['after'];
  if (sort === '-createdAt') {
    // uuid v7 ids are in creation order; the cursor is the last id (as before sorts existed).
    const after = decodeCursor(query.cursor, ['uuid']);
    if (after) where.id = { $lt: after[0] };
    orderBy = [{ id: 'desc' }];
    keyOf = (i) => [i.id];
  } else {
    const key = SORT_KEYS[sort];
    // The cursor names its order: one issued for another order is refused, not misread.
    const after = decodeCursor(query.cursor, [{ is: sort }, key.part, 'uuid']);
    // findRows' keyset is index ranges (db/read-rows.ts). Postgres estimates a row comparison at
    // almost no rows, so with a contact or a search (whose own indexes do not follow the order) it
    // walked the order's index and filtered instead: page 20 of one contact's invoices by -total
    // took 300 ms at a million. Those keep the OR form.
    if (after && !query.contactId && !query.q) keyset = { field: key.field, value: after[1], id: after[2], order: key.order, idOrder: key.idOrder };
    else if (after) where.$and = [afterKey<Invoice>(key.field, after[1], after[2], key.order, key.idOrder)];
    orderBy = [{ [key.field]: key.order }, { id: key.idOrder }];
    keyOf = (i) => [sort, key.value(i), i.id];
  }
  const rows = await findRows(deps.em, Invoice, where, { orderBy, limit: limit + 1, populate: ['contact'], after: keyset });
  const page = toPage(rows, limit, keyOf);
  return { rows: await withPlans(deps, tenant, page.rows), nextCursor: page.nextCursor };
}

export interface InvoiceSummary {
  currency: string;
  open: { count: number; due: number };
  overdue: { count: number; due: number };
  aging: Record<AgingBucket, number>;
}

/**
 * Open and overdue totals and the aging of what is unpaid, per currency, under the list's filters.
 * Days past due count on the tenant's local date; open/overdue follow the invoices' status.
 */
export async function summarizeInvoices(deps: ServiceDeps, tenant: TenantContext, filters: InvoiceFilters, now = Date.now()): Promise<InvoiceSummary[]> {
  const { q, ...rest } = filters;
  const rows = await invoiceSummary(deps.em, tenant.id, { ...rest, ...(q && { like: likePattern(q) }) }, agingCutoffs(dateIn(now, tenant.timeZone)));
  return rows.map((r) => ({ currency: r.currency, open: { count: r.openCount, due: r.openDue }, overdue: { count: r.overdueCount, due: r.overdueDue }, aging: r.aging }));
}

export async function voidInvoice(deps: ServiceDeps, tenant: TenantContext, id: string, reason: string | null): Promise<InvoiceWithPlan> {
  const invoice = await getInvoice(deps, tenant, id);
  if (invoice.status !== 'void') {
    // The workflow decides on its live balance; the stored one answers the usual refusal without asking it.
    assertVoidable({ total: invoice.total, paid: invoice.paid, pastDue: invoice.status === 'overdue', voided: false, credited: invoice.credited, writtenOff: invoice.writtenOff });
    await voidInvoiceWorkflow(deps, invoice, reason);
    await deps.em.refresh(invoice);
  }
  const [withPlan] = await withPlans(deps, tenant, [invoice]);
  return withPlan;
}
