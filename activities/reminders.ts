/**
 * Reminder activities: materialize an invoice's reminder schedule as rows (status `scheduled`),
 * enqueue a due reminder as a BullMQ job with a deterministic id, mark reminders skipped, and
 * resume the ones a paid invoice skipped when a refund or dispute reopens it.
 * All idempotent: a retried activity or a replayed workflow never creates a second row, job or event.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Queue, JobsOptions } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { InvoiceEvent, Reminder } from '../db';
import { queueReminder, reminderSettings, remindersOfInvoice, scheduleData, storedSchedule } from '../db/repositories/reminders';
import type { InvoiceEventType } from '../domain/invoice-events';
import { formatMoney } from '../domain/money';
import { reminderJobId, type StoredReminderSchedule } from '../domain/reminders';
import { addWithDeadline, REMINDER_JOB_OPTIONS, type ReminderJobData } from '../lib/queues';
import { storeReminderSchedule } from '../services/reminders';

export interface ReminderActivityDeps {
  orm: MikroORM;
  /** Without a queue this worker does not do reminders: schedules come back empty. */
  reminderQueue?: Queue<ReminderJobData>;
  /** Overrides of REMINDER_JOB_OPTIONS (tests shorten the backoff). */
  reminderJobOptions?: JobsOptions;
}

export interface MaterializeRemindersArgs {
  tenantId: string;
  invoiceId: string;
  plan: { id: string; date: string }[];
  dueDate: string;
  /** Workflow time: reminders whose instant is already past are skipped, not sent late. */
  now: number;
}

export interface EnqueueReminderArgs {
  tenantId: string;
  invoiceId: string;
  key: string;
  amount: number;
}

export interface SkipRemindersArgs {
  tenantId: string;
  invoiceId: string;
  keys: string[];
  reason: string;
  now: number;
  /**
   * Set when these reminders may be skipped again later (parked while paid, patch `reminders-resume-v1`):
   * each round is its own history event. The workflow passes its state version.
   */
  round?: number;
}

export interface ResumeRemindersArgs {
  tenantId: string;
  invoiceId: string;
  keys: string[];
  /** Makes each resume its own history event (the workflow's state version). */
  round: number;
  now: number;
}

export function createReminderActivities({ orm, reminderQueue, reminderJobOptions }: ReminderActivityDeps) {
  async function writeEvents(em: EntityManager, tenantId: string, invoiceId: string, type: InvoiceEventType, rows: { key: string; data: Record<string, unknown> }[], at: Date, round?: number) {
    if (rows.length === 0) return;
    await em
      .createQueryBuilder(InvoiceEvent)
      .insert(rows.map((r) => ({ id: uuidv7(), tenant: tenantId, invoice: invoiceId, type, dedupeKey: `${type}:${r.key}${round === undefined ? '' : `:${round}`}`, data: { key: r.key, ...r.data }, occurredAt: at })))
      .onConflict(['invoice', 'dedupeKey'])
      .ignore()
      .execute();
  }

  return {
    /** For a workflow started without its schedule (runs from before creation stored it, the orphan sweep's starts): rows found are returned. */
    async materializeReminders({ tenantId, invoiceId, plan, dueDate, now }: MaterializeRemindersArgs): Promise<StoredReminderSchedule> {
      if (!reminderQueue) return { schedule: [], done: [] };
      const em = orm.em.fork();
      const rows = await remindersOfInvoice(em, tenantId, invoiceId);
      if (rows.length > 0) return storedSchedule(rows);
      const settings = await reminderSettings(em, tenantId);
      if (!settings) throw new Error(`tenant ${tenantId} does not exist`);
      return storeReminderSchedule(em, { tenantId, invoiceId, plan, dueDate, timeZone: settings.timeZone, policy: settings.policy, now });
    },

    /**
     * scheduled → queued in Postgres, then a job with the reminder's deterministic id. A retry (after a
     * Redis error, or a lost completion) finds the row queued and adds again: BullMQ ignores a duplicate
     * job id; once the job is done the row is sent/failed and nothing is added any more.
     */
    async enqueueReminder({ tenantId, invoiceId, key, amount }: EnqueueReminderArgs): Promise<{ jobId: string; enqueued: boolean; status: string }> {
      if (!reminderQueue) throw new Error('no reminder queue configured on this worker');
      // One round trip: the conditional transition, or the row as it already is.
      const row = await queueReminder(orm.em.fork(), { tenantId, invoiceId, key, amount });
      if (!row) throw new Error(`reminder ${key} of invoice ${invoiceId} does not exist`);
      const jobId = reminderJobId(invoiceId, key);
      if (row.status !== 'queued') return { jobId, enqueued: false, status: row.status };
      const asked = row.amount ?? amount;
      const data: ReminderJobData = {
        reminderId: row.id,
        tenantId,
        invoiceId,
        key,
        kind: row.kind,
        amount: asked,
        tenantName: row.tenantName,
        invoiceNumber: row.invoiceNumber,
        recipient: row.contactEmail ? `${row.contactName} <${row.contactEmail}>` : row.contactName,
        amountFormatted: formatMoney(asked, row.currency),
      };
      // The job name is what Bull Board lists: say which invoice's which reminder it is.
      await addWithDeadline(reminderQueue, `reminder ${row.invoiceNumber} ${key}`, data, { ...REMINDER_JOB_OPTIONS, ...reminderJobOptions, jobId });
      return { jobId, enqueued: true, status: row.status };
    },

    /** scheduled → skipped (never touches a reminder already queued or sent), with a history event. */
    async skipReminders({ tenantId, invoiceId, keys, reason, now, round }: SkipRemindersArgs): Promise<{ skipped: number; reason: string }> {
      if (keys.length === 0) return { skipped: 0, reason };
      const em = orm.em.fork();
      await em.nativeUpdate(Reminder, { invoice: invoiceId, tenant: tenantId, key: { $in: keys }, status: 'scheduled' }, { status: 'skipped', skipReason: reason, updatedAt: new Date() });
      const skipped = await em.find(Reminder, { invoice: invoiceId, tenant: tenantId, key: { $in: keys }, status: 'skipped' });
      await writeEvents(em, tenantId, invoiceId, 'reminder_skipped', skipped.map((r) => ({ key: r.key, data: { kind: r.kind, reason: r.skipReason ?? reason, date: r.date } })), new Date(now), round);
      return { skipped: skipped.length, reason };
    },

    /**
     * skipped (invoice_paid) → scheduled for reminders whose instant is still ahead when a paid invoice
     * reopens, with a `reminder_scheduled` history event (reason `invoice_reopened`). Decided again at their instant.
     */
    async resumeReminders({ tenantId, invoiceId, keys, round, now }: ResumeRemindersArgs): Promise<{ resumed: number }> {
      if (keys.length === 0) return { resumed: 0 };
      const em = orm.em.fork();
      const where = { invoice: invoiceId, tenant: tenantId, key: { $in: keys } };
      await em.nativeUpdate(Reminder, { ...where, status: 'skipped', skipReason: 'invoice_paid' }, { status: 'scheduled', skipReason: null, updatedAt: new Date() });
      const resumed = await em.find(Reminder, { ...where, status: 'scheduled' });
      await writeEvents(em, tenantId, invoiceId, 'reminder_scheduled', resumed.map((r) => ({ key: r.key, data: { ...scheduleData(r), reason: 'invoice_reopened' } })), new Date(now), round);
      return { resumed: resumed.length };
    },
  };
}

