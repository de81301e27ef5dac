/** invoices: a new invoice's rows, what operators count, and what a tenant is owed. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgingBucket, AgingCutoffs } from '../../domain/aging';
import type { LineItem } from '../../domain/invoice';
import { invoiceNumberFormatOf, type InvoiceNumberFormat } from '../../domain/numbering';
import type { PaymentMethod } from '../../domain/payment';
import type { ReminderPolicy } from '../../domain/reminders';
import { reminderScheduleCtes, scheduledReminders, type NewReminder, type ScheduledReminder, type StoredRow } from './reminders';

/** What creating an invoice reads first, in one statement: its contact, and its tenant's number format and reminder policy (absent: the defaults). */
export async function invoiceCreationContext(
  em: EntityManager,
  tenantId: string,
  contactId: string,
): Promise<{ contact: { id: string; name: string }; numberFormat: InvoiceNumberFormat; reminderPolicy: ReminderPolicy | null } | null> {
  const [row] = await em.execute<{ id: string; name: string; prefix: string | null; padding: number | null; policy: ReminderPolicy | null }[]>(
    `select c.id, c.name, s.invoice_number_prefix as prefix, s.invoice_number_padding as padding, p.policy
       from contacts c left join company_settings s on s.tenant_id = c.tenant_id left join reminder_policies p on p.tenant_id = c.tenant_id
      where c.id = ? and c.tenant_id = ?`,
    [contactId, tenantId],
  );
  if (!row) return null;
  return {
    contact: { id: row.id, name: row.name },
    numberFormat: invoiceNumberFormatOf(row.prefix, row.padding),
    reminderPolicy: row.policy ?? null,
  };
}

export interface NewInvoiceRows {
  id: string;
  tenantId: string;
  /** Given by hand, or null: the tenant's next number in its format. */
  number: string | null;
  numberFormat: InvoiceNumberFormat;
  contactId: string;
  dealId: string | null;
  currency: string;
  issueDate: string;
  dueDate: string;
  lineItems: LineItem[];
  total: number;
  createdAt: Date;
  plan: { id: string; seq: number; amount: number; date: string; method: PaymentMethod | null }[];
  payLinkTokenHash: string;
  /** The `created` history event; its data gets the number. */
  createdEvent: { id: string; data: Record<string, unknown> };
  reminders: NewReminder[];
}

/**
 * A new invoice (open, nothing paid) in one statement, so one atomic write without a transaction
 * around several: its number (the tenant's sequence taken, unless given by hand), the invoice, its
 * payment plan, its first pay link, its `created` history event and its reminder schedule with
 * theirs. The tenant's row, locked for the sequence, is held only for this statement. The plan rows'
 * trigger sees the invoice row (inserted earlier in the same statement). A number already taken
 * fails it with a unique violation, and the sequence is left as it was. Returns the number and what
 * the database defaults. A generated number is written as formatInvoiceNumber (domain/numbering)
 * writes it: the prefix, then the sequence zero-padded to the padding (never cut).
 */
export async function insertNewInvoice(em: EntityManager, r: NewInvoiceRows): Promise<{ number: string; credited: number; writtenOff: number; reminders: ScheduledReminder[] }> {
  const reminders = reminderScheduleCtes({ tenantId: r.tenantId, invoiceId: r.id, reminders: r.reminders, createdAt: r.createdAt });
  const [row] = await em.execute<{ number: string; credited: string | number; writtenOff: string | number; reminders: StoredRow[] }[]>(
    `with next_number as (
       update tenants set invoice_sequence = invoice_sequence + 1 where id = ? and ?::text is null returning invoice_sequence::text as seq),
     invoice as (
       insert into invoices (id, tenant_id, number, contact_id, deal_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
       select ?, ?, coalesce(?::text, (select ?::text || lpad(seq, greatest(?::int, length(seq)), '0') from next_number)), ?, ?, ?, ?, ?, ?::jsonb, ?, 0, ?, 'open', 0, ?, ?
       returning id, number, credited, written_off),
     plan as (
       insert into planned_payments (id, tenant_id, invoice_id, seq, amount, date, method)
       select p.id, ?, i.id, p.seq, p.amount, p.date, p.method
         from invoice i, jsonb_to_recordset(?::jsonb) as p(id uuid, seq int, amount bigint, date date, method text)),
     link as (
       insert into invoice_pay_links (invoice_id, tenant_id, rotation, token_hash, updated_at) select id, ?, 0, ?, ? from invoice),
     created as (
       insert into invoice_events (id, tenant_id, invoice_id, type, dedupe_key, data, occurred_at)
       select ?, ?, id, 'created', 'created', ?::jsonb || jsonb_build_object('number', number), ? from invoice),
     ${reminders.sql}
     select number, credited, written_off as "writtenOff", (select coalesce(json_agg(r), '[]'::json) from reminders_inserted r) as reminders from invoice`,
    [
      r.tenantId, r.number,
      r.id, r.tenantId, r.number, r.numberFormat.prefix, r.numberFormat.padding, r.contactId, r.dealId, r.currency, r.issueDate, r.dueDate, JSON.stringify(r.lineItems), r.total, r.total, r.createdAt, r.createdAt,
      r.tenantId, JSON.stringify(r.plan),
      r.tenantId, r.payLinkTokenHash, r.createdAt,
      r.createdEvent.id, r.tenantId, JSON.stringify(r.createdEvent.data), r.createdAt,
      ...reminders.params,
    ],
  );
  return { number: row.number, credited: Number(row.credited), writtenOff: Number(row.writtenOff), reminders: scheduledReminders(row.reminders) };
}

