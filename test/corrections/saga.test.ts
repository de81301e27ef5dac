/**
 * The money movement saga across invoice workflows: a refusal midway undoes the parts that landed,
 * and a worker SIGKILLed between its steps finishes it on restart, every part applied exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { v7 as uuidv7 } from 'uuid';
import { partPaymentId } from '../../services/money-movements';
import { moneyMovementWorkflowId, type MoneyMovementInput } from '../../workflows/definitions';
import { countWhere, invoiceRow, newContact, newInvoice } from '../support/api';
import { createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { startWorkerProcess } from '../support/worker-process';

let stack: TestStack;
let worker: ChildProcess | undefined;
beforeAll(async () => {
  stack = await createTestStack({ worker: false });
  worker = await startWorkerProcess(stack.taskQueue);
}, 90_000);
afterAll(async () => {
  worker?.kill('SIGKILL');
  await stack?.close();
});

async function setup(count: number, total: number) {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request, 'Saga Payer');
  const invoices = [];
  for (let i = 0; i < count; i++) invoices.push(await newInvoice(t.request, contact.id, { lineItems: [{ description: 'Work', quantity: 1, unitAmount: total }] }));
  return { ...t, contact, invoices };
}

const creditOf = async (tenantId: string) => {
  const [row] = await stack.orm.em.fork().getConnection().execute<{ n: string | null }[]>('select sum(balance) as n from contact_credit_balances where tenant_id = ?', [tenantId]);
  return Number(row.n ?? 0);
};

test('a part refused midway (a race the API check could not see) undoes the parts that landed: nothing stays applied', async () => {
  const { tenantId, contact, invoices } = await setup(3, 1000);
  const movementId = uuidv7();
  // The third part asks more than is due: the workflow refuses it after the first two landed.
  const amounts = [1000, 600, 1200];
  const input: MoneyMovementInput = {
    tenantId,
    movementId,
    contactId: contact.id,
    currency: 'USD',
    source: { kind: 'payment', payment: { amount: 3000, date: '2026-12-01', method: 'wire_transfer', reference: 'race' } },
    parts: invoices.map((inv, i) => ({ invoiceId: inv.id, paymentId: partPaymentId(movementId, inv.id), amount: amounts[i] })),
    remainder: { paymentId: partPaymentId(movementId, 'remainder'), amount: 200 },
  };
  const run = stack.temporal.workflow.execute('moneyMovementWorkflow', { taskQueue: stack.taskQueue, workflowId: moneyMovementWorkflowId(movementId), args: [input] });
  await expect(run).rejects.toMatchObject({ cause: { type: 'conflict:overpayment', message: expect.stringContaining('nothing was applied') } });
  for (const inv of invoices) expect(await invoiceRow(stack, inv.id)).toMatchObject({ status: 'open', paid: 0, due: 1000 });
  // The landed parts are there, voided with the reason; the third never landed; no remainder.
  expect(await countWhere(stack, 'payments', 'parent_id = ? and voided_at is not null', [movementId])).toBe(2);
  expect(await countWhere(stack, 'payments', 'parent_id = ?', [movementId])).toBe(2);
  expect(await countWhere(stack, 'payments', 'id = ? and voided_at is not null and allocated', [movementId])).toBe(1);
  expect(await creditOf(tenantId)).toBe(0);
}, 60_000);

test('a worker killed between the saga steps: on restart every allocation lands exactly once and the remainder once', async () => {
  const PARTS = 8;
  const { tenantId, request, contact, invoices } = await setup(PARTS, 1000);
  const body = { contactId: contact.id, amount: PARTS * 1000 + 500, currency: 'USD', method: 'wire_transfer', reference: 'big wire', allocations: invoices.map((inv) => ({ invoiceId: inv.id, amount: 1000 })) };
  const key = `saga-kill-${contact.id}`;
  /** A well-behaved client: retries a 503 with the same Idempotency-Key. */
  const pay = async () => {
    for (;;) {
      const res = await request('POST', '/v1/payments', body, { 'idempotency-key': key });
      if (res.status === 201) return res.body;
      if (res.status < 500 && res.body?.error?.code !== 'idempotency_in_progress') throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const paying = pay();
  // Kill as soon as the first part is in Postgres: the saga is between its steps.
  let landedAtKill = 0;
  for (;;) {
    landedAtKill = await countWhere(stack, 'payments', 'tenant_id = ? and parent_id is not null', [tenantId]);
    if (landedAtKill > 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  worker!.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 1_000));
  worker = await startWorkerProcess(stack.taskQueue);
  const payment = await paying;

  expect(landedAtKill).toBeLessThan(PARTS);
  expect(payment.allocations).toHaveLength(PARTS + 1);
  for (const inv of invoices) expect(await invoiceRow(stack, inv.id)).toMatchObject({ status: 'paid', paid: 1000, due: 0 });
  expect(await countWhere(stack, 'payments', 'tenant_id = ? and parent_id = ?', [tenantId, payment.id])).toBe(PARTS + 1);
  expect(await countWhere(stack, 'payments', 'tenant_id = ? and voided_at is not null', [tenantId])).toBe(0);
  expect(await countWhere(stack, 'invoice_events', "tenant_id = ? and type = 'payment_applied'", [tenantId])).toBe(PARTS);
  expect(await creditOf(tenantId)).toBe(500);
}, 180_000);
