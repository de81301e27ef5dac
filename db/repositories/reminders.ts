/**
 * reminders: the status moves of the hot paths in plain SQL — one statement per move, with its
 * history event in the same statement, so a retried job or activity can never record a move twice.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { InvoiceEventType } from '../../domain/invoice-events';
import type { ReminderView } from '../../domain/reminder-message';
import type { ReminderInstant, ReminderKind, ReminderPolicy, ReminderStatus, StoredReminderSchedule } from '../../domain/reminders';

export interface QueuedReminder {
  id: string;
  kind: ReminderKind;
  status: ReminderStatus;
  amount: number | null;
  /** Who and what it is about, for operators reading the job in Bull Board. */
  tenantName: string;
  invoiceNumber: string;
  currency: string;
  contactName: string;
  contactEmail: string | null;
}

/** scheduled → queued with the amount to ask for; returns the row as it is now (queued, or already further). */
export async function queueReminder(em: EntityManager, r: { tenantId: string; invoiceId: string; key: string; amount: number }): Promise<QueuedReminder | null> {
  const [row] = await em.execute<(Omit<QueuedReminder, 'amount'> & { amount: string | number | null })[]>(
    `with moved as (
       update reminders set status = 'queued', amount = ?, queued_at = now(), updated_at = now()
        where invoice_id = ? and tenant_id = ? and key = ? and status = 'scheduled'
        returning id, kind, status, amount, invoice_id),
     reminder as (
       select id, kind, status, amount, invoice_id from moved
       union all
       select id, kind, status, amount, invoice_id from reminders
        where invoice_id = ? and tenant_id = ? and key = ? and not exists (select 1 from moved))
     select r.id, r.kind, r.status, r.amount, t.name as "tenantName", i.number as "invoiceNumber", i.currency,
            c.name as "contactName", c.email as "contactEmail"
       from reminder r join invoices i on i.id = r.invoice_id join tenants t on t.id = i.tenant_id join contacts c on c.id = i.contact_id`,
    [r.amount, r.invoiceId, r.tenantId, r.key, r.invoiceId, r.tenantId, r.key],
  );
  return row ? { ...row, amount: row.amount === null ? null : Number(row.amount) } : null;
}

const isoDate = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

/** An invoice's reminder as its workflow's schedule needs it (a plain row). */
export interface ScheduledReminder {
  key: string;
  kind: ReminderKind;
  installmentId: string | null;
  offset: number;
  step: number | null;
  scheduledAt: Date;
  date: string;
  status: ReminderStatus;
}
const SCHEDULED_COLUMNS = `key, kind, installment_id as "installmentId", "offset", step, scheduled_at as "scheduledAt", date::text as date, status`;

/** The driver hands timestamps over as strings. */
export type StoredRow = Omit<ScheduledReminder, 'scheduledAt'> & { scheduledAt: string | Date };
export const scheduledReminders = (rows: StoredRow[]): ScheduledReminder[] =>
  rows.map((r) => ({ ...r, scheduledAt: new Date(r.scheduledAt) }));

/** The reminders of an invoice. */
export async function remindersOfInvoice(em: EntityManager, tenantId: string, invoiceId: string): Promise<ScheduledReminder[]> {
  return scheduledReminders(await em.execute<StoredRow[]>(`select ${SCHEDULED_COLUMNS} from reminders where invoice_id = ? and tenant_id = ?`, [invoiceId, tenantId]));
}

/** Stored rows as the workflow follows them: instants in order (ties by key), handled keys done. */
export function storedSchedule(rows: ScheduledReminder[]): StoredReminderSchedule {
  const schedule = rows
    .map((r): ReminderInstant => ({
      key: r.key,
      kind: r.kind,
      ...(r.installmentId ? { installmentId: r.installmentId } : {}),
      offset: r.offset,
      ...(r.step != null ? { step: r.step } : {}),
      date: r.date,
      at: r.scheduledAt.getTime(),
    }))
    .sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  return { schedule, done: rows.filter((r) => r.status !== 'scheduled').map((r) => r.key) };
}