/** Invoices whose workflow could not store part of a change (partial index on attention_at). */
export async function countInvoicesNeedingAttention(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>('select count(*)::int as n from invoices where attention_at is not null');
  return row.n;
}

/**
 * Up to `max + 1` ids of the tenant's contacts whose name matches an ILIKE pattern (already escaped):
 * the contact half of the invoice search, so the invoice query needs no join to filter.
 *
 * Plans at 1,000,000 invoices and 2,000 contacts (EXPLAIN ANALYZE, bench tenant), for the list's
 * `number ILIKE ? OR contact_id IN (…)` ordered by id desc, limit 26 (times on the loaded 2-core box):
 * - a number (`B0123456`; `01234`, 120 hits): Bitmap Index Scan of invoices_number_trgm_index →
 *   Bitmap Heap Scan → top-N sort; 6–10 ms. No match (`nobody`): the same, empty, 0.3 ms.
 * - one contact (`Contact 1234`, 500 invoices): BitmapOr of that and invoices_tenant_id_contact_id_index
 *   → top-N sort.
 * - 111 contacts (`contact 12`, 55,500 invoices): Index Scan Backward of invoices_tenant_id_id_index
 *   filtered by the (hashed) IN list, stopping at 26 rows; 23 ms.
 * This lookup itself: a Seq Scan of the 4,000 contacts here (2 ms); contacts_name_trgm_index once a
 * tenant has many.
 */
export async function contactIdsMatching(em: EntityManager, tenantId: string, like: string, max: number): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>('select id from contacts where tenant_id = ? and name ilike ? limit ?', [tenantId, like, max + 1]);
  return rows.map((r) => r.id);
}

/** The list filters the summary honours (the same as GET /v1/invoices, without paging or order). */
export interface InvoiceSummaryFilters {
  status?: string;
  contactId?: string;
  issueDateFrom?: string;
  issueDateTo?: string;
  dueDateFrom?: string;
  dueDateTo?: string;
  /** An ILIKE pattern, already escaped, matched against the number and the contact's name. */
  like?: string;
}

export interface InvoiceSummaryRow {
  currency: string;
  openCount: number;
  openDue: number;
  overdueCount: number;
  overdueDue: number;
  aging: Record<AgingBucket, number>;
}

/**
 * What a tenant is owed, per currency, in one aggregate over its unpaid invoices only.
 *
 * Plan (EXPLAIN on the test database, a tenant with 3,000 invoices among others'): an Index Only
 * Scan of `invoices_unpaid_summary_index` — partial (`status in ('open', 'overdue')`), keyed
 * (tenant_id, currency, due_date), carrying status and due — then a GroupAggregate per currency. It
 * reads only the tenant's unpaid rows, never the heap once vacuumed, and paid or void invoices
 * (most of a mature account's million) are not in the index at all. With `q` the contact join
 * adds a lookup per unpaid invoice by primary key.
 */
export function invoiceSummaryQuery(tenantId: string, f: InvoiceSummaryFilters, cutoffs: AgingCutoffs): { sql: string; params: unknown[] } {
  const where = [`i.tenant_id = ?`, `i.status in ('open', 'overdue')`];
  const params: unknown[] = [tenantId];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (f.status) add('i.status = ?', f.status);
  if (f.contactId) add('i.contact_id = ?', f.contactId);
  if (f.issueDateFrom) add('i.issue_date >= ?', f.issueDateFrom);
  if (f.issueDateTo) add('i.issue_date <= ?', f.issueDateTo);
  if (f.dueDateFrom) add('i.due_date >= ?', f.dueDateFrom);
  if (f.dueDateTo) add('i.due_date <= ?', f.dueDateTo);
  if (f.like) {
    where.push(`(i.number ilike ? or c.name ilike ?)`);
    params.push(f.like, f.like);
  }
  const { current, days1To30, days31To60, days61To90 } = cutoffs;
  return {
    sql: `select i.currency,
            count(*) filter (where i.status = 'open') as open_count,
            coalesce(sum(i.due) filter (where i.status = 'open'), 0) as open_due,
            count(*) filter (where i.status = 'overdue') as overdue_count,
            coalesce(sum(i.due) filter (where i.status = 'overdue'), 0) as overdue_due,
            coalesce(sum(i.due) filter (where i.due_date >= ?), 0) as current,
            coalesce(sum(i.due) filter (where i.due_date >= ? and i.due_date < ?), 0) as days_1_to_30,
            coalesce(sum(i.due) filter (where i.due_date >= ? and i.due_date < ?), 0) as days_31_to_60,
            coalesce(sum(i.due) filter (where i.due_date >= ? and i.due_date < ?), 0) as days_61_to_90,
            coalesce(sum(i.due) filter (where i.due_date < ?), 0) as over_90
       from invoices i ${f.like ? 'join contacts c on c.id = i.contact_id' : ''}
      where ${where.join(' and ')}
      group by i.currency
      order by i.currency`,
    params: [current, days1To30, current, days31To60, days1To30, days61To90, days31To60, days61To90, ...params],
  };
}

