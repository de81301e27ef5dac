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
