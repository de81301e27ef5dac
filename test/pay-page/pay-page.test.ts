/**
 * The customer's pay page API (/v1/public/invoices/{token}): unguessable links stored hashed,
 * rotation, isolation, what the page shows, and card payment through Stripe Checkout (the local
 * fake of Stripe's API) settled by a signed webhook.
 */
import { createHash } from 'node:crypto';
import { buildApp } from '../../api/app';
import { countWhere, expectError } from '../support/api';
import { createInvoiceViaApi, createTestTenant, type TestStack } from '../support/stack';
import { checkoutSessionObject, createStripeTenant, deliver, FAKE_STRIPE_KEY, invoiceSettles, rid, stripeEvent, useFakeStripeStack } from '../support/stripe';

const { stack, fake } = useFakeStripeStack();

const BASE = 'http://127.0.0.1:3000';
const URL_PATTERN = /^http:\/\/127\.0\.0\.1:3000\/i\/([A-Za-z0-9_-]+)$/;
const tokenOf = (customerUrl: string) => URL_PATTERN.exec(customerUrl)![1];

const visit = async (token: string, app = stack.app, remoteAddress?: string) => {
  const res = await app.inject({ method: 'GET', url: `/v1/public/invoices/${encodeURIComponent(token)}`, ...(remoteAddress && { remoteAddress }) });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
};
const checkout = async (token: string, body?: unknown) => {
  const res = await stack.app.inject({ method: 'POST', url: `/v1/public/invoices/${encodeURIComponent(token)}/checkout`, payload: body as never });
  return { status: res.statusCode, body: res.json() };
};

