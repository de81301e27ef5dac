/**
 * Consumes the reminders queue: renders each reminder and hands it to every delivery channel.
 * Retries are BullMQ's (attempts/backoff set on the job); once attempts are exhausted the reminder
 * is marked failed with a history event, and the job stays in BullMQ's failed set for operators.
 * Hot path in plain SQL (one read, one statement per transition: status change + history event together).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import type { InvoiceEventType } from '../db';
import { addDays } from '../domain/dates';
import { formatMoney } from '../domain/money';
import type { ReminderKind, ReminderStatus } from '../domain/reminders';
import type { Config } from '../lib/config';
import { REMINDER_QUEUE, type QueueNaming, type ReminderJobData } from '../lib/queues';
import type { ReminderChannel, ReminderMessage } from './channels';

export interface ReminderWorkerOptions {
  orm: MikroORM;
  /** A connection with maxRetriesPerRequest: null (lib/queues.ts workerConnection). */
  connection: Redis;
  channels: ReminderChannel[];
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'REMINDER_FROM'>;
  queue?: QueueNaming;
  concurrency?: number;
  /** Connection and processing errors (the job itself is retried by BullMQ). Default: log. */
  onError?: (err: Error) => void;
}

/** What rendering needs to know about a reminder and its invoice. */
export interface ReminderView {
  id: string;
  tenantId: string;
  invoiceId: string;
  key: string;
  kind: ReminderKind;
  offset: number;
  /** Local date the reminder goes out on. */
  date: string;
  status: ReminderStatus;
  invoiceNumber: string;
  invoiceStatus: string;
  currency: string;
  dueDate: string;
  contactName: string;
  contactEmail: string | null;
}

const isoDate = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export function renderReminder(r: ReminderView, amount: number, config: Pick<Config, 'PUBLIC_BASE_URL' | 'REMINDER_FROM'>): Omit<ReminderMessage, 'reminderId' | 'tenantId' | 'invoiceId'> {
  const money = formatMoney(amount, r.currency);
  const link = `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/invoices/${r.invoiceId}`;
  const n = r.invoiceNumber;
  let subject: string;
  let lead: string;
  if (r.kind === 'dunning') {
    subject = `Overdue: invoice ${n} — ${money} past due`;
    lead = `invoice ${n} was due on ${r.dueDate} and ${money} is still outstanding (${days(r.offset)} overdue).`;
  } else if (r.offset < 0) {
    subject = `Upcoming payment: ${money} due ${addDays(r.date, -r.offset)} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} is due in ${days(-r.offset)}.`;
  } else if (r.offset === 0) {
    subject = `Payment due today: ${money} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} is due today.`;
  } else {
    subject = `Payment reminder: ${money} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} was due ${days(r.offset)} ago.`;
  }
  const body = `Hello ${r.contactName},\n\nThis is a reminder that ${lead}\n\nYou can view the invoice here: ${link}\n\nIf you have already paid, please disregard this message.`;
  return { recipient: r.contactEmail, from: config.REMINDER_FROM, subject, body, link };
}

const LOAD = `select r.id, r.tenant_id, r.invoice_id, r.key, r.kind, r."offset", r.date, r.status,
                    i.number, i.status as invoice_status, i.currency, i.due_date, c.name as contact_name, c.email as contact_email
               from reminders r join invoices i on i.id = r.invoice_id join contacts c on c.id = i.contact_id
              where r.id = ?`;

/** Updates the reminder (when `guard` holds) and records the history event in the same statement. */
const TRANSITION = (set: string, guard: string) => `
  with moved as (update reminders set ${set}, updated_at = now() where id = ? ${guard} returning id, tenant_id, invoice_id)
  insert into invoice_events (id, tenant_id, invoice_id, type, dedupe_key, data, occurred_at)
  select ?, tenant_id, invoice_id, ?, ?, ?::jsonb, now() from moved
  on conflict (invoice_id, dedupe_key) do nothing`;

export function createReminderWorker(opts: ReminderWorkerOptions): Worker<ReminderJobData> {
  const { orm, channels, config } = opts;
  const sql = (query: string, params: unknown[]) => orm.em.getConnection().execute<Record<string, unknown>[]>(query, params as never[]);
  const eventParams = (r: ReminderView, type: InvoiceEventType, data: Record<string, unknown>) => [uuidv7(), type, `${type}:${r.key}`, JSON.stringify({ key: r.key, kind: r.kind, ...data })];

  async function load(id: string): Promise<ReminderView | null> {
    const [row] = await sql(LOAD, [id]);
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
    };
  }

  async function process(job: Job<ReminderJobData>): Promise<string> {
    const r = await load(job.data.reminderId);
    if (!r) return 'missing'; // the invoice was deleted
    if (r.status === 'sent' || r.status === 'skipped') return r.status;
    const attempt = job.attemptsMade + 1;
    // Paid or voided while the job waited (e.g. behind a Redis outage): nothing to remind of.
    if (r.invoiceStatus === 'paid' || r.invoiceStatus === 'void') {
      const reason = r.invoiceStatus === 'paid' ? 'invoice_paid' : 'invoice_void';
      await sql(TRANSITION(`status = 'skipped', skip_reason = ?`, `and status in ('scheduled', 'queued')`), [reason, r.id, ...eventParams(r, 'reminder_skipped', { reason })]);
      return 'skipped';
    }
    const message: ReminderMessage = { reminderId: r.id, tenantId: r.tenantId, invoiceId: r.invoiceId, ...renderReminder(r, job.data.amount, config) };
    try {
      for (const channel of channels) await channel.deliver(message);
    } catch (err) {
      const final = attempt >= (job.opts.attempts ?? 1);
      const lastError = ((err as Error)?.message ?? String(err)).slice(0, 2000);
      if (final) {
        await sql(TRANSITION(`status = 'failed', attempts = ?, last_error = ?`, `and status <> 'sent'`), [attempt, lastError, r.id, ...eventParams(r, 'reminder_failed', { attempts: attempt, error: lastError })]);
      } else {
        await sql(`update reminders set attempts = ?, last_error = ?, updated_at = now() where id = ? and status <> 'sent'`, [attempt, lastError, r.id]);
      }
      throw err;
    }
    const channel = channels.map((c) => c.name).join(',');
    await sql(TRANSITION(`status = 'sent', sent_at = now(), attempts = ?, channel = ?, last_error = null`, ''), [
      attempt,
      channel,
      r.id,
      ...eventParams(r, 'reminder_sent', { channel, amount: job.data.amount, attempts: attempt }),
    ]);
    return 'sent';
  }

  const worker = new Worker<ReminderJobData>(opts.queue?.name ?? REMINDER_QUEUE, process, {
    connection: opts.connection,
    ...(opts.queue?.prefix ? { prefix: opts.queue.prefix } : {}),
    concurrency: opts.concurrency ?? 10,
  });
  // An 'error' event without a listener would crash the process (e.g. while Redis restarts).
  worker.on('error', opts.onError ?? ((err) => console.error('reminder worker:', err.message)));
  return worker;
}
