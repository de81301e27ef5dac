/**
 * Stripe webhooks end to end: real Postgres, the Temporal dev server and a worker. Payloads are the
 * real Stripe fixtures (test/fixtures/stripe) wrapped in an event envelope and signed by the SDK.
 */
import Stripe from 'stripe';
import { unreachableTemporal } from '../support/temporal';
import { buildApp } from '../../api/app';
import { Payment } from '../../db/index';
import { retryReceivedStripeEvents } from '../../services/stripe-events';
import { stripePaymentId } from '../../services/stripe-handoff';
import { eventually, readEvents, readInvoice, readPayments } from '../support/fixtures';
import { createInvoiceViaApi, createTestTenant } from '../support/stack';
import { checkoutSessionObject, createStripeTenant, useStripeTestStack, deliver, disputeObject, paymentIntentObject, refundedChargeObject, rid, stripeEvent, invoiceSettles, stripeEventRows } from '../support/stripe';

const stack = useStripeTestStack();

const eventRows = (tenantId: string) => stripeEventRows(stack, tenantId);
const settled = (invoiceId: string, expected: Partial<{ status: string; paid: number; due: number }>) => invoiceSettles(stack, invoiceId, expected);

async function paidInvoiceSetup(total = 5000) {
  const t = await createStripeTenant(stack);
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total });
  return { ...t, invoice, contact };
}

test('20 duplicate deliveries (sequential and concurrent) pay the invoice exactly once', async () => {
  const t = await paidInvoiceSetup(5000);
  const pi = paymentIntentObject({ amount: 5000, tenantId: t.tenantId, invoiceId: t.invoice.id });
  const event = stripeEvent('payment_intent.succeeded', pi);
  for (let i = 0; i < 20; i++) expect((await deliver(stack, t.tenantId, event, t.webhookSecret)).status).toBe(200);
  const concurrent = await Promise.all(Array.from({ length: 20 }, () => deliver(stack, t.tenantId, event, t.webhookSecret)));
  expect(concurrent.every((r) => r.status === 200)).toBe(true);

  await settled(t.invoice.id, { status: 'paid', paid: 5000, due: 0 });
  const payments = await readPayments(stack.orm, { contactId: t.contact.id });
  expect(payments).toEqual([expect.objectContaining({ id: stripePaymentId(t.tenantId, pi.id), amount: 5000, invoiceId: t.invoice.id })]);
  const row = await stack.orm.em.fork().findOneOrFail(Payment, { id: payments[0].id });
  expect(row).toMatchObject({ method: 'card', source: 'stripe', reference: pi.id, currency: 'USD' });
  const rows = await eventRows(t.tenantId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ id: event.id, status: 'processed', type: 'payment_intent.succeeded' });
  expect(rows[0].invoice?.id).toBe(t.invoice.id);
});

test('checkout.session.completed and payment_intent.succeeded for the same PaymentIntent are one payment; unpaid sessions are ignored', async () => {
  const t = await paidInvoiceSetup(4000);
  const piId = rid('pi');
  const unpaid = stripeEvent('checkout.session.completed', checkoutSessionObject({ paymentIntentId: piId, amount: 4000, tenantId: t.tenantId, invoiceId: t.invoice.id, paymentStatus: 'unpaid' }));
  expect((await deliver(stack, t.tenantId, unpaid, t.webhookSecret)).body).toMatchObject({ status: 'ignored' });

  const completed = stripeEvent('checkout.session.completed', checkoutSessionObject({ paymentIntentId: piId, amount: 4000, tenantId: t.tenantId, invoiceId: t.invoice.id }));
  const succeeded = stripeEvent('payment_intent.succeeded', paymentIntentObject({ id: piId, amount: 4000, tenantId: t.tenantId, invoiceId: t.invoice.id }));
  await Promise.all([deliver(stack, t.tenantId, succeeded, t.webhookSecret), deliver(stack, t.tenantId, completed, t.webhookSecret)]);
  await settled(t.invoice.id, { status: 'paid', paid: 4000 });
  // Give a duplicate application time to show up, then check there is none.
  await new Promise((r) => setTimeout(r, 300));
  expect(await readPayments(stack.orm, { contactId: t.contact.id })).toHaveLength(1);
  expect((await eventRows(t.tenantId)).map((r) => r.status).sort()).toEqual(['ignored', 'processed', 'processed']);
});

test('money beyond the due stays on the contact as an unapplied card payment', async () => {
  const t = await paidInvoiceSetup(3000);
  await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 4500, tenantId: t.tenantId, invoiceId: t.invoice.id })), t.webhookSecret);
  await settled(t.invoice.id, { status: 'paid', paid: 3000 });
  const payments = await eventually(async () => {
    const p = await readPayments(stack.orm, { contactId: t.contact.id });
    expect(p).toHaveLength(2);
    return p;
  });
  expect(payments.map((p) => [p.amount, p.invoiceId]).sort()).toEqual([[1500, null], [3000, t.invoice.id]].sort());
});

