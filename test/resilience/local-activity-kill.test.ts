/**
 * The payment write is a local activity (persist-local-v1): it reaches Postgres before the workflow
 * task that accepted the Update is in history. A worker process SIGKILLed while that write runs, or
 * after it committed but before the task's completion reached the server, must still end with the
 * payment counted exactly once once the client has retried with its Idempotency-Key.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Client as PgClient } from 'pg';
import { temporal } from '@temporalio/proto';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { countWhere, invoiceRow } from '../support/api';
import { createInvoiceViaApi, createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { startWorkerProcess } from '../support/worker-process';

const { EventType } = temporal.api.enums.v1;
let stack: TestStack;
let worker: ChildProcess | undefined;
beforeAll(async () => {
  stack = await createTestStack({ worker: false });
}, 90_000);
afterAll(async () => {
  worker?.kill('SIGKILL');
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TEMPORAL = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

/**
 * A TCP proxy to Temporal that can swallow what the worker sends (its polls keep their answers
 * coming, its task completions never arrive): the worker runs a task whose outcome the server never learns.
 */
async function muteableProxy(): Promise<{ address: string; mute(): void; close(): void }> {
  const [host, port] = TEMPORAL.split(':');
  let muted = false;
  const sockets: Socket[] = [];
  const server: Server = createServer((down) => {
    const up = connect(Number(port), host);
    sockets.push(down, up);
    down.on('data', (chunk) => void (muted || up.write(chunk)));
    up.on('data', (chunk) => void down.write(chunk));
    for (const [a, b] of [[down, up], [up, down]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { address, mute: () => (muted = true), close: () => (server.close(), sockets.forEach((s) => s.destroy())) };
}

async function setup() {
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { total: 5000 });
  const handle = stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  // The run is quiet (its start, reminders and first write done) before the payment.
  for (;;) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && !(d.raw.pendingActivities?.length ?? 0) && (await countWhere(stack, 'reminders', 'invoice_id = ?', [invoice.id])) > 0) break;
    await sleep(100);
  }
  /** A well-behaved client: retries a 503 with the same Idempotency-Key. */
  const pay = async (amount: number, key: string) => {
    for (let attempt = 1; ; attempt++) {
      const res = await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount, method: 'wire_transfer', reference: key }, { 'idempotency-key': key });
      if (res.status === 201) return { body: res.body, attempts: attempt };
      if (res.status < 500 && res.body?.error?.code !== 'idempotency_in_progress') throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      await sleep(250);
    }
  };
  return { ...t, invoice, handle, pay };
}

/** What the server did with the workflow task the worker died in, and with the Update. */
async function taskStory(handle: ReturnType<TestStack['temporal']['workflow']['getHandle']>) {
  const events = (await handle.fetchHistory()).events!;
  const name = (t: number | null | undefined) => EventType[t ?? 0].replace('EVENT_TYPE_', '');
  return {
    types: events.map((e) => name(e.eventType)),
    accepted: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length,
    completed: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED).length,
    lost: events.filter((e) => [EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED].includes(e.eventType!)).length,
  };
}

async function expectCountedOnce(t: Awaited<ReturnType<typeof setup>>, amount: number) {
  expect(await invoiceRow(stack, t.invoice.id)).toMatchObject({ paid: amount, due: 5000 - amount });
  expect(await countWhere(stack, 'payments', 'invoice_id = ?', [t.invoice.id])).toBe(1);
  expect(await countWhere(stack, 'invoice_events', "invoice_id = ? and type = 'payment_applied'", [t.invoice.id])).toBe(1);
  expect(await t.handle.query(getInvoiceStateQuery)).toMatchObject({ paid: amount, due: 5000 - amount });
}

/** A new worker process takes the run over; the request waiting on it gets its 201, counted once, accepted and completed once. */
async function restartedWorkerCountsOnce(t: Awaited<ReturnType<typeof setup>>, paying: Promise<{ body: unknown }>, amount: number) {
  await sleep(500);
  worker = await startWorkerProcess(stack.taskQueue);
  const { body } = await paying;
  expect(body).toMatchObject({ amount });
  await expectCountedOnce(t, amount);
  const story = await taskStory(t.handle);
  expect(story).toMatchObject({ accepted: 1, completed: 1 });
  return story;
}

test('a worker killed while the local activity is writing: the payment is counted once after the client retries', async () => {
  worker = await startWorkerProcess(stack.taskQueue);
  const t = await setup();
  // Hold the invoice row: the local activity's transaction waits on it, uncommitted, when the worker dies.
  const pg = new PgClient({ connectionString: process.env.DATABASE_URL });
  await pg.connect();
  await pg.query('begin');
  await pg.query('select 1 from invoices where id = $1 for update', [t.invoice.id]);
  const paying = t.pay(1200, `la-kill-during-${t.invoice.id}`);
  for (;;) {
    // Its first statement (the payment insert's foreign key check) already waits on the row.
    const { rows } = await pg.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid() and datname = current_database()");
    if (rows[0].n > 0) break;
    await sleep(20);
  }
  worker.kill('SIGKILL');
  await pg.query('rollback');
  await pg.end();
  const story = await restartedWorkerCountsOnce(t, paying, 1200);
  expect(story.lost).toBeGreaterThanOrEqual(1);
}, 120_000);

test('a worker killed after the local activity committed, before its task completion reached the server: counted once', async () => {
  worker?.kill('SIGKILL');
  const proxy = await muteableProxy();
  worker = await startWorkerProcess(stack.taskQueue, { TEMPORAL_ADDRESS: proxy.address });
  const t = await setup();
  proxy.mute();
  const key = `la-kill-after-${t.invoice.id}`;
  const paying = t.pay(1200, key);
  // The write is in Postgres, the Update's acceptance nowhere in history.
  for (;;) {
    if ((await countWhere(stack, 'payments', 'invoice_id = ?', [t.invoice.id])) > 0) break;
    await sleep(10);
  }
  worker.kill('SIGKILL');
  proxy.close();
  expect((await taskStory(t.handle)).accepted).toBe(0);
  expect(await invoiceRow(stack, t.invoice.id)).toMatchObject({ paid: 1200 });
  await restartedWorkerCountsOnce(t, paying, 1200);
  // A second payment afterwards is written from the version the workflow knows (no reconcile left to do).
  await t.pay(800, `${key}-2`);
  expect(await invoiceRow(stack, t.invoice.id)).toMatchObject({ paid: 2000, due: 3000 });
}, 120_000);
