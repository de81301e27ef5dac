/**
 * What operators scrape and read: GET /metrics of the API and of the worker (Prometheus text), and
 * the warn/error log lines of answers and retries that are not the client's fault. Real Postgres,
 * Redis, the Temporal dev server and a worker.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import Stripe from 'stripe';
import { buildApp } from '../../api/app';
import { serveMetrics, workerRegistry } from '../../lib/metrics';
import { invoiceWorkflowId, paymentReversedSignal, type InvoiceWorkflowInput } from '../../workflows/definitions';
import { eventually } from '../support/fixtures';
import { metricValue } from '../support/metrics';
import { createInvoiceViaApi } from '../support/stack';
import { createStripeTenant, deliver, paymentIntentObject, stripeEvent, useStripeTestStack } from '../support/stripe';
import { unreachableTemporal } from '../support/temporal';

// The worker's activity log goes to the Temporal runtime's logger: collect it (installed before the stack's worker).
const runtimeLog: LogEntry[] = [];
try {
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => void runtimeLog.push(entry)) });
} catch {
  /* already installed: the activity-retry test below says so */
}

const stack = useStripeTestStack();

const scrape = async (app = stack.app) => {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
};

test('GET /metrics counts answers by route template and status, and payments by outcome', async () => {
  const t = await createStripeTenant(stack);
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total: 5000 });
  const before = await scrape();

  expect((await t.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 1000, method: 'cash' })).status).toBe(201);
  const rejected = await t.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 99_999, method: 'cash' });
  expect(rejected.body.error.code).toBe('overpayment');
  expect((await t.request('GET', `/v1/invoices/${invoice.id}`)).status).toBe(200);
  expect((await t.request('GET', '/v1/no-such-thing')).status).toBe(404);

  const after = await scrape();
  const delta = (name: string, labels: Record<string, string>) => metricValue(after, name, labels) - metricValue(before, name, labels);
  expect(delta('pc_payments_total', { outcome: 'accepted' })).toBe(1);
  expect(delta('pc_payments_total', { outcome: 'rejected', code: 'overpayment' })).toBe(1);
  expect(delta('pc_http_requests_total', { method: 'POST', route: '/v1/payments', status: '201' })).toBe(1);
  expect(delta('pc_http_requests_total', { method: 'POST', route: '/v1/payments', status: String(rejected.status) })).toBe(1);
  expect(delta('pc_http_requests_total', { method: 'GET', route: '/v1/invoices/:id', status: '200' })).toBe(1);
  expect(delta('pc_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
  expect(metricValue(after, 'pc_http_request_duration_seconds_count', { method: 'POST', route: '/v1/payments' })).toBeGreaterThanOrEqual(2);
  // Templates, never raw paths: no id makes a series of its own.
  expect(after).not.toContain(invoice.id);
  // The gauge is what /readyz counts: an invoice flagged in Postgres shows at the next scrape.
  await stack.orm.em.getConnection().execute('update invoices set attention_at = now() where id = ?', [invoice.id]);
  const flagged = await scrape();
  expect(metricValue(flagged, 'pc_invoices_needing_attention') - metricValue(after, 'pc_invoices_needing_attention')).toBeGreaterThanOrEqual(1);
  expect(after).toMatch(/^pc_process_cpu_seconds_total /m);

  const docs = await stack.app.inject({ method: 'GET', url: '/docs/json' });
  expect(Object.keys(JSON.parse(docs.body).paths)).not.toContain('/metrics');
});

test('webhook outcomes are counted by final status; a webhook 503 is logged at warn with its reason and cause', async () => {
  const t = await createStripeTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { total: 1500 });
  const before = await scrape();
  const paid = stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 1500, tenantId: t.tenantId, invoiceId: invoice.id }));
  expect((await deliver(stack, t.tenantId, paid, t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  expect((await deliver(stack, t.tenantId, paid, t.webhookSecret)).body).toMatchObject({ duplicate: true });
  expect((await deliver(stack, t.tenantId, paid, 'whsec_not_the_secret')).status).toBe(400);

  // Temporal unreachable: the event is stored, the hand-off fails, Stripe gets a 503 — and the log says why.
  const lines: string[] = [];
  const downTemporal = await unreachableTemporal();
  const downApp = await buildApp({ ...stack.process, temporal: downTemporal, redis: stack.redis }, { logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } });
  try {
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 1500, tenantId: t.tenantId, invoiceId: invoice.id }));
    const body = JSON.stringify(event);
    const res = await downApp.inject({
      method: 'POST',
      url: `/v1/webhooks/stripe/${t.tenantId}`,
      payload: body,
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: t.webhookSecret }) },
    });
    expect(res.statusCode).toBe(503);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; details?: { eventId?: string }; err?: { message?: string } });
    const warn = logged.find((l) => l.code === 'handoff_failed');
    expect(warn).toMatchObject({ level: 40, details: { eventId: event.id } });
    expect(warn!.msg).toContain('503 handoff_failed');
    expect(warn!.err?.message).toBeTruthy(); // the cause: why Temporal could not be reached
  } finally {
    await downApp.close();
    await downTemporal.connection.close().catch(() => undefined);
  }

  const after = await scrape();
  const delta = (status: string) => metricValue(after, 'pc_stripe_webhooks_total', { status }) - metricValue(before, 'pc_stripe_webhooks_total', { status });
  expect({ processed: delta('processed'), duplicate: delta('duplicate'), invalid_signature: delta('invalid_signature'), handoff_failed: delta('handoff_failed') }).toEqual({
    processed: 1,
    duplicate: 1,
    invalid_signature: 1,
    handoff_failed: 1,
  });
});

test('a failing activity logs each attempt at warn with its number; the worker /metrics counts the retries', async () => {
  // A workflow whose invoice row does not exist: persistInvoice fails and Temporal retries it.
  const invoiceId = randomUUID();
  const input: InvoiceWorkflowInput = {
    invoiceId,
    tenantId: randomUUID(),
    contactId: randomUUID(),
    number: 'INV-GHOST',
    currency: 'USD',
    total: 1000,
    dueDate: '2099-01-01',
    overdueAt: Date.parse('2099-01-02T00:00:00Z'),
    plan: [],
  };
  const handle = await stack.temporal.workflow.start('invoiceWorkflow', { taskQueue: stack.taskQueue, workflowId: invoiceWorkflowId(invoiceId), args: [input] });
  const server = await serveMetrics(workerRegistry, { host: '127.0.0.1', port: 0 });
  try {
    await handle.signal(paymentReversedSignal, { reversalId: randomUUID(), paymentId: null, amount: 100, kind: 'refund', reference: null });
    const attempts = () => runtimeLog.filter((e) => e.level === 'WARN' && e.message.startsWith('persistInvoice attempt') && e.meta?.workflowId === handle.workflowId);
    await eventually(async () => expect(attempts().length).toBeGreaterThanOrEqual(2), 15_000);
    expect(attempts()[0]).toMatchObject({ meta: { attempt: 1, activityType: 'persistInvoice' } });
    expect(attempts()[0].message).toContain(`invoice ${invoiceId} of tenant ${input.tenantId} does not exist (yet)`);
    expect(attempts()[1].meta).toMatchObject({ attempt: 2 });

    const { port } = server.address() as AddressInfo;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metricValue(text, 'pc_activity_retries_total', { activity: 'persistInvoice' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'pc_activity_failures_total', { activity: 'persistInvoice', retried: 'true' })).toBeGreaterThanOrEqual(2);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  } finally {
    server.close();
    await handle.terminate('test over').catch(() => undefined);
  }
});