test('a refund after payment reopens the invoice and shows in its history', async () => {
  const t = await paidInvoiceSetup(5000);
  const pi = paymentIntentObject({ amount: 5000, tenantId: t.tenantId, invoiceId: t.invoice.id });
  await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret);
  await settled(t.invoice.id, { status: 'paid' });

  const charge = refundedChargeObject({ paymentIntentId: pi.id, amount: 5000, refunds: [{ amount: 2000 }] });
  const refund = stripeEvent('charge.refunded', charge);
  expect((await deliver(stack, t.tenantId, refund, t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  expect((await deliver(stack, t.tenantId, refund, t.webhookSecret)).body).toMatchObject({ duplicate: true });
  await settled(t.invoice.id, { status: 'open', paid: 3000, due: 2000 });

  const history = await eventually(async () => {
    const h = await readEvents(stack.orm, t.invoice.id);
    expect(h.map((e) => e.type)).toEqual(expect.arrayContaining(['payment_applied', 'paid', 'payment_reversed', 'reopened']));
    return h;
  });
  const reversal = history.find((e) => e.type === 'payment_reversed')!;
  expect(reversal.data).toMatchObject({ reversalId: charge.refunds.data[0].id, amount: 2000, kind: 'refund', paymentId: stripePaymentId(t.tenantId, pi.id) });
  const detail = await t.request('GET', `/v1/invoices/${t.invoice.id}`);
  expect(detail.body).toMatchObject({ status: 'open', due: 2000 });
});

test('charge.refunded before payment_intent.succeeded: the refund waits as unmatched, then counts after the payment', async () => {
  const t = await paidInvoiceSetup(5000);
  const pi = paymentIntentObject({ amount: 5000, tenantId: t.tenantId, invoiceId: t.invoice.id });
  const charge = refundedChargeObject({ paymentIntentId: pi.id, amount: 5000, refunds: [{ amount: 5000 }] });
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', charge), t.webhookSecret)).body).toMatchObject({ status: 'unmatched' });
  expect((await readInvoice(stack.orm, t.invoice.id)).status).toBe('open');

  expect((await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await eventually(async () => {
    const h = await readEvents(stack.orm, t.invoice.id);
    expect(h.map((e) => e.type)).toEqual(expect.arrayContaining(['payment_applied', 'paid', 'payment_reversed', 'reopened']));
  });
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 5000 });
  expect((await eventRows(t.tenantId)).map((r) => r.status)).toEqual(['processed', 'processed']);
});

test('charge.refunded carrying the payment (metadata on the charge) applies payment then refund in one hand-off, whatever comes later', async () => {
  const t = await paidInvoiceSetup(5000);
  const pi = paymentIntentObject({ amount: 5000, tenantId: t.tenantId, invoiceId: t.invoice.id });
  const charge = { ...refundedChargeObject({ paymentIntentId: pi.id, amount: 5000, refunds: [{ amount: 1000 }] }), metadata: { tenant_id: t.tenantId, invoice_id: t.invoice.id } };
  await deliver(stack, t.tenantId, stripeEvent('charge.refunded', charge), t.webhookSecret);
  await settled(t.invoice.id, { status: 'open', paid: 4000, due: 1000 });
  await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret);
  await new Promise((r) => setTimeout(r, 300));
  await settled(t.invoice.id, { status: 'open', paid: 4000, due: 1000 });
});

test('a dispute reverses once (created + closed lost); events for unknown invoices are kept for review', async () => {
  const t = await paidInvoiceSetup(2500);
  const pi = paymentIntentObject({ amount: 2500, tenantId: t.tenantId, invoiceId: t.invoice.id });
  await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret);
  await settled(t.invoice.id, { status: 'paid' });
  const dispute = disputeObject({ paymentIntentId: pi.id, amount: 2500 });
  await deliver(stack, t.tenantId, stripeEvent('charge.dispute.created', dispute), t.webhookSecret);
  await deliver(stack, t.tenantId, stripeEvent('charge.dispute.closed', { ...dispute, status: 'lost' }), t.webhookSecret);
  await settled(t.invoice.id, { status: 'open', paid: 0, due: 2500 });

  // Unknown type → acknowledged and ignored; unknown invoice → stored as unmatched, listed for review.
  const unknownType = await deliver(stack, t.tenantId, stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }), t.webhookSecret);
  expect(unknownType).toMatchObject({ status: 200, body: { status: 'ignored' } });
  for (let i = 0; i < 3; i++) {
    const orphan = paymentIntentObject({ amount: 100, tenantId: t.tenantId, invoiceId: '0190aaaa-0000-7000-8000-000000000000' });
    expect((await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', orphan), t.webhookSecret)).body).toMatchObject({ status: 'unmatched' });
  }
  const page1 = await t.request('GET', '/v1/integrations/stripe/events?status=unmatched&limit=2');
  expect(page1.status).toBe(200);
  expect(page1.body.data).toHaveLength(2);
  expect(page1.body.nextCursor).toEqual(expect.any(String));
  const page2 = await t.request('GET', `/v1/integrations/stripe/events?status=unmatched&limit=2&cursor=${page1.body.nextCursor}`);
  expect(page2.body).toMatchObject({ nextCursor: null });
  expect(page2.body.data).toHaveLength(1);
  const ids = [...page1.body.data, ...page2.body.data].map((e: { id: string }) => e.id);
  expect(new Set(ids).size).toBe(3);
  expect(page1.body.data[0]).toMatchObject({ type: 'payment_intent.succeeded', status: 'unmatched', invoiceId: null });
});

