/**
 * Concurrent payment Updates to one invoice workflow while its local activity write is in flight
 * (held on a row lock for a few seconds). With SDK 1.24 and server 1.32 some of those Updates come
 * back rejected by the server, "wasn't processed by worker" (the worker logs "Trying to send a new
 * WFT for a run which already has one!" and "There are unprocessed protocol messages while
 * receiving new work"): a minimal reproduction, and the gateway that sends such an Update again.
 * See docs/scale.md ("Local activity writes").
 */
import { Client as PgClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Invoice } from '../../db';
import { applyPayment } from '../../services/invoice-workflow';
import { applyPaymentUpdate, getInvoiceStateQuery, invoiceWorkflowId, type PaymentInput } from '../../workflows/definitions';
import { countWhere, invoiceRow } from '../support/api';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONCURRENT = 20;

/** An invoice whose row the test holds: its workflow's first write waits, the Updates after it pile up. */
async function heldInvoice() {
  const { request } = await createTestTenant(stack);
  const { invoice, contact } = await createInvoiceViaApi(request, { total: 100_000 });
  const handle = stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));
  // The run's start (reminders, first write) done.
  await sleep(1_500);
  const pg = new PgClient({ connectionString: process.env.DATABASE_URL });
  await pg.connect();
  await pg.query('begin');
  await pg.query('select 1 from invoices where id = $1 for update', [invoice.id]);
  const payment = (i: number): PaymentInput => ({ paymentId: uuidv7(), contactId: contact.id, amount: 100, currency: 'USD', date: '2026-11-01', method: 'cash', reference: `c-${i}`, source: 'manual' });
  const release = async () => {
    await pg.query('rollback');
    await pg.end();
  };
  return { invoice, handle, payment, release };
}

async function storedOnce(invoiceId: string, paid: number) {
  expect(await invoiceRow(stack, invoiceId)).toMatchObject({ paid });
  expect(await countWhere(stack, 'payments', 'invoice_id = ?', [invoiceId])).toBe(paid / 100);
  expect(await countWhere(stack, 'invoice_events', "invoice_id = ? and type = 'payment_applied'", [invoiceId])).toBe(paid / 100);
  expect((await stack.temporal.workflow.getHandle(invoiceWorkflowId(invoiceId)).query(getInvoiceStateQuery)).paid).toBe(paid);
}

test('reproduction: Updates sent while the local activity runs may be rejected unprocessed; none of them is half applied', async () => {
  const { invoice, handle, payment, release } = await heldInvoice();
  const pay = (p: PaymentInput) =>
    handle.executeUpdate(applyPaymentUpdate, { args: [p], updateId: `payment-${p.paymentId}` }).then(
      () => 'ok',
      (e: Error) => `${e.constructor.name}: ${(e.cause as Error | undefined)?.message ?? e.message}`,
    );
  const first = pay(payment(0));
  await sleep(300);
  const rest = Array.from({ length: CONCURRENT }, (_, i) => pay(payment(i + 1)));
  await sleep(3_000);
  await release();
  const outcomes = await Promise.all([first, ...rest]);
  const summary: Record<string, number> = {};
  for (const o of outcomes) summary[o] = (summary[o] ?? 0) + 1;
  // Seen in every run here: 1-4 of the 21 rejected, "Workflow Update is rejected because it wasn't processed by worker".
  process.stdout.write(`concurrent Updates during a local activity: ${JSON.stringify(summary)}\n`);
  for (const o of outcomes.filter((x) => x !== 'ok')) expect(o).toMatch(/WorkflowUpdateFailedError: Workflow Update is rejected because it wasn't processed by worker/);
  // A rejected Update applied nothing: the workflow and Postgres count exactly the accepted ones.
  await storedOnce(invoice.id, outcomes.filter((o) => o === 'ok').length * 100);
}, 60_000);

test('through the gateway every one of them is applied once (it sends an unprocessed Update again)', async () => {
  const { invoice, payment, release } = await heldInvoice();
  const row = await stack.deps.em.findOneOrFail(Invoice, { id: invoice.id });
  const pay = (p: PaymentInput) => applyPayment(stack.deps, row, p);
  const first = pay(payment(0));
  await sleep(300);
  const rest = Array.from({ length: CONCURRENT }, (_, i) => pay(payment(i + 1)));
  await sleep(3_000);
  await release();
  const results = await Promise.all([first, ...rest]);
  expect(results.every((r) => r.duplicate === false)).toBe(true);
  await storedOnce(invoice.id, (CONCURRENT + 1) * 100);
}, 60_000);
