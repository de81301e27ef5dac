/**
 * Invoices: creation writes the rows and starts the invoice's workflow; from then on the workflow
 * (through its activities) is the only writer of status, paid and due.
 */
import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { v7 as uuidv7 } from 'uuid';
import { Contact, Deal, Invoice, InvoiceEvent, Payment, PlannedPayment } from '../db/entities';
import { conflict, DomainError, notFound } from '../domain/errors';
import { assertInvoiceDates, priceLineItems, type InvoiceStatus, type LineItemInput } from '../domain/invoice';
import { assertCurrency } from '../domain/money';
import { assertInvoiceNumber, formatInvoiceNumber } from '../domain/numbering';
import { buildPaymentPlan, type InstallmentInput } from '../domain/plan';
import { overdueInstant, zonedInstant } from '../domain/dates';
import { invoiceWorkflowId, SearchAttr, voidInvoiceUpdate, type InvoiceWorkflowInput } from '../workflows/definitions';
import { fromFailure } from '../workflows/failures';
import type { invoiceWorkflow } from '../workflows/invoice';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, likePattern, toPage } from './pagination';

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

/**
 * Takes the tenant's next number inside the creating transaction (`em` is the transaction's): run on
 * a separate pooled connection it would hold one connection while waiting for another, so N parallel
 * creations on a pool of N deadlocked until the acquire timeout.
 */
async function nextInvoiceNumber(em: EntityManager, tenantId: string): Promise<string> {
  const [row] = await em
    .getConnection()
    .execute<{ invoice_sequence: number }[]>('update tenants set invoice_sequence = invoice_sequence + 1 where id = ? returning invoice_sequence', [tenantId], 'all', em.getTransactionContext());
  return formatInvoiceNumber(row.invoice_sequence);
}

export function workflowInputFor(invoice: Invoice, plan: PlannedPayment[], timeZone: string): InvoiceWorkflowInput {
  return {
    invoiceId: invoice.id,
    tenantId: invoice.tenant.id,
    contactId: invoice.contact.id,
    number: invoice.number,
    currency: invoice.currency,
    total: invoice.total,
    dueDate: invoice.dueDate,
    overdueAt: overdueInstant(invoice.dueDate, timeZone),
    plan: plan.map((p) => ({ id: p.id, amount: p.amount, date: p.date, at: zonedInstant(p.date, timeZone) })),
  };
}

export async function startInvoiceWorkflow(deps: ServiceDeps, input: InvoiceWorkflowInput): Promise<void> {
  await deps.temporal.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowId: invoiceWorkflowId(input.invoiceId),
    args: [input],
    // A retried creation finds the workflow already running and leaves it alone.
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: SearchAttr.tenantId, value: input.tenantId },
      { key: SearchAttr.invoiceNumber, value: input.number },
      { key: SearchAttr.status, value: 'open' },
      { key: SearchAttr.contactId, value: input.contactId },
    ],
  });
}

