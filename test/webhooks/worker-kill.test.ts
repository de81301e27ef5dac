/**
 * The worker process (Temporal worker + webhook dispatcher) is SIGKILLed while a delivery is in
 * flight (the receiver holds the request open) and started again: every event the history holds is
 * delivered, in sequence order per invoice; a repeat only ever carries an event id already sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInvoiceViaApi, createTestStack, createTestTenant, type TestStack } from '../support/stack';
import { fastWebhooks, startReceiver, waitFor, WEBHOOK_TEST_ENCRYPTION_KEY, type Receiver } from '../support/webhooks';

const ROOT = join(__dirname, '..', '..');
let stack: TestStack;
let worker: ChildProcess | undefined;
let receiver: Receiver;

function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  // One process (no tsx CLI wrapper), so SIGKILL really kills it.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
      ENCRYPTION_KEY: WEBHOOK_TEST_ENCRYPTION_KEY,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_MS: '25',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '200',
      // The held delivery's lease (timeout + 1 s) ends soon after the restart: it is sent again then.
      WEBHOOK_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${output}`)));
  });
}

beforeAll(async () => {
  stack = await createTestStack({ worker: false });
  fastWebhooks(stack);
  receiver = await startReceiver();
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await receiver?.close();
  await stack?.close();
});

test('a dispatcher killed mid-delivery and restarted delivers every event, in order per invoice', async () => {
  worker = await startWorkerProcess(stack.taskQueue);
  const { request, tenantId } = await createTestTenant(stack);
  expect((await request('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['invoice.created', 'payment.created', 'invoice.paid'] })).status).toBe(201);
  // The third request is held open: the worker is killed while it waits for the answer.
  let held = false;
  receiver.answers.push(200, 200, () => ((held = true), 'hang'));

  const INVOICES = 4;
  const invoices = await Promise.all(Array.from({ length: INVOICES }, () => createInvoiceViaApi(request, { total: 3000 }).then((r) => r.invoice)));
  const pay = (id: string, amount: number) => request('POST', `/v1/invoices/${id}/payments`, { amount, method: 'cash' }, { 'idempotency-key': `${id}-${amount}` });
  await waitFor(() => held, 'a delivery in flight');
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker!.once('exit', resolve));
  // Payments arrive while no worker runs; the API retries them (Temporal queues the work).
  const payments = Promise.all(invoices.map(async (inv) => {
    for (const amount of [1000, 2000]) {
      for (;;) {
        const res = await pay(inv.id, amount);
        if (res.status === 201) break;
        if (res.status < 500) throw new Error(`payment: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  }));
  worker = await startWorkerProcess(stack.taskQueue);
  await payments;

  // Every event of the history (4 per invoice: created, 2 payments, paid) reaches the receiver.
  const expected = INVOICES * 4;
  const ids = () => new Set(receiver.received.map((r) => r.body.id));
  await waitFor(() => ids().size >= expected, `${expected} distinct events`, 60_000);
  const [{ n }] = await stack.orm.em.getConnection().execute(`select count(*)::int n from webhook_events where tenant_id = ? and type is not null`, [tenantId]);
  expect(n).toBe(expected);
  expect(ids().size).toBe(expected);
  for (const inv of invoices) {
    const seen = receiver.received.filter((r) => r.body.data.invoice.id === inv.id);
    // First sight of each event is in sequence order; a repeat is a redelivery of an id already seen.
    const firsts: number[] = [];
    const byId = new Map<string, string>();
    for (const r of seen) {
      if (!byId.has(r.body.id)) firsts.push(r.body.sequence);
      else expect(r.raw).toBe(byId.get(r.body.id)); // same id, same body
      byId.set(r.body.id, r.raw);
    }
    expect(firsts).toEqual([1, 2, 3, 4]);
    expect(seen.filter((r) => !byId.has(r.body.id))).toHaveLength(0);
  }
  expect(receiver.received.length).toBeGreaterThan(expected); // the held one was sent again
}, 180_000);
