/**
 * Refunding a card payment from here: POST /v1/payments/{id}/refunds creates the refund at Stripe (the
 * local fake), records it and reverses the invoice at once; the refund.* / charge.refunded webhooks of
 * the same refund, before or after, change nothing more; a refund Stripe reports failed puts the money
 * back once. Real Postgres, the Temporal dev server and a worker.
 */
import { buildApp } from '../../api/app';
import { Refund } from '../../db/index';
import { stripePaymentId } from '../../services/stripe-handoff';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { expectError, newContact } from '../support/api';
import { eventually, readEvents, readInvoice } from '../support/fixtures';
import { freePort } from '../support/net';
import { createInvoiceViaApi } from '../support/stack';
import { unreachableTemporal } from '../support/temporal';
import { createStripeTenant, deliver, FAKE_STRIPE_KEY, invoiceSettles, paymentIntentObject, refundObject, rid, stripeEvent, useFakeStripeStack } from '../support/stripe';

const { stack, fake } = useFakeStripeStack();

// Generous: the workflow's activity writes the row asynchronously, and the shared machine may be busy.
const SETTLE_MS = 30_000;
jest.setTimeout(240_000);
const settled = (invoiceId: string, expected: Partial<{ status: string; paid: number; due: number }>) => invoiceSettles(stack, invoiceId, expected, SETTLE_MS);
const eventsOf = async (invoiceId: string, type: string) => (await readEvents(stack.orm, invoiceId)).filter((e) => e.type === type);
const refundCalls = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
const refundRows = (tenantId: string) => stack.orm.em.fork().find(Refund, { tenant: tenantId }, { orderBy: { createdAt: 'asc' } });
const workflowState = (invoiceId: string) => stack.temporal.workflow.getHandle(invoiceWorkflowId(invoiceId)).query(getInvoiceStateQuery);
/** Lets a duplicate application show up before checking there is none (signals are asynchronous). */
const quiet = () => new Promise((r) => setTimeout(r, 400));