test('bad signature, wrong tenant secret, malformed JSON, missing signature, unknown tenant: 4xx and nothing stored', async () => {
  const t = await paidInvoiceSetup(1000);
  const other = await createStripeTenant(stack);
  const event = stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 1000, tenantId: t.tenantId, invoiceId: t.invoice.id }));
  const body = JSON.stringify(event);

  const tampered = await deliver(stack, t.tenantId, null, t.webhookSecret, {
    rawBody: body.replace('"amount_received":1000', '"amount_received":1'),
    signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: t.webhookSecret }),
  });
  expect(tampered).toMatchObject({ status: 400, body: { error: { code: 'invalid_signature' } } });
  expect((await deliver(stack, t.tenantId, event, other.webhookSecret)).body).toMatchObject({ error: { code: 'invalid_signature' } });
  expect((await deliver(stack, other.tenantId, event, t.webhookSecret)).status).toBe(400);
  expect((await deliver(stack, t.tenantId, event, t.webhookSecret, { signature: null })).body).toMatchObject({ error: { code: 'missing_signature' } });
  expect((await deliver(stack, t.tenantId, event, t.webhookSecret, { signature: 'garbage' })).status).toBe(400);
  const malformed = await deliver(stack, t.tenantId, null, t.webhookSecret, { rawBody: '{"id": "evt_1", "type": ' });
  expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'malformed_payload' } } });
  const notEvent = await deliver(stack, t.tenantId, null, t.webhookSecret, { rawBody: '[1,2,3]' });
  expect(notEvent.status).toBe(400);

  expect((await deliver(stack, '0190aaaa-0000-7000-8000-000000000000', event, t.webhookSecret)).status).toBe(404);
  expect((await deliver(stack, 'not-a-tenant', event, t.webhookSecret)).status).toBe(404);
  const bare = await createTestTenant(stack);
  expect((await deliver(stack, bare.tenantId, event, t.webhookSecret)).body).toMatchObject({ error: { code: 'stripe_not_configured' } });

  expect(await eventRows(t.tenantId)).toHaveLength(0);
  expect(await eventRows(other.tenantId)).toHaveLength(0);
  expect(await readPayments(stack.orm, { contactId: t.contact.id })).toHaveLength(0);
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'open', paid: 0 });
});

test('Temporal unreachable: the event is kept as received, the webhook answers 503, the sweep delivers it later', async () => {
  const t = await paidInvoiceSetup(1200);
  const downTemporal = await unreachableTemporal();
  const downApp = await buildApp({ ...stack.process, temporal: downTemporal, redis: stack.redis });
  try {
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 1200, tenantId: t.tenantId, invoiceId: t.invoice.id }));
    const body = JSON.stringify(event);
    const res = await downApp.inject({
      method: 'POST',
      url: `/v1/webhooks/stripe/${t.tenantId}`,
      payload: body,
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: t.webhookSecret }) },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(await eventRows(t.tenantId)).toEqual([expect.objectContaining({ id: event.id, status: 'received' })]);

    const swept = await retryReceivedStripeEvents(stack.deps, { olderThanMs: 0 });
    expect(swept.retried).toBeGreaterThanOrEqual(1);
    await settled(t.invoice.id, { status: 'paid', paid: 1200 });
    expect(await eventRows(t.tenantId)).toEqual([expect.objectContaining({ status: 'processed' })]);
  } finally {
    await downApp.close();
    await downTemporal.connection.close().catch(() => undefined);
  }
});

test('a payment for a void invoice (workflow ended) restarts the workflow and keeps the money on the contact', async () => {
  const t = await paidInvoiceSetup(900);
  expect((await t.request('POST', `/v1/invoices/${t.invoice.id}/void`, { reason: 'test' })).status).toBe(200);
  await eventually(async () => {
    const desc = await stack.temporal.workflow.getHandle(`invoice-${t.invoice.id}`).describe();
    expect(desc.status.name).toBe('COMPLETED');
  });
  await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 900, tenantId: t.tenantId, invoiceId: t.invoice.id })), t.webhookSecret);
  const payments = await eventually(async () => {
    const p = await readPayments(stack.orm, { contactId: t.contact.id });
    expect(p).toHaveLength(1);
    return p;
  });
  expect(payments[0]).toMatchObject({ amount: 900, invoiceId: null });
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'void', paid: 0 });
});
