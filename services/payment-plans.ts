import { raw, type FilterQuery } from '@mikro-orm/core';
import { PlannedPayment } from '../db';
import { findRows } from '../db/read-rows';
import type { InvoiceStatus } from '../domain/invoice';
import type { PaymentMethod } from '../domain/payment';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type DateRangeParams, type Page, type SearchParams } from './pagination';

export interface PlannedPaymentListQuery extends SearchParams, DateRangeParams {
  contactId?: string;
  invoiceId?: string;
  invoiceStatus?: InvoiceStatus;
  method?: PaymentMethod;
}

/** The list's filters as conditions on installments (AND-ed): the JSON list and the CSV export share them. */
export function plannedPaymentFilterQuery(tenant: TenantContext, query: Omit<PlannedPaymentListQuery, 'limit' | 'cursor'>): FilterQuery<PlannedPayment>[] {
  const conditions: FilterQuery<PlannedPayment>[] = [{ tenant: tenant.id }];
  if (query.invoiceId) conditions.push({ invoice: query.invoiceId });
  // The invoice's contact and status as copied onto its installments (Migration20261203330000_plan_contact,
  // Migration20261203310000_plan_invoice_status): filtered and ordered from one index instead of
  // looking up each installment's invoice.
  if (query.contactId) conditions.push({ [raw((alias) => `${alias}.contact_id`)]: query.contactId });
  if (query.invoiceStatus) conditions.push({ [raw((alias) => `${alias}.invoice_status`)]: query.invoiceStatus });
  if (query.method) conditions.push({ method: query.method });
  if (query.dateFrom) conditions.push({ date: { $gte: query.dateFrom } });
  if (query.dateTo) conditions.push({ date: { $lte: query.dateTo } });
  if (query.q) {
    const like = likePattern(query.q);
    conditions.push({ $or: [{ invoice: { number: { $ilike: like } } }, { invoice: { contact: { name: { $ilike: like } } } }] });
  }
  return conditions;
}

/** Installments across invoices, soonest first (date, then id). */
export async function listPlannedPayments(deps: ServiceDeps, tenant: TenantContext, query: PlannedPaymentListQuery): Promise<Page<PlannedPayment>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const conditions = plannedPaymentFilterQuery(tenant, query);
  const after = decodeCursor(query.cursor, ['date', 'uuid']);
  const rows = await findRows(deps.em, PlannedPayment, { $and: conditions }, {
    orderBy: [{ date: 'asc' }, { id: 'asc' }],
    limit: limit + 1,
    after: after ? { field: 'date', value: after[0], id: after[1], order: 'asc' } : undefined,
    populate: ['invoice', 'invoice.contact'],
  });
  return toPage(rows, limit, (p) => [p.date, p.id]);
}
