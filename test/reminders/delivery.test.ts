/**
 * The enqueue activity and the reminder worker against real Redis and Postgres: one job per reminder
 * however often the activity runs, BullMQ retries with backoff, a failed state that stays visible,
 * and graceful shutdown.
 */
import { createReminderActivities } from '../../activities/reminders';
import { reminderJobId } from '../../domain/reminders';
import { outboxChannel, type ReminderChannel } from '../../worker/channels';
import { eventually, insertInvoice, readEvents } from '../support/fixtures';
import { customerUrl } from '../../lib/pay-links';
import { tokenHash } from '../../lib/tokens';
import { JOB_STATES, materialized, readOutbox, readReminders, TEST_CONFIG, useReminderQueue } from '../support/reminders';

const rq = useReminderQueue('reminders-delivery');
const jobsOf = async (invoiceId: string) => (await rq.queue.getJobs([...JOB_STATES])).filter((j) => j && j.data.invoiceId === invoiceId);

test('the enqueue activity run again (retry) or concurrently adds one job; once delivered it adds none', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue });
  const fx = await insertInvoice(rq.orm, { total: 5000 });
  const { schedule, done } = await materialized(activities, fx);
  expect(schedule.map((r) => r.kind)).toEqual(['installment', 'installment', 'dunning', 'dunning', 'dunning']);
  expect(done).toEqual([]);
  // Materializing again (a retried activity) neither duplicates rows nor changes the schedule.
  expect(await materialized(activities, fx)).toEqual({ schedule, done });
  expect(await readReminders(rq.orm, fx.invoiceId)).toHaveLength(5);

  const key = 'dun-p1';
  const args = { tenantId: fx.tenantId, invoiceId: fx.invoiceId, key, amount: 5000 };
  const first = await activities.enqueueReminder(args);
  const again = await activities.enqueueReminder(args);
  await Promise.all(Array.from({ length: 5 }, () => activities.enqueueReminder(args)));
  expect(first).toEqual({ jobId: reminderJobId(fx.invoiceId, key), enqueued: true, status: 'queued' });
  expect(again.jobId).toBe(first.jobId);
  expect((await jobsOf(fx.invoiceId)).map((j) => j.id)).toEqual([first.jobId]);
  expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === key)).toMatchObject({ status: 'queued', amount: 5000 });

  const worker = rq.startWorker([outboxChannel(rq.orm)]);
  try {
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === key)).toMatchObject({ status: 'sent', channel: 'outbox', attempts: 1 }));
  } finally {
    await worker.close();
  }
  const [message] = await readOutbox(rq.orm, fx.invoiceId);
  expect(message).toMatchObject({ key, recipient: 'ada@example.test', subject: `Overdue: invoice ${fx.input.number} — $50.00 past due`, link: customerUrl(TEST_CONFIG, fx.invoiceId, 0) });
  expect(message.body).toContain('$50.00');
  // The pay page finds the link: the worker gave the invoice (made without one) its first link row.
  const [link] = await rq.orm.em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from invoice_pay_links where invoice_id = ? and token_hash = ?', [fx.invoiceId, tokenHash(message.link.split('/i/')[1])]);
  expect(link.n).toBe(1);

  // Even after the completed job is gone (removeOnComplete), Postgres says it was sent: no second job.
  await (await rq.queue.getJob(first.jobId))!.remove();
  expect(await activities.enqueueReminder(args)).toEqual({ jobId: first.jobId, enqueued: false, status: 'sent' });
  expect(await jobsOf(fx.invoiceId)).toHaveLength(0);
  expect(await readOutbox(rq.orm, fx.invoiceId)).toHaveLength(1);
  expect((await readEvents(rq.orm, fx.invoiceId)).filter((e) => e.type === 'reminder_sent')).toHaveLength(1);
});

test('a transient channel failure is retried by BullMQ and stored in the outbox once', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue, reminderJobOptions: { attempts: 4, backoff: { type: 'exponential', delay: 50 } } });
  const fx = await insertInvoice(rq.orm, { total: 1234 });
  await materialized(activities, fx);
  let calls = 0;
  const flaky: ReminderChannel = {
    name: 'flaky',
    async deliver() {
      if (++calls < 3) throw new Error(`mailer hiccup ${calls}`);
    },
  };
  const worker = rq.startWorker([outboxChannel(rq.orm), flaky]);
  try {
    const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p7', amount: 1234 });
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p7')).toMatchObject({ status: 'sent', attempts: 3, channel: 'outbox,flaky' }));
    expect(await (await rq.queue.getJob(jobId))!.getState()).toBe('completed');
  } finally {
    await worker.close();
  }
  expect(calls).toBe(3);
  expect(await readOutbox(rq.orm, fx.invoiceId)).toHaveLength(1);
});

test('a reminder that keeps failing ends failed — in Postgres, in history and in the failed set — and can be retried', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue, reminderJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 20 } } });
  const fx = await insertInvoice(rq.orm, { total: 900 });
  await materialized(activities, fx);
  const broken: ReminderChannel = {
    name: 'broken',
    async deliver() {
      throw new Error('smtp: connection refused');
    },
  };
  const failing = rq.startWorker([broken]);
  const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p14', amount: 900 });
  try {
    await eventually(async () =>
      expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'failed', attempts: 3 }),
    );
  } finally {
    await failing.close();
  }
  const job = (await rq.queue.getJob(jobId))!;
  expect(await job.getState()).toBe('failed');
  expect(job.attemptsMade).toBe(3);
  expect(job.failedReason).toBe('smtp: connection refused');
  const failedEvents = (await readEvents(rq.orm, fx.invoiceId)).filter((e) => e.type === 'reminder_failed');
  expect(failedEvents).toHaveLength(1);
  expect(failedEvents[0].data).toMatchObject({ key: 'dun-p14', attempts: 3, error: 'smtp: connection refused' });

  // An operator retries it (as from Bull Board) once the channel works again.
  const healthy = rq.startWorker([outboxChannel(rq.orm)]);
  try {
    await job.retry('failed');
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'sent' }));
  } finally {
    await healthy.close();
  }
  expect(await readOutbox(rq.orm, fx.invoiceId)).toHaveLength(1);
});

test('graceful shutdown finishes the in-flight job', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue });
  const fx = await insertInvoice(rq.orm, { total: 700 });
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
  const worker = rq.startWorker([slow, outboxChannel(rq.orm)]);
  await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p1', amount: 700 });
  await inFlight;
  await worker.close();
  expect(finished).toBe(true);
  expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')).toMatchObject({ status: 'sent', attempts: 1 });
  expect(await readOutbox(rq.orm, fx.invoiceId)).toHaveLength(1);
});
