/**
 * Reminder delivery end to end: the enqueue activity (Postgres scheduled→queued + BullMQ add with a
 * deterministic job id) → the reminder worker → rendered row in the Postgres outbox + reminder marked
 * sent + history event. Reference: a bare BullMQ queue on the same Redis (add + no-op processor).
 * Bounded: each phase stops enqueuing at its time budget and waits for what it enqueued.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { createReminderActivities } from '../activities/reminders';
import { createOrm } from '../db/orm';
import { Contact, Invoice, Reminder, Tenant } from '../db';
import { createReminderQueue, producerConnection, workerConnection } from '../lib/queues';
import { outboxChannel } from '../worker/channels';
import { createReminderWorker } from '../worker/reminder-worker';
import { pool } from './pool';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'reminders';
const MAX_JOBS = 2_000;
const PRODUCERS = 16;
const CONSUMER_CONCURRENCY = 20;
const ENQUEUE_BUDGET_MS = 2_500;
const DRAIN_TIMEOUT_MS = 20_000;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const run: BenchSection = async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set; run the bench with npm run bench');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:56379';
  const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 30 } });
  const producer = producerConnection(redisUrl);
  const consumer = workerConnection(redisUrl);
  const naming = { name: `bench-reminders-${randomUUID()}` };
  const rawName = `bench-raw-${randomUUID()}`;
  const queue = createReminderQueue(producer, naming);
  const rawQueue = new Queue(rawName, { connection: producer });
  rawQueue.on('error', () => {});
  const tenantId = uuidv7();
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // ---- fixtures: one tenant/contact/invoice, MAX_JOBS scheduled reminder rows ----------------
    const em = orm.em.fork();
    const now = new Date();
    em.create(Tenant, { id: tenantId, name: 'bench reminders', plan: 'professional', timeZone: 'UTC', invoiceSequence: 0, createdAt: now, updatedAt: now });
    const contactId = uuidv7();
    em.create(Contact, { id: contactId, tenant: tenantId, name: 'Bench Customer', email: 'bench@example.test', createdAt: now, updatedAt: now });
    const invoiceId = uuidv7();
    em.create(Invoice, {
      id: invoiceId, tenant: tenantId, number: 'BENCH-1', contact: contactId, currency: 'USD', issueDate: '2099-01-01', dueDate: '2099-02-01',
      lineItems: [{ description: 'x', quantity: 1, unitAmount: 1000, amount: 1000 }], total: 1000, paid: 0, due: 1000, status: 'overdue', stateVersion: 1, createdAt: now, updatedAt: now,
    });
    await em.flush();
    const keys = Array.from({ length: MAX_JOBS }, (_, i) => `bench-${i}`);
    for (let i = 0; i < keys.length; i += 500) {
      await orm.em.fork().createQueryBuilder(Reminder).insert(
        keys.slice(i, i + 500).map((key) => ({
          id: uuidv7(), tenant: tenantId, invoice: invoiceId, key, kind: 'dunning', offset: 1, step: 1, scheduledAt: now, date: '2099-02-02',
          status: 'scheduled', attempts: 0, createdAt: now, updatedAt: now,
        })),
      ).execute();
    }
    const activities = createReminderActivities({ orm, reminderQueue: queue });
    await queue.waitUntilReady();
    await rawQueue.waitUntilReady();

    // ---- end to end --------------------------------------------------------------------------
    let delivered = 0;
    const worker = createReminderWorker({ orm, connection: consumer, channels: [outboxChannel(orm)], config: { PUBLIC_BASE_URL: 'http://127.0.0.1:3000', REMINDER_FROM: 'bench@example.test', PAY_LINK_SECRET: randomBytes(32).toString('hex') }, queue: naming, concurrency: CONSUMER_CONCURRENCY });
    closers.push(() => worker.close());
    worker.on('completed', () => void delivered++);
    await worker.waitUntilReady();
    const t0 = performance.now();
    const { done: enqueued } = await pool(MAX_JOBS, PRODUCERS, ENQUEUE_BUDGET_MS, (i) =>
      activities.enqueueReminder({ tenantId, invoiceId, key: keys[i], amount: 1000 }).then(() => undefined),
    );
    const enqueueMs = performance.now() - t0;
    await until(() => delivered >= enqueued, DRAIN_TIMEOUT_MS, 'reminders to be delivered');
    const e2eMs = performance.now() - t0;
    const sent = await orm.em.fork().count(Reminder, { invoice: invoiceId, status: 'sent' });
    if (sent !== enqueued) throw new Error(`expected ${enqueued} reminders sent, found ${sent}`);

    // ---- reference: bare BullMQ add + no-op processor on the same Redis ------------------------
    let processed = 0;
    const rawWorker = new Worker(rawName, async () => undefined, { connection: workerConnection(redisUrl), concurrency: CONSUMER_CONCURRENCY });
    rawWorker.on('error', () => {});
    closers.push(async () => {
      await rawWorker.close();
      (rawWorker.opts.connection as { disconnect?: () => void }).disconnect?.();
    });
    rawWorker.on('completed', () => void processed++);
    await rawWorker.waitUntilReady();
    const r0 = performance.now();
    const { done: rawAdded } = await pool(MAX_JOBS, PRODUCERS, ENQUEUE_BUDGET_MS, (i) => rawQueue.add('raw', { i }, { jobId: `raw-${i}`, removeOnComplete: true }).then(() => undefined));
    await until(() => processed >= rawAdded, DRAIN_TIMEOUT_MS, 'raw jobs to be processed');
    const rawMs = performance.now() - r0;

    const e2eRate = enqueued / (e2eMs / 1000);
    const rawRate = rawAdded / (rawMs / 1000);
    const rows: BenchRow[] = [
      {
        section: SECTION,
        metric: 'reminders delivered end to end',
        value: e2eRate,
        unit: '/s',
        reference: { label: 'raw BullMQ add+process /s', value: rawRate },
        ratio: e2eRate / rawRate,
        note: `${enqueued} reminders (enqueue activity → worker → outbox), ${PRODUCERS} producers, worker concurrency ${CONSUMER_CONCURRENCY}; ratio = value/reference (throughput, 1 = no overhead)`,
      },
      {
        section: SECTION,
        metric: 'enqueue activity (PG update + add)',
        value: enqueued / (enqueueMs / 1000),
        unit: '/s',
        note: 'Postgres scheduled→queued + BullMQ add with deterministic job id, while the worker drains',
      },
    ];
    return rows;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await rawQueue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
    await rawQueue.close().catch(() => undefined);
    producer.disconnect();
    consumer.disconnect();
    await orm.em.fork().nativeDelete(Tenant, { id: tenantId }).catch(() => undefined);
    await orm.close();
  }
};
