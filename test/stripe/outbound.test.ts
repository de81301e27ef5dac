/**
 * Outbound Stripe calls (integration settings, Checkout, Terminal) against a local HTTP fake of
 * Stripe's API, the SDK pointed at it through STRIPE_API_HOST/PORT/PROTOCOL; then the Terminal
 * payment's webhook settles the invoice.
 */
import { StripeIntegration } from '../../db/index';
import { eventually, readInvoice } from '../support/fixtures';
import { createInvoiceViaApi, createTestTenant } from '../support/stack';
import { createStripeTenant, deliver, FAKE_STRIPE_KEY, paymentIntentObject, useFakeStripeStack, stripeEvent, TEST_ENCRYPTION_KEY } from '../support/stripe';

const { stack, fake } = useFakeStripeStack();

test('integration settings: stored encrypted, shown by last 4 only, deletable; plan-gated; 503 without ENCRYPTION_KEY', async () => {
  const t = await createTestTenant(stack);
  expect((await t.request('GET', '/v1/integrations/stripe')).body).toMatchObject({ configured: false });
  const secretKey = 'sk_test_abcdefghijklmnop1234';
  const webhookSecret = 'whsec_zyxwvutsrqponmlk9876';
  const put = await t.request('PUT', '/v1/integrations/stripe', { secretKey, webhookSecret });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ configured: true, secretKeyLast4: '1234', webhookSecretLast4: '9876', webhookUrl: expect.stringContaining(`/v1/webhooks/stripe/${t.tenantId}`) });
  expect(JSON.stringify(put.body)).not.toContain('abcdefgh');
  expect(JSON.stringify((await t.request('GET', '/v1/integrations/stripe')).body)).not.toContain('zyxwvuts');
  const row = await stack.orm.em.fork().findOneOrFail(StripeIntegration, { tenant: t.tenantId });
  expect(row.secretKeyEnc).not.toContain(secretKey);
  expect(row.webhookSecretEnc).not.toContain(webhookSecret);
  expect(row.secretKeyEnc.startsWith('v1.')).toBe(true);

  expect((await t.request('PUT', '/v1/integrations/stripe', { secretKey: 'nope', webhookSecret })).status).toBe(400);
  expect((await t.request('DELETE', '/v1/integrations/stripe')).status).toBe(204);
  expect((await t.request('GET', '/v1/integrations/stripe')).body).toMatchObject({ configured: false });

  const starter = await createTestTenant(stack, 'starter');
  expect((await starter.request('PUT', '/v1/integrations/stripe', { secretKey, webhookSecret })).status).toBe(403);
  const anon = await stack.app.inject({ method: 'GET', url: '/v1/integrations/stripe' });
  expect(anon.statusCode).toBe(401);

  delete stack.process.config.ENCRYPTION_KEY;
  try {
    const res = await t.request('PUT', '/v1/integrations/stripe', { secretKey, webhookSecret });
    expect(res).toMatchObject({ status: 503, body: { error: { code: 'encryption_not_configured' } } });
  } finally {
    stack.process.config.ENCRYPTION_KEY = TEST_ENCRYPTION_KEY;
  }
});