/** The refund request through an app whose Temporal cannot be reached: Stripe makes the refund, then 503. */
async function refundWithTemporalDown(t: { paymentId: string; apiKey: string }, body: unknown, key: string) {
  const downTemporal = await unreachableTemporal();
  const downApp = await buildApp({ ...stack.process, temporal: downTemporal, redis: stack.redis });
  try {
    const res = await downApp.inject({ method: 'POST', url: `/v1/payments/${t.paymentId}/refunds`, payload: body as never, headers: { authorization: `Bearer ${t.apiKey}`, 'idempotency-key': key } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  } finally {
    await downApp.close();
    await downTemporal.connection.close().catch(() => undefined);
  }
}

/** A tenant on the fake's key with an invoice paid by card through a webhook; the fake knows the PaymentIntent's charge. */
async function paidByCard(total: number) {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total });
  const pi = paymentIntentObject({ amount: total, tenantId: t.tenantId, invoiceId: invoice.id });
  const chargeId = rid('ch');
  fake.state.paymentIntents.set(pi.id, { chargeId, amount: total });
  expect((await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(invoice.id, { status: 'paid', paid: total, due: 0 });
  const paymentId = stripePaymentId(t.tenantId, pi.id);
  await eventually(async () => expect((await t.request('GET', `/v1/payments/${paymentId}`)).status).toBe(200), SETTLE_MS);
  const refund = (body: unknown, key?: string) => t.request('POST', `/v1/payments/${paymentId}/refunds`, body, key ? { 'idempotency-key': key } : {});
  return { ...t, invoice, contact, pi, chargeId, paymentId, refund };
}

test('refund from the API: one Stripe call (PaymentIntent, metadata, key), balance reversed without a webhook, partially_refunded then refunded; the webhooks afterwards change nothing', async () => {
  const t = await paidByCard(5000);
  const first = await t.refund({ amount: 2000, reason: 'requested_by_customer' }, 'refund-1');
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ id: t.paymentId, status: 'partially_refunded', refunded: 2000, amount: 5000, source: 'stripe' });
  expect(first.body.refunds).toEqual([
    expect.objectContaining({ id: expect.stringMatching(/^re_/), paymentId: t.paymentId, amount: 2000, currency: 'USD', status: 'succeeded', reason: 'requested_by_customer', failureReason: null }),
  ]);
  const refundId: string = first.body.refunds[0].id;
  const calls = refundCalls();
  expect(calls).toHaveLength(1);
  expect(calls[0].headers.authorization).toBe(`Bearer ${FAKE_STRIPE_KEY}`);
  expect(calls[0].idempotencyKey).toMatch(/^pc-refund-[0-9a-f-]{36}$/);
  expect(calls[0].form).toMatchObject({
    payment_intent: t.pi.id,
    amount: '2000',
    reason: 'requested_by_customer',
    'metadata[tenant_id]': t.tenantId,
    'metadata[invoice_id]': t.invoice.id,
    'metadata[payment_id]': t.paymentId,
  });

  // No webhook yet: the invoice's workflow already took the refund.
  await settled(t.invoice.id, { status: 'open', paid: 3000, due: 2000 });
  expect(await workflowState(t.invoice.id)).toMatchObject({ paid: 3000, due: 2000, status: 'open' });

  // Stripe's webhooks of the same refund: recorded, nothing more reversed.
  const stripeRefund = fake.state.refunds.get(t.chargeId)![0];
  expect(stripeRefund.id).toBe(refundId);
  for (const type of ['refund.created', 'refund.updated', 'charge.refund.updated']) {
    expect((await deliver(stack, t.tenantId, stripeEvent(type, stripeRefund), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  }
  const charge = { id: t.chargeId, object: 'charge', amount: 5000, amount_captured: 5000, amount_refunded: 2000, currency: 'usd', paid: true, status: 'succeeded', payment_intent: t.pi.id, metadata: {}, refunds: { object: 'list', has_more: false, data: [stripeRefund] } };
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', charge), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await quiet();
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'open', paid: 3000, due: 2000 });
  expect(await workflowState(t.invoice.id)).toMatchObject({ paid: 3000, due: 2000 });
  expect((await eventsOf(t.invoice.id, 'payment_reversed')).map((e) => e.data.reversalId)).toEqual([refundId]);

  // The rest (no amount): the payment is refunded, the invoice fully open again.
  const rest = await t.refund({}, 'refund-2');
  expect(rest.status).toBe(201);
  expect(rest.body).toMatchObject({ status: 'refunded', refunded: 5000 });
  expect(rest.body.refunds.map((r: { amount: number }) => r.amount)).toEqual([2000, 3000]);
  expect(refundCalls()[1].form).toMatchObject({ amount: '3000' });
  expect(refundCalls()[1].idempotencyKey).not.toBe(calls[0].idempotencyKey);
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 5000 });

  // Nothing left: 409, and Stripe is not asked.
  expectError(await t.refund({ amount: 1 }), 409, 'refund_exceeds_payment');
  expect(refundCalls()).toHaveLength(2);
  const listed = await t.request('GET', `/v1/payments?invoiceId=${t.invoice.id}`);
  expect(listed.body.data).toEqual([expect.objectContaining({ id: t.paymentId, status: 'refunded', refunded: 5000 })]);
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(2);
});

test("the refund's webhook arriving before the API's answer: reversed once, recorded once", async () => {
  const t = await paidByCard(4000);
  const webhooks: unknown[] = [];
  // Stripe sends refund.created while our call is still waiting for its answer.
  fake.state.onRefundCreated = async (refund) => {
    webhooks.push((await deliver(stack, t.tenantId, stripeEvent('refund.created', refund), t.webhookSecret)).body);
  };
  const res = await t.refund({ amount: 1500 });
  expect(res.status).toBe(201);
  expect(webhooks).toEqual([expect.objectContaining({ status: 'processed' })]);
  expect(res.body).toMatchObject({ status: 'partially_refunded', refunded: 1500 });
  expect(res.body.refunds).toHaveLength(1);
  await settled(t.invoice.id, { status: 'open', paid: 2500, due: 1500 });
  await quiet();
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'open', paid: 2500, due: 1500 });
  expect(await workflowState(t.invoice.id)).toMatchObject({ paid: 2500, due: 1500 });
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(1);
  expect(await refundRows(t.tenantId)).toHaveLength(1);
});

