/**
 * A real in-process stack for API tests: Postgres (test DB), Redis, the Temporal dev server, a
 * worker on its own task queue, and the Fastify app. `inject` exercises the full HTTP pipeline.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Connection } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { createTenant } from '../../services/tenants';
import { scopeOf, type ProcessDeps, type ServiceDeps } from '../../services/context';
import { createTestOrm } from './db';
import { connectDevServer, startWorker, uniqueTaskQueue } from './temporal';
import { perFile } from './hooks';
import { startWebhookDispatcher } from '../../worker/webhook-dispatcher';
import { createReminderQueue, producerConnection } from '../../lib/queues';

/** The shared test Redis (scripts/test.sh starts it). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:56379';

/** What the test stacks derive pay-page tokens with (production's comes from the environment). */
export const TEST_PAY_LINK_SECRET = randomBytes(32).toString('hex');

export interface TestStack {
  app: FastifyInstance;
  orm: MikroORM;
  redis: Redis;
  temporal: Client;
  nativeConnection: NativeConnection;
  taskQueue: string;
  /** The long-lived connections the app holds (its config object is shared: tests may change it). */
  process: ProcessDeps;
  /** A fresh unit of work (its own EntityManager fork) for calling services directly. */
  readonly deps: ServiceDeps;
  worker: { stop(): Promise<void> } | null;
  /** The webhook dispatcher beside the worker; stop() returns once every send in flight is recorded. */
  webhooks: { stop(): Promise<void> } | null;
  close(): Promise<void>;
}

export async function createTestStack(opts: { worker?: boolean; taskQueue?: string; temporalAddress?: string; databaseUrl?: string } = {}): Promise<TestStack> {
  const orm = await createTestOrm(opts.databaseUrl);
  const { client, connection, nativeConnection } = await connectDevServer(opts.temporalAddress);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const taskQueue = opts.taskQueue ?? uniqueTaskQueue('api-test');
  const config = { TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: TEST_PAY_LINK_SECRET };
  const processDeps: ProcessDeps = { orm, temporal: client, config };
  // Reminders are enqueued as in production, on a queue of the stack's own that nothing consumes.
  const reminderProducer = opts.worker === false ? null : producerConnection(REDIS_URL);
  const reminderQueue = reminderProducer && createReminderQueue(reminderProducer, { name: `reminders-${taskQueue}` });
  const temporalWorker = reminderQueue && (await startWorker({ connection: nativeConnection, taskQueue, orm, process: processDeps, reminderQueue }));
  // The worker process also runs the webhook dispatcher; it reads the (shared, changeable) config.
  const webhooks = temporalWorker && startWebhookDispatcher({ orm, config, lanes: 2 });
  const worker = temporalWorker && {
    stop: async () => {
      await Promise.all([webhooks?.stop(), temporalWorker.stop()]);
      await reminderQueue?.obliterate({ force: true }).catch(() => undefined);
      await reminderQueue?.close();
      reminderProducer?.disconnect();
    },
  };
  const app = await buildApp({ ...processDeps, redis });
  await app.ready();
  return {
    app,
    orm,
    redis,
    temporal: client,
    nativeConnection,
    taskQueue,
    process: processDeps,
    get deps() {
      return scopeOf(processDeps);
    },
    worker,
    webhooks,
    async close() {
      await app.close();
      await worker?.stop();
      await Promise.allSettled([(connection as Connection).close(), nativeConnection.close(), redis.quit(), orm.close()]);
    },
  };
}

/** The test stack for the whole file: created in beforeAll, closed in afterAll (see ./hooks). */
export function useTestStack(opts: Parameters<typeof createTestStack>[0] = {}): TestStack {
  return perFile(() => createTestStack(opts), { close: (stack) => stack.close() });
}

/** A fresh tenant (isolation between tests) and an authorized request helper. */
export async function createTestTenant(stack: TestStack, plan = 'professional', timeZone = 'UTC') {
  const { tenantId, apiKey } = await createTenant(stack.deps, { name: `tenant-${Date.now()}`, plan, timeZone });
  const request = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await stack.app.inject({ method, url, payload: body as never, headers: { authorization: `Bearer ${apiKey}`, ...headers } });
    return { status: res.statusCode, body: res.body ? safeJson(res.body) : undefined, headers: res.headers };
  };
  return { tenantId, apiKey, request };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A contact plus an invoice of `total` (one line) with sensible dates, created through the API. */
export async function createInvoiceViaApi(
  request: Awaited<ReturnType<typeof createTestTenant>>['request'],
  opts: { total?: number; currency?: string; issueDate?: string; dueDate?: string; paymentPlan?: unknown[]; number?: string } = {},
) {
  const contact = await request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' });
  if (contact.status !== 201) throw new Error(`contact: ${contact.status} ${JSON.stringify(contact.body)}`);
  const res = await request('POST', '/v1/invoices', {
    contactId: contact.body.id,
    currency: opts.currency ?? 'USD',
    issueDate: opts.issueDate ?? '2026-11-01',
    dueDate: opts.dueDate ?? '2099-12-31',
    lineItems: [{ description: 'Consulting', quantity: 1, unitAmount: opts.total ?? 5000 }],
    ...(opts.paymentPlan && { paymentPlan: opts.paymentPlan }),
    ...(opts.number && { number: opts.number }),
  });
  if (res.status !== 201) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`);
  return { contact: contact.body, invoice: res.body };
}
