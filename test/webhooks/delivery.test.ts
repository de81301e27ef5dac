/**
 * Webhook delivery end to end: API → invoice workflow (real Temporal worker) → invoice_events →
 * outbox trigger → relay → signed POST to a real local receiver. Retries, order per invoice, redelivery.
 */
import Stripe from 'stripe';
import { checkWebhookSignature, SIGNATURE_HEADER, verifyWebhookSignature } from '../../lib/webhook-signature';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { payInvoice, useWebhookReceiver, waitFor } from '../support/webhooks';

const stack = useTestStack();
// Payments go through the invoice workflow's Update; on a loaded machine one can take tens of seconds.
jest.setTimeout(120_000);
const receiver = useWebhookReceiver(stack);
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answers.length = 0;
});

const ALL = ['invoice.created', 'invoice.paid', 'invoice.overdue', 'invoice.reopened', 'invoice.voided', 'payment.created', 'payment.voided', 'payment.refunded', 'reminder.sent'];
const forInvoice = (id: string) => receiver.received.filter((r) => r.body.data.invoice.id === id);

async function endpoint(request: Awaited<ReturnType<typeof createTestTenant>>['request'], eventTypes = ALL, path = '/hooks') {
  const res = await request('POST', '/v1/webhook-endpoints', { url: receiver.url.replace('/hooks', path), eventTypes });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

test('create → two payments → paid: exactly those events, in sequence order, signed, with the invoice figures', async () => {
  const { request } = await createTestTenant(stack);
  const ep = await endpoint(request);
  const apiDone = Date.now();
  const { invoice, contact } = await createInvoiceViaApi(request, { total: 5000 });
  await waitFor(() => forInvoice(invoice.id).length >= 1, 'invoice.created');
  const createdLatency = forInvoice(invoice.id)[0].at - apiDone;
  const p1 = await payInvoice(request, invoice.id, { amount: 2000, method: 'bank_transfer', reference: 'first' });
  expect(p1.status).toBe(201);
  const p2 = await payInvoice(request, invoice.id, { amount: 3000, method: 'cash' });
  expect(p2.status).toBe(201);
  const got = await waitFor(() => forInvoice(invoice.id).length >= 4 && forInvoice(invoice.id), 'four events');

  expect(got.map((r) => [r.body.type, r.body.sequence])).toEqual([
    ['invoice.created', 1],
    ['payment.created', 2],
    ['payment.created', 3],
    ['invoice.paid', 4],
  ]);
  const stripe = new Stripe('sk_test_unused');
  for (const r of got) {
    const header = r.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(() => verifyWebhookSignature(ep.secret, r.raw, header)).not.toThrow();
    // The same scheme as Stripe's: Stripe's own verifier accepts it.
    expect(stripe.webhooks.signature!.verifyHeader(r.raw, header, ep.secret, 300)).toBe(true);
    expect(checkWebhookSignature('whsec_other', r.raw, header)).toBe('signature_mismatch');
    expect(checkWebhookSignature(ep.secret, r.raw + ' ', header)).toBe('signature_mismatch');
    expect(r.headers['payment-center-event-id']).toBe(r.body.id);
    expect(r.headers['payment-center-sequence']).toBe(String(r.body.sequence));
    expect(r.body).toEqual({
      id: expect.any(String),
      type: r.body.type,
      createdAt: expect.stringMatching(/Z$/),
      sequence: r.body.sequence,
      data: { invoice: { id: invoice.id, number: invoice.number, status: expect.any(String), total: 5000, paid: expect.any(Number), due: expect.any(Number), currency: 'USD', contactId: contact.id }, event: expect.any(Object) },
    });
  }
  expect(new Set(got.map((r) => r.body.id)).size).toBe(4);
  expect(got[0].body.data).toMatchObject({ invoice: { status: 'open', paid: 0, due: 5000 }, event: { number: invoice.number, total: 5000 } });
  expect(got[1].body.data.event).toMatchObject({ paymentId: p1.body.id, amount: 2000 });
  expect(got[1].body.data.invoice).toMatchObject({ paid: 2000, due: 3000, status: 'open' });
  expect(got[2].body.data.event).toMatchObject({ paymentId: p2.body.id, amount: 3000 });
  expect(got[3].body.data.invoice).toMatchObject({ paid: 5000, due: 0, status: 'paid' });

  // Nothing more: every outbox row of the invoice is relayed, and the endpoint has exactly four deliveries, all delivered once.
  await waitFor(async () => (await stack.orm.em.getConnection().execute(`select count(*)::int n from webhook_events where invoice_id = ? and relayed_at is null`, [invoice.id]))[0].n === 0, 'relay');
  // The receiver has the last one when it answers; the dispatcher records that attempt just after.
  const deliveries = await waitFor(async () => {
    const res = await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`);
    return res.status !== 200 || res.body.data.every((d: { status: string }) => d.status !== 'pending') ? res : undefined;
  }, 'every attempt recorded');
  expect(deliveries.status).toBe(200);
  // Newest first; rows relayed in the same millisecond have no set order among themselves.
  const bySeq = [...deliveries.body.data].sort((a: any, b: any) => b.sequence - a.sequence);
  expect(bySeq.map((d: any) => [d.eventType, d.sequence, d.status, d.attempts, d.lastStatusCode])).toEqual([
    ['invoice.paid', 4, 'delivered', 1, 200],
    ['payment.created', 3, 'delivered', 1, 200],
    ['payment.created', 2, 'delivered', 1, 200],
    ['invoice.created', 1, 'delivered', 1, 200],
  ]);
  expect(bySeq[0]).toMatchObject({ lastLatencyMs: expect.any(Number), nextAttemptAt: null, deliveredAt: expect.any(String), lastError: null });
  expect(forInvoice(invoice.id)).toHaveLength(4);
  const [lat] = await stack.orm.em.getConnection().execute(
    `select round(avg(extract(epoch from d.delivered_at - ev.created_at) * 1000))::int avg, round(max(extract(epoch from d.delivered_at - ev.created_at) * 1000))::int max
     from webhook_deliveries d join webhook_events ev on ev.id = d.event_id where d.endpoint_id = ?`,
    [ep.id],
  );
  console.log(`webhook latency: history row committed → delivered avg ${lat.avg} ms, max ${lat.max} ms (poll 25 ms); invoice POST → received ${createdLatency} ms`);
});

test('500, 500, then 200: delivered on the third attempt, every attempt recorded; the next event waits for it', async () => {
  const { request } = await createTestTenant(stack);
  const ep = await endpoint(request);
  receiver.answers.push(500, 500);
  const { invoice } = await createInvoiceViaApi(request, { total: 5000 });
  expect((await payInvoice(request, invoice.id, { amount: 5000, method: 'cash' })).status).toBe(201);
  const got = await waitFor(() => forInvoice(invoice.id).length >= 5 && forInvoice(invoice.id), 'three attempts and two more events');
  expect(got.map((r) => [r.body.type, r.body.sequence])).toEqual([
    ['invoice.created', 1],
    ['invoice.created', 1],
    ['invoice.created', 1],
    ['payment.created', 2],
    ['invoice.paid', 3],
  ]);
  expect(new Set(got.slice(0, 3).map((r) => r.body.id)).size).toBe(1); // the same event id on every attempt
  expect(new Set(got.slice(0, 3).map((r) => r.raw)).size).toBe(1); // and the same body
  const list = await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries?status=delivered`);
  const first = list.body.data.find((d: any) => d.sequence === 1);
  expect(first).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, eventType: 'invoice.created' });

  // Redeliver: the same event again, now; the answer lists the attempts so far.
  const redo = await request('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${first.id}/redeliver`);
  expect(redo.status).toBe(202);
  expect(redo.body.attemptHistory.map((a: any) => [a.attempt, a.statusCode])).toEqual([
    [1, 500],
    [2, 500],
    [3, 200],
  ]);
  expect(redo.body.attemptHistory[0].error).toBe('answered 500');
  await waitFor(() => forInvoice(invoice.id).length >= 6, 'the redelivery');
  expect(forInvoice(invoice.id)[5].body).toEqual(got[0].body);
  const after = await waitFor(async () => {
    const d = (await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data.find((x: any) => x.id === first.id);
    return d.status === 'delivered' && d.attempts === 4 && d;
  }, 'redelivery recorded');
  expect(after.lastStatusCode).toBe(200);

  expect((await request('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/0190f0f0-0000-7000-8000-000000000000/redeliver`)).status).toBe(404);
});

test('a delivery is given up after the retry window; only subscribed types are sent; a disabled endpoint gets nothing new', async () => {
  const config = stack.process.config as Record<string, unknown>;
  const { request, apiKey } = await createTestTenant(stack);
  const paidOnly = await endpoint(request, ['invoice.paid'], '/paid-only');
  const failing = await endpoint(request, ['invoice.created'], '/failing');
  receiver.answers.push((r) => (r.body.type === 'invoice.created' ? 503 : 200));
  config.WEBHOOK_RETRY_WINDOW_MS = 1; // the first retry would fall past the window: given up at once
  try {
    const { invoice } = await createInvoiceViaApi(request, { total: 700 });
    const failed = await waitFor(async () => (await request('GET', `/v1/webhook-endpoints/${failing.id}/deliveries?status=failed`)).body.data[0], 'given up');
    expect(failed).toMatchObject({ status: 'failed', lastStatusCode: 503, nextAttemptAt: null });
    expect(failed.attempts).toBe(1);
    await stack.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${failing.id}`, payload: { enabled: false }, headers: { authorization: `Bearer ${apiKey}` } });
    expect((await payInvoice(request, invoice.id, { amount: 700, method: 'cash' })).status).toBe(201);
    await waitFor(() => forInvoice(invoice.id).some((r) => r.body.type === 'invoice.paid'), 'invoice.paid');
    await waitFor(async () => (await stack.orm.em.getConnection().execute(`select count(*)::int n from webhook_events where invoice_id = ? and relayed_at is null`, [invoice.id]))[0].n === 0, 'relay');
    const paths = forInvoice(invoice.id).map((r) => `${r.body.type}`);
    expect(paths.filter((t) => t === 'invoice.paid')).toHaveLength(1);
    expect(paths.filter((t) => t === 'payment.created')).toHaveLength(0);
    const paidDeliveries = (await request('GET', `/v1/webhook-endpoints/${paidOnly.id}/deliveries`)).body.data;
    expect(paidDeliveries.map((d: any) => d.eventType)).toEqual(['invoice.paid']);
    const failingDeliveries = (await request('GET', `/v1/webhook-endpoints/${failing.id}/deliveries`)).body.data;
    expect(failingDeliveries.map((d: any) => d.eventType)).toEqual(['invoice.created']);
  } finally {
    delete config.WEBHOOK_RETRY_WINDOW_MS;
  }
});

test('at delivery time a private address is refused again when the setting is off (no request reaches the receiver)', async () => {
  const config = stack.process.config as Record<string, unknown>;
  const { request } = await createTestTenant(stack);
  const ep = await endpoint(request, ['invoice.created']);
  config.WEBHOOK_ALLOW_PRIVATE_URLS = false;
  try {
    const { invoice } = await createInvoiceViaApi(request, { total: 700 });
    const d = await waitFor(async () => (await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data.find((x: any) => x.attempts >= 1), 'an attempt');
    expect(d).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: expect.stringContaining('private address') });
    expect(forInvoice(invoice.id)).toHaveLength(0);
  } finally {
    config.WEBHOOK_ALLOW_PRIVATE_URLS = true;
  }
});
