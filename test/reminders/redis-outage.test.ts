/**
 * Redis goes down while a reminder is due: the enqueue activity fails fast and Temporal retries it;
 * once Redis is back the reminder is delivered — late, once. Uses a throwaway redis-server on its own
 * loopback port (the shared test Redis is never stopped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { addDays, dateIn } from '../../domain/dates';
import { reminderJobId } from '../../domain/reminders';
import { addWithDeadline, createReminderQueue, producerConnection } from '../../lib/queues';
import { eventually, insertInvoice } from '../support/fixtures';
import { freePort } from '../support/net';
import { readOutbox, readReminders, startReminderHarness, type ReminderHarness } from '../support/reminders';

const MINUTE = 60_000;
let port: number;
let redis: ChildProcess | undefined;
let h: ReminderHarness | undefined;

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await eventually(async () => {
      if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
      expect(await probe.ping()).toBe('PONG');
    }, 10_000);
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  // The enqueue activity is expected to fail many times here; keep those warnings out of the output.
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    /* already installed */
  }
  port = await freePort();
  await startRedis();
  h = await startReminderHarness('rem-outage', { redisUrl: `redis://127.0.0.1:${port}` });
});
afterAll(async () => {
  if (!redis) await startRedis().catch(() => undefined); // lets the harness close its queues cleanly
  await h?.close();
  await stopRedis();
});

test('the producer fails fast while Redis is down instead of hanging', async () => {
  const data = { reminderId: 'x', tenantId: 't', invoiceId: 'i', key: 'k', kind: 'dunning' as const, amount: 1 };
  // A queue that was connected when Redis went away.
  const connected = producerConnection(`redis://127.0.0.1:${port}`);
  const q1 = createReminderQueue(connected, { name: 'fail-fast-probe' });
  await q1.waitUntilReady();
  await stopRedis();
  // And one created while Redis is down (a worker started during the outage).
  const fresh = producerConnection(`redis://127.0.0.1:${port}`);
  const q2 = createReminderQueue(fresh, { name: 'fail-fast-probe' });
  try {
    for (const queue of [q1, q2]) {
      const started = Date.now();
      await expect(addWithDeadline(queue, 'reminder', data, { jobId: 'probe' }, 2_000)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  } finally {
    for (const [queue, connection] of [[q1, connected], [q2, fresh]] as const) {
      connection.disconnect();
      await queue.close().catch(() => undefined);
    }
    await startRedis();
  }
});

test('Redis stopped and restarted around a reminder instant: delivered afterwards, once', async () => {
  const harness = h!;
  const now = await harness.env.currentTimeMs();
  const issueDate = addDays(dateIn(now, 'UTC'), 1);
  const fx = await insertInvoice(harness.orm, { now, total: 2500, issueDate, dueDate: addDays(issueDate, 10) });
  const handle = await harness.start(fx);
  const [first] = await eventually(async () => {
    const rows = await readReminders(harness.orm, fx.invoiceId);
    expect(rows.length).toBe(5);
    return rows;
  });
  expect(first.key).toBe(`inst-${fx.input.plan[0].id}-m3`);

  await stopRedis();
  await harness.skipTo(first.at + MINUTE);
  // The enqueue activity is failing and being retried by Temporal, not hanging and not given up.
  const pending = await eventually(async () => {
    const desc = await handle.describe();
    const activity = desc.raw.pendingActivities?.find((a) => a.activityType?.name === 'enqueueReminder');
    expect(activity?.attempt ?? 0).toBeGreaterThanOrEqual(2);
    return activity!;
  }, 30_000);
  expect(pending.lastFailure?.message).toBeTruthy();
  expect((await readReminders(harness.orm, fx.invoiceId))[0].status).toBe('queued');
  expect(await readOutbox(harness.orm, fx.invoiceId)).toHaveLength(0);

  await startRedis();
  // Let the retry backoff elapse on the test server's clock (still before the next reminder).
  await harness.skipTo(first.at + 5 * MINUTE);
  await eventually(async () => expect((await readReminders(harness.orm, fx.invoiceId))[0].status).toBe('sent'), 30_000);
  expect((await readOutbox(harness.orm, fx.invoiceId)).map((m) => m.key)).toEqual([first.key]);
  expect((await harness.jobs(fx.invoiceId)).map((j) => j.id)).toEqual([reminderJobId(fx.invoiceId, first.key)]);
  expect(harness.delivered.filter((m) => m.invoiceId === fx.invoiceId)).toHaveLength(1);
  expect((await readReminders(harness.orm, fx.invoiceId)).slice(1).every((r) => r.status === 'scheduled')).toBe(true);
}, 90_000);
