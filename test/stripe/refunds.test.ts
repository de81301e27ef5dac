/**
 * `charge.refunded` on current Stripe API versions: the Charge no longer embeds its refunds, so the
 * webhook lists them from Stripe (the local fake, through STRIPE_API_HOST/PORT/PROTOCOL) with the
 * tenant's key. Real Postgres, the Temporal dev server and a worker.
 */
import { retryReceivedStripeEvents } from '../../services/stripe-events';
import { stripePaymentId } from '../../services/stripe-handoff';
import { eventually, readEvents, readInvoice } from '../support/fixtures';
import { freePort } from '../support/net';
import { createInvoiceViaApi } from '../support/stack';
import { createStripeTenant, deliver, FAKE_STRIPE_KEY, paymentIntentObject, refundedChargeWithoutRefunds, refundObject, rid, useFakeStripeStack, stripeEvent, invoiceSettles, stripeEventRows } from '../support/stripe';

const { stack, fake } = useFakeStripeStack();

const eventRows = (tenantId: string) => stripeEventRows(stack, tenantId);
const settled = (invoiceId: string, expected: Partial<{ status: string; paid: number; due: number }>) => invoiceSettles(stack, invoiceId, expected);
const reversalsOf = async (invoiceId: string) => (await readEvents(stack.orm, invoiceId)).filter((e) => e.type === 'payment_reversed');
const listRequests = () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/refunds');

/** A tenant whose Stripe key is the one the fake accepts, with an invoice paid by card through a webhook. */
async function paidByCard(total: number) {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total });
  const pi = paymentIntentObject({ amount: total, tenantId: t.tenantId, invoiceId: invoice.id });
  expect((await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(invoice.id, { status: 'paid', paid: total, due: 0 });
  return { ...t, invoice, contact, pi };
}

test('charge.refunded without embedded refunds: the refunds are listed from Stripe (every page, tenant key) and reverse the payment', async () => {
  const t = await paidByCard(5000);
  const { charge, refunds } = refundedChargeWithoutRefunds({
    paymentIntentId: t.pi.id,
    amount: 5000,
    refunds: [{ amount: 1500 }, { amount: 700, status: 'failed' }, { amount: 500 }],
  });
  expect(charge).not.toHaveProperty('refunds');
  fake.state.refunds.set(charge.id, refunds);
  fake.state.pageSize = 2; // two pages: the SDK's auto-pagination follows has_more

  const event = stripeEvent('charge.refunded', charge);
  expect(await deliver(stack, t.tenantId, event, t.webhookSecret)).toMatchObject({ status: 200, body: { status: 'processed' } });
  await settled(t.invoice.id, { status: 'open', paid: 3000, due: 2000 });

  const reqs = listRequests();
  expect(reqs).toHaveLength(2);
  for (const r of reqs) {
    expect(r.headers.authorization).toBe(`Bearer ${t.secretKey}`);
    expect(r.headers['stripe-version']).toBe('2026-10-28.endive');
    expect(r.form).toMatchObject({ charge: charge.id, limit: '100' });
  }
  expect(reqs[1].form.starting_after).toBe(refunds[1].id);

  const reversed = await eventually(async () => {
    const r = await reversalsOf(t.invoice.id);
    expect(r).toHaveLength(2);
    return r;
  });
  expect(reversed.map((e) => e.data).sort((a, b) => Number(a.amount) - Number(b.amount))).toEqual([
    expect.objectContaining({ reversalId: refunds[2].id, amount: 500, kind: 'refund', paymentId: stripePaymentId(t.tenantId, t.pi.id), reference: charge.id }),
    expect.objectContaining({ reversalId: refunds[0].id, amount: 1500, kind: 'refund', paymentId: stripePaymentId(t.tenantId, t.pi.id), reference: charge.id }),
  ]);
  const history = (await readEvents(stack.orm, t.invoice.id)).map((e) => e.type);
  expect(history).toEqual(expect.arrayContaining(['payment_applied', 'paid', 'payment_reversed', 'reopened']));

  // A redelivery is acknowledged without asking Stripe again.
  expect((await deliver(stack, t.tenantId, event, t.webhookSecret)).body).toMatchObject({ duplicate: true, status: 'processed' });
  expect(listRequests()).toHaveLength(2);
  expect((await eventRows(t.tenantId)).map((r) => r.status)).toEqual(['processed', 'processed']);
});

test('a charge of no invoice of ours is not looked up at Stripe; a charge with no reversing refund is ignored', async () => {
  const t = await paidByCard(1000);
  const foreign = refundedChargeWithoutRefunds({ paymentIntentId: rid('pi'), amount: 800, refunds: [{ amount: 800 }] });
  fake.state.refunds.set(foreign.charge.id, foreign.refunds);
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', foreign.charge), t.webhookSecret)).body).toMatchObject({ status: 'unmatched' });
  expect(listRequests()).toHaveLength(0);

  const failedOnly = refundedChargeWithoutRefunds({ paymentIntentId: t.pi.id, amount: 1000, refunds: [{ amount: 1000, status: 'failed' }] });
  fake.state.refunds.set(failedOnly.charge.id, failedOnly.refunds);
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', failedOnly.charge), t.webhookSecret)).body).toMatchObject({ status: 'ignored' });
  expect(listRequests()).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'paid', paid: 1000 });
});

