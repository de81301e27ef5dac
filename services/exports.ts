/**
 * CSV exports of the three lists, under the same filters (the lists' own filter functions): an
 * async stream of CSV text, one keyset batch (EXPORT_BATCH rows) in memory at a time. The
 * filters are checked before the first byte, so a bad filter is still a 400.
 */
import { invoiceExportBatch, paymentExportBatch, plannedPaymentExportBatch } from '../db/repositories/exports';
import { csvLine, majorUnits } from '../domain/csv';
import type { ServiceDeps, TenantContext } from './context';
import { invoiceFilterQuery, type InvoiceFilters } from './invoices';
import { plannedPaymentFilterQuery, type PlannedPaymentListQuery } from './payment-plans';
import { paymentFilterQuery, type PaymentListQuery } from './payments';

/** Rows per database round trip: large enough to stream fast, small enough to keep memory flat. */
export const EXPORT_BATCH = 2_000;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export const INVOICE_CSV_COLUMNS = ['id', 'number', 'status', 'contact_id', 'contact_name', 'currency', 'total', 'paid', 'due', 'issue_date', 'due_date', 'created_at'] as const;

export async function invoicesCsv(deps: ServiceDeps, tenant: TenantContext, filters: InvoiceFilters): Promise<AsyncIterable<string>> {
  const where = await invoiceFilterQuery(deps, tenant, filters);
  return (async function* () {
    yield csvLine(INVOICE_CSV_COLUMNS);
    let after: string | undefined;
    for (;;) {
      const rows = await invoiceExportBatch(deps.em, where, after, EXPORT_BATCH);
      if (rows.length === 0) return;
      let chunk = '';
      for (const r of rows) {
        chunk += csvLine([r.id, r.number, r.status, r.contact_id, r.contact_name, r.currency, majorUnits(r.total, r.currency), majorUnits(r.paid, r.currency), majorUnits(r.due, r.currency), r.issue_date, r.due_date, iso(r.created_at)]);
      }
      yield chunk;
      if (rows.length < EXPORT_BATCH) return;
      after = rows[rows.length - 1].id;
    }
  })();
}

export const PAYMENT_CSV_COLUMNS = ['id', 'date', 'amount', 'currency', 'method', 'reference', 'source', 'contact_id', 'contact_name', 'invoice_id', 'invoice_number', 'created_at'] as const;

export async function paymentsCsv(deps: ServiceDeps, tenant: TenantContext, filters: Omit<PaymentListQuery, 'limit' | 'cursor'>): Promise<AsyncIterable<string>> {
  const where = paymentFilterQuery(tenant, filters);
  return (async function* () {
    yield csvLine(PAYMENT_CSV_COLUMNS);
    let after: [Date, string] | undefined;
    for (;;) {
      const rows = await paymentExportBatch(deps.em, where, after, EXPORT_BATCH);
      if (rows.length === 0) return;
      let chunk = '';
      for (const r of rows) {
        chunk += csvLine([r.id, r.date, majorUnits(r.amount, r.currency), r.currency, r.method, r.reference, r.source, r.contact_id, r.contact_name, r.invoice_id, r.invoice_number, iso(r.created_at)]);
      }
      yield chunk;
      if (rows.length < EXPORT_BATCH) return;
      const last = rows[rows.length - 1];
      after = [new Date(last.created_at), last.id];
    }
  })();
}

export const PLANNED_PAYMENT_CSV_COLUMNS = ['id', 'invoice_id', 'invoice_number', 'invoice_status', 'contact_id', 'contact_name', 'installment', 'date', 'amount', 'currency', 'method'] as const;

export async function plannedPaymentsCsv(deps: ServiceDeps, tenant: TenantContext, filters: Omit<PlannedPaymentListQuery, 'limit' | 'cursor'>): Promise<AsyncIterable<string>> {
  const conditions = plannedPaymentFilterQuery(tenant, filters);
  return (async function* () {
    yield csvLine(PLANNED_PAYMENT_CSV_COLUMNS);
    let after: [string, string] | undefined;
    for (;;) {
      const rows = await plannedPaymentExportBatch(deps.em, conditions, after, EXPORT_BATCH);
      if (rows.length === 0) return;
      let chunk = '';
      for (const r of rows) {
        chunk += csvLine([r.id, r.invoice_id, r.invoice_number, r.invoice_status, r.contact_id, r.contact_name, r.seq + 1, r.date, majorUnits(r.amount, r.currency), r.currency, r.method]);
      }
      yield chunk;
      if (rows.length < EXPORT_BATCH) return;
      const last = rows[rows.length - 1];
      after = [last.date, last.id];
    }
  })();
}