export async function createInvoice(deps: ServiceDeps, tenant: TenantContext, input: CreateInvoiceInput): Promise<Invoice> {
  // Pure validation first: a bad request changes nothing.
  const currency = assertCurrency(input.currency);
  assertInvoiceDates(input.issueDate, input.dueDate);
  const { lineItems, total } = priceLineItems(input.lineItems);
  const installments = buildPaymentPlan(input.paymentPlan, { total, issueDate: input.issueDate, dueDate: input.dueDate });
  if (input.number !== undefined) assertInvoiceNumber(input.number);

  const em = deps.orm.em.fork();
  const contact = await em.findOne(Contact, { id: input.contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', input.contactId);
  const deal = input.dealId ? await em.findOne(Deal, { id: input.dealId, tenant: tenant.id }) : null;
  if (input.dealId && !deal) throw notFound('deal', input.dealId);
  if (deal && deal.contact.id !== contact.id) {
    throw conflict('deal_contact_mismatch', 'the deal belongs to another contact', { dealId: deal.id, dealContactId: deal.contact.id, contactId: contact.id });
  }

  let invoice: Invoice | undefined;
  let plan: PlannedPayment[] = [];
  for (let attempt = 0; !invoice; attempt++) {
    try {
      [invoice, plan] = await em.fork().transactional(async (tx) => {
        const number = input.number ?? (await nextInvoiceNumber(tx, tenant.id));
        const now = new Date();
        const inv = tx.create(Invoice, {
          id: uuidv7(),
          tenant: tenant.id,
          number,
          contact: contact.id,
          deal: deal?.id ?? null,
          currency,
          issueDate: input.issueDate,
          dueDate: input.dueDate,
          lineItems,
          total,
          paid: 0,
          due: total,
          status: 'open',
          stateVersion: 0,
          createdAt: now,
          updatedAt: now,
        });
        const rows = installments.map((p, seq) =>
          tx.create(PlannedPayment, { id: uuidv7(), tenant: tenant.id, invoice: inv, seq, amount: p.amount, date: p.date, method: p.method }),
        );
        tx.create(InvoiceEvent, {
          id: uuidv7(),
          tenant: tenant.id,
          invoice: inv,
          type: 'created',
          dedupeKey: 'created',
          data: { number, total, currency, dueDate: input.dueDate },
          occurredAt: now,
        });
        await tx.flush();
        return [inv, rows] as const;
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      if (input.number !== undefined) throw conflict('duplicate_invoice_number', `invoice number ${input.number} is already used`, { number: input.number });
      // A generated number collided with one given by hand earlier. The rollback undid the increment,
      // so move the sequence past the taken number (committed on its own) and take the next one.
      if (attempt >= 20) throw err;
      await deps.orm.em.getConnection().execute('update tenants set invoice_sequence = invoice_sequence + 1 where id = ?', [tenant.id]);
    }
  }
  invoice.contact = contact;
  try {
    await startInvoiceWorkflow(deps, workflowInputFor(invoice, plan, tenant.timeZone));
  } catch (err) {
    // Without its workflow the invoice could never take a payment: undo and let the client retry.
    await deps.orm.em.fork().nativeDelete(Invoice, { id: invoice.id });
    throw new DomainError('unavailable', 'temporal_unavailable', 'could not start the invoice workflow; nothing was created, retry later', {
      cause: (err as Error).message,
    });
  }
  return invoice;
}

export async function getInvoice(deps: ServiceDeps, tenant: TenantContext, id: string, em = deps.orm.em.fork()): Promise<Invoice> {
  const invoice = await em.findOne(Invoice, { id, tenant: tenant.id }, { populate: ['contact'] });
  if (!invoice) throw notFound('invoice', id);
  return invoice;
}

export async function getInvoiceDetail(deps: ServiceDeps, tenant: TenantContext, id: string) {
  const em = deps.orm.em.fork();
  const invoice = await getInvoice(deps, tenant, id, em);
  const [plan, payments, history] = await Promise.all([
    em.find(PlannedPayment, { invoice: id, tenant: tenant.id }, { orderBy: { seq: 'asc' } }),
    em.find(Payment, { invoice: id, tenant: tenant.id }, { orderBy: { id: 'asc' }, populate: ['contact'] }),
    em.find(InvoiceEvent, { invoice: id, tenant: tenant.id }, { orderBy: { occurredAt: 'asc', id: 'asc' } }),
  ]);
  return { invoice, plan, payments, history };
}

export async function plansFor(deps: ServiceDeps, tenant: TenantContext, invoiceIds: string[]): Promise<Map<string, PlannedPayment[]>> {
  const byInvoice = new Map<string, PlannedPayment[]>(invoiceIds.map((id) => [id, []]));
  if (invoiceIds.length === 0) return byInvoice;
  const rows = await deps.orm.em.fork().find(PlannedPayment, { tenant: tenant.id, invoice: { $in: invoiceIds } }, { orderBy: { seq: 'asc' } });
  for (const row of rows) byInvoice.get(row.invoice.id)!.push(row);
  return byInvoice;
}

export interface InvoiceListQuery {
  limit?: number;
  cursor?: string;
  q?: string;
  status?: InvoiceStatus;
  contactId?: string;
  issueDateFrom?: string;
  issueDateTo?: string;
  dueDateFrom?: string;
  dueDateTo?: string;
}

export async function listInvoices(deps: ServiceDeps, tenant: TenantContext, query: InvoiceListQuery) {
  const limit = query.limit ?? 25;
  const where: FilterQuery<Invoice> = { tenant: tenant.id };
  const after = decodeCursor(query.cursor, ['uuid']);
  if (after) where.id = { $lt: String(after[0]) };
  if (query.status) where.status = query.status;
  if (query.contactId) where.contact = query.contactId;
  if (query.issueDateFrom || query.issueDateTo) where.issueDate = { ...(query.issueDateFrom && { $gte: query.issueDateFrom }), ...(query.issueDateTo && { $lte: query.issueDateTo }) };
  if (query.dueDateFrom || query.dueDateTo) where.dueDate = { ...(query.dueDateFrom && { $gte: query.dueDateFrom }), ...(query.dueDateTo && { $lte: query.dueDateTo }) };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ number: { $ilike: like } }, { contact: { name: { $ilike: like } } }];
  }
  const rows = await deps.orm.em.fork().find(Invoice, where, { orderBy: { id: 'desc' }, limit: limit + 1, populate: ['contact'] });
  const page = toPage(rows, limit, (i) => [i.id]);
  return { ...page, plans: await plansFor(deps, tenant, page.rows.map((r) => r.id)) };
}

export async function voidInvoice(deps: ServiceDeps, tenant: TenantContext, id: string, reason: string | null): Promise<Invoice> {
  const invoice = await getInvoice(deps, tenant, id);
  if (invoice.status === 'void') return invoice;
  if (invoice.status === 'paid') throw conflict('invoice_paid', 'a paid invoice cannot be voided', { status: 'paid' });
  try {
    await deps.temporal.workflow.getHandle(invoiceWorkflowId(id)).executeUpdate(voidInvoiceUpdate, { args: [{ reason }], updateId: `void-${id}` });
  } catch (err) {
    const domain = fromFailure(err);
    if (domain) throw domain;
    if (!(err instanceof WorkflowUpdateFailedError)) {
      // The workflow may have completed (already void); the row tells.
      const current = await getInvoice(deps, tenant, id);
      if (current.status === 'void') return current;
    }
    throw err;
  }
  return getInvoice(deps, tenant, id);
}