test('a retry with the same Idempotency-Key: answered again without Stripe; after a failure past Stripe, one Stripe refund under the same key', async () => {
  const t = await paidByCard(3000);
  const first = await t.refund({ amount: 1000 }, 'same-key');
  const again = await t.refund({ amount: 1000 }, 'same-key');
  expect([first.status, again.status]).toEqual([201, 201]);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toEqual(first.body);
  expect(refundCalls()).toHaveLength(1);

  // The refund is made at Stripe, then Temporal cannot be reached: 503 and nothing recorded here.
  await refundWithTemporalDown(t, { amount: 500 }, 'after-failure');
  expect(refundCalls()).toHaveLength(2);
  expect(await refundRows(t.tenantId)).toHaveLength(1);

  // The client's retry: Stripe answers the same refund for the same key; it counts once.
  const retried = await t.refund({ amount: 500 }, 'after-failure');
  expect(retried.status).toBe(201);
  const calls = refundCalls();
  expect(calls).toHaveLength(3);
  expect(calls[2].idempotencyKey).toBe(calls[1].idempotencyKey);
  expect(calls[2].idempotencyKey).not.toBe(calls[0].idempotencyKey);
  expect(fake.state.refunds.get(t.chargeId)).toHaveLength(2);
  expect(retried.body).toMatchObject({ status: 'partially_refunded', refunded: 1500 });
  await settled(t.invoice.id, { status: 'open', paid: 1500, due: 1500 });
  await quiet();
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ paid: 1500, due: 1500 });
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(2);
});

test("a retry after a failure past Stripe, the refund's webhook recorded in between: answered with its own refund (found at Stripe), counted once", async () => {
  const t = await paidByCard(3000);
  await refundWithTemporalDown(t, { amount: 3000 }, 'then-webhook');
  const made = fake.state.refunds.get(t.chargeId)![0];
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', made), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 3000 });

  // Nothing is left to refund, yet this is the same request: its refund is looked up, not made again.
  const retried = await t.refund({ amount: 3000 }, 'then-webhook');
  expect(retried.status).toBe(201);
  expect(retried.body).toMatchObject({ status: 'refunded', refunded: 3000, refunds: [expect.objectContaining({ id: made.id })] });
  expect(refundCalls()).toHaveLength(1);
  expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/refunds').map((r) => r.form.payment_intent)).toEqual([t.pi.id]);
  // Another key is refused as before.
  expectError(await t.refund({ amount: 3000 }, 'another-key'), 409, 'refund_exceeds_payment');
  await quiet();
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(1);
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'open', paid: 0, due: 3000 });
});

test('a refund Stripe later reports failed restores the balance once (reported three ways → once); the payment is succeeded again', async () => {
  const t = await paidByCard(5000);
  fake.state.refundStatus = 'pending';
  const res = await t.refund({ amount: 5000 });
  expect(res.body).toMatchObject({ status: 'refunded', refunded: 5000, refunds: [expect.objectContaining({ status: 'pending' })] });
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 5000 });

  const made = fake.state.refunds.get(t.chargeId)![0];
  const failed = { ...made, id: String(made.id), status: 'failed', failure_reason: 'expired_or_canceled_card' };
  for (const type of ['refund.failed', 'refund.updated', 'charge.refund.updated']) {
    expect((await deliver(stack, t.tenantId, stripeEvent(type, failed), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  }
  // A late refund.created (still pending) does not bring the refund back.
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', { ...failed, status: 'pending', failure_reason: null }), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'paid', paid: 5000, due: 0 });
  await quiet();
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'paid', paid: 5000, due: 0 });
  expect(await workflowState(t.invoice.id)).toMatchObject({ paid: 5000, due: 0, status: 'paid' });
  expect(await eventsOf(t.invoice.id, 'reversal_failed')).toEqual([expect.objectContaining({ data: expect.objectContaining({ reversalId: failed.id, amount: 5000, restored: 5000 }) })]);
  const payment = await t.request('GET', `/v1/payments/${t.paymentId}`);
  expect(payment.body).toMatchObject({ status: 'succeeded', refunded: 0, refunds: [expect.objectContaining({ id: failed.id, status: 'failed', failureReason: 'expired_or_canceled_card' })] });

  // Refundable again, in full (Stripe too counts the failed refund as nothing).
  made.status = 'failed';
  fake.state.refundStatus = 'succeeded';
  expect((await t.refund({})).body).toMatchObject({ status: 'refunded', refunded: 5000 });
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 5000 });
});

