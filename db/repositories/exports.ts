/**
 * The rows of the CSV exports, one keyset batch at a time: the lists' own filter conditions
 * (services/*FilterQuery) on a query builder that returns raw rows (no entities, nothing kept in
 * the identity map), so memory stays bounded by one batch whatever the export's size.
 */
import { raw, type FilterQuery, type ObjectQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice, Payment, PlannedPayment } from '../entities';

export interface InvoiceExportRow {
  id: string;
  number: string;
  status: string;
  contact_id: string;
  contact_name: string;
  currency: string;
  total: string;
  paid: string;
  due: string;
  issue_date: string;
  due_date: string;
  created_at: Date;
}

/** Newest first (uuid v7 ids are in creation order), past `afterId`. */
export async function invoiceExportBatch(em: EntityManager, where: ObjectQuery<Invoice>, afterId: string | undefined, limit: number): Promise<InvoiceExportRow[]> {
  const qb = em
    .createQueryBuilder(Invoice, 'i')
    .select(['i.id', 'i.number', 'i.status', 'i.currency', raw('i.contact_id'), raw('i.total::text as total'), raw('i.paid::text as paid'), raw('i.due::text as due'), raw('i.issue_date::text as issue_date'), raw('i.due_date::text as due_date'), raw('i.created_at')])
    .leftJoin('i.contact', 'c')
    .addSelect(raw('c.name as contact_name'))
    .where(where);
  if (afterId) qb.andWhere({ id: { $lt: afterId } });
  return qb.orderBy({ id: 'desc' }).limit(limit).execute<InvoiceExportRow[]>('all', false);
}

export interface PaymentExportRow {
  id: string;
  date: string;
  amount: string;
  currency: string;
  method: string;
  reference: string | null;
  source: string;
  contact_id: string;
  contact_name: string;
  invoice_id: string | null;
  invoice_number: string | null;
  created_at: Date;
}

/** Newest first by creation time (id breaks ties), past `after` = [createdAt ISO, id]. */
export async function paymentExportBatch(em: EntityManager, where: ObjectQuery<Payment>, after: [Date, string] | undefined, limit: number): Promise<PaymentExportRow[]> {
  const qb = em
    .createQueryBuilder(Payment, 'p')
    .select(['p.id', raw('p.date::text as date'), raw('p.amount::text as amount'), 'p.currency', 'p.method', 'p.reference', 'p.source', raw('p.contact_id'), raw('p.invoice_id'), raw('p.created_at')])
    .leftJoin('p.contact', 'c')
    .leftJoin('p.invoice', 'i')
    .addSelect([raw('c.name as contact_name'), raw('i.number as invoice_number')])
    .where(where);
  if (after) qb.andWhere({ $or: [{ createdAt: { $lt: after[0] } }, { createdAt: after[0], id: { $lt: after[1] } }] });
  return qb.orderBy([{ createdAt: 'desc' }, { id: 'desc' }]).limit(limit).execute<PaymentExportRow[]>('all', false);
}

export interface PlannedPaymentExportRow {
  id: string;
  invoice_id: string;
  invoice_number: string;
  invoice_status: string;
  contact_id: string;
  contact_name: string;
  seq: number;
  date: string;
  amount: string;
  currency: string;
  method: string | null;
}

/** Soonest first (date, then id), past `after` = [date, id]. */
export async function plannedPaymentExportBatch(em: EntityManager, conditions: FilterQuery<PlannedPayment>[], after: [string, string] | undefined, limit: number): Promise<PlannedPaymentExportRow[]> {
  const qb = em
    .createQueryBuilder(PlannedPayment, 'p')
    .select(['p.id', raw('p.invoice_id'), 'p.seq', raw('p.date::text as date'), raw('p.amount::text as amount'), 'p.method'])
    .leftJoin('p.invoice', 'i')
    .leftJoin('i.contact', 'c')
    .addSelect([raw('i.number as invoice_number'), raw('i.status as invoice_status'), raw('i.currency as currency'), raw('i.contact_id as contact_id'), raw('c.name as contact_name')])
    .where({ $and: conditions });
  if (after) qb.andWhere({ $or: [{ date: { $gt: after[0] } }, { date: after[0], id: { $gt: after[1] } }] });
  return qb.orderBy([{ date: 'asc' }, { id: 'asc' }]).limit(limit).execute<PlannedPaymentExportRow[]>('all', false);
}
