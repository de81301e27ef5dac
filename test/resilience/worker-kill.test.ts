/**
 * A worker process is SIGKILLed in the middle of a stream of payments and started again.
 * Every payment must end up applied exactly once: clients retry with their Idempotency-Key,
 * the workflow dedupes by payment id, and persistence is idempotent.
 */
import type { ChildProcess } from 'node:child_process';
import { Invoice, Payment } from '../../db/entities';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { createInvoiceViaApi, createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { startWorkerProcess } from '../support/worker-process';

let stack: TestStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  stack = await createTestStack({ worker: false });
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await stack?.close();
});

test('payments survive a worker killed mid-stream and are applied exactly once', async () => {
  worker = await startWorkerProcess(stack.taskQueue);
  const { request } = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(request, { total: 10_000 });

  const PAYMENTS = 40;
  let succeeded = 0;
  const attempts: number[] = [];
  /** A well-behaved client: retries transient failures with the same Idempotency-Key. */
  async function pay(i: number) {
    started++;
    for (let attempt = 1; ; attempt++) {
      const res = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'wire_transfer', reference: `wire-${i}` }, { 'idempotency-key': `stream-${invoice.id}-${i}` });
      if (res.status === 201) {
        succeeded++;
        attempts.push(attempt);
        return res.body;
      }
      if (res.status < 500 && res.body?.error?.code !== 'idempotency_in_progress') throw new Error(`payment ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  let started = 0;
  let inFlightAtKill = 0;
  const killer = (async () => {
    while (succeeded < 10) await new Promise((r) => setTimeout(r, 20));
    inFlightAtKill = started - succeeded;
    worker!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    worker = await startWorkerProcess(stack.taskQueue);
  })();

  const results: unknown[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < PAYMENTS) results.push(await pay(next++));
    }),
  );
  await killer;

  expect(results).toHaveLength(PAYMENTS);
  expect(inFlightAtKill).toBeGreaterThan(0); // the kill really interrupted payments in flight
  const em = stack.orm.em.fork();
  const rows = await em.find(Payment, { invoice: invoice.id });
  expect(rows).toHaveLength(PAYMENTS);
  expect(new Set(rows.map((r) => r.reference)).size).toBe(PAYMENTS);
  expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(PAYMENTS * 100);
  const stored = await em.findOneOrFail(Invoice, { id: invoice.id });
  expect({ paid: stored.paid, due: stored.due, status: stored.status }).toEqual({ paid: 4_000, due: 6_000, status: 'open' });
  const live = await stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id)).query(getInvoiceStateQuery);
  expect(live).toMatchObject({ paid: 4_000, due: 6_000 });
}, 180_000);