test("a refund made in Stripe's dashboard is recorded from its webhooks; reported failed before it was reported at all, it is undone once", async () => {
  const t = await paidByCard(3000);
  const dashboard = refundObject({ chargeId: t.chargeId, paymentIntentId: t.pi.id, amount: 1200, status: 'pending' });
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.failed', { ...dashboard, status: 'failed', failure_reason: 'unknown' }), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', dashboard), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await eventually(async () => expect(await eventsOf(t.invoice.id, 'reversal_failed')).toHaveLength(1), SETTLE_MS);
  await settled(t.invoice.id, { status: 'paid', paid: 3000, due: 0 });
  await quiet();
  // The workflow remembers the failure: the refund reported afterwards never reverses anything.
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(0);
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'paid', paid: 3000 });
  expect((await t.request('GET', `/v1/payments/${t.paymentId}`)).body).toMatchObject({ status: 'succeeded', refunds: [expect.objectContaining({ id: dashboard.id, status: 'failed', failureReason: 'unknown' })] });

  const second = refundObject({ chargeId: t.chargeId, paymentIntentId: t.pi.id, amount: 700 });
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', second), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'open', paid: 2300, due: 700 });
  expect((await t.request('GET', `/v1/payments/${t.paymentId}`)).body).toMatchObject({ status: 'partially_refunded', refunded: 700 });
  // What the dashboard refunded is not refundable from here again.
  expectError(await t.refund({ amount: 2301 }), 409, 'refund_exceeds_payment');
});

test('refusals: a manual payment (void instead), more than is left, unknown payment, bad amount; Stripe unavailable → 503 and nothing recorded', async () => {
  const t = await paidByCard(2000);
  const contact = await newContact(t.request, 'Cash Payer');
  const manual = await t.request('POST', '/v1/payments', { contactId: contact.id, amount: 500, currency: 'USD', method: 'cash' });
  expect(manual.status).toBe(201);
  const manualRefund = await t.request('POST', `/v1/payments/${manual.body.id}/refunds`, {});
  expectError(manualRefund, 409, 'manual_payment_void_instead');
  expect(manualRefund.body.error.details).toEqual({ void: `POST /v1/payments/${manual.body.id}/void` });
  expectError(await t.refund({ amount: 2001 }), 409, 'refund_exceeds_payment');
  expectError(await t.request('POST', '/v1/payments/0190aaaa-0000-7000-8000-000000000000/refunds', {}), 404, 'not_found');
  expectError(await t.refund({ amount: 0 }), 400);
  expectError(await t.refund({ reason: 'because' }), 400);
  expect(refundCalls()).toHaveLength(0);

  // Stripe answering 500s, then not reachable at all.
  fake.state.failWith = 500;
  const failing = await t.refund({ amount: 100 }, 'stripe-down');
  expectError(failing, 503, 'stripe_unavailable');
  expect(failing.headers['retry-after']).toBeDefined();
  fake.state.failWith = null;
  const port = stack.process.config.STRIPE_API_PORT;
  stack.process.config.STRIPE_API_PORT = await freePort();
  try {
    const down = await t.refund({ amount: 100 }, 'stripe-down');
    expectError(down, 503, 'stripe_unavailable');
    expect(down.headers['retry-after']).toBeDefined();
  } finally {
    stack.process.config.STRIPE_API_PORT = port;
  }
  expect(await refundRows(t.tenantId)).toHaveLength(0);
  await quiet();
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'paid', paid: 2000, due: 0 });
  expect(await eventsOf(t.invoice.id, 'payment_reversed')).toHaveLength(0);
  // Back: the same key goes through.
  expect((await t.refund({ amount: 100 }, 'stripe-down')).status).toBe(201);
  await settled(t.invoice.id, { status: 'open', paid: 1900, due: 100 });
});
