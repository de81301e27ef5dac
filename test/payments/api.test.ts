import { createTenant } from '../../services/tenants';
import { useTestStack, createTestTenant } from '../support/stack';
import { countWhere, expectError, invoiceRow, ISO_DATE, ISO_DATETIME, newContact, newInvoice, tenantCounts, UUID } from '../support/api';

const stack = useTestStack();

async function setup(total = 5000, over: Record<string, unknown> = {}) {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request, 'Payer Person');
  const invoice = await newInvoice(t.request, contact.id, { lineItems: [{ description: 'Work', quantity: 1, unitAmount: total }], ...over });
  return { ...t, contact, invoice };
}

test('POST /v1/payments with and without an invoice, GET /v1/payments/:id: exact shapes', async () => {
  const { tenantId, request, contact, invoice } = await setup();
  const loose = await request('POST', '/v1/payments', { contactId: contact.id, amount: 700, currency: 'USD', method: 'cash', date: '2026-11-03' });
  expect(loose.status).toBe(201);
  expect(loose.body).toEqual({
    id: expect.stringMatching(UUID),
    contact: { id: contact.id, name: 'Payer Person' },
    invoice: null,
    amount: 700,
    currency: 'USD',
    date: '2026-11-03',
    method: 'cash',
    reference: null,
    source: 'manual',
    status: 'succeeded',
    voided: null,
    refunded: 0,
    refunds: [],
    parentId: null,
    allocations: [],
    createdAt: expect.stringMatching(ISO_DATETIME),
  });
  const onInvoice = await request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 300, method: 'bank_transfer', reference: 'wire 42' });
  expect(onInvoice.status).toBe(201);
  expect(onInvoice.body).toMatchObject({ invoice: { id: invoice.id, number: invoice.number }, amount: 300, currency: 'USD', reference: 'wire 42', date: expect.stringMatching(ISO_DATE) });
  for (const p of [loose.body, onInvoice.body]) {
    const got = await request('GET', `/v1/payments/${p.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(p);
  }
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 300, due: 4700, status: 'open' });
  expect(await countWhere(stack, 'payments', 'tenant_id = ? and invoice_id is null', [tenantId])).toBe(1);
  expect(await countWhere(stack, 'payments', 'tenant_id = ? and invoice_id = ?', [tenantId, invoice.id])).toBe(1);
  expectError(await request('GET', '/v1/payments/0190f0f0-0000-7000-8000-000000000000'), 404, 'not_found');
});

test('contact is required for POST /v1/payments; a contact that differs from the invoice contact is 409', async () => {
  const { tenantId, request, invoice } = await setup();
  expectError(await request('POST', '/v1/payments', { amount: 100, currency: 'USD', method: 'cash' }), 400);
  expectError(await request('POST', '/v1/payments', { invoiceId: invoice.id, amount: 100, method: 'cash' }), 400);
  const other = await newContact(request, 'Someone else');
  expectError(await request('POST', '/v1/payments', { contactId: other.id, invoiceId: invoice.id, amount: 100, method: 'cash' }), 409, 'contact_mismatch');
  expect((await tenantCounts(stack, tenantId)).payments).toBe(0);
});

test.each([0, -1, 1.5, '100', null, 1e20])('amount %p is 400 and records nothing', async (amount) => {
  const { tenantId, request, contact, invoice } = await setup();
  expectError(await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount, method: 'cash' }), 400);
  expectError(await request('POST', '/v1/payments', { contactId: contact.id, amount, currency: 'USD', method: 'cash' }), 400);
  expect((await tenantCounts(stack, tenantId)).payments).toBe(0);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 0, due: 5000 });
});

test('overpayment is 409 with details.due; the excess can be recorded without an invoice', async () => {
  const { tenantId, request, contact, invoice } = await setup(5000);
  expect((await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 3000, method: 'cash' })).status).toBe(201);
  const over = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 2001, method: 'cash' });
  expectError(over, 409, 'overpayment');
  expect(over.body.error.details).toMatchObject({ due: 2000 });
  const overViaPayments = await request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 9999, method: 'cash' });
  expectError(overViaPayments, 409, 'overpayment');
  expect(await invoiceRow(stack, invoice.id)).toEqual({ status: 'open', paid: 3000, due: 2000, total: 5000 });
  expect((await tenantCounts(stack, tenantId)).payments).toBe(1);
  // pay the due on the invoice and the rest on the contact
  expect((await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 2000, method: 'cash' })).status).toBe(201);
  const excess = await request('POST', '/v1/payments', { contactId: contact.id, amount: 1, currency: 'USD', method: 'cash' });
  expect(excess.status).toBe(201);
  expect(excess.body.invoice).toBeNull();
  expect(await invoiceRow(stack, invoice.id)).toEqual({ status: 'paid', paid: 5000, due: 0, total: 5000 });
  expect((await tenantCounts(stack, tenantId)).payments).toBe(3);
});

test('a payment on a paid invoice is 409 and changes nothing', async () => {
  const { tenantId, request, invoice } = await setup(1000);
  expect((await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 1000, method: 'card' })).status).toBe(201);
  const again = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 1, method: 'cash' });
  expect(again.status).toBe(409);
  expect(['invoice_paid', 'overpayment']).toContain(again.body.error.code);
  expect(await invoiceRow(stack, invoice.id)).toEqual({ status: 'paid', paid: 1000, due: 0, total: 1000 });
  expect((await tenantCounts(stack, tenantId)).payments).toBe(1);
});

test("a payment without an invoice and without a currency takes the tenant's default currency", async () => {
  const { apiKey } = await createTenant(stack.deps, { name: 'Euro tenant', plan: 'professional', defaultCurrency: 'EUR' });
  const post = (payload: object) => stack.app.inject({ method: 'POST', url: '/v1/payments', payload, headers: { authorization: `Bearer ${apiKey}` } }).then((r) => ({ status: r.statusCode, body: r.json() }));
  const contact = (await stack.app.inject({ method: 'POST', url: '/v1/contacts', payload: { name: 'Émile' }, headers: { authorization: `Bearer ${apiKey}` } })).json();
  expect(await post({ contactId: contact.id, amount: 12500, method: 'bank_transfer' })).toMatchObject({ status: 201, body: { amount: 12500, currency: 'EUR', invoice: null } });
  expect(await post({ contactId: contact.id, amount: 12500, currency: 'USD', method: 'bank_transfer' })).toMatchObject({ status: 201, body: { currency: 'USD' } });
  // Default tenants: USD.
  const { request } = await createTestTenant(stack);
  const other = await newContact(request);
  expect(await request('POST', '/v1/payments', { contactId: other.id, amount: 100, method: 'cash' })).toMatchObject({ status: 201, body: { currency: 'USD' } });
});

test('currency mismatch is 409 and records nothing', async () => {
  const { tenantId, request, contact, invoice } = await setup();
  expectError(await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, currency: 'EUR', method: 'cash' }), 409, 'currency_mismatch');
  expectError(await request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 100, currency: 'GBP', method: 'cash' }), 409, 'currency_mismatch');
  expect((await tenantCounts(stack, tenantId)).payments).toBe(0);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 0 });
});

test('a recorded payment is visible in GET /v1/invoices/:id as soon as the POST returns', async () => {
  const { request, invoice } = await setup(10_000);
  let paid = 0;
  for (const amount of [100, 250, 1, 3649]) {
    const res = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount, method: 'cash' });
    expect(res.status).toBe(201);
    paid += amount;
    const got = await request('GET', `/v1/invoices/${invoice.id}`);
    expect(got.body).toMatchObject({ paid, due: 10_000 - paid, status: 'open' });
    expect(got.body.payments.map((p: { id: string }) => p.id)).toContain(res.body.id);
  }
});

test('60 parallel payments of 100 on an invoice of 5000: exactly 50 accepted, 10 overpayment', async () => {
  const { tenantId, request, invoice } = await setup(5000);
  const results = await Promise.all(Array.from({ length: 60 }, () => request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' })));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(50);
  const rejected = results.filter((r) => r.status !== 201);
  expect(rejected).toHaveLength(10);
  for (const r of rejected) {
    expect(r.status).toBe(409);
    expect(['overpayment', 'invoice_paid']).toContain(r.body.error.code);
  }
  expect(rejected.some((r) => r.body.error.code === 'overpayment' || r.body.error.code === 'invoice_paid')).toBe(true);
  expect(await invoiceRow(stack, invoice.id)).toEqual({ status: 'paid', paid: 5000, due: 0, total: 5000 });
  expect(await countWhere(stack, 'payments', 'tenant_id = ? and invoice_id = ?', [tenantId, invoice.id])).toBe(50);
  expect((await tenantCounts(stack, tenantId)).payments).toBe(50);
  const got = await request('GET', `/v1/invoices/${invoice.id}`);
  expect(got.body).toMatchObject({ paid: 5000, due: 0, status: 'paid' });
  expect(got.body.payments).toHaveLength(50);
}, 60_000);

test('parallel retries of one Idempotency-Key record one payment', async () => {
  const { tenantId, request, invoice } = await setup(5000);
  const headers = { 'idempotency-key': 'retry-storm' };
  const results = await Promise.all(Array.from({ length: 8 }, () => request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' }, headers)));
  // concurrent duplicates may be told to retry (409 idempotency_in_progress) but never create a second payment
  for (const r of results) expect([201, 409]).toContain(r.status);
  const ok = results.filter((r) => r.status === 201);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
  const final = await request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' }, headers);
  expect(final.status).toBe(201);
  expect(final.body.id).toBe(ok[0].body.id);
  expect((await tenantCounts(stack, tenantId)).payments).toBe(1);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ paid: 100, due: 4900 });
});