test('checkout: a Checkout Session for the current due with metadata on session and PaymentIntent, and an idempotency key', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, { total: 7000, currency: 'EUR' });
  await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 2000, method: 'cash' });

  const res = await t.request('POST', `/v1/invoices/${invoice.id}/checkout`, { successUrl: 'https://crm.example/paid' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//), amount: 5000, currency: 'EUR', invoiceId: invoice.id });

  expect(fake.requests).toHaveLength(1);
  const [req] = fake.requests;
  expect(req).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions' });
  expect(req.headers['idempotency-key']).toMatch(/^pc-checkout-/);
  expect(req.headers['stripe-version']).toBe('2026-10-28.endive');
  expect(req.form).toMatchObject({
    mode: 'payment',
    'line_items[0][price_data][unit_amount]': '5000',
    'line_items[0][price_data][currency]': 'eur',
    'line_items[0][quantity]': '1',
    'metadata[tenant_id]': t.tenantId,
    'metadata[invoice_id]': invoice.id,
    'payment_intent_data[metadata][tenant_id]': t.tenantId,
    'payment_intent_data[metadata][invoice_id]': invoice.id,
    success_url: 'https://crm.example/paid',
    client_reference_id: invoice.id,
  });

  // Same request again → same Stripe idempotency key (Stripe returns the same session).
  await t.request('POST', `/v1/invoices/${invoice.id}/checkout`, { successUrl: 'https://crm.example/paid' });
  expect(fake.requests[1].headers['idempotency-key']).toBe(req.headers['idempotency-key']);

  await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 5000, method: 'cash' });
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/checkout`, {})).body).toMatchObject({ error: { code: 'invoice_paid' } });

  const bare = await createTestTenant(stack);
  const other = await createInvoiceViaApi(bare.request, { total: 100 });
  expect((await bare.request('POST', `/v1/invoices/${other.invoice.id}/checkout`, {})).body).toMatchObject({ error: { code: 'stripe_not_configured' } });

  const badKey = await createStripeTenant(stack, { secretKey: 'sk_test_wrong_key_123456789' });
  const inv = await createInvoiceViaApi(badKey.request, { total: 100 });
  expect((await badKey.request('POST', `/v1/invoices/${inv.invoice.id}/checkout`, {})).body).toMatchObject({ error: { code: 'stripe_auth_failed' } });
});

test('terminal: register and list readers, collect an invoice on a reader, the card_present payment settles it via the webhook', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const reg = await t.request('POST', '/v1/integrations/stripe/terminal/readers', { registrationCode: 'simulated-wpe', label: 'Front desk', location: 'tml_123' });
  expect(reg).toMatchObject({ status: 201, body: { label: 'Front desk', location: 'tml_123', id: expect.stringMatching(/^tmr_/) } });
  expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/terminal/readers', form: { registration_code: 'simulated-wpe', label: 'Front desk', location: 'tml_123' } });
  expect(fake.requests[0].headers['idempotency-key']).toEqual(expect.any(String));
  const list = await t.request('GET', '/v1/integrations/stripe/terminal/readers');
  expect(list.body.data).toEqual([expect.objectContaining({ id: 'tmr_iGOgDOlmFAot3zIp2JzEqXYs', deviceType: 'bbpos_wisepos_e' })]);

  const { invoice } = await createInvoiceViaApi(t.request, { total: 3300 });
  fake.requests.length = 0;
  const collect = await t.request('POST', `/v1/invoices/${invoice.id}/terminal-collections`, { readerId: reg.body.id });
  expect(collect).toMatchObject({ status: 201, body: { amount: 3300, currency: 'USD', paymentIntentId: expect.stringMatching(/^pi_/), actionStatus: 'in_progress' } });
  const [create, process] = fake.requests;
  expect(create).toMatchObject({
    path: '/v1/payment_intents',
    form: {
      amount: '3300',
      currency: 'usd',
      capture_method: 'automatic',
      'allowed_payment_method_types[0]': 'card_present',
      'metadata[tenant_id]': t.tenantId,
      'metadata[invoice_id]': invoice.id,
    },
  });
  expect(create.headers['idempotency-key']).toEqual(expect.any(String));
  expect(process).toMatchObject({ path: `/v1/terminal/readers/${reg.body.id}/process_payment_intent`, form: { payment_intent: collect.body.paymentIntentId } });

  const offline = await t.request('POST', `/v1/invoices/${invoice.id}/terminal-collections`, { readerId: 'tmr_offline' });
  expect(offline).toMatchObject({ status: 422, body: { error: { code: 'stripe_request_rejected' } } });

  const pi = paymentIntentObject({ id: collect.body.paymentIntentId, amount: 3300, tenantId: t.tenantId, invoiceId: invoice.id, type: 'card_present' });
  expect((await deliver(stack, t.tenantId, stripeEvent('payment_intent.succeeded', pi), t.webhookSecret)).status).toBe(200);
  await eventually(async () => expect(await readInvoice(stack.orm, invoice.id)).toMatchObject({ status: 'paid', paid: 3300 }));
});