/** Rows of every table of the schema whose text holds `needle`. */
async function tablesHolding(s: TestStack, needle: string): Promise<string[]> {
  const conn = s.orm.em.getConnection();
  const tables = await conn.execute<{ name: string }[]>(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`);
  const found: string[] = [];
  for (const { name } of tables) {
    const [row] = await conn.execute<{ n: number }[]>(`select count(*)::int as n from "${name}" t where t::text like ?`, [`%${needle}%`]);
    if (row.n > 0) found.push(name);
  }
  return found;
}

const threeInstalments = { total: 9000, issueDate: '2098-01-01', dueDate: '2098-03-31', paymentPlan: [{ amount: 3000, date: '2098-01-31' }, { amount: 3000, date: '2098-02-28' }, { amount: 3000, date: '2098-03-31' }] };

test('every invoice answer carries a customerUrl whose token is ≥128 bits and is stored only as its hash', async () => {
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { total: 5000 });
  expect(invoice.customerUrl).toMatch(URL_PATTERN);
  const token = tokenOf(invoice.customerUrl);
  expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);

  // the same link everywhere the invoice is shown
  expect((await t.request('GET', `/v1/invoices/${invoice.id}`)).body.customerUrl).toBe(invoice.customerUrl);
  expect((await t.request('GET', '/v1/invoices')).body.data[0].customerUrl).toBe(invoice.customerUrl);

  const hash = createHash('sha256').update(token).digest('hex');
  expect(await countWhere(stack, 'invoice_pay_links', 'invoice_id = ? and token_hash = ?', [invoice.id, hash])).toBe(1);
  expect(await tablesHolding(stack, token)).toEqual([]);

  // another invoice gets another link
  const other = await createInvoiceViaApi(t.request, { total: 5000 });
  expect(other.invoice.customerUrl).not.toBe(invoice.customerUrl);
});

test('the pay page shows the seller, the items, the totals, the plan with covered flags, and how to pay', async () => {
  const t = await createTestTenant(stack);
  const settings = await t.request('PUT', '/v1/settings/company', { legalName: 'Acme Consulting GmbH', address: 'Hauptstraße 1\n10115 Berlin', taxId: 'DE123456789', paymentInstructions: 'IBAN DE89 3704 0044 0532 0130 00' });
  expect(settings.status).toBe(200);
  const { invoice, contact } = await createInvoiceViaApi(t.request, { ...threeInstalments, number: 'INV-PAY-1' });
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 4000, method: 'cash' })).status).toBe(201);

  const page = await visit(tokenOf(invoice.customerUrl));
  expect(page.status).toBe(200);
  expect(page.headers['cache-control']).toBe('no-store');
  const [first, second, third] = invoice.paymentPlan;
  expect(page.body).toEqual({
    seller: { name: expect.stringMatching(/^tenant-/), legalName: 'Acme Consulting GmbH', address: 'Hauptstraße 1\n10115 Berlin', taxId: 'DE123456789' },
    invoice: {
      number: 'INV-PAY-1',
      currency: 'USD',
      issueDate: '2098-01-01',
      dueDate: '2098-03-31',
      status: 'open',
      total: 9000,
      credited: 0,
      paid: 4000,
      writtenOff: 0,
      due: 5000,
      lineItems: [{ description: 'Consulting', quantity: 1, unitAmount: 9000, amount: 9000 }],
      paymentPlan: [
        { id: first.id, date: '2098-01-31', amount: 3000, covered: true, standing: 'paid', open: 0 },
        { id: second.id, date: '2098-02-28', amount: 3000, covered: false, standing: 'partly_open', open: 2000 },
        { id: third.id, date: '2098-03-31', amount: 3000, covered: false, standing: 'open', open: 3000 },
      ],
    },
    payment: { card: false, instructions: 'IBAN DE89 3704 0044 0532 0130 00' },
  });
  // nothing that identifies the account, the contact or the invoice in the API
  const text = JSON.stringify(page.body);
  for (const id of [t.tenantId, contact.id, invoice.id, contact.email]) expect(text).not.toContain(id);
  // the team's API marks the same instalments covered
  expect((await t.request('GET', `/v1/invoices/${invoice.id}`)).body.paymentPlan.map((p: { covered: boolean }) => p.covered)).toEqual([true, false, false]);
});

test('a credit note and a write-off show on the pay page: total − credited − paid − written off = due', async () => {
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { ...threeInstalments, number: 'INV-PAY-CN' });
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 4000, method: 'cash' })).status).toBe(201);
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/credit-notes`, { amount: 1500, reason: 'one hour not worked' }, { 'idempotency-key': `cn-${invoice.id}` })).status).toBe(201);
  const token = tokenOf(invoice.customerUrl);
  const credited = (await visit(token)).body.invoice;
  expect(credited).toMatchObject({ status: 'open', total: 9000, credited: 1500, paid: 4000, writtenOff: 0, due: 3500 });

  expect((await t.request('POST', `/v1/invoices/${invoice.id}/write-off`, { reason: 'small balance' })).status).toBe(200);
  const closed = (await visit(token)).body.invoice;
  expect(closed).toMatchObject({ status: 'paid', total: 9000, credited: 1500, paid: 4000, writtenOff: 3500, due: 0 });
  // Payments paid the first instalment and part of the second; the credit note and the write-off settled the rest, which is not called paid.
  expect(closed.paymentPlan.map((p: { standing: string; open: number; covered: boolean }) => [p.standing, p.open, p.covered])).toEqual([
    ['paid', 0, true],
    ['settled', 0, true],
    ['settled', 0, true],
  ]);
  // The customer's figures are the team's.
  const team = (await t.request('GET', `/v1/invoices/${invoice.id}`)).body;
  expect([team.total, team.credited, team.paid, team.writtenOff, team.due]).toEqual([closed.total, closed.credited, closed.paid, closed.writtenOff, closed.due]);
});

test('an unknown, malformed or rotated token is a plain 404; rotating gives a new working link', async () => {
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { total: 5000 });
  const old = tokenOf(invoice.customerUrl);
  for (const token of ['x', 'A'.repeat(43), `${old}x`, old.slice(0, -1)]) expectError(await visit(token), 404, 'not_found');

  const rotated = await t.request('POST', `/v1/invoices/${invoice.id}/customer-link`);
  expect(rotated.status).toBe(200);
  expect(rotated.body).toEqual({ customerUrl: expect.stringMatching(URL_PATTERN) });
  expect(rotated.body.customerUrl).not.toBe(invoice.customerUrl);
  const res = await visit(old);
  expectError(res, 404, 'not_found');
  expect(res.body.error.details).toEqual({});
  expect((await visit(tokenOf(rotated.body.customerUrl))).status).toBe(200);
  expect((await t.request('GET', `/v1/invoices/${invoice.id}`)).body.customerUrl).toBe(rotated.body.customerUrl);

  // concurrent rotations each end on a distinct link, the last one live
  const many = await Promise.all(Array.from({ length: 4 }, () => t.request('POST', `/v1/invoices/${invoice.id}/customer-link`)));
  expect(new Set(many.map((r) => r.body.customerUrl)).size).toBe(4);
  const live = (await t.request('GET', `/v1/invoices/${invoice.id}`)).body.customerUrl;
  expect(many.map((r) => r.body.customerUrl)).toContain(live);
  expect((await Promise.all(many.map((r) => visit(tokenOf(r.body.customerUrl))))).filter((r) => r.status === 200)).toHaveLength(1);
});