/** Filters the kept totals can answer: `invoice_receivables` has the status and due date, not the rest. */
const fromReceivables = (f: InvoiceSummaryFilters) => !f.contactId && !f.issueDateFrom && !f.issueDateTo && !f.like;

/**
 * The summary from `invoice_receivables`, the totals the invoices' triggers keep
 * (Migration20261203300000_read_model_scale): the same figures as invoiceSummaryQuery, from rows per
 * (currency, status, due date, shard) instead of per invoice.
 *
 * Plan (EXPLAIN ANALYZE, bench tenant with 1,000,000 invoices, 800,000 unpaid): 1,280 rows (80 due
 * dates × 2 statuses × 8 shards) read by a Seq Scan while the table is this small (the primary
 * key's tenant_id prefix once many tenants share it) → HashAggregate per currency: 1.2 ms, where
 * invoiceSummaryQuery's Index Only Scan of the 800,000 unpaid invoices took 0.4–4 s.
 * A currency whose unpaid invoices were all paid keeps zero rows; `having` leaves it out, as the scan does.
 */
export function invoiceReceivablesQuery(tenantId: string, f: InvoiceSummaryFilters, cutoffs: AgingCutoffs): { sql: string; params: unknown[] } {
  const where = [`r.tenant_id = ?`];
  const params: unknown[] = [tenantId];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (f.status) add('r.status = ?', f.status);
  if (f.dueDateFrom) add('r.due_date >= ?', f.dueDateFrom);
  if (f.dueDateTo) add('r.due_date <= ?', f.dueDateTo);
  const { current, days1To30, days31To60, days61To90 } = cutoffs;
  return {
    sql: `select r.currency,
            coalesce(sum(r.count) filter (where r.status = 'open'), 0) as open_count,
            coalesce(sum(r.due) filter (where r.status = 'open'), 0) as open_due,
            coalesce(sum(r.count) filter (where r.status = 'overdue'), 0) as overdue_count,
            coalesce(sum(r.due) filter (where r.status = 'overdue'), 0) as overdue_due,
            coalesce(sum(r.due) filter (where r.due_date >= ?), 0) as current,
            coalesce(sum(r.due) filter (where r.due_date >= ? and r.due_date < ?), 0) as days_1_to_30,
            coalesce(sum(r.due) filter (where r.due_date >= ? and r.due_date < ?), 0) as days_31_to_60,
            coalesce(sum(r.due) filter (where r.due_date >= ? and r.due_date < ?), 0) as days_61_to_90,
            coalesce(sum(r.due) filter (where r.due_date < ?), 0) as over_90
       from invoice_receivables r
      where ${where.join(' and ')}
      group by r.currency
     having sum(r.count) > 0
      order by r.currency`,
    params: [current, days1To30, current, days31To60, days1To30, days61To90, days31To60, days61To90, ...params],
  };
}

/** The summary: from the kept totals when the filters allow, else from the unpaid invoices themselves. */
export async function invoiceSummary(em: EntityManager, tenantId: string, f: InvoiceSummaryFilters, cutoffs: AgingCutoffs): Promise<InvoiceSummaryRow[]> {
  const { sql, params } = fromReceivables(f) ? invoiceReceivablesQuery(tenantId, f, cutoffs) : invoiceSummaryQuery(tenantId, f, cutoffs);
  const rows = await em.execute<Record<string, string>[]>(sql, params as never[]);
  return rows.map((r) => ({
    currency: r.currency,
    openCount: Number(r.open_count),
    openDue: Number(r.open_due),
    overdueCount: Number(r.overdue_count),
    overdueDue: Number(r.overdue_due),
    aging: { current: Number(r.current), days1To30: Number(r.days_1_to_30), days31To60: Number(r.days_31_to_60), days61To90: Number(r.days_61_to_90), over90: Number(r.over_90) },
  }));
}
