/**
 * CSV exports of the three lists, under the same filters (the lists' own filter functions): a
 * stream of CSV text written by Postgres (db/repositories/exports.ts: one COPY per export, from a
 * pooled connection, with backpressure). The filters are checked before the first byte, so a bad
 * filter is still a 400.
 */
import type { Readable } from 'node:stream';
import { copyCsv, invoiceCsvQuery, paymentCsvQuery, plannedPaymentCsvQuery } from '../db/repositories/exports';
import type { ServiceDeps, TenantContext } from './context';
import { invoiceFilterQuery, type InvoiceFilters } from './invoices';
import { plannedPaymentFilterQuery, type PlannedPaymentListQuery } from './payment-plans';
import { paymentFilterQuery, type PaymentListQuery } from './payments';

export { INVOICE_CSV_COLUMNS, PAYMENT_CSV_COLUMNS, PLANNED_PAYMENT_CSV_COLUMNS } from '../db/repositories/exports';

export async function invoicesCsv(deps: ServiceDeps, tenant: TenantContext, filters: InvoiceFilters): Promise<Readable> {
  const where = await invoiceFilterQuery(deps, tenant, filters);
  return copyCsv(deps.em, invoiceCsvQuery(deps.em, where));
}

export async function paymentsCsv(deps: ServiceDeps, tenant: TenantContext, filters: Omit<PaymentListQuery, 'limit' | 'cursor'>): Promise<Readable> {
  return copyCsv(deps.em, paymentCsvQuery(deps.em, paymentFilterQuery(tenant, filters)));
}

export async function plannedPaymentsCsv(deps: ServiceDeps, tenant: TenantContext, filters: Omit<PlannedPaymentListQuery, 'limit' | 'cursor'>): Promise<Readable> {
  return copyCsv(deps.em, plannedPaymentCsvQuery(deps.em, plannedPaymentFilterQuery(tenant, filters)));
}
