/**
 * The Temporal server itself is killed (SIGKILL) in the middle of a stream of payments and
 * restarted on the same SQLite file. Clients retry with their Idempotency-Key; every payment ends
 * up applied exactly once and the workflow's state survives the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { Invoice, Payment } from '../../db/entities';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { createInvoiceViaApi, createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { freePort } from '../support/net';
import { searchAttributeFlags } from '../support/temporal';

const TEMPORAL_CLI = join(__dirname, '..', '..', '.tools', 'temporal', 'bin', 'temporal');
const dataDir = mkdtempSync(join(tmpdir(), 'pc-temporal-'));
let server: ChildProcess | undefined;
let stack: TestStack | undefined;
let port = 0;

async function startServer(): Promise<void> {
  server = spawn(
    TEMPORAL_CLI,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--db-filename', join(dataDir, 'temporal.db'), '--log-level', 'error',
      ...searchAttributeFlags()],
    { stdio: 'ignore' },
  );
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    try {
      const conn = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('private Temporal dev server did not start');
}

beforeAll(async () => {
  port = await freePort();
  await startServer();
  stack = await createTestStack({ temporalAddress: `127.0.0.1:${port}` });
}, 90_000);
afterAll(async () => {
  await stack?.close();
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('payments survive a Temporal server restart and are applied exactly once', async () => {
  const { request } = await createTestTenant(stack!);
  const { invoice } = await createInvoiceViaApi(request, { total: 10_000 });
  const PAYMENTS = 30;
  let succeeded = 0;
  let started = 0;
  let inFlightAtKill = 0;
  let succeededAfterRestart = 0;
  let restarted = false;
  async function pay(i: number) {
    started++;
    for (;;) {
      const res = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash', reference: `cash-${i}` }, { 'idempotency-key': `restart-${invoice.id}-${i}` });
      if (res.status === 201) {
        succeeded++;
        if (restarted) succeededAfterRestart++;
        return;
      }
      if (res.status < 500 && res.body?.error?.code !== 'idempotency_in_progress') throw new Error(`payment ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const restart = (async () => {
    while (succeeded < 8) await new Promise((r) => setTimeout(r, 10));
    inFlightAtKill = started - succeeded;
    server!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    await startServer();
    restarted = true;
  })();
  let next = 0;
  await Promise.all(Array.from({ length: 3 }, async () => { while (next < PAYMENTS) await pay(next++); }));
  await restart;

  expect(succeeded).toBe(PAYMENTS);
  // The kill really hit payments in flight, and the stream went on against the restarted server.
  expect(inFlightAtKill).toBeGreaterThan(0);
  expect(succeededAfterRestart).toBeGreaterThan(0);
  const em = stack!.orm.em.fork();
  const rows = await em.find(Payment, { invoice: invoice.id });
  expect(rows).toHaveLength(PAYMENTS);
  expect(new Set(rows.map((r) => r.reference)).size).toBe(PAYMENTS);
  const stored = await em.findOneOrFail(Invoice, { id: invoice.id });
  expect({ paid: stored.paid, due: stored.due }).toEqual({ paid: 3_000, due: 7_000 });
  const live = await stack!.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id)).query(getInvoiceStateQuery);
  expect(live).toMatchObject({ paid: 3_000, due: 7_000 });
}, 180_000);

test('a server restart while the local activity writes: the Update is forgotten, the client retries it, it is counted once', async () => {
  // The write (a local activity) reaches Postgres before the Update's acceptance is in history; the
  // server keeps an Update it has not written to history only in memory, so a restart forgets it.
  const { request } = await createTestTenant(stack!);
  const { invoice } = await createInvoiceViaApi(request, { total: 5_000 });
  const handle = stack!.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (;;) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && !(d.raw.pendingActivities?.length ?? 0)) break;
    await sleep(100);
  }
  await sleep(1_000);
  // Hold the invoice row: the local activity waits on it inside the workflow task that took the Update.
  const pg = new PgClient({ connectionString: process.env.DATABASE_URL });
  await pg.connect();
  await pg.query('begin');
  await pg.query('select 1 from invoices where id = $1 for update', [invoice.id]);
  let attempts = 0;
  const paying = (async () => {
    for (;;) {
      attempts++;
      const res = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 1_200, method: 'cash', reference: 'la-restart' }, { 'idempotency-key': `la-restart-${invoice.id}` });
      if (res.status === 201) return res.body;
      if (res.status < 500 && res.body?.error?.code !== 'idempotency_in_progress') throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      await sleep(300);
    }
  })();
  for (;;) {
    const { rows } = await pg.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid() and datname = current_database()");
    if (rows[0].n > 0) break;
    await sleep(20);
  }
  server!.kill('SIGKILL');
  await sleep(1_000);
  await startServer();
  // The write commits now, for an Update the restarted server knows nothing of.
  await pg.query('rollback');
  await pg.end();
  const em = () => stack!.orm.em.fork();
  for (;;) {
    if ((await em().count(Payment, { invoice: invoice.id })) > 0) break;
    await sleep(20);
  }
  const body = await paying;
  expect(body).toMatchObject({ amount: 1_200 });
  expect(await em().count(Payment, { invoice: invoice.id })).toBe(1);
  expect(await em().findOneOrFail(Invoice, { id: invoice.id })).toMatchObject({ paid: 1_200, due: 3_800 });
  expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ paid: 1_200, due: 3_800 });
  const events = (await handle.fetchHistory()).events!.map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0].replace('EVENT_TYPE_', ''));
  // Accepted once, by the workflow task after the restart; its write found the row ahead (the
  // forgotten task's write) and reconciled: two local activity markers before the completion.
  expect(events.filter((e) => e === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
  expect(events.slice(events.indexOf('WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).filter((e) => e === 'MARKER_RECORDED').length).toBeGreaterThanOrEqual(2);
  expect(attempts).toBeGreaterThanOrEqual(1);
}, 120_000);