/** What an invoice's schedule is computed from: the tenant's time zone and its policy (null: the default). */
export async function reminderSettings(em: EntityManager, tenantId: string): Promise<{ timeZone: string; policy: ReminderPolicy | null } | null> {
  const [row] = await em.execute<{ timeZone: string; policy: ReminderPolicy | null }[]>(
    `select t.time_zone as "timeZone", p.policy from tenants t left join reminder_policies p on p.tenant_id = t.id where t.id = ?`,
    [tenantId],
  );
  return row ?? null;
}

/** A reminder's schedule as its history events show it. */
export const scheduleData = (r: { kind: string; scheduledAt: Date; date: string; installmentId?: string | null }) => ({
  kind: r.kind,
  at: r.scheduledAt.toISOString(),
  date: r.date,
  ...(r.installmentId ? { installmentId: r.installmentId } : {}),
});

/** A reminder of a new schedule, as it is stored (one already past is stored skipped). */
export type NewReminder = ReminderInstant & { skipped: boolean };

/**
 * The common table expressions that store an invoice's schedule with a history event per reminder
 * (`reminder_scheduled`, or `reminder_skipped` for one already past at creation): `reminders_inserted`
 * returns the rows inserted (a reminder stored already, by a concurrent attempt, is left as it is).
 * Shared by the schedule's own statement and the invoice's creation statement.
 */
export function reminderScheduleCtes(a: { tenantId: string; invoiceId: string; reminders: NewReminder[]; createdAt: Date }): { sql: string; params: unknown[] } {
  const records = a.reminders.map((r) => {
    const type = r.skipped ? 'reminder_skipped' : 'reminder_scheduled';
    const data = { key: r.key, ...scheduleData({ ...r, scheduledAt: new Date(r.at) }), ...(r.skipped ? { reason: 'past_at_creation' } : {}) };
    return { id: uuidv7(), key: r.key, kind: r.kind, installment_id: r.installmentId ?? null, offset: r.offset, step: r.step ?? null, scheduled_at: new Date(r.at).toISOString(), date: r.date, skipped: r.skipped, event_id: uuidv7(), event_type: type, event_data: data };
  });
  return {
    sql: `reminder_input as (
       select * from jsonb_to_recordset(?::jsonb) as r(id uuid, key text, kind text, installment_id uuid, "offset" int, step int, scheduled_at timestamptz, date date,
                                                      skipped boolean, event_id uuid, event_type text, event_data jsonb)),
     reminders_inserted as (
       insert into reminders (id, tenant_id, invoice_id, key, kind, installment_id, "offset", step, scheduled_at, date, status, skip_reason, attempts, created_at, updated_at)
       select id, ?, ?, key, kind, installment_id, "offset", step, scheduled_at, date, case when skipped then 'skipped' else 'scheduled' end,
              case when skipped then 'past_at_creation' end, 0, ?, ?
         from reminder_input
       on conflict (invoice_id, key) do nothing
       returning id, ${SCHEDULED_COLUMNS}),
     reminder_events as (
       insert into invoice_events (id, tenant_id, invoice_id, type, dedupe_key, data, occurred_at)
       select i.event_id, ?, ?, i.event_type, i.event_type || ':' || i.key, i.event_data, ?
         from reminder_input i join reminders_inserted using (id)
       on conflict (invoice_id, dedupe_key) do nothing)`,
    params: [JSON.stringify(records), a.tenantId, a.invoiceId, a.createdAt, a.createdAt, a.tenantId, a.invoiceId, a.createdAt],
  };
}

