/**
 * Reminder jobs as an operator meets them: in Bull Board (job name and data say whose reminder it is),
 * in the worker's log (failed attempts with their reason) and in its metrics (outcomes). Real Redis
 * and Postgres; jobs queued before the readable fields existed still go out.
 */
import { createReminderActivities } from '../../activities/reminders';
import { workerRegistry } from '../../lib/metrics';
import { outboxChannel, type ReminderChannel } from '../../worker/channels';
import { eventually, insertInvoice } from '../support/fixtures';
import { metricValue } from '../support/metrics';
import { materialized, readReminders, useReminderQueue } from '../support/reminders';

const rq = useReminderQueue('reminders-ops');
const reminderOutcome = async (outcome: string) => metricValue(await workerRegistry.metrics(), 'pc_reminders_total', { outcome });

test('a reminder job names the tenant, the invoice number and the recipient', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue });
  const fx = await insertInvoice(rq.orm, { total: 125000, currency: 'EUR' });
  await materialized(activities, fx);
  const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p1', amount: 125000 });

  const job = (await rq.queue.getJob(jobId))!;
  expect(job.name).toBe(`reminder ${fx.input.number} dun-p1`);
  expect(job.data).toEqual({
    reminderId: expect.any(String),
    tenantId: fx.tenantId,
    invoiceId: fx.invoiceId,
    key: 'dun-p1',
    kind: 'dunning',
    amount: 125000,
    tenantName: 'Test tenant',
    invoiceNumber: fx.input.number,
    recipient: 'Ada Customer <ada@example.test>',
    amountFormatted: '€1,250.00',
  });

  const sentBefore = await reminderOutcome('sent');
  const worker = rq.startWorker([outboxChannel(rq.orm)]);
  try {
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')).toMatchObject({ status: 'sent' }));
  } finally {
    await worker.close();
  }
  expect((await reminderOutcome('sent')) - sentBefore).toBe(1);
});

test('a job queued before the readable fields existed is still delivered', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue });
  const fx = await insertInvoice(rq.orm, { total: 4000 });
  await materialized(activities, fx);
  const [row] = (await readReminders(rq.orm, fx.invoiceId)).filter((r) => r.key === 'dun-p7');
  const id = (await rq.orm.em.fork().getConnection().execute<{ id: string }[]>('select id from reminders where invoice_id = ? and key = ?', [fx.invoiceId, row.key]))[0].id;
  await rq.queue.add('reminder', { reminderId: id, tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: row.key, kind: 'dunning', amount: 4000 }, { jobId: `old-${id}` });

  const worker = rq.startWorker([outboxChannel(rq.orm)]);
  try {
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p7')).toMatchObject({ status: 'sent', amount: null }));
  } finally {
    await worker.close();
  }
});

test('failed delivery attempts are logged with their reason and counted: retried, then failed', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue, reminderJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 20 } } });
  const fx = await insertInvoice(rq.orm, { total: 900 });
  await materialized(activities, fx);
  const logged: { level: string; line: string }[] = [];
  const log = { warn: (line: string) => void logged.push({ level: 'warn', line }), error: (line: string) => void logged.push({ level: 'error', line }) };
  const broken: ReminderChannel = {
    name: 'broken',
    async deliver() {
      throw new Error('smtp: connection refused');
    },
  };
  const [retriedBefore, failedBefore] = [await reminderOutcome('retried'), await reminderOutcome('failed')];
  const worker = rq.startWorker([broken], log);
  try {
    await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p14', amount: 900 });
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'failed', attempts: 2 }));
  } finally {
    await worker.close();
  }
  const what = `reminder dun-p14 of invoice ${fx.input.number} (tenant ${fx.tenantId})`;
  expect(logged).toEqual([
    { level: 'warn', line: `${what}: attempt 1 failed, BullMQ retries it: smtp: connection refused` },
    { level: 'error', line: `${what}: attempt 2 failed, no attempts left: smtp: connection refused` },
  ]);
  expect((await reminderOutcome('retried')) - retriedBefore).toBe(1);
  expect((await reminderOutcome('failed')) - failedBefore).toBe(1);
});
