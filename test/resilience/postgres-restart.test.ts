/**
 * Postgres restarts in the middle of a stream of payments (a private server of this test's own,
 * stopped and started again). Every payment is retried with its Idempotency-Key until it gets a
 * final answer. While the database is down answers are 503 with Retry-After — never a 500 — and
 * afterwards every invoice's paid equals its accepted payments, each recorded exactly once.
 */
import { migrate } from '../../db/orm';
import { createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { newContact, newInvoice } from '../support/api';
import { startPrivatePostgres, type PrivatePostgres } from '../support/postgres';

const INVOICES = 4;
const PAYMENTS_PER_INVOICE = 40;
const AMOUNT = 500;
const DOWN_FOR_MS = 3_000;

let pg: PrivatePostgres;
let stack: TestStack;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  stack = await createTestStack({ databaseUrl: pg.url });
  await migrate(stack.orm);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await pg?.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a Postgres restart mid-stream: 503s with Retry-After while down, then every payment counted once', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request);
  const invoices = [];
  for (let i = 0; i < INVOICES; i++) invoices.push(await newInvoice(t.request, contact.id, { lineItems: [{ description: 'Work', quantity: 1, unitAmount: 100_000 }] }));

  const statuses: number[] = [];
  let missingRetryAfter = 0;
  const accepted = new Map<string, number>();
  /** One client: retries its payment with the same key until the answer is final. */
  async function pay(invoiceId: string, key: string) {
    for (;;) {
      const res = await t.request('POST', `/v1/invoices/${invoiceId}/payments`, { amount: AMOUNT, method: 'wire_transfer' }, { 'idempotency-key': key });
      statuses.push(res.status);
      if (res.status === 201) {
        accepted.set(key, res.body.amount);
        return;
      }
      if (res.status === 503 && !res.headers['retry-after']) missingRetryAfter++;
      if (res.status !== 503 && !(res.status === 409 && res.body.error.code === 'idempotency_in_progress')) throw new Error(`final ${res.status}: ${JSON.stringify(res.body)}`);
      await pause(200);
    }
  }

  const jobs = invoices.flatMap((inv) => Array.from({ length: PAYMENTS_PER_INVOICE }, (_, i) => ({ invoiceId: inv.id, key: `${inv.id}-${i}` })));
  let next = 0;
  const clients = Array.from({ length: 6 }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await pay(job.invoiceId, job.key);
    }
  });
  // Let the stream get going, then restart the database under it.
  while (accepted.size < 8) await pause(50);
  const stopping = pg.stop();
  await pause(100);
  // Still mid-stream while the database goes (a payment takes one workflow task: they are quick).
  expect(accepted.size).toBeLessThan(jobs.length);
  await stopping;
  // While it is down an answer that needs it is a 503 with Retry-After. Asked for until one comes:
  // the payments in flight may all be waiting (their writes retry in the workflow, the pool waits
  // for a connection) and then succeed once it is back, which would leave the outage unobserved.
  const downSince = Date.now();
  let seenDown = false;
  while (!seenDown && Date.now() - downSince < 20_000) {
    const res = await t.request('GET', `/v1/invoices/${invoices[0].id}`);
    statuses.push(res.status);
    seenDown = res.status === 503;
    if (seenDown && !res.headers['retry-after']) missingRetryAfter++;
    if (!seenDown) await pause(100);
  }
  await pause(DOWN_FOR_MS);
  await pg.start();
  await Promise.all(clients);

  expect(statuses).not.toContain(500);
  expect(statuses).toContain(503);
  expect(missingRetryAfter).toBe(0);
  expect(accepted.size).toBe(jobs.length);
  for (const inv of invoices) {
    const detail = await t.request('GET', `/v1/invoices/${inv.id}`);
    expect({ paid: detail.body.paid, payments: detail.body.payments.length }).toEqual({ paid: PAYMENTS_PER_INVOICE * AMOUNT, payments: PAYMENTS_PER_INVOICE });
  }
}, 120_000);
