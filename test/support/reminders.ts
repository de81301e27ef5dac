/**
 * Reminders end to end for tests: the time-skipping Temporal server, a Temporal worker with the real
 * activities and a reminder producer, and a real BullMQ reminder worker delivering to the Postgres
 * outbox — all on a queue name of their own in the shared test Redis.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxMessage, Reminder } from '../../db';
import { createReminderQueue, producerConnection, workerConnection, type ReminderJobData } from '../../lib/queues';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { createReminderActivities } from '../../activities/reminders';
import type { ReminderMessage } from '../../domain/reminder-message';
import { outboxChannel, type ReminderChannel } from '../../worker/channels';
import { createReminderWorker } from '../../worker/reminder-worker';
import { invoiceWorkflow } from '../../workflows/invoice';
import { invoiceWorkflowId } from '../../workflows/definitions';
import { createTestOrm } from './db';
import type { InvoiceFixture } from './fixtures';
import { createTimeSkippingEnv, uniqueTaskQueue, WORKFLOW_BUNDLE } from './temporal';
import { perFile } from './hooks';
import { REDIS_URL, TEST_PAY_LINK_SECRET } from './stack';

export { REDIS_URL };
export const TEST_CONFIG = { PUBLIC_BASE_URL: 'https://pay.example.test', REMINDER_FROM: 'billing@example.test', PAY_LINK_SECRET: TEST_PAY_LINK_SECRET };
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

export async function readReminders(orm: MikroORM, invoiceId: string) {
  const rows = await orm.em.fork().find(Reminder, { invoice: invoiceId }, { orderBy: [{ scheduledAt: 'asc' }, { key: 'asc' }] });
  return rows.map((r) => ({ key: r.key, kind: r.kind, status: r.status, at: r.scheduledAt.getTime(), amount: r.amount ?? null, skipReason: r.skipReason ?? null, attempts: r.attempts, channel: r.channel ?? null }));
}

export async function readOutbox(orm: MikroORM, invoiceId: string) {
  const rows = await orm.em.fork().find(OutboxMessage, { invoice: invoiceId }, { orderBy: { createdAt: 'asc' }, populate: ['reminder'] });
  return rows.map((m) => ({ key: m.reminder.key, recipient: m.recipient ?? null, subject: m.subject, body: m.body, link: m.link }));
}

/**
 * A reminder queue of the test file's own (name `<prefix>-<uuid>` in the shared test Redis) with its
 * ORM; `startWorker` adds reminder workers, all closed with the file.
 */
export function useReminderQueue(prefix: string) {
  return perFile(
    async () => {
      const orm = await createTestOrm();
      const producer = producerConnection(REDIS_URL);
      const naming = { name: `${prefix}-${randomUUID()}` };
      const queue = createReminderQueue(producer, naming);
      const consumers: ReturnType<typeof workerConnection>[] = [];
      return {
        orm,
        queue,
        startWorker(channels: ReminderChannel[], log: Pick<Console, 'warn' | 'error'> = { warn() {}, error() {} }) {
          const connection = workerConnection(REDIS_URL);
          consumers.push(connection);
          return createReminderWorker({ orm, connection, channels, config: TEST_CONFIG, queue: naming, onError: () => {}, log });
        },
        async close() {
          await queue.obliterate({ force: true }).catch(() => undefined);
          await queue.close();
          producer.disconnect();
          consumers.forEach((c) => c.disconnect());
          await orm.close();
        },
      };
    },
    { close: (q) => q.close() },
  );
}

/** The invoice's reminder schedule written as rows, as its workflow's first activity does. */
export function materialized(activities: ReturnType<typeof createReminderActivities>, fx: InvoiceFixture) {
  return activities.materializeReminders({
    tenantId: fx.tenantId,
    invoiceId: fx.invoiceId,
    plan: fx.input.plan.map((p) => ({ id: p.id, date: p.date })),
    dueDate: fx.dueDate,
    now: Date.now(),
  });
}

export async function startReminderHarness(prefix: string, opts: { redisUrl?: string; channels?: ReminderChannel[] } = {}) {
  const env = await createTimeSkippingEnv();
  const orm = await createTestOrm();
  const taskQueue = uniqueTaskQueue(prefix);
  const naming = { name: `reminders-${prefix}-${randomUUID()}` };
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const producer = producerConnection(redisUrl);
  const queue = createReminderQueue(producer, naming);
  const consumer = workerConnection(redisUrl);
  const delivered: ReminderMessage[] = [];
  const recorder: ReminderChannel = { name: 'recorder', deliver: async (m) => void delivered.push(m) };
  const reminderWorker = createReminderWorker({
    orm,
    connection: consumer,
    channels: opts.channels ?? [outboxChannel(orm), recorder],
    config: TEST_CONFIG,
    queue: naming,
    onError: () => {},
  });
  // No workflow cache: every workflow task replays the history from the start, so each test also
  // proves that replays never enqueue a reminder twice.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: WORKFLOW_BUNDLE,
    activities: createActivities({ orm, reminderQueue: queue }),
    maxCachedWorkflows: 0,
  });
  const running = worker.run();

  return {
    env,
    orm,
    queue,
    naming,
    taskQueue,
    delivered,
    worker,
    reminderWorker,
    start(fx: InvoiceFixture) {
      return env.client.workflow.start(invoiceWorkflow, { workflowId: invoiceWorkflowId(fx.invoiceId), taskQueue, args: [fx.input] });
    },
    async jobs(invoiceId?: string): Promise<Job<ReminderJobData>[]> {
      const all = await queue.getJobs([...JOB_STATES]);
      return all.filter((j) => j && (!invoiceId || j.data.invoiceId === invoiceId));
    },
    async skipTo(at: number) {
      const now = await env.currentTimeMs();
      if (at <= now) return;
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`time skipping to ${new Date(at).toISOString()} stalled`)), 20_000);
      });
      try {
        await Promise.race([env.sleep(at - now), stalled]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await reminderWorker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
      await env.teardown();
      await orm.close();
    },
  };
}
export type ReminderHarness = Awaited<ReturnType<typeof startReminderHarness>>;

/** The reminder harness for the whole file: started in beforeAll, closed in afterAll (see ./hooks). */
export function useReminderHarness(prefix: string, opts: Parameters<typeof startReminderHarness>[1] = {}): ReminderHarness {
  return perFile(() => startReminderHarness(prefix, opts), { close: (h) => h.close() });
}
