/**
 * Consumes the reminders queue: renders each reminder and hands it to every delivery channel.
 * Retries are BullMQ's (attempts/backoff set on the job); once attempts are exhausted the reminder
 * is marked failed with a history event, and the job stays in BullMQ's failed set for operators.
 * Each status move is one statement with its history event (db/repositories/reminders.ts).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { markReminderFailed, markReminderSent, markReminderSkipped, noteReminderAttempt, reminderForDelivery } from '../db/repositories/reminders';
import { payLinkRotations } from '../db/repositories/pay-links';
import type { Config } from '../lib/config';
import { reminderOutcomes } from '../lib/metrics';
import { customerUrl, payLinkHash } from '../lib/pay-links';
import { REMINDER_QUEUE, type QueueNaming, type ReminderJobData } from '../lib/queues';
import { reminderEmail } from '../services/reminder-emails';
import type { ReminderChannel } from './channels';

export interface ReminderWorkerOptions {
  orm: MikroORM;
  /** A connection with maxRetriesPerRequest: null (lib/queues.ts workerConnection). */
  connection: Redis;
  channels: ReminderChannel[];
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'REMINDER_FROM' | 'PAY_LINK_SECRET'>;
  queue?: QueueNaming;
  concurrency?: number;
  /** Connection and processing errors (the job itself is retried by BullMQ). Default: log. */
  onError?: (err: Error) => void;
  /** Where failed delivery attempts are reported. Default: console. */
  log?: Pick<Console, 'warn' | 'error'>;
}

/** Longest error text kept on a reminder row. */
const MAX_ERROR_LENGTH = 2000;

export function createReminderWorker(opts: ReminderWorkerOptions): Worker<ReminderJobData> {
  const { orm, channels, config, log = console } = opts;
  const sender = { from: config.REMINDER_FROM };

  async function process(job: Job<ReminderJobData>): Promise<string> {
    const em = orm.em.fork();
    const r = await reminderForDelivery(em, job.data.reminderId);
    if (!r) return 'missing'; // the invoice was deleted
    if (r.status === 'sent' || r.status === 'skipped') return r.status;
    const attempt = job.attemptsMade + 1;
    // Paid or voided while the job waited (e.g. behind a Redis outage): nothing to remind of.
    if (r.invoiceStatus === 'paid' || r.invoiceStatus === 'void') {
      await markReminderSkipped(em, r, r.invoiceStatus === 'paid' ? 'invoice_paid' : 'invoice_void');
      reminderOutcomes.inc({ outcome: 'skipped' });
      return 'skipped';
    }
    // The link to the invoice's pay page, as the API shows it (customerUrl).
    const rotation = r.payLinkRotation ?? [...(await payLinkRotations(em, r.tenantId, [r.invoiceId], (id) => payLinkHash(config, id, 0))).values()][0];
    try {
      // Rendering (templates, the PDF) fails and is retried like a delivery.
      const message = await reminderEmail({ em }, r, job.data.amount, customerUrl(config, r.invoiceId, rotation), sender, { attach: channels.some((c) => c.attachments) });
      for (const channel of channels) await channel.deliver(message);
    } catch (err) {
      const error = ((err as Error)?.message ?? String(err)).slice(0, MAX_ERROR_LENGTH);
      const what = `reminder ${r.key} of invoice ${r.invoiceNumber} (tenant ${r.tenantId})`;
      if (attempt >= (job.opts.attempts ?? 1)) {
        await markReminderFailed(em, r, { attempt, error });
        reminderOutcomes.inc({ outcome: 'failed' });
        log.error(`${what}: attempt ${attempt} failed, no attempts left: ${error}`);
      } else {
        await noteReminderAttempt(em, r.id, { attempt, error });
        reminderOutcomes.inc({ outcome: 'retried' });
        log.warn(`${what}: attempt ${attempt} failed, BullMQ retries it: ${error}`);
      }
      throw err;
    }
    await markReminderSent(em, r, { attempt, channel: channels.map((c) => c.name).join(','), amount: job.data.amount });
    reminderOutcomes.inc({ outcome: 'sent' });
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
