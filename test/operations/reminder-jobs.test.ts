/**
 * Reminder jobs as an operator meets them: in Bull Board (job name and data say whose reminder it is),
 * in the worker's log (failed attempts with their reason) and in its metrics (outcomes). Real Redis
 * and Postgres; jobs queued before the readable fields existed still go out.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { createReminderActivities } from '../../activities/reminders';
import { workerRegistry } from '../../lib/metrics';
import { createReminderQueue, producerConnection, workerConnection, type ReminderJobData } from '../../lib/queues';
import { outboxChannel, type ReminderChannel } from '../../worker/channels';
import { createReminderWorker } from '../../worker/reminder-worker';
import { createTestOrm } from '../support/db';
import { eventually, insertInvoice, type InvoiceFixture } from '../support/fixtures';
import { metricValue } from '../support/metrics';
import { readReminders, REDIS_URL, TEST_CONFIG } from '../support/reminders';

let orm: MikroORM;
let queue: Queue<ReminderJobData>;
const producer = producerConnection(REDIS_URL);
const consumers: ReturnType<typeof workerConnection>[] = [];
const naming = { name: `reminders-ops-${randomUUID()}` };

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

function startWorker(channels: ReminderChannel[], log: Pick<Console, 'warn' | 'error'> = { warn() {}, error() {} }) {
  const connection = workerConnection(REDIS_URL);
  consumers.push(connection);
  return createReminderWorker({ orm, connection, channels, config: TEST_CONFIG, queue: naming, onError: () => {}, log });
}

async function materialized(activities: ReturnType<typeof createReminderActivities>, fx: InvoiceFixture) {
  await activities.materializeReminders({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, plan: fx.input.plan.map((p) => ({ id: p.id, date: p.date })), dueDate: fx.dueDate, now: Date.now() });
}
const reminderOutcome = async (outcome: string) => metricValue(await workerRegistry.metrics(), 'pc_reminders_total', { outcome });

test('a reminder job names the tenant, the invoice number and the recipient', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue });
  const fx = await insertInvoice(orm, { total: 125000, currency: 'EUR' });
  await materialized(activities, fx);
  const { jobId } = await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p1', amount: 125000 });

  const job = (await queue.getJob(jobId))!;
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
  const worker = startWorker([outboxChannel(orm)]);
  try {
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')).toMatchObject({ status: 'sent' }));
  } finally {
    await worker.close();
  }
  expect((await reminderOutcome('sent')) - sentBefore).toBe(1);
});

test('a job queued before the readable fields existed is still delivered', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue });
  const fx = await insertInvoice(orm, { total: 4000 });
  await materialized(activities, fx);
  const [row] = (await readReminders(orm, fx.invoiceId)).filter((r) => r.key === 'dun-p7');
  const id = (await orm.em.fork().getConnection().execute<{ id: string }[]>('select id from reminders where invoice_id = ? and key = ?', [fx.invoiceId, row.key]))[0].id;
  await queue.add('reminder', { reminderId: id, tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: row.key, kind: 'dunning', amount: 4000 }, { jobId: `old-${id}` });

  const worker = startWorker([outboxChannel(orm)]);
  try {
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p7')).toMatchObject({ status: 'sent', amount: null }));
  } finally {
    await worker.close();
  }
});

test('failed delivery attempts are logged with their reason and counted: retried, then failed', async () => {
  const activities = createReminderActivities({ orm, reminderQueue: queue, reminderJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 20 } } });
  const fx = await insertInvoice(orm, { total: 900 });
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
  const worker = startWorker([broken], log);
  try {
    await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p14', amount: 900 });
    await eventually(async () => expect((await readReminders(orm, fx.invoiceId)).find((r) => r.key === 'dun-p14')).toMatchObject({ status: 'failed', attempts: 2 }));
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