/** Stores an invoice's schedule (reminderScheduleCtes) in one statement; returns the rows it inserted. */
export async function insertReminderSchedule(em: EntityManager, a: { tenantId: string; invoiceId: string; reminders: NewReminder[]; createdAt: Date }): Promise<ScheduledReminder[]> {
  const ctes = reminderScheduleCtes(a);
  const rows = await em.execute<StoredRow[]>(`with ${ctes.sql} select key, kind, "installmentId", "offset", step, "scheduledAt", date, status from reminders_inserted`, ctes.params);
  return scheduledReminders(rows);
}

/** The reminder with what rendering needs of its invoice and contact. */
export async function reminderForDelivery(em: EntityManager, id: string): Promise<ReminderView | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select r.id, r.tenant_id, r.invoice_id, r.key, r.kind, r."offset", r.date, r.status,
            i.number, i.status as invoice_status, i.currency, i.due_date, c.name as contact_name, c.email as contact_email,
            l.rotation as pay_link_rotation
       from reminders r join invoices i on i.id = r.invoice_id join contacts c on c.id = i.contact_id
       left join invoice_pay_links l on l.invoice_id = r.invoice_id
      where r.id = ?`,
    [id],
  );
  if (!row) return null;
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    invoiceId: String(row.invoice_id),
    key: String(row.key),
    kind: row.kind as ReminderKind,
    offset: Number(row.offset),
    date: isoDate(row.date),
    status: row.status as ReminderStatus,
    invoiceNumber: String(row.number),
    invoiceStatus: String(row.invoice_status),
    currency: String(row.currency),
    dueDate: isoDate(row.due_date),
    contactName: String(row.contact_name),
    contactEmail: row.contact_email == null ? null : String(row.contact_email),
    payLinkRotation: row.pay_link_rotation == null ? null : Number(row.pay_link_rotation),
  };
}

/** Updates the reminder (when `guard` holds) and records the history event in the same statement. */
async function move(em: EntityManager, r: ReminderView, set: string, setParams: unknown[], guard: string, type: InvoiceEventType, data: Record<string, unknown>): Promise<void> {
  await em.execute(
    `with moved as (update reminders set ${set}, updated_at = now() where id = ? ${guard} returning id, tenant_id, invoice_id)
     insert into invoice_events (id, tenant_id, invoice_id, type, dedupe_key, data, occurred_at)
     select ?, tenant_id, invoice_id, ?, ?, ?::jsonb, now() from moved
     on conflict (invoice_id, dedupe_key) do nothing`,
    [...setParams, r.id, uuidv7(), type, `${type}:${r.key}`, JSON.stringify({ key: r.key, kind: r.kind, ...data })],
  );
}

export const markReminderSkipped = (em: EntityManager, r: ReminderView, reason: string) =>
  move(em, r, `status = 'skipped', skip_reason = ?`, [reason], `and status in ('scheduled', 'queued')`, 'reminder_skipped', { reason });

export const markReminderSent = (em: EntityManager, r: ReminderView, d: { attempt: number; channel: string; amount: number }) =>
  move(em, r, `status = 'sent', sent_at = now(), attempts = ?, channel = ?, last_error = null`, [d.attempt, d.channel], '', 'reminder_sent', {
    channel: d.channel,
    amount: d.amount,
    attempts: d.attempt,
  });

/** Attempts exhausted: failed for good (never over a sent one). */
export const markReminderFailed = (em: EntityManager, r: ReminderView, d: { attempt: number; error: string }) =>
  move(em, r, `status = 'failed', attempts = ?, last_error = ?`, [d.attempt, d.error], `and status <> 'sent'`, 'reminder_failed', { attempts: d.attempt, error: d.error });

/** A failed attempt that will be retried: counted, no history event. */
export async function noteReminderAttempt(em: EntityManager, id: string, d: { attempt: number; error: string }): Promise<void> {
  await em.execute(`update reminders set attempts = ?, last_error = ?, updated_at = now() where id = ? and status <> 'sent'`, [d.attempt, d.error, id]);
}