test('the same refunds also arriving as refund.created (before and after charge.refunded) are reversed once; pending ones count as for refund.*', async () => {
  const t = await paidByCard(5000);
  const { charge, refunds } = refundedChargeWithoutRefunds({
    paymentIntentId: t.pi.id,
    amount: 5000,
    refunds: [{ amount: 2000 }, { amount: 1000 }, { amount: 500, status: 'pending' }],
  });
  const [later, earlier, pending] = refunds;
  fake.state.refunds.set(charge.id, refunds);

  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', earlier), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'open', paid: 4000 });
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', charge), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'open', paid: 1500 });
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.created', later), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  expect((await deliver(stack, t.tenantId, stripeEvent('refund.updated', { ...pending, status: 'succeeded' }), t.webhookSecret)).body).toMatchObject({ status: 'processed' });
  // A second charge.refunded for the same charge (e.g. after one more refund) changes nothing either.
  expect((await deliver(stack, t.tenantId, stripeEvent('charge.refunded', charge), t.webhookSecret)).body).toMatchObject({ status: 'processed' });

  await new Promise((r) => setTimeout(r, 500));
  await settled(t.invoice.id, { status: 'open', paid: 1500, due: 3500 });
  const reversed = await reversalsOf(t.invoice.id);
  expect(reversed.map((e) => e.data.reversalId).sort()).toEqual([later.id, earlier.id, pending.id].sort());
  expect(listRequests()).toHaveLength(2);
});

test('Stripe failing (500, then unreachable): webhook 503, the event stays received, a redelivery or the sweep applies it once', async () => {
  const t = await paidByCard(4000);
  const { charge, refunds } = refundedChargeWithoutRefunds({ paymentIntentId: t.pi.id, amount: 4000, refunds: [{ amount: 1000 }] });
  fake.state.refunds.set(charge.id, refunds);
  const event = stripeEvent('charge.refunded', charge);

  fake.state.failWith = 500;
  expect(await deliver(stack, t.tenantId, event, t.webhookSecret)).toMatchObject({ status: 503, body: { error: { code: 'handoff_failed' } } });
  let row = (await eventRows(t.tenantId)).find((r) => r.id === event.id)!;
  expect(row).toMatchObject({ status: 'received' });
  expect(row.lastError).toMatch(/Stripe/);
  expect(listRequests().length).toBeGreaterThanOrEqual(1);
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ status: 'paid', paid: 4000 });

  // Stripe is back: Stripe's redelivery applies it.
  fake.state.failWith = null;
  expect(await deliver(stack, t.tenantId, event, t.webhookSecret)).toMatchObject({ status: 200, body: { status: 'processed', duplicate: true } });
  await settled(t.invoice.id, { status: 'open', paid: 3000, due: 1000 });
  expect((await deliver(stack, t.tenantId, event, t.webhookSecret)).body).toMatchObject({ status: 'processed', duplicate: true });

  // A second refund while Stripe's API cannot be reached at all: kept, then the recovery sweep applies it.
  const second = refundObject({ chargeId: charge.id, paymentIntentId: t.pi.id, amount: 500 });
  fake.state.refunds.set(charge.id, [second, ...refunds]);
  const event2 = stripeEvent('charge.refunded', { ...charge, amount_refunded: 1500 });
  const port = stack.process.config.STRIPE_API_PORT;
  stack.process.config.STRIPE_API_PORT = await freePort();
  try {
    expect((await deliver(stack, t.tenantId, event2, t.webhookSecret)).status).toBe(503);
  } finally {
    stack.process.config.STRIPE_API_PORT = port;
  }
  row = (await eventRows(t.tenantId)).find((r) => r.id === event2.id)!;
  expect(row).toMatchObject({ status: 'received' });

  const swept = await retryReceivedStripeEvents(stack.deps, { olderThanMs: 0 });
  expect(swept.retried).toBeGreaterThanOrEqual(1);
  expect((await eventRows(t.tenantId)).find((r) => r.id === event2.id)).toMatchObject({ status: 'processed' });
  await settled(t.invoice.id, { status: 'open', paid: 2500, due: 1500 });
  await new Promise((r) => setTimeout(r, 300));
  expect((await reversalsOf(t.invoice.id)).map((e) => e.data.reversalId).sort()).toEqual([refunds[0].id, second.id].sort());
  expect(await readInvoice(stack.orm, t.invoice.id)).toMatchObject({ paid: 2500 });
});

test('charge.refunded before its payment, Stripe down when the payment arrives: the payment is processed, the refund waits as received for the sweep', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, { total: 3000 });
  const pi = paymentIntentObject({ amount: 3000, tenantId: t.tenantId, invoiceId: invoice.id });
  const { charge, refunds } = refundedChargeWithoutRefunds({ paymentIntentId: pi.id, amount: 3000, refunds: [{ amount: 3000 }] });
  fake.state.refunds.set(charge.id, refunds);
  const refundEvent = stripeEvent('charge.refunded', charge);
  expect((await deliver(stack, t.tenantId, refundEvent, t.webhookSecret)).body).toMatchObject({ status: 'unmatched' });

  fake.state.failWith = 503;
  expect(await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret)).toMatchObject({ status: 200, body: { status: 'processed' } });
  await settled(invoice.id, { status: 'paid', paid: 3000 });
  expect((await eventRows(t.tenantId)).find((r) => r.id === refundEvent.id)).toMatchObject({ status: 'received' });

  fake.state.failWith = null;
  await retryReceivedStripeEvents(stack.deps, { olderThanMs: 0 });
  expect((await eventRows(t.tenantId)).find((r) => r.id === refundEvent.id)).toMatchObject({ status: 'processed' });
  await settled(invoice.id, { status: 'open', paid: 0, due: 3000 });
  expect((await reversalsOf(invoice.id)).map((e) => e.data.reversalId)).toEqual([refunds[0].id]);
});
