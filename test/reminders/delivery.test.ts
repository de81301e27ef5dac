/**
 * The enqueue activity and the reminder worker against real Redis and Postgres: one job per reminder
 * however often the activity runs, BullMQ retries with backoff, a failed state that stays visible,
 * and graceful shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createReminderActivities } from '../../activities/reminders';
import { reminderJobId } from '../../domain/reminders';
import { createReminderQueue, producerConnection, workerConnection, type ReminderJobData } from '../../lib/queues';
import { outboxChannel, type ReminderChannel } from '../../worker/channels';
import { createReminderWorker } from '../../worker/reminder-worker';
import { createTestOrm } from '../support/db';
import { eventually, insertInvoice, readEvents, type InvoiceFixture } from '../support/fixtures';
import { customerUrl } from '../../lib/pay-links';
import { tokenHash } from '../../lib/tokens';
import { JOB_STATES, readOutbox, readReminders, REDIS_URL, TEST_CONFIG } from '../support/reminders';

let orm: MikroORM;
let queue: Queue<ReminderJobData>;
const producer = producerConnection(REDIS_URL);
const consumers: ReturnType<typeof workerConnection>[] = [];
const naming = { name: `reminders-delivery-${randomUUID()}` };

beforeAll(async () => {
  orm = await createTestOrm();
  queue = createReminderQueue(producer, naming);
});
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  producer.disconnect();
  consumers.forEach((c) => c.disconnect());
  await orm.close();
});

function startWorker(channels: ReminderChannel[]) {
  const connection = workerConnection(REDIS_URL);
  consumers.push(connection);
  return createReminderWorker({ orm, connection, channels, config: TEST_CONFIG, queue: naming, onError: () => {} });
}

async function materialized(activities: ReturnType<typeof createReminderActivities>, fx: InvoiceFixture) {
  return activities.materializeReminders({
    tenantId: fx.tenantId,
    invoiceId: fx.invoiceId,
    plan: fx.input.plan.map((p) => ({ id: p.id, date: p.date })),
    dueDate: fx.dueDate,
    now: Date.now(),
  });
}
const jobsOf = async (invoiceId: string) => (await queue.getJobs([...JOB_STATES])).filter((j) => j && j.data.invoiceId === invoiceId);

test('the enqueue activity run again (retry) or concurrently adds one job; once delivered it adds none', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue });
  const fx = await insertInvoice(orm, { total: 5000 });
  const { schedule, done } = await materialized(activities, fx);
  expect(schedule.map((r) => r.kind)).toEqual(['installment', 'installment', 'dunning', 'dunning', 'dunning']);
  expect(done).toEqual([]);
  // Materializing again (a retried activity) neither duplicates rows nor changes the schedule.
  expect(await materialized(activities, fx)).toEqual({ schedule, done });
  expect(await readReminders(orm, fx.invoiceId)).toHaveLength(5);

  const key = 'dun-p1';
  const args = { tenantId: fx.tenantId, invoiceId: fx.invoiceId, key, amount: 5000 };
  const first = await activities.enqueueReminder(args);
  const again = await activities.enqueueReminder(args);
  await Promise.all(Array.from({ length: 5 }, () => activities.enqueueReminder(args)));
  expect(first).toEqual({ jobId: reminderJobId(fx.invoiceId, key), enqueued: true, status: 'queued' });
  expect(again.jobId).toBe(first.jobId);
  expect((await jobsOf(fx.invoiceId)).map((j) => j.id)).toEqual([first.jobId]);
  expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === key)).toMatchObject({ status: 'queued', amount: 5000 });

  const worker = startWorker([outboxChannel(orm)]);
  try {
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === key)).toMatchObject({ status: 'sent', channel: 'outbox', attempts: 1 }));
  } finally {
    await worker.close();
  }
  const [message] = await readOutbox(orm, fx.invoiceId);
  expect(message).toMatchObject({ key, recipient: 'ada@example.test', subject: `Overdue: invoice ${fx.input.number} — $50.00 past due`, link: customerUrl(TEST_CONFIG, fx.invoiceId, 0) });
  expect(message.body).toContain('$50.00');
  // The pay page finds the link: the worker gave the invoice (made without one) its first link row.
  const [link] = await orm.em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from invoice_pay_links where invoice_id = ? and token_hash = ?', [fx.invoiceId, tokenHash(message.link.split('/i/')[1])]);
  expect(link.n).toBe(1);

  // Even after the completed job is gone (removeOnComplete), Postgres says it was sent: no second job.
  await (await queue.getJob(first.jobId))!.remove();
  expect(await activities.enqueueReminder(args)).toEqual({ jobId: first.jobId, enqueued: false, status: 'sent' });
  expect(await jobsOf(fx.invoiceId)).toHaveLength(0);
  expect(await readOutbox(orm, fx.invoiceId)).toHaveLength(1);
  expect((await readEvents(orm, fx.invoiceId)).filter((e) => e.type === 'reminder_sent')).toHaveLength(1);
});

test('a transient channel failure is retried by BullMQ and stored in the outbox once', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue, reminderJobOptions: { attempts: 4, backoff: { type: 'exponential', delay: 50 } } });
  const fx = await insertInvoice(orm, { total: 1234 });
  await materialized(activities, fx);
  let calls = 0;
  const flaky: ReminderChannel = {
    name: 'flaky',
    async deliver() {
      if (++calls < 3) throw new Error(`mailer hiccup ${calls}`);
    },
  };
  const worker = startWorker([outboxChannel(orm), flaky]);
  try {
    const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p7', amount: 1234 });
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p7')).toMatchObject({ status: 'sent', attempts: 3, channel: 'outbox,flaky' }));
    expect(await (await queue.getJob(jobId))!.getState()).toBe('completed');
  } finally {
    await worker.close();
  }
  expect(calls).toBe(3);
  expect(await readOutbox(orm, fx.invoiceId)).toHaveLength(1);
});

test('a reminder that keeps failing ends failed — in Postgres, in history and in the failed set — and can be retried', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue, reminderJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 20 } } });
  const fx = await insertInvoice(orm, { total: 900 });
  await materialized(activities, fx);
  const broken: ReminderChannel = {
    name: 'broken',
    async deliver() {
      throw new Error('smtp: connection refused');
    },
  };
  const failing = startWorker([broken]);
  const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p14', amount: 900 });
  try {
    await eventually(async () =>
      expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'failed', attempts: 3 }),
    );
  } finally {
    await failing.close();
  }
  const job = (await queue.getJob(jobId))!;
  expect(await job.getState()).toBe('failed');
  expect(job.attemptsMade).toBe(3);
  expect(job.failedReason).toBe('smtp: connection refused');
  const failedEvents = (await readEvents(orm, fx.invoiceId)).filter((e) => e.type === 'reminder_failed');
  expect(failedEvents).toHaveLength(1);
  expect(failedEvents[0].data).toMatchObject({ key: 'dun-p14', attempts: 3, error: 'smtp: connection refused' });

  // An operator retries it (as from Bull Board) once the channel works again.
  const healthy = startWorker([outboxChannel(orm)]);
  try {
    await job.retry('failed');
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'sent' }));
  } finally {
    await healthy.close();
  }
  expect(await readOutbox(orm, fx.invoiceId)).toHaveLength(1);
});

test('graceful shutdown finishes the in-flight job', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue });
  const fx = await insertInvoice(orm, { total: 700 });
  await materialized(activities, fx);
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  let finished = false;
  const slow: ReminderChannel = {
    name: 'slow',
    async deliver() {
      started();
      await new Promise((r) => setTimeout(r, 500));
      finished = true;
    },
  };
  const worker = startWorker([slow, outboxChannel(orm)]);
  await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p1', amount: 700 });
  await inFlight;
  await worker.close();
  expect(finished).toBe(true);
  expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')).toMatchObject({ status: 'sent', attempts: 1 });
  expect(await readOutbox(orm, fx.invoiceId)).toHaveLength(1);
});