test("another tenant can neither reach nor rotate an invoice's link", async () => {
  const a = await createTestTenant(stack);
  const b = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(a.request, { total: 5000 });
  expectError(await b.request('POST', `/v1/invoices/${invoice.id}/customer-link`), 404, 'not_found');
  expect((await visit(tokenOf(invoice.customerUrl))).status).toBe(200);
  // B's own link opens only B's invoice
  const mine = await createInvoiceViaApi(b.request, { total: 1234, number: 'B-1' });
  expect((await visit(tokenOf(mine.invoice.customerUrl))).body.invoice).toMatchObject({ number: 'B-1', total: 1234 });
});

test('an invoice from before pay links gets its link when first shown, and it works', async () => {
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request, { total: 5000 });
  await stack.orm.em.getConnection().execute('delete from invoice_pay_links where invoice_id = ?', [invoice.id]);
  expectError(await visit(tokenOf(invoice.customerUrl)), 404, 'not_found');
  const shown = (await t.request('GET', `/v1/invoices/${invoice.id}`)).body.customerUrl;
  expect(shown).toBe(invoice.customerUrl); // the first link of an invoice is always the same
  expect((await visit(tokenOf(shown))).status).toBe(200);
});

test('Pay by card: Checkout for the due or a chosen instalment, back to the pay page, Paid after the signed webhook', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, threeInstalments);
  const token = tokenOf(invoice.customerUrl);
  expect((await visit(token)).body.payment).toEqual({ card: true, instructions: null });
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 1000, method: 'cash' })).status).toBe(201);

  // the whole due
  const all = await checkout(token);
  expect(all).toEqual({ status: 201, body: { url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//) } });
  expect(fake.requests).toHaveLength(1);
  expect(fake.requests[0].form).toMatchObject({
    'line_items[0][price_data][unit_amount]': '8000',
    'line_items[0][price_data][currency]': 'usd',
    success_url: `${BASE}/i/${token}?checkout=success`,
    cancel_url: `${BASE}/i/${token}?checkout=cancel`,
    'metadata[invoice_id]': invoice.id,
    'metadata[tenant_id]': t.tenantId,
    'payment_intent_data[metadata][invoice_id]': invoice.id,
  });

  // the first instalment's unpaid part (the cash payment covered 1000 of it), then the second whole
  const [first, second] = invoice.paymentPlan;
  expect((await checkout(token, { installmentId: first.id })).status).toBe(201);
  expect(fake.requests[1].form).toMatchObject({ 'line_items[0][price_data][unit_amount]': '2000', 'metadata[installment_id]': first.id });
  expect((await checkout(token, { installmentId: second.id })).status).toBe(201);
  expect(fake.requests[2].form).toMatchObject({ 'line_items[0][price_data][unit_amount]': '3000' });
  expectError(await checkout(token, { installmentId: '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b' }), 404, 'not_found');
  expectError(await checkout(token, { installmentId: 'nope' }), 400, 'validation_failed');
  expectError(await checkout('not-a-token'), 404, 'not_found');

  // Stripe's webhook lands for the whole due: the page shows Paid
  const session = checkoutSessionObject({ paymentIntentId: rid('pi'), amount: 8000, tenantId: t.tenantId, invoiceId: invoice.id });
  expect((await deliver(stack, t.tenantId, stripeEvent('checkout.session.completed', session), t.webhookSecret)).status).toBe(200);
  await invoiceSettles(stack, invoice.id, { status: 'paid', paid: 9000, due: 0 });
  const paid = await visit(token);
  expect(paid.body.invoice).toMatchObject({ status: 'paid', paid: 9000, due: 0 });
  expect(paid.body.invoice.paymentPlan.map((p: { covered: boolean }) => p.covered)).toEqual([true, true, true]);
  const before = fake.requests.length;
  expectError(await checkout(token), 409, 'invoice_paid');
  expectError(await checkout(token, { installmentId: first.id }), 409, 'invoice_paid');
  expect(fake.requests).toHaveLength(before);
});

test('checkout is refused for a void invoice, a covered instalment, or a seller without Stripe', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, threeInstalments);
  const payment = await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 3000, method: 'cash' });
  expect(payment.status).toBe(201);
  expectError(await checkout(tokenOf(invoice.customerUrl), { installmentId: invoice.paymentPlan[0].id }), 409, 'installment_covered');
  // An invoice with payments cannot be voided: its payment goes first.
  expect((await t.request('POST', `/v1/payments/${payment.body.id}/void`, { reason: 'test' })).status).toBe(200);
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/void`, { reason: 'test' })).status).toBe(200);
  expectError(await checkout(tokenOf(invoice.customerUrl)), 409, 'invoice_void');

  const plain = await createTestTenant(stack);
  const other = await createInvoiceViaApi(plain.request, { total: 5000 });
  // The customer is told card payments are not available, not how the seller sets Stripe up; the team's own endpoint keeps the hint.
  const refused = await checkout(tokenOf(other.invoice.customerUrl));
  expectError(refused, 409, 'stripe_not_configured');
  expect(refused.body.error.message).toBe('card payments are not available for this invoice');
  const team = await plain.request('POST', `/v1/invoices/${other.invoice.id}/checkout`, {});
  expectError(team, 409, 'stripe_not_configured');
  expect(team.body.error.message).toContain('PUT /v1/integrations/stripe');
  expect(fake.requests).toHaveLength(0);
});

test('an invoice in a currency Stripe counts in another unit (MGA): the pay page offers no card payment and checkout is refused, nothing sent to Stripe', async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, { total: 500_000, currency: 'MGA' });
  const before = fake.requests.length;
  const page = await visit(tokenOf(invoice.customerUrl));
  expect(page.status).toBe(200);
  expect(page.body.payment.card).toBe(false);
  expectError(await checkout(tokenOf(invoice.customerUrl)), 409, 'stripe_currency_unsupported');
  expectError(await t.request('POST', `/v1/invoices/${invoice.id}/checkout`, {}), 409, 'stripe_currency_unsupported');
  expect(fake.requests).toHaveLength(before);
});

test("a seller whose Stripe credentials cannot be read: the customer hears that cards are unavailable now, not about the server's ENCRYPTION_KEY", async () => {
  const t = await createStripeTenant(stack, { secretKey: FAKE_STRIPE_KEY });
  const { invoice } = await createInvoiceViaApi(t.request, { total: 5000 });
  // Sealed with another key (or tampered with): the current ENCRYPTION_KEY cannot open it.
  await stack.orm.em.fork().getConnection().execute(`update stripe_integrations set secret_key_enc = 'v1.AAAA.AAAA.AAAA' where tenant_id = ?`, [t.tenantId]);
  const refused = await checkout(tokenOf(invoice.customerUrl));
  expectError(refused, 503, 'integration_secret_unreadable');
  expect(refused.body.error.message).toBe("card payments are unavailable right now: try again later, or pay as the seller's instructions say");
  const team = await t.request('POST', `/v1/invoices/${invoice.id}/checkout`, {});
  expectError(team, 503, 'integration_secret_unreadable');
  expect(team.body.error.message).toContain('ENCRYPTION_KEY');
});

test('the pay page is rate-limited per client IP, unknown tokens included', async () => {
  const app = await buildApp({ ...stack.process, config: { ...stack.process.config, PUBLIC_RATE_LIMIT_PER_MINUTE: 3 }, redis: stack.redis });
  try {
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    // (the app's own counting connection may still be connecting for the first requests: those pass uncounted)
    const answers: Awaited<ReturnType<typeof visit>>[] = [];
    for (let i = 0; i < 10 && !answers.some((a) => a.status === 429); i++) answers.push(await visit(`unknown-${i}`, app, ip));
    const limited = answers.at(-1)!;
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(new Set(answers.slice(0, -1).map((a) => a.status))).toEqual(new Set([404]));
    expect(answers.length).toBeGreaterThanOrEqual(4);
    // another client is not affected
    expect((await visit('unknown', app, '10.255.255.1')).status).toBe(404);
  } finally {
    await app.close();
  }
});
